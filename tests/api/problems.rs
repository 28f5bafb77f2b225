//! Problems over HTTP: reports of the same problem on one article are stored as one problem at
//! ingest (across categories and quotes), other complaints stay apart, every report names its
//! problem, concurrent reports through two instances meet in one problem, and reports stored by
//! the previous version are grouped when it upgrades.

use serde_json::{json, Value};

use crate::helpers::{article, spawn_app, Backend, TestApp};
use crate::migrations::old_database;
use crate::{each_backend, on_both_backends};

async fn report(app: &TestApp, reader: &str, url: &str, body: Value) -> i64 {
    let mut body = body;
    body["article_url"] = json!(url);
    let r = app.post_json_as(reader, "/api/v1/reports", &body).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["report_id"]
        .as_i64()
        .unwrap()
}

async fn problems_of(app: &TestApp, token: &str, article_id: i64) -> Vec<Value> {
    let page = app
        .get_json(token, &format!("/api/v1/problems?article_id={article_id}"))
        .await;
    page["items"].as_array().unwrap().clone()
}

async fn same_problem_is_one_problem(app: TestApp) {
    let token = app.token("t").await;
    let url = article("/medicines/ibuprofen");
    let dose = [
        json!({"category": "harmful", "quote": "Adults can take up to 8 tablets (1600 mg) at once.",
               "details": "8 tablets at once is dangerous, the maximum single dose is 400 mg"}),
        json!({"category": "inaccurate", "quote": "up to 8 tablets (1600 mg) at once",
               "details": "should be 1 or 2 tablets"}),
        json!({"category": "inaccurate", "quote": "Adults can take up to 8 tablets (1600mg) at once",
               "details": "wrong dose"}),
    ];
    let mut ids = Vec::new();
    for (i, body) in dose.iter().enumerate() {
        ids.push(report(&app, &format!("r{i}"), &url, body.clone()).await);
    }
    let typo = report(
        &app,
        "t",
        &url,
        json!({"category": "typo", "quote": "ibuprophen gel", "details": "ibuprofen is misspelt"}),
    )
    .await;
    let question = report(
        &app,
        "q",
        &url,
        json!({"category": "other", "details": "Can I take ibuprofen with my blood pressure tablets? I'm 72"}),
    )
    .await;

    let detail = app
        .get_json(&token, &format!("/api/v1/reports/{}", ids[0]))
        .await;
    let article_id = detail["article_id"].as_i64().unwrap();
    let problem_id = detail["problem_id"]
        .as_i64()
        .expect("a queue report has a problem");
    for id in &ids[1..] {
        let r = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(r["problem_id"].as_i64(), Some(problem_id), "{r}");
    }
    let typo_problem = app
        .get_json(&token, &format!("/api/v1/reports/{typo}"))
        .await["problem_id"]
        .as_i64()
        .unwrap();
    assert_ne!(
        typo_problem, problem_id,
        "a typo elsewhere is another problem"
    );
    let q = app
        .get_json(&token, &format!("/api/v1/reports/{question}"))
        .await;
    assert_eq!(
        q["problem_id"],
        Value::Null,
        "only queue reports are in problems"
    );

    let problems = problems_of(&app, &token, article_id).await;
    assert_eq!(problems.len(), 2, "{problems:#?}");
    let dose_problem = problems.iter().find(|p| p["id"] == problem_id).unwrap();
    assert_eq!(dose_problem["readers"], 3);
    assert_eq!(dose_problem["open"], true);
    assert_eq!(dose_problem["categories"]["harmful"], 1);
    assert_eq!(dose_problem["categories"]["inaccurate"], 2);
    assert_eq!(dose_problem["report_ids"], json!(ids));
    assert!(dose_problem["passage"]
        .as_str()
        .unwrap()
        .contains("8 tablets"));

    let one = app
        .get_json(&token, &format!("/api/v1/problems/{problem_id}"))
        .await;
    assert_eq!(one["reports"].as_array().unwrap().len(), 3);
    assert_eq!(one["readers"], 3);

    // One action on the problem reaches every report, each with its own audit-trail entry, and
    // closing them closes the problem.
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/problems/{problem_id}")))
        .bearer_auth(&token)
        .json(&json!({"status": "resolved", "note": "dose corrected to 200-400 mg"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after: Value = r.json().await.unwrap();
    assert_eq!(after["open"], false, "{after}");
    for id in &ids {
        let r = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(r["status"], "resolved");
        let events = r["events"].as_array().unwrap();
        assert!(
            events.iter().any(
                |e| e["to_status"] == "resolved" && e["note"] == "dose corrected to 200-400 mg"
            ),
            "{r}"
        );
    }
    let detail = app
        .get_json(&token, &format!("/api/v1/articles/{article_id}"))
        .await;
    assert_eq!(detail["open_reports"], 1, "only the typo is left open");
    let open = app
        .get_json(
            &token,
            &format!("/api/v1/problems?article_id={article_id}&status=open"),
        )
        .await;
    let open_ids: Vec<&Value> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(open_ids, [&json!(typo_problem)]);
    let r = app
        .get_authed(&token, "/api/v1/problems?status=maybe")
        .await;
    assert_eq!(r.status(), 422);
    let r = app.get_authed(&token, "/api/v1/problems/999999").await;
    assert_eq!(r.status(), 404);

    // A report moved into the queue joins a problem at once.
    let r = app
        .patch_report(&token, question, &json!({"lane": "queue"}))
        .await;
    assert_eq!(r.status(), 200);
    let q = app
        .get_json(&token, &format!("/api/v1/reports/{question}"))
        .await;
    assert!(q["problem_id"].is_i64(), "{q}");
}
on_both_backends!(same_problem_is_one_problem);

/// The same problem reported at once through two instances on one PostgreSQL database: one
/// problem (matching happens in the report's transaction, under the article's lock).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reports_through_two_instances_meet_in_one_problem() {
    let Some(a) = crate::helpers::spawn_postgres(|_| {}).await else {
        return;
    };
    let url = a.settings.database.url.clone();
    let b = spawn_app(Backend::Postgres, move |s| s.database.url = url).await;
    let page = article("/medicines/amoxicillin");
    let mut jobs = Vec::new();
    for i in 0..12 {
        let app = if i % 2 == 0 { &a } else { &b };
        let (client, target, page) = (app.client.clone(), app.url("/api/v1/reports"), page.clone());
        jobs.push(tokio::spawn(async move {
            let r = client
                .post(target)
                .header("user-agent", format!("reader-{i}"))
                .json(&json!({"article_url": page, "category": "inaccurate",
                    "quote": "The usual adult dose of amoxicillin is 5000 mg three times a day.",
                    "details": format!("5000 mg is ten times too much, it is 500 mg (reader {i})")}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        }));
    }
    for j in jobs {
        j.await.unwrap();
    }
    let token = a.token("t").await;
    let problems = a.get_json(&token, "/api/v1/problems").await;
    let items = problems["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{problems:#}");
    assert_eq!(items[0]["readers"], 12);
}

/// The version before problems, as it wrote reports.
const BEFORE_PROBLEMS: &str = "20261130000004";

const LANES_ERA_ROWS: &str = "
    INSERT INTO articles (id, url, host, path, last_activity_at, created_at, updated_at, open_reports, open_inaccurate, open_harmful)
        VALUES (1, 'http://localhost/medicines/ibuprofen', 'localhost', '/medicines/ibuprofen', '2026-11-30 10:00:00', '2026-11-30 10:00:00', '2026-11-30 10:00:00', 3, 2, 1);
    INSERT INTO reports (id, article_id, category, quote, details, email, contact_consent, revision, status, assignee, visitor_key, created_at, updated_at, closed_at, lane, lane_reasons)
        VALUES (1, 1, 'harmful', 'Adults can take up to 8 tablets (1600 mg) at once.', 'far too much', NULL, FALSE, NULL, 'new', NULL, 'k1', '2026-11-30 10:00:00', '2026-11-30 10:00:00', NULL, 'queue', '[]'),
               (2, 1, 'inaccurate', 'up to 8 tablets (1600 mg) at once', 'max 400 mg', NULL, FALSE, NULL, 'new', NULL, 'k2', '2026-11-30 10:01:00', '2026-11-30 10:01:00', NULL, 'queue', '[]'),
               (3, 1, 'inaccurate', 'Do not take ibuprofen if you have had a stomach ulcer.', 'this is fine, but the section on asthma is missing', NULL, FALSE, NULL, 'new', NULL, 'k3', '2026-11-30 10:02:00', '2026-11-30 10:02:00', NULL, 'queue', '[]'),
               (4, 1, 'other', NULL, 'can I take it with wine', NULL, FALSE, NULL, 'new', NULL, 'k4', '2026-11-30 10:03:00', '2026-11-30 10:03:00', NULL, 'question', '[]');
";

async fn reports_of_the_previous_version_are_grouped_on_upgrade(backend: Backend) {
    let url = old_database(backend, BEFORE_PROBLEMS, |_| LANES_ERA_ROWS.to_string()).await;
    let app = spawn_app(backend, move |s| s.database.url = url.parse().unwrap()).await;
    let token = app.token("t").await;
    let problems = problems_of(&app, &token, 1).await;
    let mut readers: Vec<(i64, Vec<i64>)> = problems
        .iter()
        .map(|p| {
            let ids = p["report_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_i64().unwrap())
                .collect();
            (p["readers"].as_i64().unwrap(), ids)
        })
        .collect();
    readers.sort();
    assert_eq!(readers, [(1, vec![3]), (2, vec![1, 2])], "{problems:#?}");
    let question = app.get_json(&token, "/api/v1/reports/4").await;
    assert_eq!(question["problem_id"], Value::Null);
}
each_backend!(reports_of_the_previous_version_are_grouped_on_upgrade);

/// On the dashboard a problem is one card: its readers, its categories, the passage once, and
/// one row of actions that reaches every report.
async fn the_dashboard_acts_on_a_problem_once(app: TestApp) {
    let token = app.token("t").await;
    let url = article("/medicines/paracetamol");
    let mut ids = Vec::new();
    for (i, (category, quote)) in [
        ("harmful", "Adults can take 8 g of paracetamol a day."),
        ("inaccurate", "8 g of paracetamol a day"),
        ("inaccurate", "Adults can take 8g of paracetamol a day"),
    ]
    .iter()
    .enumerate()
    {
        let body =
            json!({"category": category, "quote": quote, "details": "the maximum is 4 g a day"});
        ids.push(report(&app, &format!("p{i}"), &url, body).await);
    }
    let first = app
        .get_json(&token, &format!("/api/v1/reports/{}", ids[0]))
        .await;
    let article_id = first["article_id"].as_i64().unwrap();
    let problem_id = first["problem_id"].as_i64().unwrap();
    crate::dashboard::add_user(&app, "ed@example.org", false).await;
    let (client, csrf) = crate::dashboard::sign_in(&app, "ed@example.org").await;
    let (status, html) =
        crate::dashboard::page(&client, &app, &format!("/dashboard/articles/{article_id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("3 readers reported this"), "{html}");
    let form =
        format!("action=\"/dashboard/problems/{problem_id}\" class=\"actions problem-actions\"");
    assert_eq!(html.matches(&form).count(), 1, "one row of actions");
    assert_eq!(
        html.matches("Adults can take 8 g of paracetamol a day.")
            .count(),
        1,
        "the passage once"
    );
    let article = article_id.to_string();
    let r = crate::dashboard::post(
        &client,
        &app,
        &format!("/dashboard/problems/{problem_id}"),
        &[
            ("csrf", csrf.as_str()),
            ("article", article.as_str()),
            ("action", "acknowledge"),
            ("note", "checking with the pharmacist"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, after) = crate::dashboard::page(&client, &app, &location).await;
    assert!(after.contains("Done for 3 reports."), "{after}");
    for id in &ids {
        let r = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(r["status"], "acknowledged");
        let by_editor = r["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"].as_str().unwrap_or("").contains("ed@example.org"));
        assert!(by_editor, "{r}");
    }
}
on_both_backends!(the_dashboard_acts_on_a_problem_once);
