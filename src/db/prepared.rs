//! The statements the ingest writer runs for every batch, written out by hand so that they are
//! prepared once per connection.
//!
//! Diesel never caches an `UPDATE` or an upsert's `DO UPDATE SET` built with its DSL (in general
//! their shapes are unbounded), so it compiled them again for every vote: a fifth of the SQLite
//! writer's time went to SQLite's parser, and PostgreSQL parsed and planned each one anew. These
//! have one fixed shape each; diesel caches them by type.
//!
//! This is also the one home of the scoring formula in SQL (see `articles` for what it means), so
//! that a vote's counters and scores change in one statement.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Date, Double, Nullable, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};

use super::articles::{HELPFULNESS_WEIGHT, PRIOR_HELPFUL, PRIOR_SHARE, PRIOR_VOTES};

/// What differs between the backends in these statements.
pub trait Dialect: Backend {
    /// The larger of two numbers.
    const GREATEST: &'static str;
}

impl Dialect for Sqlite {
    const GREATEST: &'static str = "max";
}

impl Dialect for Pg {
    const GREATEST: &'static str = "GREATEST";
}

/// `helpfulness = …, attention = …` for the counters the three SQL expressions give: the
/// Bayesian average, and the report score plus the low-helpfulness penalty, as the `articles`
/// module documents.
fn scores_sql<DB: Dialect>(helpful: &str, not_helpful: &str, report_score: &str) -> String {
    let helpfulness = format!(
        "(({helpful}) + {PRIOR_HELPFUL:?}) / (({helpful}) + ({not_helpful}) + {PRIOR_VOTES:?})"
    );
    format!(
        "helpfulness = {helpfulness}, attention = ({report_score}) + {greatest}(0.0, {PRIOR_SHARE:?} - {helpfulness}) * {HELPFULNESS_WEIGHT:?}",
        greatest = DB::GREATEST
    )
}

macro_rules! cached_by_type {
    ($name:ident) => {
        impl QueryId for $name {
            type QueryId = $name;
            const HAS_STATIC_QUERY_ID: bool = true;
        }
        impl<Conn> RunQueryDsl<Conn> for $name {}
    };
}

/// Adds a batch's votes to an article's counters and recomputes its scores; returns what the
/// alert rules read. The update locks the row until commit.
pub struct AddVotes {
    pub id: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    pub at: NaiveDateTime,
}
cached_by_type!(AddVotes);

impl Query for AddVotes {
    /// (helpful, not helpful, reviewed at) after the update.
    type SqlType = (BigInt, BigInt, Nullable<Timestamp>);
}

impl<DB> QueryFragment<DB> for AddVotes
where
    DB: Dialect,
    i64: ToSql<BigInt, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // The right-hand sides of SET read the row as it was before the update, so the scores
        // are computed from the old counters plus the deltas, which come in as a one-row table.
        out.push_sql("UPDATE articles SET helpful = helpful + d.dh, not_helpful = not_helpful + d.dn, last_activity_at = d.at, ");
        out.push_sql(&scores_sql::<DB>(
            "articles.helpful + d.dh",
            "articles.not_helpful + d.dn",
            "articles.report_score",
        ));
        out.push_sql(" FROM (SELECT ");
        out.push_bind_param::<BigInt, _>(&self.helpful)?;
        out.push_sql(" AS dh, ");
        out.push_bind_param::<BigInt, _>(&self.not_helpful)?;
        out.push_sql(" AS dn, ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(" AS at) AS d WHERE articles.id = ");
        out.push_bind_param::<BigInt, _>(&self.id)?;
        out.push_sql(" RETURNING articles.helpful, articles.not_helpful, articles.reviewed_at");
        Ok(())
    }
}

/// Stores the report part of an article's attention and recomputes its scores.
pub struct SetReportScore {
    pub id: i64,
    pub report_score: f64,
}
cached_by_type!(SetReportScore);

impl<DB> QueryFragment<DB> for SetReportScore
where
    DB: Dialect,
    i64: ToSql<BigInt, DB>,
    f64: ToSql<Double, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE articles SET report_score = d.score, ");
        out.push_sql(&scores_sql::<DB>(
            "articles.helpful",
            "articles.not_helpful",
            "d.score",
        ));
        out.push_sql(" FROM (SELECT ");
        out.push_bind_param::<Double, _>(&self.report_score)?;
        out.push_sql(" AS score) AS d WHERE articles.id = ");
        out.push_bind_param::<BigInt, _>(&self.id)?;
        Ok(())
    }
}

/// Adds to an article's daily vote totals, creating the day's row when it is the first.
pub struct AddToDay {
    pub article_id: i64,
    pub day: NaiveDate,
    pub helpful: i64,
    pub not_helpful: i64,
}
cached_by_type!(AddToDay);

impl<DB> QueryFragment<DB> for AddToDay
where
    DB: Dialect,
    i64: ToSql<BigInt, DB>,
    NaiveDate: ToSql<Date, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("INSERT INTO vote_days (article_id, day, helpful, not_helpful) VALUES (");
        out.push_bind_param::<BigInt, _>(&self.article_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Date, _>(&self.day)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.helpful)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.not_helpful)?;
        out.push_sql(
            ") ON CONFLICT (article_id, day) DO UPDATE SET \
             helpful = vote_days.helpful + excluded.helpful, \
             not_helpful = vote_days.not_helpful + excluded.not_helpful",
        );
        Ok(())
    }
}
