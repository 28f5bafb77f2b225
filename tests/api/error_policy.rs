//! The error policy (src/errors.rs): an outage is a 503 with Retry-After, a bug is a 500 with
//! its cause in the log, and neither claims more than it knows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{article, postgres_url, spawn_app, Backend};

/// A failed read that is not an outage (here: a table missing under the running server) is a
/// 500 that says something went wrong, never a 503 that says nothing was saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bug_is_a_500_not_an_outage() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let created = app.report("r", &article("/errors"), "typo").await;
    let token = app.token("t").await;
    let path = app.sqlite_path.clone().expect("sqlite");
    tokio::task::spawn_blocking(move || {
        let mut c =
            <diesel::SqliteConnection as diesel::Connection>::establish(&path.to_string_lossy())
                .unwrap();
        c.batch_execute("PRAGMA foreign_keys = OFF; DROP TABLE report_events;")
            .unwrap();
    })
    .await
    .unwrap();
    let r = app
        .get_authed(&token, &format!("/api/v1/reports/{}", created["report_id"]))
        .await;
    assert_eq!(r.status(), 500);
    assert!(r.headers().get("retry-after").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal_error");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("no such table"),
        "the cause stays in the log: {message}"
    );
}

/// A TCP relay to PostgreSQL that can be cut, like a database host that goes away.
struct Relay {
    port: u16,
    cut: Arc<AtomicBool>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let flag = cut.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let (target, flag) = (target.clone(), flag.clone());
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = async {
                            while !flag.load(Ordering::SeqCst) {
                                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                            }
                        } => {}
                    }
                });
            }
        });
        Relay { port, cut }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }
}

/// The database host gone: reads and writes answer 503 with Retry-After, and /readyz says not
/// ready, while /healthz still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_goes_away_is_a_503_with_retry_after() {
    let Some(base) = postgres_url() else { return };
    let url: url::Url = base.parse().unwrap();
    let host = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    );
    let relay = Relay::start(host).await;
    let schema_url = tokio::task::spawn_blocking(crate::helpers::fresh_postgres_schema)
        .await
        .unwrap();
    let mut through_relay: url::Url = schema_url.parse().unwrap();
    through_relay.set_port(Some(relay.port)).unwrap();
    let app = spawn_app(Backend::Postgres, |s| {
        s.database.url = through_relay.as_str().parse().expect("url");
        s.database.connect_timeout_secs = 1;
    })
    .await;
    let token = app.token("t").await;
    app.report("r", &article("/outage"), "typo").await;
    relay.cut();
    // The relay drops its open connections within a few polls.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let read = app.get_authed(&token, "/api/v1/articles").await;
    assert_eq!(read.status(), 503);
    assert!(read.headers().get("retry-after").is_some());
    let body: Value = read.json().await.unwrap();
    assert_eq!(body["error"]["code"], "storage_unavailable");
    let write = app
        .post_json(
            "/api/v1/reports",
            &serde_json::json!({"article_url": article("/outage"), "category": "typo"}),
        )
        .await;
    assert_eq!(write.status(), 503);
    assert!(write.headers().get("retry-after").is_some());
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let alive = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200);
}
