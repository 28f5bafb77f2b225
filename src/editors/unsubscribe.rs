//! Unsubscribing from the link in every e-mail (`List-Unsubscribe`, RFC 8058 one-click). The
//! random per-editor token in the link is the credential, so no sign-in is needed; the page says
//! nothing about whose link it is.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use crate::db::editors::{self as store, Editor};
use crate::db::Db;
use crate::domain::EditorId;
use crate::errors::ApiError;
use crate::http::{PathText, Query};

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum List {
    #[default]
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

    fn id(self) -> &'static str {
        match self {
            List::Alerts => "alerts",
            List::Digest => "digest",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParam {
    #[serde(default)]
    list: List,
}

/// Asks before changing anything: link scanners follow GET links.
pub async fn confirm(
    db: web::Data<Db>,
    token: PathText,
    list: Query<ListParam>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let list = list.into_inner().list;
    Ok(match editor_for(&db, token.into_inner()).await? {
        Some(_) => render_confirm(req.path(), list),
        None => render_unknown_link(),
    })
}

/// The form above and one-click unsubscribe from mail clients both end here.
pub async fn unsubscribe(
    db: web::Data<Db>,
    token: PathText,
    list: Query<ListParam>,
) -> Result<HttpResponse, ApiError> {
    let list = list.into_inner().list;
    let Some(editor) = editor_for(&db, token.into_inner()).await? else {
        return Ok(render_unknown_link());
    };
    let (alerts, digest) = match list {
        List::Alerts => (false, editor.wants_digest),
        List::Digest => (editor.wants_alerts, false),
    };
    let id = EditorId(editor.id);
    db.run(move |c| super::set_subscriptions(c, id, alerts, digest))
        .await?;
    Ok(render_done(list))
}

async fn editor_for(db: &Db, token: String) -> Result<Option<Editor>, ApiError> {
    if token.len() > 100 {
        return Ok(None);
    }
    db.run(move |c| Ok(store::by_unsubscribe_token(c, &token)?))
        .await
}

fn render_confirm(path: &str, list: List) -> HttpResponse {
    let action = format!("{path}?list={}", list.id());
    page(
        StatusCode::OK,
        "Unsubscribe",
        html! {
            p { "Stop sending " (list.describe()) " to the address this link was sent to?" }
            form method="post" action=(action) {
                button type="submit" { "Unsubscribe" }
            }
        },
    )
}

fn render_done(list: List) -> HttpResponse {
    page(
        StatusCode::OK,
        "Unsubscribed",
        html! { p { "You will no longer receive " (list.describe()) "." } },
    )
}

fn render_unknown_link() -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        "Link not recognised",
        html! { p { "This unsubscribe link is not valid any more. Ask an administrator to change your e-mail settings." } },
    )
}

fn page(status: StatusCode, title: &str, body: Markup) -> HttpResponse {
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
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        // Nothing may frame it: a framed button is a click-jacked unsubscribe.
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ))
        .body(markup.into_string())
}
