//! The legacy API's error bodies.

use call_core::Error;
use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::Response;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The legacy API's error body: `{code, message}` on the call endpoints, `{status_code, message}` on others (Mirai
/// calls the mix "contract, not bugs"). The number only repeats the HTTP status, which we read first, so only the
/// message is kept.
#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

/// The provider's message: the body's `message`, else the body as text (a gateway's page), else nothing.
pub(crate) fn provider_message(response: &Response) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(response.body())
        .ok()
        .and_then(|body| body.message)
        .or_else(|| {
            let text = String::from_utf8_lossy(response.body()).trim().to_owned();
            (!text.is_empty()).then_some(text)
        })
}

/// The error for a non-2xx legacy response: the kind from the status, with the provider's message.
pub(crate) fn error_from(response: &Response) -> Error {
    let error = response.error();
    match provider_message(response) {
        Some(message) => error.with_provider_message(&message),
        None => error,
    }
}

/// What the number in a legacy body says: Mirai's bodies repeat the HTTP status as `code` (errors of the call
/// endpoints) or `status_code` (others, and Update Call Payload's success).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyCode {
    /// Neither field, or both `null`.
    Absent,
    /// A 2xx.
    Success,
    /// 400 to 599: the body is an error, whatever the status line says.
    Error(u16),
    /// Anything else (a string, a 1xx or 3xx, a number out of range): not an answer to trust either way.
    Odd,
}

/// Reads `code`, else `status_code`, of a JSON object body.
pub(crate) fn body_code(body: &Map<String, Value>) -> BodyCode {
    let value = ["code", "status_code"]
        .iter()
        .filter_map(|key| body.get(*key))
        .find(|value| !value.is_null());
    let Some(value) = value else {
        return BodyCode::Absent;
    };
    match value.as_u64().and_then(|code| u16::try_from(code).ok()) {
        Some(200..=299) => BodyCode::Success,
        Some(code @ 400..=599) => BodyCode::Error(code),
        _ => BodyCode::Odd,
    }
}
