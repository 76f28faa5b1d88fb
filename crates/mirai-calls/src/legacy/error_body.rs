//! The legacy API's error bodies.

use call_core::Error;
use call_core::http::Response;
use serde::Deserialize;

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
