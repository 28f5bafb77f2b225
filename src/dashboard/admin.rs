//! Pages for administrators (editors, API tokens, the outbox) and every editor's own e-mail
//! preferences. Each action reuses the functions the CLI and the API use.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::auth::{self, Session};
use super::layout::{self, ago, csrf, DashError};
use crate::db::{self, editors, outbox, sessions, tokens};
use crate::errors::ApiError;
use crate::state::AppState;

fn to(path: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, path.to_string()))
        .finish()
}

pub async fn editors_page(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    let list = state.db(|conn| Ok(editors::list(conn)?)).await?;
    let body = html! {
        main {
            h1 { "Editors" }
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "E-mail" } th scope="col" { "Role" } th scope="col" { "Owns" } th scope="col" { "E-mail wanted" } th scope="col" { "State" } } }
                tbody {
                    @for e in &list {
                        tr {
                            td data-label="Name" { (e.name) }
                            td data-label="E-mail" { (e.email) }
                            td data-label="Role" { (e.role) }
                            td data-label="Owns" { (e.scope_list().collect::<Vec<_>>().join(", ")) }
                            td data-label="E-mail wanted" { @if e.wants_alerts { "alerts " } @if e.wants_digest { "digest" } }
                            td data-label="State" {
                                form method="post" action={ "/dashboard/editors/" (e.id) } class="inline" {
                                    (csrf(&session))
                                    @if e.active {
                                        button type="submit" name="change" value="disable" { "Disable" }
                                    } @else {
                                        button type="submit" name="change" value="enable" { "Enable" }
                                    }
                                    @if e.is_admin() {
                                        button type="submit" name="change" value="editor" { "Make editor" }
                                    } @else {
                                        button type="submit" name="change" value="admin" { "Make admin" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Add an editor" }
            p class="hint" { "They set their password with " code { "flagpole editor set-password EMAIL" } " on the server." }
            form method="post" action="/dashboard/editors" class="stack" {
                (csrf(&session))
                label for="new-name" { "Name" } input id="new-name" name="name" required maxlength="200";
                label for="new-email" { "E-mail address" } input id="new-email" name="email" type="email" required;
                label for="new-owns" { "Owns (hosts or host/path, comma-separated; empty: alerted about everything nobody owns)" }
                input id="new-owns" name="owns" placeholder="health.example.org/medicines";
                span class="check" { input id="new-admin" type="checkbox" name="admin" value="1"; label for="new-admin" { "Administrator" } }
                button type="submit" class="primary" { "Add editor" }
            }
        }
    };
    Ok(layout::page("Editors", &session, body))
}

#[derive(Debug, Deserialize)]
pub struct NewEditorForm {
    csrf: String,
    name: String,
    email: String,
    owns: Option<String>,
    admin: Option<String>,
}

pub async fn add_editor(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    let form: NewEditorForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    let owns: Vec<String> = form
        .owns
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let new = crate::editors::new_editor(
        &form.name,
        &form.email,
        form.admin.is_some(),
        &owns,
        true,
        true,
    )
    .map_err(DashError::BadRequest)?;
    state
        .db(move |conn| {
            editors::add(conn, &new, db::now()).map_err(|e| match e {
                editors::EditorError::Database(d) => ApiError::from(d),
                other => ApiError::invalid("email", other.to_string()),
            })
        })
        .await?;
    Ok(to("/dashboard/editors"))
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    csrf: String,
    change: String,
}

pub async fn change_editor(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    let id: i64 = id.parse().map_err(|_| DashError::NotFound)?;
    let form: ChangeForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    if id == session.editor.id && matches!(form.change.as_str(), "disable" | "editor") {
        return Err(DashError::BadRequest(
            "You cannot disable yourself or give up your own admin role here.".into(),
        ));
    }
    state
        .db(move |conn| {
            let editor = editors::get(conn, id)?.ok_or_else(|| ApiError::not_found("editor"))?;
            let now = db::now();
            match form.change.as_str() {
                "disable" | "enable" => {
                    let active = form.change == "enable";
                    editors::set_active(conn, &editor.email, active, now)
                        .map_err(|e| ApiError::invalid("change", e.to_string()))?;
                    if !active {
                        sessions::delete_for_editor(conn, id)?;
                    }
                }
                "admin" | "editor" => editors::set_role(conn, id, &form.change, now)?,
                other => {
                    return Err(ApiError::invalid(
                        "change",
                        format!("unknown change {other:?}"),
                    ))
                }
            }
            Ok(())
        })
        .await?;
    Ok(to("/dashboard/editors"))
}

pub async fn tokens_page(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    render_tokens(&state, &session, None).await
}

async fn render_tokens(
    state: &AppState,
    session: &Session,
    created: Option<(String, String)>,
) -> Result<HttpResponse, DashError> {
    let list = state.db(|conn| Ok(tokens::list(conn)?)).await?;
    let now = db::now();
    let body = html! {
        main {
            h1 { "API tokens" }
            @if let Some((name, token)) = &created {
                div class="notice ok" role="status" {
                    p { "Token " strong { (name) } " created. Copy it now: it is not shown again." }
                    p { code class="token" { (token) } }
                }
            }
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Created" } th scope="col" { "Last used" } th scope="col" { "State" } } }
                tbody {
                    @for t in &list {
                        tr {
                            td data-label="Name" { (t.name) }
                            td data-label="Created" { (ago(t.created_at, now)) }
                            td data-label="Last used" { (t.last_used_at.map(|u| ago(u, now)).unwrap_or_else(|| "never".into())) }
                            td data-label="State" {
                                @if t.revoked_at.is_some() { "revoked" } @else {
                                    form method="post" action="/dashboard/tokens/revoke" class="inline" {
                                        (csrf(session))
                                        input type="hidden" name="name" value=(t.name);
                                        button type="submit" { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Create a token" }
            form method="post" action="/dashboard/tokens" class="stack" {
                (csrf(session))
                label for="token-name" { "Name (who or what uses it)" }
                input id="token-name" name="name" required maxlength="100";
                button type="submit" class="primary" { "Create token" }
            }
        }
    };
    Ok(layout::page("API tokens", session, body))
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

pub async fn create_token(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    let form: TokenForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    let name = form.name.trim().to_string();
    if name.is_empty() || name.len() > 100 {
        return Err(DashError::BadRequest(
            "A token name must be 1 to 100 characters.".into(),
        ));
    }
    let n = name.clone();
    let token = state
        .db(move |conn| {
            tokens::create(conn, &n, db::now()).map_err(|e| match e {
                tokens::TokenError::Database(d) => ApiError::from(d),
                other => ApiError::invalid("name", other.to_string()),
            })
        })
        .await?;
    render_tokens(&state, &session, Some((name, token))).await
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    let form: TokenForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    state
        .db(move |conn| {
            tokens::revoke(conn, &form.name, db::now()).map_err(|e| match e {
                tokens::TokenError::Database(d) => ApiError::from(d),
                other => ApiError::invalid("name", other.to_string()),
            })
        })
        .await?;
    Ok(to("/dashboard/tokens"))
}

pub async fn outbox_page(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    let (failed, pending) = state
        .db(|conn| {
            Ok((
                outbox::list(conn, Some("failed"), 100)?,
                outbox::list(conn, Some("pending"), 100)?,
            ))
        })
        .await?;
    let now = db::now();
    let body = html! {
        main {
            h1 { "Outbox" }
            h2 { "Failed (" (failed.len()) ")" }
            @if failed.is_empty() { p class="muted" { "Nothing has failed." } }
            @for row in &failed {
                div class="outbox-row" {
                    p { strong { (row.subject) } " to " (row.recipient) " · " (row.kind) " · " (row.attempts) " attempts · queued " (ago(row.created_at, now)) }
                    p class="error" { (row.last_error.clone().unwrap_or_default()) }
                    form method="post" action={ "/dashboard/outbox/" (row.id) "/retry" } class="inline" {
                        (csrf(&session))
                        button type="submit" { "Retry now" }
                    }
                }
            }
            h2 { "Waiting (" (pending.len()) ")" }
            @if pending.is_empty() { p class="muted" { "Nothing is waiting." } }
            @for row in &pending {
                p { (row.subject) " to " (row.recipient) " · " (row.attempts) " attempts"
                    @if let Some(e) = &row.last_error { " · last error: " (e) } }
            }
        }
    };
    Ok(layout::page("Outbox", &session, body))
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn retry(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    session.require_admin()?;
    let id: i64 = id.parse().map_err(|_| DashError::NotFound)?;
    let form: CsrfOnly = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    let retried = state
        .db(move |conn| Ok(outbox::retry(conn, id, db::now())?))
        .await?;
    if !retried {
        return Err(DashError::NotFound);
    }
    state.alerting.queued.notify_one();
    Ok(to("/dashboard/outbox"))
}

pub async fn preferences_page(session: Session) -> HttpResponse {
    let e = &session.editor;
    let body = html! {
        main class="narrow" {
            h1 { "My e-mail" }
            form method="post" action="/dashboard/preferences" class="stack" {
                (csrf(&session))
                span class="check" { input id="alerts" type="checkbox" name="alerts" value="1" checked[e.wants_alerts]; label for="alerts" { "Alert e-mails when an article I look after passes a threshold" } }
                span class="check" { input id="digest" type="checkbox" name="digest" value="1" checked[e.wants_digest]; label for="digest" { "The weekly digest" } }
                button type="submit" class="primary" { "Save" }
            }
        }
    };
    layout::page("My e-mail", &session, body)
}

#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    csrf: String,
    alerts: Option<String>,
    digest: Option<String>,
}

pub async fn save_preferences(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    let form: PreferencesForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    let (id, alerts, digest) = (
        session.editor.id,
        form.alerts.is_some(),
        form.digest.is_some(),
    );
    state
        .db(move |conn| {
            Ok(editors::set_subscriptions(
                conn,
                id,
                alerts,
                digest,
                db::now(),
            )?)
        })
        .await?;
    Ok(to("/dashboard/preferences"))
}
