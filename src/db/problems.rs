//! Problems: the reports of one problem on one article, stored once with the signature that new
//! reports are matched against (see `crate::problems`). A problem is open while one of its
//! reports is open in the queue; that is computed, never stored, so no triage action has to keep
//! it in step.

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;

use super::reports::Report;
use super::schema::{problems, reports};
use super::DbConn;
use crate::domain::{Category, Lane, ReportStatus};
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = problems)]
pub struct StoredProblem {
    pub id: i64,
    pub article_id: i64,
    /// `ProblemSignature::to_json`.
    pub signature: String,
    /// Why the newest report joined it, in words for editors.
    pub reason: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A queue report not yet in a problem: what the grouping step needs of it.
#[derive(Debug, Clone, Queryable)]
pub struct Ungrouped {
    pub id: i64,
    pub article_id: i64,
    pub category: Category,
    pub quote: Option<String>,
    pub details: Option<String>,
    pub lang: Option<String>,
}

/// The article's open problems, oldest first (the order the matcher's indices refer to).
pub fn open_of_article(conn: &mut DbConn, article_id: i64) -> QueryResult<Vec<StoredProblem>> {
    with_conn!(conn, |c| problems::table
        .filter(problems::article_id.eq(article_id))
        .filter(exists(
            reports::table
                .filter(reports::problem_id.eq(problems::id.nullable()))
                .filter(reports::lane.eq(Lane::Queue))
                .filter(reports::status.eq_any(ReportStatus::OPEN)),
        ))
        .order(problems::id.asc())
        .select(StoredProblem::as_select())
        .load(c))
}

pub fn create(
    conn: &mut DbConn,
    article_id: i64,
    signature: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    with_conn!(conn, |c| diesel::insert_into(problems::table)
        .values((
            problems::article_id.eq(article_id),
            problems::signature.eq(signature),
            problems::reason.eq(reason),
            problems::created_at.eq(now),
            problems::updated_at.eq(now),
        ))
        .returning(problems::id)
        .get_result(c))
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    signature: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(problems::table.find(id))
        .set((
            problems::signature.eq(signature),
            problems::reason.eq(reason),
            problems::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Puts reports into a problem.
pub fn set_problem(conn: &mut DbConn, report_ids: &[i64], problem_id: i64) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(
        reports::table.filter(reports::id.eq_any(report_ids))
    )
    .set(reports::problem_id.eq(problem_id))
    .execute(c))?;
    Ok(())
}

/// Moves every report of `from` into `into` and deletes the emptied problems (a merge).
pub fn merge(conn: &mut DbConn, from: &[i64], into: i64) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(
        reports::table.filter(reports::problem_id.eq_any(from))
    )
    .set(reports::problem_id.eq(into))
    .execute(c))?;
    with_conn!(conn, |c| diesel::delete(
        problems::table.filter(problems::id.eq_any(from))
    )
    .execute(c))?;
    Ok(())
}

/// Queue reports in no problem (stored before problems existed, or moved into the queue later),
/// by article and in arrival order, at most `limit`.
pub fn ungrouped(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Ungrouped>> {
    with_conn!(conn, |c| reports::table
        .filter(reports::problem_id.is_null())
        .filter(reports::lane.eq(Lane::Queue))
        .order((reports::article_id.asc(), reports::id.asc()))
        .limit(limit)
        .select((
            reports::id,
            reports::article_id,
            reports::category,
            reports::quote,
            reports::details,
            reports::lang,
        ))
        .load(c))
}

/// Which problems to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct ProblemQuery {
    pub article_id: Option<i64>,
    /// Only open (true) or only closed (false) problems.
    pub open: Option<bool>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConn, q: &ProblemQuery) -> QueryResult<Vec<StoredProblem>> {
    with_conn!(conn, |c| {
        let open_report = exists(
            reports::table
                .filter(reports::problem_id.eq(problems::id.nullable()))
                .filter(reports::lane.eq(Lane::Queue))
                .filter(reports::status.eq_any(ReportStatus::OPEN)),
        );
        let mut query = problems::table
            .select(StoredProblem::as_select())
            .into_boxed();
        if let Some(article_id) = q.article_id {
            query = query.filter(problems::article_id.eq(article_id));
        }
        match q.open {
            Some(true) => query = query.filter(open_report),
            Some(false) => query = query.filter(diesel::dsl::not(open_report)),
            None => {}
        }
        if let Some(before) = q.before_id {
            query = query.filter(problems::id.lt(before));
        }
        query.order(problems::id.desc()).limit(q.limit).load(c)
    })
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<StoredProblem>> {
    with_conn!(conn, |c| problems::table
        .find(id)
        .select(StoredProblem::as_select())
        .get_result(c)
        .optional())
}

/// The reports of these problems, oldest first.
pub fn reports_of(conn: &mut DbConn, problem_ids: &[i64]) -> QueryResult<Vec<Report>> {
    with_conn!(conn, |c| reports::table
        .filter(reports::problem_id.eq_any(problem_ids))
        .order(reports::id.asc())
        .select(Report::as_select())
        .load(c))
}
