//! An article's problems in memory, fed one report at a time exactly as ingest does: the report
//! joins the problem [`best_match`] names (merging the problems it bridges) or starts a new one.
//! For grouping existing reports in a migration, for tests, and for the offline evaluation.

use super::matcher::best_match;
use super::signature::{ProblemSignature, ReportText};

/// The open problems of one article, built from its reports in arrival order.
#[derive(Debug, Clone, Default)]
pub struct ArticleProblems {
    /// Open problems: their numbers and signatures, oldest first.
    numbers: Vec<usize>,
    open: Vec<ProblemSignature>,
    /// Each report's problem number, in the order the reports were added.
    assigned: Vec<usize>,
    created: usize,
}

impl ArticleProblems {
    pub fn new() -> ArticleProblems {
        ArticleProblems::default()
    }

    /// Adds a report and returns the number of the problem it is in. Problems are numbered from
    /// 0 in order of creation. When a report bridges problems ([`Match::merge`]), the others are
    /// merged into the one it joined, and their reports take its number.
    ///
    /// [`Match::merge`]: super::Match::merge
    pub fn add(&mut self, report: &ReportText) -> usize {
        let problem = match best_match(report, &self.open) {
            Some(found) => {
                let mut at = found.index;
                self.open[at].absorb(report);
                // Highest first, so that the positions still to remove stay valid.
                for &other in found.merge.iter().rev() {
                    let merged = self.open.remove(other);
                    let gone = self.numbers.remove(other);
                    if other < at {
                        at -= 1;
                    }
                    self.open[at].merge(&merged);
                    let kept = self.numbers[at];
                    self.assigned
                        .iter_mut()
                        .filter(|n| **n == gone)
                        .for_each(|n| *n = kept);
                }
                self.numbers[at]
            }
            None => {
                self.open.push(ProblemSignature::new(report));
                self.numbers.push(self.created);
                self.created += 1;
                self.created - 1
            }
        };
        self.assigned.push(problem);
        problem
    }

    /// Each report's problem number, in the order the reports were added.
    pub fn assignments(&self) -> &[usize] {
        &self.assigned
    }

    /// The open problems' signatures, oldest first, as [`best_match`] wants them.
    pub fn signatures(&self) -> &[ProblemSignature] {
        &self.open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Category;
    use serde::Deserialize;
    use std::collections::{BTreeMap, BTreeSet};

    #[derive(Deserialize)]
    struct Line {
        article_url: String,
        category: Category,
        quote: Option<String>,
        details: Option<String>,
        lang: Option<String>,
        group: Option<String>,
        id: String,
    }

    /// The corpus in file order, as an editor would see it: no problem mixes two complaints, and
    /// most duplicate pairs share a problem (bench/problems/README.md has the full figures).
    #[test]
    fn the_corpus_folds_duplicates_and_never_mixes_complaints() {
        let mut articles: BTreeMap<String, Vec<Line>> = BTreeMap::new();
        for line in include_str!("corpus/groups.jsonl").lines() {
            let line: Line = serde_json::from_str(line).unwrap();
            articles
                .entry(line.article_url.clone())
                .or_default()
                .push(line);
        }
        let (mut pairs, mut folded) = (0, 0);
        for lines in articles.values() {
            let mut problems = ArticleProblems::new();
            for l in lines {
                let text = ReportText::new(
                    l.category,
                    l.quote.as_deref(),
                    l.details.as_deref(),
                    l.lang.as_deref(),
                );
                problems.add(&text);
            }
            let assigned = problems.assignments();
            let complaint = |l: &Line| l.group.clone().unwrap_or_else(|| l.id.clone());
            let mut complaints: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
            for (l, p) in lines.iter().zip(assigned) {
                complaints.entry(*p).or_default().insert(complaint(l));
            }
            for (p, c) in &complaints {
                assert_eq!(
                    c.len(),
                    1,
                    "{}: problem {p} mixes {c:?}",
                    lines[0].article_url
                );
            }
            for i in 0..lines.len() {
                for j in i + 1..lines.len() {
                    if lines[i].group.is_some() && lines[i].group == lines[j].group {
                        pairs += 1;
                        folded += usize::from(assigned[i] == assigned[j]);
                    }
                }
            }
        }
        assert_eq!(pairs, 149);
        assert!(
            folded * 100 >= pairs * 70,
            "{folded} of {pairs} pairs folded"
        );
    }
}
