//! Votes and reports in: the public endpoints the widget (JSON, `api`) and plain HTML forms
//! (`form`) post to, and the service both call (`service`). Every submission goes through the
//! same steps: rate limit, read the body (`submission`), validate and scrub (`validate`), key it
//! to the reader for the day (`visitor`), store it through the group-commit writer (`writer`),
//! which evaluates the alert rules in the same transaction, and answer only after COMMIT.
//!
//! May import: `http`, `domain`, `db`, `alerts`, `config`, `errors`.

pub mod api;
pub mod form;
pub mod service;
pub mod submission;
pub mod validate;
pub mod visitor;
pub mod writer;

pub use service::{Ingest, Reader, VoteResult};
