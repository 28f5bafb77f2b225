//! The request line's own limit. actix-web reads a request head of up to 128 KiB and answers
//! anything longer with an empty 431 before any of our code runs; a URI longer than any real
//! link (an article address is at most `limits.max_url_chars`, percent-encoded perhaps three
//! times longer) is refused here with the project's JSON error instead of reaching a handler.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;

use crate::errors::ApiError;

/// The longest path and query string accepted, in bytes.
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// Middleware: 414 for a URI longer than [`MAX_URI_BYTES`].
pub async fn refuse_long_uri(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let length = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if length > MAX_URI_BYTES {
        let error = ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the address is {length} bytes long; at most {MAX_URI_BYTES} are accepted"),
        );
        return Ok(req.error_response(error).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
