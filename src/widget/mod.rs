//! The reader-facing widget: `widget.js` (served from the binary with its strings filled in),
//! the no-JavaScript fallback markup, and the demo article page a newcomer opens first.

mod demo;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::{Category, Reason};
use crate::state::AppState;

pub use demo::demo;

type Table = BTreeMap<String, BTreeMap<String, String>>;

/// Every string the widget shows, in every language: one table for the script and the fallback.
static STRINGS: LazyLock<Table> =
    LazyLock::new(|| serde_json::from_str(include_str!("strings.json")).unwrap_or_default());

struct Script {
    body: String,
    /// Compressed once, at the best level, instead of on every request at a fast one.
    gzipped: Vec<u8>,
    /// Content hash: the ETag, and the `v=` of versioned URLs.
    version: String,
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    let strings = serde_json::to_string(&*STRINGS).unwrap_or_else(|_| "{}".into());
    let body = include_str!("widget.js").replace("__FLAGPOLE_STRINGS__", &strings);
    let version = hex::encode(&Sha256::digest(body.as_bytes())[..8]);
    let gzipped = gzip(body.as_bytes());
    Script {
        body,
        gzipped,
        version,
    }
});

/// The strings for a language tag (`es`, `es-MX`), falling back to English.
pub fn strings(lang: Option<&str>) -> &'static BTreeMap<String, String> {
    static EMPTY: LazyLock<BTreeMap<String, String>> = LazyLock::new(BTreeMap::new);
    let primary = lang
        .unwrap_or("en")
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    STRINGS
        .get(&primary)
        .or_else(|| STRINGS.get("en"))
        .unwrap_or(&EMPTY)
}

pub fn script_version() -> &'static str {
    &SCRIPT.version
}

/// `GET /widget.js`. A versioned URL (`?v=<hash>`) is cached for a year; the plain URL for an hour
/// and revalidated with its ETag, so publishers who embed the plain URL get updates.
pub async fn script(req: HttpRequest) -> HttpResponse {
    let etag = format!("\"{}\"", SCRIPT.version);
    let versioned = req
        .query_string()
        .split('&')
        .any(|p| p == format!("v={}", SCRIPT.version));
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept-Encoding"))
        // Publishers whose pages set Cross-Origin-Embedder-Policy may still load it.
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"));
    if unchanged {
        return response.finish();
    }
    response.content_type("application/javascript; charset=utf-8");
    let accepts_gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if accepts_gzip && !SCRIPT.gzipped.is_empty() {
        response
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(SCRIPT.gzipped.clone())
    } else {
        response.body(SCRIPT.body.as_str())
    }
}

#[derive(Debug, Deserialize)]
pub struct SnippetParams {
    article_url: String,
    lang: Option<String>,
}

/// `GET /widget/noscript?article_url=…&lang=…`: the fallback markup for a publisher to put in a
/// `<noscript>` element or include server-side.
pub async fn noscript_snippet(
    state: web::Data<AppState>,
    query: web::Query<SnippetParams>,
) -> HttpResponse {
    let markup = fallback_forms(
        state
            .settings
            .server
            .public_url
            .as_str()
            .trim_end_matches('/'),
        &query.article_url,
        query.lang.as_deref(),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// The same questions as plain HTML forms posting to `/f/vote` and `/f/report`. After posting,
/// the reader comes back to `#flagpole-thanks` or `#flagpole-reported`, which `:target` reveals.
pub fn fallback_forms(api: &str, article_url: &str, lang: Option<&str>) -> Markup {
    let t = strings(lang);
    let s = |key: &str| t.get(key).cloned().unwrap_or_default();
    let css = "#flagpole-thanks,#flagpole-reported{display:none;font-weight:bold}\
               #flagpole-thanks:target,#flagpole-reported:target{display:block}\
               .flagpole-noscript .flagpole-trap{position:absolute;left:-10000px}\
               .flagpole-noscript label{display:block}";
    html! {
        div class="flagpole-noscript" lang=(lang.unwrap_or("en")) {
            style { (PreEscaped(css)) }
            p id="flagpole-thanks" role="status" { (s("thanks")) }
            p id="flagpole-reported" role="status" { (s("reported")) }
            form method="post" action={ (api) "/f/vote" } {
                input type="hidden" name="article_url" value=(article_url);
                fieldset {
                    legend { (s("question")) }
                    p { (s("what_wrong")) }
                    @for r in Reason::ALL {
                        label { input type="checkbox" name="reasons" value=(r.as_str()); " " (s(&format!("r_{}", r.as_str()))) }
                    }
                    label { (s("comment")) textarea name="comment" maxlength="1000" {} }
                    button type="submit" name="helpful" value="yes" { (s("yes")) }
                    " "
                    button type="submit" name="helpful" value="no" { (s("no")) }
                }
            }
            details {
                summary { (s("report")) }
                form method="post" action={ (api) "/f/report" } {
                    input type="hidden" name="article_url" value=(article_url);
                    fieldset {
                        legend { (s("category")) }
                        @for c in Category::ALL {
                            label { input type="radio" name="category" value=(c.as_str()) required; " " (s(&format!("c_{}", c.as_str()))) }
                        }
                    }
                    label { (s("quote")) textarea name="quote" maxlength="1000" {} }
                    label { (s("details")) textarea name="details" maxlength="4000" {} }
                    label { (s("email")) input type="email" name="email" autocomplete="email" maxlength="254"; }
                    label { input type="checkbox" name="contact_consent" value="yes"; " " (s("consent")) }
                    p { (s("privacy")) }
                    div class="flagpole-trap" aria-hidden="true" {
                        label { "Website" input type="text" name="website" tabindex="-1" autocomplete="off"; }
                    }
                    button type="submit" { (s("send_report")) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_string() {
        let english = &STRINGS["en"];
        assert!(STRINGS.len() >= 2, "English and at least one more language");
        for (lang, table) in STRINGS.iter() {
            for key in english.keys() {
                assert!(table.contains_key(key), "{lang} lacks {key}");
            }
        }
        for c in Category::ALL {
            assert!(english.contains_key(&format!("c_{}", c.as_str())));
        }
        for r in Reason::ALL {
            assert!(english.contains_key(&format!("r_{}", r.as_str())));
        }
    }

    #[test]
    fn the_script_is_small_once_gzipped() {
        let size = SCRIPT.gzipped.len();
        assert!(
            size > 0 && size <= 8 * 1024,
            "widget.js is {size} bytes gzipped"
        );
        assert!(!SCRIPT.body.contains("__FLAGPOLE_STRINGS__"));
    }

    #[test]
    fn language_tags_fall_back_sensibly() {
        assert_eq!(strings(Some("es-MX"))["yes"], "Sí");
        assert_eq!(strings(Some("fr"))["yes"], "Yes");
        assert_eq!(strings(None)["yes"], "Yes");
    }
}
