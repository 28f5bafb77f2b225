//! Crash safety: votes and reports under load, `kill -9` of the server at a random moment,
//! restart, and a count. Every request that got a 2xx must be stored, and the counters must equal
//! the raw rows. SQLite always; PostgreSQL when TEST_DATABASE_URL is set.
//!
//! `cargo test` runs the short form (the test build, 3 kills). `bench/crash` runs the long form
//! against a release build: FLAGPOLE_CRASH_BIN names the binary, FLAGPOLE_CRASH_ROUNDS the kills.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::prelude::*;
use flagpole::db::schema::{articles, reports, votes};
use flagpole::with_conn;
use serde_json::json;

use crate::helpers::{article, Backend};

fn start(url: &str, port: u16) -> Child {
    let binary = std::env::var("FLAGPOLE_CRASH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_flagpole").into());
    Command::new(binary)
        .arg("serve")
        .env("FLAGPOLE__DATABASE__URL", url)
        .env("FLAGPOLE__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("FLAGPOLE__LIMITS__RATE_LIMIT_ENABLED", "false")
        // Every client here is 127.0.0.1: the per-address vote cap would refuse the load.
        .env("FLAGPOLE__LIMITS__VOTES_PER_ADDRESS_PER_ARTICLE", "0")
        .env("FLAGPOLE__ALERTS__ENABLED", "false")
        .env("FLAGPOLE__DIGEST__ENABLED", "false")
        .env("FLAGPOLE__TELEMETRY__LOG_LEVEL", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start flagpole")
}

async fn wait_up(client: &reqwest::Client, port: u16) {
    for _ in 0..200 {
        if client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("flagpole did not start");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// (vote rows, votes counted on articles, report rows, open reports counted on articles) per
/// article URL, read straight from the database.
fn stored(url: &str) -> HashMap<String, (i64, i64, i64, i64)> {
    let target: flagpole::config::DatabaseTarget = url.parse().unwrap();
    let mut conn = flagpole::db::open(&target).unwrap();
    let rows: Vec<(i64, String, i64, i64, i64)> = with_conn!(&mut conn, |c| articles::table
        .select((
            articles::id,
            articles::url,
            articles::helpful,
            articles::not_helpful,
            articles::open_reports
        ))
        .load(c))
    .unwrap();
    rows.into_iter()
        .map(|(id, url, h, n, open)| {
            let v: i64 = with_conn!(&mut conn, |c| votes::table
                .filter(votes::article_id.eq(id))
                .count()
                .get_result(c))
            .unwrap();
            let r: i64 = with_conn!(&mut conn, |c| reports::table
                .filter(reports::article_id.eq(id))
                .count()
                .get_result(c))
            .unwrap();
            (url, (v, h + n, r, open))
        })
        .collect()
}

async fn crash_and_count(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("crash.db").display()),
        Backend::Postgres => {
            let app = crate::helpers::spawn_postgres(|_| {}).await.unwrap();
            app.settings.database.url.expose_url()
        }
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    // Per article: acknowledged votes and reports.
    let acked: Arc<Mutex<HashMap<String, (i64, i64)>>> = Arc::default();
    let mut kills = 0;
    let rounds: usize = std::env::var("FLAGPOLE_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    for round in 0..rounds {
        let port = free_port();
        let mut server = start(&url, port);
        wait_up(&client, port).await;
        let mut load = Vec::new();
        for worker in 0..16 {
            let (client, acked) = (client.clone(), acked.clone());
            load.push(tokio::spawn(async move {
                for i in 0.. {
                    let art = article(&format!("/crash/{}", (worker + i) % 5));
                    let reader = format!("crash-{round}-{worker}-{i}");
                    let (path, body, is_vote) = if i % 4 == 0 {
                        (
                            "reports",
                            json!({"article_url": art, "category": "typo", "details": "\"metformin\" is spelt \"metfromin\" in the dosage table"}),
                            false,
                        )
                    } else {
                        (
                            "votes",
                            json!({"article_url": art, "helpful": i % 2 == 0}),
                            true,
                        )
                    };
                    let sent = client
                        .post(format!("http://127.0.0.1:{port}/api/v1/{path}"))
                        .header("user-agent", reader)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            let mut a = acked.lock().unwrap();
                            let e = a.entry(art).or_default();
                            if is_vote {
                                e.0 += 1
                            } else {
                                e.1 += 1
                            }
                        }
                        Ok(_) => {}
                        Err(_) => return, // the server is gone
                    }
                }
            }));
        }
        // Kill at a moment that differs per round.
        let delay = 300 + (rand::random::<u64>() % 700);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.kill().unwrap(); // SIGKILL: no shutdown, no flush
        server.wait().unwrap();
        kills += 1;
        for l in load {
            let _ = l.await;
        }
    }
    // Restart once more so recovery (WAL replay) runs, then count.
    let port = free_port();
    let mut server = start(&url, port);
    wait_up(&client, port).await;
    server.kill().unwrap();
    server.wait().unwrap();
    let acked = acked.lock().unwrap().clone();
    let total: i64 = acked.values().map(|(v, r)| v + r).sum();
    assert!(
        total > 100,
        "only {total} requests were acknowledged before the kills"
    );
    let stored = tokio::task::spawn_blocking(move || stored(&url))
        .await
        .unwrap();
    for (art, (votes_acked, reports_acked)) in &acked {
        let (vote_rows, counted, report_rows, open) = stored[art];
        assert!(
            vote_rows >= *votes_acked,
            "{art}: {votes_acked} votes acknowledged, {vote_rows} stored"
        );
        assert!(
            report_rows >= *reports_acked,
            "{art}: {reports_acked} reports acknowledged, {report_rows} stored"
        );
        assert_eq!(counted, vote_rows, "{art}: counters and vote rows disagree");
        assert_eq!(
            open, report_rows,
            "{art}: counters and report rows disagree"
        );
    }
    eprintln!("crash test ({backend:?}): {kills} kills, {total} acknowledged requests, 0 lost");
}
crate::each_backend!(crash_and_count);
