//! Single sign-on's two routes: `/dashboard/sso` sends the browser to the identity provider,
//! `/dashboard/sso/callback` (`auth::oidc::CALLBACK_PATH`) takes its answer and opens the same
//! session a password opens. Both count against the sign-in limit per client address.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::layout::{self, DashError};
use super::login::{refusal, render_login, safe_next, NextParam};
use super::session;
use crate::auth::oidc::{Callback, Oidc, SsoRefused, ATTEMPT_MINUTES};
use crate::auth::Sessions;
use crate::config::Settings;
use crate::http::client::client_ip;
use crate::http::Query;

/// The state of the attempt under way in this browser.
const STATE_COOKIE: &str = "flagpole_sso";

pub async fn start(
    oidc: web::Data<Oidc>,
    sessions: web::Data<Sessions>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    query: Query<NextParam, DashError>,
) -> Result<HttpResponse, DashError> {
    let next = safe_next(query.0.next.as_deref());
    let ip = client_ip(&req, &settings.server.trusted_proxies);
    if let Err(refused) = sessions.admit(ip) {
        return refusal(&settings, refused, Some(&next));
    }
    match oidc.begin(next.clone()).await {
        Ok(begun) => Ok(HttpResponse::SeeOther()
            .cookie(state_cookie(begun.state, session::secure(&settings)))
            .insert_header((header::LOCATION, begun.url.as_str()))
            .finish()),
        Err(refused) => refused_page(&settings, refused, &next),
    }
}

pub async fn callback(
    oidc: web::Data<Oidc>,
    sessions: web::Data<Sessions>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    query: Query<Callback, DashError>,
) -> Result<HttpResponse, DashError> {
    let ip = client_ip(&req, &settings.server.trusted_proxies);
    if let Err(refused) = sessions.admit(ip) {
        return refusal(&settings, refused, None);
    }
    let cookie = req.cookie(STATE_COOKIE);
    let verified = match oidc
        .finish(cookie.as_ref().map(|c| c.value()), query.0)
        .await
    {
        Ok(v) => v,
        // The state cookie stays: a forged answer must not end the attempt under way in this
        // browser, and a used one's row is gone anyway.
        Err(refused) => return refused_page(&settings, refused, "/dashboard"),
    };
    let signed_in = sessions.open(verified.editor).await?;
    // The provider's redirect brought the browser here from another site, so a `SameSite=Strict`
    // session cookie would not go with a redirect onwards; a page that moves on by itself is a
    // navigation from this site, and the cookie goes with it.
    let next = safe_next(Some(&verified.next));
    let body = html! {
        main class="narrow" {
            h1 { "Signed in" }
            p { "Welcome, " (signed_in.editor.name) ". " a href=(next) { "Continue to the dashboard" } }
        }
    };
    let mut page = layout::bare("Signed in", body);
    page.headers_mut().insert(
        header::HeaderName::from_static("refresh"),
        header::HeaderValue::from_str(&format!("0;url={next}")).map_err(|_| DashError::Internal)?,
    );
    page.add_cookie(&session::cookie(
        signed_in.token,
        session::secure(&settings),
    ))
    .map_err(|_| DashError::Internal)?;
    page.add_removal_cookie(&state_cookie(String::new(), false))
        .map_err(|_| DashError::Internal)?;
    Ok(page)
}

/// The sign-in page again, saying why single sign-on did not sign this browser in.
fn refused_page(
    settings: &Settings,
    refused: SsoRefused,
    next: &str,
) -> Result<HttpResponse, DashError> {
    let (status, problem) = match refused {
        SsoRefused::NotConfigured => return Err(DashError::NotFound),
        SsoRefused::Failed(e) => return Err(e.into()),
        SsoRefused::State => (
            StatusCode::BAD_REQUEST,
            "This sign-in has expired, was used already, or was started in another browser. \
             Please sign in again."
                .to_string(),
        ),
        SsoRefused::Denied(why) => (
            StatusCode::FORBIDDEN,
            format!("The identity provider did not sign you in ({why})."),
        ),
        SsoRefused::Unverified => (
            StatusCode::FORBIDDEN,
            "The identity provider did not give a verified e-mail address for you, so flagpole \
             cannot tell which editor you are. Verify your address with your provider, then \
             sign in again."
                .to_string(),
        ),
        SsoRefused::Unknown(email) => (
            StatusCode::FORBIDDEN,
            format!(
                "{email} is not an editor here. Please ask an administrator to add you as an \
                 editor."
            ),
        ),
        SsoRefused::Disabled(email) => (
            StatusCode::FORBIDDEN,
            format!("The editor {email} is disabled. Please ask an administrator."),
        ),
        SsoRefused::Unreachable(step) => (
            StatusCode::BAD_GATEWAY,
            format!(
                "The identity provider could not be reached, or its answer could not be read \
                 ({step}). Please try again in a moment."
            ),
        ),
    };
    tracing::info!(%status, problem, "single sign-on refused");
    Ok(render_login(settings, Some(next), Some(&problem), status))
}

/// `SameSite=Lax`: the provider's redirect back is a top-level navigation from its site, on
/// which a `Lax` cookie is sent and a `Strict` one is not.
fn state_cookie(state: String, secure: bool) -> Cookie<'static> {
    Cookie::build(STATE_COOKIE, state)
        .path("/dashboard/sso")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::minutes(ATTEMPT_MINUTES))
        .finish()
}
