//! The plain HTML form fallbacks, for readers without JavaScript. They store exactly what the
//! JSON endpoints store and answer `303 See Other` back to the article with a marker the page
//! can show a thank-you for. Errors are a short readable page with a way back.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use url::Url;

use super::body::{self, BodyKind};
use super::validate::{ReportRequest, VoteRequest};
use super::{accept_report, accept_vote, check_rate};
use crate::errors::ApiError;
use crate::state::AppState;

/// Unknown fields are ignored here (a publisher's template may add a submit button's name).
#[derive(Debug, Deserialize)]
struct VoteForm {
    article_url: String,
    /// `yes` or `no`.
    helpful: String,
    #[serde(default)]
    reasons: Vec<String>,
    comment: Option<String>,
    revision: Option<String>,
    title: Option<String>,
    website: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ReportForm {
    article_url: String,
    category: String,
    quote: Option<String>,
    details: Option<String>,
    email: Option<String>,
    /// A checkbox: present (any value) means consent.
    contact_consent: Option<String>,
    revision: Option<String>,
    title: Option<String>,
    website: Option<String>,
}

pub async fn post_vote(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let result = async {
        check_rate(&state, &req)?;
        let form: VoteForm = form_body(&state, &req, payload).await?;
        let helpful = match form.helpful.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => true,
            "no" | "false" | "0" => false,
            _ => return Err(ApiError::invalid("helpful", "helpful must be yes or no")),
        };
        let back = back_to_article(&state, &form.article_url, "flagpole-thanks")?;
        let request = VoteRequest {
            article_url: form.article_url,
            helpful,
            reasons: form.reasons,
            comment: form.comment,
            revision: form.revision,
            title: form.title,
            website: form.website,
        };
        accept_vote(&state, &req, request).await?;
        Ok(back)
    }
    .await;
    answer(result)
}

pub async fn post_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let result = async {
        check_rate(&state, &req)?;
        let form: ReportForm = form_body(&state, &req, payload).await?;
        let back = back_to_article(&state, &form.article_url, "flagpole-reported")?;
        let request = ReportRequest {
            article_url: form.article_url,
            category: form.category,
            quote: form.quote,
            details: form.details,
            email: form.email,
            contact_consent: Some(form.contact_consent.is_some_and(|v| !v.is_empty())),
            revision: form.revision,
            title: form.title,
            website: form.website,
        };
        accept_report(&state, &req, request).await?;
        Ok(back)
    }
    .await;
    answer(result)
}

async fn form_body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let bytes = body::read(
        req,
        payload,
        BodyKind::Form,
        state.settings.limits.max_body_bytes,
    )
    .await?;
    body::parse_form(&bytes)
}

/// The article's own address with a marker fragment. Only http(s) URLs on allowed hosts: the form
/// must not become an open redirect.
fn back_to_article(state: &AppState, raw: &str, marker: &str) -> Result<Url, ApiError> {
    let not_allowed =
        || ApiError::invalid("article_url", "article_url is not an article on this site");
    let mut url = Url::parse(raw.trim()).map_err(|_| not_allowed())?;
    let allowed = matches!(url.scheme(), "http" | "https")
        && url
            .host_str()
            .is_some_and(|h| state.sites.host_allowed(h.trim_end_matches('.')));
    if !allowed {
        return Err(not_allowed());
    }
    url.set_fragment(Some(marker));
    Ok(url)
}

fn answer(result: Result<Url, ApiError>) -> HttpResponse {
    match result {
        Ok(back) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, back.to_string()))
            .finish(),
        Err(e) => error_page(&e),
    }
}

/// A readable page for a reader whose form could not be accepted.
fn error_page(e: &ApiError) -> HttpResponse {
    let (title, advice) = match e.status {
        StatusCode::TOO_MANY_REQUESTS => (
            "Please wait a moment",
            "We have received several messages from your connection in a short time. Please go back and try again in a minute.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "Your feedback was not saved",
            "Something went wrong on our side and nothing was saved. Please go back and send it again.",
        ),
        _ => (
            "We could not accept your feedback",
            "Please go back, check the form and try again.",
        ),
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}</style>\
         </head><body><main><h1>{title}</h1><p>{advice}</p><p><strong>Problem:</strong> {}</p>\
         <p>Use your browser's Back button to return to the article; what you wrote is still there.</p>\
         </main></body></html>",
        escape_html(&e.message)
    );
    let mut page = HttpResponse::build(e.status);
    if let Some(secs) = e.retry_after_secs {
        page.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    page.content_type("text/html; charset=utf-8").body(html)
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
