//! Upgrading a database made by an earlier version: the rows it holds come through each new
//! migration intact, in their new shape.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};

use crate::each_backend;
use crate::helpers::{fresh_postgres_schema, Backend};

/// The last migration of the version before editor scopes and vote reasons became rows.
const BEFORE_TYPED_ROWS: &str = "20261128000001";

/// Rows as the version before `2026-11-30-000001_typed_rows` wrote them.
const OLD_ROWS: &str = "
    INSERT INTO articles (id, url, host, path, last_activity_at, created_at, updated_at)
        VALUES (1, 'http://localhost/a', 'localhost', '/a', '2026-11-20 10:00:00', '2026-11-20 10:00:00', '2026-11-20 10:00:00');
    INSERT INTO votes (id, article_id, helpful, reasons, comment, revision, visitor_key, created_at, updated_at)
        VALUES (1, 1, FALSE, 'inaccurate,missing', 'old comment', NULL, 'k1', '2026-11-20 10:00:00', '2026-11-20 10:00:00'),
               (2, 1, TRUE, '', NULL, NULL, 'k2', '2026-11-20 10:00:00', '2026-11-20 10:00:00');
    INSERT INTO reports (id, article_id, category, quote, details, email, contact_consent, revision, status, assignee, visitor_key, created_at, updated_at, closed_at)
        VALUES (1, 1, 'harmful', 'Take 8 tablets', NULL, NULL, FALSE, NULL, 'acknowledged', NULL, 'k3', '2026-11-20 10:00:00', '2026-11-20 10:00:00', NULL);
    INSERT INTO editors (id, name, email, role, scopes, unsubscribe_token, created_at, updated_at)
        VALUES (1, 'Lee', 'lee@example.org', 'admin', 'localhost/medicines' || chr_nl || 'health.example.org', 'tok', '2026-11-20 10:00:00', '2026-11-20 10:00:00');
    INSERT INTO article_events (id, article_id, actor, kind, note, created_at)
        VALUES (1, 1, 'lee@example.org', 'reviewed', 'Checked the dose', '2026-11-21 09:00:00');
";

fn old_rows(newline: &str) -> String {
    OLD_ROWS.replace("chr_nl", newline)
}

/// A database as an earlier version left it: its migrations up to `last`, then `rows` (given the
/// backend's expression for a newline character). Returns its URL.
pub(crate) async fn old_database(
    backend: Backend,
    last: &str,
    rows: impl Fn(&str) -> String,
) -> String {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("dir");
            let path = dir.path().join("old.db");
            let url = format!("sqlite://{}", path.display());
            std::mem::forget(dir);
            let mut c = SqliteConnection::establish(&path.to_string_lossy()).expect("sqlite");
            apply_old(&mut c, "migrations/sqlite", last);
            c.batch_execute(&rows("char(10)")).expect("old rows");
            url
        }
        Backend::Postgres => {
            let url = tokio::task::spawn_blocking(fresh_postgres_schema)
                .await
                .expect("schema");
            let mut c = PgConnection::establish(&url).expect("postgres");
            apply_old(&mut c, "migrations/postgres", last);
            c.batch_execute(&rows("chr(10)")).expect("old rows");
            url
        }
    }
}

async fn an_old_database_upgrades_with_its_rows(backend: Backend) {
    let url = old_database(backend, BEFORE_TYPED_ROWS, old_rows).await;
    tokio::task::spawn_blocking(move || {
        let target: flagpole::config::DatabaseTarget = url.parse().expect("url");
        let mut conn = flagpole::db::open(&target).expect("open");
        conn.run_migrations().expect("the upgrade applies");

        let lee = flagpole::db::editors::by_email(&mut conn, "lee@example.org")
            .expect("read")
            .expect("the editor survives");
        let scopes: Vec<String> = lee.scopes.iter().map(|s| s.to_string()).collect();
        assert_eq!(scopes, ["health.example.org", "localhost/medicines"]);
        assert!(lee.is_admin());

        let feedback = flagpole::db::votes::recent_feedback(&mut conn, 1, 10).expect("votes");
        assert_eq!(feedback.len(), 1, "only the vote that said more than no");
        let reasons: Vec<&str> = feedback[0].reasons.iter().map(|r| r.as_str()).collect();
        assert_eq!(reasons, ["inaccurate", "missing"]);
        assert_eq!(feedback[0].comment.as_deref(), Some("old comment"));

        let report = flagpole::db::reports::get(&mut conn, 1)
            .expect("read")
            .expect("the report survives");
        assert_eq!(report.category, flagpole::domain::Category::Harmful);
        assert_eq!(report.status, flagpole::domain::ReportStatus::Acknowledged);

        // "Mark re-reviewed" before reviews existed is a review now.
        let reviews = flagpole::db::reviews::of_article(&mut conn, 1).expect("reviews");
        assert_eq!(reviews.len(), 1);
        assert_eq!(reviews[0].reviewer, "lee@example.org");
        assert_eq!(
            reviews[0].outcome,
            flagpole::domain::ReviewOutcome::NoChange
        );
        assert_eq!(reviews[0].note.as_deref(), Some("Checked the dose"));
        let article = flagpole::db::articles::get(&mut conn, 1)
            .expect("read")
            .expect("article");
        assert_eq!(article.last_reviewed_at, Some(reviews[0].reviewed_at));
        assert_eq!(article.reviewed_by.as_deref(), Some("lee@example.org"));

        // The new CHECK constraints refuse what no version writes.
        let bad = flagpole::with_conn!(&mut conn, |c| c
            .batch_execute("UPDATE reports SET status = 'closed' WHERE id = 1"));
        assert!(bad.is_err(), "an unknown status is refused by the database");
        let bad = flagpole::with_conn!(&mut conn, |c| c
            .batch_execute("UPDATE reviews SET outcome = 'fine' WHERE id = 1"));
        assert!(
            bad.is_err(),
            "an unknown outcome is refused by the database"
        );
    })
    .await
    .expect("upgrade thread");
}
each_backend!(an_old_database_upgrades_with_its_rows);

/// The migrations of an earlier version (up to and including `last`), from the files in this
/// repository.
fn apply_old<C, DB>(conn: &mut C, dir: &str, last: &str)
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    FileBasedMigrations: diesel::migration::MigrationSource<DB>,
{
    let source =
        FileBasedMigrations::from_path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .expect("migrations folder");
    let mut migrations =
        diesel::migration::MigrationSource::<DB>::migrations(&source).expect("read migrations");
    migrations.sort_by_key(|m| m.name().version().to_string());
    // Creates diesel's own bookkeeping table, as the first `migrate` did.
    conn.applied_migrations().expect("migration table");
    for m in migrations {
        if m.name().version().to_string().as_str() > last {
            break;
        }
        conn.run_migration(&*m).expect("old migration");
    }
}
