//! The widget and the dashboard in a real browser: Debian's Chromium driven by playwright-core
//! (tests/browser/scenarios.mjs), against the real server and a second "publisher" origin.
//! Each test checks what landed in the database through the API.

use std::path::{Path, PathBuf};
use std::process::Command;

use actix_web::{web, App, HttpResponse, HttpServer};

use crate::helpers::{spawn_app, Backend};
use crate::widget::{AR_HELP, UK_HELP};

/// One browser at a time: two cores do not run several Chromiums well.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Whether Chromium and the npm packages are installed; in CI their absence is an error.
fn tools_present() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let present = Path::new(&chromium).exists()
        && browser_dir().join("node_modules/playwright-core").exists()
        && browser_dir().join("node_modules/axe-core").exists();
    if !present && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but Chromium or tests/browser/node_modules is missing: run .ci/run's setup"
        );
    }
    if !present {
        eprintln!("skipping browser test: install chromium and run `npm ci` in tests/browser");
    }
    present
}

/// One page of the publisher's site: its language and direction, the `?…` it loads widget.js
/// with, anything for its `<head>`, and its text.
struct PublisherPage {
    lang: &'static str,
    dir: &'static str,
    query: &'static str,
    head: &'static str,
    title: &'static str,
    text: &'static str,
}

fn publisher_page(name: &str) -> PublisherPage {
    let page = |lang, dir, query, head, title, text| PublisherPage {
        lang,
        dir,
        query,
        head,
        title,
        text,
    };
    match name {
        "es" => page("es", "ltr", "", "", "Anemia", "La anemia por falta de hierro se trata con comprimidos."),
        // Embedded with data-show-corrections.
        "corrections-de" => page("de", "ltr", "", "", "Eisenmangelanämie", "Sie wird mit Eisentabletten und der Behandlung der Ursache behandelt."),
        // The plain URL: the Arabic strings are fetched beside the script.
        "ar" | "nojs-ar" | "fallback-ar" => page("ar", "rtl", "", "", "فقر الدم الناجم عن نقص الحديد", "يُعالَج فقر الدم الناجم عن نقص الحديد بأقراص الحديد وبعلاج السبب."),
        // The Hebrew strings travel inside the script.
        "he" => page("he", "rtl", "?lang=he", "", "אנמיה מחוסר ברזל", "אנמיה מחוסר ברזל מטופלת בטבליות ברזל ובטיפול בגורם."),
        "ja" => page("ja", "ltr", "", "", "鉄欠乏性貧血", "鉄欠乏性貧血は、鉄剤の服用と原因の治療によって改善します。"),
        "zh" => page("zh-Hans-CN", "ltr", "?lang=zh", "", "缺铁性贫血", "缺铁性贫血可通过服用铁剂并治疗病因来改善。"),
        "pl" => page("pl", "ltr", "", "", "Niedokrwistość z niedoboru żelaza", "Leczy się ją tabletkami z żelazem i usuwając przyczynę."),
        "pt-BR" => page("pt-BR", "ltr", "", "", "Anemia por deficiência de ferro", "É tratada com comprimidos de ferro e com o tratamento da causa."),
        "sw" => page("sw", "ltr", "", "", "Upungufu wa damu", "Upungufu wa madini ya chuma hutibiwa kwa vidonge vya chuma."),
        "themed" => page(
            "en",
            "ltr",
            "",
            "<style>:root { --flagpole-accent: #7a1fa2; --flagpole-background: #fffbea; --flagpole-text: #2b2118; \
             --flagpole-border: #7d6e55; --flagpole-font: Georgia, 'DejaVu Serif', serif; --flagpole-radius: 12px; }</style>",
            "A themed page",
            "The widget takes this site's colours, font and corners.",
        ),
        // Each of these fails against the default light background; in dark mode the last three pass.
        "low-contrast" => page(
            "en",
            "ltr",
            "",
            "<style>:root { --flagpole-accent: #9ecbff; --flagpole-text: banana; --flagpole-border: #dddddd; \
             --flagpole-background: #333333; }</style>",
            "A page with pale colours",
            "Its colours would make the widget hard to read, so the widget keeps its own.",
        ),
        _ => page(
            "en",
            "ltr",
            "",
            "<style>* { all: unset !important; } html, body, p, div { display: block !important; }</style>",
            "Publisher",
            "A page whose stylesheet resets everything, the widget included if it could.",
        ),
    }
}

/// A publisher's site on another origin: a page with hostile CSS, pages in several languages
/// and directions, themed pages, and an Arabic page with the no-JavaScript fallback included
/// server-side, as a publisher would.
async fn publisher_site(app_url: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // "localhost" is an allowed host and a different origin from the app's 127.0.0.1.
    let host = format!("http://localhost:{port}");
    let fallback = reqwest::Client::new()
        .get(format!("{app_url}/widget/noscript"))
        .query(&[
            ("article_url", format!("{host}/nojs-ar").as_str()),
            ("lang", "ar"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        // The forms post to server.public_url, which names the configured port, not the one this
        // test's server was given.
        .replace("http://127.0.0.1:8080", &app_url);
    let server = HttpServer::new(move || {
        let (app_url, fallback) = (app_url.clone(), fallback.clone());
        App::new().route(
            "/{page}",
            web::get().to(move |name: web::Path<String>| {
                let (app_url, fallback) = (app_url.clone(), fallback.clone());
                async move {
                    let p = publisher_page(&name);
                    let script = format!("<script src=\"{app_url}/widget.js{}\" async></script>", p.query);
                    // nojs-ar embeds the widget with the fallback for readers without scripts;
                    // fallback-ar is the fallback alone, as a publisher might serve it, for axe,
                    // which needs scripts to run.
                    let widget = match name.as_str() {
                        "nojs-ar" => format!("<div data-flagpole></div><noscript>{fallback}</noscript>{script}"),
                        "fallback-ar" => fallback,
                        "corrections-de" => format!("<div data-flagpole data-show-corrections></div>{script}"),
                        _ => format!("<div data-flagpole></div>{script}"),
                    };
                    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
                        "<!doctype html><html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\
                         <link rel=\"icon\" href=\"data:,\">{}</head><body><main><h1>{}</h1><p>{}</p>{widget}</main></body></html>",
                        p.lang, p.dir, p.title, p.head, p.title, p.text
                    ))
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    host
}

/// What readers who ask for personal advice are told here: the UK text on every site (its
/// `<https://…>` shows whether the widget inserts it as text or as markup), and an Arabic one.
fn signposting(settings: &mut flagpole::config::Settings) {
    let entry = |lang: &str, text: &str| flagpole::config::Signposting {
        hosts: vec!["*".into()],
        lang: lang.into(),
        text: text.into(),
    };
    settings.lanes.signposting = vec![entry("*", UK_HELP), entry("ar", AR_HELP)];
}

async fn scenario(name: &str) {
    if !tools_present() {
        return;
    }
    let _one_at_a_time = BROWSER.lock().await;
    let app = spawn_app(Backend::Sqlite, signposting).await;
    let token = app.token("browser").await;
    let (editor, password) = ("editor@example.org", "a long editor passphrase");
    {
        let target = app.settings.database.url.clone();
        let new =
            flagpole::editors::new_editor("Edie Tor", editor, false, &[], true, true).unwrap();
        let hash = flagpole::auth::passwords::hash(password).unwrap();
        tokio::task::spawn_blocking(move || {
            let mut conn = flagpole::db::open(&target).unwrap();
            flagpole::db::editors::add(&mut conn, &new, flagpole::db::now()).unwrap();
            flagpole::db::editors::set_password_hash(&mut conn, editor, &hash, flagpole::db::now())
                .unwrap();
        })
        .await
        .unwrap();
    }
    let host = publisher_site(app.address.clone()).await;
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/widget-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = tokio::task::spawn_blocking({
        let (address, name) = (app.address.clone(), name.to_string());
        move || {
            Command::new("node")
                .current_dir(browser_dir())
                .arg("scenarios.mjs")
                .env("EDITOR_EMAIL", editor)
                .env("EDITOR_PASSWORD", password)
                .arg(&name)
                .env("APP_URL", address)
                .env("HOST_URL", host)
                .env("TOKEN", token)
                .env("SHOTS_DIR", shots)
                .env("SIGNPOST_EN", UK_HELP)
                .env("SIGNPOST_AR", AR_HELP)
                .output()
                .expect("run node")
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}:\n{stdout}\n{stderr}");
    assert!(stdout.contains(&format!("ok {name}")), "{stdout}");
}

macro_rules! browser_scenarios {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                scenario(stringify!($name)).await;
            }
        )*
    };
}

browser_scenarios!(
    vote_yes,
    vote_no_with_reason,
    report_with_selection,
    keyboard_only_report,
    no_javascript,
    hostile_css,
    spanish,
    failures_keep_input,
    narrow_screen,
    dark_and_reduced_motion,
    dashboard_keyboard_triage,
    dashboard_bulk,
    arabic,
    hebrew,
    japanese,
    chinese,
    plural_counts,
    language_fallbacks,
    themed,
    low_contrast_refused,
    no_javascript_rtl,
    signposting_after_a_question,
    signposting_in_arabic,
    corrections_shown,
);
