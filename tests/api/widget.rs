//! Serving the widget: caching, compression, the demo and the no-JavaScript markup.

use crate::helpers::{spawn_app, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_js_is_cacheable_and_revalidates() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let r = app.client.get(app.url("/widget.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/javascript"));
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Was this article helpful?")
            && body.contains("¿Le resultó útil este artículo?")
    );

    let again = app
        .client
        .get(app.url("/widget.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    let version = etag.trim_matches('"');
    let versioned = app
        .client
        .get(app.url(&format!("/widget.js?v={version}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        versioned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let gz = app
        .client
        .get(app.url("/widget.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let compressed = gz.bytes().await.unwrap().len();
    assert!(compressed <= 8 * 1024, "{compressed} bytes gzipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_page_embeds_the_versioned_widget_and_a_fallback() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let etag = app
        .client
        .get(app.url("/widget.js"))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .to_string();
    let r = app
        .client
        .get(app.url("/widget/demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp
        .split(';')
        .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")));
    let page = r.text().await.unwrap();
    assert!(
        page.contains(&format!("src=\"/widget.js?v={etag}\"")),
        "{page}"
    );
    assert!(page.contains("<div data-flagpole>"));
    assert!(page.contains("<noscript>") && page.contains("action=\"http://127.0.0.1:"));
    assert!(page.contains("\"dateModified\":\"2026-09-14\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noscript_markup_escapes_the_article_url_and_speaks_spanish() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let r = app
        .client
        .get(app.url("/widget/noscript"))
        .query(&[
            (
                "article_url",
                "http://localhost/a?x=\"><script>alert(1)</script>",
            ),
            ("lang", "es"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{html}");
    assert!(html.contains("¿Le resultó útil este artículo?"));
    assert!(
        html.contains("action=\"http://127.0.0.1:8080/f/vote\""),
        "{html}"
    );
    assert!(html.contains("name=\"website\" tabindex=\"-1\""));
}
