//! The test harness: the real server on a random port against a fresh database, SQLite always
//! and PostgreSQL when TEST_DATABASE_URL is set (a fresh schema per test).

use std::path::PathBuf;

use diesel::{Connection, RunQueryDsl};
use flagpole::config::Settings;
use flagpole::startup::Application;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    /// The SQLite file, for tests that inspect what is stored on disk.
    pub sqlite_path: Option<PathBuf>,
    _dir: tempfile::TempDir,
}

/// Runs a test body against SQLite, and against PostgreSQL when TEST_DATABASE_URL is set.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite, |_| {}).await;
                super::$name(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn_postgres(|_| {}).await {
                    super::$name(app).await;
                }
            }
        }
    };
}

/// Runs a test that sets up its own app, once per backend.
#[macro_export]
macro_rules! each_backend {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_url().is_some() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            }
        }
    };
}

/// The test PostgreSQL URL; in CI its absence is an error, not a silent skip.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests would not run")
        }
        _ => None,
    }
}

pub async fn spawn_postgres(configure: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    postgres_url()?;
    Some(spawn_app(Backend::Postgres, configure).await)
}

/// A fresh schema in the test database, selected for every connection through the URL.
pub fn fresh_postgres_schema() -> String {
    let base = postgres_url().expect("TEST_DATABASE_URL");
    let schema = format!("fp_test_{:016x}", rand::random::<u64>());
    let mut conn = diesel::PgConnection::establish(&base).expect("connect to TEST_DATABASE_URL");
    diesel::sql_query(format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}")
}

pub fn test_settings() -> Settings {
    let mut settings = Settings::load(None).expect("default settings load");
    settings.server.bind = ([127, 0, 0, 1], 0).into();
    settings.server.workers = 2;
    settings.server.shutdown_timeout_secs = 1;
    settings.database.pool_size = 4;
    settings.limits.burst = 1000;
    settings.limits.per_minute = 1000;
    // Test readers all come from 127.0.0.1, and many tests raise many alerts on one host; the
    // tests of the vote cap and the alert budget turn them on.
    settings.limits.votes_per_address_per_article = 0;
    settings.alerts.max_per_host_per_hour = 0;
    settings.telemetry.log_level = "warn".into();
    // Nothing listens here unless a test starts an SMTP receiver and points the app at it.
    settings.smtp.host = "127.0.0.1".into();
    settings.smtp.port = 9;
    settings.smtp.retry_base_secs = 1;
    settings.smtp.poll_secs = 1;
    settings.smtp.timeout_secs = 5;
    // A scheduler queueing digests with the real clock would add e-mails to tests that count
    // them; the digest tests turn it on where they mean to.
    settings.digest.enabled = false;
    settings
}

pub async fn spawn_app(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings();
    let sqlite_path = match backend {
        Backend::Sqlite => {
            let path = dir.path().join("data").join("flagpole.db");
            settings.database.url = flagpole::config::DatabaseTarget::Sqlite(path.clone());
            Some(path)
        }
        Backend::Postgres => {
            settings.database.url = tokio::task::spawn_blocking(fresh_postgres_schema)
                .await
                .expect("schema")
                .parse()
                .expect("a PostgreSQL URL");
            None
        }
    };
    configure(&mut settings);
    flagpole::telemetry::init_logs(&settings.telemetry);
    let app = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || Application::build(settings))
            .await
            .expect("build thread")
            .expect("application builds")
    };
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Well inside the server's 5-second keep-alive: on a loaded machine a connection
            // idle longer may be closed by the server just as the client reuses it (a reset).
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("client"),
        settings,
        sqlite_path,
        _dir: dir,
    }
}

/// An article URL on an allowed host.
pub fn article(path: &str) -> String {
    format!("http://localhost{path}")
}

impl TestApp {
    /// The port the server listens on, for tests that talk to it over a raw socket.
    pub fn port(&self) -> u16 {
        self.address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Posts as a distinct reader (the user agent is part of the visitor key).
    pub async fn post_json_as(&self, reader: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("user-agent", reader)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn vote(&self, reader: &str, url: &str, helpful: bool) -> Value {
        let r = self
            .post_json_as(
                reader,
                "/api/v1/votes",
                &serde_json::json!({"article_url": url, "helpful": helpful}),
            )
            .await;
        assert!(r.status().is_success(), "vote: {}", r.status());
        r.json().await.expect("json")
    }

    pub async fn report(&self, reader: &str, url: &str, category: &str) -> Value {
        let r = self
            .post_json_as(
                reader,
                "/api/v1/reports",
                &serde_json::json!({"article_url": url, "category": category, "quote": "a passage"}),
            )
            .await;
        assert_eq!(r.status(), 201, "report");
        r.json().await.expect("json")
    }

    /// Creates an API token the way an operator would, through the library the CLI uses.
    pub async fn token(&self, name: &str) -> String {
        let target = self.settings.database.url.clone();
        let name = name.to_string();
        tokio::task::spawn_blocking(move || {
            let mut conn = flagpole::db::open(&target).expect("open");
            flagpole::auth::tokens::create(&mut conn, &name).expect("token")
        })
        .await
        .expect("token thread")
    }

    /// Adds an editor the way `flagpole editor add` does.
    pub async fn add_editor(&self, email: &str, owns: &[&str]) {
        self.add_editor_with(email, owns, true).await
    }

    pub async fn add_editor_with(&self, email: &str, owns: &[&str], wants_alerts: bool) {
        let target = self.settings.database.url.clone();
        let owns: Vec<String> = owns.iter().map(|s| s.to_string()).collect();
        let new = flagpole::editors::new_editor(email, email, false, &owns, wants_alerts, true)
            .expect("valid editor");
        tokio::task::spawn_blocking(move || {
            let mut conn = flagpole::db::open(&target).expect("open");
            flagpole::db::editors::add(&mut conn, &new, flagpole::db::now()).expect("editor");
        })
        .await
        .expect("editor thread")
    }

    pub async fn get_authed(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let r = self.get_authed(token, path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.expect("json")
    }

    pub async fn patch_report(&self, token: &str, id: i64, body: &Value) -> reqwest::Response {
        self.client
            .patch(self.url(&format!("/api/v1/reports/{id}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

/// The error code of an API error answer.
pub async fn error_code(r: reqwest::Response) -> (u16, String, Option<String>) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("error body is JSON");
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_string(),
        body["error"]["field"].as_str().map(str::to_string),
    )
}
