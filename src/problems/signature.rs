//! A report as the matcher sees it ([`ReportText`]) and what a problem keeps of its reports
//! ([`ProblemSignature`]): small enough to store beside the problem as JSON and to update when a
//! report joins, complete enough that matching never reads the reports themselves.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::text::{self, Term};
use crate::domain::Category;

/// The version of the stored signature. Bump it whenever what the signature keeps, or how terms
/// and passages are normalised, changes: a stored signature of another version is refused by
/// [`ProblemSignature::from_json`], and the caller rebuilds it from the problem's reports with
/// [`ProblemSignature::from_reports`].
pub const SIGNATURE_VERSION: u32 = 5;

/// Passages kept per problem. Readers quote the same sentence in a few ways (the whole sentence,
/// half of it, the number alone); the first few distinct ones cover the later ones.
const MAX_PASSAGES: usize = 6;

/// Terms kept per problem: about ten reports' worth of rare words. Beyond it the terms fewest of
/// its reports used are dropped first, so the problem's core (its dose, its drug) stays.
const MAX_TERMS: usize = 200;

/// A passage that shares this much of its trigrams with a kept passage is already covered by it.
const COVERED: f32 = 0.9;

/// A passage as compared: its compact form and its trigrams.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Passage {
    pub compact: String,
    pub grams: Vec<u64>,
    /// Its runs of digits ([`Passage::states_other_numbers`]). A run that begins or ends a
    /// longer one counts as stated, unless the rest is zeros: "2 500 mg tablets" is the run
    /// "2500", and a quote of "500 mg" is inside it; "400" does not state "40".
    numbers: Vec<String>,
}

impl Passage {
    fn from_compact(compact: String) -> Passage {
        let grams = text::trigrams(&compact);
        let numbers = compact
            .split(|c: char| !c.is_ascii_digit())
            .filter(|run| !run.is_empty())
            .map(str::to_string)
            .collect();
        Passage {
            compact,
            grams,
            numbers,
        }
    }

    /// The share of the trigrams of `self` that `other` also has. A passage too short to have
    /// any ("7,5", "20") is within `other` when `other` contains it.
    pub fn within(&self, other: &Passage) -> f32 {
        if self.grams.is_empty() {
            let inside = !self.compact.is_empty() && other.compact.contains(&self.compact);
            return if inside { 1.0 } else { 0.0 };
        }
        text::shared_count(&self.grams, &other.grams) as f32 / self.grams.len() as f32
    }

    /// Whether `self` states numbers and `other` states none of them: "40 micrograms" in
    /// "10 micrograms of vitamin D". Passages are quotes of the article, and readers who retype
    /// a sentence keep its numbers, so such alike passages are two statements. One number in
    /// common is enough: two readers who selected overlapping halves of a sentence ("1 or 2 500
    /// mg tablets every 2 hours", "500 mg tablets every 2 hours, up to 8 tablets") each have a
    /// number the other lacks.
    pub fn states_other_numbers(&self, other: &Passage) -> bool {
        let stated = |n: &str| {
            other.numbers.iter().any(|o| {
                o == n
                    || [o.strip_prefix(n), o.strip_suffix(n)]
                        .into_iter()
                        .flatten()
                        .any(|rest| !rest.is_empty() && rest.chars().any(|c| c != '0'))
            })
        };
        !self.numbers.is_empty() && !self.numbers.iter().any(|n| stated(n))
    }

    pub fn chars(&self) -> usize {
        self.compact.chars().count()
    }
}

/// A new report, analysed once: its category, its reader's language, its passage and details in
/// comparable form, and its terms.
#[derive(Debug, Clone)]
pub struct ReportText {
    category: Category,
    lang: Option<String>,
    pub(crate) passage: Option<Passage>,
    pub(crate) details: Option<Passage>,
    pub(crate) terms: Vec<Term>,
    /// The keys of the values (doses, readings…) its quote states.
    pub(crate) quoted: Vec<String>,
    /// The quoted values it disputes (see [`disputed`]) and the values its details deny ("not
    /// 40 micrograms", "not 160/100"): doses and readings, as in [`disputed`].
    pub(crate) disputed: Vec<String>,
    /// The values its details state and its quote does not: its reader's corrections, when the
    /// quote states a value.
    pub(crate) corrections: Vec<String>,
}

impl ReportText {
    /// Analyses a report. `lang` is the reader's language (ISO 639-1) when known: it chooses the
    /// stop words; without it the stop words of every supported language apply.
    pub fn new(
        category: Category,
        quote: Option<&str>,
        details: Option<&str>,
        lang: Option<&str>,
    ) -> ReportText {
        let present = |s: Option<&str>| s.map(text::fold).filter(|s| !s.trim().is_empty());
        let (quote, details) = (present(quote), present(details));
        let passage_of = |folded: &String| {
            let compact = text::compact(folded);
            (!compact.is_empty()).then(|| Passage::from_compact(compact))
        };
        let both = [&quote, &details].into_iter().flatten().map(String::as_str);
        let values = |text: &Option<String>| -> Vec<String> {
            text.as_deref()
                .map(|t| text::terms(t, lang))
                .unwrap_or_default()
                .into_iter()
                .filter(|t| text::measure_dim(&t.key).is_some())
                .map(|t| t.key)
                .collect()
        };
        let quoted = values(&quote);
        // Values the details deny ("400 micrograms, not 40") are in dispute, not corrections:
        // that is how a report that quotes nothing says which statement it disputes.
        let denied = details
            .as_deref()
            .map(|d| text::denied_values(d, lang))
            .unwrap_or_default();
        let corrections: Vec<String> = values(&details)
            .into_iter()
            .filter(|k| !quoted.contains(k) && !denied.iter().any(|d| text::same_value(d, k)))
            .collect();
        let mut disputed = disputed(&quoted, &corrections);
        for key in denied {
            if !disputed.iter().any(|d| text::same_value(d, &key)) {
                disputed.push(key);
            }
        }
        ReportText {
            category,
            lang: lang.map(str::to_string),
            passage: quote.as_ref().and_then(passage_of),
            details: details.as_ref().and_then(passage_of),
            terms: text::terms(&both.collect::<Vec<_>>().join("\n"), lang),
            quoted,
            disputed,
            corrections,
        }
    }

    pub fn category(&self) -> Category {
        self.category
    }
}

/// The values of a quote that its reader disputes: those of the measures (mg, ml, mmHg…) that
/// the details correct, a correction being a value the details state and the quote does not.
/// "4 a 5 años 240 mg 15 ml" corrected to "10 ml" disputes 15 ml; "240 mg" corrected to
/// "300 mg" disputes 240 mg. Empty when the reader quoted no value or corrected none.
fn disputed(quoted: &[String], corrections: &[String]) -> Vec<String> {
    let corrected: BTreeSet<&str> = corrections
        .iter()
        .filter_map(|k| text::measure_dim(k))
        .collect();
    quoted
        .iter()
        .filter(|k| text::measure_dim(k).is_some_and(|d| corrected.contains(d)))
        .cloned()
        .collect()
}

/// What a problem keeps of its reports, to match new ones against. Stored per problem as JSON
/// ([`ProblemSignature::to_json`]) and updated in the same transaction as the report that joins
/// ([`ProblemSignature::absorb`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemSignature {
    reports: u32,
    categories: BTreeMap<String, u32>,
    languages: BTreeMap<String, u32>,
    pub(crate) passages: Vec<Passage>,
    /// Each term's key and how many of the problem's reports use it.
    pub(crate) terms: BTreeMap<String, u32>,
    /// An editor split this problem (or split it off another): the matcher never merges it with
    /// another problem by itself again, though new reports may still join it.
    pub(crate) kept_apart: bool,
    /// The values its readers' quotes state: the statement in dispute, for a wrong dose.
    pub(crate) quoted: BTreeSet<String>,
    /// The quoted values its readers corrected (see [`disputed`]).
    pub(crate) disputed: BTreeSet<String>,
}

/// The stored form: what [`ProblemSignature`] holds, less what is recomputed on loading.
#[derive(Serialize, Deserialize)]
struct Stored {
    v: u32,
    reports: u32,
    categories: BTreeMap<String, u32>,
    languages: BTreeMap<String, u32>,
    passages: Vec<String>,
    terms: BTreeMap<String, u32>,
    /// Absent in signatures stored before editors could split problems.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    kept_apart: bool,
    quoted: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    disputed: BTreeSet<String>,
}

/// Why a stored signature cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("the stored problem signature is not valid JSON of the expected shape: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("the stored problem signature has version {found}, this build uses {SIGNATURE_VERSION}: rebuild it from the problem's reports")]
    Version { found: u32 },
}

impl ProblemSignature {
    /// The signature of a problem with one report.
    pub fn new(report: &ReportText) -> ProblemSignature {
        let mut signature = ProblemSignature {
            reports: 0,
            categories: BTreeMap::new(),
            languages: BTreeMap::new(),
            passages: Vec::new(),
            terms: BTreeMap::new(),
            kept_apart: false,
            quoted: BTreeSet::new(),
            disputed: BTreeSet::new(),
        };
        signature.absorb(report);
        signature
    }

    /// The signature of a problem with these reports (in the order they arrived: the first
    /// passages are kept), or `None` for no reports. Used when a report leaves a problem (split),
    /// when a stored signature is of an older version, and by the migration.
    pub fn from_reports<'a>(
        reports: impl IntoIterator<Item = &'a ReportText>,
    ) -> Option<ProblemSignature> {
        let mut reports = reports.into_iter();
        let mut signature = ProblemSignature::new(reports.next()?);
        for report in reports {
            signature.absorb(report);
        }
        Some(signature)
    }

    /// Takes a report into the problem.
    pub fn absorb(&mut self, report: &ReportText) {
        self.reports += 1;
        *self
            .categories
            .entry(report.category.as_str().to_string())
            .or_default() += 1;
        if let Some(lang) = &report.lang {
            *self.languages.entry(lang.clone()).or_default() += 1;
        }
        for term in &report.terms {
            *self.terms.entry(term.key.clone()).or_default() += 1;
        }
        if let Some(passage) = &report.passage {
            self.keep_passage(passage.clone());
        }
        self.quoted.extend(report.quoted.iter().cloned());
        self.disputed.extend(report.disputed.iter().cloned());
        self.trim_terms();
    }

    /// Takes in another problem (an editor merged the two). The passages of `self` come first.
    pub fn merge(&mut self, other: &ProblemSignature) {
        self.reports += other.reports;
        self.kept_apart |= other.kept_apart;
        for (category, n) in &other.categories {
            *self.categories.entry(category.clone()).or_default() += n;
        }
        for (lang, n) in &other.languages {
            *self.languages.entry(lang.clone()).or_default() += n;
        }
        for (key, n) in &other.terms {
            *self.terms.entry(key.clone()).or_default() += n;
        }
        for passage in &other.passages {
            self.keep_passage(passage.clone());
        }
        self.quoted.extend(other.quoted.iter().cloned());
        self.disputed.extend(other.disputed.iter().cloned());
        self.trim_terms();
    }

    /// Marks the problem as one an editor split: see `kept_apart`.
    pub fn keep_apart(&mut self) {
        self.kept_apart = true;
    }

    /// How many reports the problem holds.
    pub fn reports(&self) -> u32 {
        self.reports
    }

    /// How many of its reports were filed under each category.
    pub fn categories(&self) -> impl Iterator<Item = (Category, u32)> + '_ {
        self.categories
            .iter()
            .filter_map(|(c, n)| Category::parse(c).map(|c| (c, *n)))
    }

    /// How many of its reports were written in each language (reports of unknown language are
    /// not counted).
    pub fn languages(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.languages.iter().map(|(l, n)| (l.as_str(), *n))
    }

    /// How many of the problem's reports use a term.
    pub(crate) fn count(&self, key: &str) -> u32 {
        self.terms.get(key).copied().unwrap_or(0)
    }

    /// The stored form, for a text column.
    pub fn to_json(&self) -> Result<String, SignatureError> {
        Ok(serde_json::to_string(&Stored {
            v: SIGNATURE_VERSION,
            reports: self.reports,
            categories: self.categories.clone(),
            languages: self.languages.clone(),
            passages: self.passages.iter().map(|p| p.compact.clone()).collect(),
            terms: self.terms.clone(),
            kept_apart: self.kept_apart,
            quoted: self.quoted.clone(),
            disputed: self.disputed.clone(),
        })?)
    }

    /// Reads a stored signature. A signature of another version is refused: rebuild it with
    /// [`ProblemSignature::from_reports`].
    pub fn from_json(json: &str) -> Result<ProblemSignature, SignatureError> {
        let stored: Stored = serde_json::from_str(json)?;
        if stored.v != SIGNATURE_VERSION {
            return Err(SignatureError::Version { found: stored.v });
        }
        Ok(ProblemSignature {
            reports: stored.reports,
            categories: stored.categories,
            languages: stored.languages,
            passages: stored
                .passages
                .into_iter()
                .map(Passage::from_compact)
                .collect(),
            terms: stored.terms,
            kept_apart: stored.kept_apart,
            quoted: stored.quoted,
            disputed: stored.disputed,
        })
    }

    /// Keeps a passage unless a kept one already covers it; replaces a kept one it covers.
    fn keep_passage(&mut self, passage: Passage) {
        if self
            .passages
            .iter()
            .any(|kept| passage.within(kept) >= COVERED)
        {
            return;
        }
        if let Some(slot) = self
            .passages
            .iter()
            .position(|kept| kept.within(&passage) >= COVERED)
        {
            self.passages[slot] = passage;
            // The new passage may cover other kept ones too.
            let mut i = slot + 1;
            while i < self.passages.len() {
                if self.passages[i].within(&self.passages[slot]) >= COVERED {
                    self.passages.remove(i);
                } else {
                    i += 1;
                }
            }
        } else if self.passages.len() < MAX_PASSAGES {
            self.passages.push(passage);
        }
    }

    /// Drops the terms fewest reports used (ties: the last in key order) beyond [`MAX_TERMS`].
    fn trim_terms(&mut self) {
        if self.terms.len() <= MAX_TERMS {
            return;
        }
        let mut ranked: Vec<(u32, String)> =
            self.terms.iter().map(|(k, n)| (*n, k.clone())).collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
        let excess = self.terms.len() - MAX_TERMS;
        for (_, key) in ranked.into_iter().take(excess) {
            self.terms.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(category: Category, quote: Option<&str>, details: Option<&str>) -> ReportText {
        ReportText::new(category, quote, details, Some("en"))
    }

    #[test]
    fn a_signature_survives_storage_and_refuses_another_version() {
        let mut s = ProblemSignature::new(&report(
            Category::Harmful,
            Some("Adults can take up to 3,200 mg a day"),
            Some("max is 1,200 mg over the counter"),
        ));
        s.absorb(&ReportText::new(
            Category::Inaccurate,
            None,
            Some("La dosis máxima es 1.200 mg"),
            Some("es"),
        ));
        let json = s.to_json().unwrap();
        let back = ProblemSignature::from_json(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.reports(), 2);
        assert_eq!(
            back.categories().collect::<Vec<_>>(),
            vec![(Category::Harmful, 1), (Category::Inaccurate, 1)]
        );
        assert_eq!(
            back.languages().collect::<Vec<_>>(),
            vec![("en", 1), ("es", 1)]
        );
        assert_eq!(back.count("q:mg:1200"), 2);
        assert_eq!(back.count("q:mg:3200"), 1);

        let older = json.replacen(&format!("\"v\":{SIGNATURE_VERSION}"), "\"v\":1", 1);
        assert!(matches!(
            ProblemSignature::from_json(&older),
            Err(SignatureError::Version { found: 1 })
        ));
        assert!(matches!(
            ProblemSignature::from_json(&format!("{{\"v\":{SIGNATURE_VERSION}}}")),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn a_partial_quote_is_covered_and_a_longer_one_replaces_it() {
        let mut s = ProblemSignature::new(&report(
            Category::Inaccurate,
            Some("up to 3,200 mg a day"),
            None,
        ));
        s.absorb(&report(Category::Harmful, Some("3,200 mg a day"), None));
        assert_eq!(s.passages.len(), 1);
        s.absorb(&report(
            Category::Harmful,
            Some("Adults can take up to 3,200 mg a day, split into 3 or 4 doses."),
            None,
        ));
        assert_eq!(s.passages.len(), 1);
        assert!(s.passages[0].compact.starts_with("adultscantake"));
        s.absorb(&report(
            Category::Harmful,
            Some("Ibuprofen is safe in pregnancy"),
            None,
        ));
        assert_eq!(s.passages.len(), 2);
    }

    #[test]
    fn merging_adds_up_reports_terms_and_passages() {
        let a = ProblemSignature::from_reports(&[
            report(
                Category::Harmful,
                Some("every 2 hours"),
                Some("should be 4 to 6 hours"),
            ),
            report(Category::Inaccurate, Some("every 2 hours"), None),
        ])
        .unwrap();
        let b = ProblemSignature::new(&report(
            Category::Other,
            None,
            Some("intervalo de 4 a 6 horas"),
        ));
        let mut merged = a.clone();
        merged.merge(&b);
        assert_eq!(merged.reports(), 3);
        assert_eq!(merged.count("q:h:2"), 2);
        assert_eq!(merged.count("q:h:6"), 2);
        assert_eq!(merged.passages, a.passages);
        assert!(ProblemSignature::from_reports(&[]).is_none());
    }

    #[test]
    fn terms_are_capped_keeping_the_shared_ones() {
        let shared = report(Category::Inaccurate, None, Some("3,200 mg ibuprofen"));
        let mut s = ProblemSignature::new(&shared);
        for i in 0..100 {
            s.absorb(&shared);
            let words: Vec<String> = (0..5).map(|j| format!("zzword{}x", i * 5 + j)).collect();
            s.absorb(&report(Category::Inaccurate, None, Some(&words.join(" "))));
        }
        assert_eq!(s.terms.len(), MAX_TERMS);
        assert_eq!(s.count("q:mg:3200"), 101);
        assert_eq!(s.count("l:ibuprofen"), 101);
    }
}
