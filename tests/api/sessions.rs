//! Sessions end when they should: a new password or a disabled editor signs them out everywhere,
//! whether the change came from the CLI or the dashboard, and enabling revives nothing.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{spawn_app, Backend, TestApp};

const PASSWORD: &str = "correct horse battery staple";

async fn flagpole(app: &TestApp, args: &'static [&'static str], stdin: &'static str) {
    let url = app.settings.database.url.expose_url();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flagpole"))
            .args(args)
            .env("FLAGPOLE__DATABASE__URL", url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run flagpole");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        child.wait_with_output().expect("flagpole ends")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn sign_in(app: &TestApp, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(app.url("/dashboard/login"))
        .form(&[("email", "ed@example.org"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "signed in");
    client
}

/// 200 while the session lives, a redirect to sign-in once it has ended.
async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    let r = client.get(app.url("/dashboard")).send().await.unwrap();
    r.status() == 200
}

async fn a_new_password_or_disabling_ends_every_session(backend: Backend) {
    let app = spawn_app(backend, |_| {}).await;
    flagpole(
        &app,
        &["editor", "add", "ed@example.org", "--name", "Ed"],
        "",
    )
    .await;
    flagpole(
        &app,
        &["editor", "set-password", "ed@example.org"],
        "correct horse battery staple\n",
    )
    .await;
    let laptop = sign_in(&app, PASSWORD).await;
    let phone = sign_in(&app, PASSWORD).await;
    assert!(signed_in(&app, &laptop).await && signed_in(&app, &phone).await);

    flagpole(
        &app,
        &["editor", "set-password", "ed@example.org"],
        "a different passphrase\n",
    )
    .await;
    assert!(
        !signed_in(&app, &laptop).await,
        "a new password ends old sessions"
    );
    assert!(!signed_in(&app, &phone).await);

    let laptop = sign_in(&app, "a different passphrase").await;
    flagpole(&app, &["editor", "disable", "ed@example.org"], "").await;
    assert!(!signed_in(&app, &laptop).await, "disabling ends sessions");
    flagpole(&app, &["editor", "enable", "ed@example.org"], "").await;
    assert!(!signed_in(&app, &laptop).await, "enabling revives none");
    assert!(signed_in(&app, &sign_in(&app, "a different passphrase").await).await);
}
crate::each_backend!(a_new_password_or_disabling_ends_every_session);
