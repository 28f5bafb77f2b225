//! Votes: one per reader per article per day, with the article's counters and daily totals
//! updated in the same transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::articles::VoteTotals;
use super::prepared::{
    AddToAddresses, AddToDays, AddVotes, AddressVotes, ArticleVotes, DayVotes, InsertVotes, VoteRow,
};
use super::schema::{vote_addresses, vote_reasons, votes};
use super::DbConn;
use crate::domain::{NewVote, Reason};
use crate::with_conn;

#[derive(Debug, Clone, Copy)]
pub struct VoteOutcome {
    pub vote_id: i64,
    pub article_id: i64,
    /// False when the reader's earlier vote today was replaced.
    pub created: bool,
}

/// What a batch's votes add to the article counters and daily totals, written once per article
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

    /// Writes the article counters (with their scores), then the daily totals, one statement
    /// each for the whole batch; returns each article's counters afterwards.
    pub fn store(self, conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<ArticleVoted>> {
        if self.articles.is_empty() {
            return Ok(Vec::new());
        }
        let articles: Vec<ArticleVotes> = self
            .articles
            .iter()
            .map(|(&id, a)| ArticleVotes {
                id,
                helpful: a.helpful,
                not_helpful: a.not_helpful,
            })
            .collect();
        let add_votes = AddVotes::new(&articles, now)?;
        let totals: Vec<(i64, i64, i64, Option<NaiveDateTime>)> =
            with_conn!(conn, |c| add_votes.load(c))?;
        let days: Vec<DayVotes> = self
            .days
            .into_iter()
            .filter(|(_, (helpful, not_helpful))| *helpful != 0 || *not_helpful != 0)
            .map(|((article_id, day), (helpful, not_helpful))| DayVotes {
                article_id,
                day,
                helpful,
                not_helpful,
            })
            .collect();
        if !days.is_empty() {
            let add_to_days = AddToDays::new(&days)?;
            with_conn!(conn, |c| add_to_days.execute(c))?;
        }
        Ok(totals
            .into_iter()
            .map(
                |(article_id, helpful, not_helpful, reviewed_at)| ArticleVoted {
                    article_id,
                    totals: VoteTotals {
                        helpful,
                        not_helpful,
                        reviewed_at,
                    },
                    any_no: self.articles.get(&article_id).is_some_and(|a| a.any_no),
                },
            )
            .collect())
    }
}

/// Stores a batch's votes, each one new or replacing the same reader's vote from earlier today;
/// what they add to the counters goes into `added`, to be stored with the rest of the batch.
/// Each vote comes with its article's id ([`articles::find_or_create`](super::articles::find_or_create)). Returns the outcomes in
/// the order of `batch`.
pub fn record_all(
    conn: &mut DbConn,
    batch: &[(i64, &NewVote)],
    now: NaiveDateTime,
    added: &mut VotesAdded,
) -> QueryResult<Vec<VoteOutcome>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::with_capacity(batch.len());
    for &(article_id, v) in batch {
        if !v.helpful {
            added.said_no(article_id);
        }
        rows.push(VoteRow {
            article_id,
            helpful: v.helpful,
            comment: v.comment.clone(),
            revision: v.revision.clone(),
            visitor_key: v.visitor_key.as_str().to_string(),
        });
    }
    // Most votes are a reader's first on the article today: insert them all, and look for an
    // earlier vote only where the unique key says there is one.
    let mut inserted = insert_new(conn, &rows, now)?;
    let mut reasons: Vec<(i64, Reason)> = Vec::new();
    let outcomes = rows
        .iter()
        .zip(batch)
        .map(|(row, (_, vote))| {
            let key = (row.article_id, row.visitor_key.clone());
            let outcome = match inserted.remove(&key) {
                Some(vote_id) => {
                    let delta = if row.helpful { (1, 0) } else { (0, 1) };
                    added.add(row.article_id, now.date(), delta);
                    VoteOutcome {
                        vote_id,
                        article_id: row.article_id,
                        created: true,
                    }
                }
                None => replace_earlier(conn, row, now, added)?,
            };
            reasons.extend(vote.reasons.iter().map(|r| (outcome.vote_id, *r)));
            Ok(outcome)
        })
        .collect::<QueryResult<Vec<_>>>()?;
    // Most votes carry no reasons: this statement runs only for batches with a "No" that says why.
    if !reasons.is_empty() {
        reasons.sort();
        reasons.dedup();
        let values: Vec<_> = reasons
            .iter()
            .map(|(vote_id, reason)| {
                (
                    vote_reasons::vote_id.eq(*vote_id),
                    vote_reasons::reason.eq(*reason),
                )
            })
            .collect();
        with_conn!(conn, |c| diesel::insert_into(vote_reasons::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(outcomes)
}

/// Inserts the votes whose reader has not voted on the article today, in one statement; returns
/// their ids by (article, visitor key).
fn insert_new(
    conn: &mut DbConn,
    rows: &[VoteRow],
    now: NaiveDateTime,
) -> QueryResult<HashMap<(i64, String), i64>> {
    let insert = InsertVotes::new(rows, now)?;
    let inserted: Vec<(i64, i64, String)> = with_conn!(conn, |c| insert.load(c))?;
    Ok(inserted
        .into_iter()
        .map(|(id, article_id, key)| ((article_id, key), id))
        .collect())
}

/// Replaces the reader's earlier vote today. A changed answer moves one vote between the
/// counters, on the day it was first given.
fn replace_earlier(
    conn: &mut DbConn,
    row: &VoteRow,
    now: NaiveDateTime,
    added: &mut VotesAdded,
) -> QueryResult<VoteOutcome> {
    let (vote_id, was_helpful, first_at): (i64, bool, NaiveDateTime) =
        with_conn!(conn, |c| votes::table
            .filter(votes::article_id.eq(row.article_id))
            .filter(votes::visitor_key.eq(&row.visitor_key))
            .select((votes::id, votes::helpful, votes::created_at))
            .get_result(c))?;
    // The replacing vote's reasons are inserted with the batch's.
    with_conn!(conn, |c| diesel::delete(
        vote_reasons::table.filter(vote_reasons::vote_id.eq(vote_id))
    )
    .execute(c))?;
    with_conn!(conn, |c| diesel::update(votes::table.find(vote_id))
        .set((
            votes::helpful.eq(row.helpful),
            votes::comment.eq(&row.comment),
            votes::revision.eq(&row.revision),
            votes::updated_at.eq(now),
        ))
        .execute(c))?;
    let delta = match (was_helpful, row.helpful) {
        (false, true) => (1, -1),
        (true, false) => (-1, 1),
        _ => (0, 0),
    };
    added.add(row.article_id, first_at.date(), delta);
    Ok(VoteOutcome {
        vote_id,
        article_id: row.article_id,
        created: false,
    })
}

/// How many counted votes each of these address keys gave today.
pub fn address_counts(conn: &mut DbConn, keys: &[&str]) -> QueryResult<HashMap<String, i64>> {
    let mut counts = HashMap::new();
    // Well under either backend's limit on bound parameters.
    for chunk in keys.chunks(500) {
        let found: Vec<(String, i64)> = with_conn!(conn, |c| vote_addresses::table
            .filter(vote_addresses::address_key.eq_any(chunk))
            .select((vote_addresses::address_key, vote_addresses::votes))
            .load(c))?;
        counts.extend(found);
    }
    Ok(counts)
}

/// Adds counted votes to their addresses' counts for `day`, one statement for the batch.
pub fn count_for_addresses(
    conn: &mut DbConn,
    counted: &HashMap<&str, i64>,
    day: NaiveDate,
) -> QueryResult<()> {
    if counted.is_empty() {
        return Ok(());
    }
    let rows: Vec<AddressVotes> = counted
        .iter()
        .map(|(key, votes)| AddressVotes {
            address_key: key.to_string(),
            day,
            votes: *votes,
        })
        .collect();
    let statement = AddToAddresses::new(&rows)?;
    with_conn!(conn, |c| statement.execute(c))?;
    Ok(())
}

/// Whether this reader has voted on the article today (their vote would replace it).
pub fn voted_today(conn: &mut DbConn, article_id: i64, visitor_key: &str) -> QueryResult<bool> {
    let n: i64 = with_conn!(conn, |c| votes::table
        .filter(votes::article_id.eq(article_id))
        .filter(votes::visitor_key.eq(visitor_key))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

/// Forgets the address counts of days before `day`. Returns how many.
pub fn forget_addresses_before(conn: &mut DbConn, day: NaiveDate) -> QueryResult<usize> {
    with_conn!(conn, |c| diesel::delete(
        vote_addresses::table.filter(vote_addresses::day.lt(day))
    )
    .execute(c))
}

/// A vote as editors see it: no visitor key.
#[derive(Debug, Clone)]
pub struct VoteFeedback {
    pub helpful: bool,
    pub reasons: Vec<Reason>,
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
    type Row = (i64, bool, Option<String>, Option<String>, NaiveDateTime);
    let rows: Vec<Row> = with_conn!(conn, |c| votes::table
        .filter(votes::article_id.eq(article_id))
        .filter(
            votes::comment
                .is_not_null()
                .or(votes::id.eq_any(vote_reasons::table.select(vote_reasons::vote_id),)),
        )
        .order(votes::updated_at.desc())
        .limit(limit)
        .select((
            votes::id,
            votes::helpful,
            votes::comment,
            votes::revision,
            votes::updated_at,
        ))
        .load(c))?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let reasons: Vec<(i64, Reason)> = with_conn!(conn, |c| vote_reasons::table
        .filter(vote_reasons::vote_id.eq_any(&ids))
        .order((vote_reasons::vote_id, vote_reasons::reason))
        .select((vote_reasons::vote_id, vote_reasons::reason))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(
            |(id, helpful, comment, revision, updated_at)| VoteFeedback {
                helpful,
                reasons: {
                    // In the order the widget offers them, which is the enum's.
                    let mut mine: Vec<Reason> = reasons
                        .iter()
                        .filter(|(v, _)| *v == id)
                        .map(|(_, r)| *r)
                        .collect();
                    mine.sort();
                    mine
                },
                comment,
                revision,
                updated_at,
            },
        )
        .collect())
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
