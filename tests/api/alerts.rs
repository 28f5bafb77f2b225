//! Threshold alerts: the right e-mail to the right editors, once per crossing, delivered through
//! a real SMTP receiver even when it is down for a while.

use serde_json::{json, Value};

use crate::each_backend;
use crate::helpers::{article, spawn_app, Backend, TestApp};
use crate::smtp::{Mode, SmtpServer};

async fn app_with_smtp(backend: Backend, cooldown_hours: i64) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let app = spawn_app(backend, move |s| {
        s.smtp.port = port;
        s.alerts.cooldown_hours = cooldown_hours;
        s.server.public_url = "https://feedback.example.org".parse().unwrap();
    })
    .await;
    (app, smtp)
}

async fn report_with(
    app: &TestApp,
    reader: &str,
    url: &str,
    category: &str,
    details: &str,
) -> Value {
    let r = app
        .post_json_as(
            reader,
            "/api/v1/reports",
            &json!({"article_url": url, "category": category, "quote": "the passage",
                    "details": details, "title": "Metastatic neuroendocrine tumours"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn third_report_alerts_the_owners_once(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("owner@example.org", &["localhost/conditions"])
        .await;
    app.add_editor("other@example.org", &["www.elsewhere.test"])
        .await;
    let url = article("/conditions/net");
    report_with(
        &app,
        "a",
        &url,
        "inaccurate",
        "Survival figures are from 2012",
    )
    .await;
    report_with(&app, "b", &url, "outdated", "New guideline in 2025").await;
    assert!(
        smtp.settle().await.is_empty(),
        "two reports are below the rule"
    );

    let third = report_with(&app, "c", &url, "unclear", "What does grade 2 mean?").await;
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail.len(), 1);
    let m = &mail[0];
    assert_eq!(m.to, vec!["owner@example.org".to_string()]);
    assert_eq!(
        m.subject(),
        "3 readers with open reports on 'Metastatic neuroendocrine tumours'"
    );
    let text = m.text();
    assert!(
        text.contains(
            "3 readers with open reports in the last 14 days (rule \"open-reports\": 3 or more)"
        ),
        "{text}"
    );
    assert!(text.contains("http://localhost/conditions/net"), "{text}");
    let dashboard = format!(
        "https://feedback.example.org/dashboard/articles/{}",
        third["article_id"]
    );
    assert!(text.contains(&dashboard), "{text}");
    assert!(text.contains("> Survival figures are from 2012"), "{text}");
    assert!(
        text.contains("Open reports: 1 inaccurate, 1 out of date, 1 unclear"),
        "{text}"
    );
    let html = m.html();
    assert!(html.contains(&format!("href=\"{dashboard}\"")), "{html}");
    assert!(html.contains("Details (reader text):"));
    assert_eq!(
        m.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let unsubscribe = m.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with("<https://feedback.example.org/unsubscribe/"),
        "{unsubscribe}"
    );
    assert!(m
        .header("Message-ID")
        .unwrap()
        .ends_with("@feedback.example.org>"));

    // A fourth report is the same crossing: no second e-mail.
    report_with(&app, "d", &url, "typo", "teh").await;
    assert_eq!(smtp.settle().await.len(), 1);
}
each_backend!(third_report_alerts_the_owners_once);

async fn unowned_articles_alert_every_editor_who_wants_alerts(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("a@example.org", &[]).await;
    app.add_editor("b@example.org", &["www.elsewhere.test"])
        .await;
    app.add_editor_with("quiet@example.org", &[], false).await;
    report_with(&app, "r", &article("/nobody-owns"), "harmful", "Wrong dose").await;
    let mail = smtp.wait_for(2).await;
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        vec!["a@example.org".to_string(), "b@example.org".to_string()]
    );
    assert_eq!(smtp.settle().await.len(), 2);
}
each_backend!(unowned_articles_alert_every_editor_who_wants_alerts);

async fn a_harmful_report_alerts_at_once(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("ed@example.org", &[]).await;
    report_with(
        &app,
        "r",
        &article("/medicines/ibuprofen"),
        "harmful",
        "Says 8 tablets at once",
    )
    .await;
    let mail = smtp.wait_for(1).await;
    let m = &mail[0];
    assert_eq!(
        m.subject(),
        "Could cause harm: a reader reported 'Metastatic neuroendocrine tumours'"
    );
    assert!(m.text().starts_with("POSSIBLE HARM"), "{}", m.text());
    assert!(m
        .html()
        .contains("Possible harm: a reader says this article could cause harm"));
}
each_backend!(a_harmful_report_alerts_at_once);

/// The alert states an article's JSON carries, as (rule, firing).
async fn alert_states(app: &TestApp, token: &str, article_id: i64) -> Vec<(String, bool)> {
    let a = app
        .get_json(token, &format!("/api/v1/articles/{article_id}"))
        .await;
    a["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .map(|s| {
            (
                s["rule"].as_str().unwrap().to_string(),
                s["firing"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// An article alerted for a harmful report stops being alerted when that report is resolved or
/// dismissed, and a later harmful report alerts again.
async fn an_immediate_alert_re_arms_when_its_reports_close(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 0).await;
    app.add_editor("ed@example.org", &[]).await;
    let token = app.token("t").await;
    let url = article("/medicines/rearm");
    let first = report_with(&app, "r1", &url, "harmful", "8 tablets").await;
    let id = first["article_id"].as_i64().unwrap();
    smtp.wait_for(1).await;
    let states = alert_states(&app, &token, id).await;
    assert_eq!(
        states,
        [
            ("open-reports".to_string(), false),
            ("unhelpful".to_string(), false),
            ("harmful".to_string(), true)
        ]
    );
    let a = app
        .get_json(&token, &format!("/api/v1/articles/{id}"))
        .await;
    let harmful = &a["alerts"][2];
    assert!(harmful["since"].as_str().is_some(), "{harmful}");
    assert!(a["alerts"][0]["since"].is_null());

    // Acknowledging keeps it open: still alerted. Resolving closes the only one: re-armed.
    let report = first["report_id"].as_i64().unwrap();
    let r = app
        .patch_report(&token, report, &json!({"status": "acknowledged"}))
        .await;
    assert_eq!(r.status(), 200);
    assert!(alert_states(&app, &token, id).await[2].1, "still open");
    let r = app
        .patch_report(&token, report, &json!({"status": "resolved"}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        alert_states(&app, &token, id).await[2],
        ("harmful".to_string(), false)
    );

    // Two harmful reports: dismissing one leaves the article alerted.
    let second = report_with(&app, "r2", &url, "harmful", "again").await;
    report_with(&app, "r3", &url, "harmful", "and again").await;
    smtp.wait_for(3).await;
    let r = app
        .patch_report(
            &token,
            second["report_id"].as_i64().unwrap(),
            &json!({"status": "dismissed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        alert_states(&app, &token, id).await[2].1,
        "one is still open"
    );
}
each_backend!(an_immediate_alert_re_arms_when_its_reports_close);

async fn spam_never_counts(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("ed@example.org", &[]).await;
    let url = article("/spam-target");
    report_with(
        &app,
        "a",
        &url,
        "inaccurate",
        "the dose is 10 mg/kg, not 100 mg/kg",
    )
    .await;
    report_with(
        &app,
        "b",
        &url,
        "inaccurate",
        "NICE changed this threshold to 45 in 2023",
    )
    .await;
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": url, "category": "harmful", "website": "bot"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    report_with(
        &app,
        "c",
        &url,
        "other",
        "cheap pills without prescription https://rx-4u.shop https://best-pills.online order today",
    )
    .await;
    assert!(
        smtp.settle().await.is_empty(),
        "spam reports must not count or alert"
    );
    report_with(
        &app,
        "d",
        &url,
        "typo",
        "\"tumuors\" is misspelt in the second heading",
    )
    .await;
    assert_eq!(smtp.wait_for(1).await.len(), 1);
}
each_backend!(spam_never_counts);

async fn falling_below_re_arms_and_crossing_again_alerts_again(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 0).await;
    app.add_editor("ed@example.org", &[]).await;
    let token = app.token("t").await;
    let url = article("/rearm");
    let mut ids = Vec::new();
    for reader in ["a", "b", "c"] {
        ids.push(
            report_with(&app, reader, &url, "inaccurate", "x").await["report_id"]
                .as_i64()
                .unwrap(),
        );
    }
    smtp.wait_for(1).await;
    for id in &ids[..2] {
        let r = app
            .patch_report(&token, *id, &json!({"status": "resolved", "note": "fixed"}))
            .await;
        assert_eq!(r.status(), 200);
    }
    assert_eq!(smtp.settle().await.len(), 1, "resolving sends nothing");
    report_with(&app, "d", &url, "outdated", "y").await;
    report_with(&app, "e", &url, "outdated", "z").await;
    let mail = smtp.wait_for(2).await;
    assert_eq!(
        mail[1].subject(),
        "3 readers with open reports on 'Metastatic neuroendocrine tumours'"
    );
    assert_eq!(smtp.settle().await.len(), 2);
}
each_backend!(falling_below_re_arms_and_crossing_again_alerts_again);

async fn the_cool_down_holds_back_a_second_alert(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("ed@example.org", &[]).await;
    let token = app.token("t").await;
    let url = article("/cooldown");
    let mut ids = Vec::new();
    for reader in ["a", "b", "c"] {
        ids.push(
            report_with(&app, reader, &url, "inaccurate", "x").await["report_id"]
                .as_i64()
                .unwrap(),
        );
    }
    smtp.wait_for(1).await;
    app.patch_report(&token, ids[0], &json!({"status": "dismissed"}))
        .await;
    report_with(&app, "d", &url, "inaccurate", "again").await;
    assert_eq!(smtp.settle().await.len(), 1);
}
each_backend!(the_cool_down_holds_back_a_second_alert);

async fn re_review_re_arms_and_only_newer_feedback_counts(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 0).await;
    app.add_editor("ed@example.org", &[]).await;
    let token = app.token("t").await;
    let url = article("/reviewed");
    let mut last = Value::Null;
    for reader in ["a", "b", "c"] {
        last = report_with(&app, reader, &url, "inaccurate", "x").await;
    }
    smtp.wait_for(1).await;
    let id = last["article_id"].as_i64().unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/articles/{id}/reviewed")))
        .bearer_auth(&token)
        .json(&json!({"note": "Checked against the 2025 guideline"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(body["reviewed_at"].is_string());
    // The three earlier reports no longer count: one more is not a crossing...
    report_with(&app, "d", &url, "typo", "one").await;
    assert_eq!(smtp.settle().await.len(), 1);
    // ...three newer ones are.
    report_with(&app, "e", &url, "typo", "two").await;
    report_with(&app, "f", &url, "typo", "three").await;
    assert_eq!(smtp.wait_for(2).await.len(), 2);

    let r = app
        .client
        .post(app.url("/api/v1/articles/999999/reviewed"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/articles/{id}/reviewed")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
each_backend!(re_review_re_arms_and_only_newer_feedback_counts);

async fn a_mostly_unhelpful_article_alerts(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("ed@example.org", &[]).await;
    let url = article("/unhelpful");
    // 19 votes, 12 of them "no": over 60 % but under 20 votes.
    for i in 0..19 {
        app.vote(&format!("r{i}"), &url, i >= 12).await;
    }
    assert!(smtp.settle().await.is_empty());
    app.vote("r19", &url, false).await;
    let mail = smtp.wait_for(1).await;
    assert!(
        mail[0].subject().starts_with("65 % of readers found"),
        "{}",
        mail[0].subject()
    );
    assert!(
        mail[0]
            .text()
            .contains("13 of 20 readers (65 %) said it was not helpful"),
        "{}",
        mail[0].text()
    );
}
each_backend!(a_mostly_unhelpful_article_alerts);

async fn reader_text_arrives_escaped(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("ed@example.org", &[]).await;
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article("/xss"), "category": "harmful",
                    "quote": "<script>alert('q')</script>",
                    "details": "<img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">click</a>",
                    "title": "<b>Bold</b> title"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let html = smtp.wait_for(1).await[0].html();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(!html.contains("<a href=\"javascript:"), "{html}");
    assert!(!html.contains("<b>Bold</b>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert('q')&lt;/script&gt;")
            || html.contains("&lt;script&gt;alert(&#39;q&#39;)"),
        "{html}"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
}
each_backend!(reader_text_arrives_escaped);

async fn smtp_down_then_up_delivers_once(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("ed@example.org", &[]).await;
    let token = app.token("t").await;
    smtp.stop();
    report_with(&app, "r", &article("/outage"), "harmful", "x").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let pending = app.get_json(&token, "/api/v1/outbox?status=pending").await;
    let row = &pending[0];
    assert!(row["attempts"].as_i64().unwrap() >= 1, "{pending}");
    assert!(row["last_error"].is_string(), "{pending}");
    // A temporary refusal also counts as a retry, not a failure.
    smtp.set_mode(Mode::TempFail);
    smtp.restart().await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(smtp.received().is_empty());
    smtp.set_mode(Mode::Accept);
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(smtp.settle().await.len(), 1);
    let sent = app.get_json(&token, "/api/v1/outbox?status=sent").await;
    assert_eq!(sent.as_array().unwrap().len(), 1);
}
each_backend!(smtp_down_then_up_delivers_once);

async fn a_permanent_refusal_fails_visibly_without_looping(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 24).await;
    app.add_editor("ed@example.org", &[]).await;
    let token = app.token("t").await;
    smtp.set_mode(Mode::PermFail);
    report_with(&app, "r", &article("/bounce"), "harmful", "x").await;
    let mut failed = Value::Null;
    for _ in 0..100 {
        failed = app.get_json(&token, "/api/v1/outbox?status=failed").await;
        if !failed.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let row = &failed[0];
    assert_eq!(row["recipient"], "ed@example.org");
    assert_eq!(row["attempts"], 1);
    let error = row["last_error"].as_str().unwrap();
    assert!(error.contains("550"), "{row}");
    assert!(
        !error.contains("ed@example.org") && error.contains("[email]"),
        "the server's answer is kept without the address: {error}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let again = app.get_json(&token, "/api/v1/outbox?status=failed").await;
    assert_eq!(again[0]["attempts"], 1, "a failed e-mail is not retried");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("flagpole_outbox_emails{status=\"failed\"} 1"),
        "{metrics}"
    );
}
each_backend!(a_permanent_refusal_fails_visibly_without_looping);

async fn unsubscribing_stops_alerts(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend, 0).await;
    app.add_editor("ed@example.org", &[]).await;
    app.add_editor("stays@example.org", &[]).await;
    report_with(&app, "r", &article("/unsub-1"), "harmful", "x").await;
    let mail = smtp.wait_for(2).await;
    let to_ed = mail.iter().find(|m| m.to == ["ed@example.org"]).unwrap();
    let link = to_ed.header("List-Unsubscribe").unwrap();
    let path = link
        .trim_matches(['<', '>'])
        .trim_start_matches("https://feedback.example.org");
    let page = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let text = page.text().await.unwrap();
    assert!(text.contains("Stop sending alert e-mails"), "{text}");
    assert!(
        !text.contains("ed@example.org"),
        "whoever holds the link learns nothing about whose it is"
    );
    // What a mail client's one-click unsubscribe sends (RFC 8058).
    let r = app
        .post_raw(
            path,
            "application/x-www-form-urlencoded",
            b"List-Unsubscribe=One-Click".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("no longer receive alert e-mails"));
    report_with(&app, "r", &article("/unsub-2"), "harmful", "x").await;
    let mail = smtp.wait_for(3).await;
    assert_eq!(mail[2].to, vec!["stays@example.org".to_string()]);
    assert_eq!(smtp.settle().await.len(), 3);
    let bad = app
        .client
        .get(app.url("/unsubscribe/not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
}
each_backend!(unsubscribing_stops_alerts);

/// Two instances on one PostgreSQL database, both delivering: every e-mail arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_delivery_workers_send_each_mail_once() {
    let Some(first) = crate::helpers::spawn_postgres(|_| {}).await else {
        return;
    };
    let smtp = SmtpServer::start().await;
    let (port, url) = (smtp.port, first.settings.database.url.clone());
    let a = spawn_app(Backend::Postgres, move |s| {
        s.database.url = url.clone();
        s.smtp.port = port;
    })
    .await;
    let url = first.settings.database.url.clone();
    let b = spawn_app(Backend::Postgres, move |s| {
        s.database.url = url;
        s.smtp.port = port;
    })
    .await;
    drop(first);
    a.add_editor("one@example.org", &[]).await;
    a.add_editor("two@example.org", &[]).await;
    for i in 0..15 {
        let app = if i % 2 == 0 { &a } else { &b };
        report_with(
            app,
            &format!("r{i}"),
            &article(&format!("/twice/{i}")),
            "harmful",
            "x",
        )
        .await;
    }
    let mail = smtp.wait_for(30).await;
    let settled = smtp.settle().await;
    assert_eq!(settled.len(), 30, "each of 15 alerts to 2 editors, once");
    let mut ids: Vec<String> = settled
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    drop(mail);
}
