//! Hostile readers at the edge (issue 13): control characters in every part of a request,
//! out-of-range values, sign-in limits, slow bodies, forwarded hosts and the small things a
//! security review found. Each test sends what the attacker sent and checks what they see.

use serde_json::{json, Value};

use crate::helpers::{article, error_code, TestApp};
use crate::on_both_backends;

/// A NUL byte (PostgreSQL refuses it in text, which used to be a 503) or another control
/// character, in a form field, a query parameter, a path and a JSON string, is a 4xx naming the
/// field on both backends, and nothing reaches the database.
async fn control_characters_are_refused_naming_the_field(app: TestApp) {
    let token = app.token("t").await;
    // A form field, on the sign-in page: a readable page, not a 5xx.
    let r = app
        .post_raw(
            "/dashboard/login",
            "application/x-www-form-urlencoded",
            b"email=ed%00%40example.org&password=secret".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("email contains control characters"));
    // A path.
    let r = app
        .client
        .get(app.url("/unsubscribe/a%00b"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(r).await,
        (400, "invalid_path".into(), Some("token".into()))
    );
    // A query parameter, and its name.
    for (query, field) in [
        ("host=%00", "host"),
        ("q=a%1Bb", "q"),
        ("host=%0Aexample.org", "host"),
        ("ho%00st=x", "ho\\0st"),
    ] {
        let r = app
            .get_authed(&token, &format!("/api/v1/articles?{query}"))
            .await;
        assert_eq!(
            error_code(r).await,
            (422, "invalid_field".into(), Some(field.into())),
            "{query}"
        );
    }
    // JSON strings: a PATCH note, an assignee and a key.
    let report = app.report("r", &article("/nul"), "typo").await;
    let id = report["report_id"].as_i64().unwrap();
    for (body, field) in [
        (json!({"note": "fixed\u{0}"}), "note"),
        (json!({"assignee": "ed\u{0}@example.org"}), "assignee"),
        (
            json!({"status": "acknowledged", "no\u{0}te": "x"}),
            "no\\0te",
        ),
        (json!({"note": "bell \u{7}"}), "note"),
    ] {
        let r = app.patch_report(&token, id, &body).await;
        assert_eq!(
            error_code(r).await,
            (422, "invalid_field".into(), Some(field.into())),
            "{body}"
        );
    }
    // Free text keeps its line breaks and tabs.
    let r = app
        .patch_report(&token, id, &json!({"note": "line one\r\nline\ttwo"}))
        .await;
    assert_eq!(r.status(), 200);
}
on_both_backends!(control_characters_are_refused_naming_the_field);

/// A cursor or a date far outside what PostgreSQL's timestamps hold used to be a 503; now it is
/// a 422 naming the parameter, on both backends.
async fn out_of_range_cursors_and_dates_are_refused(app: TestApp) {
    use base64::Engine;
    let token = app.token("t").await;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for (query, field) in [
        (
            format!("sort=recent&cursor={}", b64("t:-9223372036854775807:1")),
            "cursor",
        ),
        (
            format!("sort=recent&cursor={}", b64("t:9000000000000000000:1")),
            "cursor",
        ),
        (
            format!("sort=recent&cursor={}", b64("t:-3000000000000000000:1")),
            "cursor",
        ),
        ("from=%2B200000-01-01".to_string(), "from"),
        ("to=-5000-01-01".to_string(), "to"),
    ] {
        let r = app
            .get_authed(&token, &format!("/api/v1/articles?{query}"))
            .await;
        let (status, _, got) = error_code(r).await;
        assert_eq!((status, got.as_deref()), (422, Some(field)), "{query}");
    }
    let r = app
        .get_authed(&token, "/api/v1/reports?since=%2B200000-01-01")
        .await;
    assert_eq!(error_code(r).await.2.as_deref(), Some("since"));
    // A real cursor still pages.
    app.vote("a", &article("/one"), true).await;
    app.vote("b", &article("/two"), true).await;
    let page: Value = app
        .get_json(&token, "/api/v1/articles?sort=recent&limit=1")
        .await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = app
        .get_json(
            &token,
            &format!("/api/v1/articles?sort=recent&limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
}
on_both_backends!(out_of_range_cursors_and_dates_are_refused);
