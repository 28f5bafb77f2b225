//! The error policy: every failure answers with a status that tells the client what to do, and
//! never a 5xx for something the client can fix.
//!
//! | what happened | status | code |
//! |---|---|---|
//! | the body is not JSON / not UTF-8 / unreadable | 400 | `malformed_json`, `invalid_utf8`, … |
//! | a field is missing, unknown, of the wrong type or has a value that cannot be accepted | 422 | `invalid_field`, `too_long`, … with `field` |
//! | no credentials / not allowed | 401 / 403 | `unauthorized`, `host_not_allowed` |
//! | nothing at that address | 404 | `not_found` |
//! | the change conflicts with what exists (a name taken) | 409 | `conflict` |
//! | body too large / wrong content type / too many requests | 413 / 415 / 429 (`Retry-After`) | |
//! | the database cannot be reached: connection refused or lost, the pool exhausted, SQLite busy past its timeout | 503 with `Retry-After` | `storage_unavailable` |
//! | anything else: a bug, or a constraint the code should have kept | 500, the cause logged at ERROR | `internal_error` |
//!
//! A 503 is an outage: retrying later is right. A 500 is ours to fix: it is logged with its cause
//! (and the request id the client saw in `x-request-id`), and the client is told only that it
//! failed. In both cases nothing was changed: every change runs in one transaction, and a 2xx is
//! sent only after it committed.
//!
//! JSON clients get `{"error": {"code", "message", "field"?}}`; readers using the plain HTML
//! forms and editors in the dashboard get a short readable page built from the same error.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after_secs: Option<u64>,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable identifier, e.g. `invalid_field`, `host_not_allowed`, `rate_limited`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Seconds a client should wait before retrying after an outage.
const RETRY_AFTER_OUTAGE_SECS: u64 = 5;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// A well-formed request with a value that cannot be accepted.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).with_field(field)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required (Authorization: Bearer fp_…)",
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many submissions from this address; please try again shortly",
            )
        }
    }

    /// The database cannot be reached: an outage, worth retrying. Logged once here.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "storage unavailable");
        ApiError {
            retry_after_secs: Some(RETRY_AFTER_OUTAGE_SECS),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "the database cannot be reached just now; nothing was changed, please try again in a moment",
            )
        }
    }

    /// Anything that should not happen: logged with its cause, never shown to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side and nothing was changed; it has been logged",
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        response.json(self.body())
    }
}

/// The pool gave no connection in time: the database is down or every connection is busy.
impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        ApiError::unavailable(e)
    }
}

/// The blocking thread pool refused the work or the work panicked: a bug, not an outage.
impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

impl From<crate::domain::UrlProblem> for ApiError {
    /// An `article_url` that cannot be an article here: 422, or 403 for a host not served.
    fn from(problem: crate::domain::UrlProblem) -> ApiError {
        match problem {
            crate::domain::UrlProblem::Invalid(why) => {
                ApiError::invalid("article_url", format!("article_url {why}"))
            }
            crate::domain::UrlProblem::HostNotAllowed(host) => ApiError::new(
                StatusCode::FORBIDDEN,
                "host_not_allowed",
                format!("article_url: articles on {host} are not served here"),
            )
            .with_field("article_url"),
        }
    }
}
