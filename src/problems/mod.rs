//! Problems: reports of the same problem on the same article, folded into one that editors act
//! on once ("5 readers"). A new report is matched at ingest against its article's open problems
//! ([`best_match`]). It joins the best one ([`ProblemSignature::absorb`]), merging any problems
//! it bridges ([`Match::merge`], [`ProblemSignature::merge`]), or starts a new one
//! ([`ProblemSignature::new`]). Each problem keeps a [`ProblemSignature`], stored as JSON beside
//! it, so matching reads one small row per open problem and never the reports.
//!
//! Nothing here touches the database or HTTP: the caller loads the article's open signatures
//! inside the report's write transaction, calls [`best_match`], and stores the updated or new
//! signature in the same transaction. [`ArticleProblems`] does the same in memory for a whole
//! article's reports (a migration grouping existing reports, the evaluation).
//!
//! `corpus/groups.jsonl` holds labelled duplicate groups (the shared corpus format); the offline
//! evaluation in `bench/problems/` measures the matcher on it and on any other such file.

mod article;
mod matcher;
mod signature;
mod text;

pub use article::ArticleProblems;
pub use matcher::{best_match, Match, SHORT_KIND_THRESHOLD, THRESHOLD};
pub use signature::{ProblemSignature, ReportText, SignatureError, SIGNATURE_VERSION};
