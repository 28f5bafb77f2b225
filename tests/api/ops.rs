//! Health, readiness, metrics and the OpenAPI document.

use std::io::{Read, Write};

use serde_json::Value;

use crate::cli::{signal, start_serve};
use crate::helpers::{article, spawn_app, Backend, TestApp};
use crate::on_both_backends;

async fn health_and_readiness(app: TestApp) {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ready");
}
on_both_backends!(health_and_readiness);

async fn metrics_count_requests_and_submissions(app: TestApp) {
    app.vote("m", &article("/metrics"), true).await;
    app.post_json(
        "/api/v1/reports",
        &serde_json::json!({"article_url": article("/m"), "category": "nope"}),
    )
    .await;
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    for needle in [
        "flagpole_http_requests_total{route=\"/api/v1/votes\",method=\"POST\",status=\"201\"}",
        "flagpole_http_request_duration_seconds_bucket{route=\"/api/v1/votes\"",
        "flagpole_votes_total{result=\"created\"}",
        "flagpole_submissions_refused_total{kind=\"report\",code=\"unknown_category\"}",
        "flagpole_db_pool_connections",
        "flagpole_write_batch_size_bucket",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}
on_both_backends!(metrics_count_requests_and_submissions);

/// A client can send any token as a method; each one used to become a metric label, so random
/// methods grew /metrics without bound. Now they are all counted as `other`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invented_methods_do_not_grow_metrics() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let marker = format!("INVENTED{:08x}", rand::random::<u32>());
    for i in 0..50 {
        let method =
            reqwest::Method::from_bytes(format!("{marker}{i}{}", "X".repeat(2000)).as_bytes())
                .unwrap();
        let r = app
            .client
            .request(method, app.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405);
    }
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains(&marker), "an invented method became a label");
    assert!(
        text.contains(
            "flagpole_http_requests_total{route=\"/healthz\",method=\"other\",status=\"405\"}"
        ),
        "{text}"
    );
}

async fn every_request_gets_an_id_and_security_headers(app: TestApp) {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"].len(), 16);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}
on_both_backends!(every_request_gets_an_id_and_security_headers);

async fn openapi_documents_every_endpoint(app: TestApp) {
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (path, method) in [
        ("/api/v1/votes", "post"),
        ("/api/v1/reports", "post"),
        ("/api/v1/reports", "get"),
        ("/api/v1/reports/{id}", "get"),
        ("/api/v1/reports/{id}", "patch"),
        ("/api/v1/articles", "get"),
        ("/api/v1/articles/{id}", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
on_both_backends!(openapi_documents_every_endpoint);

async fn unknown_routes_and_methods_answer_json(app: TestApp) {
    let r = app.client.get(app.url("/nowhere")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    let r = app
        .client
        .delete(app.url("/api/v1/votes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "method_not_allowed"
    );
}
on_both_backends!(unknown_routes_and_methods_answer_json);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_while_migrations_are_pending() {
    let app = spawn_app(Backend::Sqlite, |s| s.database.migrate_on_start = false).await;
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["reason"], "database migrations are pending");
    // Alive all the same.
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// Every GET route answers HEAD the same, without a body (HTTP requires it; actix-web does not
/// do it by itself), and a connection goes on working after a HEAD.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_routes_answer_head() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/widget.js",
        "/widget/demo",
        "/api/v1/openapi.json",
        "/dashboard/login",
    ] {
        let get = app.client.get(app.url(path)).send().await.unwrap();
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(get.status(), 200, "GET {path}");
        assert_eq!(head.status(), 200, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "{path}"
        );
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    // A route with no GET still refuses HEAD.
    let r = app
        .client
        .head(app.url("/api/v1/votes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);

    let address = app.address.trim_start_matches("http://").to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .write_all(
                b"HEAD /widget.js HTTP/1.1\r\nHost: x\r\n\r\n\
                  GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 2, "{answer}");
    assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer}");
    assert!(!answer.contains("function"), "widget.js was sent: {answer}");
}

/// Logs written to a file or a pipe (not a terminal) carry no colour codes, and a request's
/// latency is a plain number of milliseconds with at most three decimals.
#[test]
fn logs_to_a_file_are_plain_with_rounded_latencies() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port, mut lines) =
        start_serve(dir.path(), &[("FLAGPOLE__TELEMETRY__LOG_FORMAT", "pretty")]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    stream.read_to_string(&mut String::new()).unwrap();
    let mut log = Vec::new();
    for line in lines.by_ref().map_while(Result::ok) {
        let finished = line.contains("request finished");
        log.push(line);
        if finished {
            break;
        }
    }
    signal(&child, "TERM");
    log.extend(lines.map_while(Result::ok));
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let log = log.join("\n");
    assert!(!log.contains('\u{1b}'), "colour codes in a file:\n{log}");
    let (_, latency) = log
        .split_once("latency_ms=")
        .unwrap_or_else(|| panic!("no latency in:\n{log}"));
    let latency = latency.split_whitespace().next().unwrap();
    assert!(latency.parse::<f64>().is_ok(), "{latency}");
    let decimals = latency.split_once('.').map_or(0, |(_, d)| d.len());
    assert!(decimals <= 3, "latency_ms={latency}");
}
