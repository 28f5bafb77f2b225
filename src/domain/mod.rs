//! Validated values that the rest of flagpole can trust: canonical article URLs, the closed sets
//! stored by stable identifiers (categories, statuses, reasons, roles, e-mail kinds), typed ids,
//! what an editor owns, editors' notes, and scrubbed free text.
//!
//! May import: nothing of flagpole's own (it is what everything else stands on).

pub mod article_url;
pub mod change;
pub mod feedback;
pub mod keys;
pub mod kinds;
pub mod note;
pub mod scope;
pub mod scrub;

pub use article_url::{ArticleUrl, SiteRules, UrlProblem};
pub use change::{Actor, ReportChange};
pub use feedback::{NewReport, NewVote, VisitorKey};
pub use keys::{ArticleId, EditorId, OutboxId, ProblemId, ReportId};
pub use kinds::{
    ArticleEventKind, ArticleSort, ArticleState, Category, Lane, LaneReason, LaneReasons, MailKind,
    OutboxStatus, Reason, ReportStatus, Role, SubmissionKind,
};
pub use note::Note;
pub use scope::Scope;
