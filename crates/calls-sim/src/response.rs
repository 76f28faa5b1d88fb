//! Building responses, including each provider's error body shape.

use bytes::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::body::SimBody;
use crate::id;
use crate::route::Family;

/// A response as the simulator sends it.
pub(crate) type Reply = Response<SimBody>;

const JSON: &str = "application/json";

/// A response with a body and a content type.
pub(crate) fn with_body(status: StatusCode, content_type: &'static str, body: SimBody) -> Reply {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &Value) -> Reply {
    json_bytes(status, Bytes::from(value.to_string()))
}

/// A JSON response from bytes already serialised.
pub(crate) fn json_bytes(status: StatusCode, body: Bytes) -> Reply {
    with_body(status, JSON, SimBody::full(body))
}

/// A response with no body.
pub(crate) fn empty(status: StatusCode) -> Reply {
    let mut response = Response::new(SimBody::empty());
    *response.status_mut() = status;
    response
}

/// Cartesia's structured error body (`Cartesia-Version` 2026-03-01 and later).
///
/// The docs list no `error_code` values for the calls API, so the simulator sends `null`
/// ("no specific code"), which clients must accept anyway.
pub(crate) fn cartesia_error(status: StatusCode, message: &str) -> Reply {
    json(
        status,
        &json!({
            "error_code": Value::Null,
            "title": status.canonical_reason().unwrap_or("Error"),
            "message": message,
            "request_id": id::uuid(),
        }),
    )
}

/// The Mirai legacy error body `{code, message}`.
pub(crate) fn mirai_error(status: StatusCode, message: &str) -> Reply {
    json(
        status,
        &json!({ "code": status.as_u16(), "message": message }),
    )
}

/// The Mirai v2 error envelope `{"error": {code, message}}`.
pub(crate) fn mirai_v2_error(status: StatusCode, code: &str, message: &str) -> Reply {
    json(
        status,
        &json!({ "error": { "code": code, "message": message } }),
    )
}

/// The Mirai v2 `error.code` the docs give for a status, for errors with no more specific code.
pub(crate) fn mirai_v2_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "request_too_large",
        429 => "rate_limited",
        500 => "internal",
        501 => "tier_unavailable",
        502..=504 => "upstream_unavailable",
        _ => "error",
    }
}

/// The error body of `family` for `status`.
pub(crate) fn error(family: Family, status: StatusCode, message: &str) -> Reply {
    match family {
        Family::Cartesia => cartesia_error(status, message),
        Family::Mirai => mirai_error(status, message),
        Family::MiraiV2 => mirai_v2_error(status, mirai_v2_code(status), message),
        Family::Sim => json(status, &json!({ "error": message })),
    }
}
