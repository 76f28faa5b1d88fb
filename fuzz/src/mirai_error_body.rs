//! Both Mirai APIs' error bodies. Their decoders are private (`legacy/error_body.rs`, `v2/error_body.rs`) and no
//! public type has their shape, so these are copies of the shapes, fed through the public [`Error`] that quotes them.

use call_core::{CallId, Error, ErrorKind, Provider};
use serde::Deserialize;
use serde_json::Value;

use crate::Outcome;
use crate::cartesia::status_for;
use crate::check;

/// The legacy API's `{code, message}` or `{status_code, message}`; only the message is kept.
#[derive(Deserialize)]
struct LegacyBody {
    message: Option<String>,
}

/// The new API's `{"error": {code, message}}`, or `{"error": "code", "details": [...]}`.
#[derive(Deserialize)]
struct V2Body {
    error: V2Field,
    #[serde(default)]
    details: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum V2Field {
    Object {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
    Code(String),
}

/// An error body, read both as the legacy client and as the new one read it, into the public [`Error`]: the error
/// keeps its status's kind (for the new API, a known code may refine it, so only the one-line display is checked)
/// and displays on one bounded line whatever the provider wrote.
pub fn mirai_error_body(data: &[u8]) -> Outcome {
    let status = status_for(data);
    let text = || {
        let text = String::from_utf8_lossy(data).trim().to_owned();
        (!text.is_empty()).then_some(text)
    };

    let legacy = serde_json::from_slice::<LegacyBody>(data);
    let message = legacy
        .as_ref()
        .ok()
        .and_then(|body| body.message.clone())
        .or_else(text);
    let mut error = context(Error::from_status(status), Provider::Mirai, status);
    if let Some(message) = &message {
        error = error.with_provider_message(message);
    }
    check::error_is(&error, ErrorKind::from_status(status));

    let v2 = serde_json::from_slice::<V2Body>(data);
    let (code, message) = match &v2 {
        Ok(V2Body {
            error: V2Field::Object { code, message },
            ..
        }) => (code.clone(), message.clone()),
        Ok(V2Body {
            error: V2Field::Code(code),
            details,
        }) => (
            Some(code.clone()),
            details.as_ref().and_then(details_message),
        ),
        Err(_) => (None, text()),
    };
    let mut error = context(Error::from_status(status), Provider::MiraiV2, status);
    if let Some(code) = &code {
        error = error.with_provider_code(code);
    }
    if let Some(message) = &message {
        error = error.with_provider_message(message);
    }
    check::displays_on_one_line(&error);

    Outcome::of(&legacy).or(Outcome::of(&v2))
}

fn context(error: Error, provider: Provider, status: u16) -> Error {
    let error = error
        .with_provider(provider)
        .with_operation("abort call")
        .with_status(status)
        .with_request_sent(true);
    match CallId::new("call_fuzz") {
        Ok(id) => error.with_call_id(id),
        Err(_) => error,
    }
}

/// The first entries of `details` as one line, as `v2/error_body.rs` writes them.
fn details_message(details: &Value) -> Option<String> {
    let items = details.as_array()?;
    let parts: Vec<String> = items
        .iter()
        .take(3)
        .map(|item| match item {
            Value::String(text) => text.clone(),
            Value::Object(map) => {
                let path = map.get("path").and_then(Value::as_str);
                let message = map
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("invalid");
                match path {
                    Some(path) => format!("{path}: {message}"),
                    None => message.to_owned(),
                }
            }
            other => other.to_string(),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}
