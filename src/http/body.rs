//! Reading a request body ourselves, so that every way a body can be wrong (type, size, encoding,
//! syntax, shape) gets its own clear error instead of a framework default.

use actix_web::error::PayloadError;
use actix_web::http::{header, StatusCode};
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpRequest;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::errors::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
}

impl BodyKind {
    fn accepts(self, content_type: &str) -> bool {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match self {
            BodyKind::Json => essence == "application/json" || essence.ends_with("+json"),
            BodyKind::Form => essence == "application/x-www-form-urlencoded",
        }
    }

    fn name(self) -> &'static str {
        match self {
            BodyKind::Json => "application/json",
            BodyKind::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// Reads at most `limit` bytes of a body of the expected type. Checks the declared length first
/// so an oversized upload is refused without reading it, and gives the whole body
/// `limits.body_timeout_secs`: a client sending a byte now and then would otherwise hold a
/// connection and a worker's attention for as long as it liked (408, and the connection is
/// closed, since the rest of the body was never read).
pub async fn read(
    req: &HttpRequest,
    mut payload: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin,
    kind: BodyKind,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !kind.accepts(content_type) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the body as {}", kind.name()),
        ));
    }
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body must be at most {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let time = super::extract::body_limits(req).time;
    let whole = async {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::bad_request(
                    "unreadable_body",
                    format!("the body could not be read: {e}"),
                )
            })?;
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(time, whole).await.unwrap_or_else(|_| {
        Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            format!("the body did not arrive within {} seconds", time.as_secs()),
        ))
    })
}

/// Parses JSON into `T`, naming the field at fault when the shape is wrong.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if std::str::from_utf8(body).is_err() {
        return Err(ApiError::bad_request(
            "invalid_utf8",
            "the body is not valid UTF-8",
        ));
    }
    // Syntax first, so a broken body is reported as broken rather than as the wrong shape.
    let value = serde_json::from_slice::<serde_json::Value>(body).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
    })?;
    refuse_control_in_json(&value, "")?;
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        shape_error(&path, &e.into_inner().to_string())
    })
}

/// Parses an HTML form body into `T` (repeated keys fill a list). Values may hold line breaks
/// and tabs (a textarea's text), no other control character.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    refuse_control_in_pairs(body, Allowed::LineBreaksAndTabs)?;
    deserialize_pairs(body)
}

/// Parses a query string into `T`: no value in a query has a use for any control character.
pub fn parse_query<T: DeserializeOwned>(query: &[u8]) -> Result<T, ApiError> {
    refuse_control_in_pairs(query, Allowed::Nothing)?;
    deserialize_pairs(query)
}

fn deserialize_pairs<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let de = serde_html_form::Deserializer::from_bytes(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        shape_error(&path, &e.into_inner().to_string())
    })
}

/// Which control characters a text may hold. PostgreSQL refuses a NUL byte in text outright (a
/// 5xx if one got that far), and no field has a use for the others; free text keeps its line
/// breaks (a browser sends a textarea's as CR LF) and tabs. Checked here, where every body,
/// query string and path parameter is read, so that no handler can forget it and both backends
/// answer the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    LineBreaksAndTabs,
    Nothing,
}

/// Refuses `value` when it holds a control character that `allowed` does not let through,
/// naming `field` (a 422 with the field, like every other value that cannot be accepted).
pub fn refuse_control(field: &str, value: &str, allowed: Allowed) -> Result<(), ApiError> {
    let bad = |c: char| {
        c.is_control()
            && !(allowed == Allowed::LineBreaksAndTabs && matches!(c, '\n' | '\r' | '\t'))
    };
    if !value.chars().any(bad) {
        return Ok(());
    }
    // A field name can itself be what holds the control character: show it escaped.
    let field: String = field.chars().flat_map(char::escape_debug).collect();
    let name = if field.is_empty() { "the body" } else { &field };
    let err = ApiError::invalid(
        &field,
        format!("{name} contains control characters (such as a NUL byte), which are not accepted"),
    );
    Err(if field.is_empty() {
        ApiError { field: None, ..err }
    } else {
        err
    })
}

/// Every string in a JSON document (free text) and every key (a name), with the field path that
/// serde_path_to_error would give (`reasons[0]`, `a.b`).
fn refuse_control_in_json(value: &serde_json::Value, path: &str) -> Result<(), ApiError> {
    match value {
        serde_json::Value::String(text) => refuse_control(path, text, Allowed::LineBreaksAndTabs),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| refuse_control_in_json(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            let field = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            refuse_control(&field, key, Allowed::Nothing)?;
            refuse_control_in_json(item, &field)
        }),
        _ => Ok(()),
    }
}

/// Every name and value of a form body or a query string, decoded as the deserializer will.
fn refuse_control_in_pairs(body: &[u8], allowed: Allowed) -> Result<(), ApiError> {
    url::form_urlencoded::parse(body).try_for_each(|(name, value)| {
        refuse_control(&name, &name, Allowed::Nothing)?;
        refuse_control(&name, &value, allowed)
    })
}

/// A well-formed body whose fields are wrong: missing, unknown or of the wrong type.
fn shape_error(path: &str, message: &str) -> ApiError {
    // serde names a missing or unknown field in back-quotes; the path names a mistyped one.
    let quoted = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"));
    let field = match quoted {
        Some(name) => name.to_string(),
        None => path.trim_start_matches('.').to_string(),
    };
    let message = message.split(" at line ").next().unwrap_or(message);
    let err = ApiError::invalid(&field, message.to_string());
    if field.is_empty() || field == "." {
        ApiError { field: None, ..err }
    } else {
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        count: u32,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<Sample>(br#"{"name": "x"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("invalid_field", Some("count"))
        );
        let e = parse_json::<Sample>(br#"{"name": "x", "count": "3"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("count"));
        let e = parse_json::<Sample>(br#"{"name": "x", "count": 3, "extra": 1}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("extra"));
        let e = parse_json::<Sample>(br#"{"name": "x", "#).unwrap_err();
        assert_eq!(e.code, "malformed_json");
        let e = parse_json::<Sample>(b"{\"name\": \"\xff\"}").unwrap_err();
        assert_eq!(e.code, "invalid_utf8");
    }
}
