//! Cartesia's error bodies.

use call_core::Error;
use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::Response;
use serde::Deserialize;

/// Cartesia's structured error body (from `Cartesia-Version: 2026-03-01`): every field optional here, because older
/// versions and gateways send plain text, and a body we cannot read must still give a clear error.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error_code: Option<String>,
    title: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    /// Some endpoints (Call Runtime Logs' 404) are documented only as "an object"; `detail` is FastAPI's default.
    detail: Option<String>,
}

/// The provider's message of an error response: the structured body's `message` (or `title`, or `detail`), else
/// the body as text (plain-text errors of older versions, HTML from a gateway).
pub(crate) fn provider_message(response: &Response) -> Option<String> {
    match serde_json::from_slice::<ErrorBody>(response.body()) {
        Ok(body) => body.message.or(body.title).or(body.detail),
        Err(_) => {
            let text = String::from_utf8_lossy(response.body());
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        }
    }
}

/// The error for a non-2xx Cartesia response: the kind from the status, with the structured body's message,
/// `error_code` and `request_id` when present.
pub(crate) fn error_from(response: &Response) -> Error {
    let mut error = response.error();
    if let Ok(body) = serde_json::from_slice::<ErrorBody>(response.body()) {
        if let Some(code) = &body.error_code {
            error = error.with_provider_code(code);
        }
        if let Some(id) = &body.request_id {
            error = error.with_request_id(id);
        }
    }
    match provider_message(response) {
        Some(message) => error.with_provider_message(&message),
        None => error,
    }
}
