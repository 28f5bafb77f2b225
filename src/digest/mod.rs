//! The weekly digest: when it is due (`schedule`), what it says (`compose`, and the template in
//! `email`), and queueing it exactly once per editor and week.
//!
//! Exactly once rests on the outbox's unique `dedupe_key`, `digest:{week}:{editor id}`: whoever
//! queues a digest — the scheduler in any `flagpole serve`, after a restart or a missed moment,
//! or `flagpole digest send` — inserts with ON CONFLICT DO NOTHING, so racing instances leave one
//! row, and a digest already in the outbox is never composed again.
//!
//! May import: `config`, `db`, `domain`, `mail` (the e-mail frame), `reviews` (the reviews due),
//! `webhooks` (`digest.ready`).

pub mod compose;
pub mod email;
pub mod schedule;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{watch, Notify};

pub use compose::{Digest, Limits};
pub use schedule::{IsoWeek, Schedule};

use crate::config::Settings;
use crate::db::editors::{self, Editor};
use crate::db::outbox::{self, NewEmail};
use crate::db::{DbConn, Pool};
use crate::mail::{self, templates::Email};

/// How often `serve` asks whether a digest is due. The moment itself is on the hour, so a minute
/// late is on time; the check costs two small queries when nothing is due.
const CHECK_EVERY: Duration = Duration::from_secs(60);

/// Everything queueing a digest needs, from the settings.
#[derive(Clone)]
pub struct Digests {
    /// Whether `serve` queues digests by itself.
    pub enabled: bool,
    pub schedule: Schedule,
    pub limits: Limits,
    pub public_url: String,
    mail_domain: String,
    /// Wakes the delivery worker when digests are queued.
    queued: Arc<Notify>,
    /// Subscriptions told `digest.ready` (once per week) when digests are queued.
    webhooks: Option<Arc<crate::webhooks::Hooks>>,
}

/// What queueing a week's digests did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Queued {
    /// Digests written to the outbox now.
    pub queued: usize,
    /// Recipients whose digest for the week was in the outbox already.
    pub already: usize,
}

impl Digests {
    pub fn from_settings(settings: &Settings, queued: Arc<Notify>) -> Digests {
        let public_url = settings
            .server
            .public_url
            .as_str()
            .trim_end_matches('/')
            .to_string();
        Digests {
            enabled: settings.digest.enabled,
            schedule: Schedule::from_settings(&settings.digest),
            limits: Limits {
                items_per_section: settings.digest.items_per_section,
                min_votes_for_drop: settings.digest.min_votes_for_drop,
                review_due_soon_days: settings.review.due_soon_days,
            },
            mail_domain: mail::message_id_domain(&public_url),
            public_url,
            queued,
            webhooks: None,
        }
    }

    /// Also tells webhook subscriptions when a week's digests are queued.
    pub fn with_webhooks(mut self, hooks: Arc<crate::webhooks::Hooks>) -> Digests {
        self.webhooks = Some(hooks);
        self
    }

    pub fn unsubscribe_url(&self, editor: &Editor) -> String {
        format!(
            "{}/unsubscribe/{}?list=digest",
            self.public_url, editor.unsubscribe_token
        )
    }

    /// Composes and renders digests without queueing them (`flagpole digest preview`).
    pub fn render(
        &self,
        conn: &mut DbConn,
        week: IsoWeek,
        editors: &[Editor],
    ) -> diesel::QueryResult<Vec<Email>> {
        let digests = compose::build(conn, &self.schedule, self.limits, week, editors)?;
        Ok(editors
            .iter()
            .zip(&digests)
            .map(|(editor, digest)| self.email(editor, digest))
            .collect())
    }

    fn email(&self, editor: &Editor, digest: &Digest) -> Email {
        email::render(&email::DigestContext {
            digest,
            editor_name: &editor.name,
            tz: self.schedule.tz,
            public_url: &self.public_url,
            unsubscribe_url: &self.unsubscribe_url(editor),
        })
    }

    /// Queues `week`'s digest for every active editor who wants it and does not have it yet.
    pub fn enqueue_week(
        &self,
        conn: &mut DbConn,
        week: IsoWeek,
        now: DateTime<Utc>,
    ) -> diesel::QueryResult<Queued> {
        let recipients: Vec<Editor> = editors::active(conn)?
            .into_iter()
            .filter(|e| e.wants_digest)
            .collect();
        let keys: Vec<String> = recipients.iter().map(|e| dedupe_key(week, e)).collect();
        let taken: HashSet<String> = outbox::existing_dedupe_keys(conn, &keys)?
            .into_iter()
            .collect();
        let missing: Vec<Editor> = recipients
            .into_iter()
            .filter(|e| !taken.contains(&dedupe_key(week, e)))
            .collect();
        let already = keys.len() - missing.len();
        if missing.is_empty() {
            return Ok(Queued { queued: 0, already });
        }
        let digests = compose::build(conn, &self.schedule, self.limits, week, &missing)?;
        let now = now.naive_utc();
        let queued = conn.write_tx(|conn| {
            let mut queued = 0;
            for (editor, digest) in missing.iter().zip(&digests) {
                let email = self.email(editor, digest);
                let inserted = outbox::enqueue_once(
                    conn,
                    &NewEmail {
                        kind: crate::domain::MailKind::Digest,
                        dedupe_key: Some(dedupe_key(week, editor)),
                        alert_id: None,
                        recipient: editor.email.clone(),
                        subject: email.subject,
                        body_text: email.text,
                        body_html: email.html,
                        // The same for every instance that composes it.
                        message_id: format!("<digest.{week}.{}@{}>", editor.id, self.mail_domain),
                        unsubscribe_url: Some(self.unsubscribe_url(editor)),
                    },
                    now,
                )?;
                queued += usize::from(inserted);
            }
            let mut hooked = 0;
            if let Some(hooks) = self.webhooks.as_ref().filter(|_| queued > 0) {
                let event = crate::webhooks::Event::DigestReady {
                    week: week.to_string(),
                    from: week.monday(),
                    to: week.sunday(),
                    recipients: queued,
                };
                hooked = hooks.enqueue(conn, &event, now)?;
            }
            Ok::<_, diesel::result::Error>((queued, hooked))
        })?;
        let (queued, hooked) = queued;
        if queued > 0 {
            self.queued.notify_one();
        }
        if let Some(hooks) = self.webhooks.as_ref().filter(|_| hooked > 0) {
            hooks.wake();
        }
        Ok(Queued {
            queued,
            already: already + missing.len() - queued,
        })
    }

    /// Queues whatever digest is due at `now`: the scheduler calls this every minute with the real
    /// time, tests with the instant they want to ask about. None when the due week ended before
    /// flagpole was installed (see [`Digests::installed_after`]): a new installation does not
    /// send its editors "a quiet week" for a week it never saw.
    pub fn enqueue_due(
        &self,
        conn: &mut DbConn,
        now: DateTime<Utc>,
    ) -> diesel::QueryResult<Option<(IsoWeek, Queued)>> {
        let week = self.schedule.due_week(now);
        if self.installed_after(conn, week)?.is_some() {
            return Ok(None);
        }
        Ok(Some((week, self.enqueue_week(conn, week, now)?)))
    }

    /// When flagpole was installed, if that was after `week` ended (in local time). The
    /// installation is the first migration applied to this database: it exists before any
    /// editor, article or vote, survives restarts, backups and `pg_dump`, and is the same for
    /// every instance. Nothing earlier can be in a digest.
    pub fn installed_after(
        &self,
        conn: &mut DbConn,
        week: IsoWeek,
    ) -> diesel::QueryResult<Option<DateTime<Utc>>> {
        let (_, end) = self.schedule.bounds(week);
        Ok(conn
            .installed_at()?
            .map(|at| at.and_utc())
            .filter(|&installed| installed >= end))
    }
}

fn dedupe_key(week: IsoWeek, editor: &Editor) -> String {
    format!("digest:{week}:{}", editor.id)
}

/// The scheduler inside `serve`: checks at start (which covers a moment missed while the instance
/// was down) and then every minute, until `stop` turns true.
pub async fn run(pool: Pool, digests: Digests, mut stop: watch::Receiver<bool>) {
    let digests = Arc::new(digests);
    tracing::info!(
        next = %digests.schedule.next_run(Utc::now()),
        "weekly digest scheduled"
    );
    while !*stop.borrow() {
        let (pool, d) = (pool.clone(), digests.clone());
        let done =
            tokio::task::spawn_blocking(move || -> anyhow::Result<Option<(IsoWeek, Queued)>> {
                let mut conn = pool.get()?;
                Ok(d.enqueue_due(&mut conn, Utc::now())?)
            })
            .await;
        match done {
            Ok(Ok(Some((week, q)))) if q.queued > 0 => {
                tracing::info!(%week, queued = q.queued, "weekly digests queued")
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot queue the weekly digest"),
            Err(e) => tracing::error!(error = %e, "queueing the weekly digest panicked"),
        }
        tokio::select! {
            _ = tokio::time::sleep(CHECK_EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}
