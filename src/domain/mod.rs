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
pub mod passage;
pub mod review;
pub mod scope;
pub mod scrub;

pub use article_url::{ArticleUrl, SiteRules, UrlProblem};
pub use change::{Actor, ReportChange};
pub use feedback::{NewReport, NewVote, VisitorKey};
pub use keys::{ArticleId, DeliveryId, EditorId, OutboxId, ProblemId, ReportId, WebhookId};
pub use kinds::{
    ArticleEventKind, ArticleSort, ArticleState, Category, DueReason, Lane, LaneReason,
    LaneReasons, LinkPurpose, MailKind, OutboxStatus, PassageStatus, Reason, ReportStatus,
    ReviewDue, ReviewOutcome, ReviewSource, Role, SubmissionKind, WebhookEvent, WebhookFormat,
};
pub use note::Note;
pub use review::{ReviewPolicies, ReviewPolicy};
pub use scope::Scope;
