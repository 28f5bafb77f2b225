//! Typed extractors: a handler names what it needs (`Json<T>`, `Form<T>`, `Query<T>`, `Id<T>`)
//! and gets it checked, or never runs. Bodies are read by `body::read` (content type, size limit,
//! UTF-8, syntax, shape), so every way a request can be wrong gets the project's own error with
//! the field at fault — never a framework default.
//!
//! Each extractor is generic over how its errors are shown: `ApiError` (JSON, the default) for
//! the API, the dashboard's HTML error pages for the dashboard (any `E: From<ApiError>`).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::body::{self, BodyKind};
use crate::errors::ApiError;

/// The largest request body any extractor reads, in bytes (`limits.max_body_bytes`), and how
/// long reading one may take (`limits.body_timeout_secs`); registered as app data at start-up.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub bytes: usize,
    pub time: Duration,
}

/// Without configuration (unit tests of handlers), the defaults of `limits`.
const DEFAULT_BODY_LIMIT: BodyLimit = BodyLimit {
    bytes: 16 * 1024,
    time: Duration::from_secs(10),
};

pub(super) fn body_limits(req: &HttpRequest) -> BodyLimit {
    req.app_data::<BodyLimit>()
        .copied()
        .unwrap_or(DEFAULT_BODY_LIMIT)
}

fn body_limit(req: &HttpRequest) -> usize {
    body_limits(req).bytes
}

type Extracted<T, E> = Pin<Box<dyn Future<Output = Result<T, E>>>>;

/// A JSON body of type `T`.
pub struct Json<T, E = ApiError>(pub T, PhantomData<E>);

impl<T, E> Json<T, E> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T, E> FromRequest for Json<T, E>
where
    T: DeserializeOwned + 'static,
    E: From<ApiError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = Extracted<Self, E>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            let bytes = body::read(&req, payload, BodyKind::Json, body_limit(&req)).await?;
            Ok(Json(body::parse_json(&bytes)?, PhantomData))
        })
    }
}

/// An optional JSON body: a request without a body (and without a content type) gets
/// `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<T> FromRequest for OptionalJson<T>
where
    T: DeserializeOwned + Default + 'static,
{
    type Error = ApiError;
    type Future = Extracted<Self, ApiError>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            if !req
                .headers()
                .contains_key(actix_web::http::header::CONTENT_TYPE)
            {
                return Ok(OptionalJson(T::default()));
            }
            let bytes = body::read(&req, payload, BodyKind::Json, body_limit(&req)).await?;
            if bytes.is_empty() {
                return Ok(OptionalJson(T::default()));
            }
            Ok(OptionalJson(body::parse_json(&bytes)?))
        })
    }
}

/// An `application/x-www-form-urlencoded` body of type `T` (repeated keys fill a list).
pub struct Form<T, E = ApiError>(pub T, PhantomData<E>);

impl<T, E> Form<T, E> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T, E> FromRequest for Form<T, E>
where
    T: DeserializeOwned + 'static,
    E: From<ApiError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = Extracted<Self, E>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move { Ok(Form(read_form(&req, payload).await?, PhantomData)) })
    }
}

/// Reads a form body; for extractors that need the raw form more than once (CSRF checks).
pub async fn read_form_bytes(
    req: &HttpRequest,
    payload: Payload,
) -> Result<actix_web::web::Bytes, ApiError> {
    body::read(req, payload, BodyKind::Form, body_limit(req)).await
}

async fn read_form<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: Payload,
) -> Result<T, ApiError> {
    body::parse_form(&read_form_bytes(req, payload).await?)
}

/// The query string as `T`: an unknown, missing or malformed parameter is a 422 naming it.
pub struct Query<T, E = ApiError>(pub T, PhantomData<E>);

impl<T, E> Query<T, E> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T, E> FromRequest for Query<T, E>
where
    T: DeserializeOwned + 'static,
    E: From<ApiError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = std::future::Ready<Result<Self, E>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            body::parse_query(req.query_string().as_bytes())
                .map(|q| Query(q, PhantomData))
                .map_err(E::from),
        )
    }
}

/// The query string of an HTML form sent with GET (the dashboard's filters): a browser sends
/// every field, filled or not, so an empty one means "not given" and is dropped before `T` is
/// read. Otherwise as [`Query`].
pub struct FormQuery<T, E = ApiError>(pub T, PhantomData<E>);

impl<T, E> FormQuery<T, E> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T, E> FromRequest for FormQuery<T, E>
where
    T: DeserializeOwned + 'static,
    E: From<ApiError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = std::future::Ready<Result<Self, E>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let filled: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                url::form_urlencoded::parse(req.query_string().as_bytes())
                    .filter(|(_, value)| !value.trim().is_empty()),
            )
            .finish();
        std::future::ready(
            body::parse_query(filled.as_bytes())
                .map(|q| FormQuery(q, PhantomData))
                .map_err(E::from),
        )
    }
}

/// A resource id in the path (`{id}`), parsed as `T`. Anything that is not a valid id answers
/// 404 for that kind of resource: there is nothing at that address.
pub struct Id<T, E = ApiError>(pub T, PhantomData<E>);

impl<T: Copy, E> Id<T, E> {
    pub fn get(&self) -> T {
        self.0
    }
}

/// What a path id names, for the 404 message ("report not found").
pub trait PathId: FromStr + Copy + 'static {
    const WHAT: &'static str;
}

impl<T, E> FromRequest for Id<T, E>
where
    T: PathId,
    E: From<ApiError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = std::future::Ready<Result<Self, E>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req
            .match_info()
            .get("id")
            .and_then(|raw| raw.parse::<T>().ok())
            .map(|id| Id(id, PhantomData))
            .ok_or_else(|| E::from(ApiError::not_found(T::WHAT)));
        std::future::ready(id)
    }
}

/// The one text parameter of a path (`/unsubscribe/{token}`), percent-decoded. A control
/// character in it is refused (400 naming the parameter) before any handler or database sees it.
pub struct PathText<E = ApiError>(pub String, PhantomData<E>);

impl<E> PathText<E> {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<E> FromRequest for PathText<E>
where
    E: From<ApiError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = std::future::Ready<Result<Self, E>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let name = req
            .match_info()
            .iter()
            .next()
            .map_or("path", |(name, _)| name)
            .to_string();
        // Decoded as actix-web's own `Path` decodes it.
        let text = req
            .match_info()
            .load::<(String,)>()
            .map(|(text,)| text)
            .map_err(|_| ApiError::not_found("page"))
            .and_then(|text| {
                body::refuse_control(&name, &text, body::Allowed::Nothing)
                    .map_err(|e| ApiError {
                        status: actix_web::http::StatusCode::BAD_REQUEST,
                        code: "invalid_path",
                        ..e
                    })
                    .map(|()| text)
            });
        std::future::ready(text.map(|t| PathText(t, PhantomData)).map_err(E::from))
    }
}

macro_rules! path_ids {
    ($($t:ty),+) => {$(
        impl PathId for $t {
            const WHAT: &'static str = <$t>::WHAT;
        }
    )+};
}

path_ids!(
    crate::domain::ArticleId,
    crate::domain::ReportId,
    crate::domain::EditorId,
    crate::domain::OutboxId,
    crate::domain::ProblemId,
    crate::domain::WebhookId,
    crate::domain::DeliveryId
);
