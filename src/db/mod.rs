//! The database layer, storage only: a pool whose backend (SQLite or PostgreSQL) is chosen from
//! the URL, the embedded migrations, and the models that own their queries. This is the only
//! module that knows two backends exist; anything backend-specific (pragmas, advisory locks,
//! `BEGIN IMMEDIATE`) lives here.
//!
//! May import: `config` (the database URL), `domain` (the values it stores), `errors` (what a
//! failure means to a caller). Imports no capability.
//!
//! Lookups by a unique key use `get_result`, never `first`: `first` adds `LIMIT ?`, and SQLite
//! recompiles a cached statement whenever a LIMIT parameter is bound again, which made statement
//! compilation the largest cost of ingest.

pub mod accounts;
pub mod alerts;
pub mod articles;
pub mod corrections;
pub mod digest;
pub mod editors;
pub mod lanes;
pub mod outbox;
pub mod pages;
mod prepared;
pub mod problems;
pub mod queue;
pub mod reports;
pub mod reviews;
pub mod salts;
pub mod schema;
pub mod sessions;
pub mod sso;
pub mod submissions;
pub mod tokens;
pub mod types;
pub mod votes;
pub mod webhooks;

use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use secrecy::ExposeSecret;

use crate::config::DatabaseTarget;
use crate::errors::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend the URL named.
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection. The body is compiled once per backend,
/// so one query written with diesel's DSL serves both (the pattern vaultwarden uses).
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

diesel::define_sql_function!(
    /// SQL `lower()`: ASCII case folding on both backends.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>
);

pub type Pool = r2d2::Pool<ConnectionManager>;

/// The pool as services use it from async code: each piece of work runs on the blocking thread
/// pool with a pooled connection, never on the async executor (diesel blocks).
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    pub fn new(pool: Pool) -> Db {
        Db { pool }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Like `run`, inside one write transaction.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(move |conn| conn.write_tx(f)).await
    }
}

/// Opens connections for the backend decided from the URL's scheme, so a connection failure
/// reaches the operator as the driver's own message.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ConnectionManager {
    pub fn new(target: DatabaseTarget) -> Self {
        ConnectionManager { target }
    }

    fn open(&self) -> Result<DbConn, diesel::r2d2::Error> {
        match &self.target {
            DatabaseTarget::Postgres(url) => PgConnection::establish(url.expose_secret())
                .map(DbConn::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
            DatabaseTarget::Sqlite(path) => {
                let mut c = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // WAL lets readers proceed beside the single writer; FULL makes a commit survive
                // power loss, which is what a 2xx promises. secure_delete overwrites deleted
                // rows, so a rotated salt does not linger in free pages. A 16 MiB page cache
                // (filled only as used) keeps the article rows and indexes every vote updates
                // in memory instead of re-reading them from the file.
                c.batch_execute(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA busy_timeout = 10000;
                     PRAGMA secure_delete = ON;
                     PRAGMA cache_size = -16384;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(c))
            }
        }
    }
}

impl ConnectionManager {
    /// The SQLite database's write-ahead log, which the ingest writer flushes itself.
    pub fn sqlite_wal_path(&self) -> Option<std::path::PathBuf> {
        match &self.target {
            DatabaseTarget::Sqlite(path) => {
                let mut wal = path.clone().into_os_string();
                wal.push("-wal");
                Some(wal.into())
            }
            DatabaseTarget::Postgres(_) => None,
        }
    }

    /// A connection for the ingest writer. On SQLite it commits without flushing the WAL, for
    /// the writer's syncer thread to flush, and checkpoints itself only when the WAL holds 2,000
    /// pages (8 MiB), since the checkpointer thread keeps it copied (see `writer`). Its statement
    /// journals stay in memory: a statement over a whole batch keeps one, and in a file it had
    /// cost half as many writes again as the WAL.
    pub fn open_writer(&self) -> Result<DbConn, diesel::r2d2::Error> {
        let mut conn = self.open()?;
        if let DbConn::Sqlite(c) = &mut conn {
            c.batch_execute(
                "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 2000;
                 PRAGMA temp_store = MEMORY;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        with_conn!(conn, |c| c.batch_execute("SELECT 1")).map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Opens one connection, creating an SQLite file (and its directory) when there is none. Only
/// `flagpole migrate` and `serve` (through `connect`, to fail fast) create a database.
pub fn open(target: &DatabaseTarget) -> anyhow::Result<DbConn> {
    if let DatabaseTarget::Sqlite(path) = target {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!(
                    "database.url: cannot create directory {}: {e}",
                    dir.display()
                )
            })?;
        }
    }
    connect_once(target)
}

/// Opens one connection to a database that exists: every other command. A missing SQLite file is
/// an error naming the path looked at, so a command run from another directory (or without the
/// operator's --config) does not quietly start an empty database there.
pub fn open_existing(target: &DatabaseTarget) -> anyhow::Result<DbConn> {
    if let DatabaseTarget::Sqlite(path) = target {
        let shown = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        match path.try_exists() {
            Ok(true) => {}
            Ok(false) => anyhow::bail!(
                "database.url: no database at {}; create it with `flagpole migrate`, or give the \
                 --config file that names yours",
                shown.display()
            ),
            Err(e) => anyhow::bail!("database.url: cannot look at {}: {e}", shown.display()),
        }
    }
    connect_once(target)
}

fn connect_once(target: &DatabaseTarget) -> anyhow::Result<DbConn> {
    ConnectionManager::new(target.clone())
        .open()
        .map_err(|e| anyhow::anyhow!("database.url: cannot connect: {e}"))
}

/// Builds the pool after one direct connection attempt, so a wrong URL or a database that is down
/// fails start-up at once with the driver's message instead of after the pool's time-out.
pub fn connect(
    target: &DatabaseTarget,
    size: u32,
    timeout: Duration,
) -> anyhow::Result<(Pool, ConnectionManager)> {
    open(target)?;
    let manager = ConnectionManager::new(target.clone());
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(timeout)
        .build(manager.clone())?;
    Ok((pool, manager))
}

impl DbConn {
    /// Runs `f` in a write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the
    /// write lock up front: a deferred transaction that upgrades later can fail with SQLITE_BUSY
    /// instead of waiting. Nested calls become savepoints.
    pub fn write_tx<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        let depth = with_conn!(self, |c| {
            AnsiTransactionManager::transaction_manager_status_mut(c)
                .transaction_depth()
                .map(|d| d.map_or(0, |d| d.get()))
        })?;
        match &mut *self {
            DbConn::Sqlite(c) if depth == 0 => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
            }
            other => with_conn!(other, |c| AnsiTransactionManager::begin_transaction(c))?,
        }
        match f(self) {
            Ok(value) => {
                if let Err(e) = with_conn!(self, |c| AnsiTransactionManager::commit_transaction(c))
                {
                    let _ = with_conn!(self, |c| AnsiTransactionManager::rollback_transaction(c));
                    return Err(e.into());
                }
                Ok(value)
            }
            Err(e) => {
                let _ = with_conn!(self, |c| AnsiTransactionManager::rollback_transaction(c));
                Err(e)
            }
        }
    }

    /// Applies pending migrations; returns the versions applied. On PostgreSQL an advisory lock
    /// keeps two instances starting together from racing.
    pub fn run_migrations(&mut self) -> anyhow::Result<Vec<String>> {
        let applied = match self {
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
                .iter()
                .map(|v| v.to_string())
                .collect(),
            DbConn::Postgres(c) => {
                c.batch_execute("SELECT pg_advisory_lock(7046873)")?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|vs| vs.iter().map(|v| v.to_string()).collect::<Vec<_>>())
                    .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
                c.batch_execute("SELECT pg_advisory_unlock(7046873)")?;
                result?
            }
        };
        Ok(applied)
    }

    /// When the first migration was applied to this database (UTC); None if none has been.
    pub fn installed_at(&mut self) -> QueryResult<Option<NaiveDateTime>> {
        #[derive(diesel::QueryableByName)]
        struct First {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
            at: Option<NaiveDateTime>,
        }
        // diesel fills `run_on` with CURRENT_TIMESTAMP: UTC on SQLite; on PostgreSQL converted to
        // a plain timestamp in the session's time zone, which is converted back here.
        let query = match self {
            DbConn::Sqlite(_) => "SELECT MIN(run_on) AS at FROM __diesel_schema_migrations",
            DbConn::Postgres(_) => {
                "SELECT (MIN(run_on) AT TIME ZONE current_setting('TimeZone')) AT TIME ZONE 'UTC' \
                 AS at FROM __diesel_schema_migrations"
            }
        };
        with_conn!(self, |c| diesel::RunQueryDsl::get_result::<First>(
            diesel::sql_query(query),
            c
        ))
        .map(|first| first.at)
    }

    pub fn has_pending_migrations(&mut self) -> anyhow::Result<bool> {
        let pending = match self {
            DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
            DbConn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        };
        pending.map_err(|e| anyhow::anyhow!("cannot read migration state: {e}"))
    }

    /// A consistent copy of an SQLite database, taken while it serves (`VACUUM INTO` reads one
    /// snapshot; writers carry on). PostgreSQL has its own tools for this.
    pub fn backup_to(&mut self, path: &std::path::Path) -> anyhow::Result<()> {
        match self {
            DbConn::Sqlite(c) => {
                if path.exists() {
                    anyhow::bail!("{} exists already; choose a new file", path.display());
                }
                let target = path.to_string_lossy().replace('\'', "''");
                c.batch_execute(&format!("VACUUM INTO '{target}'"))
                    .map_err(|e| anyhow::anyhow!("backup failed: {e}"))
            }
            DbConn::Postgres(_) => anyhow::bail!(
                "this is a PostgreSQL database: back it up with pg_dump (see README.md, Backups)"
            ),
        }
    }

    /// Makes deleted rows unrecoverable from the files. On SQLite, `secure_delete` has already
    /// zeroed them in the pages, but earlier versions of those pages can linger in the WAL until a
    /// checkpoint: checkpointing and truncating it removes them. (On PostgreSQL dead tuples stay
    /// in the data files until vacuumed and overwritten; see README.md, Privacy.)
    pub fn scrub_deleted(&mut self) -> QueryResult<()> {
        match self {
            DbConn::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)"),
            DbConn::Postgres(_) => Ok(()),
        }
    }

    /// Copies what it can of the SQLite WAL into the database file without waiting for readers
    /// or the writer (a passive checkpoint). Nothing to do on PostgreSQL.
    pub fn checkpoint(&mut self) -> QueryResult<()> {
        match self {
            DbConn::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)"),
            DbConn::Postgres(_) => Ok(()),
        }
    }

    pub fn ping(&mut self) -> QueryResult<()> {
        with_conn!(self, |c| c.batch_execute("SELECT 1"))
    }
}

/// The current time as stored: UTC, microsecond precision (what PostgreSQL keeps), so a value
/// read back equals the value written on both backends.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A unique-key violation: a concurrent instance inserted the same row first.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// What a storage error means to a caller: an outage (503), a conflict (409) or a bug (500).
impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        if is_outage(&e) {
            ApiError::unavailable(e)
        } else if is_unique_violation(&e) {
            ApiError::conflict("that exists already")
        } else {
            ApiError::internal(e)
        }
    }
}

/// Whether an error means the database cannot be reached or cannot take the work just now (an
/// outage, worth retrying), rather than a statement that is wrong. PostgreSQL reports a lost or
/// refused connection as a closed connection or an unsendable command, and a conflicting
/// concurrent transaction as a serialization failure; SQLite reports a lock held past
/// `busy_timeout` as "database is locked" (or "busy"), and a full or failing disk as I/O errors.
pub fn is_outage(e: &diesel::result::Error) -> bool {
    use diesel::result::DatabaseErrorKind as Kind;
    match e {
        diesel::result::Error::DatabaseError(kind, info) => match kind {
            Kind::ClosedConnection | Kind::UnableToSendCommand | Kind::SerializationFailure => true,
            Kind::Unknown => {
                let message = info.message().to_ascii_lowercase();
                [
                    "database is locked",
                    "database is busy",
                    "disk i/o error",
                    "database or disk is full",
                ]
                .iter()
                .any(|m| message.contains(m))
            }
            _ => false,
        },
        diesel::result::Error::BrokenTransactionManager => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn db_error(kind: DatabaseErrorKind, message: &str) -> Error {
        Error::DatabaseError(kind, Box::new(message.to_string()))
    }

    #[test]
    fn outages_are_told_from_bugs() {
        for outage in [
            db_error(
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection",
            ),
            db_error(
                DatabaseErrorKind::UnableToSendCommand,
                "no connection to the server",
            ),
            db_error(
                DatabaseErrorKind::SerializationFailure,
                "could not serialize access",
            ),
            db_error(DatabaseErrorKind::Unknown, "database is locked"),
            db_error(DatabaseErrorKind::Unknown, "disk I/O error"),
        ] {
            assert!(is_outage(&outage), "{outage}");
        }
        for bug in [
            db_error(DatabaseErrorKind::Unknown, "no such table: reports"),
            db_error(DatabaseErrorKind::CheckViolation, "CHECK constraint failed"),
            db_error(
                DatabaseErrorKind::UniqueViolation,
                "UNIQUE constraint failed",
            ),
            Error::NotFound,
        ] {
            assert!(!is_outage(&bug), "{bug}");
        }
    }
}
