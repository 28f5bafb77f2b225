//! Alert state per article and rule, the alerts raised, and the windowed figures rules read.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{alert_states, alerts, articles, reports, vote_days};
use super::DbConn;
use crate::domain::{Category, Lane, ReportStatus};
use crate::with_conn;

/// The open queue reports on an article created at or after `since`, as (report id, problem
/// id, visitor key): what an `open_reports` rule counts, by report, problem or reader.
pub fn open_reports_since(
    conn: &mut DbConn,
    article_id: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<(i64, Option<i64>, String)>> {
    with_conn!(conn, |c| reports::table
        .filter(reports::article_id.eq(article_id))
        .filter(reports::status.eq_any(ReportStatus::OPEN))
        .filter(reports::lane.eq(Lane::Queue))
        .filter(reports::created_at.ge(since))
        .select((reports::id, reports::problem_id, reports::visitor_key))
        .load(c))
}

/// The category of an open report on an article in one of `categories` (made after
/// `since`, when given), if there is one.
pub fn first_open_in(
    conn: &mut DbConn,
    article_id: i64,
    categories: &[Category],
    since: Option<NaiveDateTime>,
) -> QueryResult<Option<Category>> {
    with_conn!(conn, |c| {
        let mut q = reports::table
            .filter(reports::article_id.eq(article_id))
            .filter(reports::status.eq_any(ReportStatus::OPEN))
            .filter(reports::lane.eq(Lane::Queue))
            .filter(reports::category.eq_any(categories))
            .select(reports::category)
            .order(reports::id.asc())
            .into_boxed();
        if let Some(since) = since {
            q = q.filter(reports::created_at.ge(since));
        }
        q.first(c).optional()
    })
}

/// (helpful, not helpful) votes on an article on `from` and later days.
pub fn votes_since(conn: &mut DbConn, article_id: i64, from: NaiveDate) -> QueryResult<(i64, i64)> {
    let days: Vec<(i64, i64)> = with_conn!(conn, |c| vote_days::table
        .filter(vote_days::article_id.eq(article_id))
        .filter(vote_days::day.ge(from))
        .select((vote_days::helpful, vote_days::not_helpful))
        .load(c))?;
    Ok(days
        .iter()
        .fold((0, 0), |(h, n), (dh, dn)| (h + dh, n + dn)))
}

/// (armed, last fired) for an article and rule; a rule never evaluated is armed.
pub fn state(
    conn: &mut DbConn,
    article_id: i64,
    rule: &str,
) -> QueryResult<(bool, Option<NaiveDateTime>)> {
    let row: Option<(bool, Option<NaiveDateTime>)> = with_conn!(conn, |c| alert_states::table
        .find((article_id, rule))
        .select((alert_states::armed, alert_states::last_fired_at))
        .get_result(c)
        .optional())?;
    Ok(row.unwrap_or((true, None)))
}

pub fn set_state(
    conn: &mut DbConn,
    article_id: i64,
    rule: &str,
    armed: bool,
    fired_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    with_conn!(conn, |c| {
        let insert = diesel::insert_into(alert_states::table).values((
            alert_states::article_id.eq(article_id),
            alert_states::rule.eq(rule),
            alert_states::armed.eq(armed),
            alert_states::last_fired_at.eq(fired_at),
        ));
        match fired_at {
            Some(at) => insert
                .on_conflict((alert_states::article_id, alert_states::rule))
                .do_update()
                .set((
                    alert_states::armed.eq(armed),
                    alert_states::last_fired_at.eq(at),
                ))
                .execute(c),
            None => insert
                .on_conflict((alert_states::article_id, alert_states::rule))
                .do_update()
                .set(alert_states::armed.eq(armed))
                .execute(c),
        }
    })?;
    Ok(())
}

/// Articles with a disarmed rule: the hourly check re-arms those whose figures fell back.
pub fn disarmed_articles(conn: &mut DbConn) -> QueryResult<Vec<i64>> {
    with_conn!(conn, |c| alert_states::table
        .filter(alert_states::armed.eq(false))
        .select(alert_states::article_id)
        .distinct()
        .load(c))
}

pub fn insert_alert(
    conn: &mut DbConn,
    article_id: i64,
    rule: &str,
    figures: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    with_conn!(conn, |c| diesel::insert_into(alerts::table)
        .values((
            alerts::article_id.eq(article_id),
            alerts::rule.eq(rule),
            alerts::figures.eq(figures),
            alerts::created_at.eq(now),
        ))
        .returning(alerts::id)
        .get_result(c))
}

/// An editor reviewed an article at `at`: feedback before then no longer counts towards alerts
/// (a back-filled review never moves that moment back), and every rule is armed again.
pub fn re_arm_after_review(
    conn: &mut DbConn,
    article_id: i64,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(
        articles::table.find(article_id).filter(
            articles::reviewed_at
                .is_null()
                .or(articles::reviewed_at.lt(at))
        )
    )
    .set((articles::reviewed_at.eq(at), articles::updated_at.eq(now)))
    .execute(c))?;
    with_conn!(conn, |c| diesel::update(
        alert_states::table.filter(alert_states::article_id.eq(article_id))
    )
    .set(alert_states::armed.eq(true))
    .execute(c))?;
    Ok(())
}

/// For each of these articles, the rules it is currently alerted on (fired, not yet re-armed).
pub fn alerted(conn: &mut DbConn, article_ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    with_conn!(conn, |c| alert_states::table
        .filter(alert_states::article_id.eq_any(article_ids))
        .filter(alert_states::armed.eq(false))
        .select((alert_states::article_id, alert_states::rule))
        .load(c))
}

/// Whether an article is alerted on a rule now, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertState {
    pub rule: String,
    /// The rule fired and has not re-armed yet (its figures are still over it).
    pub firing: bool,
    /// When it last fired.
    pub last_fired_at: Option<NaiveDateTime>,
}

/// The state of each of these rules for an article; a rule never evaluated is not firing.
pub fn states(
    conn: &mut DbConn,
    article_id: i64,
    rules: &[String],
) -> QueryResult<Vec<AlertState>> {
    let stored: Vec<(String, bool, Option<NaiveDateTime>)> =
        with_conn!(conn, |c| alert_states::table
            .filter(alert_states::article_id.eq(article_id))
            .select((
                alert_states::rule,
                alert_states::armed,
                alert_states::last_fired_at
            ))
            .load(c))?;
    Ok(rules
        .iter()
        .map(|rule| {
            let found = stored.iter().find(|(r, _, _)| r == rule);
            AlertState {
                rule: rule.clone(),
                firing: found.is_some_and(|(_, armed, _)| !armed),
                last_fired_at: found.and_then(|(_, _, at)| *at),
            }
        })
        .collect())
}

/// An alert raised, with its article, for a summary.
#[derive(Debug, Clone, Queryable)]
pub struct RaisedAlert {
    pub alert_id: i64,
    pub rule: String,
    pub created_at: NaiveDateTime,
    pub article_id: i64,
    pub url: String,
    pub title: Option<String>,
}

/// The alerts raised for articles on `host` since `since`, oldest first.
pub fn raised_on_host_since(
    conn: &mut DbConn,
    host: &str,
    since: NaiveDateTime,
) -> QueryResult<Vec<RaisedAlert>> {
    with_conn!(conn, |c| alerts::table
        .inner_join(articles::table)
        .filter(articles::host.eq(host))
        .filter(alerts::created_at.ge(since))
        .order(alerts::id.asc())
        .select((
            alerts::id,
            alerts::rule,
            alerts::created_at,
            articles::id,
            articles::url,
            articles::title,
        ))
        .load(c))
}
