//! Signing in and out, the session every dashboard page requires, and CSRF checks.
//!
//! The session cookie holds 256 random bits; the database keeps only their SHA-256 with the
//! session's CSRF token. Every form carries that token, every POST is checked against it and
//! against the `Origin` header, and the cookie is `HttpOnly`, `SameSite=Strict` and `Secure`
//! when the public URL is https.

use std::future::Future;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::LazyLock;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::TimeDelta;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use maud::html;
use rand::RngCore;
use serde::Deserialize;

use super::layout::{self, DashError};
use crate::db::editors::{self, Editor};
use crate::db::{self, sessions, tokens};
use crate::ingest::body::{self, BodyKind};
use crate::ingest::client::client_ip;
use crate::ingest::client::RateLimits;
use crate::state::AppState;

pub const COOKIE: &str = "flagpole_session";
const SESSION_HOURS: i64 = 12;

/// A signed-in editor.
pub struct Session {
    pub editor: Editor,
    pub csrf: String,
}

impl Session {
    pub fn require_admin(&self) -> Result<(), DashError> {
        if self.editor.is_admin() {
            Ok(())
        } else {
            Err(DashError::Forbidden)
        }
    }

    /// How this editor appears in audit trails.
    pub fn actor(&self) -> String {
        self.editor.email.clone()
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl FromRequest for Session {
    type Error = DashError;
    type Future = Pin<Box<dyn Future<Output = Result<Session, DashError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let next = req.uri().path_and_query().map(|p| p.to_string());
        Box::pin(async move {
            let sign_in = DashError::SignIn(next);
            let (Some(token), Some(state)) = (cookie, state) else {
                return Err(sign_in);
            };
            let hash = tokens::hash(&token);
            let found = state
                .db(move |conn| Ok(sessions::find(conn, &hash, db::now())?))
                .await
                .map_err(DashError::from)?;
            match found {
                Some((editor, csrf)) => Ok(Session { editor, csrf }),
                None => Err(sign_in),
            }
        })
    }
}

/// Rejects a form whose CSRF token is wrong or whose `Origin` is another site's.
pub fn check_form(req: &HttpRequest, session: &Session, csrf: &str) -> Result<(), DashError> {
    check_origin(req)?;
    if csrf.is_empty() || csrf != session.csrf {
        return Err(DashError::Csrf);
    }
    Ok(())
}

fn check_origin(req: &HttpRequest) -> Result<(), DashError> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let host = req.connection_info().host().to_string();
    let same = url::Url::parse(origin)
        .ok()
        .map(|u| match u.port() {
            Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
            None => u.host_str().unwrap_or("").to_string(),
        })
        .is_some_and(|o| o == host);
    if same {
        Ok(())
    } else {
        Err(DashError::Csrf)
    }
}

/// Reads a urlencoded form body.
pub async fn form<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, DashError> {
    let bytes = body::read(
        req,
        payload,
        BodyKind::Form,
        state.settings.limits.max_body_bytes,
    )
    .await
    .map_err(|e| DashError::BadRequest(e.message))?;
    body::parse_form(&bytes).map_err(|e| DashError::BadRequest(e.message))
}

/// Sign-in attempts, limited per client address and per e-mail address (in memory, per
/// instance): guessing passwords gets slow fast.
pub struct LoginLimits {
    by_address: RateLimits,
    by_email: DefaultKeyedRateLimiter<String>,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            by_address: RateLimits::new(10, 5),
            by_email: RateLimiter::keyed(
                Quota::per_hour(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN))
                    .allow_burst(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN)),
            ),
        }
    }
}

impl LoginLimits {
    fn allow(&self, ip: IpAddr, email: &str) -> bool {
        self.by_address.check(ip).is_ok() && self.by_email.check_key(&email.to_string()).is_ok()
    }
}

#[derive(Debug, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only a path inside the dashboard may follow sign-in: no open redirect.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/dashboard") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/dashboard".to_string(),
    }
}

pub async fn login_page(query: web::Query<NextParam>) -> HttpResponse {
    login_form(query.next.as_deref(), None, actix_web::http::StatusCode::OK)
}

fn login_form(
    next: Option<&str>,
    problem: Option<&str>,
    status: actix_web::http::StatusCode,
) -> HttpResponse {
    let body = html! {
        main class="narrow" {
            h1 { "Sign in to flagpole" }
            @if let Some(p) = problem {
                div class="notice error" role="alert" { (p) }
            }
            form method="post" action="/dashboard/login" {
                input type="hidden" name="next" value=(safe_next(next));
                label for="email" { "E-mail address" }
                input id="email" type="email" name="email" autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input id="password" type="password" name="password" autocomplete="current-password" required;
                button type="submit" class="primary" { "Sign in" }
            }
        }
    };
    let mut response = layout::bare("Sign in", body);
    *response.status_mut() = status;
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    check_origin(&req)?;
    let ip: IpAddr = client_ip(&req, &state.settings.server.trusted_proxies);
    let form: LoginForm = form(&state, &req, payload).await?;
    let email = form.email.trim().to_ascii_lowercase();
    if !state.login_limits.allow(ip, &email) {
        return Ok(login_form(
            form.next.as_deref(),
            Some("Too many sign-in attempts. Please wait a few minutes and try again."),
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let password = form.password;
    let lookup = email.clone();
    let editor = state
        .db(move |conn| Ok(editors::by_email(conn, &lookup)?))
        .await?;
    // Verify against a real hash even for an unknown address, so timing does not tell.
    let hash = editor
        .as_ref()
        .and_then(|e| e.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let valid = web::block(move || crate::editors::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let editor = match editor {
        Some(e) if valid && e.active && e.password_hash.is_some() => e,
        _ => {
            return Ok(login_form(
                form.next.as_deref(),
                Some("That e-mail address and password do not match an active editor."),
                actix_web::http::StatusCode::UNAUTHORIZED,
            ))
        }
    };
    let token = random_token();
    let (hash, csrf, editor_id) = (tokens::hash(&token), random_token(), editor.id);
    state
        .db(move |conn| {
            let now = db::now();
            Ok(sessions::create(
                conn,
                &hash,
                editor_id,
                &csrf,
                now,
                now + TimeDelta::hours(SESSION_HOURS),
            )?)
        })
        .await?;
    let cookie = Cookie::build(COOKIE, token)
        .path("/dashboard")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.server.public_url.scheme() == "https")
        .max_age(actix_web::cookie::time::Duration::hours(SESSION_HOURS))
        .finish();
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, safe_next(form.next.as_deref())))
        .finish())
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    crate::editors::hash_password("not a password anyone has").unwrap_or_default()
});

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    let f: CsrfForm = form(&state, &req, payload).await?;
    check_form(&req, &session, &f.csrf)?;
    if let Some(token) = req.cookie(COOKIE).map(|c| c.value().to_string()) {
        let hash = tokens::hash(&token);
        state
            .db(move |conn| Ok(sessions::delete(conn, &hash)?))
            .await?;
    }
    let mut gone = Cookie::build(COOKIE, "").path("/dashboard").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(gone)
        .insert_header((header::LOCATION, "/dashboard/login"))
        .finish())
}
