//! The accuracy record's reviews: an editor (or the page itself, read by the catalogue) records
//! that an article was reviewed, with the outcome; each article's next review is due by the
//! review policy for its host or section, or at once when a reader reports it harmful,
//! inaccurate or outdated. The service (`service`) is what the API (`api`), the dashboard and
//! the digest call.
//!
//! Public corrections (`public`), written when a report is resolved, are published here too.
//!
//! May import: `auth`, `config`, `db`, `domain`, `errors`, `http`, `triage` (the article JSON
//! shape).

pub mod api;
pub mod public;
pub mod service;

pub use service::{DueArticle, ReviewRequest, Reviews};
