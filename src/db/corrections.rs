//! Public corrections, published per article and in the site-wide feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{articles, corrections};
use super::DbConn;
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = corrections)]
pub struct Correction {
    pub id: i64,
    pub article_id: i64,
    pub report_id: Option<i64>,
    pub body: String,
    pub created_by: String,
    pub published_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConn,
    article_id: i64,
    report_id: Option<i64>,
    body: &str,
    created_by: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(corrections::table)
        .values((
            corrections::article_id.eq(article_id),
            corrections::report_id.eq(report_id),
            corrections::body.eq(body),
            corrections::created_by.eq(created_by),
            corrections::published_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// An article's corrections, newest first.
pub fn of_article(conn: &mut DbConn, article_id: i64) -> QueryResult<Vec<Correction>> {
    with_conn!(conn, |c| corrections::table
        .filter(corrections::article_id.eq(article_id))
        .order((corrections::published_at.desc(), corrections::id.desc()))
        .select(Correction::as_select())
        .load(c))
}

/// The newest corrections anywhere, with their article's URL and title.
pub fn latest(
    conn: &mut DbConn,
    limit: i64,
) -> QueryResult<Vec<(Correction, String, Option<String>)>> {
    with_conn!(conn, |c| corrections::table
        .inner_join(articles::table)
        .order((corrections::published_at.desc(), corrections::id.desc()))
        .limit(limit)
        .select((Correction::as_select(), articles::url, articles::title))
        .load(c))
}

/// An article's id and last review: (id, last reviewed, reviewed by).
pub type ReviewedArticle = (i64, Option<NaiveDateTime>, Option<String>);

/// The article at a canonical URL.
pub fn article_by_url(conn: &mut DbConn, url: &str) -> QueryResult<Option<ReviewedArticle>> {
    with_conn!(conn, |c| articles::table
        .filter(articles::url.eq(url))
        .select((
            articles::id,
            articles::last_reviewed_at,
            articles::reviewed_by
        ))
        .get_result(c)
        .optional())
}
