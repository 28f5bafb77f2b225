//! The editor dashboard over HTTP: sign-in, sessions, permissions, CSRF, every action, exports
//! and escaping. Each action is checked through the JSON API, which shares its functions.

use serde_json::{json, Value};

use crate::helpers::{article, spawn_app, Backend, TestApp};
use crate::on_both_backends;

pub const PASSWORD: &str = "correct horse battery staple";

pub async fn add_user(app: &TestApp, email: &str, admin: bool) {
    let target = app.settings.database.url.clone();
    let new = flagpole::editors::new_editor(email, email, admin, &[], true, true).unwrap();
    let hash = flagpole::auth::passwords::hash(PASSWORD).unwrap();
    let email = email.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).unwrap();
        flagpole::db::editors::add(&mut conn, &new, flagpole::db::now()).unwrap();
        flagpole::db::editors::set_password_hash(&mut conn, &email, &hash, flagpole::db::now())
            .unwrap();
    })
    .await
    .unwrap();
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn sign_in(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let client = browser();
    let r = client
        .post(app.url("/dashboard/login"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("next", "/dashboard"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let page = client
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (client, csrf_of(&page))
}

pub(crate) fn csrf_of(page: &str) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).unwrap();
    re.captures(page).expect("a csrf field")[1].to_string()
}

pub(crate) async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub(crate) async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client.post(app.url(path)).form(form).send().await.unwrap()
}

async fn every_page_needs_a_session(app: TestApp) {
    let client = browser();
    for path in [
        "/dashboard",
        "/dashboard/articles/1",
        "/dashboard/editors",
        "/dashboard/tokens",
        "/dashboard/outbox",
        "/dashboard/preferences",
        "/dashboard/export/articles.csv",
        "/dashboard/export/reports.csv",
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/dashboard/login?next="),
            "{path}"
        );
    }
    for path in [
        "/dashboard/reports/1",
        "/dashboard/reports/bulk",
        "/dashboard/articles/1/reviewed",
        "/dashboard/editors",
        "/dashboard/tokens",
        "/dashboard/outbox/1/retry",
        "/dashboard/logout",
        "/dashboard/preferences",
    ] {
        let r = post(&client, &app, path, &[("csrf", "x"), ("action", "resolve")]).await;
        assert_eq!(r.status(), 303, "{path}");
    }
    // A forged cookie is no session.
    let r = client
        .get(app.url("/dashboard"))
        .header("cookie", "flagpole_session=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}
on_both_backends!(every_page_needs_a_session);

async fn sign_in_and_out(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    let client = browser();
    let r = post(
        &client,
        &app,
        "/dashboard/login",
        &[("email", "ed@example.org"), ("password", "wrong password!")],
    )
    .await;
    assert_eq!(r.status(), 401);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("do not match an active editor"));
    let r = post(
        &client,
        &app,
        "/dashboard/login",
        &[("email", "nobody@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 401);
    // No open redirect after sign-in.
    let r = post(
        &client,
        &app,
        "/dashboard/login",
        &[
            ("email", "ed@example.org"),
            ("password", PASSWORD),
            ("next", "https://evil.example/"),
        ],
    )
    .await;
    assert_eq!(r.headers()["location"], "/dashboard");
    let (status, body) = page(&client, &app, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(body.contains("Articles needing attention"));
    let csrf = csrf_of(&body);
    let r = post(&client, &app, "/dashboard/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(page(&client, &app, "/dashboard").await.0, 303);
}
on_both_backends!(sign_in_and_out);

async fn sign_in_attempts_are_limited(app: TestApp) {
    add_user(&app, "target@example.org", false).await;
    let client = browser();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = post(
            &client,
            &app,
            "/dashboard/login",
            &[
                ("email", "target@example.org"),
                ("password", "guess guess guess"),
            ],
        )
        .await;
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    // Even the right password waits now.
    let r = post(
        &client,
        &app,
        "/dashboard/login",
        &[("email", "target@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 429);
}
on_both_backends!(sign_in_attempts_are_limited);

async fn editors_cannot_reach_admin_pages(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    let (client, csrf) = sign_in(&app, "ed@example.org").await;
    for path in [
        "/dashboard/editors",
        "/dashboard/tokens",
        "/dashboard/outbox",
    ] {
        assert_eq!(page(&client, &app, path).await.0, 403, "{path}");
    }
    for path in [
        "/dashboard/editors",
        "/dashboard/tokens",
        "/dashboard/tokens/revoke",
        "/dashboard/outbox/1/retry",
        "/dashboard/editors/1",
    ] {
        let r = post(
            &client,
            &app,
            path,
            &[
                ("csrf", &csrf),
                ("name", "x"),
                ("email", "x@example.org"),
                ("change", "admin"),
            ],
        )
        .await;
        assert_eq!(r.status(), 403, "{path}");
    }
    let (_, body) = page(&client, &app, "/dashboard").await;
    assert!(
        !body.contains("/dashboard/tokens"),
        "no admin links for editors"
    );
}
on_both_backends!(editors_cannot_reach_admin_pages);

async fn forms_without_the_right_token_or_origin_are_refused(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    let created = app.report("r", &article("/csrf"), "typo").await;
    let id = created["report_id"].as_i64().unwrap();
    let (client, csrf) = sign_in(&app, "ed@example.org").await;
    let path = format!("/dashboard/reports/{id}");
    let r = post(
        &client,
        &app,
        &path,
        &[("csrf", "wrong"), ("action", "resolve")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Form expired"));
    let r = post(&client, &app, &path, &[("action", "resolve")]).await;
    assert!(r.status().is_client_error());
    let r = client
        .post(app.url(&path))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("action", "resolve")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let token = app.token("t").await;
    let detail = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(detail["status"], "new", "nothing changed");
}
on_both_backends!(forms_without_the_right_token_or_origin_are_refused);

async fn triage_actions_are_recorded_like_the_api(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    add_user(&app, "sam@example.org", false).await;
    let url = article("/triage-here");
    let r = app
        .post_json("/api/v1/reports", &json!({"article_url": url, "category": "harmful", "quote": "8 tablets", "email": "reader@example.org", "contact_consent": true}))
        .await;
    let first: Value = r.json().await.unwrap();
    let second = app.report("b", &url, "typo").await;
    let third = app.report("c", &url, "typo").await;
    let (id1, id2, id3) = (
        first["report_id"].as_i64().unwrap(),
        second["report_id"].as_i64().unwrap(),
        third["report_id"].as_i64().unwrap(),
    );
    let article_id = first["article_id"].as_i64().unwrap();
    let (client, csrf) = sign_in(&app, "ed@example.org").await;
    let (status, body) = page(&client, &app, &format!("/dashboard/articles/{article_id}")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("2 readers reported this") || body.contains("Could cause harm"),
        "{body}"
    );

    let act = |id: i64, fields: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = app.url(&format!("/dashboard/reports/{id}"));
        let mut form = vec![("csrf", csrf.clone()), ("article", article_id.to_string())];
        form.extend(fields);
        async move { client.post(url).form(&form).send().await.unwrap() }
    };
    let r = act(id1, vec![("action", "acknowledge".into())]).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("/dashboard/articles/{article_id}?done=")));
    act(
        id1,
        vec![
            ("action", "assign".into()),
            ("assignee", "sam@example.org".into()),
        ],
    )
    .await;
    act(
        id1,
        vec![
            ("action", "note".into()),
            ("note", "Asked the pharmacist".into()),
        ],
    )
    .await;
    act(
        id1,
        vec![
            ("action", "resolve".into()),
            ("note", "Dose corrected to 2 tablets".into()),
            ("reply", "1".into()),
        ],
    )
    .await;

    let token = app.token("t").await;
    let detail = app
        .get_json(&token, &format!("/api/v1/reports/{id1}"))
        .await;
    assert_eq!(detail["status"], "resolved");
    assert_eq!(detail["assignee"], "sam@example.org");
    let events = detail["events"].as_array().unwrap();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e["actor"] == "ed@example.org"));
    assert_eq!(events[2]["note"], "Asked the pharmacist");
    assert_eq!(events[3]["to_status"], "resolved");
    // The reader who consented gets a thank-you through the outbox.
    let outbox = app.get_json(&token, "/api/v1/outbox").await;
    let reply = outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "reply")
        .expect("a reply queued");
    assert_eq!(reply["recipient"], "reader@example.org");

    // Bulk: two at once.
    let r = client
        .post(app.url("/dashboard/reports/bulk"))
        .body(format!(
            "csrf={csrf}&article={article_id}&action=dismiss&note=duplicates&ids={id2}&ids={id3}"
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    for id in [id2, id3] {
        let d = app.get_json(&token, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(d["status"], "dismissed");
        assert_eq!(d["events"][0]["note"], "duplicates");
    }
    let a = app
        .get_json(&token, &format!("/api/v1/articles/{article_id}"))
        .await;
    assert_eq!(a["open_reports"], 0);

    // Re-reviewed.
    let r = post(
        &client,
        &app,
        &format!("/dashboard/articles/{article_id}/reviewed"),
        &[("csrf", &csrf), ("note", "checked")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let a = app
        .get_json(&token, &format!("/api/v1/articles/{article_id}"))
        .await;
    assert!(a["reviewed_at"].is_string());

    let r = act(999_999, vec![("action", "resolve".into())]).await;
    assert_eq!(r.status(), 404);
    let r = act(id1, vec![("action", "explode".into())]).await;
    assert_eq!(r.status(), 400);
}
on_both_backends!(triage_actions_are_recorded_like_the_api);

async fn reader_text_is_escaped_everywhere(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    let payload = "<script>alert(1)</script><img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">x</a>";
    let r = app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": article("/xss"), "category": "other", "quote": payload, "details": payload, "title": payload}),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["article_id"]
        .as_i64()
        .unwrap();
    app.post_json(
        "/api/v1/votes",
        &json!({"article_url": article("/xss"), "helpful": false, "comment": payload}),
    )
    .await;
    let (client, _) = sign_in(&app, "ed@example.org").await;
    for path in [
        "/dashboard".to_string(),
        format!("/dashboard/articles/{id}"),
    ] {
        let (_, body) = page(&client, &app, &path).await;
        assert!(!body.contains("<script>alert"), "{path}");
        assert!(!body.contains("<img src=x"), "{path}");
        assert!(!body.contains("href=\"javascript:"), "{path}");
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}"
        );
    }
}
on_both_backends!(reader_text_is_escaped_everywhere);

async fn security_headers(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    let (client, _) = sign_in(&app, "ed@example.org").await;
    for path in ["/dashboard", "/dashboard/login"] {
        let r = client.get(app.url(path)).send().await.unwrap();
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        let script = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.headers()["referrer-policy"], "same-origin");
    }
}
on_both_backends!(security_headers);

async fn csv_exports_follow_the_filter_and_defuse_formulas(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    app.post_json(
        "/api/v1/reports",
        &json!({"article_url": article("/csv/one"), "category": "inaccurate", "details": "=HYPERLINK(\"http://evil\",\"x\"), \"quoted\"", "title": "@SUM(A1)"}),
    )
    .await;
    app.report("b", &article("/other/two"), "typo").await;
    let (client, _) = sign_in(&app, "ed@example.org").await;
    let r = client
        .get(app.url("/dashboard/export/articles.csv?section=/csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("id,url,title,helpful"));
    assert!(lines[1].contains(",'@SUM(A1),"), "{csv}");
    let reports = client
        .get(app.url("/dashboard/export/reports.csv?section=/csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        reports.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\"), \"\"quoted\"\"\""),
        "{reports}"
    );
    assert!(!reports.contains("/other/two"));
}
on_both_backends!(csv_exports_follow_the_filter_and_defuse_formulas);

async fn list_filters_and_search(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    app.post_json("/api/v1/reports", &json!({"article_url": article("/medicines/aspirin"), "category": "harmful", "title": "Aspirin", "details": "the maximum dose for children is wrong: aspirin should not be given under 16"})).await;
    app.post_json(
        "/api/v1/reports",
        &json!({"article_url": article("/conditions/gout"), "category": "typo", "title": "Gout", "details": "\"allopurinol\" is misspelt in the treatment section"}),
    )
    .await;
    app.vote("v", &article("/conditions/quiet"), true).await;
    let (client, _) = sign_in(&app, "ed@example.org").await;
    let (_, all) = page(&client, &app, "/dashboard").await;
    let aspirin = all.find("Aspirin").unwrap();
    let gout = all.find("Gout").unwrap();
    assert!(aspirin < gout, "harmful first");
    for (query, shows, hides) in [
        ("q=aspi", "Aspirin", "Gout"),
        ("q=GOUT", "Gout", "Aspirin"),
        ("section=/conditions", "Gout", "Aspirin"),
        ("category=harmful", "Aspirin", "Gout"),
        ("status=clear", "/conditions/quiet", "Aspirin"),
    ] {
        let (status, body) = page(&client, &app, &format!("/dashboard?{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert!(
            body.contains(shows) && !body.contains(&format!(">{hides}<")),
            "{query}"
        );
    }
    let (status, body) = page(&client, &app, "/dashboard?from=yesterday").await;
    assert_eq!(status, 400);
    assert!(body.contains("is neither a date like 2026-11-25"), "{body}");
    let (status, body) = page(&client, &app, "/dashboard?sort=popular").await;
    assert_eq!(status, 400, "an unknown order is refused, as by the API");
    assert!(body.contains("popular"), "{body}");
}
on_both_backends!(list_filters_and_search);

/// The article ids a dashboard list page shows, in order.
fn ids_on_page(html: &str) -> Vec<i64> {
    html.split("href=\"/dashboard/articles/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// The API, the dashboard and the CSV export answer the same filter with the same rows in the
/// same order: they share one filter type and one query.
async fn the_api_and_the_dashboard_list_the_same_rows(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    for i in 0..9 {
        let section = if i % 2 == 0 {
            "conditions"
        } else {
            "medicines"
        };
        let url = article(&format!("/{section}/topic-{i}"));
        for r in 0..(i % 4) {
            let category = if (i + r) % 3 == 0 {
                "harmful"
            } else {
                "outdated"
            };
            app.report(&format!("r{i}-{r}"), &url, category).await;
        }
        for v in 0..i {
            app.vote(&format!("v{i}-{v}"), &url, v % 3 == 0).await;
        }
    }
    let token = app.token("t").await;
    let (client, _) = sign_in(&app, "ed@example.org").await;
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    for filter in [
        String::new(),
        "sort=reports".into(),
        "sort=helpfulness".into(),
        "sort=recent".into(),
        "path=/conditions".into(),
        "status=harmful".into(),
        "status=open&category=outdated".into(),
        "q=TOPIC-1".into(),
        format!("to={today}"),
        format!("from={today}&sort=reports"),
    ] {
        let api = app
            .get_json(&token, &format!("/api/v1/articles?{filter}"))
            .await;
        let from_api: Vec<i64> = api["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        let (status, html) = page(&client, &app, &format!("/dashboard?{filter}")).await;
        assert_eq!(status, 200, "{filter}");
        assert_eq!(ids_on_page(&html), from_api, "dashboard ?{filter}");
        let (status, csv) = page(
            &client,
            &app,
            &format!("/dashboard/export/articles.csv?{filter}"),
        )
        .await;
        assert_eq!(status, 200, "{filter}");
        let from_csv: Vec<i64> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next()?.parse().ok())
            .collect();
        assert_eq!(from_csv, from_api, "CSV ?{filter}");
        assert!(
            !from_api.is_empty() || filter.starts_with("q="),
            "{filter} shows something"
        );
    }
}
on_both_backends!(the_api_and_the_dashboard_list_the_same_rows);

async fn admins_manage_editors_tokens_and_the_outbox(app: TestApp) {
    add_user(&app, "admin@example.org", true).await;
    add_user(&app, "leaving@example.org", false).await;
    let (client, csrf) = sign_in(&app, "admin@example.org").await;
    let (leaver, _) = sign_in(&app, "leaving@example.org").await;
    let r = post(
        &client,
        &app,
        "/dashboard/editors",
        &[
            ("csrf", &csrf),
            ("name", "New Person"),
            ("email", "new@example.org"),
            ("owns", "localhost/medicines"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, editors) = page(&client, &app, "/dashboard/editors").await;
    assert!(editors.contains("new@example.org") && editors.contains("localhost/medicines"));
    // Disabling ends the editor's sessions at once.
    let re = regex::Regex::new(r#"action="/dashboard/editors/(\d+)""#).unwrap();
    let ids: Vec<String> = re
        .captures_iter(&editors)
        .map(|c| c[1].to_string())
        .collect();
    let leaving_id = ids
        .iter()
        .find(|id| {
            editors
                .split(&format!("/dashboard/editors/{id}\""))
                .next()
                .unwrap()
                .contains("leaving@example.org")
        })
        .cloned()
        .unwrap_or_else(|| ids[1].clone());
    let r = post(
        &client,
        &app,
        &format!("/dashboard/editors/{leaving_id}"),
        &[("csrf", &csrf), ("change", "disable")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        page(&leaver, &app, "/dashboard").await.0,
        303,
        "signed out everywhere"
    );

    // A token made here works on the API once, and revoking stops it.
    let r = post(
        &client,
        &app,
        "/dashboard/tokens",
        &[("csrf", &csrf), ("name", "cms")],
    )
    .await;
    let body = r.text().await.unwrap();
    let token = regex::Regex::new(r#"<code class="token">([^<]+)</code>"#)
        .unwrap()
        .captures(&body)
        .unwrap()[1]
        .to_string();
    assert_eq!(
        app.get_authed(&token, "/api/v1/articles").await.status(),
        200
    );
    let r = post(
        &client,
        &app,
        "/dashboard/tokens/revoke",
        &[("csrf", &csrf), ("name", "cms")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.get_authed(&token, "/api/v1/articles").await.status(),
        401
    );

    // A failed e-mail can be retried.
    let (_, outbox) = page(&client, &app, "/dashboard/outbox").await;
    assert!(outbox.contains("Nothing has failed."));
    let r = post(
        &client,
        &app,
        "/dashboard/outbox/12345/retry",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 404);
}
on_both_backends!(admins_manage_editors_tokens_and_the_outbox);

async fn editors_choose_their_email(app: TestApp) {
    add_user(&app, "ed@example.org", false).await;
    let (client, csrf) = sign_in(&app, "ed@example.org").await;
    let r = post(
        &client,
        &app,
        "/dashboard/preferences",
        &[("csrf", &csrf), ("alerts", "1")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, body) = page(&client, &app, "/dashboard/preferences").await;
    assert!(
        body.contains(r#"id="alerts" type="checkbox" name="alerts" value="1" checked"#),
        "{body}"
    );
    assert!(
        !body.contains(r#"id="digest" type="checkbox" name="digest" value="1" checked"#),
        "{body}"
    );
}
on_both_backends!(editors_choose_their_email);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_email_is_retried_from_the_outbox_page() {
    let smtp = crate::smtp::SmtpServer::start().await;
    smtp.set_mode(crate::smtp::Mode::PermFail);
    let port = smtp.port;
    let app = spawn_app(Backend::Sqlite, move |s| s.smtp.port = port).await;
    add_user(&app, "admin@example.org", true).await;
    app.report("r", &article("/fails"), "harmful").await;
    let token = app.token("t").await;
    let mut failed = Value::Null;
    for _ in 0..100 {
        failed = app.get_json(&token, "/api/v1/outbox?status=failed").await;
        if !failed.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let id = failed[0]["id"].as_i64().expect("a failed e-mail");
    let (client, csrf) = sign_in(&app, "admin@example.org").await;
    let (_, outbox) = page(&client, &app, "/dashboard/outbox").await;
    assert!(outbox.contains("550"), "{outbox}");
    smtp.set_mode(crate::smtp::Mode::Accept);
    let r = post(
        &client,
        &app,
        &format!("/dashboard/outbox/{id}/retry"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(smtp.wait_for(1).await.len(), 1);
}
