//! The page frame, the error pages and small pieces every dashboard page uses. maud escapes
//! every value interpolated into markup; reader text is never emitted with `PreEscaped`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use chrono::NaiveDateTime;
use maud::{html, Markup, DOCTYPE};

use super::session::Session;
use crate::domain::Category;
use crate::errors::ApiError;

/// Why a dashboard request did not get its page.
#[derive(Debug)]
pub enum DashError {
    /// No session: go and sign in, then come back here.
    SignIn(Option<String>),
    Forbidden,
    Csrf,
    NotFound,
    BadRequest(String),
    /// The database cannot be reached (503).
    Unavailable,
    /// A bug, logged where it happened (500).
    Internal,
}

impl std::fmt::Display for DashError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl From<ApiError> for DashError {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => DashError::NotFound,
            StatusCode::SERVICE_UNAVAILABLE => DashError::Unavailable,
            s if s.is_client_error() => DashError::BadRequest(e.message),
            _ => DashError::Internal,
        }
    }
}

impl ResponseError for DashError {
    fn status_code(&self) -> StatusCode {
        match self {
            DashError::SignIn(_) => StatusCode::SEE_OTHER,
            DashError::Forbidden | DashError::Csrf => StatusCode::FORBIDDEN,
            DashError::NotFound => StatusCode::NOT_FOUND,
            DashError::BadRequest(_) => StatusCode::BAD_REQUEST,
            DashError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            DashError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let DashError::SignIn(next) = self {
            let target = match next {
                Some(n) => format!(
                    "/dashboard/login?next={}",
                    url::form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>()
                ),
                None => "/dashboard/login".into(),
            };
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .finish();
        }
        let (title, text) = match self {
            DashError::Forbidden => ("Not for your role", "This page is for administrators.".to_string()),
            DashError::Csrf => (
                "Form expired",
                "This form was not sent from this dashboard page, or your session changed. Go back, reload the page and try again.".to_string(),
            ),
            DashError::NotFound => ("Not found", "There is nothing at this address.".to_string()),
            DashError::BadRequest(why) => ("Something in the form was not right", why.clone()),
            DashError::Internal => (
                "Something went wrong",
                "Something went wrong on our side and nothing was changed; it has been logged. Try again, and tell an administrator if it keeps happening.".to_string(),
            ),
            _ => (
                "Not available just now",
                "The database could not be reached; nothing was changed. Try again in a moment.".to_string(),
            ),
        };
        let mut response = bare(
            title,
            html! { main class="narrow" { h1 { (title) } p { (text) } p { a href="/dashboard" { "Back to the dashboard" } } } },
        );
        *response.status_mut() = self.status_code();
        response
    }
}

fn document(title: &str, nav: Option<Markup>, body: Markup) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · flagpole" }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/dashboard/assets/app.css";
                script src="/dashboard/assets/app.js" defer {}
            }
            body {
                a class="skip" href="#main" { "Skip to content" }
                @if let Some(nav) = nav { (nav) }
                div id="main" { (body) }
            }
        }
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string())
}

/// A page without navigation (sign-in, errors).
pub fn bare(title: &str, body: Markup) -> HttpResponse {
    document(title, None, body)
}

/// A signed-in page.
pub fn page(title: &str, session: &Session, body: Markup) -> HttpResponse {
    let nav = html! {
        header class="top" {
            nav aria-label="Dashboard" {
                a href="/dashboard" class="brand" { "flagpole" }
                a href="/dashboard" { "Articles" }
                a href="/dashboard/lanes" { "Lanes" }
                a href="/dashboard/reviews" { "Reviews due" }
                a href="/dashboard/preferences" { "My e-mail" }
                @if session.editor.is_admin() {
                    a href="/dashboard/editors" { "Editors" }
                    a href="/dashboard/tokens" { "API tokens" }
                    a href="/dashboard/outbox" { "Outbox" }
                    a href="/dashboard/webhooks" { "Webhooks" }
                }
                form method="post" action="/dashboard/logout" class="inline" {
                    (csrf(session))
                    button type="submit" class="link" { "Sign out " (session.editor.name) }
                }
            }
        }
    };
    document(title, Some(nav), body)
}

pub fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf); }
}

/// "3 days ago", for a timestamp in the past.
pub fn ago(t: NaiveDateTime, now: NaiveDateTime) -> String {
    let secs = (now - t).num_seconds().max(0);
    let (n, unit) = match secs {
        0..60 => return "just now".into(),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// "in 3 minutes", or "now" for a moment already reached.
pub fn when(t: NaiveDateTime, now: NaiveDateTime) -> String {
    let secs = (t - now).num_seconds();
    let (n, unit) = match secs {
        i64::MIN..=0 => return "now".into(),
        1..60 => (secs, "second"),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

pub fn category_badge(category: Category) -> Markup {
    let label = category.label();
    let class = if category == Category::Harmful {
        "badge harmful"
    } else {
        "badge"
    };
    html! { span class=(class) { (label) } }
}

pub fn percent(share: Option<f64>) -> String {
    share.map_or("–".into(), |s| format!("{:.0} %", s * 100.0))
}
