//! The catalogue: every article the site's sitemaps list, known before any feedback, with its
//! title, canonical URL, revision, main text and the page's own review date. `sync` reads the
//! sitemaps in `sites.catalogue`, fetches each page that is new or whose `<lastmod>` changed
//! (politely: `fetch`), reads it (`page`) and stores it; when a page has a new revision, each open
//! report's quoted passage is looked for in the new text (the passage check).
//!
//! May import: `config`, `db`, `domain`, `errors`.

pub mod fetch;
pub mod page;
pub mod sitemap;
pub mod sync;

pub use sync::{Catalogue, Outcome, Progress, Summary};
