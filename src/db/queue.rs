//! The queue queries shared by every table of things to deliver (the e-mail outbox, webhook
//! deliveries): claiming due rows with a lease, recording each attempt's outcome, putting a
//! failed row back, and counting by status. Each such table has the same delivery columns
//! (`status`, `attempts`, `next_attempt_at`, `lease_until`, `last_error`, `sent_at`); the
//! macro writes the queries once for any of them.

use chrono::NaiveDateTime;

/// What one delivery attempt is recorded as.
pub enum Mark<'a> {
    Sent(NaiveDateTime),
    /// Back in the queue, due at this time; the error kept for the admin page.
    Retry(NaiveDateTime, &'a str),
    Failed(&'a str),
}

/// `retry_queue!(table, Row)` defines, in the calling module, `claim_due`, `mark` (and the
/// `mark_sent`, `mark_retry`, `mark_failed` it dispatches to), `retry`, `list` and `counts` over
/// `schema::table`, whose rows load as `Row` (`Selectable`).
macro_rules! retry_queue {
    ($table:ident, $row:ty) => {
        /// Claims up to `limit` due rows: pending ones whose time has come, and ones whose
        /// sender's lease ran out (it crashed mid-send). Each claim counts as an attempt. On
        /// PostgreSQL rows that another worker is claiming are skipped (`FOR UPDATE SKIP
        /// LOCKED`); on SQLite the write transaction already excludes every other writer.
        pub fn claim_due(
            conn: &mut $crate::db::DbConn,
            now: chrono::NaiveDateTime,
            lease: chrono::TimeDelta,
            limit: i64,
        ) -> diesel::QueryResult<Vec<$row>> {
            use $crate::db::schema::$table as t;
            use $crate::domain::OutboxStatus;
            macro_rules! due {
                () => {
                    t::table
                        .filter(
                            t::status
                                .eq(OutboxStatus::Pending)
                                .and(t::next_attempt_at.le(now))
                                .or(t::status
                                    .eq(OutboxStatus::Sending)
                                    .and(t::lease_until.lt(now))),
                        )
                        .order(t::id.asc())
                        .limit(limit)
                        .select(t::id)
                };
            }
            conn.write_tx(|conn| {
                let ids: Vec<i64> = match conn {
                    $crate::db::DbConn::Postgres(c) => due!().for_update().skip_locked().load(c)?,
                    $crate::db::DbConn::Sqlite(c) => due!().load(c)?,
                };
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                $crate::with_conn!(conn, |c| diesel::update(
                    t::table.filter(t::id.eq_any(&ids))
                )
                .set((
                    t::status.eq(OutboxStatus::Sending),
                    t::lease_until.eq(now + lease),
                    t::attempts.eq(t::attempts + 1),
                ))
                .execute(c))?;
                $crate::with_conn!(conn, |c| t::table
                    .filter(t::id.eq_any(&ids))
                    .order(t::id.asc())
                    .select(<$row>::as_select())
                    .load(c))
            })
        }

        /// Records one attempt's outcome.
        pub fn mark(
            conn: &mut $crate::db::DbConn,
            id: i64,
            mark: $crate::db::queue::Mark,
        ) -> diesel::QueryResult<()> {
            use $crate::db::queue::Mark;
            match mark {
                Mark::Sent(at) => mark_sent(conn, id, at),
                Mark::Retry(at, error) => mark_retry(conn, id, at, error),
                Mark::Failed(error) => mark_failed(conn, id, error),
            }
        }

        pub fn mark_sent(
            conn: &mut $crate::db::DbConn,
            id: i64,
            now: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<()> {
            use $crate::db::schema::$table as t;
            $crate::with_conn!(conn, |c| diesel::update(t::table.find(id))
                .set((
                    t::status.eq($crate::domain::OutboxStatus::Sent),
                    t::sent_at.eq(now),
                    t::lease_until.eq(None::<chrono::NaiveDateTime>),
                    t::last_error.eq(None::<String>),
                ))
                .execute(c))?;
            Ok(())
        }

        /// Puts a row back for another attempt at `next_at`.
        pub fn mark_retry(
            conn: &mut $crate::db::DbConn,
            id: i64,
            next_at: chrono::NaiveDateTime,
            error: &str,
        ) -> diesel::QueryResult<()> {
            use $crate::db::schema::$table as t;
            $crate::with_conn!(conn, |c| diesel::update(t::table.find(id))
                .set((
                    t::status.eq($crate::domain::OutboxStatus::Pending),
                    t::next_attempt_at.eq(next_at),
                    t::lease_until.eq(None::<chrono::NaiveDateTime>),
                    t::last_error.eq(error),
                ))
                .execute(c))?;
            Ok(())
        }

        pub fn mark_failed(
            conn: &mut $crate::db::DbConn,
            id: i64,
            error: &str,
        ) -> diesel::QueryResult<()> {
            use $crate::db::schema::$table as t;
            $crate::with_conn!(conn, |c| diesel::update(t::table.find(id))
                .set((
                    t::status.eq($crate::domain::OutboxStatus::Failed),
                    t::lease_until.eq(None::<chrono::NaiveDateTime>),
                    t::last_error.eq(error),
                ))
                .execute(c))?;
            Ok(())
        }

        /// Puts a failed row back in the queue, due now. False when it is not failed.
        pub fn retry(
            conn: &mut $crate::db::DbConn,
            id: i64,
            now: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<bool> {
            use $crate::db::schema::$table as t;
            use $crate::domain::OutboxStatus;
            let n = $crate::with_conn!(conn, |c| diesel::update(
                t::table.find(id).filter(t::status.eq(OutboxStatus::Failed))
            )
            .set((
                t::status.eq(OutboxStatus::Pending),
                t::attempts.eq(0),
                t::next_attempt_at.eq(now),
            ))
            .execute(c))?;
            Ok(n > 0)
        }

        /// Newest first, optionally of one status.
        pub fn list(
            conn: &mut $crate::db::DbConn,
            status: Option<$crate::domain::OutboxStatus>,
            limit: i64,
        ) -> diesel::QueryResult<Vec<$row>> {
            use $crate::db::schema::$table as t;
            $crate::with_conn!(conn, |c| {
                let mut q = t::table.select(<$row>::as_select()).into_boxed();
                if let Some(status) = status {
                    q = q.filter(t::status.eq(status));
                }
                q.order(t::id.desc()).limit(limit).load(c)
            })
        }

        /// How many rows are in each status.
        pub fn counts(
            conn: &mut $crate::db::DbConn,
        ) -> diesel::QueryResult<Vec<($crate::domain::OutboxStatus, i64)>> {
            use $crate::db::schema::$table as t;
            $crate::with_conn!(conn, |c| t::table
                .group_by(t::status)
                .select((t::status, diesel::dsl::count_star()))
                .load(c))
        }
    };
}

pub(crate) use retry_queue;
