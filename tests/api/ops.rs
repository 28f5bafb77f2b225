//! Health, readiness, metrics and the OpenAPI document.

use serde_json::Value;

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
