//! Single sign-on against a real OpenID provider: panva's oidc-provider (tests/oidc/provider.js,
//! installed by `npm ci` in tests/oidc), started on 127.0.0.1 for each test. The test plays the
//! browser: it follows the redirects from flagpole to the provider and back with one cookie jar,
//! and the provider's interaction step signs in the account the test names.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use flagpole::config::{OidcSettings, Settings};
use flagpole::domain::{EditorId, Role};
use url::Url;

use crate::helpers::{spawn_app, Backend, TestApp};

const CLIENT_SECRET: &str = "a client secret for the test provider";

fn provider_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Whether the provider's npm packages are installed; in CI their absence is an error.
fn provider_installed() -> bool {
    let present = provider_dir().join("node_modules/oidc-provider").exists();
    if !present && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but tests/oidc/node_modules is missing: run .ci/run's setup");
    }
    if !present {
        eprintln!("skipping single sign-on test: run `npm ci` in tests/oidc");
    }
    present
}

/// The provider process; killed when the test ends.
struct Provider {
    child: Child,
    issuer: Url,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    /// A provider that gives the e-mail claims from its user info endpoint, or also in the ID
    /// token when `claims_in_id_token`.
    async fn start(redirect_uri: String, claims_in_id_token: bool) -> Provider {
        let mut child = Command::new("node")
            .arg("provider.js")
            .current_dir(provider_dir())
            .env("CLIENT_ID", "flagpole")
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .env(
                "CLAIMS_IN_ID_TOKEN",
                if claims_in_id_token { "1" } else { "0" },
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node on PATH runs tests/oidc/provider.js");
        // Its output shows with a failing test's. Both pipes are read to the end: a provider
        // writing to a closed pipe would die of EPIPE.
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || forward(stderr, None));
        let stdout = child.stdout.take().expect("stdout");
        let (first, rest) = std::sync::mpsc::channel();
        std::thread::spawn(move || forward(stdout, Some(first)));
        let line = tokio::task::spawn_blocking(move || rest.recv())
            .await
            .unwrap()
            .expect("provider prints its port");
        let port: u16 = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("provider said {line:?}"));
        let issuer: Url = format!("http://127.0.0.1:{port}").parse().unwrap();
        let provider = Provider { child, issuer };
        let discovery = provider
            .issuer
            .join("/.well-known/openid-configuration")
            .unwrap();
        for _ in 0..50 {
            if let Ok(r) = reqwest::get(discovery.clone()).await {
                if r.status() == 200 {
                    return provider;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the provider's discovery document never answered");
    }
}

/// Copies the provider's output to the test's, the first line also to `first`.
fn forward(from: impl std::io::Read, mut first: Option<std::sync::mpsc::Sender<String>>) {
    for line in BufReader::new(from).lines().map_while(Result::ok) {
        eprintln!("provider: {line}");
        if let Some(first) = first.take() {
            let _ = first.send(line);
        }
    }
}

/// flagpole with `[auth.oidc]` pointing at a fresh provider. The app's port is chosen first, so
/// that the provider knows the redirect URI before flagpole knows the issuer.
async fn sso_app(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<(TestApp, Provider)> {
    sso_app_with(backend, false, configure).await
}

async fn sso_app_with(
    backend: Backend,
    claims_in_id_token: bool,
    configure: impl FnOnce(&mut Settings),
) -> Option<(TestApp, Provider)> {
    if !provider_installed() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let public: Url = format!("http://127.0.0.1:{port}").parse().unwrap();
    let provider = Provider::start(
        format!("{public}dashboard/sso/callback"),
        claims_in_id_token,
    )
    .await;
    let issuer = provider.issuer.clone();
    let app = spawn_app(backend, move |s| {
        s.server.bind = ([127, 0, 0, 1], port).into();
        s.server.public_url = public;
        s.auth.oidc = Some(OidcSettings {
            issuer: issuer.as_str().trim_end_matches('/').into(),
            client_id: "flagpole".into(),
            client_secret: CLIENT_SECRET.into(),
            display_name: "Example Health".into(),
            allowed_domains: vec!["allowed.example".into()],
            scopes: vec!["email".into(), "profile".into()],
        });
        configure(s);
    })
    .await;
    Some((app, provider))
}

/// A browser: one cookie jar for flagpole and the provider, redirects followed by the test.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response, base: &Url) -> Url {
    let to = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("a Location header");
    base.join(to).expect("a URL")
}

/// Clicks "Sign in with …" and signs in at the provider as `account`: the URL the provider
/// sends the browser back to flagpole with, not yet followed.
async fn through_provider(app: &TestApp, browser: &reqwest::Client, account: &str) -> Url {
    let start = Url::parse(&app.url("/dashboard/sso?next=/dashboard/lanes")).unwrap();
    let r = browser.get(start.clone()).send().await.unwrap();
    assert_eq!(r.status(), 303, "sent to the provider");
    let mut url = location(&r, &start);
    let asked: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    for key in ["state", "nonce", "code_challenge", "redirect_uri"] {
        assert!(asked.iter().any(|k| k == key), "{key} in {url}");
    }
    assert!(url
        .query_pairs()
        .any(|(k, v)| k == "code_challenge_method" && v == "S256"));
    for _ in 0..10 {
        if url.path() == "/dashboard/sso/callback" {
            return url;
        }
        if url.path().starts_with("/interaction/") {
            url.query_pairs_mut().append_pair("account", account);
        }
        let r = browser.get(url.clone()).send().await.unwrap();
        assert!(
            r.status().is_redirection(),
            "{} at {url}: {}",
            r.status(),
            r.text().await.unwrap_or_default()
        );
        url = location(&r, &url);
    }
    panic!("never sent back to flagpole");
}

fn param(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} in {url}"))
}

fn with_param(url: &Url, name: &str, value: &str) -> Url {
    let mut changed = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    changed.query_pairs_mut().clear().extend_pairs(pairs);
    changed
}

/// The dashboard's answer to this browser: 200 when signed in, a redirect to sign-in otherwise.
async fn dashboard(app: &TestApp, browser: &reqwest::Client) -> (u16, String) {
    let r = browser.get(app.url("/dashboard")).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Follows the provider's answer: status, body and whether a session cookie was set.
async fn back_at_flagpole(browser: &reqwest::Client, url: Url) -> (u16, String, bool) {
    let r = browser.get(url).send().await.unwrap();
    let session = r.cookies().any(|c| c.name() == "flagpole_session");
    (r.status().as_u16(), r.text().await.unwrap(), session)
}

async fn an_editor_signs_in_and_lands_on_the_dashboard(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |_| {}).await else {
        return;
    };
    app.add_editor("ed@example.org", &["localhost"]).await;

    let page = app
        .client
        .get(app.url("/dashboard/login"))
        .send()
        .await
        .unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Sign in with Example Health"), "{page}");
    // A link: a form would be stopped by the CSP's form-action when it redirects away.
    assert!(
        page.contains(r#"href="/dashboard/sso?next=%2Fdashboard""#),
        "{page}"
    );
    assert!(page.contains(r#"type="password""#), "passwords stay on");

    let ed = browser();
    let back = through_provider(&app, &ed, "ed").await;
    let r = ed.get(back).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get("refresh").and_then(|v| v.to_str().ok()),
        Some("0;url=/dashboard/lanes"),
        "moves on to where the editor was going"
    );
    let text = r.text().await.unwrap();
    assert!(text.contains("Continue to the dashboard"), "{text}");
    let (status, body) = dashboard(&app, &ed).await;
    assert_eq!(status, 200, "signed in: {body}");
    assert!(body.contains("Sign out ed@example.org"), "{body}");
    let lanes = ed.get(app.url("/dashboard/lanes")).send().await.unwrap();
    assert_eq!(lanes.status(), 200);
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"flagpole_sso_sign_ins_total{outcome="signed_in"}"#),
        "{metrics}"
    );
}
crate::each_backend!(an_editor_signs_in_and_lands_on_the_dashboard);

/// A provider that puts the address in the ID token: matched from there, verified flag included.
async fn the_address_may_come_in_the_id_token(backend: Backend) {
    let Some((app, _provider)) = sso_app_with(backend, true, |_| {}).await else {
        return;
    };
    app.add_editor("ed@example.org", &[]).await;
    let ed = browser();
    let back = through_provider(&app, &ed, "ed").await;
    assert_eq!(back_at_flagpole(&ed, back).await.0, 200);
    assert_eq!(dashboard(&app, &ed).await.0, 200);

    let sly = browser();
    let back = through_provider(&app, &sly, "sly").await;
    let (status, body, session) = back_at_flagpole(&sly, back).await;
    assert_eq!((status, session), (403, false), "{body}");
}
crate::each_backend!(the_address_may_come_in_the_id_token);

async fn a_wrong_state_is_refused(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |_| {}).await else {
        return;
    };
    app.add_editor("ed@example.org", &[]).await;
    let ed = browser();
    let back = through_provider(&app, &ed, "ed").await;

    let forged = with_param(&back, "state", "a-state-flagpole-never-made");
    let (status, body, session) = back_at_flagpole(&ed, forged).await;
    assert_eq!(status, 400);
    assert!(body.contains("expired, was used already"), "{body}");
    assert!(!session);
    assert_eq!(dashboard(&app, &ed).await.0, 303, "not signed in");

    // The right answer in another browser (someone sent a link): it has no state cookie.
    let (status, _, session) = back_at_flagpole(&browser(), back.clone()).await;
    assert_eq!((status, session), (400, false));

    // An answer claiming another issuer (RFC 9207's `iss`): refused, and that attempt is over.
    assert_eq!(
        param(&back, "iss"),
        app.settings.auth.oidc.as_ref().unwrap().issuer
    );
    let other = browser();
    let second = through_provider(&app, &other, "ed").await;
    let mixed_second = with_param(&second, "iss", "https://elsewhere.example");
    let (status, body, session) = back_at_flagpole(&other, mixed_second).await;
    assert_eq!((status, session), (403, false));
    assert!(body.contains("another issuer"), "{body}");

    // The refusals used nothing up: the browser that asked still gets in.
    let (status, _, session) = back_at_flagpole(&ed, back).await;
    assert_eq!((status, session), (200, true));
}
crate::each_backend!(a_wrong_state_is_refused);

async fn a_replayed_code_is_refused(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |_| {}).await else {
        return;
    };
    app.add_editor("ed@example.org", &[]).await;
    let ed = browser();
    let back = through_provider(&app, &ed, "ed").await;
    let (status, _, _) = back_at_flagpole(&ed, back.clone()).await;
    assert_eq!(status, 200);

    // The same answer again, with the state cookie it came with: the attempt is used up.
    let state = param(&back, "state");
    let r = reqwest::Client::new()
        .get(back.clone())
        .header("cookie", format!("flagpole_sso={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(!r.cookies().any(|c| c.name() == "flagpole_session"));

    // The used code under a fresh attempt's state: the provider refuses it.
    let other = browser();
    let fresh = through_provider(&app, &other, "ed").await;
    let replay = with_param(&fresh, "code", &param(&back, "code"));
    let (status, body, session) = back_at_flagpole(&other, replay).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("the code was refused"), "{body}");
    assert!(!session);
    assert_eq!(dashboard(&app, &other).await.0, 303, "not signed in");
}
crate::each_backend!(a_replayed_code_is_refused);

async fn an_unverified_address_is_refused(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |_| {}).await else {
        return;
    };
    app.add_editor("ed@example.org", &[]).await;
    let sly = browser();
    // "sly" claims Ed's address, but the provider has not verified it.
    let back = through_provider(&app, &sly, "sly").await;
    let (status, body, session) = back_at_flagpole(&sly, back).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("did not give a verified e-mail address"),
        "{body}"
    );
    assert!(!session);
    assert_eq!(dashboard(&app, &sly).await.0, 303);
}
crate::each_backend!(an_unverified_address_is_refused);

async fn unknown_addresses_and_disabled_editors_are_refused(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |_| {}).await else {
        return;
    };
    app.add_editor("gone@example.org", &[]).await;
    disable(&app, "gone@example.org").await;

    let olly = browser();
    let back = through_provider(&app, &olly, "outsider").await;
    let (status, body, session) = back_at_flagpole(&olly, back).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("olly@elsewhere.example is not an editor here"),
        "{body}"
    );
    assert!(!session);
    assert!(editor(&app, "olly@elsewhere.example").await.is_none());

    let gone = browser();
    let back = through_provider(&app, &gone, "gone").await;
    let (status, body, session) = back_at_flagpole(&gone, back).await;
    assert_eq!(status, 403);
    assert!(body.contains("gone@example.org is disabled"), "{body}");
    assert!(!session);

    let refuser = browser();
    let back = through_provider(&app, &refuser, "refuse").await;
    let (status, body, _) = back_at_flagpole(&refuser, back).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("did not sign you in (access_denied)"),
        "{body}"
    );
}
crate::each_backend!(unknown_addresses_and_disabled_editors_are_refused);

async fn an_allowed_domain_adds_an_editor_owning_nothing(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |_| {}).await else {
        return;
    };
    let nia = browser();
    let back = through_provider(&app, &nia, "newcomer").await;
    let (status, _, session) = back_at_flagpole(&nia, back).await;
    assert_eq!((status, session), (200, true));

    let (status, body) = dashboard(&app, &nia).await;
    assert_eq!(status, 200);
    assert!(body.contains("Sign out Nia Newcomer"), "{body}");
    assert!(!body.contains("/dashboard/editors"), "not an administrator");
    let added = editor(&app, "nia@allowed.example")
        .await
        .expect("added on first sign-in, address lower-cased");
    assert_eq!(added.role, Role::Editor);
    assert!(added.scopes.is_empty(), "owns nothing");
    assert!(added.active && added.password_hash.is_none());

    // The second sign-in finds the same editor.
    let again = browser();
    let back = through_provider(&app, &again, "newcomer").await;
    assert_eq!(back_at_flagpole(&again, back).await.0, 200);
    let same = editor(&app, "nia@allowed.example").await.unwrap();
    assert_eq!(same.id, added.id);
}
crate::each_backend!(an_allowed_domain_adds_an_editor_owning_nothing);

async fn with_passwords_off_only_single_sign_on_signs_in(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |s| s.auth.passwords = false).await else {
        return;
    };
    app.add_editor("ed@example.org", &[]).await;
    set_password(&app, "ed@example.org", "correct horse battery staple").await;

    let page = app
        .client
        .get(app.url("/dashboard/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in with Example Health"), "{page}");
    assert!(
        !page.contains(r#"type="password""#),
        "no password form: {page}"
    );

    let ed = browser();
    let r = ed
        .post(app.url("/dashboard/login"))
        .form(&[
            ("email", "ed@example.org"),
            ("password", "correct horse battery staple"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(!r.cookies().any(|c| c.name() == "flagpole_session"));
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Signing in with a password is turned off"),
        "{body}"
    );
    assert_eq!(dashboard(&app, &ed).await.0, 303);

    let back = through_provider(&app, &ed, "ed").await;
    assert_eq!(back_at_flagpole(&ed, back).await.0, 200);
    assert_eq!(dashboard(&app, &ed).await.0, 200);
}
crate::each_backend!(with_passwords_off_only_single_sign_on_signs_in);

async fn editor(app: &TestApp, email: &'static str) -> Option<flagpole::db::editors::Editor> {
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).expect("open");
        flagpole::db::editors::by_email(&mut conn, email).expect("query")
    })
    .await
    .unwrap()
}

async fn disable(app: &TestApp, email: &'static str) {
    let id = EditorId(editor(app, email).await.expect("editor").id);
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).expect("open");
        flagpole::editors::set_active(&mut conn, id, false).expect("disable")
    })
    .await
    .unwrap()
}

async fn set_password(app: &TestApp, email: &'static str, password: &'static str) {
    let id = EditorId(editor(app, email).await.expect("editor").id);
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).expect("open");
        flagpole::editors::set_password(&mut conn, id, password).expect("password")
    })
    .await
    .unwrap()
}

/// Single sign-on counts against the password form's limit per client address.
async fn sign_in_attempts_are_limited_per_address(backend: Backend) {
    let Some((app, _provider)) = sso_app(backend, |_| {}).await else {
        return;
    };
    let client = browser();
    let wrong = |n: usize| {
        [
            ("email", format!("nobody{n}@example.org")),
            ("password", "wrong".to_string()),
        ]
    };
    for n in 0..5 {
        let r = client
            .post(app.url("/dashboard/login"))
            .form(&wrong(n))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = client.get(app.url("/dashboard/sso")).send().await.unwrap();
        assert_eq!(r.status(), 303, "attempt {n}");
    }
    let r = client.get(app.url("/dashboard/sso")).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let body = r.text().await.unwrap();
    assert!(body.contains("Too many sign-in attempts"), "{body}");
    let r = client
        .get(app.url("/dashboard/sso/callback?state=a&code=b"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}
crate::each_backend!(sign_in_attempts_are_limited_per_address);
