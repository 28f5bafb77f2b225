//! The HTTP pieces every surface shares — the public ingestion endpoints, the JSON API and the
//! dashboard: typed extractors with the project's limits and error body (`extract`), reading
//! bodies (`body`), who the client is (`client`), rate limits (`rate`) and the longest URI
//! (`uri`).
//!
//! May import: `errors`, `domain`. Imports no capability.

pub mod body;
pub mod client;
pub mod extract;
pub mod rate;
pub mod uri;

pub use extract::{BodyLimit, Form, FormQuery, Id, Json, OptionalJson, PathId, PathText, Query};
