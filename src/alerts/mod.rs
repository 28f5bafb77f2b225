//! Threshold alerts: rules from config, evaluated inside the transaction that changed an
//! article, edge-triggered, with the alert and its e-mails written to the outbox in that same
//! transaction.
//!
//! A rule's state per article is *armed* (the next crossing alerts) or not. Crossing while armed
//! fires once and disarms; an evaluation that finds the figures below the rule re-arms it, as does
//! marking the article re-reviewed, after which only newer feedback counts. An immediate rule
//! (say, any harmful report) has no edge: each such report fires. A crossing inside the
//! cool-down after the last alert for the same article and rule sends nothing and stays armed.
//!
//! Called by ingest's writer and the triage service inside their transactions; writes its
//! e-mails (`email`) into the outbox.
//!
//! May import: `config`, `db`, `domain`, `editors` (who is told), `mail` (the e-mail frame),
//! `webhooks` (subscriptions told at the same moments).

pub mod email;

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta, Timelike};
use serde::Serialize;
use tokio::sync::Notify;

use crate::config::{AlertRule, OpenCount, Settings};
use crate::db::articles::{self, Article, VoteTotals};
use crate::db::editors::{self, Editor};
use crate::db::outbox::{self, NewEmail};
use crate::db::reports::{self, ReportQuery};
use crate::db::{alerts as store, DbConn};
use crate::domain::{Category, Lane, MailKind};
use crate::problems::summary;

/// How many open problems an alert e-mail lists, found among how many of the newest open reports.
const LISTED_PROBLEMS: usize = 5;
const LISTED_REPORTS: i64 = 100;

/// What alerting needs to know, shared by the writer thread and the triage handlers.
pub struct Alerting {
    pub enabled: bool,
    /// Alert e-mails per host and clock hour before the rest are folded into a summary.
    pub budget_per_host_hour: Option<u32>,
    pub rules: Vec<AlertRule>,
    pub cooldown: TimeDelta,
    pub public_url: String,
    /// The domain of our own Message-IDs.
    pub mail_domain: String,
    /// Woken whenever an e-mail is queued, so the delivery worker sends it at once.
    pub queued: Arc<Notify>,
    /// Webhook subscriptions, told about the same moments (and about reports and resolutions).
    pub webhooks: Arc<crate::webhooks::Hooks>,
}

impl Alerting {
    pub fn from_settings(settings: &Settings) -> Alerting {
        let public_url = settings
            .server
            .public_url
            .as_str()
            .trim_end_matches('/')
            .to_string();
        let mail_domain = crate::mail::message_id_domain(&public_url);
        Alerting {
            enabled: settings.alerts.enabled,
            budget_per_host_hour: Some(settings.alerts.max_per_host_per_hour).filter(|n| *n > 0),
            rules: settings.alerts.rules.clone(),
            cooldown: TimeDelta::hours(settings.alerts.cooldown_hours),
            webhooks: Arc::new(crate::webhooks::Hooks::new(&public_url)),
            public_url,
            mail_domain,
            queued: Arc::new(Notify::new()),
        }
    }
}

impl Alerting {
    /// Wakes the e-mail and webhook workers: call after a transaction that queued either.
    pub fn wake(&self) {
        self.queued.notify_one();
        self.webhooks.wake();
    }

    /// The configured rules' names, in config order.
    pub fn rule_names(&self) -> Vec<String> {
        self.rules.iter().map(|r| r.name().to_string()).collect()
    }
}

/// What just happened to the article.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    /// A vote, and the article's counters after it.
    Vote { helpful: bool, totals: VoteTotals },
    /// A new report (its category; whether it is open rather than spam).
    Report { category: Category, open: bool },
    /// A report's status changed.
    Triage,
    /// The hourly check: votes age out of windows even when nothing happens.
    Tick,
}

/// The figures that made a rule fire, kept with the alert and shown in the e-mail.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Figures {
    OpenReports {
        /// How many, in what `count` counts.
        open_reports: i64,
        min_reports: i64,
        window_days: i64,
        count: OpenCount,
    },
    NotHelpfulShare {
        not_helpful: i64,
        votes: i64,
        share: f64,
        min_share: f64,
        min_votes: i64,
        window_days: i64,
    },
    Immediate {
        category: Category,
    },
}

/// A rule that fired, ready to be written into e-mails.
pub struct Fired<'a> {
    pub rule: &'a str,
    pub figures: Figures,
    pub alert_id: i64,
}

/// Evaluates the rules a trigger can affect and queues e-mails for those that fire. Call inside
/// the write transaction that made the change. Returns how many e-mails and webhook deliveries
/// were queued.
pub fn evaluate(
    conn: &mut DbConn,
    alerting: &Alerting,
    article_id: i64,
    trigger: Trigger,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    if !alerting.enabled || alerting.rules.is_empty() {
        return Ok(0);
    }
    // The article is loaded only when needed: a vote brings what the rules read.
    let mut article: Option<Article> = None;
    let (reviewed_at, total_votes) = match trigger {
        Trigger::Vote { helpful, totals } => {
            // Only a "No" can push an article over a vote rule (falling back below is noticed by
            // the hourly check), and an article with fewer votes in all than every vote rule
            // needs cannot be over one: the common case costs no query.
            let total = totals.helpful + totals.not_helpful;
            if helpful || !could_cross_on_votes(alerting, total) {
                return Ok(0);
            }
            (totals.reviewed_at, total)
        }
        _ => {
            let Some(a) = articles::get(conn, article_id)? else {
                return Ok(0);
            };
            let facts = (a.reviewed_at, a.helpful + a.not_helpful);
            article = Some(a);
            facts
        }
    };
    let mut fired = Vec::new();
    for rule in &alerting.rules {
        if !affected_by(rule, trigger) {
            continue;
        }
        let crossing = measure(
            conn,
            rule,
            article_id,
            reviewed_at,
            total_votes,
            trigger,
            now,
        )?;
        if crossing.is_none() && matches!(trigger, Trigger::Vote { .. }) {
            continue;
        }
        let (stored_armed, last_fired) = store::state(conn, article_id, rule.name())?;
        // An immediate rule fires for each new report in its categories: it has no edge to wait
        // for. It is disarmed while such reports are open (the article shows it as alerted) and
        // re-arms when the last one is closed.
        let armed = stored_armed
            || matches!(
                (rule, trigger),
                (AlertRule::Immediate { .. }, Trigger::Report { .. })
            );
        match crossing {
            Some(figures) if armed => {
                if last_fired.is_some_and(|at| now - at < alerting.cooldown) {
                    continue;
                }
                // Figures are plain numbers and names; failing to serialise them is a bug, and
                // an alert without its figures would be worse than none: the transaction fails.
                let figures_json = serde_json::to_string(&figures)
                    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
                let alert_id =
                    store::insert_alert(conn, article_id, rule.name(), &figures_json, now)?;
                store::set_state(conn, article_id, rule.name(), false, Some(now))?;
                metrics::counter!("flagpole_alerts_total", "rule" => rule.name().to_string())
                    .increment(1);
                fired.push(Fired {
                    rule: rule.name(),
                    figures,
                    alert_id,
                });
            }
            None if !armed => store::set_state(conn, article_id, rule.name(), true, None)?,
            _ => {}
        }
    }
    if fired.is_empty() {
        return Ok(0);
    }
    let article = match article {
        Some(a) => a,
        None => match articles::get(conn, article_id)? {
            Some(a) => a,
            None => return Ok(0),
        },
    };
    // The most urgent first: it names the e-mail.
    fired.sort_by_key(|f| !matches!(f.figures, Figures::Immediate { .. }));
    let hooked = queue_webhooks(conn, alerting, &article, &fired, now)?;
    Ok(hooked + queue_emails(conn, alerting, &article, &fired, now)?)
}

/// `alert.fired` for the subscriptions that want it, one delivery for what fired at once.
fn queue_webhooks(
    conn: &mut DbConn,
    alerting: &Alerting,
    article: &Article,
    fired: &[Fired],
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    use crate::webhooks::{AlertRef, ArticleRef, Event};
    if !alerting
        .webhooks
        .wants(crate::domain::WebhookEvent::AlertFired)
    {
        return Ok(0);
    }
    let event = Event::AlertFired {
        article: ArticleRef {
            id: article.id,
            url: article.url.clone(),
            title: article.title.clone(),
        },
        alerts: fired
            .iter()
            .map(|f| AlertRef {
                id: f.alert_id,
                rule: f.rule.to_string(),
                reason: email::explain(f),
                figures: serde_json::to_value(&f.figures).unwrap_or_default(),
            })
            .collect(),
    };
    alerting.webhooks.enqueue(conn, &event, now)
}

/// How many of the open reports (report id, problem id, visitor key) a rule counts.
fn counted(count: OpenCount, open: &[(i64, Option<i64>, String)]) -> i64 {
    let distinct = |keys: Vec<String>| {
        let mut keys = keys;
        keys.sort_unstable();
        keys.dedup();
        keys.len() as i64
    };
    match count {
        OpenCount::Reports => open.len() as i64,
        OpenCount::Readers => distinct(open.iter().map(|(_, _, reader)| reader.clone()).collect()),
        // A report in no problem yet is a problem of its own.
        OpenCount::Problems => distinct(
            open.iter()
                .map(|(report, problem, _)| match problem {
                    Some(p) => format!("p{p}"),
                    None => format!("r{report}"),
                })
                .collect(),
        ),
    }
}

fn could_cross_on_votes(alerting: &Alerting, total_votes: i64) -> bool {
    alerting.rules.iter().any(|r| match r {
        AlertRule::NotHelpfulShare { min_votes, .. } => total_votes >= *min_votes,
        _ => false,
    })
}

fn affected_by(rule: &AlertRule, trigger: Trigger) -> bool {
    match (rule, trigger) {
        (
            AlertRule::OpenReports { .. },
            Trigger::Report { .. } | Trigger::Triage | Trigger::Tick,
        ) => true,
        (AlertRule::NotHelpfulShare { .. }, Trigger::Vote { .. } | Trigger::Tick) => true,
        // A new report matters to an immediate rule only if it is open and in its categories;
        // triage and the hourly check look at whether any such report is still open.
        (AlertRule::Immediate { categories, .. }, Trigger::Report { category, open }) => {
            open && categories.contains(&category)
        }
        (AlertRule::Immediate { .. }, Trigger::Triage | Trigger::Tick) => true,
        _ => false,
    }
}

/// The rule's figures when the article is over it now, None when below.
fn measure(
    conn: &mut DbConn,
    rule: &AlertRule,
    article_id: i64,
    reviewed_at: Option<NaiveDateTime>,
    total_votes: i64,
    trigger: Trigger,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<Figures>> {
    // After a re-review only newer feedback counts.
    let window_start = |days: i64| {
        let start = now - TimeDelta::days(days);
        reviewed_at.map_or(start, |r| r.max(start))
    };
    Ok(match rule {
        AlertRule::OpenReports {
            min_reports,
            window_days,
            count,
            ..
        } => {
            let open = store::open_reports_since(conn, article_id, window_start(*window_days))?;
            let open = counted(*count, &open);
            (open >= *min_reports).then_some(Figures::OpenReports {
                open_reports: open,
                min_reports: *min_reports,
                window_days: *window_days,
                count: *count,
            })
        }
        AlertRule::NotHelpfulShare {
            min_share,
            min_votes,
            window_days,
            ..
        } => {
            // All-time counters bound the window's: skip the query for quiet articles.
            if total_votes < *min_votes {
                return Ok(None);
            }
            let from = window_start(*window_days).date();
            let (helpful, not_helpful) = store::votes_since(conn, article_id, from)?;
            let votes = helpful + not_helpful;
            let share = if votes > 0 {
                not_helpful as f64 / votes as f64
            } else {
                0.0
            };
            (votes >= *min_votes && share >= *min_share).then_some(Figures::NotHelpfulShare {
                not_helpful,
                votes,
                share,
                min_share: *min_share,
                min_votes: *min_votes,
                window_days: *window_days,
            })
        }
        AlertRule::Immediate { categories, .. } => match trigger {
            Trigger::Report { category, .. } => Some(Figures::Immediate { category }),
            // Still over the rule while any report in its categories is open (since the last
            // review); once none is, the rule re-arms.
            _ => store::first_open_in(conn, article_id, categories, reviewed_at)?
                .map(|category| Figures::Immediate { category }),
        },
    })
}

/// One e-mail per recipient for everything that fired at once, rendered now so it shows the
/// figures as they were.
/// The start of the clock hour (UTC) `at` falls in.
fn hour_of(at: NaiveDateTime) -> NaiveDateTime {
    at.date().and_hms_opt(at.hour(), 0, 0).unwrap_or(at)
}

/// Folds an hour's alerts beyond the budget into one summary e-mail per editor, sent when the
/// hour ends: written now (in the alert's transaction) and rewritten with every further folded
/// alert while it waits. Returns how many summaries were written.
fn fold_into_summary(
    conn: &mut DbConn,
    alerting: &Alerting,
    host: &str,
    hour: NaiveDateTime,
    folded: &[store::RaisedAlert],
    recipients: &[&Editor],
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let hour_end = hour + TimeDelta::hours(1);
    for editor in recipients {
        let unsubscribe_url = format!(
            "{}/unsubscribe/{}?list=alerts",
            alerting.public_url, editor.unsubscribe_token
        );
        let mail = email::summary(&email::SummaryContext {
            host,
            hour,
            folded,
            public_url: &alerting.public_url,
            unsubscribe_url: &unsubscribe_url,
        });
        outbox::put_pending(
            conn,
            &NewEmail {
                kind: MailKind::Alert,
                dedupe_key: Some(format!(
                    "alert-summary:{host}:{}:{}",
                    hour.format("%Y-%m-%dT%H"),
                    editor.id
                )),
                alert_id: None,
                recipient: editor.email.clone(),
                subject: mail.subject,
                body_text: mail.text,
                body_html: mail.html,
                message_id: format!(
                    "<alert-summary.{}.{}.{}@{}>",
                    hour.format("%Y%m%d%H"),
                    editor.id,
                    rand::random::<u32>(),
                    alerting.mail_domain
                ),
                unsubscribe_url: Some(unsubscribe_url),
            },
            hour_end.max(now),
            now,
        )?;
    }
    // Nothing to send until the hour ends: the delivery worker need not be woken.
    Ok(0)
}

fn queue_emails(
    conn: &mut DbConn,
    alerting: &Alerting,
    article: &Article,
    fired: &[Fired],
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let alert_id = fired.first().map(|f| f.alert_id).unwrap_or_default();
    let editors: Vec<Editor> = editors::active(conn)?;
    let recipients = crate::editors::alert_recipients(&editors, &article.host, &article.path);
    if recipients.is_empty() {
        tracing::warn!(
            article_id = article.id,
            "alert raised but no editor wants alerts"
        );
        return Ok(0);
    }
    if let Some(budget) = alerting.budget_per_host_hour {
        let hour = hour_of(now);
        let this_hour = store::raised_on_host_since(conn, &article.host, hour)?;
        if this_hour.len() > budget as usize {
            let folded = &this_hour[budget as usize..];
            return fold_into_summary(
                conn,
                alerting,
                &article.host,
                hour,
                folded,
                &recipients,
                now,
            );
        }
    }
    // The newest open problems: their reports among the article's newest open ones.
    let open = reports::list(
        conn,
        &ReportQuery {
            article_id: Some(article.id),
            lane: Some(Lane::Queue),
            limit: LISTED_REPORTS,
            ..ReportQuery::default()
        },
    )?
    .into_iter()
    .filter(|r| r.status.is_open())
    .collect::<Vec<_>>();
    let problems: Vec<email::OpenProblem> = summary::by_problem(&open, |r| r.problem_id)
        .into_iter()
        .take(LISTED_PROBLEMS)
        .map(|reports| email::OpenProblem {
            newest: reports[0],
            reports,
        })
        .collect();
    for editor in &recipients {
        let unsubscribe_url = format!(
            "{}/unsubscribe/{}?list=alerts",
            alerting.public_url, editor.unsubscribe_token
        );
        let email = email::alert(&email::AlertContext {
            article,
            fired,
            problems: &problems,
            public_url: &alerting.public_url,
            unsubscribe_url: &unsubscribe_url,
        });
        outbox::enqueue(
            conn,
            &NewEmail {
                kind: MailKind::Alert,
                dedupe_key: Some(format!("alert:{alert_id}:{}", editor.id)),
                alert_id: Some(alert_id),
                recipient: editor.email.clone(),
                subject: email.subject,
                body_text: email.text,
                body_html: email.html,
                message_id: format!(
                    "<alert.{alert_id}.{}.{:08x}@{}>",
                    editor.id,
                    rand::random::<u32>(),
                    alerting.mail_domain
                ),
                unsubscribe_url: Some(unsubscribe_url),
            },
            now,
        )?;
    }
    Ok(recipients.len())
}
