//! Forgetting what flagpole no longer needs: reporters' e-mail addresses after their report is
//! closed, and any address on request (`flagpole privacy erase`).

use chrono::{NaiveDateTime, TimeDelta};

use crate::db::{outbox, reports, DbConn};

/// What an erasure removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub reports: usize,
    pub emails: usize,
}

/// Erases the addresses on reports closed more than `after_days` days before `now`.
pub fn erase_expired(
    conn: &mut DbConn,
    after_days: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    reports::erase_emails_closed_before(conn, now - TimeDelta::days(after_days))
}

/// Removes an address everywhere it is stored: on reports, and every e-mail to it in the outbox.
pub fn erase_address(conn: &mut DbConn, email: &str) -> diesel::QueryResult<Erased> {
    let email = email.trim();
    conn.write_tx(|c| {
        Ok(Erased {
            reports: reports::erase_email(c, email)?,
            emails: outbox::delete_to(c, email)?,
        })
    })
}
