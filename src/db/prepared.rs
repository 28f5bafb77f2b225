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
use diesel::sql_types::{Array, BigInt, Bool, Date, Double, Nullable, Text, Timestamp};
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

/// A number in a statement: a column, a column plus a bound value, or a bound value.
#[derive(Clone, Copy)]
enum Term<'a> {
    Column(&'static str),
    ColumnPlus(&'static str, &'a i64),
    Value(&'a f64),
}

impl<'a> Term<'a> {
    fn push<DB>(self, out: &mut AstPass<'_, 'a, DB>) -> QueryResult<()>
    where
        DB: Backend,
        i64: ToSql<BigInt, DB>,
        f64: ToSql<Double, DB>,
    {
        match self {
            Term::Column(column) => out.push_sql(column),
            Term::ColumnPlus(column, plus) => {
                out.push_sql("(");
                out.push_sql(column);
                out.push_sql(" + ");
                out.push_bind_param::<BigInt, _>(plus)?;
                out.push_sql(")");
            }
            Term::Value(value) => out.push_bind_param::<Double, _>(value)?,
        }
        Ok(())
    }
}

/// Pushes `helpfulness = …, attention = …` for these counters: the Bayesian average, and the
/// report score plus the low-helpfulness penalty, as the `articles` module documents. The
/// right-hand sides of SET read the row as it was before the update, so new counters are given
/// as the column plus what the statement adds.
fn push_scores<'a, DB>(
    out: &mut AstPass<'_, 'a, DB>,
    helpful: Term<'a>,
    not_helpful: Term<'a>,
    report_score: Term<'a>,
) -> QueryResult<()>
where
    DB: Dialect,
    i64: ToSql<BigInt, DB>,
    f64: ToSql<Double, DB>,
{
    let helpfulness = |out: &mut AstPass<'_, 'a, DB>| -> QueryResult<()> {
        out.push_sql("(");
        helpful.push(out)?;
        out.push_sql(" + ");
        number(out, PRIOR_HELPFUL);
        out.push_sql(") / (");
        helpful.push(out)?;
        out.push_sql(" + ");
        not_helpful.push(out)?;
        out.push_sql(" + ");
        number(out, PRIOR_VOTES);
        out.push_sql(")");
        Ok(())
    };
    out.push_sql("helpfulness = ");
    helpfulness(out)?;
    out.push_sql(", attention = ");
    report_score.push(out)?;
    out.push_sql(" + ");
    out.push_sql(DB::GREATEST);
    out.push_sql("(0.0, ");
    number(out, PRIOR_SHARE);
    out.push_sql(" - ");
    helpfulness(out)?;
    out.push_sql(") * ");
    number(out, HELPFULNESS_WEIGHT);
    Ok(())
}

/// A constant of the formula, written so that SQL reads it as a real number.
fn number<DB: Backend>(out: &mut AstPass<'_, '_, DB>, x: f64) {
    out.push_sql(&format!("{x:?}"));
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
    f64: ToSql<Double, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE articles SET helpful = helpful + ");
        out.push_bind_param::<BigInt, _>(&self.helpful)?;
        out.push_sql(", not_helpful = not_helpful + ");
        out.push_bind_param::<BigInt, _>(&self.not_helpful)?;
        out.push_sql(", last_activity_at = ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", ");
        push_scores(
            &mut out,
            Term::ColumnPlus("helpful", &self.helpful),
            Term::ColumnPlus("not_helpful", &self.not_helpful),
            Term::Column("report_score"),
        )?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&self.id)?;
        out.push_sql(" RETURNING helpful, not_helpful, reviewed_at");
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
        out.push_sql("UPDATE articles SET report_score = ");
        out.push_bind_param::<Double, _>(&self.report_score)?;
        out.push_sql(", ");
        push_scores(
            &mut out,
            Term::Column("helpful"),
            Term::Column("not_helpful"),
            Term::Value(&self.report_score),
        )?;
        out.push_sql(" WHERE id = ");
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
        out.push_sql(")");
        out.push_sql(ADD_TO_EXISTING_DAY);
        Ok(())
    }
}

/// What an upsert of daily totals does with a day that has a row already.
const ADD_TO_EXISTING_DAY: &str = " ON CONFLICT (article_id, day) DO UPDATE SET \
     helpful = vote_days.helpful + excluded.helpful, \
     not_helpful = vote_days.not_helpful + excluded.not_helpful";

/// PostgreSQL: inserts a batch's votes in one statement, skipping any whose reader has voted on
/// the article today; returns (id, article, visitor key) of those inserted.
pub struct InsertVotes {
    pub article_ids: Vec<i64>,
    pub helpful: Vec<bool>,
    pub reasons: Vec<String>,
    pub comments: Vec<Option<String>>,
    pub revisions: Vec<Option<String>>,
    pub visitor_keys: Vec<String>,
    pub at: NaiveDateTime,
}
cached_by_type!(InsertVotes);

impl Query for InsertVotes {
    type SqlType = (BigInt, BigInt, Text);
}

impl QueryFragment<Pg> for InsertVotes {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO votes (article_id, helpful, reasons, comment, revision, visitor_key, \
             created_at, updated_at) SELECT a, h, r, c, v, k, ",
        );
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(" FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(&self.article_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Bool>, _>(&self.helpful)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.reasons)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.comments)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.revisions)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.visitor_keys)?;
        out.push_sql(
            ") AS t(a, h, r, c, v, k) ON CONFLICT (article_id, visitor_key) DO NOTHING \
             RETURNING id, article_id, visitor_key",
        );
        Ok(())
    }
}

/// PostgreSQL: [`AddVotes`] for every article of a batch in one statement; returns (id, helpful,
/// not helpful, reviewed at) per article.
pub struct AddVotesToAll {
    pub ids: Vec<i64>,
    pub helpful: Vec<i64>,
    pub not_helpful: Vec<i64>,
    pub at: NaiveDateTime,
}
cached_by_type!(AddVotesToAll);

impl Query for AddVotesToAll {
    type SqlType = (BigInt, BigInt, BigInt, Nullable<Timestamp>);
}

impl QueryFragment<Pg> for AddVotesToAll {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "UPDATE articles SET helpful = articles.helpful + d.dh, \
             not_helpful = articles.not_helpful + d.dn, last_activity_at = ",
        );
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", ");
        push_scores(
            &mut out,
            Term::Column("(articles.helpful + d.dh)"),
            Term::Column("(articles.not_helpful + d.dn)"),
            Term::Column("articles.report_score"),
        )?;
        out.push_sql(" FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(&self.ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.helpful)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.not_helpful)?;
        out.push_sql(
            ") AS d(id, dh, dn) WHERE articles.id = d.id \
             RETURNING articles.id, articles.helpful, articles.not_helpful, articles.reviewed_at",
        );
        Ok(())
    }
}

/// PostgreSQL: [`AddToDay`] for every (article, day) of a batch in one statement; each pair
/// appears once.
pub struct AddToDays {
    pub article_ids: Vec<i64>,
    pub days: Vec<NaiveDate>,
    pub helpful: Vec<i64>,
    pub not_helpful: Vec<i64>,
}
cached_by_type!(AddToDays);

impl QueryFragment<Pg> for AddToDays {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO vote_days (article_id, day, helpful, not_helpful) SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.article_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Date>, _>(&self.days)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.helpful)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.not_helpful)?;
        out.push_sql(")");
        out.push_sql(ADD_TO_EXISTING_DAY);
        Ok(())
    }
}
