//! Unsubscribing from the link in every e-mail (`List-Unsubscribe`, RFC 8058 one-click). The
//! random per-editor token in the link is the credential, so no sign-in is needed.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use crate::db::editors::{self, Editor};
use crate::errors::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum List {
    Alerts,
    Digest,
}

impl List {
    fn describe(self) -> &'static str {
        match self {
            List::Alerts => "alert e-mails about articles that need attention",
            List::Digest => "the weekly digest",
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ListParam {
    list: Option<List>,
}

fn page(title: &str, body: Markup) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · flagpole" }
                style { "body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}" }
            }
            body { main { h1 { (title) } (body) } }
        }
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

fn not_found() -> HttpResponse {
    let mut response = page(
        "Link not recognised",
        html! { p { "This unsubscribe link is not valid any more. Ask an administrator to change your e-mail settings." } },
    );
    *response.status_mut() = actix_web::http::StatusCode::NOT_FOUND;
    response
}

async fn editor_for(state: &AppState, token: String) -> Result<Option<Editor>, ApiError> {
    if token.len() > 100 {
        return Ok(None);
    }
    state
        .db(move |conn| Ok(editors::by_unsubscribe_token(conn, &token)?))
        .await
}

/// Asks before changing anything: link scanners follow GET links.
pub async fn confirm(
    state: web::Data<AppState>,
    token: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let list = web::Query::<ListParam>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.list)
        .unwrap_or(List::Alerts);
    let Some(editor) = editor_for(&state, token.into_inner()).await? else {
        return Ok(not_found());
    };
    let action = format!(
        "{}?list={}",
        req.path(),
        match list {
            List::Alerts => "alerts",
            List::Digest => "digest",
        }
    );
    Ok(page(
        "Unsubscribe",
        html! {
            p { "Stop sending " (list.describe()) " to " strong { (editor.email) } "?" }
            form method="post" action=(action) {
                button type="submit" { "Unsubscribe" }
            }
        },
    ))
}

/// The form above and one-click unsubscribe from mail clients both end here.
pub async fn unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let list = web::Query::<ListParam>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.list)
        .unwrap_or(List::Alerts);
    let Some(editor) = editor_for(&state, token.into_inner()).await? else {
        return Ok(not_found());
    };
    let (alerts, digest) = match list {
        List::Alerts => (false, editor.wants_digest),
        List::Digest => (editor.wants_alerts, false),
    };
    state
        .db(move |conn| {
            Ok(editors::set_subscriptions(
                conn,
                editor.id,
                alerts,
                digest,
                crate::db::now(),
            )?)
        })
        .await?;
    Ok(page(
        "Unsubscribed",
        html! { p { "You will no longer receive " (list.describe()) "." } },
    ))
}
