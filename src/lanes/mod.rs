//! Lanes: every reader report is sorted into `queue` (a problem with the article, the editor's
//! work), `question`, `site`, `comment`, `noise` or `spam`, with the reasons that decided it.
//!
//! How a verdict is reached (bench/lanes/README.md has the long version and the figures):
//! 1. Nothing written → `noise`. A near-copy of a report marked spam → `spam`. A near-copy of a
//!    report an editor moved (a lesson) → the lane the editor chose.
//! 2. Otherwise every lane gets a score: the text model's log-odds (logistic regression over word
//!    and character n-grams, trained on the corpus and on editors' lessons) plus the weights of the
//!    explainable signals that fired (links, contact details, commercial vocabulary, language,
//!    gibberish, questions, emergencies). The best score wins...
//! 3. ...unless it would take a possible real problem out of the queue without strong evidence:
//!    leaving the queue needs a margin that grows with the category (most for `harmful`), with
//!    clinical content and with a quoted passage. Losing a real report costs far more than
//!    reading one more piece of noise.
//!
//! The classifier is plain Rust, no database or HTTP; `sorter` keeps one in step with the
//! database (the lessons editors stored, recent spam) for ingest and triage to share.
//!
//! May import: `db`, `domain`.

mod corpus;
mod model;
mod signals;
pub mod sorter;
mod text;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use corpus::EMBEDDED as EMBEDDED_CORPUS;
pub use corpus::{embedded as embedded_corpus, parse as parse_corpus, CorpusReport};
pub use sorter::{teach, Sorter};
pub use text::Fingerprint;

use crate::domain::scrub::{scrub, Findings};
use crate::domain::Category;
use model::Model;

pub use crate::domain::Lane;

impl Lane {
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// What the text model thinks a report "reads like", for its reason.
    fn reads_like(self) -> &'static str {
        match self {
            Lane::Queue => "a problem with the article",
            Lane::Question => "a personal question",
            Lane::Site => "a website problem",
            Lane::Comment => "a comment",
            Lane::Noise => "noise",
            Lane::Spam => "spam",
        }
    }
}

pub use crate::domain::LaneReason;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub lane: Lane,
    /// The reasons that decided it, the strongest first.
    pub reasons: Vec<LaneReason>,
    /// Show the reader the site's signposting: the report asks for personal advice, or describes
    /// an emergency (in any lane).
    pub signpost: bool,
}

/// A report to classify, as the reader sent it (before scrubbing: the classifier scrubs its own
/// copy, so it sees that there was a WhatsApp number without keeping it).
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    pub category: Category,
    pub quote: Option<&'a str>,
    pub details: Option<&'a str>,
    /// The article's host, e.g. "health.example.org"; links there are the site's own.
    pub article_host: &'a str,
    /// The article's language (ISO 639-1, e.g. "en"), when known.
    pub article_lang: Option<&'a str>,
    /// Fingerprints of reports recently marked spam (see [`Fingerprint::of`]).
    pub recent_spam: &'a [Fingerprint],
}

/// One labelled example from an editor: a report moved to another lane, marked spam (lane
/// `spam`) or dismissed (lane `noise`). Stored by the caller and replayed at start-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lesson {
    pub quote: Option<String>,
    pub details: Option<String>,
    pub category: Category,
    pub lane: Lane,
}

/// Settings, from the `[lanes]` section of the config (`allowed_hosts` is copied from
/// `sites.allowed_hosts` by the caller).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LaneSettings {
    /// The sites' own hosts; "*.example.org" matches its subdomains.
    pub allowed_hosts: Vec<String>,
    /// Domains whose links are evidence of a real report (a domain matches its subdomains, so
    /// "gov" covers every .gov site).
    pub trusted_sources: Vec<String>,
    /// Two texts sharing at least this share of their 5-grams are near-copies.
    pub near_copy_similarity: f32,
    /// How many corpus examples one editor's lesson counts as in the text model.
    pub lesson_weight: f32,
    /// How many lessons are remembered for near-copy matching (the model keeps them all).
    pub remembered_lessons: usize,
}

impl Default for LaneSettings {
    fn default() -> LaneSettings {
        LaneSettings {
            allowed_hosts: Vec::new(),
            trusted_sources: DEFAULT_TRUSTED_SOURCES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            near_copy_similarity: 0.6,
            lesson_weight: 3.0,
            remembered_lessons: 5000,
        }
    }
}

/// Guideline bodies, regulators, public health agencies, literature databases and journals, in
/// the corpus languages; government and university domains as a whole.
pub const DEFAULT_TRUSTED_SOURCES: [&str; 64] = [
    // government, international and academic domains
    "gov",
    "gov.uk",
    "nhs.uk",
    "nhs.net",
    "gob.es",
    "gouv.fr",
    "gov.br",
    "gov.pt",
    "gov.it",
    "gov.pl",
    "go.jp",
    "gov.sa",
    "europa.eu",
    "int",
    "edu",
    "ac.uk",
    "bund.de",
    // guidelines, regulators, agencies
    "nice.org.uk",
    "sign.ac.uk",
    "who.int",
    "cdc.gov",
    "nih.gov",
    "fda.gov",
    "ema.europa.eu",
    "mhra.gov.uk",
    "medicines.org.uk",
    "has-sante.fr",
    "ansm.sante.fr",
    "ameli.fr",
    "vidal.fr",
    "aemps.gob.es",
    "cima.aemps.gob.es",
    "sns24.gov.pt",
    "dgs.pt",
    "infarmed.pt",
    "rivm.nl",
    "lareb.nl",
    "thuisarts.nl",
    "nhg.org",
    "farmacotherapeutischkompas.nl",
    "aifa.gov.it",
    "iss.it",
    "bfarm.de",
    "rki.de",
    "awmf.org",
    "leitlinien.de",
    "gesund.bund.de",
    "pei.de",
    "moh.gov.sa",
    "mhlw.go.jp",
    "pmda.go.jp",
    "pzh.gov.pl",
    // literature and evidence
    "pubmed.ncbi.nlm.nih.gov",
    "ncbi.nlm.nih.gov",
    "cochranelibrary.com",
    "cochrane.org",
    "doi.org",
    "bmj.com",
    "thelancet.com",
    "nejm.org",
    "jamanetwork.com",
    "ahajournals.org",
    "bnf.nice.org.uk",
    "medlineplus.gov",
];

/// Sorts reports into lanes. Build one at start-up and share it; `learn` needs `&mut` and trains
/// again (tens of milliseconds), so `Sorter` learns on a copy and swaps it in.
#[derive(Clone)]
pub struct Classifier {
    settings: LaneSettings,
    model: Model,
    lessons: usize,
    /// Fingerprints of recent lessons, for near-copies (oldest first).
    remembered: Vec<(Fingerprint, Lane)>,
}

impl Classifier {
    /// Trains on the embedded corpus, then replays the stored lessons (oldest first).
    pub fn new(settings: &LaneSettings, lessons: impl IntoIterator<Item = Lesson>) -> Classifier {
        // Trained once per process: every classifier starts from the same corpus model (a reset,
        // or the tests' many servers in one process, would otherwise train it again each time).
        static CORPUS_MODEL: LazyLock<Model> = LazyLock::new(|| {
            // The embedded corpus is checked by a test; a line that does not parse is skipped
            // rather than refusing to start.
            let examples: Vec<CorpusReport> = EMBEDDED_CORPUS
                .iter()
                .flat_map(|file| file.lines())
                .filter_map(|line| serde_json::from_str(line).ok())
                .collect();
            Classifier::from_corpus(&LaneSettings::default(), &examples).model
        });
        let mut classifier = Classifier {
            settings: settings.clone(),
            model: CORPUS_MODEL.clone(),
            lessons: 0,
            remembered: Vec::new(),
        };
        classifier.learn(lessons);
        classifier
    }

    /// Trains on the given labelled reports only (the offline evaluation trains on part of a
    /// corpus and measures on the rest).
    pub fn from_corpus(settings: &LaneSettings, examples: &[CorpusReport]) -> Classifier {
        let mut classifier = Classifier {
            settings: settings.clone(),
            model: Model::new(),
            lessons: 0,
            remembered: Vec::new(),
        };
        for example in examples {
            classifier.add(&example.lesson(), 1.0);
        }
        classifier.model.fit();
        classifier
    }

    /// Learns from editors (oldest lesson first): the model counts each example `lesson_weight`
    /// times and is trained again once, and a later near-copy of a lesson goes straight to the
    /// lane the editor chose.
    pub fn learn(&mut self, lessons: impl IntoIterator<Item = Lesson>) {
        let before = self.lessons;
        for lesson in lessons {
            self.add(&lesson, self.settings.lesson_weight);
            let scrubbed_quote = lesson.quote.as_deref().map(|q| scrub(q).text);
            let scrubbed_details = lesson.details.as_deref().map(|d| scrub(d).text);
            if let Some(fp) =
                Fingerprint::of(scrubbed_quote.as_deref(), scrubbed_details.as_deref())
            {
                if self.remembered.len() >= self.settings.remembered_lessons.max(1) {
                    self.remembered.remove(0);
                }
                self.remembered.push((fp, lesson.lane));
            }
            self.lessons += 1;
        }
        if self.lessons > before {
            self.model.fit();
        }
    }

    pub fn lessons_learned(&self) -> usize {
        self.lessons
    }

    fn add(&mut self, example: &Lesson, weight: f32) {
        let quote = scrub(example.quote.as_deref().unwrap_or("")).text;
        let details = scrub(example.details.as_deref().unwrap_or("")).text;
        let features = model_features(example.category, &quote, &details);
        self.model.add(&features, example.lane, weight);
    }

    pub fn classify(&self, submission: &Submission) -> Verdict {
        let quote = scrub(submission.quote.unwrap_or(""));
        let details = scrub(submission.details.unwrap_or(""));
        let findings = Findings {
            emails: quote.findings.emails + details.findings.emails,
            spelled_emails: quote.findings.spelled_emails + details.findings.spelled_emails,
            phones: quote.findings.phones + details.findings.phones,
            spelled_phones: quote.findings.spelled_phones + details.findings.spelled_phones,
            health_ids: quote.findings.health_ids + details.findings.health_ids,
        };
        if quote.text.trim().is_empty() && details.text.trim().is_empty() {
            return Verdict {
                lane: Lane::Noise,
                reasons: vec![LaneReason {
                    code: "empty".into(),
                    text: "nothing written besides the category".into(),
                }],
                signpost: false,
            };
        }
        let evidence = signals::detect(
            &signals::Input {
                quote: &quote.text,
                details: &details.text,
                findings,
                article_host: submission.article_host,
                article_lang: submission.article_lang,
            },
            &self.settings,
        );
        if let Some(verdict) = self.near_copy(submission, &quote.text, &details.text, &evidence) {
            return verdict;
        }

        let features = model_features(submission.category, &quote.text, &details.text);
        let (logits, probabilities) = self.model.score(&features);
        let mut scores = logits;
        for signal in &evidence.signals {
            for (score, w) in scores.iter_mut().zip(signal.weights) {
                *score += w;
            }
        }
        let best = argmax(&scores);
        let margin = queue_margin(
            submission.category,
            evidence.clinical,
            !quote.text.trim().is_empty(),
        );
        let kept =
            best != Lane::Queue && scores[best.index()] - scores[Lane::Queue.index()] < margin;
        let lane = if kept { Lane::Queue } else { best };

        let mut reasons = supporting(&evidence, lane);
        let model_best = argmax(&logits);
        let p = probabilities[lane.index()];
        if model_best == lane {
            reasons.push(LaneReason {
                code: "model".into(),
                text: format!(
                    "reads like {} to the text model (p = {p:.2})",
                    lane.reads_like()
                ),
            });
        } else {
            reasons.push(LaneReason {
                code: "model".into(),
                text: format!(
                    "the text model leaned towards {} (p = {:.2})",
                    model_best.reads_like(),
                    probabilities[model_best.index()]
                ),
            });
        }
        if kept {
            reasons.push(LaneReason {
                code: "kept_in_queue".into(),
                text: format!(
                    "kept in the queue: it may be a real problem ({}) and the evidence for {} was not strong enough",
                    why_it_may_be_real(submission.category, evidence.clinical, !quote.text.trim().is_empty()),
                    best.label().to_lowercase()
                ),
            });
        }
        Verdict {
            lane,
            reasons,
            signpost: lane == Lane::Question || evidence.emergency,
        }
    }

    /// Hard rules: a near-copy of recent spam, or of a report an editor moved.
    fn near_copy(
        &self,
        submission: &Submission,
        quote: &str,
        details: &str,
        evidence: &signals::Evidence,
    ) -> Option<Verdict> {
        let fp = Fingerprint::of(Some(quote), Some(details))?;
        let threshold = self.settings.near_copy_similarity;
        let best_spam = submission
            .recent_spam
            .iter()
            .map(|s| s.similarity(&fp))
            .fold(0.0f32, f32::max);
        if best_spam >= threshold {
            let mut reasons = vec![LaneReason {
                code: "near_copy_spam".into(),
                text: format!(
                    "a near-copy of a report marked spam ({:.0} % the same)",
                    best_spam * 100.0
                ),
            }];
            reasons.extend(supporting(evidence, Lane::Spam));
            return Some(Verdict {
                lane: Lane::Spam,
                reasons,
                signpost: evidence.emergency,
            });
        }
        // The most recent of the best matches wins: editors' later decisions replace earlier ones.
        let (similarity, lane) = self
            .remembered
            .iter()
            .rev()
            .map(|(f, lane)| (f.similarity(&fp), *lane))
            .fold(
                (0.0f32, Lane::Queue),
                |best, x| if x.0 > best.0 { x } else { best },
            );
        if similarity < threshold {
            return None;
        }
        let mut reasons = vec![LaneReason {
            code: "near_copy_lesson".into(),
            text: format!(
                "an editor moved a near-copy of this report to {} ({:.0} % the same)",
                lane.label().to_lowercase(),
                similarity * 100.0
            ),
        }];
        reasons.extend(supporting(evidence, lane));
        Some(Verdict {
            lane,
            reasons,
            signpost: lane == Lane::Question || evidence.emergency,
        })
    }
}

/// The model's view of a report: its details' words and n-grams, its quote's words, the category,
/// whether a passage was quoted and how long the details are.
fn model_features(category: Category, quote: &str, details: &str) -> Vec<u32> {
    let details_words = text::words(details);
    let quote_words = text::words(quote);
    let length = match details_words.len() {
        0 => "len:0",
        1..=2 => "len:1",
        3..=8 => "len:3",
        9..=25 => "len:9",
        _ => "len:26",
    };
    let category = format!("category:{}", category.as_str());
    let quoted = if quote_words.is_empty() {
        "quote:no"
    } else {
        "quote:yes"
    };
    text::features(
        &details_words,
        &quote_words,
        &[&category, quoted, length],
        model::TABLE_BITS,
    )
}

/// How much more a lane must score than the queue before a report leaves it: a report that may be
/// a real problem (the category the reader chose, clinical content, a quoted passage) needs
/// stronger evidence to be taken out.
fn queue_margin(category: Category, clinical: bool, quoted: bool) -> f32 {
    let by_category = match category {
        Category::Harmful => 2.0,
        Category::Inaccurate | Category::Outdated => 1.0,
        Category::Unclear | Category::BrokenLink | Category::Typo => 0.5,
        Category::Other => 0.0,
    };
    0.5 + by_category + if clinical { 1.0 } else { 0.0 } + if quoted { 0.5 } else { 0.0 }
}

fn why_it_may_be_real(category: Category, clinical: bool, quoted: bool) -> String {
    let mut why = vec![format!("\"{}\"", category.label())];
    if clinical {
        why.push("mentions doses, values or guidelines".into());
    }
    if quoted {
        why.push("quotes a passage".into());
    }
    why.join(", ")
}

/// The signals that pushed towards `lane`, strongest first; an emergency is always named
/// (it is why the reader is shown signposting).
fn supporting(evidence: &signals::Evidence, lane: Lane) -> Vec<LaneReason> {
    let mut chosen: Vec<&signals::Signal> = evidence
        .signals
        .iter()
        .filter(|s| s.weights[lane.index()] > 0.0 || s.code == "emergency")
        .collect();
    chosen.sort_by(|a, b| b.weights[lane.index()].total_cmp(&a.weights[lane.index()]));
    chosen
        .into_iter()
        .map(|s| LaneReason {
            code: s.code.to_string(),
            text: s.text.clone(),
        })
        .collect()
}

fn argmax(scores: &[f32; 6]) -> Lane {
    let mut best = Lane::Queue;
    for lane in Lane::ALL {
        if scores[lane.index()] > scores[best.index()] {
            best = lane;
        }
    }
    best
}

#[cfg(test)]
mod tests;
