//! The catalogue against a real site: an HTTP server this test starts on 127.0.0.1 serving a
//! sitemap index, a gzipped sitemap and pages with JSON-LD, a redirect to another host, a slow
//! page, a huge page and a page on a host that is not allowed. `flagpole catalogue sync` is run as
//! an operator runs it; what it stored is read back through the API.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::each_backend;
use crate::helpers::{spawn_app, Backend, TestApp};

/// What the test site serves; the test changes the ibuprofen page between syncs.
struct Site {
    port: u16,
    ibuprofen: Mutex<(&'static str, &'static str)>,
}

const FIRST: (&str, &str) = (
    "2026-10-01",
    "<p>Adults: take 800 mg every 4 hours.</p><p>Do not take ibuprofen if you have had a \
     stomach ulcer.</p>",
);
const SECOND: (&str, &str) = (
    "2026-11-20",
    "<p>Adults: take 200 to 400 mg every 4 to 6 hours.</p><p>Do not take ibuprofen if you \
     have had a stomach ulcer.</p>",
);

impl Site {
    fn start() -> Arc<Site> {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let site = Arc::new(Site {
            port: listener.local_addr().unwrap().port(),
            ibuprofen: Mutex::new(FIRST),
        });
        let serving = site.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let site = serving.clone();
                std::thread::spawn(move || site.answer(stream));
            }
        });
        site
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn answer(&self, mut stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        let mut user_agent = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(ua) = line.to_ascii_lowercase().strip_prefix("user-agent:") {
                user_agent = ua.trim().to_string();
            }
        }
        let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
        if !user_agent.starts_with("flagpole-catalogue/") {
            return respond(&mut stream, "403 Forbidden", &[], b"say who you are");
        }
        let (date, body) = *self.ibuprofen.lock().unwrap();
        match path.as_str() {
            "/sitemap.xml" => {
                let index = format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{}</loc></sitemap>
  <sitemap><loc>/more.xml</loc></sitemap>
</sitemapindex>"#,
                    self.url("/pages.xml.gz")
                );
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "application/xml")],
                    index.as_bytes(),
                )
            }
            "/pages.xml.gz" => {
                let urlset = format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{}</loc><lastmod>{date}</lastmod></url>
  <url><loc>{}</loc></url>
  <url><loc>http://elsewhere.example/medicines/x</loc></url>
</urlset>"#,
                    self.url("/medicines/ibuprofen"),
                    self.url("/medicines/paracetamol"),
                );
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(urlset.as_bytes()).unwrap();
                let gz = gz.finish().unwrap();
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "application/gzip")],
                    &gz,
                )
            }
            "/more.xml" => {
                let urlset = format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{}</loc></url><url><loc>{}</loc></url><url><loc>{}</loc></url>
</urlset>"#,
                    self.url("/moved"),
                    self.url("/slow"),
                    self.url("/huge"),
                );
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "application/xml")],
                    urlset.as_bytes(),
                )
            }
            "/medicines/ibuprofen" => {
                let html = page(
                    "Ibuprofen for adults",
                    date,
                    Some(("2026-09-14", "Dr A. Example")),
                    body,
                );
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "text/html")],
                    html.as_bytes(),
                )
            }
            "/medicines/paracetamol" => {
                let html = page(
                    "Paracetamol",
                    "2026-08-01",
                    None,
                    "<p>Take 500 mg to 1 g.</p>",
                );
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "text/html")],
                    html.as_bytes(),
                )
            }
            "/moved" => {
                let elsewhere = format!("http://127.0.0.2:{}/medicines/ibuprofen", self.port);
                respond(
                    &mut stream,
                    "301 Moved Permanently",
                    &[("Location", &elsewhere)],
                    b"",
                )
            }
            "/slow" => {
                std::thread::sleep(Duration::from_secs(3));
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "text/html")],
                    b"<p>late</p>",
                )
            }
            "/huge" => {
                let html = format!(
                    "<main>{}</main>",
                    "<p>Lorem ipsum dolor sit amet.</p>".repeat(3000)
                );
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "text/html")],
                    html.as_bytes(),
                )
            }
            _ => respond(&mut stream, "404 Not Found", &[], b"not here"),
        }
    }
}

fn page(title: &str, modified: &str, reviewed: Option<(&str, &str)>, body: &str) -> String {
    let mut ld = json!({"@context": "https://schema.org", "@type": "MedicalWebPage",
                        "headline": title, "dateModified": modified});
    if let Some((on, by)) = reviewed {
        ld["lastReviewed"] = json!(on);
        ld["reviewedBy"] = json!({"@type": "Person", "name": by});
    }
    format!(
        r#"<!doctype html><html><head><title>{title} - Health site</title>
<script type="application/ld+json">{ld}</script></head>
<body><nav>Home</nav><main><h1>{title}</h1>{body}</main><footer>Contact us</footer></body></html>"#
    )
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Runs `flagpole catalogue sync` against the app's database; (exit code, stdout, stderr).
fn sync(database_url: &str, site: &Site) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("flagpole.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{}\"\n\n[[sites.catalogue]]\nsitemap = \"{}\"\n\n\
             [catalogue]\ndelay_ms = 0\ntimeout_secs = 1\nmax_page_bytes = 20000\n",
            database_url,
            site.url("/sitemap.xml")
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flagpole"))
        .args(["--config", config.to_str().unwrap(), "catalogue", "sync"])
        .env("RUST_LOG", "error")
        .output()
        .expect("run flagpole");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn run_sync(app: &TestApp, site: &Arc<Site>) -> (i32, String, String) {
    let (url, site) = (app.settings.database.url.expose_url(), site.clone());
    tokio::task::spawn_blocking(move || sync(&url, &site))
        .await
        .expect("sync thread")
}

async fn article_by_url(app: &TestApp, token: &str, url: &str) -> Value {
    let page = app
        .get_json(token, "/api/v1/articles?sort=recent&limit=200")
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["url"] == url)
        .unwrap_or_else(|| panic!("{url} in {page}"))
        .clone()
}

async fn report_status(app: &TestApp, token: &str, id: i64) -> (String, Value) {
    let r = app.get_json(token, &format!("/api/v1/reports/{id}")).await;
    (
        r["passage_status"].as_str().unwrap().to_string(),
        r["passage_revision"].clone(),
    )
}

async fn the_catalogue_reads_a_site_politely(backend: Backend) {
    let site = Site::start();
    let app = spawn_app(backend, |_| {}).await;
    let token = app.token("t").await;
    let ibuprofen = site.url("/medicines/ibuprofen");
    let report = |quote: &'static str| {
        let (app, url) = (&app, ibuprofen.clone());
        async move {
            let r = app
                .post_json(
                    "/api/v1/reports",
                    &json!({"article_url": url, "category": "inaccurate", "quote": quote}),
                )
                .await;
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["report_id"]
                .as_i64()
                .unwrap()
        }
    };
    let fixed = report("Adults: take 800 mg every 4 hours").await;
    let kept = report("do not take IBUPROFEN if you have had a stomach ulcer").await;
    let no_quote = {
        let r = app
            .post_json(
                "/api/v1/reports",
                &json!({"article_url": ibuprofen, "category": "typo"}),
            )
            .await;
        r.json::<Value>().await.unwrap()["report_id"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        report_status(&app, &token, fixed).await.0,
        "unknown",
        "no text known yet"
    );

    let (code, out, err) = run_sync(&app, &site).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains(&format!("[1/6] {ibuprofen}: new, revision 2026-10-01")),
        "{err}"
    );
    assert!(
        out.starts_with("catalogue: 3 sitemap(s), 6 page(s) listed: 2 new, 0 changed, 0 same, 0 unchanged, 1 skipped, 3 failed"),
        "{out}"
    );
    for line in [
        "skipped http://elsewhere.example/medicines/x: elsewhere.example is not in sites.allowed_hosts".to_string(),
        format!("failed {}: redirected to 127.0.0.2, outside sites.allowed_hosts: refused", site.url("/moved")),
        format!("failed {}: timed out after 1 s", site.url("/slow")),
        format!("failed {}: larger than 20000 bytes: not read", site.url("/huge")),
    ] {
        assert!(out.lines().any(|l| l == line), "{line}\n{out}");
    }

    // An article nobody has given feedback on is known, with its page's title and revision.
    let para = article_by_url(&app, &token, &site.url("/medicines/paracetamol")).await;
    assert_eq!(para["title"], "Paracetamol");
    assert_eq!(para["revision"], "2026-08-01");
    assert_eq!(
        (para["helpful"].as_i64(), para["open_reports"].as_i64()),
        (Some(0), Some(0))
    );
    // The page's lastReviewed is a review from the page.
    let ibu = article_by_url(&app, &token, &ibuprofen).await;
    assert_eq!(ibu["reviewed_by"], "Dr A. Example");
    assert!(ibu["last_reviewed_at"]
        .as_str()
        .unwrap()
        .starts_with("2026-09-14"));
    let reviews = app
        .get_json(&token, &format!("/api/v1/articles/{}/reviews", ibu["id"]))
        .await;
    assert_eq!(reviews["items"].as_array().unwrap().len(), 1);
    assert_eq!(reviews["items"][0]["source"], "page");
    // Both passages are on the page as first read.
    for id in [fixed, kept] {
        assert_eq!(
            report_status(&app, &token, id).await,
            ("on_page".to_string(), json!("2026-10-01"))
        );
    }
    assert_eq!(report_status(&app, &token, no_quote).await.0, "unknown");

    // The site changes the page: the reported dose is gone, the other passage stays.
    *site.ibuprofen.lock().unwrap() = SECOND;
    let (code, out, err) = run_sync(&app, &site).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains(&format!(
            "{ibuprofen}: new revision 2026-11-20; 1 reported passage(s) gone"
        )),
        "{err}"
    );
    assert!(
        out.contains("0 new, 1 changed, 1 same, 0 unchanged"),
        "{out}"
    );
    assert_eq!(
        report_status(&app, &token, fixed).await,
        ("gone".to_string(), json!("2026-11-20"))
    );
    assert_eq!(
        report_status(&app, &token, kept).await,
        ("on_page".to_string(), json!("2026-11-20"))
    );
    // A problem says the same of its passage.
    for (report, status) in [(fixed, "gone"), (kept, "on_page")] {
        let r = app
            .get_json(&token, &format!("/api/v1/reports/{report}"))
            .await;
        let problem = r["problem_id"]
            .as_i64()
            .expect("an inaccurate report is in a problem");
        let p = app
            .get_json(&token, &format!("/api/v1/problems/{problem}"))
            .await;
        assert_eq!(
            (p["passage_status"].as_str(), &p["passage_revision"]),
            (Some(status), &json!("2026-11-20")),
            "{p}"
        );
    }
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/articles/{}/reviews", ibu["id"]))
            .await["items"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the same lastReviewed is one review"
    );

    // The dashboard lists the gone passage as possibly fixed; one action resolves it.
    crate::dashboard::add_user(&app, "lee@example.org", false).await;
    let (client, csrf) = crate::dashboard::sign_in(&app, "lee@example.org").await;
    let article_page = format!("/dashboard/articles/{}", ibu["id"]);
    let (_, html) = crate::dashboard::page(&client, &app, &article_page).await;
    assert!(
        html.contains("Possibly fixed in revision 2026-11-20"),
        "{html}"
    );
    assert!(html.contains("passage still on the page (revision 2026-11-20)"));
    let r = crate::dashboard::post(
        &client,
        &app,
        &format!("{article_page}/fixed"),
        &[("csrf", &csrf), ("revision", "2026-11-20")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) =
        crate::dashboard::page(&client, &app, r.headers()["location"].to_str().unwrap()).await;
    assert!(html.contains("Resolved 1 report as fixed."), "{html}");
    assert!(!html.contains("Possibly fixed in revision"));
    let resolved = app
        .get_json(&token, &format!("/api/v1/reports/{fixed}"))
        .await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(
        resolved["events"][0]["note"],
        "Fixed in revision 2026-11-20"
    );
    let still = app
        .get_json(&token, &format!("/api/v1/reports/{kept}"))
        .await;
    assert_eq!(still["status"], "new");

    // Nothing changed: the page with a lastmod is not fetched again.
    let (_, out, _) = run_sync(&app, &site).await;
    assert!(
        out.contains("0 new, 0 changed, 1 same, 1 unchanged"),
        "{out}"
    );
}
each_backend!(the_catalogue_reads_a_site_politely);

/// What an operator sees when the catalogue is not set up, or set up wrong: one line naming
/// the key, and a failing exit code.
#[test]
fn a_missing_or_foreign_sitemap_is_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("flagpole.toml");
    let run = |toml: &str| {
        std::fs::write(&config, toml).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_flagpole"))
            .args(["--config", config.to_str().unwrap(), "catalogue", "sync"])
            .output()
            .expect("run flagpole");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        )
    };
    let (code, err) = run("");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("sites.catalogue: no sitemap configured"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, err) =
        run("[[sites.catalogue]]\nsitemap = \"https://elsewhere.example/sitemap.xml\"\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("sites.catalogue: https://elsewhere.example/sitemap.xml is not on a host in sites.allowed_hosts"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
