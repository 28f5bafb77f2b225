//! The labelled corpus the model starts from (the files in `corpus/`, compiled into the binary),
//! and the reader for that format, which the offline evaluation uses for other files too.

use serde::Deserialize;

use super::{Lane, Lesson};
use crate::domain::Category;

/// The corpus kept in the repository, one JSON Lines text per file (the format is in
/// bench/corpus/README.md). `reports.jsonl` was written first, with the signals; `readers.jsonl`
/// was written later by another hand in more languages and styles, because a model trained on one
/// author's reports learns that author's style; `borders.jsonl` by a third, who saw neither the
/// other files nor the classifier, weighted towards the borders between lanes
/// (bench/lanes/README.md).
pub const EMBEDDED: [&str; 3] = [
    include_str!("corpus/reports.jsonl"),
    include_str!("corpus/readers.jsonl"),
    include_str!("corpus/borders.jsonl"),
];

/// Every embedded report, in file order.
pub fn embedded() -> Result<Vec<CorpusReport>, String> {
    let mut reports = Vec::new();
    for file in EMBEDDED {
        reports.extend(parse(file)?);
    }
    Ok(reports)
}

/// One labelled report.
#[derive(Debug, Clone, Deserialize)]
pub struct CorpusReport {
    pub id: String,
    pub article_url: String,
    pub article_lang: String,
    pub category: Category,
    pub quote: Option<String>,
    pub details: Option<String>,
    pub lang: String,
    pub lane: Lane,
    #[serde(default)]
    pub group: Option<String>,
    /// Substrings that are personal details and must not survive scrubbing.
    #[serde(default)]
    pub pii: Vec<String>,
    /// Substrings that must survive scrubbing.
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl CorpusReport {
    /// The article's host, for the link signals.
    pub fn article_host(&self) -> &str {
        let rest = self
            .article_url
            .split_once("://")
            .map_or(self.article_url.as_str(), |(_, r)| r);
        rest.split(['/', '?', '#']).next().unwrap_or(rest)
    }

    pub fn lesson(&self) -> Lesson {
        Lesson {
            quote: self.quote.clone(),
            details: self.details.clone(),
            category: self.category,
            lane: self.lane,
        }
    }
}

/// Parses JSON Lines, skipping blank lines; the error names the line.
pub fn parse(jsonl: &str) -> Result<Vec<CorpusReport>, String> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    #[test]
    fn the_embedded_corpus_is_large_varied_and_well_formed() {
        let reports = embedded().unwrap();
        assert!(reports.len() >= 1200, "{}", reports.len());
        let ids: HashSet<&str> = reports.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), reports.len(), "ids are unique");
        let mut per_lane: HashMap<Lane, usize> = HashMap::new();
        for r in &reports {
            *per_lane.entry(r.lane).or_default() += 1;
            let text = format!(
                "{}\n{}",
                r.quote.as_deref().unwrap_or(""),
                r.details.as_deref().unwrap_or("")
            );
            for s in r.pii.iter().chain(&r.keep) {
                assert!(
                    text.contains(s.as_str()),
                    "{}: {s:?} is not in its text",
                    r.id
                );
            }
        }
        for lane in Lane::ALL {
            assert!(
                per_lane.get(&lane).copied().unwrap_or(0) >= 50,
                "{lane:?}: {per_lane:?}"
            );
        }
        let languages: HashSet<&str> = reports.iter().map(|r| r.article_lang.as_str()).collect();
        for lang in [
            "en", "es", "de", "fr", "pt", "nl", "it", "ar", "pl", "ja", "tr", "zh",
        ] {
            assert!(languages.contains(lang), "{lang}");
        }
        assert_eq!(reports[0].article_host(), "health.example.org");
    }
}
