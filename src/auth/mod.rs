//! Who may do what: API bearer tokens (`tokens`, with the `ApiClient` extractor), editors'
//! passwords (`passwords`) and dashboard sessions (`sessions`: signing in and out, limited per
//! address and per e-mail address).
//!
//! May import: `db`, `domain`, `http`, `errors`.

pub mod passwords;
pub mod sessions;
pub mod tokens;

pub use sessions::Sessions;
pub use tokens::{ApiClient, Authed};
