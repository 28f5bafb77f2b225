//! Proof under fire, in short form: two instances on one PostgreSQL database keep exact
//! counters; hostile bodies are refused cleanly or round-trip; idle and slow connections do not
//! stop the server answering.

use std::io::Write;
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{article, error_code, spawn_app, Backend};

/// Votes and reports sent alternately to two instances: every counter equals its raw rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_keep_counters_exact() {
    let Some(a) = crate::helpers::spawn_postgres(|_| {}).await else {
        return;
    };
    let url = a.settings.database.url.clone();
    let b = spawn_app(Backend::Postgres, move |s| s.database.url = url).await;
    let mut sent = std::collections::HashMap::<String, (i64, i64, i64)>::new();
    let mut jobs = Vec::new();
    for i in 0..300 {
        let app = if i % 2 == 0 { &a } else { &b };
        let path = format!("/twins/{}", i % 7);
        let helpful = i % 3 != 0;
        let client = app.client.clone();
        let (vote_url, report_url) = (app.url("/api/v1/votes"), app.url("/api/v1/reports"));
        let art = article(&path);
        let entry = sent.entry(art.clone()).or_default();
        if helpful {
            entry.0 += 1
        } else {
            entry.1 += 1
        }
        let report = i % 10 == 0;
        if report {
            entry.2 += 1;
        }
        jobs.push(tokio::spawn(async move {
            let r = client
                .post(vote_url)
                .header("user-agent", format!("reader-{i}"))
                .json(&json!({"article_url": art, "helpful": helpful}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            if report {
                let r = client
                    .post(report_url)
                    .header("user-agent", format!("reader-{i}"))
                    .json(&json!({"article_url": art, "category": "typo", "details": "\"ibuprofen\" is spelt \"ibuprophen\" twice"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }));
    }
    for j in jobs {
        j.await.unwrap();
    }
    let token = a.token("t").await;
    let list = a.get_json(&token, "/api/v1/articles?limit=200").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    for item in items {
        let (h, n, r) = sent[item["url"].as_str().unwrap()];
        assert_eq!(
            (
                item["helpful"].as_i64().unwrap(),
                item["not_helpful"].as_i64().unwrap()
            ),
            (h, n),
            "{item}"
        );
        assert_eq!(item["open_reports"].as_i64().unwrap(), r, "{item}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bodies_are_refused_cleanly() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    // A megabyte.
    let big = vec![b'a'; 1 << 20];
    let r = app.post_raw("/api/v1/votes", "application/json", big).await;
    assert_eq!(error_code(r).await.1, "payload_too_large");
    // Nested far deeper than any real body: refused as the wrong shape, without overflowing.
    for nested in [
        format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
        format!(
            "{{\"article_url\": {}{}}}",
            "[".repeat(5000),
            "]".repeat(5000)
        ),
    ] {
        let r = app
            .post_raw("/api/v1/reports", "application/json", nested.into_bytes())
            .await;
        let (status, code, _) = error_code(r).await;
        assert!(status == 400 || status == 422, "{status} {code}");
    }
    // Invalid UTF-8 and NUL bytes.
    let r = app
        .post_raw(
            "/api/v1/votes",
            "application/json",
            b"{\"article_url\":\"\xc3\x28\"}".to_vec(),
        )
        .await;
    assert_eq!(error_code(r).await.1, "invalid_utf8");
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article("/nul"), "category": "typo", "details": "a\u{0}b"}),
        )
        .await;
    assert_eq!(error_code(r).await.2.as_deref(), Some("details"));
    // Ten thousand reasons: too big a body, and too many reasons when it fits.
    let reasons: Vec<&str> = std::iter::repeat_n("missing", 10_000).collect();
    let r = app
        .post_json(
            "/api/v1/votes",
            &json!({"article_url": article("/r"), "helpful": false, "reasons": reasons}),
        )
        .await;
    assert_eq!(error_code(r).await.0, 413);
    let r = app
        .post_json("/api/v1/votes", &json!({"article_url": article("/r"), "helpful": false, "reasons": vec!["missing"; 50]}))
        .await;
    assert_eq!(error_code(r).await.2.as_deref(), Some("reasons"));
    // Nothing was stored by any of that.
    let token = app.token("t").await;
    assert_eq!(
        app.get_json(&token, "/api/v1/articles").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emoji_and_right_to_left_text_round_trip() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let details = "الجرعة خاطئة 💊 — la dosis es incorrecta 👩‍⚕️ דוז שגוי";
    let r = app
        .post_json("/api/v1/reports", &json!({"article_url": article("/unicode/ü"), "category": "harmful", "details": details, "title": "Ибупрофен 💊"}))
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["report_id"]
        .as_i64()
        .unwrap();
    let token = app.token("t").await;
    let report = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(report["details"], details);
    let a = app
        .get_json(
            &token,
            &format!("/api/v1/articles/{}", report["article_id"]),
        )
        .await;
    assert_eq!(a["title"], "Ибупрофен 💊");
    assert_eq!(a["url"], "http://localhost/unicode/%C3%BC");
}

/// Many idle connections and a slow-loris sending headers a byte at a time: the server still
/// answers `/healthz` promptly, and drops the slow client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_do_not_stop_the_server() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let idle: Vec<std::net::TcpStream> = (0..300)
        .filter_map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    assert!(idle.len() >= 250, "opened {} connections", idle.len());
    let slow = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut sent = 0;
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
            .iter()
            .cycle()
            .take(40)
        {
            if s.write_all(&[*b]).is_err() {
                return (sent, true);
            }
            sent += 1;
            std::thread::sleep(Duration::from_millis(250));
        }
        (sent, false)
    });
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let r = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "healthz took {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(idle);
    let (_sent, _dropped) = slow.join().unwrap();
}
