//! The session every dashboard page requires, and the CSRF-checked form every dashboard post
//! goes through. The session cookie holds the random token `auth::sessions` made; every form
//! carries the session's CSRF token, and every post's `Origin` must be this site. The cookie is
//! `HttpOnly`, `SameSite=Strict` and `Secure` when the public URL is https.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::layout::DashError;
use crate::auth::sessions::SESSION_HOURS;
use crate::auth::Sessions;
use crate::config::Settings;
use crate::db::editors::Editor;
use crate::domain::Actor;
use crate::http::body;
use crate::http::client::requested_origin;
use crate::http::extract::read_form_bytes;

pub const COOKIE: &str = "flagpole_session";

/// A signed-in editor.
pub struct Session {
    pub editor: Editor,
    pub csrf: String,
}

impl Session {
    /// How this editor appears in audit trails.
    pub fn actor(&self) -> Actor {
        Actor::Editor(self.editor.email.clone())
    }
}

impl FromRequest for Session {
    type Error = DashError;
    type Future = Pin<Box<dyn Future<Output = Result<Session, DashError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
        let sessions = req.app_data::<web::Data<Sessions>>().cloned();
        let next = req.uri().path_and_query().map(|p| p.to_string());
        Box::pin(async move {
            let (Some(token), Some(sessions)) = (cookie, sessions) else {
                return Err(DashError::SignIn(next));
            };
            match sessions.find(&token).await? {
                Some((editor, csrf)) => Ok(Session { editor, csrf }),
                None => Err(DashError::SignIn(next)),
            }
        })
    }
}

/// A signed-in administrator.
pub struct Admin(pub Session);

impl FromRequest for Admin {
    type Error = DashError;
    type Future = Pin<Box<dyn Future<Output = Result<Admin, DashError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = Session::from_request(req, payload);
        Box::pin(async move {
            let session = session.await?;
            if session.editor.is_admin() {
                Ok(Admin(session))
            } else {
                Err(DashError::Forbidden)
            }
        })
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A dashboard form post: a live session, this site's `Origin`, the session's CSRF token, then
/// the form itself as `T`.
pub struct CsrfForm<T> {
    pub session: Session,
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = DashError;
    type Future = Pin<Box<dyn Future<Output = Result<CsrfForm<T>, DashError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        let session = Session::from_request(&req, &mut Payload::None);
        Box::pin(async move {
            let session = session.await?;
            let form = checked_form(&req, payload, &session).await?;
            Ok(CsrfForm { session, form })
        })
    }
}

/// A form post to an administrators' page: the role is checked before the form is read, so an
/// editor is refused (403) whatever they sent.
pub struct AdminForm<T> {
    pub session: Session,
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for AdminForm<T> {
    type Error = DashError;
    type Future = Pin<Box<dyn Future<Output = Result<AdminForm<T>, DashError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        let admin = Admin::from_request(&req, &mut Payload::None);
        Box::pin(async move {
            let Admin(session) = admin.await?;
            let form = checked_form(&req, payload, &session).await?;
            Ok(AdminForm { session, form })
        })
    }
}

/// This site's `Origin`, the session's CSRF token, then the form as `T`.
async fn checked_form<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: Payload,
    session: &Session,
) -> Result<T, DashError> {
    check_origin(req)?;
    let bytes = read_form_bytes(req, payload).await?;
    let CsrfField { csrf } = body::parse_form(&bytes)?;
    if csrf.is_empty() || csrf != session.csrf {
        return Err(DashError::Csrf);
    }
    Ok(body::parse_form(&bytes)?)
}

/// Refuses a post whose `Origin` is another site's. Browsers send `Origin` on every form post;
/// a request without one did not come from a page of another site. The host it is compared with
/// comes from forwarding headers only through `server.trusted_proxies`: otherwise a forged
/// `X-Forwarded-Host` would make any Origin "this site".
pub fn check_origin(req: &HttpRequest) -> Result<(), DashError> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let trusted = req
        .app_data::<web::Data<Settings>>()
        .map(|s| s.server.trusted_proxies.as_slice())
        .unwrap_or_default();
    let (_, host) = requested_origin(req, trusted);
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

/// Whether cookies get `Secure`: when editors reach the dashboard over https.
pub fn secure(settings: &Settings) -> bool {
    settings.server.public_url.as_str().starts_with("https://")
}

/// The session cookie for a new session.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token)
        .path("/dashboard")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::hours(SESSION_HOURS))
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal() -> Cookie<'static> {
    let mut gone = Cookie::build(COOKIE, "").path("/dashboard").finish();
    gone.make_removal();
    gone
}
