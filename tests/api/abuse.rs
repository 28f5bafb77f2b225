//! What a hostile reader could do through the public endpoints, each attack as a test: stuffing
//! votes from one address, flooding alerts through URL variants, renaming articles.

use serde_json::{json, Value};

use crate::each_backend;
use crate::helpers::{article, spawn_app, Backend, TestApp};

/// Votes as if from `address` (through a trusted proxy), with this user agent.
async fn vote_from(app: &TestApp, address: &str, agent: &str, url: &str, helpful: bool) -> u16 {
    app.client
        .post(app.url("/api/v1/votes"))
        .header("x-forwarded-for", address)
        .header("user-agent", agent)
        .json(&json!({"article_url": url, "helpful": helpful}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn counters(app: &TestApp, token: &str, url: &str) -> (i64, i64) {
    let list = app.get_json(token, "/api/v1/articles?limit=200").await;
    let a = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["url"] == url)
        .cloned()
        .unwrap_or(Value::Null);
    (
        a["helpful"].as_i64().unwrap_or(0),
        a["not_helpful"].as_i64().unwrap_or(0),
    )
}

/// One address claiming thirty user agents casts ten counted votes on an article a day; the rest
/// are answered 202 and not counted, so twenty "No" votes cannot set off the unhelpful alert. An
/// IPv6 address counts as its /64.
async fn one_address_cannot_stuff_votes(backend: Backend) {
    let app = spawn_app(backend, |s| {
        s.limits.votes_per_address_per_article = 10;
        s.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let token = app.token("t").await;
    let url = article("/medicines/stuffed");
    let mut answers = Vec::new();
    for i in 0..30 {
        answers.push(vote_from(&app, "203.0.113.7", &format!("agent-{i}"), &url, false).await);
    }
    assert_eq!(answers[..10], [201; 10]);
    assert_eq!(answers[10..], [202; 20]);
    assert_eq!(counters(&app, &token, &url).await, (0, 10));
    // A reader among the ten changes their answer: a replacement, not a new vote.
    assert_eq!(
        vote_from(&app, "203.0.113.7", "agent-3", &url, true).await,
        200
    );
    assert_eq!(counters(&app, &token, &url).await, (1, 9));
    // Another address is another household.
    assert_eq!(
        vote_from(&app, "198.51.100.2", "agent-0", &url, false).await,
        201
    );
    // Any address in one IPv6 /64 is the same network; the next /64 is another.
    for i in 0..12 {
        vote_from(
            &app,
            &format!("2001:db8:5:6::{i:x}"),
            &format!("v6-{i}"),
            &url,
            true,
        )
        .await;
    }
    assert_eq!(
        vote_from(&app, "2001:db8:5:7::1", "v6-other", &url, true).await,
        201
    );
    assert_eq!(counters(&app, &token, &url).await, (1 + 10 + 1, 10));
    let outbox = app.get_json(&token, "/api/v1/outbox").await;
    assert_eq!(
        outbox.as_array().unwrap().len(),
        0,
        "no alert from one address"
    );
}
each_backend!(one_address_cannot_stuff_votes);

/// The rate limit, too, counts an IPv6 /64 as one client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_keys_ipv6_by_its_64() {
    let app = spawn_app(Backend::Sqlite, |s| {
        s.limits.per_minute = 1;
        s.limits.burst = 3;
        s.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let url = article("/rate/v6");
    let mut answers = Vec::new();
    for i in 1..=4 {
        answers.push(
            vote_from(
                &app,
                &format!("2001:db8:1:2::{i}"),
                &format!("a{i}"),
                &url,
                true,
            )
            .await,
        );
    }
    assert_eq!(answers, [201, 201, 201, 429]);
    assert_eq!(
        vote_from(&app, "2001:db8:1:3::1", "b", &url, true).await,
        201
    );
}

async fn harmful_report(app: &TestApp, reader: &str, url: &str) {
    let r = app
        .post_json_as(
            reader,
            "/api/v1/reports",
            &json!({"article_url": url, "category": "harmful", "quote": "take 8 at once"}),
        )
        .await;
    assert_eq!(r.status(), 201);
}

/// Eight requests for `?v=1` … `?v=8` are one article (undeclared query parameters are not part
/// of it): one "could cause harm" e-mail (and one for crossing three open reports), not eight.
async fn url_variants_are_one_article(backend: Backend) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let port = smtp.port;
    let app = spawn_app(backend, move |s| s.smtp.port = port).await;
    app.add_editor("ed@example.org", &[]).await;
    for v in 1..=8 {
        harmful_report(
            &app,
            &format!("r{v}"),
            &article(&format!("/medicines/x?v={v}")),
        )
        .await;
    }
    let mut subjects: Vec<String> = smtp.settle().await.iter().map(|m| m.subject()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "3 readers with open reports on 'http://localhost/medicines/x'",
            "Could cause harm: a reader reported 'http://localhost/medicines/x'"
        ]
    );
    let token = app.token("t").await;
    let list = app.get_json(&token, "/api/v1/articles").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["url"], "http://localhost/medicines/x");
    assert_eq!(items[0]["open_by_category"]["harmful"], 8);
}
each_backend!(url_variants_are_one_article);

/// Past the budget of alert e-mails for a host in an hour, further alerts are folded into one
/// summary per editor, waiting for the end of the hour.
async fn an_alert_flood_becomes_one_summary(backend: Backend) {
    // Not across the turn of an hour: the budget is per clock hour.
    let now = chrono::Utc::now();
    if chrono::Timelike::minute(&now) == 59 {
        tokio::time::sleep(std::time::Duration::from_secs(61)).await;
    }
    let smtp = crate::smtp::SmtpServer::start().await;
    let port = smtp.port;
    let app = spawn_app(backend, move |s| {
        s.smtp.port = port;
        s.alerts.max_per_host_per_hour = 3;
    })
    .await;
    app.add_editor("ed@example.org", &[]).await;
    for i in 1..=8 {
        harmful_report(&app, &format!("r{i}"), &article(&format!("/flood/{i}"))).await;
    }
    let sent = smtp.settle().await;
    assert_eq!(
        sent.len(),
        3,
        "the budget's worth of alert e-mails, no more"
    );
    let token = app.token("t").await;
    let outbox = app.get_json(&token, "/api/v1/outbox?status=pending").await;
    let waiting = outbox.as_array().unwrap();
    assert_eq!(waiting.len(), 1, "{outbox}");
    let summary = &waiting[0];
    assert!(
        summary["subject"]
            .as_str()
            .unwrap()
            .starts_with("5 more alerts on localhost ("),
        "{summary}"
    );
    let due: chrono::DateTime<chrono::Utc> = summary["next_attempt_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(chrono::Timelike::minute(&due), 0, "due when the hour ends");
    assert!(due > chrono::Utc::now());
    // The alerts themselves are all raised: each article shows it.
    for i in 1..=8 {
        let list = app
            .get_json(&token, &format!("/api/v1/articles?q=/flood/{i}"))
            .await;
        let id = list["items"][0]["id"].as_i64().unwrap();
        let a = app
            .get_json(&token, &format!("/api/v1/articles/{id}"))
            .await;
        assert_eq!(a["alerts"][2]["firing"], true, "article {i}");
    }
}
each_backend!(an_alert_flood_becomes_one_summary);

/// A reader cannot rename an article, nor forge lines in an editor's e-mail through a title.
async fn titles_are_one_line_and_the_first_one_stays(backend: Backend) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let port = smtp.port;
    let app = spawn_app(backend, move |s| s.smtp.port = port).await;
    app.add_editor("ed@example.org", &[]).await;
    let url = article("/medicines/aspirin");
    let send = |reader: &'static str, title: &'static str| {
        let (app, url) = (&app, url.clone());
        async move {
            let r = app
                .post_json_as(
                    reader,
                    "/api/v1/reports",
                    &json!({"article_url": url, "category": "harmful", "title": title}),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
    };
    send(
        "first",
        "Aspirin\nIn flagpole: https://phishing.example/login",
    )
    .await;
    send("second", "=1+2").await;
    let token = app.token("t").await;
    let list = app.get_json(&token, "/api/v1/articles").await;
    assert_eq!(
        list["items"][0]["title"], "Aspirin In flagpole: https://phishing.example/login",
        "the first title, on one line; the second reader renamed nothing"
    );
    let mail = smtp.wait_for(1).await;
    let text = mail[0].text();
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("In flagpole: https://phishing")),
        "no line of the e-mail starts where a reader's text says: {text}"
    );
    assert!(
        text.contains("> Aspirin In flagpole: https://phishing.example/login"),
        "{text}"
    );
}
each_backend!(titles_are_one_line_and_the_first_one_stays);
