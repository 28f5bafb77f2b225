//! The accuracy record's reviews: recording and listing reviews, review due dates by policy and
//! pulled forward by readers' reports, the "Reviews due" view and CSV, the article page's review
//! form, and the digest's "Reviews due" section.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use crate::dashboard::{add_user, csrf_of, page, post, sign_in};
use crate::each_backend;
use crate::helpers::{article, error_code, spawn_app, Backend, TestApp};
use flagpole::config::{ReviewPolicySetting, Settings};

fn medicines_yearly(s: &mut Settings) {
    s.review.policies = vec![ReviewPolicySetting {
        scope: "localhost/medicines".into(),
        interval_days: 365,
    }];
    s.review.default_interval_days = 730;
    s.review.due_soon_days = 30;
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("a time: {v}")))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

fn days_between(from: &Value, to: &Value) -> i64 {
    (time(to) - time(from)).num_days()
}

async fn post_review(app: &TestApp, token: &str, id: i64, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/articles/{id}/reviews")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
}

/// The ids of the articles the listing's review filter shows.
async fn listed(app: &TestApp, token: &str, review: &str) -> Vec<i64> {
    let page = app
        .get_json(token, &format!("/api/v1/articles?review={review}"))
        .await;
    let mut ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

async fn reviews_and_due_dates_follow_the_policies(backend: Backend) {
    let app = spawn_app(backend, medicines_yearly).await;
    let token = app.token("clinical-team").await;
    let med = app.vote("r1", &article("/medicines/ibuprofen"), true).await["article_id"]
        .as_i64()
        .unwrap();
    let cond = app.vote("r1", &article("/conditions/asthma"), true).await["article_id"]
        .as_i64()
        .unwrap();

    // Never reviewed: due one policy interval after flagpole first saw it.
    let a = app
        .get_json(&token, &format!("/api/v1/articles/{med}"))
        .await;
    assert!(
        a["last_reviewed_at"].is_null() && a["reviewed_by"].is_null(),
        "{a}"
    );
    assert_eq!(days_between(&a["created_at"], &a["review_due_at"]), 365);
    assert_eq!(a["review_due_reason"], "policy");
    let c = app
        .get_json(&token, &format!("/api/v1/articles/{cond}"))
        .await;
    assert_eq!(
        days_between(&c["created_at"], &c["review_due_at"]),
        730,
        "the default"
    );
    assert!(listed(&app, &token, "overdue").await.is_empty());
    assert!(listed(&app, &token, "due_soon").await.is_empty());

    // A review back-filled 400 days ago: a yearly review is overdue.
    let long_ago = (Utc::now() - TimeDelta::days(400))
        .format("%Y-%m-%d")
        .to_string();
    let r = post_review(
        &app,
        &token,
        med,
        &json!({"outcome": "corrected", "note": "Dose table updated", "reviewed_at": long_ago}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let review: Value = r.json().await.unwrap();
    assert_eq!(review["reviewer"], "clinical-team");
    assert_eq!(review["outcome"], "corrected");
    assert_eq!(review["source"], "editor");
    assert!(review["reviewed_at"]
        .as_str()
        .unwrap()
        .starts_with(&long_ago));
    assert_eq!(listed(&app, &token, "overdue").await, vec![med]);

    // A later one, 350 days ago: due in about 15 days, so due soon and no longer overdue.
    let later = Utc::now() - TimeDelta::days(350);
    let r = post_review(
        &app,
        &token,
        med,
        &json!({"outcome": "no_change", "reviewed_at": later.to_rfc3339()}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert!(listed(&app, &token, "overdue").await.is_empty());
    assert_eq!(listed(&app, &token, "due_soon").await, vec![med]);
    let a = app
        .get_json(&token, &format!("/api/v1/articles/{med}"))
        .await;
    assert_eq!(a["reviewed_by"], "clinical-team");
    assert_eq!(
        days_between(&a["last_reviewed_at"], &a["review_due_at"]),
        365
    );
    assert!((time(&a["last_reviewed_at"]) - later).num_seconds().abs() < 2);

    // Listed newest first, with the article's review dates.
    let list = app
        .get_json(&token, &format!("/api/v1/articles/{med}/reviews"))
        .await;
    let outcomes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["no_change", "corrected"]);
    assert_eq!(list["items"][1]["note"], "Dose table updated");
    assert_eq!(list["review_due_at"], a["review_due_at"]);

    // A reader's harmful report makes a review due now, whatever the policy says.
    app.report("r2", &article("/conditions/asthma"), "harmful")
        .await;
    assert_eq!(listed(&app, &token, "overdue").await, vec![cond]);
    let c = app
        .get_json(&token, &format!("/api/v1/articles/{cond}"))
        .await;
    assert_eq!(c["review_due_reason"], "reader_report");
    assert!(time(&c["review_due_at"]) <= Utc::now());

    // "Mark re-reviewed" is a review with outcome no_change by the token's name.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/articles/{cond}/reviewed")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert!(c["reviewed_at"].is_string() && c["last_reviewed_at"].is_string());
    assert_eq!(c["reviewed_by"], "clinical-team");
    let list = app
        .get_json(&token, &format!("/api/v1/articles/{cond}/reviews"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["outcome"], "no_change");
    // The harmful report is still open: still due.
    assert_eq!(listed(&app, &token, "overdue").await, vec![cond]);
}
each_backend!(reviews_and_due_dates_follow_the_policies);

async fn bad_reviews_are_refused_by_field(backend: Backend) {
    let app = spawn_app(backend, |_| {}).await;
    let token = app.token("t").await;
    let id = app.vote("r1", &article("/a"), true).await["article_id"]
        .as_i64()
        .unwrap();
    let tomorrow = (Utc::now() + TimeDelta::days(1)).to_rfc3339();
    for (body, field) in [
        (json!({"outcome": "fine"}), "outcome"),
        (json!({"note": "no outcome"}), "outcome"),
        (
            json!({"outcome": "no_change", "reviewed_at": tomorrow}),
            "reviewed_at",
        ),
        (
            json!({"outcome": "no_change", "reviewed_at": "yesterday"}),
            "reviewed_at",
        ),
        (
            json!({"outcome": "no_change", "reviewer": "someone else"}),
            "reviewer",
        ),
    ] {
        let (status, _, named) = error_code(post_review(&app, &token, id, &body).await).await;
        assert_eq!((status, named.as_deref()), (422, Some(field)), "{body}");
    }
    let (status, code, _) =
        error_code(post_review(&app, &token, 999_999, &json!({"outcome": "no_change"})).await)
            .await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let r = app
        .client
        .post(app.url(&format!("/api/v1/articles/{id}/reviews")))
        .json(&json!({"outcome": "no_change"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (status, _, field) =
        error_code(app.get_authed(&token, "/api/v1/articles?review=late").await).await;
    assert_eq!((status, field.as_deref()), (422, Some("review")));
    let list = app
        .get_json(&token, &format!("/api/v1/articles/{id}/reviews"))
        .await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing was recorded"
    );
}
each_backend!(bad_reviews_are_refused_by_field);

async fn the_dashboard_lists_reviews_due_and_records_reviews(backend: Backend) {
    let app = spawn_app(backend, |s| {
        medicines_yearly(s);
        // Everything else is due within the month: due soon.
        s.review.default_interval_days = 20;
    })
    .await;
    let token = app.token("t").await;
    add_user(&app, "lee@example.org", false).await;
    app.add_editor("pharmacist@example.org", &["localhost/medicines"])
        .await;
    let med = app
        .report("r1", &article("/medicines/ibuprofen"), "inaccurate")
        .await["article_id"]
        .as_i64()
        .unwrap();
    let soon = app.vote("r1", &article("/conditions/asthma"), true).await["article_id"]
        .as_i64()
        .unwrap();
    app.vote("r1", &article("/medicines/paracetamol"), true)
        .await;

    let (client, csrf) = sign_in(&app, "lee@example.org").await;
    let (status, html) = page(&client, &app, "/dashboard/reviews").await;
    assert_eq!(status, 200);
    assert!(html.contains("1 overdue, 1 due within 30 days"), "{html}");
    let overdue_at = html
        .find("/medicines/ibuprofen")
        .expect("the overdue article");
    let soon_at = html
        .find("/conditions/asthma")
        .expect("the article due soon");
    assert!(overdue_at < soon_at, "overdue first");
    assert!(html.contains("open reader report"));
    assert!(html.contains("pharmacist@example.org"), "its owner");
    assert!(
        !html.contains("/medicines/paracetamol"),
        "not due for a year"
    );

    let r = client
        .get(app.url("/dashboard/export/reviews.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "article_id,url,title,state,review_due_at,reason,last_reviewed_at,reviewed_by,owners"
    );
    assert!(lines[1].starts_with(&format!("{med},http://localhost/medicines/ibuprofen,")));
    assert!(lines[1].contains(",overdue,") && lines[1].contains(",reader_report,"));
    assert!(lines[2].starts_with(&format!("{soon},")) && lines[2].contains(",due_soon,"));
    assert_eq!(lines.len(), 3);

    // The article page's review form: outcome, a past date, a note.
    let (_, html) = page(&client, &app, &format!("/dashboard/articles/{soon}")).await;
    assert!(html.contains("Record a review") && html.contains("Last reviewed"));
    let r = post(
        &client,
        &app,
        &format!("/dashboard/articles/{soon}/reviewed"),
        &[
            ("csrf", &csrf),
            ("outcome", "rewritten"),
            ("reviewed_on", "2025-06-01"),
            ("note", "New asthma guideline"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let list = app
        .get_json(&token, &format!("/api/v1/articles/{soon}/reviews"))
        .await;
    assert_eq!(list["items"][0]["outcome"], "rewritten");
    assert_eq!(list["items"][0]["reviewer"], "lee@example.org");
    assert!(list["items"][0]["reviewed_at"]
        .as_str()
        .unwrap()
        .starts_with("2025-06-01"));
    let (_, html) = page(&client, &app, &format!("/dashboard/articles/{soon}")).await;
    assert!(
        html.contains("Rewritten, lee@example.org — New asthma guideline"),
        "{html}"
    );

    // A bad outcome or date is a readable page, and records nothing.
    for form in [
        [("outcome", "fine"), ("reviewed_on", "")],
        [("outcome", "no_change"), ("reviewed_on", "June")],
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form);
        let r = post(
            &client,
            &app,
            &format!("/dashboard/articles/{soon}/reviewed"),
            &fields,
        )
        .await;
        assert!(r.status().is_client_error(), "{form:?}");
        let body = r.text().await.unwrap();
        assert!(
            body.contains("Choose an outcome") || body.contains("is neither a date"),
            "{body}"
        );
    }
    let list = app
        .get_json(&token, &format!("/api/v1/articles/{soon}/reviews"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let _ = csrf_of;
}
each_backend!(the_dashboard_lists_reviews_due_and_records_reviews);

async fn the_digest_lists_the_reviews_due_in_an_editors_scope(backend: Backend) {
    use flagpole::db::editors::Editor;
    use flagpole::digest::schedule::IsoWeek;
    use flagpole::digest::Digests;

    let app = spawn_app(backend, medicines_yearly).await;
    app.add_editor("pharmacist@example.org", &["localhost/medicines"])
        .await;
    app.add_editor("gp@example.org", &["localhost/conditions"])
        .await;
    app.report("r1", &article("/medicines/ibuprofen"), "outdated")
        .await;
    app.report("r1", &article("/conditions/asthma"), "typo")
        .await;

    let settings = app.settings.clone();
    let emails = tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&settings.database.url).unwrap();
        let editors: Vec<Editor> = ["pharmacist@example.org", "gp@example.org"]
            .iter()
            .map(|e| {
                flagpole::db::editors::by_email(&mut conn, e)
                    .unwrap()
                    .unwrap()
            })
            .collect();
        let digests =
            Digests::from_settings(&settings, std::sync::Arc::new(tokio::sync::Notify::new()));
        let week = IsoWeek::containing(Utc::now().date_naive());
        digests.render(&mut conn, week, &editors).unwrap()
    })
    .await
    .unwrap();
    let (pharmacist, gp) = (&emails[0], &emails[1]);
    assert!(
        pharmacist
            .text
            .contains("Reviews due (1 overdue, 0 due soon)"),
        "{}",
        pharmacist.text
    );
    let line = pharmacist
        .text
        .lines()
        .skip_while(|l| !l.starts_with("Reviews due"))
        .nth(1)
        .unwrap();
    assert!(
        line.contains("http://localhost/medicines/ibuprofen — overdue since")
            && line.contains("(open reader report)"),
        "{line}"
    );
    assert!(pharmacist
        .html
        .contains("Reviews due (1 overdue, 0 due soon)"));
    // A typo pulls nothing forward.
    assert!(
        gp.text
            .contains("Reviews due (0 overdue, 0 due soon)\nNo review is due."),
        "{}",
        gp.text
    );
}
each_backend!(the_digest_lists_the_reviews_due_in_an_editors_scope);

async fn helpfulness_before_and_after_each_revision(backend: Backend) {
    let app = spawn_app(backend, |_| {}).await;
    let token = app.token("t").await;
    let id = app.vote("r1", &article("/medicines/aspirin"), true).await["article_id"]
        .as_i64()
        .unwrap();
    // Earlier days' votes and two revisions, as the writer and the catalogue store them.
    let today = Utc::now().date_naive();
    let day = |n: i64| (today - TimeDelta::days(n)).format("%Y-%m-%d").to_string();
    let sql = format!(
        "INSERT INTO vote_days (article_id, day, helpful, not_helpful) VALUES \
           ({id}, '{}', 1, 3), ({id}, '{}', 2, 2);
         INSERT INTO article_revisions (article_id, revision, first_seen_at) VALUES \
           ({id}, 'r1', '{} 09:00:00'), ({id}, 'r2', '{} 09:00:00');",
        day(12),
        day(5),
        day(10),
        day(3)
    );
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).unwrap();
        flagpole::with_conn!(&mut conn, |c| {
            diesel::connection::SimpleConnection::batch_execute(c, &sql)
        })
        .unwrap();
    })
    .await
    .unwrap();

    let a = app
        .get_json(&token, &format!("/api/v1/articles/{id}"))
        .await;
    let revisions = a["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2, "{a}");
    assert_eq!(revisions[0]["revision"], "r1");
    assert_eq!(
        revisions[0]["before"],
        json!({"helpful": 1, "not_helpful": 3, "helpful_share": 0.25})
    );
    assert_eq!(revisions[0]["after"]["helpful_share"], 0.5);
    assert_eq!(revisions[1]["before"], revisions[0]["after"]);
    assert_eq!(
        revisions[1]["after"],
        json!({"helpful": 1, "not_helpful": 0, "helpful_share": 1.0})
    );

    add_user(&app, "lee@example.org", false).await;
    let (client, _) = sign_in(&app, "lee@example.org").await;
    let (_, html) = page(&client, &app, &format!("/dashboard/articles/{id}")).await;
    assert!(html.contains("revision r2: 50 % → 100 %"), "{html}");
    assert!(html.contains("<td>25 % → 50 %</td>"), "{html}");
}
each_backend!(helpfulness_before_and_after_each_revision);
