//! Backups and forgetting: `flagpole backup`, `flagpole privacy erase`, and reporters' addresses
//! erased after their report closes.

use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::{article, spawn_app, Backend, TestApp};

fn flagpole(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flagpole"))
        .args(args)
        .env(
            "FLAGPOLE__DATABASE__URL",
            app.settings.database.url.expose_url(),
        )
        .output()
        .expect("run flagpole")
}

async fn report_with_email(app: &TestApp, path: &str, email: &str) -> i64 {
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article(path), "category": "unclear", "email": email, "contact_consent": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["report_id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_copies_a_serving_sqlite_database() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    for i in 0..20 {
        app.vote(
            &format!("r{i}"),
            &article(&format!("/backup/{}", i % 3)),
            i % 2 == 0,
        )
        .await;
    }
    app.report("x", &article("/backup/0"), "typo").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    // Votes keep arriving while the copy is taken.
    let writer = {
        let (client, url) = (app.client.clone(), app.url("/api/v1/votes"));
        tokio::spawn(async move {
            for i in 0..50 {
                let _ = client
                    .post(&url)
                    .header("user-agent", format!("during-{i}"))
                    .json(&json!({"article_url": article("/backup/live"), "helpful": true}))
                    .send()
                    .await;
            }
        })
    };
    let out = tokio::task::spawn_blocking({
        let (url, copy) = (app.settings.database.url.expose_url(), copy.clone());
        move || {
            Command::new(env!("CARGO_BIN_EXE_flagpole"))
                .args(["backup", copy.to_str().unwrap()])
                .env("FLAGPOLE__DATABASE__URL", url)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    writer.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The copy is a working database with the votes that were committed before it.
    let restored = spawn_app(Backend::Sqlite, {
        let copy = copy.clone();
        move |s| s.database.url = flagpole::config::DatabaseTarget::Sqlite(copy)
    })
    .await;
    let token = restored.token("t").await;
    let list = restored
        .get_json(&token, "/api/v1/articles?limit=200")
        .await;
    let votes: i64 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["url"] != article("/backup/live"))
        .map(|a| a["helpful"].as_i64().unwrap() + a["not_helpful"].as_i64().unwrap())
        .sum();
    assert_eq!(votes, 20);
    let again = flagpole(&app, &["backup", copy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_points_postgresql_users_to_pg_dump() {
    let Some(app) = crate::helpers::spawn_postgres(|_| {}).await else {
        return;
    };
    let out = flagpole(&app, &["backup", "/tmp/never-written.db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}

async fn erase_removes_an_address_everywhere(backend: Backend) {
    let app = spawn_app(backend, |_| {}).await;
    let first = report_with_email(&app, "/erase/1", "pat@example.org").await;
    // The same address, cased otherwise: erased all the same.
    let second = report_with_email(&app, "/erase/2", "Pat@Example.ORG").await;
    let other = report_with_email(&app, "/erase/3", "sam@example.org").await;
    // A reply to Pat waiting in the outbox holds their passage: it goes too.
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).unwrap();
        flagpole::db::outbox::enqueue(
            &mut conn,
            &flagpole::db::outbox::NewEmail {
                kind: flagpole::domain::MailKind::Reply,
                dedupe_key: None,
                alert_id: None,
                recipient: "PAT@example.org".into(),
                subject: "Thank you".into(),
                body_text: "text".into(),
                body_html: "<p>html</p>".into(),
                message_id: "<t@x>".into(),
                unsubscribe_url: None,
            },
            flagpole::db::now(),
        )
        .unwrap();
    })
    .await
    .unwrap();
    let out = tokio::task::spawn_blocking({
        let url = app.settings.database.url.expose_url();
        move || {
            Command::new(env!("CARGO_BIN_EXE_flagpole"))
                .args(["privacy", "erase", "--email", "pat@example.org"])
                .env("FLAGPOLE__DATABASE__URL", url)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "erased pat@example.org: 2 report(s), 1 e-mail(s) in the outbox"
    );
    let token = app.token("t").await;
    for id in [first, second] {
        assert_eq!(
            app.get_json(&token, &format!("/api/v1/reports/{id}")).await["email"],
            Value::Null
        );
    }
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/reports/{other}"))
            .await["email"],
        "sam@example.org"
    );
    let outbox = app.get_json(&token, "/api/v1/outbox").await;
    assert!(outbox.as_array().unwrap().iter().all(|m| !m["recipient"]
        .as_str()
        .unwrap()
        .eq_ignore_ascii_case("pat@example.org")));
}
crate::each_backend!(erase_removes_an_address_everywhere);

async fn addresses_are_forgotten_after_their_report_closes(backend: Backend) {
    let app = spawn_app(backend, |_| {}).await;
    let closed = report_with_email(&app, "/retain/1", "old@example.org").await;
    let open = report_with_email(&app, "/retain/2", "open@example.org").await;
    let token = app.token("t").await;
    let r = app
        .patch_report(&token, closed, &json!({"status": "resolved"}))
        .await;
    assert_eq!(r.status(), 200);
    let days = app.settings.privacy.erase_email_after_days;
    let target = app.settings.database.url.clone();
    let erase_at = |offset_days: i64| {
        let target = target.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = flagpole::db::open(&target).unwrap();
            let later = flagpole::db::now() + chrono::TimeDelta::days(offset_days);
            flagpole::privacy::erase_expired(&mut conn, days, later).unwrap()
        })
    };
    // Not yet: the configured time has not passed.
    assert_eq!(erase_at(days - 1).await.unwrap(), 0);
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/reports/{closed}"))
            .await["email"],
        "old@example.org"
    );
    assert_eq!(erase_at(days + 1).await.unwrap(), 1);
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/reports/{closed}"))
            .await["email"],
        Value::Null
    );
    // An open report keeps its address: the editor may still reply.
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/reports/{open}"))
            .await["email"],
        "open@example.org"
    );
}
crate::each_backend!(addresses_are_forgotten_after_their_report_closes);

/// Yesterday's salt is gone from the database file and its WAL once today's is made, so
/// yesterday's visitor keys cannot be recomputed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_salt_leaves_no_trace_on_disk() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let target = app.settings.database.url.clone();
    let path = app.sqlite_path.clone().unwrap();
    let (old, new) = tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).unwrap();
        let today = chrono::Utc::now().date_naive();
        let old =
            flagpole::db::salts::salt_for(&mut conn, today - chrono::TimeDelta::days(1)).unwrap();
        let new = flagpole::db::salts::salt_for(&mut conn, today).unwrap();
        (hex::encode(old), hex::encode(new))
    })
    .await
    .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains(&new), "today's salt is stored");
    assert!(!text.contains(&old), "yesterday's salt is still on disk");
}
