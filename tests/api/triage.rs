//! The read and triage API: tokens, orders, filters, pagination, status changes.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::{article, error_code, TestApp};
use crate::on_both_backends;

fn urls(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["url"].as_str().unwrap().to_string())
        .collect()
}

async fn token_is_required(app: TestApp) {
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/1",
        "/api/v1/reports",
        "/api/v1/reports/1",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            error_code(r).await,
            (401, "unauthorized".into(), None),
            "{path}"
        );
        let r = app.get_authed("fp_wrong", path).await;
        assert_eq!(r.status(), 401, "{path}");
    }
    let r = app
        .client
        .patch(app.url("/api/v1/reports/1"))
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
on_both_backends!(token_is_required);

async fn a_revoked_token_stops_working(app: TestApp) {
    let token = app.token("cms").await;
    assert_eq!(
        app.get_authed(&token, "/api/v1/articles").await.status(),
        200
    );
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).unwrap();
        flagpole::db::tokens::revoke(&mut conn, "cms", flagpole::db::now()).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(
        app.get_authed(&token, "/api/v1/articles").await.status(),
        401
    );
}
on_both_backends!(a_revoked_token_stops_working);

async fn attention_puts_harmful_first_then_reports_then_unhelpful(app: TestApp) {
    let harmful = article("/harmful");
    let reported = article("/two-reports");
    let unhelpful = article("/unhelpful");
    let fine = article("/fine");
    app.report("a", &reported, "typo").await;
    app.report("b", &reported, "unclear").await;
    for i in 0..30 {
        app.vote(&format!("u{i}"), &unhelpful, false).await;
    }
    app.vote("f", &fine, true).await;
    app.report("c", &harmful, "harmful").await;

    let token = app.token("t").await;
    let list = app.get_json(&token, "/api/v1/articles").await;
    assert_eq!(
        urls(&list),
        vec![
            harmful.clone(),
            unhelpful.clone(),
            reported.clone(),
            fine.clone()
        ]
    );

    let by_reports = app.get_json(&token, "/api/v1/articles?sort=reports").await;
    assert_eq!(urls(&by_reports)[0], reported);
    let by_help = app
        .get_json(&token, "/api/v1/articles?sort=helpfulness")
        .await;
    assert_eq!(urls(&by_help)[0], unhelpful);
    let recent = app.get_json(&token, "/api/v1/articles?sort=recent").await;
    assert_eq!(urls(&recent)[0], harmful);

    let only_harmful = app
        .get_json(&token, "/api/v1/articles?status=harmful")
        .await;
    assert_eq!(urls(&only_harmful), vec![harmful.clone()]);
    let open = app.get_json(&token, "/api/v1/articles?status=open").await;
    assert_eq!(urls(&open), vec![harmful, reported]);
    let clear = app.get_json(&token, "/api/v1/articles?status=clear").await;
    assert_eq!(urls(&clear).len(), 2);
}
on_both_backends!(attention_puts_harmful_first_then_reports_then_unhelpful);

async fn keyset_pages_cover_everything_once(app: TestApp) {
    for i in 0..23 {
        app.vote(
            &format!("r{i}"),
            &article(&format!("/page/{i}")),
            i % 3 == 0,
        )
        .await;
    }
    let token = app.token("t").await;
    for sort in ["attention", "reports", "helpfulness", "recent"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/articles?sort={sort}&limit=5&cursor={c}"),
                None => format!("/api/v1/articles?sort={sort}&limit=5"),
            };
            let page = app.get_json(&token, &path).await;
            seen.extend(urls(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (23, 23), "{sort}");
    }
}
on_both_backends!(keyset_pages_cover_everything_once);

async fn host_filter_and_bad_parameters(app: TestApp) {
    app.vote("a", "http://127.0.0.1/x", true).await;
    app.vote("b", &article("/y"), true).await;
    let token = app.token("t").await;
    let list = app
        .get_json(&token, "/api/v1/articles?host=127.0.0.1")
        .await;
    assert_eq!(urls(&list), vec!["http://127.0.0.1/x".to_string()]);
    for (path, field) in [
        ("/api/v1/articles?sort=popular", "sort"),
        ("/api/v1/articles?limit=0", "limit"),
        ("/api/v1/articles?limit=abc", "limit"),
        ("/api/v1/articles?cursor=%%%", "cursor"),
        ("/api/v1/articles?colour=red", "colour"),
        ("/api/v1/reports?status=closed", "status"),
        ("/api/v1/reports?since=yesterday", "since"),
    ] {
        let r = app.get_authed(&token, path).await;
        let (status, _, got) = error_code(r).await;
        assert_eq!((status, got.as_deref()), (422, Some(field)), "{path}");
    }
    let r = app.get_authed(&token, "/api/v1/articles/999999").await;
    assert_eq!(error_code(r).await, (404, "not_found".into(), None));
    let r = app.get_authed(&token, "/api/v1/articles/abc").await;
    assert_eq!(r.status(), 404);
}
on_both_backends!(host_filter_and_bad_parameters);

async fn report_filters(app: TestApp) {
    let a = app.report("a", &article("/a"), "typo").await;
    app.report("b", &article("/b"), "harmful").await;
    app.report("c", &article("/b"), "typo").await;
    let token = app.token("t").await;
    let typos = app.get_json(&token, "/api/v1/reports?category=typo").await;
    assert_eq!(typos["items"].as_array().unwrap().len(), 2);
    let on_a = app
        .get_json(
            &token,
            &format!("/api/v1/reports?article_id={}", a["article_id"]),
        )
        .await;
    assert_eq!(on_a["items"].as_array().unwrap().len(), 1);
    let future = app
        .get_json(&token, "/api/v1/reports?since=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(future["items"].as_array().unwrap().len(), 0);
    let past = app
        .get_json(&token, "/api/v1/reports?since=2000-01-01T00:00:00%2B01:00")
        .await;
    assert_eq!(past["items"].as_array().unwrap().len(), 3);
    let page1 = app.get_json(&token, "/api/v1/reports?limit=2").await;
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = app
        .get_json(&token, &format!("/api/v1/reports?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["next_cursor"], Value::Null);
}
on_both_backends!(report_filters);

async fn status_changes_are_recorded_and_move_the_counters(app: TestApp) {
    let url = article("/triaged");
    let created = app.report("a", &url, "harmful").await;
    app.report("b", &url, "typo").await;
    let id = created["report_id"].as_i64().unwrap();
    let article_id = created["article_id"].as_i64().unwrap();
    let token = app.token("editor-bot").await;

    let r = app
        .patch_report(
            &token,
            id,
            &json!({"status": "acknowledged", "assignee": "sam@example.org"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let detail: Value = r.json().await.unwrap();
    assert_eq!(detail["status"], "acknowledged");
    assert_eq!(detail["assignee"], "sam@example.org");
    // Acknowledged is still open.
    let a = app
        .get_json(&token, &format!("/api/v1/articles/{article_id}"))
        .await;
    assert_eq!(a["open_by_category"]["harmful"].as_i64(), Some(1));

    let r = app
        .patch_report(
            &token,
            id,
            &json!({"status": "resolved", "note": "Dose corrected in revision 12"}),
        )
        .await;
    let detail: Value = r.json().await.unwrap();
    assert_eq!(detail["status"], "resolved");
    assert!(detail["closed_at"].is_string());
    let events = detail["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["actor"], "token:editor-bot");
    assert_eq!(events[1]["from_status"], "acknowledged");
    assert_eq!(events[1]["to_status"], "resolved");
    assert_eq!(events[1]["note"], "Dose corrected in revision 12");

    let a = app
        .get_json(&token, &format!("/api/v1/articles/{article_id}"))
        .await;
    assert_eq!(a["open_by_category"]["harmful"].as_i64(), Some(0));
    assert_eq!(a["open_reports"].as_i64(), Some(1));
    assert!(a["attention"].as_f64().unwrap() < 100.0);

    // Reopening counts it again.
    app.patch_report(&token, id, &json!({"status": "new"}))
        .await;
    let a = app
        .get_json(&token, &format!("/api/v1/articles/{article_id}"))
        .await;
    assert_eq!(a["open_reports"].as_i64(), Some(2));
    assert!(a["attention"].as_f64().unwrap() > 100.0);
    let detail = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(detail["closed_at"], Value::Null);
    assert_eq!(detail["events"].as_array().unwrap().len(), 3);
}
on_both_backends!(status_changes_are_recorded_and_move_the_counters);

async fn bad_triage_requests(app: TestApp) {
    let created = app.report("a", &article("/bad-triage"), "typo").await;
    let id = created["report_id"].as_i64().unwrap();
    let token = app.token("t").await;
    let r = app
        .patch_report(&token, id, &json!({"status": "closed"}))
        .await;
    assert_eq!(error_code(r).await.2.as_deref(), Some("status"));
    let r = app.patch_report(&token, id, &json!({})).await;
    assert_eq!(error_code(r).await, (422, "nothing_to_change".into(), None));
    let r = app
        .patch_report(&token, 999_999, &json!({"status": "spam"}))
        .await;
    assert_eq!(error_code(r).await.0, 404);
    let r = app
        .patch_report(&token, id, &json!({"note": "n".repeat(5000)}))
        .await;
    assert_eq!(error_code(r).await.2.as_deref(), Some("note"));
    // Nothing changed along the way.
    let detail = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(detail["status"], "new");
    assert_eq!(detail["events"].as_array().unwrap().len(), 0);
}
on_both_backends!(bad_triage_requests);
