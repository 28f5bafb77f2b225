//! Reading and triaging feedback: the service the JSON API and the dashboard both call
//! (`service`), the one shape of a listing's filter (`filter`), the API's handlers (`api`) and
//! JSON shapes (`views`), the thank-you e-mail to a reader (`reply`), and helpfulness around
//! revisions (`revisions`).
//!
//! May import: `alerts`, `auth`, `db`, `domain`, `errors`, `http`, `mail`.

pub mod api;
pub mod filter;
pub mod reply;
pub mod revisions;
pub mod service;
pub mod views;

pub use service::{Page, Triage};
