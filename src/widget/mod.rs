//! The reader-facing widget: `widget.js` (served from the binary, bare or with one language's
//! strings filled in), each language's strings for the script to fetch when its page's language
//! did not come with it, the no-JavaScript fallback markup, and the demo article page a newcomer
//! opens first.

mod assets;
mod demo;
mod i18n;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::domain::{ArticleUrl, Category, Reason, UrlProblem};
use crate::errors::ApiError;
use crate::http::{PathText, Query};
use crate::ingest::service::Ingest;
use assets::{serve, ASSETS};
use i18n::Lang;

pub use demo::demo;

/// The `v=` that makes widget.js and the strings cacheable for a year.
pub fn script_version() -> &'static str {
    &ASSETS.version
}

/// The value of a query parameter, if present.
fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `GET /widget.js[?lang=…][&v=…]`: the widget, with the strings of `lang` (after the fallbacks
/// `pt-BR` → `pt` → English) inlined when asked. The script fetches any other language its page
/// needs (all of them, for the plain URL), so every URL works on every page.
pub async fn script(req: HttpRequest) -> HttpResponse {
    let lang = query_param(&req, "lang");
    let asset = match lang
        .as_deref()
        .map(|tag| ASSETS.scripts.get(i18n::resolve(Some(tag))))
    {
        None => &ASSETS.bare,
        Some(Some(asset)) => asset,
        // `resolve` only names languages that have a script: a bug if not, answered like one.
        Some(None) => {
            return ApiError::internal("no widget script for a resolved language").error_response()
        }
    };
    let versioned = query_param(&req, "v").is_some_and(|v| v == ASSETS.version);
    serve(
        &req,
        asset,
        versioned,
        "application/javascript; charset=utf-8",
    )
}

/// `GET /widget/strings/{lang}.json`: one language's strings, fetched by widget.js beside itself.
pub async fn strings(req: HttpRequest, file: PathText) -> Result<HttpResponse, ApiError> {
    let asset = file
        .0
        .strip_suffix(".json")
        .and_then(|code| ASSETS.tables.get(code))
        .ok_or_else(|| ApiError::not_found("language"))?;
    let versioned = query_param(&req, "v").is_some_and(|v| v == ASSETS.version);
    Ok(serve(
        &req,
        asset,
        versioned,
        "application/json; charset=utf-8",
    ))
}

#[derive(Debug, Deserialize)]
pub struct SnippetParams {
    article_url: Option<String>,
    lang: Option<String>,
}

/// `GET /widget/noscript?article_url=…&lang=…`: the fallback markup for a publisher to put in a
/// `<noscript>` element or include server-side. A language we do not have falls back like the
/// widget's; a missing or unusable parameter is a JSON error naming it.
pub async fn noscript_snippet(
    ingest: web::Data<Ingest>,
    query: Query<SnippetParams>,
) -> Result<HttpResponse, ApiError> {
    let markup = snippet(&ingest, query.into_inner())?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string()))
}

/// The fallback for the snippet's parameters, once they are checked, with the site's signposting
/// for the article's host and the fallback's language (shown at `#flagpole-help`).
fn snippet(ingest: &Ingest, query: SnippetParams) -> Result<Markup, ApiError> {
    let article_url = query
        .article_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            ApiError::invalid(
                "article_url",
                "article_url is required: the address of the article the forms are for",
            )
        })?;
    let settings = ingest.settings();
    let max = settings.limits.max_url_chars;
    if article_url.chars().count() > max {
        return Err(ApiError::invalid(
            "article_url",
            format!("article_url is longer than {max} characters"),
        ));
    }
    let article =
        ArticleUrl::canonicalise(article_url, ingest.sites()).map_err(|problem| match problem {
            UrlProblem::Invalid(why) => {
                ApiError::invalid("article_url", format!("article_url {why}"))
            }
            UrlProblem::HostNotAllowed(host) => ApiError::new(
                StatusCode::FORBIDDEN,
                "host_not_allowed",
                format!("article_url: feedback for articles on {host} is not accepted here"),
            )
            .with_field("article_url"),
        })?;
    let lang = query
        .lang
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    if let Some(tag) = lang {
        // pt_BR, as POSIX locales write it, is as welcome as pt-BR.
        icu_locale_core::LanguageIdentifier::try_from_str(&tag.replace('_', "-")).map_err(
            |_| {
                ApiError::invalid(
                    "lang",
                    format!("lang {tag:?} is not a language tag like en, pt-BR or zh-Hans"),
                )
            },
        )?;
    }
    // In the language the fallback speaks, as the widget asks for it.
    let help = ingest.signposting(&article.host, Some(Lang::for_tag(lang).code));
    Ok(fallback_forms(
        settings.server.public_url.as_str().trim_end_matches('/'),
        article_url,
        lang,
        help.as_deref(),
    ))
}

/// The same questions as plain HTML forms posting to `/f/vote` and `/f/report`, in the language
/// for `lang` and its direction. After posting, the reader comes back to `#flagpole-thanks`,
/// `#flagpole-reported` or `#flagpole-help`, which `:target` reveals; `help` is the site's
/// signposting shown at `#flagpole-help` (after a report asking for personal advice or
/// describing an emergency) below the thank-you.
pub fn fallback_forms(
    api: &str,
    article_url: &str,
    lang: Option<&str>,
    help: Option<&str>,
) -> Markup {
    let t = Lang::for_tag(lang);
    let s = |key: &str| t.text(key);
    // Without a script nothing counts characters, and browsers cut a pasted text at the limit
    // silently: say the limit beside each box.
    let text_box = |name: &str, max: u32| {
        let (id, hint) = (format!("flagpole-{name}"), format!("flagpole-{name}-limit"));
        html! {
            label for=(id) { (s(name)) }
            span id=(hint) class="flagpole-hint" { (t.count("chars_max", max)) }
            // What readers type runs in its own direction, whatever the form's.
            textarea id=(id) name=(name) maxlength=(max) aria-describedby=(hint) dir="auto" {}
        }
    };
    let css = "#flagpole-thanks,#flagpole-reported,#flagpole-help{display:none;font-weight:bold}\
               #flagpole-thanks:target,#flagpole-reported:target,#flagpole-help:target{display:block}\
               #flagpole-help .flagpole-signpost{font-weight:normal;border-inline-start:4px solid;padding-inline-start:.75em}\
               .flagpole-noscript .flagpole-trap{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}\
               .flagpole-noscript label,.flagpole-noscript .flagpole-hint{display:block}\
               .flagpole-noscript .flagpole-hint{font-size:.9em}";
    html! {
        div class="flagpole-noscript" lang=(t.code) dir=(t.dir()) {
            style { (PreEscaped(css)) }
            p id="flagpole-thanks" role="status" { (s("thanks")) }
            p id="flagpole-reported" role="status" { (s("reported")) }
            div id="flagpole-help" role="status" {
                p { (s("reported")) }
                @if let Some(help) = help {
                    // The site's words, in whatever direction they run.
                    p class="flagpole-signpost" dir="auto" { (help) }
                }
            }
            form method="post" action={ (api) "/f/vote" } {
                input type="hidden" name="article_url" value=(article_url);
                fieldset {
                    legend { (s("question")) }
                    p { (s("what_wrong")) }
                    @for r in Reason::ALL {
                        label { input type="checkbox" name="reasons" value=(r.as_str()); " " (s(&format!("r_{}", r.as_str()))) }
                    }
                    (text_box("comment", 1000))
                    button type="submit" name="helpful" value="yes" { (s("yes")) }
                    " "
                    button type="submit" name="helpful" value="no" { (s("no")) }
                }
            }
            details {
                summary { (s("report")) }
                form method="post" action={ (api) "/f/report" } {
                    input type="hidden" name="article_url" value=(article_url);
                    // For the sorting and the signposting, as the widget sends it.
                    input type="hidden" name="lang" value=(t.code);
                    p id="flagpole-report-purpose" { (s("report_purpose")) }
                    fieldset aria-describedby="flagpole-report-purpose" {
                        legend { (s("category")) }
                        @for c in Category::ALL {
                            label { input type="radio" name="category" value=(c.as_str()) required; " " (s(&format!("c_{}", c.as_str()))) }
                        }
                    }
                    (text_box("quote", 1000))
                    (text_box("details", 4000))
                    label { (s("email")) input type="email" name="email" autocomplete="email" maxlength="254" dir="auto"; }
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
