//! Webhooks: administrators subscribe a URL to events (`alert.fired`, `report.created`,
//! `problem.resolved`, `digest.ready`) in one of three formats (flagpole's versioned JSON, a
//! Slack message, a Teams card). Each event is written as a delivery in the transaction of the
//! change that caused it ([`Hooks`]), and the webhook worker (`send`, on the shared delivery
//! loop) posts it signed with the subscription's secret, retrying like the e-mail outbox.
//!
//! What a delivery may carry: never a reader's e-mail address; reader text only in the JSON
//! format, only when the subscription asked for it, and with any e-mail address in it redacted.
//!
//! May import: `config`, `db`, `delivery`, `domain`, `errors`, `mail` (text helpers). Called by
//! alerts, ingest, triage and digest inside their transactions; managed by the dashboard and the
//! CLI through `service`.

pub mod payload;
pub mod send;
pub mod service;
pub mod sign;
pub mod target;

use std::sync::{Arc, RwLock};

use chrono::{NaiveDate, NaiveDateTime};
use tokio::sync::Notify;

use crate::db::webhooks::{self as store, NewDelivery};
use crate::db::DbConn;
use crate::domain::{Category, NewReport, WebhookEvent, WebhookFormat};

pub use service::Webhooks;

/// The article an event is about.
#[derive(Debug, Clone)]
pub struct ArticleRef {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
}

/// One alert rule that fired, as the alert e-mail explains it.
#[derive(Debug, Clone)]
pub struct AlertRef {
    pub id: i64,
    pub rule: String,
    /// One sentence saying why.
    pub reason: String,
    /// The figures that made it fire, as stored with the alert.
    pub figures: serde_json::Value,
}

/// Something a subscription can be told about.
#[derive(Debug, Clone)]
pub enum Event {
    AlertFired {
        article: ArticleRef,
        alerts: Vec<AlertRef>,
    },
    ReportCreated {
        article: ArticleRef,
        report_id: i64,
        problem_id: Option<i64>,
        category: Category,
        /// Reader text: only ever sent in the JSON format to subscriptions that include text.
        quote: Option<String>,
        details: Option<String>,
    },
    ProblemResolved {
        article: ArticleRef,
        problem_id: Option<i64>,
        report_ids: Vec<i64>,
        /// The editor's note.
        note: Option<String>,
    },
    DigestReady {
        week: String,
        from: NaiveDate,
        to: NaiveDate,
        /// Editors the digest was queued for.
        recipients: usize,
    },
    Test,
}

impl Event {
    pub fn kind(&self) -> WebhookEvent {
        match self {
            Event::AlertFired { .. } => WebhookEvent::AlertFired,
            Event::ReportCreated { .. } => WebhookEvent::ReportCreated,
            Event::ProblemResolved { .. } => WebhookEvent::ProblemResolved,
            Event::DigestReady { .. } => WebhookEvent::DigestReady,
            Event::Test => WebhookEvent::Test,
        }
    }

    /// Events that must reach a subscription once however often they are raised: a week's
    /// digest is queued by whichever instance (or `flagpole digest send`) gets there first.
    fn dedupe_key(&self, webhook_id: i64) -> Option<String> {
        match self {
            Event::DigestReady { week, .. } => Some(format!("digest.ready:{week}:{webhook_id}")),
            _ => None,
        }
    }
}

/// What queueing needs of a subscription (never its URL or secret).
#[derive(Debug, Clone)]
struct Subscribed {
    id: i64,
    events: Vec<WebhookEvent>,
    format: WebhookFormat,
    include_text: bool,
}

/// The hook the other capabilities call inside their transactions. The subscription list is
/// kept in memory, so a report that no subscription wants costs one look at a short vector and
/// no query: it is reloaded when this instance changes a subscription and every minute (another
/// instance's or the CLI's changes).
pub struct Hooks {
    subscriptions: RwLock<Arc<Vec<Subscribed>>>,
    /// Wakes the webhook worker.
    queued: Arc<Notify>,
    public_url: String,
}

impl Hooks {
    pub fn new(public_url: &str) -> Hooks {
        Hooks {
            subscriptions: RwLock::new(Arc::new(Vec::new())),
            queued: Arc::new(Notify::new()),
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    /// Reloads the subscription list.
    pub fn refresh(&self, conn: &mut DbConn) -> diesel::QueryResult<()> {
        let list: Vec<Subscribed> = store::list(conn)?
            .into_iter()
            .map(|w| Subscribed {
                id: w.id,
                events: w.events(),
                format: w.format,
                include_text: w.include_text,
            })
            .collect();
        // A poisoned lock only means a panic elsewhere mid-write of a plain vector: replace it.
        match self.subscriptions.write() {
            Ok(mut s) => *s = Arc::new(list),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(list),
        }
        Ok(())
    }

    fn current(&self) -> Arc<Vec<Subscribed>> {
        match self.subscriptions.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Whether any subscription wants `event`: callers skip building the event otherwise.
    pub fn wants(&self, event: WebhookEvent) -> bool {
        self.current().iter().any(|s| s.events.contains(&event))
    }

    /// The notifier the webhook worker waits on.
    pub fn queued(&self) -> Arc<Notify> {
        self.queued.clone()
    }

    /// Wakes the webhook worker; call after the transaction that queued deliveries commits.
    pub fn wake(&self) {
        self.queued.notify_one();
    }

    /// Queues `event` for every subscription that wants it; call inside the transaction of the
    /// change. Returns how many deliveries were queued.
    pub fn enqueue(
        &self,
        conn: &mut DbConn,
        event: &Event,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<usize> {
        let kind = event.kind();
        let subscriptions = self.current();
        let mut queued = 0;
        for s in subscriptions.iter().filter(|s| s.events.contains(&kind)) {
            queued +=
                usize::from(self.enqueue_for(conn, s.id, s.format, s.include_text, event, now)?);
        }
        Ok(queued)
    }

    /// Queues `event` for one subscription, whatever it subscribed to (the test event).
    pub(super) fn enqueue_for(
        &self,
        conn: &mut DbConn,
        webhook_id: i64,
        format: WebhookFormat,
        include_text: bool,
        event: &Event,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<bool> {
        let body = payload::render(event, format, include_text, &self.public_url, now)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        store::enqueue(
            conn,
            &NewDelivery {
                webhook_id,
                event: event.kind(),
                dedupe_key: event.dedupe_key(webhook_id),
                body: &body,
            },
            now,
        )
    }

    /// `problem.resolved` for reports an editor just resolved (`(article, problem, report)`
    /// ids): one delivery per problem, and one per report that belongs to none. From triage,
    /// inside its transaction.
    pub fn resolved(
        &self,
        conn: &mut DbConn,
        resolved: &[(i64, Option<i64>, i64)],
        note: Option<&str>,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<usize> {
        if resolved.is_empty() || !self.wants(WebhookEvent::ProblemResolved) {
            return Ok(0);
        }
        // (article, problem or None) → its reports, in the order resolved.
        type Group = ((i64, Option<i64>), Vec<i64>);
        let mut groups: Vec<Group> = Vec::new();
        for &(article_id, problem_id, report_id) in resolved {
            match groups
                .iter_mut()
                .find(|(key, _)| problem_id.is_some() && *key == (article_id, problem_id))
            {
                Some((_, reports)) => reports.push(report_id),
                None => groups.push(((article_id, problem_id), vec![report_id])),
            }
        }
        let mut queued = 0;
        for ((article_id, problem_id), report_ids) in groups {
            let Some(article) = crate::db::articles::get(conn, article_id)? else {
                continue;
            };
            let event = Event::ProblemResolved {
                article: ArticleRef {
                    id: article.id,
                    url: article.url,
                    title: article.title,
                },
                problem_id,
                report_ids,
                note: note.map(str::to_string),
            };
            queued += self.enqueue(conn, &event, now)?;
        }
        Ok(queued)
    }

    /// `report.created` for a report that reached the queue lane, from ingest's writer.
    pub fn report_created(
        &self,
        conn: &mut DbConn,
        article_id: i64,
        report_id: i64,
        problem_id: i64,
        report: &NewReport,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<usize> {
        if !self.wants(WebhookEvent::ReportCreated) {
            return Ok(0);
        }
        let event = Event::ReportCreated {
            article: ArticleRef {
                id: article_id,
                url: report.article.url.clone(),
                title: report.title.clone(),
            },
            report_id,
            problem_id: Some(problem_id),
            category: report.category,
            quote: report.quote.clone(),
            details: report.details.clone(),
        };
        self.enqueue(conn, &event, now)
    }
}
