//! What editors taught the lanes classifier, and the fingerprints of recent spam.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{lane_lessons, reports};
use super::DbConn;
use crate::domain::{Category, Lane};
use crate::with_conn;

/// A stored lesson: a report's text and the lane an editor put it in.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = lane_lessons)]
pub struct StoredLesson {
    pub id: i64,
    pub quote: Option<String>,
    pub details: Option<String>,
    pub category: Category,
    pub lane: Lane,
}

pub fn add_lesson(
    conn: &mut DbConn,
    quote: Option<&str>,
    details: Option<&str>,
    category: Category,
    lane: Lane,
    actor: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(lane_lessons::table)
        .values((
            lane_lessons::quote.eq(quote),
            lane_lessons::details.eq(details),
            lane_lessons::category.eq(category),
            lane_lessons::lane.eq(lane),
            lane_lessons::actor.eq(actor),
            lane_lessons::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Lessons stored after `after_id`, oldest first.
pub fn lessons_after(conn: &mut DbConn, after_id: i64) -> QueryResult<Vec<StoredLesson>> {
    with_conn!(conn, |c| lane_lessons::table
        .filter(lane_lessons::id.gt(after_id))
        .order(lane_lessons::id.asc())
        .select(StoredLesson::as_select())
        .load(c))
}

pub fn count_lessons(conn: &mut DbConn) -> QueryResult<i64> {
    with_conn!(conn, |c| lane_lessons::table.count().get_result(c))
}

pub fn delete_lessons(conn: &mut DbConn) -> QueryResult<usize> {
    with_conn!(conn, |c| diesel::delete(lane_lessons::table).execute(c))
}

/// (id, fingerprint) of the newest reports in the spam lane after `after_id`, at most `limit`,
/// oldest first.
pub fn spam_fingerprints_after(
    conn: &mut DbConn,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String)>> {
    let mut rows: Vec<(i64, Option<String>)> = with_conn!(conn, |c| reports::table
        .filter(reports::lane.eq(Lane::Spam))
        .filter(reports::id.gt(after_id))
        .filter(reports::fingerprint.is_not_null())
        .order(reports::id.desc())
        .limit(limit)
        .select((reports::id, reports::fingerprint))
        .load(c))?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .filter_map(|(id, fp)| fp.map(|fp| (id, fp)))
        .collect())
}

/// How many reports are in each lane, open ones and all.
pub fn lane_counts(conn: &mut DbConn) -> QueryResult<Vec<(Lane, i64)>> {
    with_conn!(conn, |c| reports::table
        .group_by(reports::lane)
        .select((reports::lane, diesel::dsl::count_star()))
        .load(c))
}
