//! Every way a submission can be wrong gets a clear JSON error, never a 5xx, and stores nothing.

use serde_json::json;

use crate::helpers::{article, error_code, spawn_app, Backend, TestApp};
use crate::on_both_backends;

async fn assert_nothing_stored(app: &TestApp) {
    let token = app.token("inspect").await;
    let list = app.get_json(&token, "/api/v1/articles").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");
}

async fn malformed_bodies_are_400(app: TestApp) {
    for body in [&b"{\"article_url\": "[..], b"not json", b"", b"[1,2"] {
        let r = app
            .post_raw("/api/v1/votes", "application/json", body.to_vec())
            .await;
        assert_eq!(error_code(r).await, (400, "malformed_json".into(), None));
    }
    let r = app
        .post_raw(
            "/api/v1/reports",
            "application/json",
            b"{\"article_url\": \"\xff\xfe\"}".to_vec(),
        )
        .await;
    assert_eq!(error_code(r).await, (400, "invalid_utf8".into(), None));
    assert_nothing_stored(&app).await;
}
on_both_backends!(malformed_bodies_are_400);

async fn wrong_shapes_name_the_field(app: TestApp) {
    let cases = [
        (
            json!({"article_url": article("/a"), "helpful": "yes"}),
            "helpful",
        ),
        (json!({"helpful": true}), "article_url"),
        (json!({"article_url": 42, "helpful": true}), "article_url"),
        (
            json!({"article_url": article("/a"), "helpful": true, "sneaky": 1}),
            "sneaky",
        ),
        (
            json!({"article_url": article("/a"), "helpful": true, "reasons": "missing"}),
            "reasons",
        ),
        (
            json!({"article_url": article("/a"), "helpful": false, "reasons": ["boring"]}),
            "reasons",
        ),
        (
            json!({"article_url": "not a url", "helpful": true}),
            "article_url",
        ),
        (
            json!({"article_url": "javascript:alert(1)", "helpful": true}),
            "article_url",
        ),
        (
            json!({"article_url": article("/a"), "helpful": true, "comment": "a\u{0}b"}),
            "comment",
        ),
    ];
    for (body, field) in cases {
        let r = app.post_json("/api/v1/votes", &body).await;
        let (status, code, got_field) = error_code(r).await;
        assert_eq!(
            (status, got_field.as_deref()),
            (422, Some(field)),
            "{body} → {code}"
        );
    }
    assert_nothing_stored(&app).await;
}
on_both_backends!(wrong_shapes_name_the_field);

async fn unknown_category_is_refused(app: TestApp) {
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article("/a"), "category": "rude"}),
        )
        .await;
    assert_eq!(
        error_code(r).await,
        (422, "unknown_category".into(), Some("category".into()))
    );
    assert_nothing_stored(&app).await;
}
on_both_backends!(unknown_category_is_refused);

async fn over_long_fields_are_refused(app: TestApp) {
    let limits = app.settings.limits.clone();
    let long = |n: usize| "é".repeat(n + 1);
    let cases = [
        (
            "details",
            json!({"article_url": article("/a"), "category": "other", "details": long(limits.max_details_chars)}),
        ),
        (
            "quote",
            json!({"article_url": article("/a"), "category": "other", "quote": long(limits.max_quote_chars)}),
        ),
        (
            "title",
            json!({"article_url": article("/a"), "category": "other", "title": long(limits.max_title_chars)}),
        ),
        (
            "article_url",
            json!({"article_url": format!("{}?q={}", article("/a"), "x".repeat(limits.max_url_chars)), "category": "other"}),
        ),
    ];
    for (field, body) in cases {
        let r = app.post_json("/api/v1/reports", &body).await;
        assert_eq!(
            error_code(r).await,
            (422, "too_long".into(), Some(field.into())),
            "{field}"
        );
    }
    // Exactly at the limit is fine.
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article("/a"), "category": "other", "quote": "q".repeat(limits.max_quote_chars)}),
        )
        .await;
    assert_eq!(r.status(), 201);
}
on_both_backends!(over_long_fields_are_refused);

async fn bodies_over_the_limit_are_413(app: TestApp) {
    let big =
        json!({"article_url": article("/a"), "category": "other", "details": "x".repeat(20_000)});
    let r = app.post_json("/api/v1/reports", &big).await;
    assert_eq!(error_code(r).await.0, 413);
    // Also without a Content-Length header (chunked).
    let stream =
        futures_util::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));
    let r = app
        .client
        .post(app.url("/api/v1/votes"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r).await.1, "payload_too_large");
    assert_nothing_stored(&app).await;
}
on_both_backends!(bodies_over_the_limit_are_413);

async fn wrong_content_type_is_415(app: TestApp) {
    let body = json!({"article_url": article("/a"), "helpful": true})
        .to_string()
        .into_bytes();
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        let r = app.post_raw("/api/v1/votes", ct, body.clone()).await;
        assert_eq!(
            error_code(r).await,
            (415, "unsupported_media_type".into(), None),
            "{ct}"
        );
    }
    let r = app.post_raw("/f/vote", "application/json", body).await;
    assert_eq!(r.status(), 415);
    assert_nothing_stored(&app).await;
}
on_both_backends!(wrong_content_type_is_415);

async fn hosts_outside_the_allowed_list_are_403(app: TestApp) {
    for url in [
        "https://evil.example/a",
        "http://localhost.evil.example/a",
        "http://127.0.0.2/a",
    ] {
        let r = app
            .post_json(
                "/api/v1/votes",
                &json!({"article_url": url, "helpful": true}),
            )
            .await;
        assert_eq!(
            error_code(r).await,
            (403, "host_not_allowed".into(), Some("article_url".into())),
            "{url}"
        );
    }
    assert_nothing_stored(&app).await;
}
on_both_backends!(hosts_outside_the_allowed_list_are_403);

async fn email_must_look_like_one(app: TestApp) {
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article("/a"), "category": "other", "email": "not-an-address", "contact_consent": true}),
        )
        .await;
    assert_eq!(
        error_code(r).await,
        (422, "invalid_field".into(), Some("email".into()))
    );
}
on_both_backends!(email_must_look_like_one);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_with_retry_after() {
    let app = spawn_app(Backend::Sqlite, |s| {
        s.limits.burst = 3;
        s.limits.per_minute = 3;
    })
    .await;
    let body = json!({"article_url": article("/rate"), "helpful": true});
    for _ in 0..3 {
        assert!(app
            .post_json("/api/v1/votes", &body)
            .await
            .status()
            .is_success());
    }
    let r = app.post_json("/api/v1/votes", &body).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(error_code(r).await.1, "rate_limited");
    // A forged X-Forwarded-For from an untrusted peer changes nothing.
    let r = app
        .client
        .post(app.url("/api/v1/votes"))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // The form fallback shares the limit and says so in words.
    let r = app
        .post_raw(
            "/f/vote",
            "application/x-www-form-urlencoded",
            b"article_url=http%3A%2F%2Flocalhost%2Frate&helpful=yes".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("Please wait a moment"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_believed_from_a_trusted_proxy() {
    let app = spawn_app(Backend::Sqlite, |s| {
        s.limits.burst = 1;
        s.limits.per_minute = 1;
        s.server.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let body = json!({"article_url": article("/proxy"), "helpful": true});
    let send = |client_ip: &'static str| {
        app.client
            .post(app.url("/api/v1/votes"))
            .header("x-forwarded-for", format!("198.51.100.1, {client_ip}"))
            .json(&body)
            .send()
    };
    assert_eq!(send("203.0.113.1").await.unwrap().status(), 201);
    assert_eq!(send("203.0.113.1").await.unwrap().status(), 429);
    // Another client behind the same proxy has its own allowance and is another reader.
    assert_eq!(send("203.0.113.2").await.unwrap().status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_can_be_switched_off() {
    let app = spawn_app(Backend::Sqlite, |s| {
        s.limits.rate_limit_enabled = false;
        s.limits.burst = 1;
        s.limits.per_minute = 1;
    })
    .await;
    for i in 0..5 {
        app.vote(&format!("r{i}"), &article("/unlimited"), true)
            .await;
    }
}
