//! The extractor every submission endpoint starts with: the rate limit per client address is
//! checked first, before a byte of the body is read; then the body is read and parsed (JSON for
//! the widget, a form for the no-JavaScript fallback). Refusals are counted by kind and code.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::service::{refused, Ingest, Reader};
use crate::config::Settings;
use crate::errors::ApiError;
use crate::http::body::{self, BodyKind};
use crate::http::client::{client_ip, user_agent};

/// A body a reader submits.
pub trait Submitted: DeserializeOwned + 'static {
    /// `vote` or `report`, for the refusal metric.
    const KIND: &'static str;
    const BODY: BodyKind;
}

/// A reader's submission, admitted by the rate limit and parsed; errors shown as `E`.
pub struct Submission<T, E = ApiError> {
    pub reader: Reader,
    pub body: T,
    /// The `Idempotency-Key` header, when the client sent one.
    pub key: Option<String>,
    _shown_as: PhantomData<E>,
}

impl<T, E> FromRequest for Submission<T, E>
where
    T: Submitted,
    E: From<ApiError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = Pin<Box<dyn Future<Output = Result<Self, E>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            extract::<T>(&req, payload)
                .await
                .inspect_err(|e| refused(T::KIND, e))
                .map(|(reader, body)| Submission {
                    key: idempotency_key(&req),
                    reader,
                    body,
                    _shown_as: PhantomData,
                })
                .map_err(E::from)
        })
    }
}

/// The header as sent; checked with the rest of the submission (a key that is not valid UTF-8
/// is kept as an empty string, which that check refuses).
fn idempotency_key(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or("").to_string())
}

async fn extract<T: Submitted>(
    req: &HttpRequest,
    payload: Payload,
) -> Result<(Reader, T), ApiError> {
    let (Some(ingest), Some(settings)) = (
        req.app_data::<web::Data<Ingest>>(),
        req.app_data::<web::Data<Settings>>(),
    ) else {
        return Err(ApiError::internal("the ingest service is not configured"));
    };
    let ip = client_ip(req, &settings.server.trusted_proxies);
    ingest.admit(ip)?;
    let limit = settings.limits.max_body_bytes;
    let bytes = body::read(req, payload, T::BODY, limit).await?;
    let body = match T::BODY {
        BodyKind::Json => body::parse_json(&bytes)?,
        BodyKind::Form => body::parse_form(&bytes)?,
    };
    let reader = Reader {
        ip,
        user_agent: user_agent(req),
    };
    Ok((reader, body))
}
