//! The widget and the dashboard in a real browser: Debian's Chromium driven by playwright-core
//! (tests/browser/scenarios.mjs), against the real server and a second "publisher" origin.
//! Each test checks what landed in the database through the API.

use std::path::{Path, PathBuf};
use std::process::Command;

use actix_web::{web, App, HttpResponse, HttpServer};

use crate::helpers::{spawn_app, Backend};

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

/// A publisher's site on another origin: a page with hostile CSS, and a Spanish page.
async fn publisher_site(app_url: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let app_url = app_url.clone();
        App::new().route(
            "/{page}",
            web::get().to(move |page: web::Path<String>| {
                let app_url = app_url.clone();
                async move {
                    let (lang, style, text) = match page.as_str() {
                        "es" => ("es", "", "La anemia por falta de hierro se trata con comprimidos."),
                        _ => (
                            "en",
                            "<style>* { all: unset !important; } html, body, p, div { display: block !important; }</style>",
                            "A page whose stylesheet resets everything, the widget included if it could.",
                        ),
                    };
                    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
                        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Publisher page</title>\
                         <link rel=\"icon\" href=\"data:,\">{style}</head><body><main><h1>Publisher</h1><p>{text}</p>\
                         <div data-flagpole></div></main><script src=\"{app_url}/widget.js\" async></script></body></html>"
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
    // "localhost" is an allowed host and a different origin from the app's 127.0.0.1.
    format!("http://localhost:{port}")
}

async fn scenario(name: &str) {
    if !tools_present() {
        return;
    }
    let _one_at_a_time = BROWSER.lock().await;
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
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
);
