//! Managing webhooks, shared by the dashboard and the CLI: subscribe (the URL checked, a secret
//! made), list, remove, send a test, and the deliveries with their retry.

use std::sync::Arc;

use super::send::Sender;
use super::target;
use super::{Event, Hooks};
use crate::db::webhooks::{self as store, Delivery, Webhook};
use crate::db::{Db, DbConn};
use crate::delivery::{Attempt, Channel, Mark};
use crate::domain::{DeliveryId, OutboxStatus, WebhookEvent, WebhookFormat, WebhookId};
use crate::errors::ApiError;

/// A subscription as asked for, before checking.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub events: String,
    pub format: String,
    pub include_text: bool,
}

/// The events of a comma-separated list, each named once; `events` is the field.
pub fn parse_events(list: &str) -> Result<Vec<WebhookEvent>, ApiError> {
    let mut events = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let event = WebhookEvent::parse(name)
            .filter(|e| WebhookEvent::SUBSCRIBABLE.contains(e))
            .ok_or_else(|| {
                ApiError::invalid(
                    "events",
                    format!(
                        "unknown event {name:?}; choose from {}",
                        WebhookEvent::SUBSCRIBABLE.map(|e| e.as_str()).join(", ")
                    ),
                )
            })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.is_empty() {
        return Err(ApiError::invalid("events", "name at least one event"));
    }
    Ok(events)
}

pub fn parse_format(name: &str) -> Result<WebhookFormat, ApiError> {
    WebhookFormat::parse(name.trim()).ok_or_else(|| {
        ApiError::invalid(
            "format",
            format!(
                "unknown format {name:?}; choose {}",
                WebhookFormat::choices()
            ),
        )
    })
}

/// Checks and stores a subscription with a new secret (returned once, in the row).
pub fn add(conn: &mut DbConn, new: &NewWebhook, allow_private: bool) -> Result<Webhook, ApiError> {
    let events = parse_events(&new.events)?;
    let format = parse_format(&new.format)?;
    let url =
        target::check(&new.url, allow_private).map_err(|why| ApiError::invalid("url", why))?;
    let secret = super::sign::new_secret();
    Ok(store::insert(
        conn,
        url.as_str(),
        &events,
        format,
        &secret,
        new.include_text,
        crate::db::now(),
    )?)
}

pub fn remove(conn: &mut DbConn, id: WebhookId) -> Result<(), ApiError> {
    if store::delete(conn, id.get())? {
        Ok(())
    } else {
        Err(ApiError::not_found(WebhookId::WHAT))
    }
}

/// Queues a `webhook.test` delivery to one subscription, due now; returns it.
pub fn queue_test(conn: &mut DbConn, hooks: &Hooks, id: WebhookId) -> Result<Delivery, ApiError> {
    let webhook =
        store::get(conn, id.get())?.ok_or_else(|| ApiError::not_found(WebhookId::WHAT))?;
    let now = crate::db::now();
    conn.write_tx(|c| {
        hooks.enqueue_for(
            c,
            webhook.id,
            webhook.format,
            webhook.include_text,
            &Event::Test,
            now,
        )?;
        // The newest delivery of this subscription is the one just written (same transaction).
        store::deliveries_of(c, webhook.id, 1)?
            .pop()
            .ok_or_else(|| ApiError::internal("the test delivery was not stored"))
    })
}

/// Attempts one queued delivery at once, outside the worker (`flagpole webhook test`), and
/// records the outcome: delivered, left queued for the worker's next retry, or failed.
pub fn deliver_now(
    conn: &mut DbConn,
    settings: &crate::config::WebhookSettings,
    delivery: &Delivery,
) -> anyhow::Result<Attempt> {
    let sender = Sender::new(settings)?;
    let webhook = store::get(conn, delivery.webhook_id)?
        .ok_or_else(|| anyhow::anyhow!("the subscription was removed"))?;
    // As the worker does: the host is checked again before posting.
    let attempt = match target::check(&webhook.url, settings.allow_private_targets) {
        Err(why) => Attempt::Permanent(format!("URL refused: {why}")),
        Ok(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(sender.post(&webhook, delivery)),
    };
    let now = crate::db::now();
    match &attempt {
        Attempt::Sent => Sender::mark(conn, delivery.id, Mark::Sent(now))?,
        Attempt::Transient(why) => {
            let retry_at = now + sender.policy().backoff(1);
            Sender::mark(conn, delivery.id, Mark::Retry(retry_at, why))?
        }
        Attempt::Permanent(why) => Sender::mark(conn, delivery.id, Mark::Failed(why))?,
    }
    Ok(attempt)
}

/// The service the dashboard uses: each change reloads this instance's subscription list and
/// each queued delivery wakes the worker.
#[derive(Clone)]
pub struct Webhooks {
    db: Db,
    hooks: Arc<Hooks>,
    allow_private: bool,
}

impl Webhooks {
    pub fn new(db: Db, hooks: Arc<Hooks>, allow_private: bool) -> Webhooks {
        Webhooks {
            db,
            hooks,
            allow_private,
        }
    }

    pub async fn list(&self) -> Result<Vec<Webhook>, ApiError> {
        self.db.run(|c| Ok(store::list(c)?)).await
    }

    pub async fn add(&self, new: NewWebhook) -> Result<Webhook, ApiError> {
        let (hooks, allow) = (self.hooks.clone(), self.allow_private);
        // Resolving the host blocks: it runs on the blocking pool with the insert.
        self.db
            .run(move |c| {
                let webhook = add(c, &new, allow)?;
                hooks.refresh(c)?;
                Ok(webhook)
            })
            .await
    }

    pub async fn remove(&self, id: WebhookId) -> Result<(), ApiError> {
        let hooks = self.hooks.clone();
        self.db
            .run(move |c| {
                remove(c, id)?;
                Ok(hooks.refresh(c)?)
            })
            .await
    }

    pub async fn test(&self, id: WebhookId) -> Result<Delivery, ApiError> {
        let hooks = self.hooks.clone();
        let delivery = self.db.run(move |c| queue_test(c, &hooks, id)).await?;
        self.hooks.wake();
        Ok(delivery)
    }

    /// Newest first, optionally of one status.
    pub async fn deliveries(
        &self,
        status: Option<OutboxStatus>,
        limit: i64,
    ) -> Result<Vec<Delivery>, ApiError> {
        self.db
            .run(move |c| Ok(store::queue::list(c, status, limit)?))
            .await
    }

    /// Puts a failed delivery back in the queue, due now, and wakes the worker.
    pub async fn retry(&self, id: DeliveryId) -> Result<(), ApiError> {
        let retried = self
            .db
            .run(move |c| Ok(store::queue::retry(c, id.get(), crate::db::now())?))
            .await?;
        if !retried {
            return Err(ApiError::not_found("failed webhook delivery"));
        }
        self.hooks.wake();
        Ok(())
    }
}
