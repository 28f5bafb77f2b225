//! The outbox: e-mails written in the same transaction as what caused them, claimed by delivery
//! workers with a lease so that each is sent by one worker at a time.

use chrono::{NaiveDateTime, TimeDelta};
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

/// Claims up to `limit` due e-mails: pending ones whose time has come, and ones whose sender's
/// lease ran out (it crashed mid-send). Each claim counts as an attempt. On PostgreSQL rows that
/// another worker is claiming are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the write
/// transaction already excludes every other writer.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease: TimeDelta,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    macro_rules! due {
        () => {
            outbox::table
                .filter(
                    outbox::status
                        .eq(OutboxStatus::Pending)
                        .and(outbox::next_attempt_at.le(now))
                        .or(outbox::status
                            .eq(OutboxStatus::Sending)
                            .and(outbox::lease_until.lt(now))),
                )
                .order(outbox::id.asc())
                .limit(limit)
                .select(outbox::id)
        };
    }
    conn.write_tx(|conn| {
        let ids: Vec<i64> = match conn {
            DbConn::Postgres(c) => due!().for_update().skip_locked().load(c)?,
            DbConn::Sqlite(c) => due!().load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_conn!(conn, |c| diesel::update(
            outbox::table.filter(outbox::id.eq_any(&ids))
        )
        .set((
            outbox::status.eq(OutboxStatus::Sending),
            outbox::lease_until.eq(now + lease),
            outbox::attempts.eq(outbox::attempts + 1),
        ))
        .execute(c))?;
        with_conn!(conn, |c| outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::id.asc())
            .select(OutboxRow::as_select())
            .load(c))
    })
}

pub fn mark_sent(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(OutboxStatus::Sent),
            outbox::sent_at.eq(now),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(c))?;
    // An invitation or password reset carries a one-time link, of which the database otherwise
    // keeps only a hash: once sent, its body is not kept either.
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

/// Puts an e-mail back for another attempt at `next_at`.
pub fn mark_retry(
    conn: &mut DbConn,
    id: i64,
    next_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(OutboxStatus::Pending),
            outbox::next_attempt_at.eq(next_at),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(c))?;
    Ok(())
}

pub fn mark_failed(conn: &mut DbConn, id: i64, error: &str) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(OutboxStatus::Failed),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(c))?;
    Ok(())
}

/// Puts a failed e-mail back in the queue, due now. False when it is not failed.
pub fn retry(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let n = with_conn!(conn, |c| diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq(OutboxStatus::Failed))
    )
    .set((
        outbox::status.eq(OutboxStatus::Pending),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
    ))
    .execute(c))?;
    Ok(n > 0)
}

/// Newest first, optionally of one status.
pub fn list(
    conn: &mut DbConn,
    status: Option<OutboxStatus>,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    with_conn!(conn, |c| {
        let mut q = outbox::table.select(OutboxRow::as_select()).into_boxed();
        if let Some(status) = status {
            q = q.filter(outbox::status.eq(status));
        }
        q.order(outbox::id.desc()).limit(limit).load(c)
    })
}

/// How many e-mails are in each status.
pub fn counts(conn: &mut DbConn) -> QueryResult<Vec<(OutboxStatus, i64)>> {
    with_conn!(conn, |c| outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(c))
}

/// Deletes every e-mail to this address, however its letters were cased, sent or not.
pub fn delete_to(conn: &mut DbConn, recipient: &str) -> QueryResult<usize> {
    let recipient = recipient.to_ascii_lowercase();
    with_conn!(conn, |c| diesel::delete(
        outbox::table.filter(lower(outbox::recipient.nullable()).eq(&recipient))
    )
    .execute(c))
}
