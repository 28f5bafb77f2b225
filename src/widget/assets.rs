//! What readers download: `widget.js`, bare or with one language's strings inlined
//! (`?lang=`), and each language's strings on their own, which the script fetches when its page
//! needs a language that did not come with it. Built once, at first use, and gzipped as small as
//! gzip goes then (zopfli) rather than on every request at a fast level.
//!
//! Every reader so downloads the script and one language: 12 languages or 40, the same.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::i18n::{self, TABLE};

const SOURCE: &str = include_str!("widget.js");

/// widget.js without its comment lines and indentation: readers download code, not our notes.
/// Safe because its comments stand on lines of their own and none of its strings spans lines
/// (a test below checks both), and lines stay lines, so semicolon insertion is unchanged.
fn compact(source: &str) -> String {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub struct Asset {
    body: String,
    pub gzipped: Vec<u8>,
    /// Quoted, as sent: `"<version>-<language>"`, so each variant has its own.
    etag: String,
}

pub struct Assets {
    /// Hash of the script and the strings together: the `v=` of URLs cached for a year.
    pub version: String,
    /// `widget.js` with no strings: it fetches its page's language.
    pub bare: Asset,
    /// Language code to `widget.js` with that language's strings inlined.
    pub scripts: BTreeMap<&'static str, Asset>,
    /// Language code to that language's strings as JSON.
    pub tables: BTreeMap<&'static str, Asset>,
}

/// Zopfli: the same gzip every browser reads, about 4 % smaller than zlib's best, for some
/// 50 ms per variant once at first use — worth it for what every reader downloads.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut out,
    ) {
        Ok(()) => out,
        Err(_) => Vec::new(),
    }
}

fn asset(body: String, version: &str, code: &str) -> Asset {
    Asset {
        gzipped: gzip(body.as_bytes()),
        etag: format!("\"{version}-{code}\""),
        body,
    }
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let strings = include_str!("strings.json");
    let mut hash = Sha256::new();
    hash.update(SOURCE);
    hash.update(strings);
    let version = hex::encode(&hash.finalize()[..8]);
    let codes: Vec<&'static str> = TABLE.keys().map(String::as_str).collect();
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let langs = serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into());
    let template = compact(SOURCE)
        .replace("__FLAGPOLE_LANGS__", &langs)
        .replace("__FLAGPOLE_VERSION__", &quoted(&version));
    let script = |lang: &str, table: &str| {
        template
            .replace("__FLAGPOLE_LANG__", lang)
            .replace("__FLAGPOLE_STRINGS__", table)
    };
    let mut scripts = BTreeMap::new();
    let mut tables = BTreeMap::new();
    for &code in &codes {
        let table = i18n::json(code);
        scripts.insert(code, asset(script(&quoted(code), &table), &version, code));
        tables.insert(code, asset(table, &version, code));
    }
    Assets {
        bare: asset(script("null", "null"), &version, "bare"),
        version,
        scripts,
        tables,
    }
});

/// Answers with `asset`: for a year when the URL carries the current `v=`, else for an hour and
/// revalidated with its ETag (so pages that embed the plain URL get updates); gzipped when the
/// reader accepts it.
pub fn serve(
    req: &HttpRequest,
    asset: &Asset,
    versioned: bool,
    content_type: &str,
) -> HttpResponse {
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == asset.etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, asset.etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept-Encoding"))
        // Publishers whose pages set Cross-Origin-Embedder-Policy may still load it.
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"));
    if unchanged {
        return response.finish();
    }
    response.content_type(content_type);
    let accepts_gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if accepts_gzip && !asset.gzipped.is_empty() {
        response
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(asset.gzipped.clone())
    } else {
        response.body(asset.body.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_js_can_be_compacted_line_by_line() {
        for line in SOURCE.lines().filter(|l| !l.trim_start().starts_with("//")) {
            assert!(
                !line.contains('`'),
                "a template literal may span lines: {line}"
            );
            assert!(
                !line.ends_with('\\'),
                "a string continued over lines: {line}"
            );
            assert!(
                !line.contains("/*"),
                "comments stand on lines of their own: {line}"
            );
        }
    }

    /// What a reader downloads before the widget works: the script with their language inlined
    /// (`widget.js?lang=…`), or the plain script and their language's strings beside it.
    #[test]
    fn every_language_fits_the_budget() {
        let budget = 8 * 1024;
        let bare = ASSETS.bare.gzipped.len();
        assert!(bare > 0 && !ASSETS.bare.body.contains("__FLAGPOLE_"));
        for (code, script) in &ASSETS.scripts {
            let inlined = script.gzipped.len();
            let beside = bare + ASSETS.tables[code].gzipped.len();
            println!(
                "{code}: widget.js?lang={code} {inlined} B, widget.js + {code}.json {beside} B"
            );
            assert!(
                inlined <= budget,
                "widget.js?lang={code}: {inlined} bytes gzipped"
            );
            assert!(
                beside <= budget,
                "widget.js + {code}.json: {beside} bytes gzipped"
            );
            assert!(
                !script.body.contains("__FLAGPOLE_"),
                "{code}: a placeholder left"
            );
        }
    }
}
