//! Validated values that the rest of flagpole can trust: canonical article URLs, report
//! categories and statuses, the reasons a reader gives after "No", and scrubbed free text.

pub mod article_url;
pub mod category;
pub mod scrub;

pub use article_url::{ArticleUrl, SiteRules, UrlProblem};
pub use category::{Category, Reason, ReportStatus};
