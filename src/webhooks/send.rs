//! The webhook worker's channel for the shared delivery loop (`crate::delivery`): each delivery
//! is posted, signed, to its subscription's URL. A 2xx answer delivers it; anything else (an
//! error status, a time-out, a refused or dropped connection) is retried with backoff until
//! `webhooks.max_attempts`. Redirects are not followed: a redirect could lead anywhere,
//! including the inner network the URL check keeps out.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use super::sign::{signature, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER};
use crate::config::WebhookSettings;
use crate::db::webhooks::{self as store, Delivery, Webhook};
use crate::db::{DbConn, Pool};
use crate::delivery::{Attempt, Channel, Mark, RetryPolicy};

/// A subscription and whether its URL may be posted to now.
type Checked = (Webhook, Result<(), String>);

pub struct Sender {
    client: reqwest::Client,
    settings: WebhookSettings,
}

impl Sender {
    pub fn new(settings: &WebhookSettings) -> anyhow::Result<Sender> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("flagpole-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("webhooks: cannot build the HTTP client: {e}"))?;
        Ok(Sender {
            client,
            settings: settings.clone(),
        })
    }

    /// One signed POST of `delivery` to `webhook`.
    pub async fn post(&self, webhook: &Webhook, delivery: &Delivery) -> Attempt {
        let t = chrono::Utc::now().timestamp();
        let sent = self
            .client
            .post(&webhook.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                SIGNATURE_HEADER,
                signature(&webhook.secret, t, delivery.body.as_bytes()),
            )
            .header(DELIVERY_HEADER, delivery.id.to_string())
            .header(EVENT_HEADER, delivery.event.as_str())
            .body(delivery.body.clone())
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => Attempt::Sent,
            Ok(answer) => Attempt::Transient(format!("the receiver answered {}", answer.status())),
            Err(e) if e.is_timeout() => {
                Attempt::Transient(format!("no answer within {} s", self.settings.timeout_secs))
            }
            Err(e) => Attempt::Transient(describe(&e)),
        }
    }
}

/// What went wrong, with its causes but without the URL (the page shows it beside):
/// "cannot connect: tcp connect error: Connection refused (os error 111)".
fn describe(e: &reqwest::Error) -> String {
    let mut text = String::from(if e.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    });
    // The first source is hyper's "client error (Connect)", which says nothing more.
    let mut source = std::error::Error::source(e).and_then(|s| s.source());
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Channel for Sender {
    type Row = Delivery;
    const METRIC: &'static str = "flagpole_webhooks_total";
    const WHAT: &'static str = "webhook";

    fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.settings.max_attempts,
            retry_base_secs: self.settings.retry_base_secs,
            timeout_secs: self.settings.timeout_secs,
            poll_secs: self.settings.poll_secs,
        }
    }

    fn claim(
        conn: &mut DbConn,
        now: NaiveDateTime,
        lease: TimeDelta,
        limit: i64,
    ) -> diesel::QueryResult<Vec<Delivery>> {
        store::queue::claim_due(conn, now, lease, limit)
    }

    fn mark(conn: &mut DbConn, id: i64, mark: Mark) -> diesel::QueryResult<()> {
        store::queue::mark(conn, id, mark)
    }

    fn id_and_attempts(row: &Delivery) -> (i64, i32) {
        (row.id, row.attempts)
    }

    fn kind(row: &Delivery) -> &'static str {
        row.event.as_str()
    }

    async fn attempt(&self, pool: &Pool, row: &Delivery) -> Attempt {
        let (pool, id) = (pool.clone(), row.webhook_id);
        let allow_private = self.settings.allow_private_targets;
        // The host is checked again before each post (it resolves on the blocking pool with the
        // lookup): its DNS may have changed since it was subscribed.
        let webhook = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<Checked>> {
            let mut conn = pool.get()?;
            Ok(store::get(&mut conn, id)?.map(|w| {
                let target = super::target::check(&w.url, allow_private).map(|_| ());
                (w, target)
            }))
        })
        .await;
        match webhook {
            Ok(Ok(Some((webhook, Ok(()))))) => self.post(&webhook, row).await,
            Ok(Ok(Some((_, Err(why))))) => Attempt::Permanent(format!("URL refused: {why}")),
            Ok(Ok(None)) => Attempt::Permanent("the subscription was removed".into()),
            Ok(Err(e)) => Attempt::Transient(format!("cannot load the subscription: {e}")),
            Err(e) => Attempt::Transient(format!("loading the subscription panicked: {e}")),
        }
    }
}
