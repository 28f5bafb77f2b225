//! The plain HTML form fallbacks, for readers without JavaScript. They store exactly what the
//! JSON endpoints store and answer `303 See Other` back to the article with a marker the page
//! can show a thank-you for. Errors are a short readable page with a way back.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse, ResponseError};
use maud::{html, DOCTYPE};
use serde::Deserialize;
use url::Url;

use super::service::Ingest;
use super::submission::{Submission, Submitted};
use super::validate::{ReportRequest, VoteRequest};
use crate::domain::SiteRules;
use crate::errors::ApiError;
use crate::http::body::BodyKind;

/// Unknown fields are ignored here (a publisher's template may add a submit button's name).
#[derive(Debug, Deserialize)]
pub struct VoteForm {
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
pub struct ReportForm {
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
    /// The page's language, which the fallback's form carries.
    lang: Option<String>,
}

impl Submitted for VoteForm {
    const KIND: &'static str = "vote";
    const BODY: BodyKind = BodyKind::Form;
}

impl Submitted for ReportForm {
    const KIND: &'static str = "report";
    const BODY: BodyKind = BodyKind::Form;
}

impl VoteForm {
    fn request(self) -> Result<VoteRequest, ApiError> {
        let helpful = match self.helpful.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => true,
            "no" | "false" | "0" => false,
            _ => return Err(ApiError::invalid("helpful", "helpful must be yes or no")),
        };
        Ok(VoteRequest {
            article_url: self.article_url,
            helpful,
            reasons: self.reasons,
            comment: self.comment,
            revision: self.revision,
            title: self.title,
            website: self.website,
            submission_id: None,
        })
    }
}

impl From<ReportForm> for ReportRequest {
    fn from(form: ReportForm) -> Self {
        ReportRequest {
            article_url: form.article_url,
            category: form.category,
            quote: form.quote,
            details: form.details,
            email: form.email,
            contact_consent: Some(form.contact_consent.is_some_and(|v| !v.is_empty())),
            revision: form.revision,
            title: form.title,
            website: form.website,
            lang: form.lang,
            submission_id: None,
        }
    }
}

pub async fn post_vote(
    ingest: web::Data<Ingest>,
    submission: Submission<VoteForm, FormError>,
) -> Result<HttpResponse, FormError> {
    let back = back_to_article(
        ingest.sites(),
        &submission.body.article_url,
        "flagpole-thanks",
    )?;
    let request = submission.body.request()?;
    ingest.vote(&submission.reader, request).await?;
    Ok(see_other(&back))
}

pub async fn post_report(
    ingest: web::Data<Ingest>,
    submission: Submission<ReportForm, FormError>,
) -> Result<HttpResponse, FormError> {
    let mut back = back_to_article(
        ingest.sites(),
        &submission.body.article_url,
        "flagpole-reported",
    )?;
    let (_, signpost) = ingest
        .report(&submission.reader, submission.body.into())
        .await?;
    if signpost.is_some() {
        // The fallback shows the site's signposting at this marker instead of the plain thanks.
        back.set_fragment(Some("flagpole-help"));
    }
    Ok(see_other(&back))
}

fn see_other(url: &Url) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, url.to_string()))
        .finish()
}

/// The article's own address with a marker fragment. Only http(s) URLs on allowed hosts: the form
/// must not become an open redirect.
fn back_to_article(sites: &SiteRules, raw: &str, marker: &str) -> Result<Url, ApiError> {
    let not_allowed =
        || ApiError::invalid("article_url", "article_url is not an article on this site");
    let mut url = Url::parse(raw.trim()).map_err(|_| not_allowed())?;
    let allowed = matches!(url.scheme(), "http" | "https")
        && url
            .host_str()
            .is_some_and(|h| sites.host_allowed(h.trim_end_matches('.')));
    if !allowed {
        return Err(not_allowed());
    }
    url.set_fragment(Some(marker));
    Ok(url)
}

/// An error shown to a reader who used the plain HTML forms: a readable page with a way back.
#[derive(Debug)]
pub struct FormError(pub ApiError);

impl From<ApiError> for FormError {
    fn from(e: ApiError) -> Self {
        FormError(e)
    }
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for FormError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.0;
        let mut page = HttpResponse::build(e.status);
        if let Some(secs) = e.retry_after_secs {
            page.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        page.content_type("text/html; charset=utf-8")
            .body(render_error_page(e))
    }
}

/// The readable page for a reader whose form could not be accepted.
fn render_error_page(e: &ApiError) -> String {
    let (title, advice) = match e.status {
        StatusCode::TOO_MANY_REQUESTS => (
            "Please wait a moment",
            "We have received several messages from your connection in a short time. Please go back and try again in a minute.",
        ),
        s if s.is_server_error() => (
            "Your feedback was not saved",
            "Something went wrong on our side and nothing was saved. Please go back and send it again.",
        ),
        _ => (
            "We could not accept your feedback",
            "Please go back, check the form and try again.",
        ),
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { "body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}" }
            }
            body {
                main {
                    h1 { (title) }
                    p { (advice) }
                    p { strong { "Problem:" } " " (e.message) }
                    p { "Use your browser's Back button to return to the article; what you wrote is still there." }
                }
            }
        }
    }
    .into_string()
}
