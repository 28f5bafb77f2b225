//! Webhooks end to end: subscriptions made on the dashboard and with the CLI, events raised by
//! real reports, triage and the digest, delivered to a real HTTP receiver on 127.0.0.1 that checks
//! every signature and can drop the connection, stall past the time-out, answer 500 or accept.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::dashboard::{add_user, page, post, sign_in};
use crate::each_backend;
use crate::helpers::{article, spawn_app, Backend, TestApp};

/// What the receiver does with the next request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// Closes the connection without answering.
    Drop,
    /// Answers 200, but only after this long (past the sender's time-out).
    Stall(Duration),
    Status(u16),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub body: Value,
    pub raw: String,
    pub delivery: String,
    pub event: String,
    /// The signature matched the secret and the timestamp was fresh.
    pub verified: bool,
}

#[derive(Default)]
struct State {
    secrets: Vec<String>,
    script: VecDeque<Reply>,
    got: Vec<Received>,
}

/// A webhook receiver: answers 200 unless scripted otherwise, and verifies each signature as
/// the README tells receivers to.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
}

/// The README's check: HMAC-SHA256 of "<t>.<body>" under the secret, t within five minutes.
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

impl Receiver {
    pub async fn start(script: &[Reply]) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            script: script.iter().copied().collect(),
            ..State::default()
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let state = state.clone();
                        async move { answer(state, req).await }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    // A dropped connection ends here with an error: that is the point.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        Receiver {
            url: format!("http://{addr}/hook"),
            state,
        }
    }

    /// The secret signatures are checked against (a receiver serving several subscriptions
    /// accepts any of theirs).
    pub fn trust(&self, secret: &str) {
        self.state.lock().unwrap().secrets.push(secret.to_string());
    }

    pub fn got(&self) -> Vec<Received> {
        self.state.lock().unwrap().got.clone()
    }

    /// Waits until `n` requests have come (or fails after `secs`).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let until = Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < until,
                "expected {n} requests, got {}: {got:#?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What came, after giving stragglers time to arrive.
    pub async fn settle(&self) -> Vec<Received> {
        tokio::time::sleep(Duration::from_secs(3)).await;
        self.got()
    }
}

async fn answer(
    state: Arc<Mutex<State>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (signature, delivery, event) = (
        header("flagpole-signature"),
        header("flagpole-delivery"),
        header("flagpole-event"),
    );
    let content_type = header("content-type");
    let raw = req.into_body().collect().await.unwrap().to_bytes();
    let reply = {
        let mut s = state.lock().unwrap();
        let verified = s.secrets.iter().any(|k| verify(k, &signature, &raw));
        assert_eq!(content_type, "application/json");
        s.got.push(Received {
            body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
            raw: String::from_utf8_lossy(&raw).into_owned(),
            delivery,
            event,
            verified,
        });
        s.script.pop_front()
    };
    let status = match reply {
        None => 200,
        Some(Reply::Status(code)) => code,
        Some(Reply::Stall(d)) => {
            tokio::time::sleep(d).await;
            200
        }
        Some(Reply::Drop) => {
            return Err(std::io::Error::other("dropped on purpose"));
        }
    };
    Ok(Response::builder()
        .status(status)
        .body(Full::new(Bytes::from_static(b"ok")))
        .unwrap())
}

/// An app whose webhooks may target 127.0.0.1 and retry within seconds.
async fn app(backend: Backend, max_attempts: i32) -> TestApp {
    spawn_app(backend, move |s| {
        s.webhooks.allow_private_targets = true;
        s.webhooks.retry_base_secs = 1;
        s.webhooks.poll_secs = 1;
        s.webhooks.timeout_secs = 1;
        s.webhooks.max_attempts = max_attempts;
        s.server.public_url = "https://feedback.example.org".parse().unwrap();
    })
    .await
}

/// Subscribes on the dashboard; returns the secret the page shows once.
async fn subscribe(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    url: &str,
    events: &[&str],
    format: &str,
    include_text: bool,
) -> String {
    let mut form = vec![("csrf", csrf), ("url", url), ("format", format)];
    for e in events {
        form.push(("events", e));
    }
    if include_text {
        form.push(("include_text", "1"));
    }
    let r = post(client, app, "/dashboard/webhooks", &form).await;
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    let re = regex::Regex::new(r#"<code class="token">(whsec_[0-9a-f]{64})</code>"#).unwrap();
    re.captures(&body).expect("the secret, shown once")[1].to_string()
}

async fn admin(app: &TestApp) -> (reqwest::Client, String) {
    add_user(app, "admin@example.org", true).await;
    sign_in(app, "admin@example.org").await
}

/// A report that the classifier puts in the editors' queue.
async fn queue_report(app: &TestApp, reader: &str, url: &str, body: Value) -> Value {
    let mut body = body;
    body["article_url"] = json!(url);
    body["title"] = json!("Ibuprofen for adults");
    let r = app.post_json_as(reader, "/api/v1/reports", &body).await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

fn dose_report() -> Value {
    json!({
        "category": "harmful",
        "quote": "Take 8 tablets at once",
        "details": "The leaflet says no more than 2 tablets at once; 8 could cause real harm. Reply to reader@example.com",
        "email": "consenting.reader@example.net",
        "contact_consent": true,
    })
}

async fn retries_until_the_receiver_accepts(backend: Backend) {
    let app = app(backend, 6).await;
    let (client, csrf) = admin(&app).await;
    let receiver = Receiver::start(&[
        Reply::Drop,
        Reply::Stall(Duration::from_secs(3)),
        Reply::Status(500),
    ])
    .await;
    let secret = subscribe(
        &app,
        &client,
        &csrf,
        &receiver.url,
        &["report.created"],
        "json",
        false,
    )
    .await;
    receiver.trust(&secret);
    queue_report(&app, "r", &article("/medicines/ibuprofen"), dose_report()).await;

    let got = receiver.wait_for(4, 40).await;
    assert_eq!(receiver.settle().await.len(), 4, "delivered once accepted");
    assert!(got.iter().all(|r| r.verified), "{got:#?}");
    // One delivery, attempted four times: same id, same body, fresh signatures.
    assert!(got
        .iter()
        .all(|r| r.delivery == got[0].delivery && r.raw == got[0].raw));
    assert!(got[0].delivery.parse::<i64>().is_ok());
    assert!(got.iter().all(|r| r.event == "report.created"));

    let (_, page) = page(&client, &app, "/dashboard/webhooks").await;
    assert!(page.contains("sent · 4 attempts"), "{page}");
    assert!(page.contains("Nothing has failed."), "{page}");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for result in ["retry", "sent"] {
        assert!(
            metrics.contains(&format!(
                "flagpole_webhooks_total{{kind=\"report.created\",result=\"{result}\"}}"
            )),
            "{metrics}"
        );
    }
}
each_backend!(retries_until_the_receiver_accepts);

async fn fails_after_max_attempts_and_an_admin_retries(backend: Backend) {
    let app = app(backend, 2).await;
    let (client, csrf) = admin(&app).await;
    let receiver = Receiver::start(&[Reply::Status(500), Reply::Status(503)]).await;
    let secret = subscribe(
        &app,
        &client,
        &csrf,
        &receiver.url,
        &["report.created"],
        "slack",
        false,
    )
    .await;
    receiver.trust(&secret);
    queue_report(&app, "r", &article("/medicines/ibuprofen"), dose_report()).await;
    receiver.wait_for(2, 20).await;

    // Failed for good: listed with the receiver's answer and a retry button.
    let until = Instant::now() + Duration::from_secs(10);
    let listing = loop {
        let (_, listing) = page(&client, &app, "/dashboard/webhooks").await;
        if listing.contains("Failed deliveries (1)") || Instant::now() > until {
            break listing;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(listing.contains("Failed deliveries (1)"), "{listing}");
    assert!(listing.contains("the receiver answered 503"), "{listing}");
    assert_eq!(
        receiver.settle().await.len(),
        2,
        "no attempt after the last"
    );
    let re = regex::Regex::new(r#"action="(/dashboard/webhooks/deliveries/\d+/retry)""#).unwrap();
    let retry = re.captures(&listing).expect("a retry button")[1].to_string();

    let r = post(&client, &app, &retry, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    let got = receiver.wait_for(3, 10).await;
    assert!(got
        .iter()
        .all(|r| r.verified && r.delivery == got[0].delivery));
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, listing) = page(&client, &app, "/dashboard/webhooks").await;
        if listing.contains("Nothing has failed.") && listing.contains("sent · 1 attempt") {
            break;
        }
        assert!(Instant::now() < until, "{listing}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Retrying what has not failed finds nothing.
    let r = post(&client, &app, &retry, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 404);
}
each_backend!(fails_after_max_attempts_and_an_admin_retries);

fn of<'a>(got: &'a [Received], event: &str) -> Vec<&'a Received> {
    got.iter().filter(|r| r.event == event).collect()
}

async fn each_event_arrives_once_in_each_format(backend: Backend) {
    let app = app(backend, 3).await;
    let (client, csrf) = admin(&app).await;
    app.add_editor("ed@example.org", &[]).await;
    let all = [
        "alert.fired",
        "report.created",
        "problem.resolved",
        "digest.ready",
    ];
    let (json_rx, slack_rx, teams_rx, text_rx) = (
        Receiver::start(&[]).await,
        Receiver::start(&[]).await,
        Receiver::start(&[]).await,
        Receiver::start(&[]).await,
    );
    for (rx, format, text) in [
        (&json_rx, "json", false),
        (&slack_rx, "slack", false),
        (&teams_rx, "teams", false),
        (&text_rx, "json", true),
    ] {
        let secret = subscribe(&app, &client, &csrf, &rx.url, &all, format, text).await;
        rx.trust(&secret);
    }

    let url = article("/medicines/ibuprofen");
    let created = queue_report(&app, "a", &url, dose_report()).await;
    let report_id = created["report_id"].as_i64().unwrap();
    let article_id = created["article_id"].as_i64().unwrap();
    // Spam never reaches the queue: no report.created for it.
    let spam = queue_report(
        &app,
        "s",
        &url,
        json!({"category": "other", "details": "cheap pills http://a.test http://b.test http://c.test http://d.test http://e.test buy now"}),
    )
    .await;
    let token = app.token("triage").await;
    let spam = app
        .get_json(&token, &format!("/api/v1/reports/{}", spam["report_id"]))
        .await;
    assert_ne!(spam["lane"], "queue", "{spam}");
    let detail = app
        .get_json(&token, &format!("/api/v1/reports/{report_id}"))
        .await;
    let problem_id = detail["problem_id"].as_i64().expect("a problem");
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/problems/{problem_id}")))
        .bearer_auth(&token)
        .json(&json!({"status": "resolved", "note": "Dose corrected to 2 tablets"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The digest, queued twice (as two instances might): digest.ready once.
    let settings = app.settings.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&settings.database.url).unwrap();
        let hooks = Arc::new(flagpole::webhooks::Hooks::new(
            settings.server.public_url.as_str(),
        ));
        hooks.refresh(&mut conn).unwrap();
        let digests = flagpole::digest::Digests::from_settings(
            &settings,
            Arc::new(tokio::sync::Notify::new()),
        )
        .with_webhooks(hooks);
        let week: flagpole::digest::IsoWeek = "2026-W48".parse().unwrap();
        for _ in 0..2 {
            digests
                .enqueue_week(&mut conn, week, chrono::Utc::now())
                .unwrap();
        }
    })
    .await
    .unwrap();

    for rx in [&json_rx, &slack_rx, &teams_rx, &text_rx] {
        rx.wait_for(4, 20).await;
        let got = rx.settle().await;
        for event in all {
            assert_eq!(of(&got, event).len(), 1, "{event}: {got:#?}");
        }
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(got.iter().all(|r| r.verified));
        for r in &got {
            // No reader's e-mail address, in any format, whether given with consent or typed
            // into the text.
            assert!(
                !r.raw.contains("reader@example.com") && !r.raw.contains("consenting.reader"),
                "{}",
                r.raw
            );
        }
    }

    // The JSON format: versioned, with ids and dashboard links; reader text only when asked.
    let json_got = json_rx.got();
    let created = &of(&json_got, "report.created")[0].body;
    assert_eq!(created["version"], 1);
    assert_eq!(created["event"], "report.created");
    assert_eq!(created["article"]["id"], article_id);
    assert_eq!(created["article"]["url"], url);
    assert_eq!(created["article"]["title"], "Ibuprofen for adults");
    assert_eq!(
        created["article"]["dashboard_url"],
        format!("https://feedback.example.org/dashboard/articles/{article_id}")
    );
    assert_eq!(created["report"]["id"], report_id);
    assert_eq!(created["report"]["problem_id"], problem_id);
    assert_eq!(created["report"]["category"], "harmful");
    assert_eq!(
        created["report"]["dashboard_url"],
        format!("https://feedback.example.org/dashboard/articles/{article_id}#report-{report_id}")
    );
    assert!(created["report"].get("quote").is_none(), "{created}");
    assert!(!json_got[0].raw.contains("8 tablets"));
    assert!(created["occurred_at"].as_str().unwrap().ends_with('Z'));

    let alert = &of(&json_got, "alert.fired")[0].body;
    assert_eq!(alert["article"]["id"], article_id);
    assert_eq!(alert["alerts"][0]["figures"]["kind"], "immediate");
    assert_eq!(alert["alerts"][0]["figures"]["category"], "harmful");
    assert!(
        alert["alerts"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Could cause harm"),
        "{alert}"
    );
    let resolved = &of(&json_got, "problem.resolved")[0].body;
    assert_eq!(resolved["problem"]["id"], problem_id);
    assert_eq!(resolved["problem"]["report_ids"], json!([report_id]));
    assert_eq!(resolved["problem"]["note"], "Dose corrected to 2 tablets");
    let digest = &of(&json_got, "digest.ready")[0].body;
    assert_eq!(digest["digest"]["week"], "2026-W48");
    assert_eq!(digest["digest"]["from"], "2026-11-23");
    assert_eq!(digest["digest"]["to"], "2026-11-29");
    assert_eq!(digest["digest"]["recipients"], 2);

    // include_text: the reader's words, with the address they typed redacted.
    let text_got = text_rx.got();
    let with_text = &of(&text_got, "report.created")[0].body;
    assert_eq!(with_text["report"]["quote"], "Take 8 tablets at once");
    let details = with_text["report"]["details"].as_str().unwrap();
    assert!(
        details.starts_with("The leaflet says no more than 2 tablets"),
        "{details}"
    );

    // Slack: an incoming-webhook message whose blocks read well in a channel.
    let slack_got = slack_rx.got();
    let created = &of(&slack_got, "report.created")[0].body;
    assert_eq!(
        created["text"],
        "New report: Could cause harm on 'Ibuprofen for adults'"
    );
    let blocks = created["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "section");
    assert_eq!(blocks[0]["text"]["type"], "mrkdwn");
    assert!(blocks[0]["text"]["text"]
        .as_str()
        .unwrap()
        .starts_with("*New report: Could cause harm on 'Ibuprofen for adults'*"));
    let button = &blocks.last().unwrap()["elements"][0];
    assert_eq!(button["type"], "button");
    assert_eq!(
        button["url"],
        format!("https://feedback.example.org/dashboard/articles/{article_id}#report-{report_id}")
    );
    assert!(!slack_got.iter().any(|r| r.raw.contains("8 tablets")));
    let resolved = &of(&slack_got, "problem.resolved")[0].body;
    assert!(resolved["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("Note: Dose corrected to 2 tablets"));

    // Teams: a message with one Adaptive Card.
    let teams_got = teams_rx.got();
    let alert = &of(&teams_got, "alert.fired")[0].body;
    assert_eq!(alert["type"], "message");
    let card = &alert["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    assert_eq!(
        card["content"]["body"][0]["text"],
        "Alert: 'Ibuprofen for adults' needs attention"
    );
    assert_eq!(card["content"]["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(
        card["content"]["actions"][0]["url"],
        format!("https://feedback.example.org/dashboard/articles/{article_id}")
    );
    assert!(!teams_got.iter().any(|r| r.raw.contains("8 tablets")));
    if std::env::var("WEBHOOK_SHOW").is_ok() {
        for r in slack_got.iter().chain(&teams_got).chain(&json_got) {
            eprintln!(
                "{} {}",
                r.event,
                serde_json::to_string_pretty(&r.body).unwrap()
            );
        }
    }
}
each_backend!(each_event_arrives_once_in_each_format);

async fn inner_network_targets_are_refused(backend: Backend) {
    let app = spawn_app(backend, |_| {}).await;
    let (client, csrf) = admin(&app).await;
    for (url, why) in [
        ("http://hooks.example.com/x", "must be an https:// URL"),
        (
            "https://127.0.0.1/x",
            "a loopback, private or link-local address",
        ),
        (
            "https://10.0.0.7/x",
            "a loopback, private or link-local address",
        ),
        (
            "https://169.254.169.254/latest",
            "a loopback, private or link-local address",
        ),
        (
            "https://[::1]/x",
            "a loopback, private or link-local address",
        ),
        (
            "https://localhost:8443/x",
            "a loopback, private or link-local address",
        ),
    ] {
        let r = post(
            &client,
            &app,
            "/dashboard/webhooks",
            &[
                ("csrf", &csrf),
                ("url", url),
                ("events", "alert.fired"),
                ("format", "slack"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422, "{url}");
        let page = r.text().await.unwrap();
        assert!(
            page.contains("Not subscribed:") && page.contains(why),
            "{url}: {page}"
        );
        // The form keeps what was typed.
        assert!(page.contains(&format!("value=\"{url}\"")), "{page}");
    }
    // Bad events and formats are refused with a readable reason too.
    let r = post(
        &client,
        &app,
        "/dashboard/webhooks",
        &[
            ("csrf", &csrf),
            ("url", "https://93.184.215.14/x"),
            ("format", "slack"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("name at least one event"));
    let (_, page) = page(&client, &app, "/dashboard/webhooks").await;
    assert!(page.contains("No subscriptions yet."), "{page}");
    // Editors cannot reach the page, nor can anyone signed out.
    let r = crate::dashboard::browser()
        .get(app.url("/dashboard/webhooks"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    add_user(&app, "ed@example.org", false).await;
    let (editor, _) = sign_in(&app, "ed@example.org").await;
    let r = editor
        .get(app.url("/dashboard/webhooks"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
each_backend!(inner_network_targets_are_refused);

async fn test_and_remove_from_the_dashboard(backend: Backend) {
    let app = app(backend, 3).await;
    let (client, csrf) = admin(&app).await;
    let rx = Receiver::start(&[]).await;
    let secret = subscribe(
        &app,
        &client,
        &csrf,
        &rx.url,
        &["digest.ready"],
        "teams",
        false,
    )
    .await;
    rx.trust(&secret);
    let (_, listing) = page(&client, &app, "/dashboard/webhooks").await;
    assert!(!listing.contains(&secret), "the secret is shown once only");
    let re = regex::Regex::new(r#"action="(/dashboard/webhooks/(\d+))/test""#).unwrap();
    let caps = re.captures(&listing).expect("a test button");
    let (base, _id) = (caps[1].to_string(), caps[2].to_string());
    let r = post(&client, &app, &format!("{base}/test"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    let got = rx.wait_for(1, 10).await;
    assert_eq!(got[0].event, "webhook.test");
    assert!(got[0].verified);
    assert_eq!(
        got[0].body["attachments"][0]["content"]["body"][0]["text"],
        "Test from flagpole"
    );

    let r = post(&client, &app, &format!("{base}/remove"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    let (_, listing) = page(&client, &app, "/dashboard/webhooks").await;
    assert!(listing.contains("No subscriptions yet."), "{listing}");
    let r = post(&client, &app, &format!("{base}/test"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 404);
}
each_backend!(test_and_remove_from_the_dashboard);

/// `flagpole …` in `dir`, off the async threads (the receiver runs on them).
async fn cli(dir: &std::path::Path, args: &[&str], allow_private: bool) -> (i32, String, String) {
    let (dir, args) = (
        dir.to_path_buf(),
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
    );
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_flagpole"));
        cmd.current_dir(&dir).args(&args);
        if allow_private {
            cmd.env("FLAGPOLE__WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true");
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_adds_lists_tests_and_removes() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start(&[]).await;
    let (code, _, err) = cli(dir.path(), &["migrate"], false).await;
    assert_eq!(code, 0, "{err}");

    // Refusals: one line naming the argument.
    for (args, allow, says) in [
        (
            vec!["webhook", "add", &rx.url, "--events", "alert.fired,nope"],
            true,
            "flagpole: --events: unknown event \"nope\"",
        ),
        (
            vec![
                "webhook",
                "add",
                &rx.url,
                "--events",
                "alert.fired",
                "--format",
                "xml",
            ],
            true,
            "flagpole: --format: unknown format \"xml\"; choose json, slack or teams",
        ),
        (
            vec!["webhook", "add", &rx.url, "--events", "alert.fired"],
            false,
            "flagpole: URL: must be an https:// URL",
        ),
    ] {
        let (code, out, err) = cli(dir.path(), &args, allow).await;
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with(says), "{err}");
    }

    let (code, secret, err) = cli(
        dir.path(),
        &[
            "webhook",
            "add",
            &rx.url,
            "--events",
            "report.created,digest.ready",
            "--format",
            "slack",
        ],
        true,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let secret = secret.trim().to_string();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 70,
        "{secret}"
    );
    assert!(err.contains("not shown again"), "{err}");
    rx.trust(&secret);

    let (code, list, _) = cli(dir.path(), &["webhook", "list"], false).await;
    assert_eq!(code, 0);
    assert_eq!(
        list.lines()
            .next()
            .unwrap()
            .split('\t')
            .take(5)
            .collect::<Vec<_>>(),
        vec![
            "1",
            rx.url.as_str(),
            "report.created,digest.ready",
            "slack",
            "no reader text"
        ]
    );
    assert!(!list.contains(&secret), "list never shows the secret");

    let (code, out, err) = cli(dir.path(), &["webhook", "test", "1"], true).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("delivered test "), "{out}");
    let got = rx.wait_for(1, 5).await;
    assert_eq!(got[0].event, "webhook.test");
    assert!(got[0].verified);
    assert_eq!(got[0].body["text"], "Test from flagpole");

    // A receiver that is down: the test says so and stays queued for `serve` to retry. And a
    // URL the configuration no longer allows is refused when sending, not only when subscribing.
    let down = [
        "webhook",
        "add",
        "http://127.0.0.1:9/x",
        "--events",
        "alert.fired",
    ];
    assert_eq!(cli(dir.path(), &down, true).await.0, 0);
    let (code, _, err) = cli(dir.path(), &["webhook", "test", "2"], true).await;
    assert_eq!(code, 1);
    assert!(
        err.starts_with("flagpole: webhook 2: test 2 not delivered: cannot connect")
            && err
                .trim_end()
                .ends_with("(it stays queued; `flagpole serve` retries it)"),
        "{err}"
    );
    let (code, _, err) = cli(dir.path(), &["webhook", "test", "2"], false).await;
    assert_eq!(code, 1);
    assert_eq!(
        err.trim(),
        "flagpole: webhook 2: test 3 not delivered: URL refused: must be an https:// URL (http:// only with webhooks.allow_private_targets)"
    );

    let (code, out, _) = cli(dir.path(), &["webhook", "remove", "1"], false).await;
    assert_eq!((code, out.trim()), (0, "removed webhook 1"));
    let (code, _, err) = cli(dir.path(), &["webhook", "remove", "1"], false).await;
    assert_eq!((code, err.trim()), (1, "flagpole: webhook not found"));
    let (code, _, err) = cli(dir.path(), &["webhook", "test", "abc"], false).await;
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("'<ID>'"), "{err}");
}
