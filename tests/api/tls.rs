//! PostgreSQL over TLS, through the libpq and OpenSSL built into flagpole: `sslmode=require`
//! encrypts, `sslmode=verify-full` with the server's CA connects, and with another CA is refused
//! with libpq's own words. Needs TEST_DATABASE_URL and TEST_DATABASE_TLS_DIR, the directory
//! `.ci/pg-tls DIR` writes (`ca.crt` signed the server's certificate for 127.0.0.1 and localhost,
//! `wrong-ca.crt` did not); skipped with a message without them, except under CI=true.

use std::path::PathBuf;
use std::process::{Command, Output};

use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use flagpole::db::DbConn;

use crate::helpers::{article, postgres_url, spawn_app, Backend, TestApp};

fn tls_dir() -> Option<PathBuf> {
    postgres_url()?;
    match std::env::var("TEST_DATABASE_TLS_DIR") {
        Ok(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_DATABASE_TLS_DIR is not set: run .ci/pg-tls DIR first")
        }
        _ => {
            eprintln!(
                "skipped: PostgreSQL over TLS needs TEST_DATABASE_TLS_DIR (written by .ci/pg-tls DIR)"
            );
            None
        }
    }
}

fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// Starts the app on a fresh schema, with `params` added to its database URL and a unique
/// application_name by which its server-side connections can be found.
async fn spawn_with(params: &str) -> (TestApp, String) {
    let name = format!("flagpole-tls-{:08x}", rand::random::<u32>());
    let params = format!("{params}&application_name={name}");
    let app = spawn_app(Backend::Postgres, |s| {
        s.database.url = with_params(&s.database.url.expose_url(), &params)
            .parse()
            .expect("a PostgreSQL URL");
    })
    .await;
    (app, name)
}

#[derive(QueryableByName)]
struct Ssl {
    #[diesel(sql_type = Bool)]
    ssl: bool,
    #[diesel(sql_type = Nullable<Text>)]
    version: Option<String>,
}

#[derive(QueryableByName)]
struct Sessions {
    #[diesel(sql_type = BigInt)]
    total: i64,
    #[diesel(sql_type = BigInt)]
    encrypted: i64,
}

/// What the server says about a connection flagpole opens from `url` the way the service does.
fn own_connection_ssl(url: &str) -> Ssl {
    let target = url.parse().expect("a PostgreSQL URL");
    let mut conn = flagpole::db::open(&target).expect("flagpole connects");
    let DbConn::Postgres(c) = &mut conn else {
        panic!("not a PostgreSQL connection")
    };
    diesel::sql_query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result(c)
        .expect("pg_stat_ssl")
}

/// The running service's own sessions, as the server sees them: how many, how many over TLS.
fn service_sessions(application_name: &str) -> Sessions {
    use diesel::Connection;
    let mut c = diesel::PgConnection::establish(&postgres_url().unwrap()).expect("connect");
    diesel::sql_query(
        "SELECT count(*) AS total, count(*) FILTER (WHERE s.ssl) AS encrypted
         FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
         WHERE a.application_name = $1",
    )
    .bind::<Text, _>(application_name)
    .get_result(&mut c)
    .expect("pg_stat_activity")
}

/// The service stores a vote over the connection, and every session it holds is encrypted.
async fn assert_service_uses_tls(app: &TestApp, application_name: &str) {
    let vote = app.vote("tls reader", &article("/tls"), true).await;
    assert!(vote["vote_id"].as_i64().is_some(), "{vote}");
    let name = application_name.to_string();
    let sessions = tokio::task::spawn_blocking(move || service_sessions(&name))
        .await
        .unwrap();
    assert!(sessions.total > 0, "no sessions of the service were found");
    assert_eq!(
        sessions.encrypted, sessions.total,
        "the service holds unencrypted sessions"
    );
}

fn flagpole_cli(args: &[&str], url: &str, env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flagpole"));
    cmd.current_dir(dir.path())
        .args(args)
        .env("FLAGPOLE__DATABASE__URL", url)
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run flagpole")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_require_encrypts_every_connection() {
    if tls_dir().is_none() {
        return;
    }
    let (app, name) = spawn_with("sslmode=require").await;
    let url = app.settings.database.url.expose_url();
    let own = tokio::task::spawn_blocking(move || own_connection_ssl(&url))
        .await
        .unwrap();
    assert!(own.ssl, "sslmode=require gave an unencrypted connection");
    assert!(
        own.version
            .as_deref()
            .is_some_and(|v| v.starts_with("TLSv1.")),
        "{:?}",
        own.version
    );
    assert_service_uses_tls(&app, &name).await;

    // The same database without TLS, for contrast: the check above can tell the difference.
    let plain = with_params(&postgres_url().unwrap(), "sslmode=disable");
    let own = tokio::task::spawn_blocking(move || own_connection_ssl(&plain))
        .await
        .unwrap();
    assert!(!own.ssl, "sslmode=disable was encrypted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_verify_full_trusts_only_the_given_ca() {
    let Some(dir) = tls_dir() else { return };
    let ca = dir.join("ca.crt");
    let wrong_ca = dir.join("wrong-ca.crt");
    assert!(
        ca.is_file() && wrong_ca.is_file(),
        "{} lacks ca.crt or wrong-ca.crt",
        dir.display()
    );

    let (app, name) =
        spawn_with(&format!("sslmode=verify-full&sslrootcert={}", ca.display())).await;
    let url = app.settings.database.url.expose_url();
    let own = tokio::task::spawn_blocking({
        let url = url.clone();
        move || own_connection_ssl(&url)
    })
    .await
    .unwrap();
    assert!(own.ssl);
    assert_service_uses_tls(&app, &name).await;

    // The command line, as an operator runs it, on the schema the service migrated.
    let ok = flagpole_cli(&["token", "list"], &url, &[]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // Another CA: refused before anything is sent, with exit 1 and libpq's reason.
    let wrong = url.replace(
        &format!("sslrootcert={}", ca.display()),
        &format!("sslrootcert={}", wrong_ca.display()),
    );
    for args in [&["migrate"][..], &["token", "list"]] {
        let out = flagpole_cli(args, &wrong, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("database.url: cannot connect")
                && stderr.contains("certificate verify failed"),
            "{args:?}: {stderr}"
        );
    }
    let mut settings = app.settings.clone();
    settings.database.url = wrong.parse().unwrap();
    let build =
        tokio::task::spawn_blocking(move || flagpole::startup::Application::build(settings))
            .await
            .unwrap();
    let err = build
        .err()
        .expect("the service started with a CA that did not sign the server's");
    assert!(
        format!("{err:#}").contains("certificate verify failed"),
        "{err:#}"
    );

    // sslrootcert=system: OpenSSL is built in, so its idea of the system's roots is not the
    // distribution's; SSL_CERT_FILE names them (README, "PostgreSQL over TLS").
    let system = url.replace(
        &format!("sslrootcert={}", ca.display()),
        "sslrootcert=system",
    );
    let ca_file = ca.to_str().unwrap();
    let out = flagpole_cli(&["token", "list"], &system, &[("SSL_CERT_FILE", ca_file)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = flagpole_cli(&["token", "list"], &system, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "sslrootcert=system trusted our CA unasked"
    );
}
