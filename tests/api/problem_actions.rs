//! What editors do to problems as a whole, and what counts them: merging two problems and moving
//! reports out into a new one (API and dashboard, each report's audit trail saying so), the
//! attention order weighing problems by their readers, and `open_reports` alert rules counting
//! readers or problems.

use flagpole::config::{AlertRule, OpenCount};
use serde_json::{json, Value};

use crate::helpers::{article, spawn_app, Backend, TestApp};
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

async fn problem_of(app: &TestApp, token: &str, report: i64) -> i64 {
    app.get_json(token, &format!("/api/v1/reports/{report}"))
        .await["problem_id"]
        .as_i64()
        .expect("a queue report is in a problem")
}

async fn patch_problem(app: &TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/problems/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn dose(details: &str) -> Value {
    json!({"category": "inaccurate", "quote": "Adults can take up to 8 tablets (1600 mg) at once.",
           "details": details})
}

fn gel_report() -> Value {
    json!({"category": "outdated", "quote": "Ibuprofen gel can be rubbed into broken skin.",
           "details": "the leaflet says never on broken or irritated skin"})
}

/// Two problems on one article: the dose (two readers) and the gel (one).
async fn two_problems(app: &TestApp, token: &str, url: &str) -> (Vec<i64>, i64) {
    let doses = vec![
        report(app, "r1", url, dose("the maximum single dose is 400 mg")).await,
        report(app, "r2", url, dose("8 tablets at once is dangerous")).await,
    ];
    let gel = report(app, "r3", url, gel_report()).await;
    assert_eq!(
        problem_of(app, token, doses[0]).await,
        problem_of(app, token, doses[1]).await
    );
    assert_ne!(
        problem_of(app, token, doses[0]).await,
        problem_of(app, token, gel).await,
        "two passages, two complaints"
    );
    (doses, gel)
}

fn notes(report: &Value) -> Vec<String> {
    report["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str().map(str::to_string))
        .collect()
}

async fn merge_and_split_through_the_api(app: TestApp) {
    let token = app.token("t").await;
    let url = article("/medicines/ibuprofen");
    let (doses, gel) = two_problems(&app, &token, &url).await;
    let dose_problem = problem_of(&app, &token, doses[0]).await;
    let gel_problem = problem_of(&app, &token, gel).await;

    // Merge the gel problem into the dose problem: one problem, three readers.
    let (status, merged) = patch_problem(
        &app,
        &token,
        gel_problem,
        json!({"merge_into": dose_problem}),
    )
    .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["id"], dose_problem);
    assert_eq!(merged["readers"], 3);
    assert_eq!(merged["report_ids"], json!([doses[0], doses[1], gel]));
    let gone = app
        .client
        .get(app.url(&format!("/api/v1/problems/{gel_problem}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404, "the merged problem is gone");
    let moved = app
        .get_json(&token, &format!("/api/v1/reports/{gel}"))
        .await;
    assert_eq!(moved["problem_id"], dose_problem);
    assert!(
        notes(&moved).contains(&format!(
            "Problem {gel_problem} merged into problem {dose_problem} by an editor"
        )),
        "{moved}"
    );

    // Move it out again: a new problem with just that report; the rest stay.
    let (status, split) = patch_problem(&app, &token, dose_problem, json!({"split": [gel]})).await;
    assert_eq!(status, 200, "{split}");
    let new_problem = split["id"].as_i64().unwrap();
    assert_ne!(new_problem, dose_problem);
    assert_eq!(split["report_ids"], json!([gel]));
    assert_eq!(split["readers"], 1);
    let stayed = app
        .get_json(&token, &format!("/api/v1/problems/{dose_problem}"))
        .await;
    assert_eq!(stayed["report_ids"], json!([doses[0], doses[1]]));
    let moved = app
        .get_json(&token, &format!("/api/v1/reports/{gel}"))
        .await;
    assert_eq!(moved["problem_id"], new_problem);
    assert!(
        notes(&moved).contains(&format!(
            "Moved out of problem {dose_problem} into a new problem by an editor"
        )),
        "{moved}"
    );

    // A new reader of the dose joins the dose problem; the split stands.
    let later = report(&app, "r4", &url, dose("1600 mg at once, really?")).await;
    assert_eq!(problem_of(&app, &token, later).await, dose_problem);
    assert_eq!(problem_of(&app, &token, gel).await, new_problem);

    // What cannot be done is refused with the field named, and changes nothing.
    let other_article = report(&app, "r5", &article("/medicines/paracetamol"), gel_report()).await;
    let elsewhere = problem_of(&app, &token, other_article).await;
    for (body, field) in [
        (json!({"merge_into": dose_problem}), "merge_into"),
        (json!({"merge_into": elsewhere}), "merge_into"),
        (json!({"merge_into": 999_999}), "merge_into"),
        (
            json!({"merge_into": new_problem, "status": "resolved"}),
            "merge_into",
        ),
        (json!({"split": [doses[0], doses[1], later]}), "split"),
        (json!({"split": [gel]}), "split"),
        (json!({"split": []}), "split"),
        (json!({"split": [0]}), "split"),
    ] {
        let (status, error) = patch_problem(&app, &token, dose_problem, body.clone()).await;
        assert_eq!(status, 422, "{body} → {error}");
        assert_eq!(error["error"]["field"], field, "{body} → {error}");
    }
    let unchanged = app
        .get_json(&token, &format!("/api/v1/problems/{dose_problem}"))
        .await;
    assert_eq!(unchanged["report_ids"], json!([doses[0], doses[1], later]));
}
on_both_backends!(merge_and_split_through_the_api);

async fn the_dashboard_merges_and_splits(app: TestApp) {
    let token = app.token("t").await;
    let url = article("/medicines/ibuprofen");
    let (doses, gel) = two_problems(&app, &token, &url).await;
    let dose_problem = problem_of(&app, &token, doses[0]).await;
    let gel_problem = problem_of(&app, &token, gel).await;
    let article_id = app
        .get_json(&token, &format!("/api/v1/reports/{gel}"))
        .await["article_id"]
        .as_i64()
        .unwrap();
    crate::dashboard::add_user(&app, "ed@example.org", false).await;
    let (client, csrf) = crate::dashboard::sign_in(&app, "ed@example.org").await;
    let page = format!("/dashboard/articles/{article_id}");
    let (status, html) = crate::dashboard::page(&client, &app, &page).await;
    assert_eq!(status, 200);
    assert!(html.contains("2 readers reported this"), "{html}");
    assert!(
        html.contains(&format!(
            "<option value=\"{dose_problem}\">Inaccurate · 2 report(s)"
        )),
        "the gel problem offers the dose problem to merge into: {html}"
    );

    // Each action answers 303 back to the article page, which says what was done.
    let act = |problem: i64, pairs: Vec<(&'static str, String)>| {
        let (client, app, csrf) = (&client, &app, csrf.clone());
        async move {
            let article = article_id.to_string();
            let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("article", &article)];
            form.extend(pairs.iter().map(|(k, v)| (*k, v.as_str())));
            let path = format!("/dashboard/problems/{problem}");
            let r = crate::dashboard::post(client, app, &path, &form).await;
            let status = r.status().as_u16();
            let location = r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            match location {
                Some(to) if status == 303 => crate::dashboard::page(client, app, &to).await,
                _ => (status, r.text().await.unwrap()),
            }
        }
    };
    let (status, html) = act(
        gel_problem,
        vec![
            ("action", "merge".into()),
            ("merge_into", dose_problem.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Merged: the reports are one problem now."),
        "{html}"
    );
    assert!(html.contains("3 readers reported this"), "{html}");
    assert_eq!(problem_of(&app, &token, gel).await, dose_problem);

    let (status, html) = act(
        dose_problem,
        vec![("action", "split".into()), ("ids", gel.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Moved 1 report into a new problem."),
        "{html}"
    );
    assert!(html.contains("2 readers reported this"), "{html}");
    assert_ne!(problem_of(&app, &token, gel).await, dose_problem);

    // Nothing selected: a readable page, nothing moved.
    let (status, html) = act(dose_problem, vec![("action", "split".into())]).await;
    assert_eq!(status, 400);
    assert!(html.contains("Select the reports to move into a new problem first."));
}
on_both_backends!(the_dashboard_merges_and_splits);

async fn attention_of(app: &TestApp, token: &str, report: i64) -> f64 {
    let article_id = app
        .get_json(token, &format!("/api/v1/reports/{report}"))
        .await["article_id"]
        .as_i64()
        .unwrap();
    app.get_json(token, &format!("/api/v1/articles/{article_id}"))
        .await["attention"]
        .as_f64()
        .unwrap()
}

async fn attention_weighs_problems_by_their_readers(app: TestApp) {
    let token = app.token("t").await;
    let harm = |details: &str| {
        json!({"category": "harmful", "quote": "Adults can take up to 8 tablets (1600 mg) at once.",
               "details": details})
    };
    // Five readers, one of them saying it could cause harm, against one reader.
    let many = article("/medicines/many");
    let mut last = 0;
    for (i, body) in [
        harm("dangerous dose"),
        dose("wrong"),
        dose("max is 400 mg"),
        dose("too much"),
        dose("1600 mg is a lot"),
    ]
    .into_iter()
    .enumerate()
    {
        last = report(&app, &format!("reader {i}"), &many, body).await;
    }
    let one = report(&app, "alone", &article("/medicines/one"), harm("dangerous")).await;
    let (many_score, one_score) = (
        attention_of(&app, &token, last).await,
        attention_of(&app, &token, one).await,
    );
    assert!(
        many_score > one_score,
        "5 readers, one could cause harm ({many_score}) above 1 reader ({one_score})"
    );
    // The same reader three times is one reader: no more than reporting once.
    let once = report(&app, "x", &article("/medicines/once"), dose("wrong")).await;
    let thrice_url = article("/medicines/thrice");
    let mut thrice = 0;
    for details in ["wrong", "still wrong", "please fix the dose"] {
        thrice = report(&app, "same reader", &thrice_url, dose(details)).await;
    }
    let (once_score, thrice_score) = (
        attention_of(&app, &token, once).await,
        attention_of(&app, &token, thrice).await,
    );
    assert!(
        (thrice_score - once_score).abs() < 0.01,
        "one reader's three reports of one problem weigh as one ({thrice_score} vs {once_score})"
    );
    let list = app
        .get_json(&token, "/api/v1/articles?sort=attention&limit=2")
        .await;
    assert!(list["items"][0]["url"]
        .as_str()
        .unwrap()
        .ends_with("/medicines/many"));
}
on_both_backends!(attention_weighs_problems_by_their_readers);

async fn firing(app: &TestApp, token: &str, report: i64, rule: &str) -> bool {
    let article_id = app
        .get_json(token, &format!("/api/v1/reports/{report}"))
        .await["article_id"]
        .as_i64()
        .unwrap();
    let detail = app
        .get_json(token, &format!("/api/v1/articles/{article_id}"))
        .await;
    detail["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rule"] == rule)
        .unwrap_or_else(|| panic!("rule {rule} in {detail}"))["firing"]
        .as_bool()
        .unwrap()
}

async fn open_reports_rules_count_readers_or_problems(backend: Backend) {
    let app = spawn_app(backend, |s| {
        let rule = |name: &str, min_reports, count| AlertRule::OpenReports {
            name: name.into(),
            min_reports,
            window_days: 14,
            count,
        };
        s.alerts.rules = vec![
            rule("readers", 3, OpenCount::default()),
            rule("problems", 2, OpenCount::Problems),
            rule("reports", 3, OpenCount::Reports),
        ];
    })
    .await;
    let token = app.token("t").await;
    // One reader, three reports of one problem: three reports, but one reader and one problem.
    let one_reader = article("/medicines/one-reader");
    let mut last = 0;
    for details in ["wrong", "still wrong", "please fix the dose"] {
        last = report(&app, "same reader", &one_reader, dose(details)).await;
    }
    assert!(firing(&app, &token, last, "reports").await);
    assert!(!firing(&app, &token, last, "readers").await);
    assert!(!firing(&app, &token, last, "problems").await);
    // Three readers of one problem: three readers, still one problem.
    let one_problem = article("/medicines/one-problem");
    for reader in ["a", "b", "c"] {
        last = report(&app, reader, &one_problem, dose("wrong dose")).await;
    }
    assert!(firing(&app, &token, last, "readers").await);
    assert!(!firing(&app, &token, last, "problems").await);
    // A second problem on it: two problems.
    last = report(&app, "d", &one_problem, gel_report()).await;
    assert!(firing(&app, &token, last, "problems").await);
}
each_backend!(open_reports_rules_count_readers_or_problems);
