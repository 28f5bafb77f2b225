//! Submission keys: the first answer to a submission, remembered under the key its client sent,
//! so that a retry gets that answer instead of storing a second copy.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::submission_keys;
use super::DbConn;
use crate::domain::SubmissionKind;
use crate::with_conn;

/// The first answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = submission_keys)]
pub struct FirstAnswer {
    pub kind: SubmissionKind,
    pub key: String,
    /// The vote's or report's id.
    pub record_id: i64,
    pub article_id: i64,
    /// For a vote: answered 201 (new) rather than 200 (replacing the reader's earlier vote).
    pub created: bool,
}

/// The answers already given to any of these keys.
pub fn find(
    conn: &mut DbConn,
    kind: SubmissionKind,
    keys: &[&str],
) -> QueryResult<Vec<FirstAnswer>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    with_conn!(conn, |c| submission_keys::table
        .filter(submission_keys::kind.eq(kind))
        .filter(submission_keys::key.eq_any(keys))
        .select(FirstAnswer::as_select())
        .load(c))
}

pub fn remember(conn: &mut DbConn, answer: &FirstAnswer, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(submission_keys::table)
        .values((
            submission_keys::kind.eq(answer.kind),
            submission_keys::key.eq(&answer.key),
            submission_keys::record_id.eq(answer.record_id),
            submission_keys::article_id.eq(answer.article_id),
            submission_keys::created.eq(answer.created),
            submission_keys::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Forgets keys remembered before `before`. Returns how many.
pub fn forget_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(conn, |c| diesel::delete(
        submission_keys::table.filter(submission_keys::created_at.lt(before))
    )
    .execute(c))
}
