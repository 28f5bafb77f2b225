//! What flagpole keeps about readers: no raw address, e-mail only with consent, personal details
//! scrubbed from free text.

use serde_json::{json, Value};

use crate::helpers::{article, spawn_app, Backend, TestApp};
use crate::on_both_backends;

async fn email_is_kept_only_with_consent(app: TestApp) {
    let url = article("/consent");
    for consent in [json!(false), Value::Null, json!(true)] {
        let r = app
            .post_json(
                "/api/v1/reports",
                &json!({"article_url": url, "category": "unclear", "email": "pat@example.org", "contact_consent": consent}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let token = app.token("t").await;
    let reports = app.get_json(&token, "/api/v1/reports").await;
    let emails: Vec<&Value> = reports["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["email"])
        .collect();
    // Newest first: consented, then the two without consent.
    assert_eq!(
        emails,
        vec![&json!("pat@example.org"), &Value::Null, &Value::Null]
    );
}
on_both_backends!(email_is_kept_only_with_consent);

async fn personal_details_are_scrubbed_from_free_text(app: TestApp) {
    let url = article("/scrub");
    app.post_json(
        "/api/v1/reports",
        &json!({
            "article_url": url, "category": "inaccurate",
            "quote": "Call 0800 123 4567 for advice",
            "details": "I'm jo.bloggs@example.com, ring me on +44 7700 900123. The dose is 500 mg, updated 2026-11-01."
        }),
    )
    .await;
    app.post_json(
        "/api/v1/votes",
        &json!({"article_url": url, "helpful": false, "comment": "email me: me@example.net"}),
    )
    .await;
    let token = app.token("t").await;
    let report = &app.get_json(&token, "/api/v1/reports").await["items"][0];
    assert_eq!(report["quote"], "Call [phone] for advice");
    assert_eq!(
        report["details"],
        "I'm [email], ring me on [phone]. The dose is 500 mg, updated 2026-11-01."
    );
}
on_both_backends!(personal_details_are_scrubbed_from_free_text);

/// Reads the SQLite database and its WAL as bytes: nothing a reader is identified by may be there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_raw_address_or_user_agent_is_stored() {
    let app = spawn_app(Backend::Sqlite, |s| {
        s.server.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let agent = "Mozilla/5.0 (DistinctiveTestAgent 8d3f)";
    for path in ["/ip-1", "/ip-2"] {
        let r = app
            .client
            .post(app.url("/api/v1/votes"))
            .header("user-agent", agent)
            .header("x-forwarded-for", "203.0.113.77")
            .json(&json!({"article_url": article(path), "helpful": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let r = app
            .client
            .post(app.url("/api/v1/reports"))
            .header("user-agent", agent)
            .header("x-forwarded-for", "203.0.113.77")
            .json(&json!({"article_url": article(path), "category": "typo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let db = app.sqlite_path.clone().unwrap();
    let mut bytes = std::fs::read(&db).unwrap();
    if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/ip-1"), "the votes are in the file we read");
    assert!(!text.contains("203.0.113.77"));
    assert!(!text.contains("DistinctiveTestAgent"));
}

async fn the_same_reader_on_two_articles_has_two_keys(app: TestApp) {
    // The visitor key includes the article, so votes on two articles cannot be linked.
    let a = app.vote("same", &article("/k1"), true).await;
    let b = app.vote("same", &article("/k2"), true).await;
    assert_ne!(a["article_id"], b["article_id"]);
    assert_eq!(
        app.vote("same", &article("/k1"), false).await["vote_id"],
        a["vote_id"]
    );
}
on_both_backends!(the_same_reader_on_two_articles_has_two_keys);

/// Titles and revisions come from the reader's page and browser: scrubbed like free text.
async fn titles_and_revisions_are_scrubbed_too(app: TestApp) {
    let r = app
        .post_json(
            "/api/v1/reports",
            &serde_json::json!({"article_url": crate::helpers::article("/scrub/title"),
                    "category": "typo",
                    "title": "Ask jo.bloggs@example.co.uk about Aspirin",
                    "revision": "call 020 7946 0958"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let token = app.token("t").await;
    let list = app.get_json(&token, "/api/v1/articles").await;
    let a = &list["items"][0];
    assert_eq!(a["title"], "Ask [email] about Aspirin");
    assert_eq!(a["revision"], "call [phone]");
}
crate::on_both_backends!(titles_and_revisions_are_scrubbed_too);
