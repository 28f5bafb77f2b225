//! Hostile readers at the edge (issue 13): control characters in every part of a request,
//! out-of-range values, sign-in limits, slow bodies, forwarded hosts and the small things a
//! security review found. Each test sends what the attacker sent and checks what they see.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::dashboard::{add_user, sign_in, PASSWORD};
use crate::helpers::{article, error_code, spawn_app, Backend, TestApp};
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

/// Signs in through a trusted proxy as a reader at `from`; the status of the answer.
async fn sign_in_from(app: &TestApp, from: &str, email: &str, password: &str) -> u16 {
    app.client
        .post(app.url("/dashboard/login"))
        .header("x-forwarded-for", from)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn behind_a_proxy(s: &mut flagpole::config::Settings) {
    s.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
}

/// Guessing an editor's password from one address (even slowly, from several) no longer locks
/// the editor out: their right password from an address that has not been guessing gets in. The
/// guessing address itself is stopped, for that e-mail address and, past its own limit, for any.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_cannot_lock_an_editor_out() {
    let app = spawn_app(Backend::Sqlite, behind_a_proxy).await;
    add_user(&app, "target@example.org", false).await;
    let mut statuses = Vec::new();
    for attacker in ["203.0.113.7", "203.0.113.8"] {
        for _ in 0..6 {
            statuses.push(sign_in_from(&app, attacker, "target@example.org", "guess guess").await);
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
    // The editor, from their own address.
    assert_eq!(
        sign_in_from(&app, "198.51.100.20", "target@example.org", PASSWORD).await,
        303
    );
    // The guesser, even with the right password, waits.
    assert_eq!(
        sign_in_from(&app, "203.0.113.7", "target@example.org", PASSWORD).await,
        429
    );
    // One address trying many e-mail addresses meets its own limit.
    let mut sprayed = Vec::new();
    for i in 0..12 {
        let email = format!("e{i}@example.org");
        sprayed.push(sign_in_from(&app, "192.0.2.50", &email, "x").await);
    }
    assert!(sprayed.contains(&429), "{sprayed:?}");
}

/// Request bytes, written one at a time with a pause, on a real socket; what the server sent
/// back (empty when it closed without answering) and when it was done with us.
fn dribble(port: u16, head: &str, body: &[u8], pause: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    for b in body {
        if s.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(pause);
        // Stop sending once the server has answered.
        s.set_nonblocking(true).unwrap();
        let mut peek = [0u8; 1];
        let answered = s.peek(&mut peek).is_ok();
        s.set_nonblocking(false).unwrap();
        if answered {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

/// A body sent a byte every half second is cut off at `limits.body_timeout_secs` with a 408,
/// on the public endpoints and on sign-in alike, and the connection is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_are_dropped_within_the_limit() {
    let app = spawn_app(Backend::Sqlite, |s| s.limits.body_timeout_secs = 2).await;
    let port = app.port();
    let body = b"{\"article_url\": \"http://localhost/slow\", \"helpful\": true}";
    let form = b"email=ed%40example.org&password=a+long+slow+password+indeed";
    let requests = [
        ("/api/v1/votes", "application/json", &body[..]),
        (
            "/dashboard/login",
            "application/x-www-form-urlencoded",
            &form[..],
        ),
    ];
    let jobs = requests.map(|(path, content_type, body)| {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let body = body.to_vec();
        tokio::task::spawn_blocking(move || dribble(port, &head, &body, Duration::from_millis(500)))
    });
    let [api, dashboard] = jobs;
    let (answer, took) = api.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
    assert!(took < Duration::from_secs(4), "held for {took:?}");
    // The dashboard answers its readable page.
    let (answer, took) = dashboard.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("did not arrive within 2 seconds"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(4), "held for {took:?}");
    // The server is still answering everyone else.
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// A client over its sign-in limit is answered at once: the server does not wait for a body it
/// would refuse anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_limits_are_checked_before_the_body_is_read() {
    let app = spawn_app(Backend::Sqlite, behind_a_proxy).await;
    let mut statuses = Vec::new();
    for i in 0..11 {
        statuses.push(sign_in_from(&app, "192.0.2.99", &format!("e{i}@example.org"), "x").await);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let port = app.port();
    let answered = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        // Headers promising a body that never comes.
        s.write_all(b"POST /dashboard/login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 192.0.2.99\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60\r\n\r\n")
            .unwrap();
        let started = Instant::now();
        let mut answer = [0u8; 12];
        let _ = s.read_exact(&mut answer);
        (String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
    })
    .await
    .unwrap();
    assert_eq!(answered.0, "HTTP/1.1 429");
    assert!(answered.1 < Duration::from_secs(1), "{:?}", answered.1);
}

/// `next=` with a line break cannot split the redirect header: the editor is signed in and sent
/// to the dashboard. One with a NUL byte is refused before any session is opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_with_line_breaks_cannot_split_the_redirect() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    add_user(&app, "ed@example.org", false).await;
    let post = |next: &'static str| {
        app.client
            .post(app.url("/dashboard/login"))
            .form(&[
                ("email", "ed@example.org"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
    };
    let r = post("/dashboard\r\nSet-Cookie: planted=1").await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dashboard");
    assert!(r
        .headers()
        .get_all("set-cookie")
        .iter()
        .all(|c| !c.to_str().unwrap().contains("planted")));
    let r = post("/dashboard\0").await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("set-cookie").is_none(), "no session opened");
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("next contains control characters"));
}

/// The green "done" box only ever shows one of the dashboard's own messages: `?done=` with any
/// other text is refused, and the text is never shown as a success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn done_shows_only_the_dashboards_own_messages() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    add_user(&app, "ed@example.org", false).await;
    let report = app.report("r", &article("/done"), "typo").await;
    let (client, _) = sign_in(&app, "ed@example.org").await;
    let path = format!("/dashboard/articles/{}", report["article_id"]);
    let r = client
        .get(app.url(&format!("{path}?done=Your+password+expired.+Call+0800")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(!r.text().await.unwrap().contains("notice ok"));
    let page = client
        .get(app.url(&format!("{path}?done=reviewed")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Review recorded; alerts are re-armed."));
}

/// Without `server.trusted_proxies`, `X-Forwarded-Host` and `Forwarded` are whatever the client
/// sent: they cannot make another site's Origin pass the CSRF check, nor put another host in the
/// demo page. Through a trusted proxy they are believed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_hosts_are_believed_only_from_trusted_proxies() {
    let direct = spawn_app(Backend::Sqlite, |_| {}).await;
    let proxied = spawn_app(Backend::Sqlite, behind_a_proxy).await;
    let sign_in_as_evil = |app: &TestApp| {
        app.client
            .post(app.url("/dashboard/login"))
            .header("origin", "http://evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("forwarded", "host=evil.example;proto=http")
            .form(&[("email", "ed@example.org"), ("password", "wrong")])
            .send()
    };
    assert_eq!(sign_in_as_evil(&direct).await.unwrap().status(), 403);
    // The proxy says the request was for evil.example: the Origin matches (a wrong password).
    assert_eq!(sign_in_as_evil(&proxied).await.unwrap().status(), 401);
    let demo = |app: &TestApp| {
        app.client
            .get(app.url("/widget/demo"))
            .header("x-forwarded-host", "evil.example")
            .header("x-forwarded-proto", "https")
            .send()
    };
    let page = demo(&direct).await.unwrap().text().await.unwrap();
    assert!(!page.contains("evil.example"));
    assert!(page.contains(&format!("http://127.0.0.1:{}/widget/demo", direct.port())));
    let page = demo(&proxied).await.unwrap().text().await.unwrap();
    assert!(page.contains("https://evil.example/widget/demo"));
}

/// CSV cells a spreadsheet would take for a formula once it skips a byte-order mark or a
/// zero-width space, or folds a full-width sign, are neutralised like `=` is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_neutralises_disguised_formulas() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    add_user(&app, "ed@example.org", false).await;
    let disguised = [
        "\u{FEFF}=HYPERLINK(\"http://evil\")",
        "\u{200B}=1+2",
        "＝1+2",
        "＋1",
        "－1",
        "＠SUM(A1)",
    ];
    for (i, details) in disguised.iter().enumerate() {
        let r = app
            .post_json_as(
                &format!("reader {i}"),
                "/api/v1/reports",
                &json!({"article_url": article(&format!("/csv/{i}")), "category": "typo", "details": details}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let (client, _) = sign_in(&app, "ed@example.org").await;
    let csv = client
        .get(app.url("/dashboard/export/reports.csv?section=/csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for details in disguised {
        let plain = details.replace('"', "\"\"");
        assert!(csv.contains(&format!("'{plain}")), "{details:?} in\n{csv}");
    }
}

/// `Authorization: BEARER …` in any case of the scheme is a bearer token (RFC 9110: the scheme
/// is case-insensitive).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let token = app.token("t").await;
    for scheme in ["Bearer", "BEARER", "bearer", "bEaReR"] {
        let r = app
            .client
            .get(app.url("/api/v1/articles"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{scheme}");
    }
    let r = app
        .client
        .get(app.url("/api/v1/articles"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// Errors that used to be bare text or empty are the project's JSON error, and a 405 says what
/// the route allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_json_and_a_405_says_what_is_allowed() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let r = app
        .client
        .get(app.url("/widget/noscript"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(r).await,
        (422, "invalid_field".into(), Some("article_url".into()))
    );
    let long = format!("/api/v1/articles?q={}", "a".repeat(40_000));
    let r = app.client.get(app.url(&long)).send().await.unwrap();
    let (status, code, _) = error_code(r).await;
    assert_eq!((status, code.as_str()), (414, "uri_too_long"));
    let r = app
        .client
        .delete(app.url("/api/v1/votes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    assert_eq!(error_code(r).await.1, "method_not_allowed");
    let r = app.client.post(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET, HEAD");
}
