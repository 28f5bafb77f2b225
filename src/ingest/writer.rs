//! The group-commit writer. Votes and reports from all HTTP workers queue to a writer thread that
//! owns a connection and commits whatever has queued in one transaction, answering each request
//! only after COMMIT returns. With `synchronous = FULL` one fsync then covers many requests,
//! instead of one fsync each; nothing is acknowledged before it is durable.
//!
//! SQLite has one writer (it allows no more). On PostgreSQL several writer threads work side by
//! side, since there the cost is round trips, not the lock; each article always goes to the same
//! writer, so two writers never contend for one article's rows.
//!
//! On SQLite the writer does not wait for the disk itself. Its connection commits with
//! `synchronous = NORMAL` (the WAL is written to the OS at COMMIT but not flushed), and a
//! second thread, the syncer, flushes the WAL file with `fdatasync` and only then answers the
//! batch's requests. The writer meanwhile runs the next batch, and one flush covers every batch
//! committed before it began. A request is still answered only once its transaction is on disk:
//! the flush starts after its COMMIT wrote the frames, and SQLite never reuses WAL space before a
//! checkpoint has copied those frames into the database file and flushed it (which it does
//! under `NORMAL` as under `FULL`).
//!
//! Checkpoints, too, partly happen beside the writer: a checkpointer thread copies the WAL into
//! the database file every 200 ms, so the writer's own automatic checkpoint (at 2,000 pages; it
//! is what lets the WAL start over from its beginning) has less to copy and to flush.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::alerts::{self, Alerting, Trigger};
use crate::db::articles::{self, KnownArticles};
use crate::db::reports::{self, ReportOutcome};
use crate::db::submissions::{self, FirstAnswer};
use crate::db::votes::{self, VoteOutcome, VotesAdded};
use crate::db::{ConnectionManager, DbConn};
use crate::domain::{Lane, NewReport, NewVote, ReviewPolicies, SubmissionKind};
use crate::problems::store as problems;

/// What the writer applies to every job besides storing it.
pub struct Rules {
    /// The alert rules, evaluated in the job's transaction.
    pub alerting: Arc<Alerting>,
    /// Counted votes per client address (IPv6: per /64), article and day; None: no cap.
    pub vote_cap: Option<u32>,
    /// A new article's first review is due by these.
    pub review_policies: Arc<ReviewPolicies>,
}

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
    /// Over the cap for its address, article and day: not stored, not counted.
    VoteNotCounted,
    Report(ReportOutcome),
}

/// Why a write was not acknowledged. Nothing of it is stored in any case.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    /// The database could not be reached, or the disk refused the flush: an outage.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database refused the statement itself: a bug.
    #[error("the database refused the write: {0}")]
    Refused(String),
    /// The server is shutting down.
    #[error("the writer has stopped")]
    Stopped,
    #[error("the writer answered a different kind of job")]
    Mismatch,
}

impl WriteError {
    fn from_db(e: &diesel::result::Error) -> WriteError {
        if crate::db::is_outage(e) {
            WriteError::Unavailable(e.to_string())
        } else {
            WriteError::Refused(e.to_string())
        }
    }
}

impl From<WriteError> for crate::errors::ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Unavailable(_) | WriteError::Stopped => {
                crate::errors::ApiError::unavailable(e)
            }
            WriteError::Refused(_) | WriteError::Mismatch => crate::errors::ApiError::internal(e),
        }
    }
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
        rules: Arc<Rules>,
        threads: usize,
    ) -> std::io::Result<(Writer, Vec<JoinHandle<()>>)> {
        let mut queues = Vec::new();
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
            let (manager, rules) = (manager.clone(), rules.clone());
            let answer = match manager.sqlite_wal_path() {
                Some(wal) => {
                    let (syncer, handle) = Syncer::start(move || flush_file(&wal))?;
                    handles.push(handle);
                    let (checkpointer, handle) = start_checkpointer(manager.clone())?;
                    handles.push(handle);
                    Answer::AfterSync {
                        syncer,
                        _checkpointer: checkpointer,
                    }
                }
                None => Answer::Now,
            };
            handles.push(
                std::thread::Builder::new()
                    .name(format!("flagpole-writer-{i}"))
                    .spawn(move || run(manager, rules, rx, answer))?,
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
    /// Stores a vote; returns once it is committed, or None when its address is over the cap.
    pub async fn vote(&self, vote: NewVote) -> Result<Option<VoteOutcome>, WriteError> {
        match self.submit(Job::Vote(vote)).await? {
            Outcome::Vote(outcome) => Ok(Some(outcome)),
            Outcome::VoteNotCounted => Ok(None),
            Outcome::Report(_) => Err(WriteError::Mismatch),
        }
    }

    /// Stores a report; returns once it is committed.
    pub async fn report(&self, report: NewReport) -> Result<ReportOutcome, WriteError> {
        match self.submit(Job::Report(report)).await? {
            Outcome::Report(outcome) => Ok(outcome),
            Outcome::Vote(_) | Outcome::VoteNotCounted => Err(WriteError::Mismatch),
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

/// A job's result, with where it goes.
type Answered = (Reply, Result<Outcome, WriteError>);

/// How the writer answers a batch once it has committed.
enum Answer {
    /// The commit was durable when it returned (PostgreSQL).
    Now,
    /// The commit reached the OS; the syncer answers after flushing the WAL (SQLite). The
    /// checkpointer runs until this is dropped.
    AfterSync {
        syncer: Syncer,
        _checkpointer: std::sync::mpsc::Sender<()>,
    },
}

impl Answer {
    fn send(&self, answers: Vec<Answered>) {
        match self {
            Answer::Now => answers.into_iter().for_each(|(reply, result)| {
                let _ = reply.send(result);
            }),
            Answer::AfterSync { syncer, .. } => syncer.send(answers),
        }
    }
}

/// The thread that flushes the WAL and then answers the requests committed before the flush.
struct Syncer {
    batches: std::sync::mpsc::Sender<Vec<Answered>>,
}

impl Syncer {
    fn start(
        mut flush: impl FnMut() -> std::io::Result<()> + Send + 'static,
    ) -> std::io::Result<(Syncer, JoinHandle<()>)> {
        let (batches, rx) = std::sync::mpsc::channel::<Vec<Answered>>();
        let handle = std::thread::Builder::new()
            .name("flagpole-wal-sync".into())
            .spawn(move || {
                while let Ok(mut answers) = rx.recv() {
                    // Everything committed so far is covered by the one flush.
                    while let Ok(more) = rx.try_recv() {
                        answers.extend(more);
                    }
                    let flushed = flush().map_err(|e| {
                        tracing::error!(error = %e, "cannot flush the SQLite write-ahead log");
                        WriteError::Unavailable(format!("the write-ahead log was not flushed: {e}"))
                    });
                    for (reply, result) in answers {
                        let _ = reply.send(flushed.clone().and(result));
                    }
                }
            })?;
        Ok((Syncer { batches }, handle))
    }

    fn send(&self, answers: Vec<Answered>) {
        if let Err(unsent) = self.batches.send(answers) {
            // The syncer has gone (it only stops when the writer does): these are not known to be
            // on disk, so they are not acknowledged.
            for (reply, _) in unsent.0 {
                let _ = reply.send(Err(WriteError::Stopped));
            }
        }
    }
}

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Starts the thread that checkpoints the SQLite WAL beside the writer, on its own connection,
/// until the returned sender is dropped.
fn start_checkpointer(
    manager: ConnectionManager,
) -> std::io::Result<(std::sync::mpsc::Sender<()>, JoinHandle<()>)> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::Builder::new()
        .name("flagpole-checkpoint".into())
        .spawn(move || {
            let mut conn = None;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                let c = match conn.take() {
                    Some(c) => c,
                    None => match r2d2::ManageConnection::connect(&manager) {
                        Ok(c) => c,
                        Err(e) => {
                            tracing::warn!(error = %e, "checkpointer cannot open the database");
                            continue;
                        }
                    },
                };
                let mut c: DbConn = c;
                match c.checkpoint() {
                    Ok(()) => conn = Some(c),
                    Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
                }
            }
        })?;
    Ok((stop, handle))
}

/// Flushes a file's data to disk. Opened by path each time, so it is always the WAL SQLite is
/// using; a WAL that does not exist has nothing unflushed (SQLite removes it only after a full
/// checkpoint).
fn flush_file(path: &std::path::Path) -> std::io::Result<()> {
    match std::fs::File::open(path) {
        Ok(file) => file.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn run(
    manager: ConnectionManager,
    rules: Arc<Rules>,
    mut rx: mpsc::Receiver<(Job, Reply)>,
    answer: Answer,
) {
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
            None => match manager.open_writer() {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "writer cannot reach the database");
                    let err = WriteError::Unavailable(e.to_string());
                    answer.send(
                        batch
                            .into_iter()
                            .map(|(_, r)| (r, Err(err.clone())))
                            .collect(),
                    );
                    // Do not spin against a database that is down.
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    continue;
                }
            },
        };
        let (answers, c) = commit_batch(c, &mut known, &rules, batch);
        answer.send(answers);
        conn = c;
    }
}

/// Commits a batch in one transaction. If anything in it fails (a job, or COMMIT itself), none
/// of it was stored, and each job is retried in its own transaction so that one bad job, or a
/// deadlock with another instance, fails only itself. Returns each job's answer, and the
/// connection unless it looks broken.
fn commit_batch(
    mut conn: DbConn,
    known: &mut KnownArticles,
    rules: &Rules,
    mut batch: Vec<(Job, Reply)>,
) -> (Vec<Answered>, Option<DbConn>) {
    let started = Instant::now();
    let now = crate::db::now();
    // Keep one article's jobs together and in arrival order; a consistent order across instances
    // also makes deadlocks between them unlikely.
    batch.sort_by(|a, b| article_url(&a.0).cmp(article_url(&b.0)));
    let size = batch.len();
    let together = conn.write_tx(|c| {
        let jobs = batch.iter().map(|(job, _)| job);
        apply(c, known, rules, jobs, now)
    });
    let mut healthy = true;
    let mut emails = 0;
    let mut answers = Vec::with_capacity(size);
    match together {
        Ok((outcomes, n)) => {
            known.commit();
            emails += n;
            for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                answers.push((reply, Ok(outcome)));
            }
        }
        Err(e) => {
            known.discard();
            tracing::warn!(error = %e, size, "batch failed; committing its jobs one by one");
            for (job, reply) in batch {
                let result = conn
                    .write_tx(|c| apply(c, known, rules, std::iter::once(&job), now))
                    .map_err(|e| WriteError::from_db(&e));
                let result = match result {
                    Ok((mut outcomes, n)) => {
                        known.commit();
                        emails += n;
                        outcomes.pop().ok_or(WriteError::Mismatch)
                    }
                    Err(e) => {
                        known.discard();
                        healthy = conn.ping().is_ok();
                        Err(e)
                    }
                };
                answers.push((reply, result));
            }
        }
    }
    if emails > 0 {
        rules.alerting.wake();
    }
    metrics::histogram!("flagpole_write_batch_size").record(size as f64);
    metrics::histogram!("flagpole_write_batch_seconds").record(started.elapsed().as_secs_f64());
    (answers, healthy.then_some(conn))
}

fn article_url(job: &Job) -> &str {
    match job {
        Job::Vote(v) => &v.article.url,
        Job::Report(r) => &r.article.url,
    }
}

/// Stores the jobs and evaluates the alert rules they affect; returns each job's outcome, in
/// order, and how many e-mails were queued. A job whose submission key has been answered before
/// (a client's retry) gets that first answer and stores nothing. The batch's articles are found
/// (or created) and locked first; its votes go in together, add to each article's counters once,
/// and the vote rules are evaluated on the counters as they will be committed.
fn apply<'a>(
    conn: &mut DbConn,
    known: &mut KnownArticles,
    rules: &Rules,
    jobs: impl Iterator<Item = &'a Job>,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<(Vec<Outcome>, usize)> {
    let alerting = rules.alerting.as_ref();
    let jobs: Vec<&Job> = jobs.collect();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; jobs.len()];
    // Retries: answered before (an earlier batch), or a repeat of a job earlier in this batch.
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    let mut firsts: HashMap<(SubmissionKind, &str), usize> = HashMap::new();
    let answered = answered_before(conn, &jobs)?;
    for (i, job) in jobs.iter().enumerate() {
        let Some(key) = submission_key(job) else {
            continue;
        };
        if let Some(first) = answered.get(&key) {
            outcomes[i] = Some(first_outcome(first));
        } else if let Some(&first) = firsts.get(&key) {
            repeats.push((i, first));
        } else {
            firsts.insert(key, i);
        }
    }
    let fresh: Vec<usize> = (0..jobs.len())
        .filter(|i| outcomes[*i].is_none() && !repeats.iter().any(|(r, _)| r == i))
        .collect();

    // Each job's article, found once here for everything below.
    let mut jobs_on: Vec<(usize, i64, &Job)> = Vec::new();
    for &i in &fresh {
        let job = jobs[i];
        let (url, title, revision) = match job {
            Job::Vote(v) => (&v.article, &v.title, &v.revision),
            Job::Report(r) => (&r.article, &r.title, &r.revision),
        };
        let article_id = articles::find_or_create(
            conn,
            known,
            url,
            title.as_deref(),
            revision.as_deref(),
            &rules.review_policies,
            now,
        )?;
        jobs_on.push((i, article_id, job));
    }
    let mut ids: Vec<i64> = jobs_on.iter().map(|(_, id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    articles::lock(conn, &ids)?;

    let mut added = VotesAdded::default();
    let batch_votes: Vec<(i64, &NewVote)> = jobs_on
        .iter()
        .filter_map(|(_, id, job)| match job {
            Job::Vote(v) => Some((*id, v)),
            Job::Report(_) => None,
        })
        .collect();
    let counted = match rules.vote_cap {
        Some(cap) => within_cap(conn, cap, &batch_votes)?,
        None => vec![true; batch_votes.len()],
    };
    let to_store: Vec<(i64, &NewVote)> = batch_votes
        .iter()
        .zip(&counted)
        .filter(|(_, counted)| **counted)
        .map(|(vote, _)| *vote)
        .collect();
    let stored = votes::record_all(conn, &to_store, now, &mut added)?;
    if rules.vote_cap.is_some() {
        let mut per_address: HashMap<&str, i64> = HashMap::new();
        for ((_, vote), outcome) in to_store.iter().zip(&stored) {
            if outcome.created {
                *per_address.entry(vote.address_key.as_str()).or_default() += 1;
            }
        }
        votes::count_for_addresses(conn, &per_address, now.date())?;
    }
    let mut stored = stored.into_iter();
    let mut counted = counted.into_iter();
    let mut emails = 0;
    for (i, article_id, job) in jobs_on {
        let outcome = match job {
            Job::Vote(_) => match counted.next() {
                Some(true) => Outcome::Vote(stored.next().ok_or(diesel::result::Error::NotFound)?),
                _ => Outcome::VoteNotCounted,
            },
            Job::Report(r) => {
                let outcome = reports::record(conn, article_id, r, now)?;
                if r.lane == Lane::Queue {
                    // In this transaction, under the article's lock: two readers reporting the
                    // same problem at once meet in one problem.
                    let text = problems::analyse(
                        r.category,
                        r.quote.as_deref(),
                        r.details.as_deref(),
                        r.lang.as_deref(),
                    );
                    let problem =
                        problems::assign(conn, article_id, outcome.report_id, &text, now)?;
                    emails += alerting.webhooks.report_created(
                        conn,
                        article_id,
                        outcome.report_id,
                        problem,
                        r,
                        now,
                    )?;
                }
                if reports::counts(r.status, r.lane) {
                    articles::refresh_report_score(conn, article_id, now)?;
                }
                let trigger = Trigger::Report {
                    category: r.category,
                    open: r.status.is_open(),
                };
                emails += alerts::evaluate(conn, alerting, article_id, trigger, now)?;
                Outcome::Report(outcome)
            }
        };
        if let Some(answer) = submission_key(job).and_then(|(k, key)| answer_of(k, key, outcome)) {
            submissions::remember(conn, &answer, now)?;
        }
        outcomes[i] = Some(outcome);
    }
    for (repeat, first) in repeats {
        outcomes[repeat] = outcomes[first];
    }
    emails += store_votes(conn, alerting, added, now)?;
    let outcomes = outcomes
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or(diesel::result::Error::NotFound)?;
    Ok((outcomes, emails))
}

fn submission_key(job: &Job) -> Option<(SubmissionKind, &str)> {
    match job {
        Job::Vote(v) => v
            .submission_key
            .as_deref()
            .map(|k| (SubmissionKind::Vote, k)),
        Job::Report(r) => r
            .submission_key
            .as_deref()
            .map(|k| (SubmissionKind::Report, k)),
    }
}

/// The first answers already given to the batch's submission keys.
fn answered_before<'j>(
    conn: &mut DbConn,
    jobs: &[&'j Job],
) -> diesel::QueryResult<HashMap<(SubmissionKind, &'j str), FirstAnswer>> {
    let mut found = HashMap::new();
    for kind in SubmissionKind::ALL {
        let keys: Vec<&str> = jobs
            .iter()
            .filter_map(|j| submission_key(j))
            .filter(|(k, _)| *k == kind)
            .map(|(_, key)| key)
            .collect();
        for answer in submissions::find(conn, kind, &keys)? {
            if let Some(key) = keys.iter().find(|k| **k == answer.key) {
                found.insert((kind, *key), answer);
            }
        }
    }
    Ok(found)
}

fn first_outcome(first: &FirstAnswer) -> Outcome {
    match first.kind {
        SubmissionKind::Vote => Outcome::Vote(VoteOutcome {
            vote_id: first.record_id,
            article_id: first.article_id,
            created: first.created,
        }),
        SubmissionKind::Report => Outcome::Report(ReportOutcome {
            report_id: first.record_id,
            article_id: first.article_id,
        }),
    }
}

/// The answer to remember for a retry; a vote that was not counted is not remembered (a retry
/// is judged again, and is not counted either while the address is over the cap).
fn answer_of(kind: SubmissionKind, key: &str, outcome: Outcome) -> Option<FirstAnswer> {
    let (record_id, article_id, created) = match outcome {
        Outcome::Vote(v) => (v.vote_id, v.article_id, v.created),
        Outcome::VoteNotCounted => return None,
        Outcome::Report(r) => (r.report_id, r.article_id, true),
    };
    Some(FirstAnswer {
        kind,
        key: key.to_string(),
        record_id,
        article_id,
        created,
    })
}

/// Which of a batch's votes count: each address may give `cap` counted votes per article and day
/// (its key names both, under the day's salt). A vote beyond that still counts if it replaces the
/// same reader's earlier vote today, since it adds nothing; any other is not stored.
fn within_cap(
    conn: &mut DbConn,
    cap: u32,
    batch: &[(i64, &NewVote)],
) -> diesel::QueryResult<Vec<bool>> {
    let keys: Vec<&str> = batch.iter().map(|(_, v)| v.address_key.as_str()).collect();
    let mut counts = votes::address_counts(conn, &keys)?;
    let mut verdicts = Vec::with_capacity(batch.len());
    for (article_id, vote) in batch {
        let count = counts
            .entry(vote.address_key.as_str().to_string())
            .or_default();
        let within = if *count < i64::from(cap) {
            // Counted tentatively: a replacement among these is not added to the stored count.
            *count += 1;
            true
        } else {
            votes::voted_today(conn, *article_id, vote.visitor_key.as_str())?
        };
        verdicts.push(within);
    }
    Ok(verdicts)
}

/// Adds votes to the counters and evaluates the vote rules; returns the e-mails queued.
fn store_votes(
    conn: &mut DbConn,
    alerting: &Alerting,
    added: VotesAdded,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let mut emails = 0;
    for voted in added.store(conn, now)? {
        let trigger = Trigger::Vote {
            helpful: !voted.any_no,
            totals: voted.totals,
        };
        emails += alerts::evaluate(conn, alerting, voted.article_id, trigger, now)?;
    }
    Ok(emails)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome() -> Result<Outcome, WriteError> {
        Ok(Outcome::Vote(VoteOutcome {
            vote_id: 1,
            article_id: 1,
            created: true,
        }))
    }

    #[test]
    fn the_syncer_answers_only_after_the_flush() {
        let (flushing, flushed) = std::sync::mpsc::channel::<()>();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (syncer, handle) = Syncer::start(move || {
            let _ = flushing.send(());
            released.recv().map_err(std::io::Error::other)
        })
        .expect("syncer");
        let (reply, mut answer) = oneshot::channel();
        syncer.send(vec![(reply, outcome())]);
        flushed.recv().expect("the flush began");
        assert!(
            answer.try_recv().is_err(),
            "answered before the flush ended"
        );
        release.send(()).expect("release");
        drop(syncer);
        handle.join().expect("syncer thread");
        assert!(matches!(answer.try_recv(), Ok(Ok(Outcome::Vote(_)))));
    }

    #[test]
    fn a_failed_flush_acknowledges_nothing() {
        let (syncer, handle) =
            Syncer::start(|| Err(std::io::Error::other("disk gone"))).expect("syncer");
        let (reply, mut answer) = oneshot::channel();
        syncer.send(vec![(reply, outcome())]);
        drop(syncer);
        handle.join().expect("syncer thread");
        assert!(matches!(
            answer.try_recv(),
            Ok(Err(WriteError::Unavailable(_)))
        ));
    }
}
