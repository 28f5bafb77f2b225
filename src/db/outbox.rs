//! The outbox: e-mails written in the same transaction as what caused them, claimed by delivery
//! workers with a lease so that each is sent by one worker at a time.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::outbox;
use super::{lower, DbConn};
use crate::domain::{MailKind, OutboxStatus};
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: MailKind,
    pub dedupe_key: Option<String>,
    pub alert_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub unsubscribe_url: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// An e-mail to queue.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub kind: MailKind,
    pub dedupe_key: Option<String>,
    pub alert_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub unsubscribe_url: Option<String>,
}

/// The column values of a new outbox row.
macro_rules! new_row {
    ($e:expr, $now:expr) => {
        (
            outbox::kind.eq($e.kind),
            outbox::dedupe_key.eq(&$e.dedupe_key),
            outbox::alert_id.eq($e.alert_id),
            outbox::recipient.eq(&$e.recipient),
            outbox::subject.eq(&$e.subject),
            outbox::body_text.eq(&$e.body_text),
            outbox::body_html.eq(&$e.body_html),
            outbox::message_id.eq(&$e.message_id),
            outbox::unsubscribe_url.eq(&$e.unsubscribe_url),
            outbox::status.eq(OutboxStatus::Pending),
            outbox::next_attempt_at.eq($now),
            outbox::created_at.eq($now),
        )
    };
}

pub fn enqueue(conn: &mut DbConn, e: &NewEmail, now: NaiveDateTime) -> QueryResult<i64> {
    with_conn!(conn, |c| diesel::insert_into(outbox::table)
        .values(new_row!(e, now))
        .returning(outbox::id)
        .get_result(c))
}

/// Queues an e-mail unless one with the same `dedupe_key` exists; true when it was queued. Two
/// instances racing both get through the insert, and the unique key keeps one row.
pub fn enqueue_once(conn: &mut DbConn, e: &NewEmail, now: NaiveDateTime) -> QueryResult<bool> {
    let inserted = with_conn!(conn, |c| diesel::insert_into(outbox::table)
        .values(new_row!(e, now))
        .on_conflict(outbox::dedupe_key)
        .do_nothing()
        .execute(c))?;
    Ok(inserted > 0)
}

/// Writes an e-mail that waits until `due`, or rewrites the one with the same dedupe key while it
/// is still waiting (a summary that grows until it is sent).
pub fn put_pending(
    conn: &mut DbConn,
    e: &NewEmail,
    due: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let rewritten = with_conn!(conn, |c| diesel::update(
        outbox::table
            .filter(outbox::dedupe_key.eq(&e.dedupe_key))
            .filter(outbox::status.eq(OutboxStatus::Pending))
    )
    .set((
        outbox::subject.eq(&e.subject),
        outbox::body_text.eq(&e.body_text),
        outbox::body_html.eq(&e.body_html),
    ))
    .execute(c))?;
    if rewritten == 0 {
        with_conn!(conn, |c| diesel::insert_into(outbox::table)
            .values(new_row!(e, now))
            .on_conflict(outbox::dedupe_key)
            .do_nothing()
            .execute(c))?;
        with_conn!(conn, |c| diesel::update(
            outbox::table
                .filter(outbox::dedupe_key.eq(&e.dedupe_key))
                .filter(outbox::status.eq(OutboxStatus::Pending))
        )
        .set(outbox::next_attempt_at.eq(due))
        .execute(c))?;
    }
    Ok(())
}

/// Which of these dedupe keys are taken already.
pub fn existing_dedupe_keys(conn: &mut DbConn, keys: &[String]) -> QueryResult<Vec<String>> {
    let mut found = Vec::new();
    // Exact keys use the unique index on both backends; chunks stay under the parameter limits.
    for chunk in keys.chunks(500) {
        let rows: Vec<Option<String>> = with_conn!(conn, |c| outbox::table
            .filter(outbox::dedupe_key.eq_any(chunk))
            .select(outbox::dedupe_key)
            .load(c))?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

super::queue::retry_queue!(outbox, OutboxRow);

/// An invitation or password reset carries a one-time link, of which the database otherwise
/// keeps only a hash: once it is sent, its body is not kept either. Call after marking it sent.
pub fn forget_one_time_link(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(outbox::table.find(id).filter(
        outbox::kind.eq_any([MailKind::Invitation, MailKind::PasswordReset])
    ))
    .set((
        outbox::body_text.eq(LINK_REMOVED),
        outbox::body_html.eq(LINK_REMOVED),
    ))
    .execute(c))?;
    Ok(())
}

const LINK_REMOVED: &str = "(not kept after sending: it held a one-time sign-in link)";

/// Deletes every e-mail to this address, however its letters were cased, sent or not.
pub fn delete_to(conn: &mut DbConn, recipient: &str) -> QueryResult<usize> {
    let recipient = recipient.to_ascii_lowercase();
    with_conn!(conn, |c| diesel::delete(
        outbox::table.filter(lower(outbox::recipient.nullable()).eq(&recipient))
    )
    .execute(c))
}
