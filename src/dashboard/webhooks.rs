//! The administrators' Webhooks page: subscriptions (add, remove, send a test) and their
//! deliveries (what failed and why, with a retry). Each action calls the same service as the
//! CLI (`crate::webhooks::service`).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, ago, csrf, DashError};
use super::session::{Admin, AdminForm, Session};
use crate::db::webhooks::{Delivery, Webhook};
use crate::domain::{DeliveryId, OutboxStatus, WebhookEvent, WebhookFormat, WebhookId};
use crate::http::Id;
use crate::webhooks::service::NewWebhook;
use crate::webhooks::Webhooks;

const PATH: &str = "/dashboard/webhooks";
/// Deliveries the page lists in each section.
const SHOWN: i64 = 50;

/// What the page says above the list after an action.
enum Notice<'a> {
    None,
    Created(&'a Webhook),
    Refused(&'a str),
}

pub async fn page(webhooks: web::Data<Webhooks>, admin: Admin) -> Result<HttpResponse, DashError> {
    render(&webhooks, &admin.0, Notice::None, None).await
}

async fn render(
    webhooks: &Webhooks,
    session: &Session,
    notice: Notice<'_>,
    form: Option<&NewWebhookForm>,
) -> Result<HttpResponse, DashError> {
    let list = webhooks.list().await?;
    let failed = webhooks
        .deliveries(Some(OutboxStatus::Failed), SHOWN)
        .await?;
    let recent = webhooks.deliveries(None, SHOWN).await?;
    let status = match notice {
        Notice::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let body = render_page(session, &list, &failed, &recent, notice, form);
    let mut response = layout::page("Webhooks", session, body);
    *response.status_mut() = status;
    Ok(response)
}

fn url_of(list: &[Webhook], id: i64) -> String {
    list.iter()
        .find(|w| w.id == id)
        .map_or_else(|| "(removed)".into(), |w| w.url.clone())
}

fn attempts(n: i32) -> String {
    if n == 1 {
        "1 attempt".into()
    } else {
        format!("{n} attempts")
    }
}

fn render_page(
    session: &Session,
    list: &[Webhook],
    failed: &[Delivery],
    recent: &[Delivery],
    notice: Notice,
    form: Option<&NewWebhookForm>,
) -> Markup {
    let now = crate::db::now();
    let chosen = |e: WebhookEvent| form.is_none_or(|f| f.events.iter().any(|x| x == e.as_str()));
    html! {
        main {
            h1 { "Webhooks" }
            p class="hint" {
                "flagpole posts events to these URLs as they happen, signed with each subscription's secret "
                "(header " code { "Flagpole-Signature" } "; see the README for how to check it)."
            }
            @match notice {
                Notice::Created(w) => div class="notice ok" role="status" {
                    p { "Subscribed " strong { (w.url) } ". Its signing secret, shown only now:" }
                    p { code class="token" { (w.secret) } }
                },
                Notice::Refused(why) => div class="notice error" role="alert" {
                    p { "Not subscribed: " (why) }
                },
                Notice::None => {},
            }
            @if list.is_empty() { p class="muted" { "No subscriptions yet." } }
            @else {
                table {
                    thead { tr { th scope="col" { "URL" } th scope="col" { "Events" } th scope="col" { "Format" } th scope="col" { "Reader text" } th scope="col" { "Added" } th scope="col" { "Actions" } } }
                    tbody {
                        @for w in list {
                            tr {
                                td data-label="URL" { code { (w.url) } }
                                td data-label="Events" { (w.events().iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")) }
                                td data-label="Format" { (w.format) }
                                td data-label="Reader text" { @if w.include_text { "included" } @else { "not sent" } }
                                td data-label="Added" { (ago(w.created_at, now)) }
                                td data-label="Actions" {
                                    form method="post" action={ (PATH) "/" (w.id) "/test" } class="inline" {
                                        (csrf(session))
                                        button type="submit" { "Send test" }
                                    }
                                    " "
                                    form method="post" action={ (PATH) "/" (w.id) "/remove" } class="inline" {
                                        (csrf(session))
                                        button type="submit" { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Add a subscription" }
            form method="post" action=(PATH) class="stack" {
                (csrf(session))
                label for="hook-url" { "URL (https://; for Slack or Teams, the channel's incoming-webhook URL)" }
                input id="hook-url" name="url" type="url" required maxlength="2000" value=[form.map(|f| f.url.as_str())];
                fieldset {
                    legend { "Events" }
                    @for e in WebhookEvent::SUBSCRIBABLE {
                        span class="check" {
                            input id={ "ev-" (e.as_str()) } type="checkbox" name="events" value=(e.as_str()) checked[chosen(e)];
                            label for={ "ev-" (e.as_str()) } { code { (e.as_str()) } }
                        }
                    }
                }
                label for="hook-format" { "Format" }
                select id="hook-format" name="format" {
                    @for f in WebhookFormat::ALL {
                        option value=(f.as_str()) selected[form.is_some_and(|x| x.format == f.as_str())] {
                            (match f { WebhookFormat::Json => "JSON (flagpole's own payload)", WebhookFormat::Slack => "Slack", WebhookFormat::Teams => "Microsoft Teams" })
                        }
                    }
                }
                span class="check" {
                    input id="hook-text" type="checkbox" name="include_text" value="1" checked[form.is_some_and(|f| f.include_text.is_some())];
                    label for="hook-text" { "Include what readers wrote (JSON format only; e-mail addresses are never sent)" }
                }
                button type="submit" class="primary" { "Subscribe" }
            }
            h2 { "Failed deliveries (" (failed.len()) ")" }
            @if failed.is_empty() { p class="muted" { "Nothing has failed." } }
            @for d in failed {
                div class="outbox-row" {
                    p { strong { (d.event) } " to " (url_of(list, d.webhook_id)) " · " (attempts(d.attempts)) " · queued " (ago(d.created_at, now)) }
                    p class="error" { (d.last_error.clone().unwrap_or_default()) }
                    form method="post" action={ (PATH) "/deliveries/" (d.id) "/retry" } class="inline" {
                        (csrf(session))
                        button type="submit" { "Retry now" }
                    }
                }
            }
            h2 { "Recent deliveries" }
            @if recent.is_empty() { p class="muted" { "Nothing sent yet." } }
            @else {
                table {
                    thead { tr { th scope="col" { "Delivery" } th scope="col" { "Event" } th scope="col" { "To" } th scope="col" { "State" } th scope="col" { "Queued" } } }
                    tbody {
                        @for d in recent {
                            tr {
                                td data-label="Delivery" { (d.id) }
                                td data-label="Event" { (d.event) }
                                td data-label="To" { (url_of(list, d.webhook_id)) }
                                td data-label="State" {
                                    (d.status) " · " (attempts(d.attempts))
                                    @if d.status == OutboxStatus::Pending && d.attempts > 0 { " · next " (layout::when(d.next_attempt_at, now)) }
                                    // Failed ones show their error above, with the retry button.
                                    @if let Some(e) = d.last_error.as_ref().filter(|_| d.status == OutboxStatus::Pending) { " · " span class="error" { (e) } }
                                }
                                td data-label="Queued" { (ago(d.created_at, now)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NewWebhookForm {
    url: String,
    #[serde(default)]
    events: Vec<String>,
    format: String,
    include_text: Option<String>,
}

pub async fn add(
    webhooks: web::Data<Webhooks>,
    post: AdminForm<NewWebhookForm>,
) -> Result<HttpResponse, DashError> {
    let form = post.form;
    let new = NewWebhook {
        url: form.url.clone(),
        events: form.events.join(","),
        format: form.format.clone(),
        include_text: form.include_text.is_some(),
    };
    match webhooks.add(new).await {
        Ok(created) => render(&webhooks, &post.session, Notice::Created(&created), None).await,
        Err(e) if e.status.is_client_error() => {
            render(
                &webhooks,
                &post.session,
                Notice::Refused(&e.message),
                Some(&form),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

fn back() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, PATH))
        .finish()
}

pub async fn remove(
    webhooks: web::Data<Webhooks>,
    id: Id<WebhookId, DashError>,
    _post: AdminForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    webhooks.remove(id.get()).await?;
    Ok(back())
}

pub async fn test(
    webhooks: web::Data<Webhooks>,
    id: Id<WebhookId, DashError>,
    _post: AdminForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    webhooks.test(id.get()).await?;
    Ok(back())
}

pub async fn retry(
    webhooks: web::Data<Webhooks>,
    id: Id<DeliveryId, DashError>,
    _post: AdminForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    webhooks.retry(id.get()).await?;
    Ok(back())
}
