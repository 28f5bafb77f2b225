//! Editor accounts without the server: invitations and password resets by one-time links that
//! arrive at a real SMTP receiver, administrators changing and removing editors, the last
//! administrator kept, and CSRF on every form — over HTTP and from the CLI.

use std::process::{Command, Output, Stdio};

use flagpole::db::DbConn;

use crate::dashboard::{browser, csrf_of, page, post, PASSWORD};
use crate::each_backend;
use crate::helpers::{article, spawn_app, Backend, TestApp};
use crate::smtp::{Received, SmtpServer};

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn with_smtp(backend: Backend) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let app = spawn_app(backend, move |s| s.smtp.port = port).await;
    (app, smtp)
}

/// Adds an editor with a name and the test password, as `flagpole editor add` and
/// `set-password` would.
async fn add_named(app: &TestApp, name: &str, email: &str, admin: bool) {
    let target = app.settings.database.url.clone();
    let new = flagpole::editors::new_editor(name, email, admin, &[], true, true).unwrap();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).unwrap();
        let id = flagpole::editors::add(&mut conn, &new).unwrap();
        flagpole::editors::set_password(&mut conn, id, PASSWORD).unwrap();
    })
    .await
    .unwrap();
}

async fn sign_in_with(
    app: &TestApp,
    email: &str,
    password: &str,
) -> Option<(reqwest::Client, String)> {
    let client = browser();
    let r = client
        .post(app.url("/dashboard/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    if r.status() != 303 {
        return None;
    }
    let (_, body) = page(&client, app, "/dashboard").await;
    let csrf = csrf_of(&body);
    Some((client, csrf))
}

async fn sign_in(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    sign_in_with(app, email, PASSWORD).await.expect("signed in")
}

async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    page(client, app, "/dashboard").await.0 == 200
}

/// The path of the one-time link in an e-mail, checked to be the same in both parts.
fn link_in(mail: &Received) -> String {
    let re = regex::Regex::new(r"https?://[^\s/]+(/dashboard/password/[A-Za-z0-9_-]+)").unwrap();
    let text = mail.text();
    let path = re.captures(&text).expect("a link in the text part")[1].to_string();
    assert!(mail.html().contains(&path), "{}", mail.html());
    path
}

/// Runs SQL against the test database (to move a link's expiry into the past).
async fn sql(app: &TestApp, statement: &'static str) {
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn: DbConn = flagpole::db::open(&target).unwrap();
        let conn = &mut conn;
        flagpole::with_conn!(conn, |c| diesel::RunQueryDsl::execute(
            diesel::sql_query(statement),
            c
        ))
        .unwrap();
    })
    .await
    .unwrap();
}

/// The id in the forms of the editors page's row for `email`.
fn editor_id(editors_page: &str, email: &str) -> String {
    let row = editors_page
        .split("<tr>")
        .find(|row| row.contains(&format!(r#"<td data-label="E-mail">{email}</td>"#)))
        .unwrap_or_else(|| panic!("{email} not listed: {editors_page}"));
    let re = regex::Regex::new(r#"/dashboard/editors/(\d+)""#).unwrap();
    re.captures(row).expect("an editor id")[1].to_string()
}

async fn invitation_to_signed_in(backend: Backend) {
    let (app, smtp) = with_smtp(backend).await;
    add_named(&app, "Amal Admin", "admin@example.org", true).await;
    let (admin, csrf) = sign_in(&app, "admin@example.org").await;
    let r = post(
        &admin,
        &app,
        "/dashboard/editors",
        &[
            ("csrf", &csrf),
            ("name", "Nadia Okafor"),
            ("email", "Nadia@Example.org"),
            ("owns", "localhost/medicines"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, list) = page(&admin, &app, "/dashboard/editors").await;
    assert!(
        list.contains("nadia@example.org") && list.contains("invited"),
        "{list}"
    );

    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail.to, vec!["nadia@example.org".to_string()]);
    assert_eq!(mail.subject(), "Amal Admin invited you to flagpole");
    let text = mail.text();
    println!("--- invitation ---\n{text}");
    assert!(text.starts_with("Hello Nadia Okafor,"), "{text}");
    assert!(
        text.contains("as an editor") && text.contains("(72 hours)"),
        "{text}"
    );
    assert!(
        text.contains("you will sign in with this address, nadia@example.org")
            || text.contains("You will sign in with this address, nadia@example.org"),
        "{text}"
    );
    assert!(
        mail.header("List-Unsubscribe").is_none(),
        "nothing to unsubscribe from"
    );
    let link = link_in(&mail);

    // Nobody can sign in before a password is chosen.
    assert!(sign_in_with(&app, "nadia@example.org", NEW_PASSWORD)
        .await
        .is_none());
    let nadia = browser();
    let (status, body) = page(&nadia, &app, &link).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Welcome to flagpole") && body.contains("Hello Nadia Okafor"),
        "{body}"
    );
    let r = post(
        &nadia,
        &app,
        &link,
        &[
            ("password", NEW_PASSWORD),
            ("confirm", "something else entirely"),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The two passwords are not the same."));
    let r = post(
        &nadia,
        &app,
        &link,
        &[("password", "short"), ("confirm", "short")],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("at least 12 characters"));
    let r = post(
        &nadia,
        &app,
        &link,
        &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dashboard");
    let (status, home) = page(&nadia, &app, "/dashboard").await;
    assert_eq!(status, 200, "signed in by choosing the password");
    assert!(home.contains("Sign out Nadia Okafor"), "{home}");
    assert!(sign_in_with(&app, "nadia@example.org", NEW_PASSWORD)
        .await
        .is_some());

    // The outbox sent it as an invitation, and kept no copy of the link.
    let mut kept = None;
    for _ in 0..50 {
        let target = app.settings.database.url.clone();
        let rows = tokio::task::spawn_blocking(move || {
            let mut conn = flagpole::db::open(&target).unwrap();
            flagpole::db::outbox::list(&mut conn, None, 10).unwrap()
        })
        .await
        .unwrap();
        kept = rows.into_iter().find(|r| {
            r.kind == flagpole::domain::MailKind::Invitation
                && r.status == flagpole::domain::OutboxStatus::Sent
        });
        if kept.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let kept = kept.expect("the invitation is marked sent");
    assert!(
        !kept.body_text.contains(&link) && !kept.body_html.contains(&link),
        "{}",
        kept.body_text
    );

    // The link worked once.
    let (status, body) = page(&browser(), &app, &link).await;
    assert_eq!(status, 410);
    assert!(body.contains("This link has been used"), "{body}");
    let r = post(
        &browser(),
        &app,
        &link,
        &[
            ("password", "another passphrase!"),
            ("confirm", "another passphrase!"),
        ],
    )
    .await;
    assert_eq!(r.status(), 410);
    assert!(
        sign_in_with(&app, "nadia@example.org", "another passphrase!")
            .await
            .is_none()
    );
}
each_backend!(invitation_to_signed_in);

async fn expired_and_unknown_links_are_refused(backend: Backend) {
    let (app, smtp) = with_smtp(backend).await;
    add_named(&app, "Amal Admin", "admin@example.org", true).await;
    let (admin, csrf) = sign_in(&app, "admin@example.org").await;
    post(
        &admin,
        &app,
        "/dashboard/editors",
        &[
            ("csrf", &csrf),
            ("name", "Late Larry"),
            ("email", "larry@example.org"),
        ],
    )
    .await;
    let link = link_in(&smtp.wait_for(1).await[0]);
    sql(
        &app,
        "UPDATE account_links SET expires_at = '2020-01-01 00:00:00'",
    )
    .await;
    let (status, body) = page(&browser(), &app, &link).await;
    assert_eq!(status, 410);
    assert!(
        body.contains("This link has expired") && body.contains("72 hours"),
        "{body}"
    );
    let r = post(
        &browser(),
        &app,
        &link,
        &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 410);
    assert!(sign_in_with(&app, "larry@example.org", NEW_PASSWORD)
        .await
        .is_none());

    // A new invitation replaces the old link and works.
    let (_, list) = page(&admin, &app, "/dashboard/editors").await;
    let id = editor_id(&list, "larry@example.org");
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/invite"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let fresh = link_in(&smtp.wait_for(2).await[1]);
    assert_ne!(fresh, link);
    let larry = browser();
    let r = post(
        &larry,
        &app,
        &fresh,
        &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(signed_in(&app, &larry).await);

    let (status, body) = page(&browser(), &app, "/dashboard/password/not-a-real-token").await;
    assert_eq!(status, 404);
    assert!(body.contains("This link is not valid"), "{body}");
}
each_backend!(expired_and_unknown_links_are_refused);

async fn a_reset_answers_alike_and_ends_other_sessions(backend: Backend) {
    let (app, smtp) = with_smtp(backend).await;
    add_named(&app, "Ed Itor", "ed@example.org", false).await;
    let (laptop, _) = sign_in(&app, "ed@example.org").await;

    let (_, login) = page(&browser(), &app, "/dashboard/login").await;
    assert!(login.contains(r#"href="/dashboard/forgot""#), "{login}");
    let (status, form) = page(&browser(), &app, "/dashboard/forgot").await;
    assert_eq!(status, 200);
    assert!(form.contains("Forgot your password?"));

    let known = post(
        &browser(),
        &app,
        "/dashboard/forgot",
        &[("email", "ED@example.org")],
    )
    .await;
    let unknown = post(
        &browser(),
        &app,
        "/dashboard/forgot",
        &[("email", "nobody@example.org")],
    )
    .await;
    assert_eq!(
        (known.status(), unknown.status()),
        (reqwest::StatusCode::OK, reqwest::StatusCode::OK)
    );
    let (known, unknown) = (known.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(
        known, unknown,
        "the same page whether or not the address exists"
    );
    assert!(
        known.contains("If an editor account uses that address"),
        "{known}"
    );
    let received = smtp.settle().await;
    assert_eq!(received.len(), 1, "only the editor's address gets mail");
    let mail = &received[0];
    assert_eq!(mail.to, vec!["ed@example.org".to_string()]);
    assert_eq!(mail.subject(), "Choose a new flagpole password");
    let text = mail.text();
    println!("--- reset ---\n{text}");
    assert!(
        text.starts_with("Hello Ed Itor,") && text.contains("(60 minutes)"),
        "{text}"
    );
    assert!(
        text.contains("If you did not ask for this, ignore this e-mail"),
        "{text}"
    );
    let link = link_in(mail);

    let (status, body) = page(&browser(), &app, &link).await;
    assert_eq!(status, 200);
    assert!(body.contains("Choose a new password"), "{body}");
    let phone = browser();
    let r = post(
        &phone,
        &app,
        &link,
        &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(signed_in(&app, &phone).await, "the reset signs in");
    assert!(
        !signed_in(&app, &laptop).await,
        "and ends every other session"
    );
    assert!(
        sign_in_with(&app, "ed@example.org", PASSWORD)
            .await
            .is_none(),
        "the old password is gone"
    );
    assert!(sign_in_with(&app, "ed@example.org", NEW_PASSWORD)
        .await
        .is_some());
    assert_eq!(page(&browser(), &app, &link).await.0, 410, "used once");
}
each_backend!(a_reset_answers_alike_and_ends_other_sessions);

/// Asking for reset links is limited per client address like sign-in, and per address and
/// e-mail address, so nobody fills an editor's inbox.
async fn reset_requests_are_limited(backend: Backend) {
    let (app, smtp) = with_smtp(backend).await;
    add_named(&app, "Ed Itor", "ed@example.org", false).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = post(
            &browser(),
            &app,
            "/dashboard/forgot",
            &[("email", "ed@example.org")],
        )
        .await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.text().await.unwrap().contains("Too many attempts"));
        }
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let sent = smtp.settle().await.len();
    assert!((1..=5).contains(&sent), "{sent} e-mails");
}
each_backend!(reset_requests_are_limited);

async fn admin_edits_take_effect(backend: Backend) {
    let (app, smtp) = with_smtp(backend).await;
    add_named(&app, "Amal Admin", "admin@example.org", true).await;
    add_named(&app, "Ed Itor", "ed@example.org", false).await;
    app.vote("r1", &article("/medicines/ibuprofen"), true).await;
    let (admin, csrf) = sign_in(&app, "admin@example.org").await;
    let (ed, _) = sign_in(&app, "ed@example.org").await;
    assert_eq!(page(&ed, &app, "/dashboard/editors").await.0, 403);
    let (_, list) = page(&ed, &app, "/dashboard").await;
    assert!(!list.contains("Edna"), "{list}");

    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    let id = editor_id(&editors, "ed@example.org");
    let (status, form) = page(&admin, &app, &format!("/dashboard/editors/{id}")).await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"value="Ed Itor""#), "{form}");
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/edit"),
        &[
            ("csrf", &csrf),
            ("name", "Edna Itor"),
            ("role", "admin"),
            ("owns", "localhost/medicines"),
            ("digest", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The same session sees the new role, name and ownership at once.
    assert_eq!(
        page(&ed, &app, "/dashboard/editors").await.0,
        200,
        "now an administrator"
    );
    let (_, list) = page(&ed, &app, "/dashboard").await;
    assert!(list.contains("Sign out Edna Itor"), "{list}");
    assert!(
        list.contains(r#"<td data-label="Owner">Edna Itor</td>"#),
        "{list}"
    );
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    let row = editors
        .split("ed@example.org")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("digest") && !row.contains("alerts"), "{row}");

    // Ownership routes alerts: with alerts back on, a harmful report on the article Edna owns
    // mails her and nobody else.
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/edit"),
        &[
            ("csrf", &csrf),
            ("name", "Edna Itor"),
            ("role", "editor"),
            ("owns", "localhost/medicines"),
            ("alerts", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        page(&ed, &app, "/dashboard/editors").await.0,
        403,
        "an editor again"
    );
    app.report("r2", &article("/medicines/ibuprofen"), "harmful")
        .await;
    let mail = smtp.wait_for(1).await;
    assert_eq!(smtp.settle().await.len(), 1);
    assert_eq!(mail[0].to, vec!["ed@example.org".to_string()]);

    // Bad input is a readable page naming the problem.
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/edit"),
        &[("csrf", &csrf), ("name", ""), ("role", "editor")],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("a name must be 1 to 200 characters"));
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/edit"),
        &[("csrf", &csrf), ("name", "E"), ("role", "owner")],
    )
    .await;
    assert_eq!(r.status(), 400);
}
each_backend!(admin_edits_take_effect);

async fn removal_ends_sessions_and_keeps_the_name(backend: Backend) {
    let (app, _smtp) = with_smtp(backend).await;
    add_named(&app, "Amal Admin", "admin@example.org", true).await;
    add_named(&app, "Rosa Leaving", "rosa@example.org", false).await;
    let created = app.report("r", &article("/history"), "typo").await;
    let report_id = created["report_id"].as_i64().unwrap();
    let (rosa, rosa_csrf) = sign_in(&app, "rosa@example.org").await;
    let r = post(
        &rosa,
        &app,
        &format!("/dashboard/reports/{report_id}"),
        &[("csrf", &rosa_csrf), ("action", "acknowledge")],
    )
    .await;
    assert_eq!(r.status(), 303);

    let (admin, csrf) = sign_in(&app, "admin@example.org").await;
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    let id = editor_id(&editors, "rosa@example.org");
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/remove"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(!signed_in(&app, &rosa).await, "removal ends her sessions");
    assert!(sign_in_with(&app, "rosa@example.org", PASSWORD)
        .await
        .is_none());
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    assert!(
        !editors.contains("rosa@example.org"),
        "removed editors are not listed"
    );
    assert_eq!(
        page(&admin, &app, &format!("/dashboard/editors/{id}"))
            .await
            .0,
        404
    );

    // The audit trail still says who acknowledged the report.
    let article_id = created["article_id"].as_i64().unwrap();
    let (_, article_page) = page(&admin, &app, &format!("/dashboard/articles/{article_id}")).await;
    assert!(article_page.contains("Rosa Leaving, "), "{article_page}");
    // No reset link for a removed editor either.
    post(
        &browser(),
        &app,
        "/dashboard/forgot",
        &[("email", "rosa@example.org")],
    )
    .await;
    assert!(_smtp.settle().await.is_empty());

    // Inviting the address again brings the account back.
    let r = post(
        &admin,
        &app,
        "/dashboard/editors",
        &[
            ("csrf", &csrf),
            ("name", "Rosa Returning"),
            ("email", "rosa@example.org"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    assert_eq!(
        editor_id(&editors, "rosa@example.org"),
        id,
        "the same account"
    );
    assert_eq!(_smtp.wait_for(1).await.len(), 1);
}
each_backend!(removal_ends_sessions_and_keeps_the_name);

async fn the_last_administrator_stays(backend: Backend) {
    let (app, _smtp) = with_smtp(backend).await;
    add_named(&app, "Amal Admin", "admin@example.org", true).await;
    let (admin, csrf) = sign_in(&app, "admin@example.org").await;
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    let id = editor_id(&editors, "admin@example.org");
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/edit"),
        &[("csrf", &csrf), ("name", "Amal"), ("role", "editor")],
    )
    .await;
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("admin@example.org is the last administrator"),
        "{body}"
    );
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/remove"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(signed_in(&app, &admin).await);
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    assert!(
        editors.contains(r#"<td data-label="Role">admin</td>"#),
        "still an administrator"
    );

    // With a second administrator, the first may step down.
    add_named(&app, "Bo Second", "bo@example.org", true).await;
    let r = post(
        &admin,
        &app,
        &format!("/dashboard/editors/{id}/edit"),
        &[("csrf", &csrf), ("name", "Amal"), ("role", "editor")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(page(&admin, &app, "/dashboard/editors").await.0, 403);
    // And now Bo is the last one, also for the CLI.
    let out = flagpole(&app, &["editor", "remove", "bo@example.org"]).await;
    assert!(!out.status.success());
    assert_one_line(&out, "bo@example.org is the last administrator");
}
each_backend!(the_last_administrator_stays);

async fn every_form_checks_csrf_and_origin(backend: Backend) {
    let (app, smtp) = with_smtp(backend).await;
    add_named(&app, "Amal Admin", "admin@example.org", true).await;
    add_named(&app, "Ed Itor", "ed@example.org", false).await;
    let (admin, csrf) = sign_in(&app, "admin@example.org").await;
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    let id = editor_id(&editors, "ed@example.org");
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/dashboard/editors".into(),
            vec![("name", "X"), ("email", "x@example.org")],
        ),
        (
            format!("/dashboard/editors/{id}/edit"),
            vec![("name", "X"), ("role", "admin")],
        ),
        (format!("/dashboard/editors/{id}/invite"), vec![]),
        (format!("/dashboard/editors/{id}/remove"), vec![]),
    ];
    for (path, fields) in &forms {
        for token in ["", "wrong"] {
            let mut form = fields.clone();
            form.push(("csrf", token));
            let r = post(&admin, &app, path, &form).await;
            assert_eq!(r.status(), 403, "{path} with csrf {token:?}");
        }
        let mut form = fields.clone();
        form.push(("csrf", &csrf));
        let r = admin
            .post(app.url(path))
            .header("origin", "https://evil.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path} from another site");
    }
    // The signed-out forms have no session to hold a token: their Origin must be this site.
    let r = browser()
        .post(app.url("/dashboard/forgot"))
        .header("origin", "https://evil.example")
        .form(&[("email", "ed@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = browser()
        .post(app.url("/dashboard/password/anything"))
        .header("origin", "https://evil.example")
        .form(&[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Nothing changed.
    assert!(smtp.settle().await.is_empty());
    let (_, editors) = page(&admin, &app, "/dashboard/editors").await;
    assert!(editors.contains("ed@example.org") && !editors.contains("x@example.org"));
    assert!(sign_in_with(&app, "ed@example.org", PASSWORD)
        .await
        .is_some());
}
each_backend!(every_form_checks_csrf_and_origin);

async fn flagpole(app: &TestApp, args: &[&str]) -> Output {
    let url = app.settings.database.url.expose_url();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_flagpole"))
            .args(&args)
            .env("FLAGPOLE__DATABASE__URL", url)
            .stdin(Stdio::null())
            .output()
            .expect("run flagpole")
    })
    .await
    .unwrap()
}

fn assert_one_line(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn the_cli_manages_accounts(backend: Backend) {
    let (app, smtp) = with_smtp(backend).await;
    add_named(&app, "Amal Admin", "admin@example.org", true).await;
    let said = ok(&flagpole(
        &app,
        &[
            "editor",
            "invite",
            "cli@example.org",
            "--name",
            "Cleo Line",
            "--owns",
            "localhost/news",
        ],
    )
    .await);
    assert!(
        said.contains("invited Cleo Line <cli@example.org> as editor"),
        "{said}"
    );
    // The running server's outbox sends what the CLI queued.
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail.subject(), "An administrator invited you to flagpole");
    let link = link_in(&mail);

    ok(&flagpole(
        &app,
        &["editor", "set-name", "cli@example.org", "Cleo Lines"],
    )
    .await);
    ok(&flagpole(&app, &["editor", "set-role", "cli@example.org", "admin"]).await);
    ok(&flagpole(
        &app,
        &[
            "editor",
            "set-scopes",
            "cli@example.org",
            "localhost/a",
            "localhost/b",
        ],
    )
    .await);
    ok(&flagpole(
        &app,
        &[
            "editor",
            "set-email",
            "cli@example.org",
            "--alerts",
            "off",
            "--digest",
            "on",
        ],
    )
    .await);
    let list = ok(&flagpole(&app, &["editor", "list"]).await);
    assert!(
        list.contains("cli@example.org\tCleo Lines\tadmin\tactive\talerts:off\tdigest:on\towns:localhost/a,localhost/b\tpassword:unset"),
        "{list}"
    );

    // Errors are one line naming what was wrong.
    let out = flagpole(
        &app,
        &["editor", "set-scopes", "cli@example.org", "not a scope/"],
    )
    .await;
    assert!(!out.status.success());
    assert_one_line(&out, "owns:");
    let out = flagpole(&app, &["editor", "set-role", "cli@example.org", "owner"]).await;
    assert_one_line(&out, "ROLE");
    let out = flagpole(&app, &["editor", "set-name", "nobody@example.org", "X"]).await;
    assert_one_line(&out, "nobody@example.org");
    let out = flagpole(
        &app,
        &["editor", "invite", "cli@example.org", "--name", "Again"],
    )
    .await;
    assert_one_line(&out, "exists already");

    // Accepted, signed in, then removed from the CLI: the session ends.
    let cleo = browser();
    let r = post(
        &cleo,
        &app,
        &link,
        &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(signed_in(&app, &cleo).await);
    ok(&flagpole(&app, &["editor", "remove", "cli@example.org"]).await);
    assert!(!signed_in(&app, &cleo).await);
    assert!(!ok(&flagpole(&app, &["editor", "list"]).await).contains("cli@example.org"));
}
each_backend!(the_cli_manages_accounts);

/// The last migration before editor accounts.
const BEFORE_ACCOUNTS: &str = "20261204100000";

const PRE_ACCOUNTS_ROWS: &str = "
    INSERT INTO editors (name, email, role, unsubscribe_token, created_at, updated_at)
        VALUES ('Lee', 'lee@example.org', 'admin', 'tok', '2026-12-01 10:00:00', '2026-12-01 10:00:00');
    INSERT INTO outbox (kind, dedupe_key, recipient, subject, body_text, body_html, message_id, status, attempts, next_attempt_at, created_at)
        VALUES ('digest', 'digest:2026-W48:1', 'lee@example.org', 'Your week', 'text', '<p>html</p>', '<m@x>', 'failed', 3, '2026-12-01 10:00:00', '2026-12-01 10:00:00');
";

/// SQLite rebuilds the outbox to widen its CHECK: what was in it comes through, and both
/// backends take the new kinds and still refuse unknown ones.
async fn the_accounts_migration_keeps_the_outbox(backend: Backend) {
    let url =
        crate::migrations::old_database(backend, BEFORE_ACCOUNTS, |_| PRE_ACCOUNTS_ROWS.into())
            .await;
    tokio::task::spawn_blocking(move || {
        let target: flagpole::config::DatabaseTarget = url.parse().expect("url");
        let mut conn = flagpole::db::open(&target).expect("open");
        conn.run_migrations().expect("the upgrade applies");
        let rows = flagpole::db::outbox::list(&mut conn, None, 10).expect("outbox");
        assert_eq!(rows.len(), 1);
        let old = &rows[0];
        assert_eq!(
            (
                old.kind,
                old.status,
                old.attempts,
                old.dedupe_key.as_deref()
            ),
            (
                flagpole::domain::MailKind::Digest,
                flagpole::domain::OutboxStatus::Failed,
                3,
                Some("digest:2026-W48:1")
            )
        );
        let lee = flagpole::editors::by_email(&mut conn, "lee@example.org").expect("lee");
        assert!(lee.removed_at.is_none() && lee.active);
        let new =
            flagpole::editors::new_editor("Nadia", "nadia@example.org", false, &[], true, true)
                .expect("valid");
        flagpole::editors::accounts::invite(&mut conn, &new, "Lee", "http://127.0.0.1:8080")
            .expect("an invitation is queued");
        let kinds: Vec<_> = flagpole::db::outbox::list(&mut conn, None, 10)
            .expect("outbox")
            .into_iter()
            .map(|r| r.kind)
            .collect();
        assert!(kinds.contains(&flagpole::domain::MailKind::Invitation));
        let bad = flagpole::with_conn!(&mut conn, |c| {
            diesel::connection::SimpleConnection::batch_execute(
                c,
                "UPDATE outbox SET kind = 'postcard'",
            )
        });
        assert!(bad.is_err(), "an unknown kind is refused by the database");
    })
    .await
    .expect("upgrade thread");
}
each_backend!(the_accounts_migration_keeps_the_outbox);
