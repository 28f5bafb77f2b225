//! The group-commit writer. Votes and reports from all HTTP workers queue to a writer thread that
//! owns a connection and commits whatever has queued in one transaction, answering each request
//! only after COMMIT returns. With `synchronous = FULL` one fsync then covers many requests,
//! instead of one fsync each; nothing is acknowledged before it is durable.
//!
//! SQLite has one writer (it allows no more). On PostgreSQL several writer threads work side by
//! side, since there the cost is round trips, not the lock; each article always goes to the same
//! writer, so two writers never contend for one article's rows.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::articles::KnownArticles;
use super::reports::{self, NewReport, ReportOutcome};
use super::votes::{self, NewVote, VoteOutcome};
use super::{ConnectionManager, DbConn};
use crate::alerts::{self, Alerting, Trigger};

/// Most jobs committed in one transaction; bounds how long the first request in a batch waits.
const MAX_BATCH: usize = 512;
/// Requests waiting for the writer before senders are made to wait (back-pressure).
const QUEUE_DEPTH: usize = 8192;

#[derive(Debug)]
enum Job {
    Vote(NewVote),
    Report(NewReport),
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Vote(VoteOutcome),
    Report(ReportOutcome),
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("the database refused the write: {0}")]
    Database(String),
    #[error("the writer has stopped")]
    Stopped,
    #[error("the writer answered a different kind of job")]
    Mismatch,
}

type Reply = oneshot::Sender<Result<Outcome, WriteError>>;

/// A handle to the writer threads; cheap to clone. The threads end once every handle is dropped
/// and their queues are drained.
#[derive(Clone)]
pub struct Writer {
    queues: Arc<[mpsc::Sender<(Job, Reply)>]>,
}

impl Writer {
    /// Starts `threads` writer threads (at least one). Alert rules are evaluated inside each
    /// write's transaction.
    pub fn start(
        manager: ConnectionManager,
        alerting: Arc<Alerting>,
        threads: usize,
    ) -> std::io::Result<(Writer, Vec<JoinHandle<()>>)> {
        let mut queues = Vec::new();
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
            let (manager, alerting) = (manager.clone(), alerting.clone());
            handles.push(
                std::thread::Builder::new()
                    .name(format!("flagpole-writer-{i}"))
                    .spawn(move || run(manager, alerting, rx))?,
            );
            queues.push(queue);
        }
        Ok((
            Writer {
                queues: queues.into(),
            },
            handles,
        ))
    }

    /// Stores a vote; returns once it is committed.
    pub async fn vote(&self, vote: NewVote) -> Result<VoteOutcome, WriteError> {
        match self.submit(Job::Vote(vote)).await? {
            Outcome::Vote(outcome) => Ok(outcome),
            Outcome::Report(_) => Err(WriteError::Mismatch),
        }
    }

    /// Stores a report; returns once it is committed.
    pub async fn report(&self, report: NewReport) -> Result<ReportOutcome, WriteError> {
        match self.submit(Job::Report(report)).await? {
            Outcome::Report(outcome) => Ok(outcome),
            Outcome::Vote(_) => Err(WriteError::Mismatch),
        }
    }

    async fn submit(&self, job: Job) -> Result<Outcome, WriteError> {
        let (reply, answer) = oneshot::channel();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        article_url(&job).hash(&mut hasher);
        let queue = &self.queues[hasher.finish() as usize % self.queues.len()];
        queue
            .send((job, reply))
            .await
            .map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?
    }
}

fn run(manager: ConnectionManager, alerting: Arc<Alerting>, mut rx: mpsc::Receiver<(Job, Reply)>) {
    let mut conn: Option<DbConn> = None;
    let mut known = KnownArticles::default();
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let c = match conn.take() {
            Some(c) => c,
            None => match r2d2::ManageConnection::connect(&manager) {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "writer cannot reach the database");
                    let err = WriteError::Database(e.to_string());
                    for (_, reply) in batch {
                        let _ = reply.send(Err(err.clone()));
                    }
                    // Do not spin against a database that is down.
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    continue;
                }
            },
        };
        conn = commit_batch(c, &mut known, &alerting, batch);
    }
}

/// Commits a batch in one transaction. If anything in it fails (a job, or COMMIT itself), none
/// of it was stored, and each job is retried in its own transaction so that one bad job, or a
/// deadlock with another instance, fails only itself. Returns the connection unless it looks
/// broken.
fn commit_batch(
    mut conn: DbConn,
    known: &mut KnownArticles,
    alerting: &Alerting,
    mut batch: Vec<(Job, Reply)>,
) -> Option<DbConn> {
    let started = Instant::now();
    let now = super::now();
    // Keep one article's jobs together and in arrival order; a consistent order across instances
    // also makes deadlocks between them unlikely.
    batch.sort_by(|a, b| article_url(&a.0).cmp(article_url(&b.0)));
    let size = batch.len();
    let together = conn.write_tx(|c| {
        batch
            .iter()
            .map(|(job, _)| apply(c, known, alerting, job, now))
            .collect::<diesel::QueryResult<Vec<_>>>()
    });
    let mut healthy = true;
    let mut emails = 0;
    match together {
        Ok(results) => {
            known.commit();
            for ((_, reply), (outcome, n)) in batch.into_iter().zip(results) {
                emails += n;
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            known.discard();
            tracing::warn!(error = %e, size, "batch failed; committing its jobs one by one");
            for (job, reply) in batch {
                let result = conn
                    .write_tx(|c| apply(c, known, alerting, &job, now))
                    .map_err(|e| WriteError::Database(e.to_string()));
                match &result {
                    Ok((_, n)) => {
                        known.commit();
                        emails += n;
                    }
                    Err(_) => {
                        known.discard();
                        healthy = conn.ping().is_ok();
                    }
                }
                let _ = reply.send(result.map(|(outcome, _)| outcome));
            }
        }
    }
    if emails > 0 {
        alerting.queued.notify_one();
    }
    metrics::histogram!("flagpole_write_batch_size").record(size as f64);
    metrics::histogram!("flagpole_write_batch_seconds").record(started.elapsed().as_secs_f64());
    healthy.then_some(conn)
}

fn article_url(job: &Job) -> &str {
    match job {
        Job::Vote(v) => &v.article.url,
        Job::Report(r) => &r.article.url,
    }
}

/// Stores one job and evaluates the alert rules it affects; returns its outcome and how many
/// e-mails it queued.
fn apply(
    conn: &mut DbConn,
    known: &mut KnownArticles,
    alerting: &Alerting,
    job: &Job,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<(Outcome, usize)> {
    match job {
        Job::Vote(v) => {
            let outcome = votes::record(conn, known, v, now)?;
            let trigger = Trigger::Vote {
                helpful: v.helpful,
                totals: outcome.totals,
            };
            let emails = alerts::evaluate(conn, alerting, outcome.article_id, trigger, now)?;
            Ok((Outcome::Vote(outcome), emails))
        }
        Job::Report(r) => {
            let outcome = reports::record(conn, known, r, now)?;
            let trigger = Trigger::Report {
                category: r.category,
                open: r.status.is_open(),
            };
            let emails = alerts::evaluate(conn, alerting, outcome.article_id, trigger, now)?;
            Ok((Outcome::Report(outcome), emails))
        }
    }
}
