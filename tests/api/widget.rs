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

/// What a site tells readers who ask for personal advice: a generic text, one for the UK site
/// (`localhost`) in English and in Arabic, and one in Spanish for every site. The tests of the
/// fallback, the form and the browser use the same.
pub const UK_HELP: &str = "We can't give personal medical advice. Ask a pharmacist <https://www.nhs.uk/service-search/pharmacy> or call 111; in an emergency call 999.";
pub const AR_HELP: &str =
    "لا يمكننا تقديم استشارة طبية شخصية. إذا احتجت إلى مساعدة فاتصل بالرقم 111، وفي حالات الطوارئ اتصل بالرقم 999.";
pub const ES_HELP: &str = "No podemos dar consejo médico personal. Si necesita ayuda, consulte a su médico; en una emergencia, llame al 112.";
pub const ANY_HELP: &str =
    "We can't give personal medical advice here. In an emergency, call your local emergency number.";

pub fn configure_signposting(settings: &mut flagpole::config::Settings) {
    let entry = |hosts: &[&str], lang: &str, text: &str| flagpole::config::Signposting {
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        lang: lang.into(),
        text: text.into(),
    };
    settings.lanes.signposting = vec![
        entry(&["*"], "*", ANY_HELP),
        entry(&["localhost"], "en", UK_HELP),
        entry(&["localhost"], "ar", AR_HELP),
        entry(&["*"], "es", ES_HELP),
    ];
}

/// The markup of the fallback's `#flagpole-help` target.
fn help_target(html: &str) -> &str {
    html.split("id=\"flagpole-help\"")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .unwrap_or_else(|| panic!("no #flagpole-help in {html}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noscript_shows_the_sites_signposting_at_flagpole_help() {
    let app = spawn_app(Backend::Sqlite, configure_signposting).await;
    let escaped = |s: &str| s.replace('<', "&lt;").replace('>', "&gt;");
    // (article, page language, the text at #flagpole-help, the thank-you beside it)
    let cases = [
        (
            "http://localhost/medicines/ibuprofen",
            "en",
            UK_HELP,
            "Thank you. Your report has been sent to our editors.",
        ),
        // en-GB is spoken as en; the UK site's English text, not the generic one.
        (
            "http://localhost/medicines/ibuprofen",
            "en-GB",
            UK_HELP,
            "Thank you. Your report has been sent to our editors.",
        ),
        (
            "http://localhost/medicines/ibuprofen",
            "ar-EG",
            AR_HELP,
            "شكرًا لك. أُرسل بلاغك إلى فريق التحرير لدينا.",
        ),
        // The Spanish text is for every site; a language with no text of its own gets the generic.
        (
            "http://localhost/medicines/ibuprofen",
            "es",
            ES_HELP,
            "Gracias. Su informe se ha enviado a nuestros editores.",
        ),
        (
            "http://127.0.0.1/medicines/ibuprofen",
            "es",
            ES_HELP,
            "Gracias. Su informe se ha enviado a nuestros editores.",
        ),
        (
            "http://localhost/medicines/ibuprofen",
            "fr",
            ANY_HELP,
            "Merci. Votre signalement a été transmis à notre rédaction.",
        ),
        // The UK site's English text is for that site only.
        (
            "http://127.0.0.1/medicines/ibuprofen",
            "en",
            ANY_HELP,
            "Thank you. Your report has been sent to our editors.",
        ),
    ];
    let table: serde_json::Map<String, Value> =
        serde_json::from_str(include_str!("../../src/widget/strings.json")).unwrap();
    for (url, lang, help, thanks) in cases {
        let r = noscript(&app, &[("article_url", url), ("lang", lang)]).await;
        assert_eq!(r.status(), 200, "{url} {lang}");
        let html = r.text().await.unwrap();
        let target = help_target(&html);
        assert!(target.contains(&escaped(help)), "{url} {lang}: {target}");
        let code = lang.split('-').next().unwrap();
        assert_eq!(
            table[code]["reported"], thanks,
            "{lang}: the test's thank-you"
        );
        assert!(
            target.contains(&format!("<p>{}</p>", escaped(thanks))),
            "{url} {lang}: {target}"
        );
        // Announced, in its own direction, and shown only when the form sends the reader there.
        assert!(target.starts_with(" role=\"status\""), "{target}");
        assert!(
            target.contains("class=\"flagpole-signpost\" dir=\"auto\""),
            "{target}"
        );
        assert!(
            html.contains("#flagpole-help:target{display:block}"),
            "{html}"
        );
        // The other texts are not in the page at all.
        for other in [UK_HELP, AR_HELP, ES_HELP, ANY_HELP]
            .iter()
            .filter(|t| **t != help)
        {
            assert!(!html.contains(&escaped(other)), "{url} {lang}: {other}");
        }
        // The report form says what it is for, tied to its first question, and carries the
        // language the fallback speaks (which the sorting and the signposting use).
        let purpose = table[code]["report_purpose"].as_str().unwrap();
        assert!(
            html.contains(&format!(
                "<p id=\"flagpole-report-purpose\">{}</p>",
                escaped(purpose)
            )),
            "{lang}: {html}"
        );
        assert!(
            html.contains("<fieldset aria-describedby=\"flagpole-report-purpose\">"),
            "{html}"
        );
        assert!(
            html.contains(&format!("name=\"lang\" value=\"{code}\"")),
            "{html}"
        );
    }
}

/// The same words whichever way the reader reported: the API's answer to the widget, the form's
/// redirect to `#flagpole-help`, and the fallback that shows them there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_posted_to_the_form_comes_back_to_flagpole_help() {
    let app = spawn_app(Backend::Sqlite, configure_signposting).await;
    let question = "Can I take ibuprofen with my blood pressure tablets? I'm 72";
    let form = |category: &str, details: &str, lang: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair(
                "article_url",
                "http://localhost/medicines/ibuprofen?ref=nav",
            )
            .append_pair("category", category)
            .append_pair("details", details)
            .append_pair("lang", lang)
            .finish()
            .into_bytes()
    };
    let r = app
        .post_raw(
            "/f/report",
            "application/x-www-form-urlencoded",
            form("other", question, "en"),
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "http://localhost/medicines/ibuprofen?ref=nav#flagpole-help"
    );
    // A problem with the article goes back to the plain thank-you.
    let r = app
        .post_raw(
            "/f/report",
            "application/x-www-form-urlencoded",
            form(
                "typo",
                "\"ibuprofen\" is misspelt in the second heading",
                "en",
            ),
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "http://localhost/medicines/ibuprofen?ref=nav#flagpole-reported"
    );
    // The widget gets the text the fallback shows for that host and language.
    for (lang, help) in [("en", UK_HELP), ("ar", AR_HELP), ("es", ES_HELP)] {
        let r = app
            .post_json(
                "/api/v1/reports",
                &serde_json::json!({
                    "article_url": "http://localhost/medicines/ibuprofen",
                    "category": "other",
                    "details": question,
                    "lang": lang,
                }),
            )
            .await;
        assert_eq!(r.status(), 201);
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["signpost"], help, "{lang}: {answer}");
        let html = noscript(
            &app,
            &[
                ("article_url", "http://localhost/medicines/ibuprofen"),
                ("lang", lang),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
        let shown = help.replace('<', "&lt;").replace('>', "&gt;");
        assert!(help_target(&html).contains(&shown), "{lang}: {html}");
    }
}
