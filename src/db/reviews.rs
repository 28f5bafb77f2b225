//! Reviews of articles, and the review dates copied onto each article (its newest review and
//! when the next is due by policy) so that listings filter on them without a join.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::articles::{pulled_forward, Article};
use super::schema::{articles, reviews};
use super::DbConn;
use crate::domain::{ReviewOutcome, ReviewPolicies, ReviewSource};
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviews)]
pub struct Review {
    pub id: i64,
    pub article_id: i64,
    pub reviewer: String,
    pub reviewed_at: NaiveDateTime,
    pub outcome: ReviewOutcome,
    pub note: Option<String>,
    pub source: ReviewSource,
    pub created_at: NaiveDateTime,
}

/// A review to record.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    pub reviewer: &'a str,
    pub reviewed_at: NaiveDateTime,
    pub outcome: ReviewOutcome,
    pub note: Option<&'a str>,
    pub source: ReviewSource,
}

pub fn insert(
    conn: &mut DbConn,
    article_id: i64,
    r: &NewReview,
    now: NaiveDateTime,
) -> QueryResult<Review> {
    with_conn!(conn, |c| diesel::insert_into(reviews::table)
        .values((
            reviews::article_id.eq(article_id),
            reviews::reviewer.eq(r.reviewer),
            reviews::reviewed_at.eq(r.reviewed_at),
            reviews::outcome.eq(r.outcome),
            reviews::note.eq(r.note),
            reviews::source.eq(r.source),
            reviews::created_at.eq(now),
        ))
        .returning(Review::as_returning())
        .get_result(c))
}

/// Whether the page's own review of this date is recorded already.
pub fn page_review_known(
    conn: &mut DbConn,
    article_id: i64,
    reviewed_at: NaiveDateTime,
) -> QueryResult<bool> {
    let n: i64 = with_conn!(conn, |c| reviews::table
        .filter(reviews::article_id.eq(article_id))
        .filter(reviews::source.eq(ReviewSource::Page))
        .filter(reviews::reviewed_at.eq(reviewed_at))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

/// An article's reviews, newest first.
pub fn of_article(conn: &mut DbConn, article_id: i64) -> QueryResult<Vec<Review>> {
    with_conn!(conn, |c| reviews::table
        .filter(reviews::article_id.eq(article_id))
        .order((reviews::reviewed_at.desc(), reviews::id.desc()))
        .select(Review::as_select())
        .load(c))
}

/// Copies the newest review onto the article and sets when the next is due by `policies`.
pub fn refresh_article(
    conn: &mut DbConn,
    article: &Article,
    policies: &ReviewPolicies,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let newest: Option<(NaiveDateTime, String)> = with_conn!(conn, |c| reviews::table
        .filter(reviews::article_id.eq(article.id))
        .order((reviews::reviewed_at.desc(), reviews::id.desc()))
        .select((reviews::reviewed_at, reviews::reviewer))
        .first(c)
        .optional())?;
    let since = newest.as_ref().map_or(article.created_at, |(at, _)| *at);
    let due = policies.due(&article.host, &article.path, since);
    let (at, by) = newest.unzip();
    with_conn!(conn, |c| diesel::update(articles::table.find(article.id))
        .set((
            articles::last_reviewed_at.eq(at),
            articles::reviewed_by.eq(by),
            articles::review_due_at.eq(due),
            articles::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Recomputes every article's due date under `policies` (they may have changed since the last
/// start), writing only those that differ, a few hundred per transaction. Returns how many
/// changed.
pub fn refresh_due_dates(conn: &mut DbConn, policies: &ReviewPolicies) -> QueryResult<usize> {
    type Row = (
        i64,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = with_conn!(conn, |c| articles::table
        .select((
            articles::id,
            articles::host,
            articles::path,
            articles::created_at,
            articles::last_reviewed_at,
            articles::review_due_at,
        ))
        .load(c))?;
    let changed: Vec<(i64, NaiveDateTime)> = rows
        .into_iter()
        .filter_map(|(id, host, path, created, reviewed, stored)| {
            let due = policies.due(&host, &path, reviewed.unwrap_or(created));
            (stored != Some(due)).then_some((id, due))
        })
        .collect();
    for chunk in changed.chunks(500) {
        conn.write_tx(|c| {
            for (id, due) in chunk {
                with_conn!(&mut *c, |c| diesel::update(articles::table.find(*id))
                    .set(articles::review_due_at.eq(*due))
                    .execute(c))?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
    }
    Ok(changed.len())
}

/// Articles whose review is due by `until` or pulled forward by an open report: those pulled
/// forward, then the rest by due date, at most `limit` of each.
pub fn due_by(conn: &mut DbConn, until: NaiveDateTime, limit: i64) -> QueryResult<Vec<Article>> {
    let mut pulled: Vec<Article> = with_conn!(conn, |c| articles::table
        .filter(pulled_forward())
        .order((articles::review_due_at.asc(), articles::id.asc()))
        .limit(limit)
        .select(Article::as_select())
        .load(c))?;
    let by_date: Vec<Article> = with_conn!(conn, |c| articles::table
        .filter(articles::review_due_at.le(until))
        .filter(diesel::dsl::not(pulled_forward()))
        .order((articles::review_due_at.asc(), articles::id.asc()))
        .limit(limit)
        .select(Article::as_select())
        .load(c))?;
    pulled.extend(by_date);
    Ok(pulled)
}
