//! The delivery loop every outgoing queue shares (the e-mail outbox, webhook deliveries): claim
//! due rows with a lease, attempt each, and record the outcome: sent; retried later with
//! exponential backoff and jitter; or failed (a permanent refusal, or the last attempt). Each
//! outcome is counted in a Prometheus counter.
//!
//! A crash between the receiver accepting a message and the worker recording it leaves the row
//! leased; when the lease runs out it is sent again. The window is the time of one database
//! write, and the repeat carries the same id (Message-ID, `Flagpole-Delivery`), so receivers can
//! tell.
//!
//! May import: `db`. Each channel (`mail::delivery`, `webhooks::send`) brings its own queries and
//! transport.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use tokio::sync::{watch, Notify};

pub use crate::db::queue::Mark;
use crate::db::{self, DbConn, Pool};

/// How many rows one claim takes.
const CLAIM_BATCH: i64 = 10;

/// What became of one attempt.
#[derive(Debug)]
pub enum Attempt {
    Sent,
    /// Worth trying again later (receiver down, busy, time-out).
    Transient(String),
    /// Will never work (refused for good, or a message that cannot be built).
    Permanent(String),
}

/// How often and how patiently a channel retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: i32,
    pub retry_base_secs: u64,
    /// One attempt's time-out: the lease is a few of these.
    pub timeout_secs: u64,
    /// How often the worker looks for due rows when nobody wakes it.
    pub poll_secs: u64,
}

impl RetryPolicy {
    /// When to try again after `attempts` failed attempts: base × 2^(attempts−1), capped at six
    /// hours, plus up to a quarter more at random so that many failures do not all retry at once.
    pub fn backoff(&self, attempts: i32) -> TimeDelta {
        let exp = attempts.clamp(1, 20) - 1;
        let base = self.retry_base_secs.max(1) as f64 * 2f64.powi(exp);
        let capped = base.min(6.0 * 3600.0);
        let jitter = capped * 0.25 * rand::random::<f64>();
        TimeDelta::milliseconds(((capped + jitter) * 1000.0) as i64)
    }

    fn lease(&self) -> TimeDelta {
        TimeDelta::seconds(self.timeout_secs as i64 * 4 + 30)
    }
}

/// One queue and its transport.
pub trait Channel: Send + Sync + 'static {
    type Row: Send + 'static;
    /// The counter of outcomes, labelled `kind` and `result` (sent, retry, failed).
    const METRIC: &'static str;
    /// What a row is, in log lines ("e-mail").
    const WHAT: &'static str;

    fn policy(&self) -> RetryPolicy;
    fn claim(
        conn: &mut DbConn,
        now: NaiveDateTime,
        lease: TimeDelta,
        limit: i64,
    ) -> diesel::QueryResult<Vec<Self::Row>>;
    fn mark(conn: &mut DbConn, id: i64, mark: Mark) -> diesel::QueryResult<()>;
    /// The row's id and attempts so far (this one included).
    fn id_and_attempts(row: &Self::Row) -> (i64, i32);
    /// The `kind` label of the row's metric.
    fn kind(row: &Self::Row) -> &'static str;
    fn attempt(&self, pool: &Pool, row: &Self::Row) -> impl Future<Output = Attempt> + Send;
}

/// Runs until `stop` turns true, finishing the row in hand first.
pub async fn run<C: Channel>(
    pool: Pool,
    channel: C,
    queued: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let channel = Arc::new(channel);
    let policy = channel.policy();
    let poll = Duration::from_secs(policy.poll_secs);
    while !*stop.borrow() {
        let claimed = {
            let pool = pool.clone();
            let lease = policy.lease();
            tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<C::Row>> {
                let mut conn = pool.get()?;
                Ok(C::claim(&mut conn, db::now(), lease, CLAIM_BATCH)?)
            })
            .await
        };
        let rows = match claimed {
            Ok(Ok(rows)) => rows,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, what = C::WHAT, "cannot claim due deliveries");
                Vec::new()
            }
            Err(e) => {
                tracing::error!(error = %e, what = C::WHAT, "claiming deliveries panicked");
                Vec::new()
            }
        };
        if rows.is_empty() {
            tokio::select! {
                _ = queued.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        for row in rows {
            let attempt = channel.attempt(&pool, &row).await;
            record::<C>(&pool, policy, &row, attempt).await;
        }
    }
}

/// Records one attempt's outcome and counts it.
pub async fn record<C: Channel>(pool: &Pool, policy: RetryPolicy, row: &C::Row, attempt: Attempt) {
    let (id, attempts) = C::id_and_attempts(row);
    let kind = C::kind(row);
    let retry_at = db::now() + policy.backoff(attempts);
    let pool = pool.clone();
    let outcome = tokio::task::spawn_blocking(move || -> anyhow::Result<&'static str> {
        let mut conn = pool.get()?;
        let what = C::WHAT;
        Ok(match attempt {
            Attempt::Sent => {
                C::mark(&mut conn, id, Mark::Sent(db::now()))?;
                "sent"
            }
            Attempt::Transient(e) if attempts < policy.max_attempts => {
                tracing::warn!(id, attempts, what, error = %e, "not delivered; will retry");
                C::mark(&mut conn, id, Mark::Retry(retry_at, &e))?;
                "retry"
            }
            Attempt::Transient(e) | Attempt::Permanent(e) => {
                tracing::error!(id, attempts, what, error = %e, "delivery failed for good");
                C::mark(&mut conn, id, Mark::Failed(&e))?;
                "failed"
            }
        })
    })
    .await;
    match outcome {
        Ok(Ok(result)) => {
            metrics::counter!(C::METRIC, "kind" => kind, "result" => result).increment(1)
        }
        Ok(Err(e)) => tracing::error!(id, what = C::WHAT, error = %e, "cannot record outcome"),
        Err(e) => tracing::error!(id, what = C::WHAT, error = %e, "recording outcome panicked"),
    }
}
