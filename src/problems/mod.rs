//! Problems: reports of the same problem on the same article, folded into one that editors act
//! on once ("5 readers"). A new report is matched at ingest against its article's open problems
//! ([`best_match`]). It joins the best one ([`ProblemSignature::absorb`]), merging any problems
//! it bridges ([`Match::merge`], [`ProblemSignature::merge`]), or starts a new one
//! ([`ProblemSignature::new`]). Each problem keeps a [`ProblemSignature`], stored as JSON beside
//! it, so matching reads one small row per open problem and never the reports.
//!
//! Nothing here touches the database or HTTP. Inside the report's write transaction, the caller:
//!
//! 1. loads the article's open problems, oldest first, with their signatures
//!    ([`ProblemSignature::from_json`]; a [`SignatureError::Version`] means rebuilding that
//!    signature from its reports with [`ProblemSignature::from_reports`]);
//! 2. analyses the report with [`ReportText::new`] and calls [`best_match`];
//! 3. on a match, adds the report to that problem and [`ProblemSignature::absorb`]s it, then
//!    moves the reports of every problem in [`Match::merge`] into it and
//!    [`ProblemSignature::merge`]s their signatures; otherwise it creates a problem with
//!    [`ProblemSignature::new`];
//! 4. stores the changed signature ([`ProblemSignature::to_json`]) and [`Match::reason`] for
//!    editors.
//!
//! An editor's merge is [`ProblemSignature::merge`]. Moving a report out of a problem (a split)
//! rebuilds both signatures with [`ProblemSignature::from_reports`] and marks them kept apart, so
//! that the matcher never merges them again by itself. [`ArticleProblems`] does steps 1–4 in
//! memory for a whole article's reports: for a migration grouping existing reports, and for the
//! evaluation.
//!
//! `corpus/groups.jsonl` holds labelled duplicate groups (the shared corpus format); the offline
//! evaluation in `bench/problems/` measures the matcher on it and on any other such file.

mod article;
mod lexicon;
mod matcher;
mod signature;
pub mod store;
pub mod summary;
mod text;

pub use article::ArticleProblems;
pub use matcher::{best_match, Match, SHORT_KIND_THRESHOLD, THRESHOLD};
pub use signature::{ProblemSignature, ReportText, SignatureError, SIGNATURE_VERSION};
