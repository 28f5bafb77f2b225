//! API bearer tokens: created by an administrator (CLI or dashboard), shown once, stored only as
//! a SHA-256 (tokens are 256 random bits, so a fast hash is enough), and checked on every API
//! request by the `ApiClient` extractor.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use base64::Engine;
use rand::RngCore;

use crate::db::tokens::{self, TokenError, TokenInfo};
use crate::db::{Db, DbConn};
use crate::domain::Actor;
use crate::errors::ApiError;

/// An authenticated API client; its token's name is the actor of its changes.
pub struct ApiClient {
    pub token_name: String,
}

impl ApiClient {
    pub fn actor(&self) -> Actor {
        Actor::Token(self.token_name.clone())
    }
}

/// The bearer token of a request, if it carries one (the scheme is case-insensitive).
fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

impl FromRequest for ApiClient {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<ApiClient, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let db = req.app_data::<web::Data<Db>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(db)) = (token, db) else {
                return Err(ApiError::unauthorized());
            };
            if token.is_empty() || token.len() > 200 {
                return Err(ApiError::unauthorized());
            }
            let name = db
                .run(move |conn| {
                    Ok::<_, ApiError>(tokens::authenticate(conn, &token, crate::db::now())?)
                })
                .await?;
            name.map(|token_name| ApiClient { token_name })
                .ok_or_else(ApiError::unauthorized)
        })
    }
}

/// An authenticated request's `T` (a body, a path id): the token is checked first, so a client
/// without one learns nothing from how its body would have been judged, and no body is read for
/// it.
pub struct Authed<T> {
    pub client: ApiClient,
    pub value: T,
}

impl<T: FromRequest + 'static> FromRequest for Authed<T> {
    // Any extractor's error (a tuple's is actix's own); each renders its own answer.
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Authed<T>, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let client = ApiClient::from_request(req, &mut Payload::None);
        let (req, mut payload) = (req.clone(), payload.take());
        Box::pin(async move {
            let client = client.await?;
            let value = T::from_request(&req, &mut payload)
                .await
                .map_err(Into::into)?;
            Ok(Authed { client, value })
        })
    }
}

/// A token's name as an operator gives it: 1 to 100 characters, no control characters.
pub fn check_name(name: &str) -> Result<&str, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "a token name must be 1 to 100 characters",
        ));
    }
    Ok(name)
}

/// Creates a token named `name` and returns it in the clear: the only time it is ever seen.
pub fn create(conn: &mut DbConn, name: &str) -> Result<String, ApiError> {
    let name = check_name(name)?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "fp_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    tokens::insert(conn, name, &tokens::hash(&token), crate::db::now()).map_err(token_error)?;
    Ok(token)
}

pub fn revoke(conn: &mut DbConn, name: &str) -> Result<(), ApiError> {
    tokens::revoke(conn, name.trim(), crate::db::now()).map_err(token_error)
}

pub fn list(conn: &mut DbConn) -> Result<Vec<TokenInfo>, ApiError> {
    Ok(tokens::list(conn)?)
}

fn token_error(e: TokenError) -> ApiError {
    match e {
        TokenError::Database(d) => d.into(),
        TokenError::NameTaken(_) => ApiError::conflict(e.to_string()).with_field("name"),
        TokenError::NotFound(_) => ApiError::not_found("active token with that name"),
    }
}
