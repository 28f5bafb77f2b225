//! Votes: one per reader per article per day, with the article's counters and daily totals
//! updated in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::articles::{self, KnownArticles, VoteTotals};
use super::schema::{vote_days, votes};
use super::DbConn;
use crate::domain::{ArticleUrl, Reason};
use crate::with_conn;

/// A validated vote, ready to store.
#[derive(Debug, Clone)]
pub struct NewVote {
    pub article: ArticleUrl,
    pub title: Option<String>,
    pub revision: Option<String>,
    pub helpful: bool,
    pub reasons: Vec<Reason>,
    pub comment: Option<String>,
    /// Keyed by the day's salt, so it is the same for one reader only within one day.
    pub visitor_key: String,
}

#[derive(Debug, Clone, Copy)]
pub struct VoteOutcome {
    pub vote_id: i64,
    pub article_id: i64,
    /// False when the reader's earlier vote today was replaced.
    pub created: bool,
    /// The article's counters after this vote.
    pub totals: VoteTotals,
}

/// Stores a vote, or replaces the same reader's vote from earlier today.
pub fn record(
    conn: &mut DbConn,
    known: &mut KnownArticles,
    v: &NewVote,
    now: NaiveDateTime,
) -> QueryResult<VoteOutcome> {
    let article_id = articles::find_or_create(
        conn,
        known,
        &v.article,
        v.title.as_deref(),
        v.revision.as_deref(),
        now,
    )?;
    let reasons = v
        .reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let earlier: Option<(i64, bool, NaiveDateTime)> = with_conn!(conn, |c| votes::table
        .filter(votes::article_id.eq(article_id))
        .filter(votes::visitor_key.eq(&v.visitor_key))
        .select((votes::id, votes::helpful, votes::created_at))
        .get_result(c)
        .optional())?;

    match earlier {
        Some((vote_id, was_helpful, first_at)) => {
            with_conn!(conn, |c| diesel::update(votes::table.find(vote_id))
                .set((
                    votes::helpful.eq(v.helpful),
                    votes::reasons.eq(&reasons),
                    votes::comment.eq(&v.comment),
                    votes::revision.eq(&v.revision),
                    votes::updated_at.eq(now),
                ))
                .execute(c))?;
            let (dh, dn) = match (was_helpful, v.helpful) {
                (false, true) => (1, -1),
                (true, false) => (-1, 1),
                _ => (0, 0),
            };
            if dh != 0 {
                add_to_day(conn, article_id, first_at, dh, dn)?;
            }
            let totals = articles::add_votes(conn, article_id, dh, dn, now)?;
            Ok(VoteOutcome {
                vote_id,
                article_id,
                created: false,
                totals,
            })
        }
        None => {
            let vote_id: i64 = with_conn!(conn, |c| diesel::insert_into(votes::table)
                .values((
                    votes::article_id.eq(article_id),
                    votes::helpful.eq(v.helpful),
                    votes::reasons.eq(&reasons),
                    votes::comment.eq(&v.comment),
                    votes::revision.eq(&v.revision),
                    votes::visitor_key.eq(&v.visitor_key),
                    votes::created_at.eq(now),
                    votes::updated_at.eq(now),
                ))
                .returning(votes::id)
                .get_result(c))?;
            let (dh, dn) = if v.helpful { (1, 0) } else { (0, 1) };
            add_to_day(conn, article_id, now, dh, dn)?;
            let totals = articles::add_votes(conn, article_id, dh, dn, now)?;
            Ok(VoteOutcome {
                vote_id,
                article_id,
                created: true,
                totals,
            })
        }
    }
}

fn add_to_day(
    conn: &mut DbConn,
    article_id: i64,
    at: NaiveDateTime,
    helpful: i64,
    not_helpful: i64,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(vote_days::table)
        .values((
            vote_days::article_id.eq(article_id),
            vote_days::day.eq(at.date()),
            vote_days::helpful.eq(helpful),
            vote_days::not_helpful.eq(not_helpful),
        ))
        .on_conflict((vote_days::article_id, vote_days::day))
        .do_update()
        .set((
            vote_days::helpful.eq(vote_days::helpful + helpful),
            vote_days::not_helpful.eq(vote_days::not_helpful + not_helpful),
        ))
        .execute(c))?;
    Ok(())
}

/// A vote as editors see it: no visitor key.
#[derive(Debug, Clone, Queryable)]
pub struct VoteFeedback {
    pub helpful: bool,
    pub reasons: String,
    pub comment: Option<String>,
    pub revision: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// The newest votes that say more than yes or no (reasons or a comment), newest first.
pub fn recent_feedback(
    conn: &mut DbConn,
    article_id: i64,
    limit: i64,
) -> QueryResult<Vec<VoteFeedback>> {
    with_conn!(conn, |c| votes::table
        .filter(votes::article_id.eq(article_id))
        .filter(votes::reasons.ne("").or(votes::comment.is_not_null()))
        .order(votes::updated_at.desc())
        .limit(limit)
        .select((
            votes::helpful,
            votes::reasons,
            votes::comment,
            votes::revision,
            votes::updated_at,
        ))
        .load(c))
}

/// Daily (helpful, not helpful) totals for an article from `from` on, oldest first.
pub fn days(
    conn: &mut DbConn,
    article_id: i64,
    from: chrono::NaiveDate,
) -> QueryResult<Vec<(chrono::NaiveDate, i64, i64)>> {
    use super::schema::vote_days;
    with_conn!(conn, |c| vote_days::table
        .filter(vote_days::article_id.eq(article_id))
        .filter(vote_days::day.ge(from))
        .order(vote_days::day.asc())
        .select((vote_days::day, vote_days::helpful, vote_days::not_helpful))
        .load(c))
}
