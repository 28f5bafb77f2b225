//! Signing in and out of the dashboard: the sign-in page (a password form unless
//! `auth.passwords` is off, and "Sign in with …" when `[auth.oidc]` is set), the password form's
//! post, and sign-out. Single sign-on's own routes are in `sso`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::layout::{self, DashError};
use super::session::{self, check_origin, CsrfForm};
use crate::auth::sessions::SignInRefused;
use crate::auth::Sessions;
use crate::config::Settings;
use crate::http::client::client_ip;
use crate::http::{Form, Query};

#[derive(Debug, Default, Deserialize)]
pub struct NextParam {
    pub next: Option<String>,
}

/// Only a path inside the dashboard may follow sign-in: no open redirect, and nothing that
/// could split a header.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/dashboard")
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/dashboard".to_string(),
    }
}

pub async fn login_page(
    settings: web::Data<Settings>,
    query: Query<NextParam, DashError>,
) -> HttpResponse {
    render_login(&settings, query.0.next.as_deref(), None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// The form is read only after the client's address is admitted: a client over its limit gets
/// its answer without the server waiting for its body.
pub async fn login(
    sessions: web::Data<Sessions>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    check_origin(&req)?;
    let ip = client_ip(&req, &settings.server.trusted_proxies);
    if let Err(refused) = sessions.admit(ip) {
        return refusal(&settings, refused, None);
    }
    if !settings.auth.passwords {
        return Ok(render_login(
            &settings,
            None,
            Some("Signing in with a password is turned off here. Please use single sign-on."),
            StatusCode::FORBIDDEN,
        ));
    }
    let form = Form::<LoginForm, DashError>::from_request(&req, &mut payload.into_inner())
        .await?
        .into_inner();
    // Where to go next is settled before a session exists.
    let next = safe_next(form.next.as_deref());
    match sessions.sign_in(ip, &form.email, form.password).await {
        Ok(signed_in) => Ok(HttpResponse::SeeOther()
            .cookie(session::cookie(signed_in.token, session::secure(&settings)))
            .insert_header((header::LOCATION, next))
            .finish()),
        Err(refused) => refusal(&settings, refused, Some(&next)),
    }
}

/// The sign-in page again, saying why.
pub(super) fn refusal(
    settings: &Settings,
    refused: SignInRefused,
    next: Option<&str>,
) -> Result<HttpResponse, DashError> {
    match refused {
        SignInRefused::Throttled => Ok(render_login(
            settings,
            next,
            Some("Too many sign-in attempts. Please wait a few minutes and try again."),
            StatusCode::TOO_MANY_REQUESTS,
        )),
        SignInRefused::NoMatch => Ok(render_login(
            settings,
            next,
            Some("That e-mail address and password do not match an active editor."),
            StatusCode::UNAUTHORIZED,
        )),
        SignInRefused::Failed(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

pub async fn logout(
    sessions: web::Data<Sessions>,
    req: HttpRequest,
    _form: CsrfForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    if let Some(token) = req.cookie(session::COOKIE) {
        sessions.sign_out(token.value()).await?;
    }
    Ok(HttpResponse::SeeOther()
        .cookie(session::removal())
        .insert_header((header::LOCATION, "/dashboard/login"))
        .finish())
}

/// The sign-in page, with a problem to show when there is one.
pub(super) fn render_login(
    settings: &Settings,
    next: Option<&str>,
    problem: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let next = safe_next(next);
    let sso_link = format!(
        "/dashboard/sso?next={}",
        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    );
    let sso = settings.auth.oidc.as_ref().map(|o| o.display_name.as_str());
    let body = html! {
        main class="narrow" {
            h1 { "Sign in to flagpole" }
            @if let Some(p) = problem {
                div class="notice error" role="alert" { (p) }
            }
            @if let Some(name) = sso {
                // A link, not a form: the dashboard's CSP (`form-action 'self'`) would stop a
                // form whose answer redirects to the provider. Nothing changes state here that a
                // forged link could abuse; the state cookie binds the provider's answer.
                p {
                    a class="button primary" href=(sso_link) {
                        "Sign in with " (name)
                    }
                }
            }
            @if settings.auth.passwords {
                @if sso.is_some() {
                    p class="muted" { "Or with your e-mail address and password:" }
                }
                form method="post" action="/dashboard/login" {
                    input type="hidden" name="next" value=(next);
                    label for="email" { "E-mail address" }
                    input id="email" type="email" name="email" autocomplete="username" required autofocus;
                    label for="password" { "Password" }
                    input id="password" type="password" name="password" autocomplete="current-password" required;
                    button type="submit" class=(if sso.is_some() { "" } else { "primary" }) { "Sign in" }
                }
            }
            p { a href="/dashboard/forgot" { "Forgot your password?" } }
        }
    };
    let mut response = layout::bare("Sign in", body);
    *response.status_mut() = status;
    response
}
