//! The statements the ingest writer runs for every batch, written out by hand so that they are
//! prepared once per connection.
//!
//! Diesel never caches an `UPDATE` or an upsert's `DO UPDATE SET` built with its DSL (in general
//! their shapes are unbounded), so it compiled them again for every vote: a fifth of the SQLite
//! writer's time went to SQLite's parser, and PostgreSQL parsed and planned each one anew. These
//! have one fixed shape each; diesel caches them by type.
//!
//! The batch statements carry all of a batch's rows in one JSON parameter ([`JsonRows`]), so
//! their shape does not depend on the batch's size either, and both backends run the same SQL
//! but for where the rows come from ([`Dialect::push_rows`]).
//!
//! This is also the one home of the scoring formula in SQL (see `articles` for what it means), so
//! that a vote's counters and scores change in one statement.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};
use serde::Serialize;

use super::articles::{HELPFULNESS_WEIGHT, PRIOR_HELPFUL, PRIOR_SHARE, PRIOR_VOTES};

/// What differs between the backends in these statements.
pub trait Dialect: Backend {
    /// The larger of two numbers.
    const GREATEST: &'static str;

    /// Pushes a table `t` of these columns (name, PostgreSQL type) holding `rows`.
    fn push_rows<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        rows: &'b JsonRows,
        columns: &[(&str, &str)],
    ) -> QueryResult<()>;
}

impl Dialect for Sqlite {
    const GREATEST: &'static str = "max";

    fn push_rows<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        rows: &'b JsonRows,
        columns: &[(&str, &str)],
    ) -> QueryResult<()> {
        out.push_sql("(SELECT ");
        for (i, (name, _)) in columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql("value ->> '");
            out.push_sql(name);
            out.push_sql("' AS ");
            out.push_sql(name);
        }
        out.push_sql(" FROM json_each(");
        out.push_bind_param::<Text, _>(&rows.0)?;
        out.push_sql(")) AS t");
        Ok(())
    }
}

impl Dialect for Pg {
    const GREATEST: &'static str = "GREATEST";

    fn push_rows<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        rows: &'b JsonRows,
        columns: &[(&str, &str)],
    ) -> QueryResult<()> {
        out.push_sql("json_to_recordset(CAST(");
        out.push_bind_param::<Text, _>(&rows.0)?;
        out.push_sql(" AS json)) AS t(");
        for (i, (name, sql_type)) in columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql(name);
            out.push_sql(" ");
            out.push_sql(sql_type);
        }
        out.push_sql(")");
        Ok(())
    }
}

/// A number in a statement: a column (or an expression over columns), or a bound value.
#[derive(Clone, Copy)]
enum Term<'a> {
    Column(&'static str),
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

/// A batch's rows for one statement: a JSON array of objects keyed by column name, bound as one
/// parameter. The statement's shape then does not depend on how many rows it carries, so it is
/// prepared once, and the rows cost no per-row binding; PostgreSQL reads them with
/// `json_to_recordset`, SQLite with `json_each`.
pub struct JsonRows(String);

impl JsonRows {
    fn new<T: Serialize>(rows: &[T]) -> QueryResult<JsonRows> {
        serde_json::to_string(rows)
            .map(JsonRows)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
    }
}

/// A vote as stored.
#[derive(Debug, Serialize)]
pub struct VoteRow {
    pub article_id: i64,
    pub helpful: bool,
    pub comment: Option<String>,
    pub revision: Option<String>,
    pub visitor_key: String,
}

/// Inserts a batch's votes, skipping any whose reader has voted on the article today; returns
/// (id, article, visitor key) of those inserted.
pub struct InsertVotes {
    rows: JsonRows,
    at: NaiveDateTime,
}
cached_by_type!(InsertVotes);

impl InsertVotes {
    pub fn new(rows: &[VoteRow], at: NaiveDateTime) -> QueryResult<InsertVotes> {
        Ok(InsertVotes {
            rows: JsonRows::new(rows)?,
            at,
        })
    }
}

impl Query for InsertVotes {
    type SqlType = (BigInt, BigInt, Text);
}

impl<DB> QueryFragment<DB> for InsertVotes
where
    DB: Dialect,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO votes (article_id, helpful, comment, revision, visitor_key, \
             created_at, updated_at) SELECT t.article_id, t.helpful, t.comment, \
             t.revision, t.visitor_key, ",
        );
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(" FROM ");
        DB::push_rows(
            &mut out,
            &self.rows,
            &[
                ("article_id", "bigint"),
                ("helpful", "boolean"),
                ("comment", "text"),
                ("revision", "text"),
                ("visitor_key", "text"),
            ],
        )?;
        // SQLite needs the WHERE to tell the upsert clause from a join's ON.
        out.push_sql(
            " WHERE true ON CONFLICT (article_id, visitor_key) DO NOTHING \
             RETURNING id, article_id, visitor_key",
        );
        Ok(())
    }
}

/// What a batch adds to one article's vote counters.
#[derive(Debug, Serialize)]
pub struct ArticleVotes {
    pub id: i64,
    pub helpful: i64,
    pub not_helpful: i64,
}

/// Adds a batch's votes to its articles' counters and recomputes their scores; returns (id,
/// helpful, not helpful, reviewed at) per article, for the alert rules. The update locks the
/// rows until commit.
pub struct AddVotes {
    rows: JsonRows,
    at: NaiveDateTime,
}
cached_by_type!(AddVotes);

impl AddVotes {
    pub fn new(rows: &[ArticleVotes], at: NaiveDateTime) -> QueryResult<AddVotes> {
        Ok(AddVotes {
            rows: JsonRows::new(rows)?,
            at,
        })
    }
}

impl Query for AddVotes {
    type SqlType = (BigInt, BigInt, BigInt, Nullable<Timestamp>);
}

impl<DB> QueryFragment<DB> for AddVotes
where
    DB: Dialect,
    i64: ToSql<BigInt, DB>,
    f64: ToSql<Double, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "UPDATE articles SET helpful = articles.helpful + t.helpful, \
             not_helpful = articles.not_helpful + t.not_helpful, last_activity_at = ",
        );
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", ");
        push_scores(
            &mut out,
            Term::Column("(articles.helpful + t.helpful)"),
            Term::Column("(articles.not_helpful + t.not_helpful)"),
            Term::Column("articles.report_score"),
        )?;
        out.push_sql(" FROM ");
        DB::push_rows(
            &mut out,
            &self.rows,
            &[
                ("id", "bigint"),
                ("helpful", "bigint"),
                ("not_helpful", "bigint"),
            ],
        )?;
        out.push_sql(
            " WHERE articles.id = t.id \
             RETURNING articles.id, articles.helpful, articles.not_helpful, articles.reviewed_at",
        );
        Ok(())
    }
}

/// What a batch adds to one article's totals for one day.
#[derive(Debug, Serialize)]
pub struct DayVotes {
    pub article_id: i64,
    pub day: NaiveDate,
    pub helpful: i64,
    pub not_helpful: i64,
}

/// Adds a batch's votes to its articles' daily totals, creating a day's row when it is the
/// first; each (article, day) appears once.
pub struct AddToDays {
    rows: JsonRows,
}
cached_by_type!(AddToDays);

impl AddToDays {
    pub fn new(rows: &[DayVotes]) -> QueryResult<AddToDays> {
        Ok(AddToDays {
            rows: JsonRows::new(rows)?,
        })
    }
}

impl<DB: Dialect> QueryFragment<DB> for AddToDays {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO vote_days (article_id, day, helpful, not_helpful) \
             SELECT t.article_id, t.day, t.helpful, t.not_helpful FROM ",
        );
        DB::push_rows(
            &mut out,
            &self.rows,
            &[
                ("article_id", "bigint"),
                ("day", "date"),
                ("helpful", "bigint"),
                ("not_helpful", "bigint"),
            ],
        )?;
        out.push_sql(
            " WHERE true ON CONFLICT (article_id, day) DO UPDATE SET \
             helpful = vote_days.helpful + excluded.helpful, \
             not_helpful = vote_days.not_helpful + excluded.not_helpful",
        );
        Ok(())
    }
}

/// How many counted votes one client address gave one article today.
#[derive(Debug, Serialize)]
pub struct AddressVotes {
    /// An HMAC of (address, article) under the day's salt: the same only within one day.
    pub address_key: String,
    pub day: NaiveDate,
    pub votes: i64,
}

/// Adds a batch's counted votes to each address's count for the day.
pub struct AddToAddresses {
    rows: JsonRows,
}
cached_by_type!(AddToAddresses);

impl AddToAddresses {
    pub fn new(rows: &[AddressVotes]) -> QueryResult<AddToAddresses> {
        Ok(AddToAddresses {
            rows: JsonRows::new(rows)?,
        })
    }
}

impl<DB: Dialect> QueryFragment<DB> for AddToAddresses {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("INSERT INTO vote_addresses (address_key, day, votes) SELECT t.address_key, t.day, t.votes FROM ");
        DB::push_rows(
            &mut out,
            &self.rows,
            &[
                ("address_key", "text"),
                ("day", "date"),
                ("votes", "bigint"),
            ],
        )?;
        out.push_sql(
            " WHERE true ON CONFLICT (address_key) DO UPDATE SET \
             votes = vote_addresses.votes + excluded.votes",
        );
        Ok(())
    }
}
