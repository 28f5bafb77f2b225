//! Pages for people who are not signed in: "Forgot your password?" and the page a one-time link
//! opens (accepting an invitation or choosing a new password), which signs its holder in.
//! Neither has a session, so neither has a CSRF token: each post must come from this site's
//! `Origin`, and the link's own 256-bit token is the credential. Both are limited per client
//! address like sign-in.

use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, DashError};
use super::session::{self, check_origin};
use crate::auth::passwords::MIN_PASSWORD_CHARS;
use crate::auth::Sessions;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::LinkPurpose;
use crate::editors::accounts::{self, LinkError, LinkRefused, RESET_MINUTES};
use crate::http::client::client_ip;
use crate::http::{Form, PathText};
use crate::mail::Outbox;

const THROTTLED: &str =
    "Too many attempts from your network. Please wait a few minutes and try again.";

fn with_status(mut response: HttpResponse, status: StatusCode) -> HttpResponse {
    *response.status_mut() = status;
    response
}

pub async fn forgot_page() -> HttpResponse {
    render_forgot(None)
}

fn render_forgot(problem: Option<&str>) -> HttpResponse {
    layout::bare(
        "Forgot your password?",
        html! {
            main class="narrow" {
                h1 { "Forgot your password?" }
                @if let Some(p) = problem { div class="notice error" role="alert" { (p) } }
                p { "Enter the e-mail address you sign in with. We will send you a link to choose a new password." }
                form method="post" action="/dashboard/forgot" {
                    label for="email" { "E-mail address" }
                    input id="email" type="email" name="email" autocomplete="username" required autofocus;
                    button type="submit" class="primary" { "Send the link" }
                }
                p { a href="/dashboard/login" { "Back to sign-in" } }
            }
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    email: String,
}

/// Answers the same whether or not the address belongs to an editor, and before looking it up,
/// so neither the page nor the time it takes tells.
pub async fn forgot(
    sessions: web::Data<Sessions>,
    settings: web::Data<Settings>,
    db: web::Data<Db>,
    outbox: web::Data<Outbox>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    check_origin(&req)?;
    let ip = client_ip(&req, &settings.server.trusted_proxies);
    if sessions.admit(ip).is_err() {
        return Ok(with_status(
            render_forgot(Some(THROTTLED)),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let form = Form::<ForgotForm, DashError>::from_request(&req, &mut payload.into_inner())
        .await?
        .into_inner();
    // Per address and e-mail address too: nobody can fill an editor's inbox with links.
    if sessions.admit_email(ip, &form.email).is_err() {
        return Ok(with_status(
            render_forgot(Some(THROTTLED)),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let public_url = settings.server.public_url.to_string();
    actix_web::rt::spawn(async move {
        let email = form.email;
        match db
            .run(move |c| accounts::request_reset(c, &email, &public_url))
            .await
        {
            Ok(true) => outbox.wake(),
            Ok(false) => {}
            Err(error) => tracing::error!(%error.message, "cannot queue a password reset"),
        }
    });
    Ok(layout::bare(
        "Check your e-mail",
        html! {
            main class="narrow" {
                h1 { "Check your e-mail" }
                p { "If an editor account uses that address, we have sent it a link to choose a new password. The link works once, within " (RESET_MINUTES) " minutes." }
                p { "Nothing arrived? Check the spam folder, or ask an administrator." }
                p { a href="/dashboard/login" { "Back to sign-in" } }
            }
        },
    ))
}

/// The page a one-time link opens: a form to choose a password, or why the link does not work.
pub async fn password_page(
    db: web::Data<Db>,
    token: PathText<DashError>,
) -> Result<HttpResponse, DashError> {
    let token = token.into_inner();
    let t = token.clone();
    match db.run(move |c| Ok(accounts::open_link(c, &t))).await? {
        Ok(link) => Ok(render_choose(
            &token,
            link.purpose,
            &link.editor.name,
            &link.editor.email,
            None,
        )),
        Err(LinkError::Refused(why)) => Ok(render_refused(why)),
        Err(LinkError::Failed(e)) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ChooseForm {
    password: String,
    confirm: String,
}

pub async fn choose_password(
    sessions: web::Data<Sessions>,
    settings: web::Data<Settings>,
    db: web::Data<Db>,
    token: PathText<DashError>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    check_origin(&req)?;
    let ip = client_ip(&req, &settings.server.trusted_proxies);
    if sessions.admit(ip).is_err() {
        return Ok(with_status(
            layout::bare(
                "Too many attempts",
                html! { main class="narrow" { h1 { "Too many attempts" } p { (THROTTLED) } } },
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let form = Form::<ChooseForm, DashError>::from_request(&req, &mut payload.into_inner())
        .await?
        .into_inner();
    let token = token.into_inner();
    let t = token.clone();
    let link = match db.run(move |c| Ok(accounts::open_link(c, &t))).await? {
        Ok(link) => link,
        Err(LinkError::Refused(why)) => return Ok(render_refused(why)),
        Err(LinkError::Failed(e)) => return Err(e.into()),
    };
    let again = |problem: &str| {
        with_status(
            render_choose(
                &token,
                link.purpose,
                &link.editor.name,
                &link.editor.email,
                Some(problem),
            ),
            StatusCode::BAD_REQUEST,
        )
    };
    if form.password != form.confirm {
        return Ok(again("The two passwords are not the same."));
    }
    let t = token.clone();
    let chosen = db
        .run(move |c| Ok(accounts::choose_password(c, &t, &form.password)))
        .await?;
    let editor = match chosen {
        Ok(editor) => editor,
        Err(LinkError::Refused(why)) => return Ok(render_refused(why)),
        Err(LinkError::Failed(e)) if e.status == StatusCode::BAD_REQUEST => {
            return Ok(again(&format!(
                "Please choose another password: {}.",
                e.message
            )))
        }
        Err(LinkError::Failed(e)) => return Err(e.into()),
    };
    let signed_in = sessions.open(editor).await?;
    Ok(HttpResponse::SeeOther()
        .cookie(session::cookie(
            signed_in.token,
            settings.server.public_url.as_str().starts_with("https://"),
        ))
        .insert_header((header::LOCATION, "/dashboard"))
        .finish())
}

fn render_choose(
    token: &str,
    purpose: LinkPurpose,
    name: &str,
    email: &str,
    problem: Option<&str>,
) -> HttpResponse {
    let (title, intro, button): (&str, Markup, &str) = match purpose {
        LinkPurpose::Invitation => (
            "Welcome to flagpole",
            html! { "Hello " (name) ". Choose a password to finish setting up your account; you will sign in with " strong { (email) } "." },
            "Choose password and sign in",
        ),
        LinkPurpose::PasswordReset => (
            "Choose a new password",
            html! { "Choose a new password for " strong { (email) } ". Every other place you are signed in will be signed out." },
            "Set password and sign in",
        ),
    };
    layout::bare(
        title,
        html! {
            main class="narrow" {
                h1 { (title) }
                @if let Some(p) = problem { div class="notice error" role="alert" { (p) } }
                p { (intro) }
                form method="post" action={ "/dashboard/password/" (token) } {
                    // For password managers: the account this password belongs to.
                    input type="hidden" name="username" autocomplete="username" value=(email);
                    label for="password" { "New password (at least " (MIN_PASSWORD_CHARS) " characters)" }
                    input id="password" type="password" name="password" autocomplete="new-password" minlength=(MIN_PASSWORD_CHARS) required autofocus;
                    label for="confirm" { "The same password again" }
                    input id="confirm" type="password" name="confirm" autocomplete="new-password" minlength=(MIN_PASSWORD_CHARS) required;
                    button type="submit" class="primary" { (button) }
                }
            }
        },
    )
}

fn render_refused(why: LinkRefused) -> HttpResponse {
    let (title, text, status) = match why {
        LinkRefused::Used => (
            "This link has been used",
            "Each link works once, and this one has already been used to choose a password. Sign in with that password, or ask for a new link with \u{201c}Forgot your password?\u{201d}.",
            StatusCode::GONE,
        ),
        LinkRefused::Expired => (
            "This link has expired",
            "Invitations work for 72 hours and password-reset links for one hour. Ask an administrator to invite you again, or ask for a new link with \u{201c}Forgot your password?\u{201d}.",
            StatusCode::GONE,
        ),
        LinkRefused::Unknown => (
            "This link is not valid",
            "We do not recognise this link: a newer one may have been sent, or the account may have been closed. Ask for a new link with \u{201c}Forgot your password?\u{201d}, or ask an administrator.",
            StatusCode::NOT_FOUND,
        ),
    };
    with_status(
        layout::bare(
            title,
            html! {
                main class="narrow" {
                    h1 { (title) }
                    p { (text) }
                    p { a href="/dashboard/forgot" { "Forgot your password?" } " · " a href="/dashboard/login" { "Sign in" } }
                }
            },
        ),
        status,
    )
}
