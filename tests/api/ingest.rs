//! Votes and reports in, through JSON and through the plain HTML forms.

use serde_json::{json, Value};

use crate::helpers::{article, TestApp};
use crate::on_both_backends;

async fn article_detail(app: &TestApp, token: &str, id: i64) -> Value {
    app.get_json(token, &format!("/api/v1/articles/{id}")).await
}

async fn first_vote_is_created_and_a_repeat_replaces_it(app: TestApp) {
    let url = article("/conditions/asthma");
    let r = app
        .post_json_as(
            "reader-1",
            "/api/v1/votes",
            &json!({"article_url": url, "helpful": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let first: Value = r.json().await.unwrap();
    assert!(first["vote_id"].as_i64().unwrap() > 0);

    // Same reader, same article, same day: replaced, same id, counted once.
    let r = app
        .post_json_as(
            "reader-1",
            "/api/v1/votes",
            &json!({"article_url": url, "helpful": false, "reasons": ["outdated"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["vote_id"], first["vote_id"]);
    assert_eq!(again["article_id"], first["article_id"]);

    let token = app.token("t").await;
    let a = article_detail(&app, &token, first["article_id"].as_i64().unwrap()).await;
    assert_eq!(
        (a["helpful"].as_i64(), a["not_helpful"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(a["helpful_share"].as_f64(), Some(0.0));
}
on_both_backends!(first_vote_is_created_and_a_repeat_replaces_it);

async fn different_readers_count_separately(app: TestApp) {
    let url = article("/medicines/ibuprofen");
    for reader in ["a", "b", "c"] {
        app.vote(reader, &url, true).await;
    }
    let last = app.vote("d", &url, false).await;
    let token = app.token("t").await;
    let a = article_detail(&app, &token, last["article_id"].as_i64().unwrap()).await;
    assert_eq!(
        (a["helpful"].as_i64(), a["not_helpful"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(a["helpful_share"].as_f64(), Some(0.75));
}
on_both_backends!(different_readers_count_separately);

/// A batch's votes travel to the database as one JSON document; what a reader wrote must come
/// back exactly, whatever it contains.
async fn a_votes_words_are_stored_exactly_as_written(app: TestApp) {
    let comment = "The \"usual dose\" in table 2 is wrong \\ see below\n\
                   — ich würde es prüfen 😷 'quoted' {\"json\": [1]} ->> '$.x'";
    let r = app
        .post_json_as(
            "reader-words",
            "/api/v1/votes",
            &json!({"article_url": article("/medicines/words"), "helpful": false,
                    "reasons": ["inaccurate", "missing"], "comment": comment,
                    "revision": "rev \"7\" ü"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["article_id"]
        .as_i64()
        .unwrap();
    let token = app.token("t").await;
    let a = article_detail(&app, &token, id).await;
    let vote = &a["recent_votes"][0];
    assert_eq!(vote["comment"].as_str(), Some(comment));
    assert_eq!(vote["reasons"], json!(["inaccurate", "missing"]));
    assert_eq!(vote["revision"].as_str(), Some("rev \"7\" ü"));
    assert_eq!(vote["helpful"], json!(false));
    assert_eq!(a["not_helpful"].as_i64(), Some(1));
}
on_both_backends!(a_votes_words_are_stored_exactly_as_written);

/// Readers who send their vote twice at the same moment (a double tap, a retry, a changed mind)
/// land in one group commit: each is counted once, both answers carry the same id, and the
/// answer that replaced the other is the one counted.
async fn readers_voting_twice_at_once_are_counted_once(app: TestApp) {
    let url = article("/conditions/eczema");
    let mut sent = Vec::new();
    for reader in 0..40 {
        for helpful in [true, false] {
            let client = app.client.clone();
            let endpoint = app.url("/api/v1/votes");
            let body = json!({"article_url": url, "helpful": helpful});
            sent.push(tokio::spawn(async move {
                let r = client
                    .post(endpoint)
                    .header("user-agent", format!("double-{reader}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let v: Value = r.json().await.unwrap();
                (reader, helpful, status, v)
            }));
        }
    }
    let mut answers = std::collections::HashMap::<i32, Vec<(bool, u16, i64)>>::new();
    let mut article_id = 0;
    for job in sent {
        let (reader, helpful, status, v) = job.await.unwrap();
        article_id = v["article_id"].as_i64().unwrap();
        answers
            .entry(reader)
            .or_default()
            .push((helpful, status, v["vote_id"].as_i64().unwrap()));
    }
    let mut expected = (0, 0);
    for (reader, mut pair) in answers {
        pair.sort_by_key(|(_, status, _)| *status);
        // One answer created the vote (201) and the other replaced it (200): the replacing
        // answer is the one that stands.
        let [(standing, 200, replaced_id), (_, 201, created_id)] = pair[..] else {
            panic!("reader {reader}: expected one 201 and one 200, got {pair:?}");
        };
        assert_eq!(replaced_id, created_id, "reader {reader}: one vote, one id");
        if standing {
            expected.0 += 1
        } else {
            expected.1 += 1
        }
    }
    let token = app.token("t").await;
    let a = article_detail(&app, &token, article_id).await;
    assert_eq!(
        (
            a["helpful"].as_i64().unwrap(),
            a["not_helpful"].as_i64().unwrap()
        ),
        expected,
        "{a}"
    );
}
on_both_backends!(readers_voting_twice_at_once_are_counted_once);

async fn one_article_however_it_is_linked(app: TestApp) {
    let ids: Vec<i64> = futures_ids(
        &app,
        &[
            "http://localhost/conditions/flu",
            "HTTP://LOCALHOST:80/conditions/flu/",
            "http://localhost/conditions/flu#symptoms",
            "http://localhost/conditions/flu?utm_source=newsletter&fbclid=abc",
        ],
    )
    .await;
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    let token = app.token("t").await;
    let a = article_detail(&app, &token, ids[0]).await;
    assert_eq!(a["url"], "http://localhost/conditions/flu");
    assert_eq!(a["helpful"].as_i64(), Some(4));
}
on_both_backends!(one_article_however_it_is_linked);

async fn futures_ids(app: &TestApp, urls: &[&str]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let v = app.vote(&format!("reader-{i}"), url, true).await;
        ids.push(v["article_id"].as_i64().unwrap());
    }
    ids
}

async fn reports_are_stored_and_counted_per_category(app: TestApp) {
    let url = article("/medicines/paracetamol");
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({
                "article_url": url, "category": "harmful", "quote": "take 8 tablets at once",
                "details": "The maximum is 8 in 24 hours, not at once.", "revision": "2026-10-01",
                "title": "Paracetamol for adults"
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    app.report("r2", &url, "typo").await;
    app.report("r3", &url, "typo").await;

    let token = app.token("t").await;
    let a = article_detail(&app, &token, created["article_id"].as_i64().unwrap()).await;
    assert_eq!(a["open_reports"].as_i64(), Some(3));
    assert_eq!(a["open_by_category"]["harmful"].as_i64(), Some(1));
    assert_eq!(a["open_by_category"]["typo"].as_i64(), Some(2));
    assert_eq!(a["open_by_category"]["inaccurate"].as_i64(), Some(0));
    assert_eq!(a["title"], "Paracetamol for adults");
    assert_eq!(a["revision"], "2026-10-01");
    let newest = &a["recent_reports"][2];
    assert_eq!(newest["category"], "harmful");
    assert_eq!(newest["quote"], "take 8 tablets at once");
    assert_eq!(newest["status"], "new");
    assert_eq!(newest["revision"], "2026-10-01");
}
on_both_backends!(reports_are_stored_and_counted_per_category);

/// Each category is stored as itself and counted in its own counter: one report in each (each
/// saying what is wrong, so that every one is a problem for the queue), then every counter is 1
/// and the total 7.
async fn every_category_is_stored_and_counted_in_its_own_counter(app: TestApp) {
    let categories = [
        "inaccurate",
        "outdated",
        "unclear",
        "harmful",
        "broken_link",
        "typo",
        "other",
    ];
    let mut article_id = 0;
    for (step, category) in categories.iter().enumerate() {
        let r = app
            .post_json_as(
                category,
                "/api/v1/reports",
                &serde_json::json!({
                    "article_url": article("/all-categories"),
                    "category": category,
                    "quote": format!("Step {step}: take {} mg", (step + 1) * 100),
                    "details": format!("step {step} of the instructions is {category}, please check it"),
                }),
            )
            .await;
        assert_eq!(r.status(), 201, "{category}");
        let created: serde_json::Value = r.json().await.expect("json");
        article_id = created["article_id"].as_i64().unwrap();
    }
    let token = app.token("t").await;
    let a = article_detail(&app, &token, article_id).await;
    assert_eq!(a["open_reports"].as_i64(), Some(7));
    for category in categories {
        assert_eq!(
            a["open_by_category"][category].as_i64(),
            Some(1),
            "{category}"
        );
    }
    let stored: Vec<&str> = a["recent_reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    let mut expected = categories.to_vec();
    expected.reverse();
    assert_eq!(stored, expected, "newest first, each as sent");
}
on_both_backends!(every_category_is_stored_and_counted_in_its_own_counter);

/// A client that retries after a time-out sends the same key: the retry gets the first answer
/// and nothing is stored or counted twice.
async fn a_retried_submission_is_stored_once(app: TestApp) {
    let url = article("/retries");
    let send = |path: &'static str, key: &'static str, body: Value| {
        let (client, url) = (app.client.clone(), app.url(path));
        async move {
            let r = client
                .post(url)
                .header("user-agent", "retrying-reader")
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let report = json!({"article_url": url, "category": "harmful", "quote": "take 8 tablets at once", "details": "that is twice the maximum daily dose"});
    let first = send("/api/v1/reports", "rep-1", report.clone()).await;
    assert_eq!(first.0, 201);
    // The retry, and two more sent at once (they may share one batch).
    let again = send("/api/v1/reports", "rep-1", report.clone()).await;
    let (a, b) = tokio::join!(
        send("/api/v1/reports", "rep-1", report.clone()),
        send("/api/v1/reports", "rep-1", report.clone())
    );
    for answer in [&again, &a, &b] {
        assert_eq!(answer, &first, "a retry gets the first answer");
    }
    // The same key in the body works too; another key is another report.
    let body_key = json!({"article_url": url, "category": "typo", "details": "\"paracetomol\" in the first line", "submission_id": "rep-2"});
    let second = send("/api/v1/reports", "", body_key.clone()).await;
    assert_eq!(second.0, 422, "an empty header is not a key");
    let r = app
        .post_json_as("retrying-reader", "/api/v1/reports", &body_key)
        .await;
    assert_eq!(r.status(), 201);
    let r2 = app
        .post_json_as("retrying-reader", "/api/v1/reports", &body_key)
        .await;
    assert_eq!(r2.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        r2.json::<Value>().await.unwrap()
    );

    let vote = json!({"article_url": url, "helpful": false});
    let v1 = send("/api/v1/votes", "vote-1", vote.clone()).await;
    let v2 = send("/api/v1/votes", "vote-1", vote.clone()).await;
    assert_eq!(v1.0, 201);
    assert_eq!(
        v2, v1,
        "the first answer, 201 again, not a replacement's 200"
    );

    let token = app.token("t").await;
    let id = first.1["article_id"].as_i64().unwrap();
    let a = article_detail(&app, &token, id).await;
    assert_eq!(a["open_reports"].as_i64(), Some(2), "one harmful, one typo");
    assert_eq!(a["open_by_category"]["harmful"].as_i64(), Some(1));
    assert_eq!(a["not_helpful"].as_i64(), Some(1));
}
on_both_backends!(a_retried_submission_is_stored_once);

async fn a_newer_revision_wins_and_an_old_one_cannot_return(app: TestApp) {
    let url = article("/conditions/measles");
    let send = |reader: &'static str, rev: &'static str| {
        let app = &app;
        let url = url.clone();
        async move {
            let r = app
                .post_json_as(
                    reader,
                    "/api/v1/votes",
                    &json!({"article_url": url, "helpful": true, "revision": rev}),
                )
                .await;
            assert!(r.status().is_success());
            r.json::<Value>().await.unwrap()["article_id"]
                .as_i64()
                .unwrap()
        }
    };
    send("a", "2025-01-01").await;
    send("b", "2026-06-01").await;
    // A reader with a stale cached page.
    let id = send("c", "2025-01-01").await;
    let token = app.token("t").await;
    assert_eq!(
        article_detail(&app, &token, id).await["revision"],
        "2026-06-01"
    );
}
on_both_backends!(a_newer_revision_wins_and_an_old_one_cannot_return);

async fn form_vote_redirects_back_to_the_article(app: TestApp) {
    let r = app
        .post_raw(
            "/f/vote",
            "application/x-www-form-urlencoded",
            b"article_url=http%3A%2F%2Flocalhost%2Fconditions%2Fgout%3Fpage%3D2&helpful=no&reasons=unclear&reasons=missing&comment=Too+short"
                .to_vec(),
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "http://localhost/conditions/gout?page=2#flagpole-thanks"
    );
    let token = app.token("t").await;
    let list = app.get_json(&token, "/api/v1/articles?sort=recent").await;
    let a = &list["items"][0];
    // The reader goes back to the page they were on; the article is one row whatever its
    // undeclared query parameters (sites.query_params is empty by default).
    assert_eq!(a["url"], "http://localhost/conditions/gout");
    assert_eq!(a["not_helpful"].as_i64(), Some(1));
}
on_both_backends!(form_vote_redirects_back_to_the_article);

async fn form_report_redirects_back_and_stores_consented_email(app: TestApp) {
    let body = "article_url=http%3A%2F%2Flocalhost%2Fmedicines%2Fstatins&category=outdated\
                &quote=Guidance+from+2014&details=NICE+updated+this&email=reader%40example.org&contact_consent=on";
    let r = app
        .post_raw(
            "/f/report",
            "application/x-www-form-urlencoded",
            body.into(),
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "http://localhost/medicines/statins#flagpole-reported"
    );
    let token = app.token("t").await;
    let reports = app.get_json(&token, "/api/v1/reports").await;
    let report = &reports["items"][0];
    assert_eq!(report["category"], "outdated");
    assert_eq!(report["quote"], "Guidance from 2014");
    assert_eq!(report["email"], "reader@example.org");
}
on_both_backends!(form_report_redirects_back_and_stores_consented_email);

async fn form_is_not_an_open_redirect(app: TestApp) {
    let r = app
        .post_raw(
            "/f/vote",
            "application/x-www-form-urlencoded",
            b"article_url=https%3A%2F%2Fevil.example%2Fphish&helpful=yes".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.headers().get("location").is_none());
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("We could not accept your feedback"), "{page}");
}
on_both_backends!(form_is_not_an_open_redirect);

async fn form_errors_are_readable_pages(app: TestApp) {
    let r = app
        .post_raw(
            "/f/vote",
            "application/x-www-form-urlencoded",
            b"article_url=http%3A%2F%2Flocalhost%2Fa&helpful=maybe".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("helpful must be yes or no"), "{page}");
    assert!(page.contains("<h1>"), "{page}");
}
on_both_backends!(form_errors_are_readable_pages);

async fn honeypot_vote_is_discarded_and_report_kept_as_spam(app: TestApp) {
    let url = article("/honeypot");
    let r = app
        .post_json(
            "/api/v1/votes",
            &json!({"article_url": url, "helpful": false, "website": "http://spam"}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": url, "category": "inaccurate", "website": "cheap pills"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["article_id"]
        .as_i64()
        .unwrap();
    let token = app.token("t").await;
    let a = article_detail(&app, &token, id).await;
    assert_eq!(
        (a["helpful"].as_i64(), a["not_helpful"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(a["open_reports"].as_i64(), Some(0));
    assert_eq!(a["recent_reports"][0]["status"], "spam");
}
on_both_backends!(honeypot_vote_is_discarded_and_report_kept_as_spam);

async fn a_report_full_of_links_is_spam(app: TestApp) {
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article("/links"), "category": "other",
                    "details": "buy at https://a.test https://b.test and www.c.test"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let token = app.token("t").await;
    let spam = app.get_json(&token, "/api/v1/reports?status=spam").await;
    assert_eq!(spam["items"].as_array().unwrap().len(), 1);
}
on_both_backends!(a_report_full_of_links_is_spam);

async fn cors_answers_only_allowed_origins(app: TestApp) {
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/votes"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("http://localhost").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "http://localhost"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
on_both_backends!(cors_answers_only_allowed_origins);
