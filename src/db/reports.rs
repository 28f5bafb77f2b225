//! Reports, their triage status and the audit trail of every change.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::articles;
use super::schema::{report_events, reports};
use super::{lower, DbConn};
use crate::domain::{
    Actor, Category, Lane, LaneReasons, NewReport, PassageStatus, ReportChange, ReportStatus,
};
use crate::with_conn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOutcome {
    pub report_id: i64,
    pub article_id: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct Report {
    pub id: i64,
    pub article_id: i64,
    pub category: Category,
    pub quote: Option<String>,
    pub details: Option<String>,
    pub email: Option<String>,
    pub contact_consent: bool,
    pub revision: Option<String>,
    pub status: ReportStatus,
    pub assignee: Option<String>,
    pub visitor_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub lane: Lane,
    pub lane_reasons: LaneReasons,
    /// A MinHash of the text (see `lanes::Fingerprint`), for near-copies of spam.
    pub fingerprint: Option<String>,
    /// The language of the page the reader was on.
    pub lang: Option<String>,
    /// The problem it is one report of (queue reports only; see `problems`).
    pub problem_id: Option<i64>,
    /// Whether the quoted passage was on the page, and in which revision; None: unknown.
    pub passage_status: Option<PassageStatus>,
    pub passage_revision: Option<String>,
}

impl Report {
    /// Whether it counts: open, in the queue. Only these move counters, attention and alerts.
    pub fn counts(&self) -> bool {
        counts(self.status, self.lane)
    }
}

/// Whether a report with this status and lane counts towards the article's open reports.
pub fn counts(status: ReportStatus, lane: Lane) -> bool {
    status.is_open() && lane == Lane::Queue
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = report_events)]
pub struct ReportEvent {
    pub id: i64,
    pub report_id: i64,
    pub actor: String,
    pub from_status: Option<ReportStatus>,
    pub to_status: Option<ReportStatus>,
    pub assignee: Option<String>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub from_lane: Option<Lane>,
    pub to_lane: Option<Lane>,
}

/// Stores a report on the article `article_id` ([`articles::find_or_create`]) and, when it
/// counts (open, in the queue), updates the article's open-report counters. The caller
/// refreshes attention once the report is in its problem ([`articles::refresh_report_score`]).
pub fn record(
    conn: &mut DbConn,
    article_id: i64,
    r: &NewReport,
    now: NaiveDateTime,
) -> QueryResult<ReportOutcome> {
    let report_id: i64 = with_conn!(conn, |c| diesel::insert_into(reports::table)
        .values((
            reports::article_id.eq(article_id),
            reports::category.eq(r.category),
            reports::quote.eq(&r.quote),
            reports::details.eq(&r.details),
            reports::email.eq(&r.email),
            reports::contact_consent.eq(r.email.is_some()),
            reports::revision.eq(&r.revision),
            reports::status.eq(r.status),
            reports::visitor_key.eq(r.visitor_key.as_str()),
            reports::created_at.eq(now),
            reports::updated_at.eq(now),
            reports::closed_at.eq(if r.status.is_open() { None } else { Some(now) }),
            reports::lane.eq(r.lane),
            reports::lane_reasons.eq(&r.lane_reasons),
            reports::fingerprint.eq(&r.fingerprint),
            reports::lang.eq(&r.lang),
        ))
        .returning(reports::id)
        .get_result(c))?;
    if counts(r.status, r.lane) {
        articles::add_open_reports(conn, article_id, r.category, 1)?;
    }
    articles::touch(conn, article_id, now)?;
    Ok(ReportOutcome {
        report_id,
        article_id,
    })
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<Report>> {
    with_conn!(conn, |c| reports::table
        .find(id)
        .select(Report::as_select())
        .get_result(c)
        .optional())
}

pub fn events(conn: &mut DbConn, report_id: i64) -> QueryResult<Vec<ReportEvent>> {
    with_conn!(conn, |c| report_events::table
        .filter(report_events::report_id.eq(report_id))
        .order(report_events::id.asc())
        .select(ReportEvent::as_select())
        .load(c))
}

/// Every report on these articles, oldest first.
pub fn of_articles(conn: &mut DbConn, article_ids: &[i64]) -> QueryResult<Vec<Report>> {
    with_conn!(conn, |c| reports::table
        .filter(reports::article_id.eq_any(article_ids))
        .order(reports::id.asc())
        .select(Report::as_select())
        .load(c))
}

/// The audit trails of several reports at once, oldest event first.
pub fn events_of(conn: &mut DbConn, report_ids: &[i64]) -> QueryResult<Vec<ReportEvent>> {
    with_conn!(conn, |c| report_events::table
        .filter(report_events::report_id.eq_any(report_ids))
        .order(report_events::id.asc())
        .select(ReportEvent::as_select())
        .load(c))
}

#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    pub status: Option<ReportStatus>,
    pub lane: Option<Lane>,
    pub category: Option<Category>,
    pub article_id: Option<i64>,
    pub since: Option<NaiveDateTime>,
    /// Show reports older than this id (newest first, keyset pagination).
    pub before_id: Option<i64>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConn, q: &ReportQuery) -> QueryResult<Vec<Report>> {
    with_conn!(conn, |c| {
        let mut query = reports::table.select(Report::as_select()).into_boxed();
        if let Some(status) = q.status {
            query = query.filter(reports::status.eq(status));
        }
        if let Some(category) = q.category {
            query = query.filter(reports::category.eq(category));
        }
        if let Some(lane) = q.lane {
            query = query.filter(reports::lane.eq(lane));
        }
        if let Some(article_id) = q.article_id {
            query = query.filter(reports::article_id.eq(article_id));
        }
        if let Some(since) = q.since {
            query = query.filter(reports::created_at.ge(since));
        }
        if let Some(before) = q.before_id {
            query = query.filter(reports::id.lt(before));
        }
        query.order(reports::id.desc()).limit(q.limit).load(c)
    })
}

/// Applies a triage action (a status, a lane, an assignee, a note), keeping the article's open
/// counters and attention in step: a report starts or stops counting when it opens or closes in
/// the queue, or moves into or out of it. Returns None when the report does not exist.
pub fn change(
    conn: &mut DbConn,
    id: i64,
    change: &ReportChange,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Option<Report>> {
    conn.write_tx(|conn| {
        let Some(before) = get(conn, id)? else {
            return Ok(None);
        };
        let old_status = before.status;
        let new_status = change.status.unwrap_or(old_status);
        let new_lane = change.lane.unwrap_or(before.lane);
        let assignee = match &change.assignee {
            Some(a) => a.clone(),
            None => before.assignee.clone(),
        };
        let closed_at = if new_status.is_open() {
            None
        } else if old_status.is_open() {
            Some(now)
        } else {
            before.closed_at
        };
        with_conn!(conn, |c| diesel::update(reports::table.find(id))
            .set((
                reports::status.eq(new_status),
                reports::lane.eq(new_lane),
                reports::assignee.eq(&assignee),
                reports::closed_at.eq(closed_at),
                reports::updated_at.eq(now),
            ))
            .execute(c))?;
        with_conn!(conn, |c| diesel::insert_into(report_events::table)
            .values((
                report_events::report_id.eq(id),
                report_events::actor.eq(actor.to_string()),
                report_events::from_status.eq(old_status),
                report_events::to_status.eq(new_status),
                report_events::assignee.eq(change.assignee.as_ref().and_then(|a| a.clone())),
                report_events::note.eq(change.note.as_ref().map(|n| n.as_str())),
                report_events::created_at.eq(now),
                report_events::from_lane.eq(change.lane.map(|_| before.lane)),
                report_events::to_lane.eq(change.lane),
            ))
            .execute(c))?;
        let (counted, counts_now) = (before.counts(), counts(new_status, new_lane));
        if counted != counts_now {
            let delta = if counts_now { 1 } else { -1 };
            articles::add_open_reports(conn, before.article_id, before.category, delta)?;
            articles::refresh_report_score(conn, before.article_id, now)?;
        }
        get(conn, id)
    })
}

/// Forgets reporters' e-mail addresses on reports closed before `closed_before`. Returns how many.
pub fn erase_emails_closed_before(
    conn: &mut DbConn,
    closed_before: NaiveDateTime,
) -> QueryResult<usize> {
    with_conn!(conn, |c| diesel::update(
        reports::table
            .filter(reports::email.is_not_null())
            .filter(reports::closed_at.lt(closed_before))
    )
    .set((
        reports::email.eq(None::<String>),
        reports::contact_consent.eq(false)
    ))
    .execute(c))
}

/// Forgets one address on every report, however its letters were cased. Returns how many
/// reports held it.
pub fn erase_email(conn: &mut DbConn, email: &str) -> QueryResult<usize> {
    let email = email.to_ascii_lowercase();
    with_conn!(conn, |c| diesel::update(
        reports::table.filter(lower(reports::email).eq(&email))
    )
    .set((
        reports::email.eq(None::<String>),
        reports::contact_consent.eq(false)
    ))
    .execute(c))
}

/// The open reports on an article that quote a passage: (id, quote).
pub fn open_quoted(conn: &mut DbConn, article_id: i64) -> QueryResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, Option<String>)> = with_conn!(conn, |c| reports::table
        .filter(reports::article_id.eq(article_id))
        .filter(reports::status.eq_any(ReportStatus::OPEN))
        .filter(reports::quote.is_not_null())
        .select((reports::id, reports::quote))
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, quote)| Some((id, quote?)))
        .collect())
}

/// Records whether a report's passage was on the page in `revision`.
pub fn set_passage(
    conn: &mut DbConn,
    id: i64,
    status: PassageStatus,
    revision: &str,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(reports::table.find(id))
        .set((
            reports::passage_status.eq(status),
            reports::passage_revision.eq(revision),
        ))
        .execute(c))?;
    Ok(())
}

/// The open reports on an article whose passage is gone from `revision`.
pub fn gone_in(conn: &mut DbConn, article_id: i64, revision: &str) -> QueryResult<Vec<i64>> {
    with_conn!(conn, |c| reports::table
        .filter(reports::article_id.eq(article_id))
        .filter(reports::status.eq_any(ReportStatus::OPEN))
        .filter(reports::passage_status.eq(PassageStatus::Gone))
        .filter(reports::passage_revision.eq(revision))
        .order(reports::id.asc())
        .select(reports::id)
        .load(c))
}
