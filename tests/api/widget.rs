//! Serving the widget: its languages, caching, compression and size, the demo and the
//! no-JavaScript markup.

use serde_json::Value;

use crate::helpers::{spawn_app, Backend, TestApp};

/// Every language the widget speaks, from the one table of strings.
fn languages() -> Vec<String> {
    let table: serde_json::Map<String, Value> =
        serde_json::from_str(include_str!("../../src/widget/strings.json")).unwrap();
    table.keys().cloned().collect()
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Bytes on the wire for a reader whose browser accepts gzip.
async fn gzipped_size(app: &TestApp, path: &str) -> usize {
    let r = get(app, path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(header(&r, "content-encoding"), "gzip", "{path}");
    r.bytes().await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_js_is_cacheable_and_revalidates() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let r = get(&app, "/widget.js", &[]).await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("application/javascript"));
    assert_eq!(header(&r, "cache-control"), "public, max-age=3600");
    let etag = header(&r, "etag");
    let body = r.text().await.unwrap();
    // The plain script carries no language: it fetches its page's.
    assert!(!body.contains("Was this article helpful?") && !body.contains("¿Le resultó útil"));
    assert!(body.contains("\"ar\"") && body.contains("/widget/strings/"));

    let again = get(&app, "/widget.js", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    // The ETag is "<version>-<variant>"; the version makes URLs that are cached for a year.
    let version = etag
        .trim_matches('"')
        .split('-')
        .next()
        .unwrap()
        .to_string();
    let versioned = get(&app, &format!("/widget.js?v={version}"), &[]).await;
    assert_eq!(
        header(&versioned, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let stale = get(&app, "/widget.js?v=0123456789abcdef", &[]).await;
    assert_eq!(header(&stale, "cache-control"), "public, max-age=3600");

    let gz = get(&app, "/widget.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    assert!(header(&gz, "vary").contains("Accept-Encoding"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_language_variant_has_its_own_etag_and_falls_back() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let spanish = get(&app, "/widget.js?lang=es", &[]).await;
    let spanish_etag = header(&spanish, "etag");
    let body = spanish.text().await.unwrap();
    assert!(body.contains("¿Le resultó útil este artículo?"));
    assert!(
        !body.contains("Was this article helpful?"),
        "one language only"
    );

    let plain = header(&get(&app, "/widget.js", &[]).await, "etag");
    let arabic = header(&get(&app, "/widget.js?lang=ar", &[]).await, "etag");
    assert!(spanish_etag != plain && spanish_etag != arabic && plain != arabic);
    // Another variant's ETag does not revalidate this one.
    let r = get(
        &app,
        "/widget.js?lang=ar",
        &[("if-none-match", &spanish_etag)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = get(&app, "/widget.js?lang=ar", &[("if-none-match", &arabic)]).await;
    assert_eq!(r.status(), 304);

    // pt-BR gets Portuguese; a language we lack gets English.
    let brazil = get(&app, "/widget.js?lang=pt-BR", &[]).await;
    assert_eq!(
        header(&brazil, "etag"),
        header(&get(&app, "/widget.js?lang=pt", &[]).await, "etag")
    );
    assert!(brazil
        .text()
        .await
        .unwrap()
        .contains("Este artigo foi útil?"));
    let swahili = get(&app, "/widget.js?lang=sw", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(swahili.contains("Was this article helpful?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_language_is_served_on_its_own() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let r = get(
        &app,
        "/widget/strings/he.json",
        &[("origin", "http://localhost:3000")],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("application/json"));
    assert_eq!(header(&r, "cache-control"), "public, max-age=3600");
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        "http://localhost:3000"
    );
    let etag = header(&r, "etag");
    let hebrew: Value = r.json().await.unwrap();
    assert_eq!(hebrew["dir"], "rtl");
    assert_eq!(hebrew["yes"], "כן");
    assert_eq!(hebrew["chars_left"]["one"], "נותר תו אחד");
    let again = get(&app, "/widget/strings/he.json", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    let version = etag
        .trim_matches('"')
        .split('-')
        .next()
        .unwrap()
        .to_string();
    let versioned = get(&app, &format!("/widget/strings/he.json?v={version}"), &[]).await;
    assert_eq!(
        header(&versioned, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    for missing in [
        "/widget/strings/xx.json",
        "/widget/strings/he",
        "/widget/strings/he.js",
    ] {
        let r = get(&app, missing, &[]).await;
        assert_eq!(r.status(), 404, "{missing}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{missing}");
    }
}

/// What a reader downloads before the widget works, in every language, by either route: the
/// script with the language inlined, or the plain script and the language's strings beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_downloads_at_most_8_kib_in_any_language() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let plain = gzipped_size(&app, "/widget.js").await;
    let mut largest = (0, String::new());
    for lang in languages() {
        let inlined = gzipped_size(&app, &format!("/widget.js?lang={lang}")).await;
        let beside = plain + gzipped_size(&app, &format!("/widget/strings/{lang}.json")).await;
        eprintln!("{lang}: widget.js?lang={lang} {inlined} B; widget.js + {lang}.json {beside} B");
        for (size, route) in [(inlined, "inlined"), (beside, "beside")] {
            if size > largest.0 {
                largest = (size, format!("{lang}, {route}"));
            }
        }
    }
    eprintln!("largest: {} B ({})", largest.0, largest.1);
    assert!(
        largest.0 <= 8 * 1024,
        "{} bytes gzipped for {}",
        largest.0,
        largest.1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_page_embeds_the_versioned_widget_and_a_fallback() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let etag = header(&get(&app, "/widget.js", &[]).await, "etag");
    let version = etag
        .trim_matches('"')
        .split('-')
        .next()
        .unwrap()
        .to_string();
    let r = get(&app, "/widget/demo", &[]).await;
    assert_eq!(r.status(), 200);
    let csp = header(&r, "content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp
        .split(';')
        .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")));
    let page = r.text().await.unwrap();
    assert!(
        page.contains(&format!("src=\"/widget.js?lang=en&amp;v={version}\"")),
        "{page}"
    );
    assert!(page.contains("<div data-flagpole>"));
    assert!(page.contains("<noscript>") && page.contains("action=\"http://127.0.0.1:"));
    assert!(page.contains("\"dateModified\":\"2026-09-14\""));
}

async fn noscript(app: &TestApp, query: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .get(app.url("/widget/noscript"))
        .query(query)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noscript_markup_escapes_the_article_url_and_speaks_spanish() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let r = noscript(
        &app,
        &[
            (
                "article_url",
                "http://localhost/a?x=\"><script>alert(1)</script>",
            ),
            ("lang", "es"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{html}");
    assert!(html.contains("¿Le resultó útil este artículo?"));
    assert!(html.contains("lang=\"es\" dir=\"ltr\""), "{html}");
    assert!(
        html.contains("Puede escribir hasta 4000 caracteres"),
        "{html}"
    );
    assert!(
        html.contains("action=\"http://127.0.0.1:8080/f/vote\""),
        "{html}"
    );
    assert!(
        html.contains("action=\"http://127.0.0.1:8080/f/report\""),
        "{html}"
    );
    assert!(html.contains("name=\"website\" tabindex=\"-1\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noscript_markup_in_right_to_left_and_fallback_languages() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let url = "http://localhost/medicines/ibuprofen";
    let arabic = noscript(&app, &[("article_url", url), ("lang", "ar-EG")]).await;
    assert_eq!(arabic.status(), 200);
    let html = arabic.text().await.unwrap();
    assert!(html.contains("lang=\"ar\" dir=\"rtl\""), "{html}");
    assert!(html.contains("هل كانت هذه المقالة مفيدة؟"));
    // 1000 takes the "other" form in Arabic; Polish's 4000 the "many".
    assert!(html.contains("يمكنك إدخال 1000 حرف كحد أقصى"), "{html}");
    let polish = noscript(&app, &[("article_url", url), ("lang", "pl")]).await;
    assert!(polish
        .text()
        .await
        .unwrap()
        .contains("Możesz wpisać maksymalnie 4000 znaków"));

    for tag in ["pt-BR", "pt_BR"] {
        let brazil = noscript(&app, &[("article_url", url), ("lang", tag)]).await;
        assert_eq!(brazil.status(), 200, "{tag}");
        let html = brazil.text().await.unwrap();
        assert!(html.contains("lang=\"pt\" dir=\"ltr\""), "{tag}");
    }
    let unknown = noscript(&app, &[("article_url", url), ("lang", "sw")]).await;
    assert_eq!(unknown.status(), 200);
    let html = unknown.text().await.unwrap();
    assert!(html.contains("lang=\"en\"") && html.contains("Was this article helpful?"));
    let none = noscript(&app, &[("article_url", url)]).await;
    assert!(none
        .text()
        .await
        .unwrap()
        .contains("Was this article helpful?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noscript_refuses_missing_or_bad_parameters_in_json() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let url = "http://localhost/medicines/ibuprofen";
    type Query<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Query, u16, &str, &str); 6] = [
        (&[], 422, "invalid_field", "article_url"),
        (&[("article_url", " ")], 422, "invalid_field", "article_url"),
        (
            &[("article_url", "not a url")],
            422,
            "invalid_field",
            "article_url",
        ),
        (
            &[("article_url", "ftp://localhost/a")],
            422,
            "invalid_field",
            "article_url",
        ),
        (
            &[("article_url", "https://elsewhere.example/a")],
            403,
            "host_not_allowed",
            "article_url",
        ),
        (
            &[("article_url", url), ("lang", "not a language!")],
            422,
            "invalid_field",
            "lang",
        ),
    ];
    for (query, status, code, field) in cases {
        let r = noscript(&app, query).await;
        assert_eq!(r.status().as_u16(), status, "{query:?}");
        assert!(
            header(&r, "content-type").starts_with("application/json"),
            "{query:?}"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{query:?}: {body}");
        assert_eq!(body["error"]["field"], field, "{query:?}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{query:?}: the message names the parameter: {body}"
        );
    }
}
