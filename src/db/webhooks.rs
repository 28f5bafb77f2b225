//! Webhook subscriptions and their deliveries: storage only. Deliveries are a queue like the
//! e-mail outbox and share its queries (`queue`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{webhook_deliveries as deliveries, webhooks};
use super::DbConn;
use crate::domain::{OutboxStatus, WebhookEvent, WebhookFormat};
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// Event identifiers, comma-separated; see [`Webhook::events`].
    pub events: String,
    pub format: WebhookFormat,
    pub secret: String,
    pub include_text: bool,
    pub created_at: NaiveDateTime,
}

impl Webhook {
    /// The subscribed events. An identifier this version does not know is skipped, not fatal:
    /// the column is written only through [`insert`] from validated values.
    pub fn events(&self) -> Vec<WebhookEvent> {
        self.events
            .split(',')
            .filter_map(WebhookEvent::parse)
            .collect()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: WebhookEvent,
    pub dedupe_key: Option<String>,
    pub body: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConn,
    url: &str,
    events: &[WebhookEvent],
    format: WebhookFormat,
    secret: &str,
    include_text: bool,
    now: NaiveDateTime,
) -> QueryResult<Webhook> {
    let events = events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",");
    with_conn!(conn, |c| diesel::insert_into(webhooks::table)
        .values((
            webhooks::url.eq(url),
            webhooks::events.eq(&events),
            webhooks::format.eq(format),
            webhooks::secret.eq(secret),
            webhooks::include_text.eq(include_text),
            webhooks::created_at.eq(now),
        ))
        .returning(Webhook::as_returning())
        .get_result(c))
}

/// Oldest first.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Webhook>> {
    with_conn!(conn, |c| webhooks::table
        .order(webhooks::id.asc())
        .select(Webhook::as_select())
        .load(c))
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<Webhook>> {
    with_conn!(conn, |c| webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .get_result(c)
        .optional())
}

/// Deletes a subscription and its deliveries; false when there was none.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    conn.write_tx(|conn| {
        with_conn!(conn, |c| diesel::delete(
            deliveries::table.filter(deliveries::webhook_id.eq(id))
        )
        .execute(c))?;
        let n = with_conn!(conn, |c| diesel::delete(webhooks::table.find(id))
            .execute(c))?;
        Ok(n > 0)
    })
}

/// A delivery to queue.
pub struct NewDelivery<'a> {
    pub webhook_id: i64,
    pub event: WebhookEvent,
    /// Only one delivery with this key is ever queued (a weekly digest's, say).
    pub dedupe_key: Option<String>,
    pub body: &'a str,
}

/// Queues a delivery, due now; false when one with the same dedupe key exists.
pub fn enqueue(conn: &mut DbConn, d: &NewDelivery, now: NaiveDateTime) -> QueryResult<bool> {
    let n = with_conn!(conn, |c| diesel::insert_into(deliveries::table)
        .values((
            deliveries::webhook_id.eq(d.webhook_id),
            deliveries::event.eq(d.event),
            deliveries::dedupe_key.eq(&d.dedupe_key),
            deliveries::body.eq(d.body),
            deliveries::status.eq(OutboxStatus::Pending),
            deliveries::next_attempt_at.eq(now),
            deliveries::created_at.eq(now),
        ))
        .on_conflict(deliveries::dedupe_key)
        .do_nothing()
        .execute(c))?;
    Ok(n > 0)
}

pub fn get_delivery(conn: &mut DbConn, id: i64) -> QueryResult<Option<Delivery>> {
    with_conn!(conn, |c| deliveries::table
        .find(id)
        .select(Delivery::as_select())
        .get_result(c)
        .optional())
}

/// One subscription's deliveries, newest first.
pub fn deliveries_of(conn: &mut DbConn, webhook_id: i64, limit: i64) -> QueryResult<Vec<Delivery>> {
    with_conn!(conn, |c| deliveries::table
        .filter(deliveries::webhook_id.eq(webhook_id))
        .order(deliveries::id.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(c))
}

/// The deliveries as a queue: claimed, marked, retried, listed and counted like the outbox.
pub mod queue {
    use diesel::prelude::*;

    use super::Delivery;

    crate::db::queue::retry_queue!(webhook_deliveries, Delivery);
}
