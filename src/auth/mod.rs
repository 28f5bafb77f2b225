//! Who may do what: API bearer tokens (`tokens`, with the `ApiClient` extractor), editors'
//! passwords (`passwords`) and dashboard sessions (`sessions`: signing in and out, limited per
//! address and per e-mail address) and single sign-on (`oidc`).
//!
//! May import: `config`, `db`, `domain`, `http`, `errors`; `oidc` also `editors`, to add an
//! editor on their first sign-in (`editors` in turn uses only `passwords` from here).

pub mod oidc;
pub mod passwords;
pub mod sessions;
pub mod tokens;

pub use sessions::Sessions;
pub use tokens::{ApiClient, Authed};
