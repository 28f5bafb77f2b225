//! Pages for administrators (editors, API tokens, the outbox) and every editor's own e-mail
//! preferences. Each action calls the same functions as the CLI and the API.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, ago, csrf, DashError};
use super::session::{Admin, AdminForm, CsrfForm, Session};
use crate::auth::tokens;
use crate::config::Settings;
use crate::db::editors::{self as editor_rows, Editor};
use crate::db::outbox::OutboxRow;
use crate::db::tokens::TokenInfo;
use crate::db::Db;
use crate::domain::{EditorId, OutboxId, OutboxStatus, Role};
use crate::editors::{self, accounts, accounts::INVITATION_HOURS};
use crate::errors::ApiError;
use crate::http::Id;
use crate::mail::Outbox;

fn to(path: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, path.to_string()))
        .finish()
}

pub async fn editors_page(db: web::Data<Db>, admin: Admin) -> Result<HttpResponse, DashError> {
    let list = db.run(|c| Ok::<_, ApiError>(editor_rows::list(c)?)).await?;
    let body = render_editors(&admin.0, &list);
    Ok(layout::page("Editors", &admin.0, body))
}

fn owns_text(e: &Editor) -> String {
    e.scopes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_editors(session: &Session, list: &[Editor]) -> Markup {
    html! {
        main {
            h1 { "Editors" }
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "E-mail" } th scope="col" { "Role" } th scope="col" { "Owns" } th scope="col" { "E-mail wanted" } th scope="col" { "State" } } }
                tbody {
                    @for e in list {
                        tr {
                            td data-label="Name" { (e.name) @if e.password_hash.is_none() { br; span class="muted" { "invited" } } }
                            td data-label="E-mail" { (e.email) }
                            td data-label="Role" { (e.role) }
                            td data-label="Owns" { (owns_text(e)) }
                            td data-label="E-mail wanted" { @if e.wants_alerts { "alerts " } @if e.wants_digest { "digest" } }
                            td data-label="State" {
                                form method="post" action={ "/dashboard/editors/" (e.id) } class="inline" {
                                    (csrf(session))
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
                                " " a href={ "/dashboard/editors/" (e.id) } { "Edit or remove" }
                            }
                        }
                    }
                }
            }
            h2 { "Invite an editor" }
            p class="hint" { "They get an e-mail with a link to choose their password; the link works once, within " (INVITATION_HOURS) " hours." }
            form method="post" action="/dashboard/editors" class="stack" {
                (csrf(session))
                label for="new-name" { "Name" } input id="new-name" name="name" required maxlength="200";
                label for="new-email" { "E-mail address" } input id="new-email" name="email" type="email" required;
                label for="new-owns" { "Owns (hosts or host/path, comma-separated; empty: alerted about everything nobody owns)" }
                input id="new-owns" name="owns" placeholder="health.example.org/medicines";
                span class="check" { input id="new-admin" type="checkbox" name="admin" value="1"; label for="new-admin" { "Administrator" } }
                button type="submit" class="primary" { "Send invitation" }
            }
        }
    }
}

/// What an editor typed into an "owns" field: comma-separated scopes.
fn owns_list(owns: Option<String>) -> Vec<String> {
    owns.unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct NewEditorForm {
    name: String,
    email: String,
    owns: Option<String>,
    admin: Option<String>,
}

/// Invites an editor: they choose their own password from the e-mail.
pub async fn add_editor(
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    outbox: web::Data<Outbox>,
    post: AdminForm<NewEditorForm>,
) -> Result<HttpResponse, DashError> {
    let form = post.form;
    let new = editors::new_editor(
        &form.name,
        &form.email,
        form.admin.is_some(),
        &owns_list(form.owns),
        true,
        true,
    )
    .map_err(DashError::BadRequest)?;
    let (by, url) = (
        post.session.editor.name,
        settings.server.public_url.to_string(),
    );
    db.run(move |c| accounts::invite(c, &new, &by, &url))
        .await?;
    outbox.wake();
    Ok(to("/dashboard/editors"))
}

pub async fn editor_page(
    db: web::Data<Db>,
    id: Id<EditorId, DashError>,
    admin: Admin,
) -> Result<HttpResponse, DashError> {
    let id = id.get();
    let editor = db.run(move |c| editors::get(c, id)).await?;
    let session = &admin.0;
    let path = format!("/dashboard/editors/{}", editor.id);
    let body = html! {
        main class="narrow" {
            h1 { (editor.name) }
            p { (editor.email) @if editor.password_hash.is_none() { " · invited, has not chosen a password yet" } }
            form method="post" action={ (path) "/edit" } class="stack" {
                (csrf(session))
                label for="name" { "Name" } input id="name" name="name" required maxlength="200" value=(editor.name);
                label for="role" { "Role" }
                select id="role" name="role" {
                    option value="editor" selected[!editor.is_admin()] { "Editor" }
                    option value="admin" selected[editor.is_admin()] { "Administrator (manages editors, tokens and the outbox)" }
                }
                label for="owns" { "Owns (hosts or host/path, comma-separated; empty: alerted about everything nobody owns)" }
                input id="owns" name="owns" value=(owns_text(&editor));
                span class="check" { input id="alerts" type="checkbox" name="alerts" value="1" checked[editor.wants_alerts]; label for="alerts" { "Alert e-mails" } }
                span class="check" { input id="digest" type="checkbox" name="digest" value="1" checked[editor.wants_digest]; label for="digest" { "The weekly digest" } }
                button type="submit" class="primary" { "Save changes" }
            }
            @if editor.password_hash.is_none() {
                h2 { "Invitation" }
                form method="post" action={ (path) "/invite" } class="inline" {
                    (csrf(session))
                    button type="submit" { "Send the invitation again" }
                }
            }
            h2 { "Remove " (editor.name) }
            p class="hint" { "They are signed out everywhere and can no longer sign in or receive e-mail. What they did stays in the history under their name. Inviting the same address again brings the account back." }
            form method="post" action={ (path) "/remove" } class="inline" {
                (csrf(session))
                button type="submit" class="danger" { "Remove editor" }
            }
        }
    };
    Ok(layout::page(&editor.name, session, body))
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    name: String,
    role: String,
    owns: Option<String>,
    alerts: Option<String>,
    digest: Option<String>,
}

pub async fn edit_editor(
    db: web::Data<Db>,
    id: Id<EditorId, DashError>,
    post: AdminForm<EditForm>,
) -> Result<HttpResponse, DashError> {
    let form = post.form;
    let role = Role::parse(&form.role)
        .ok_or_else(|| DashError::BadRequest(format!("unknown role {:?}", form.role)))?;
    let changes = editors::Changes {
        name: form.name,
        role,
        scopes: owns_list(form.owns),
        wants_alerts: form.alerts.is_some(),
        wants_digest: form.digest.is_some(),
    };
    let id = id.get();
    db.run(move |c| editors::update(c, id, &changes)).await?;
    Ok(to("/dashboard/editors"))
}

pub async fn reinvite_editor(
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    outbox: web::Data<Outbox>,
    id: Id<EditorId, DashError>,
    post: AdminForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    let (id, by, url) = (
        id.get(),
        post.session.editor.name,
        settings.server.public_url.to_string(),
    );
    db.run(move |c| accounts::reinvite(c, id, &by, &url))
        .await?;
    outbox.wake();
    Ok(to("/dashboard/editors"))
}

pub async fn remove_editor(
    db: web::Data<Db>,
    id: Id<EditorId, DashError>,
    _post: AdminForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    let id = id.get();
    db.run(move |c| editors::remove(c, id)).await?;
    Ok(to("/dashboard/editors"))
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    change: String,
}

pub async fn change_editor(
    db: web::Data<Db>,
    id: Id<EditorId, DashError>,
    post: AdminForm<ChangeForm>,
) -> Result<HttpResponse, DashError> {
    let (id, change) = (id.get(), post.form.change);
    if id.get() == post.session.editor.id && matches!(change.as_str(), "disable" | "editor") {
        return Err(DashError::BadRequest(
            "You cannot disable yourself or give up your own admin role here.".into(),
        ));
    }
    db.run(move |c| match change.as_str() {
        "disable" => editors::set_active(c, id, false),
        "enable" => editors::set_active(c, id, true),
        "admin" => editors::set_role(c, id, Role::Admin),
        "editor" => editors::set_role(c, id, Role::Editor),
        other => Err(ApiError::invalid(
            "change",
            format!("unknown change {other:?}"),
        )),
    })
    .await?;
    Ok(to("/dashboard/editors"))
}

pub async fn tokens_page(db: web::Data<Db>, admin: Admin) -> Result<HttpResponse, DashError> {
    let list = db.run(tokens::list).await?;
    Ok(layout::page(
        "API tokens",
        &admin.0,
        render_tokens(&admin.0, &list, None),
    ))
}

fn render_tokens(session: &Session, list: &[TokenInfo], created: Option<(&str, &str)>) -> Markup {
    let now = crate::db::now();
    html! {
        main {
            h1 { "API tokens" }
            @if let Some((name, token)) = created {
                div class="notice ok" role="status" {
                    p { "Token " strong { (name) } " created. Copy it now: it is not shown again." }
                    p { code class="token" { (token) } }
                }
            }
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Created" } th scope="col" { "Last used" } th scope="col" { "State" } } }
                tbody {
                    @for t in list {
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
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    db: web::Data<Db>,
    post: AdminForm<TokenForm>,
) -> Result<HttpResponse, DashError> {
    let name = tokens::check_name(&post.form.name)?.to_string();
    let n = name.clone();
    let (token, list) = db
        .run(move |c| Ok::<_, ApiError>((tokens::create(c, &n)?, tokens::list(c)?)))
        .await?;
    let body = render_tokens(&post.session, &list, Some((&name, &token)));
    Ok(layout::page("API tokens", &post.session, body))
}

pub async fn revoke_token(
    db: web::Data<Db>,
    post: AdminForm<TokenForm>,
) -> Result<HttpResponse, DashError> {
    let name = post.form.name;
    db.run(move |c| tokens::revoke(c, &name)).await?;
    Ok(to("/dashboard/tokens"))
}

pub async fn outbox_page(
    outbox: web::Data<Outbox>,
    admin: Admin,
) -> Result<HttpResponse, DashError> {
    let failed = outbox.list(Some(OutboxStatus::Failed), 100).await?;
    let pending = outbox.list(Some(OutboxStatus::Pending), 100).await?;
    let body = render_outbox(&admin.0, &failed, &pending);
    Ok(layout::page("Outbox", &admin.0, body))
}

fn attempts(n: i32) -> String {
    if n == 1 {
        "1 attempt".into()
    } else {
        format!("{n} attempts")
    }
}

fn render_outbox(session: &Session, failed: &[OutboxRow], pending: &[OutboxRow]) -> Markup {
    let now = crate::db::now();
    html! {
        main {
            h1 { "Outbox" }
            h2 { "Failed (" (failed.len()) ")" }
            @if failed.is_empty() { p class="muted" { "Nothing has failed." } }
            @for row in failed {
                div class="outbox-row" {
                    p { strong { (row.subject) } " to " (row.recipient) " · " (row.kind) " · " (attempts(row.attempts)) " · queued " (ago(row.created_at, now)) }
                    p class="error" { (row.last_error.clone().unwrap_or_default()) }
                    form method="post" action={ "/dashboard/outbox/" (row.id) "/retry" } class="inline" {
                        (csrf(session))
                        button type="submit" { "Retry now" }
                    }
                }
            }
            h2 { "Waiting (" (pending.len()) ")" }
            @if pending.is_empty() { p class="muted" { "Nothing is waiting." } }
            @for row in pending {
                p { (row.subject) " to " (row.recipient) " · " (attempts(row.attempts))
                    " · next attempt " (layout::when(row.next_attempt_at, now))
                    @if let Some(e) = &row.last_error { " · last error: " (e) } }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

pub async fn retry(
    outbox: web::Data<Outbox>,
    id: Id<OutboxId, DashError>,
    _post: AdminForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    outbox.retry(id.get()).await?;
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
    alerts: Option<String>,
    digest: Option<String>,
}

pub async fn save_preferences(
    db: web::Data<Db>,
    post: CsrfForm<PreferencesForm>,
) -> Result<HttpResponse, DashError> {
    let id = EditorId(post.session.editor.id);
    let (alerts, digest) = (post.form.alerts.is_some(), post.form.digest.is_some());
    db.run(move |c| editors::set_subscriptions(c, id, alerts, digest))
        .await?;
    Ok(to("/dashboard/preferences"))
}
