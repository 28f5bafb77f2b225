//! Votes: one per reader per article per day, with the article's counters and daily totals
//! updated in the same transaction.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::articles::{self, KnownArticles, VoteTotals};
use super::prepared::AddToDay;
use super::schema::votes;
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
}

/// What a run of votes adds to the article counters and daily totals, written once per article
/// and day ([`VotesAdded::store`]) instead of once per vote.
#[derive(Debug, Default)]
pub struct VotesAdded {
    articles: BTreeMap<i64, Added>,
    days: BTreeMap<(i64, NaiveDate), (i64, i64)>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Added {
    helpful: i64,
    not_helpful: i64,
    /// A "No" is the only vote that can push an article over an alert rule.
    any_no: bool,
}

/// An article's counters after a batch's votes, for the alert rules.
#[derive(Debug, Clone, Copy)]
pub struct ArticleVoted {
    pub article_id: i64,
    pub totals: VoteTotals,
    pub any_no: bool,
}

impl VotesAdded {
    fn add(&mut self, article_id: i64, day: NaiveDate, (helpful, not_helpful): (i64, i64)) {
        let a = self.articles.entry(article_id).or_default();
        a.helpful += helpful;
        a.not_helpful += not_helpful;
        let d = self.days.entry((article_id, day)).or_default();
        d.0 += helpful;
        d.1 += not_helpful;
    }

    fn said_no(&mut self, article_id: i64) {
        self.articles.entry(article_id).or_default().any_no = true;
    }

    /// Writes the article counters (with their scores), then the daily totals; returns each
    /// article's counters afterwards. The article row is locked first, as every other change to
    /// an article does, so that two instances on PostgreSQL cannot deadlock over its rows.
    pub fn store(self, conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<ArticleVoted>> {
        let voted = self
            .articles
            .into_iter()
            .map(|(article_id, a)| {
                let totals = articles::add_votes(conn, article_id, a.helpful, a.not_helpful, now)?;
                Ok(ArticleVoted {
                    article_id,
                    totals,
                    any_no: a.any_no,
                })
            })
            .collect::<QueryResult<Vec<_>>>()?;
        for ((article_id, day), (helpful, not_helpful)) in self.days {
            if helpful != 0 || not_helpful != 0 {
                with_conn!(conn, |c| AddToDay {
                    article_id,
                    day,
                    helpful,
                    not_helpful,
                }
                .execute(c))?;
            }
        }
        Ok(voted)
    }
}

/// Stores a vote, or replaces the same reader's vote from earlier today; what it adds to the
/// counters goes into `added`, to be stored with the rest of the batch.
pub fn record(
    conn: &mut DbConn,
    known: &mut KnownArticles,
    v: &NewVote,
    now: NaiveDateTime,
    added: &mut VotesAdded,
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
    if !v.helpful {
        added.said_no(article_id);
    }
    // Most votes are a reader's first on the article today: try the insert, and look for the
    // earlier vote only when the unique key says there is one.
    let inserted: Option<i64> = with_conn!(conn, |c| diesel::insert_into(votes::table)
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
        .on_conflict((votes::article_id, votes::visitor_key))
        .do_nothing()
        .returning(votes::id)
        .get_result(c)
        .optional())?;
    if let Some(vote_id) = inserted {
        added.add(
            article_id,
            now.date(),
            if v.helpful { (1, 0) } else { (0, 1) },
        );
        return Ok(VoteOutcome {
            vote_id,
            article_id,
            created: true,
        });
    }
    let (vote_id, was_helpful, first_at): (i64, bool, NaiveDateTime) =
        with_conn!(conn, |c| votes::table
            .filter(votes::article_id.eq(article_id))
            .filter(votes::visitor_key.eq(&v.visitor_key))
            .select((votes::id, votes::helpful, votes::created_at))
            .get_result(c))?;
    with_conn!(conn, |c| diesel::update(votes::table.find(vote_id))
        .set((
            votes::helpful.eq(v.helpful),
            votes::reasons.eq(&reasons),
            votes::comment.eq(&v.comment),
            votes::revision.eq(&v.revision),
            votes::updated_at.eq(now),
        ))
        .execute(c))?;
    // A changed answer moves one vote between the counters, on the day it was first given.
    let delta = match (was_helpful, v.helpful) {
        (false, true) => (1, -1),
        (true, false) => (-1, 1),
        _ => (0, 0),
    };
    added.add(article_id, first_at.date(), delta);
    Ok(VoteOutcome {
        vote_id,
        article_id,
        created: false,
    })
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
