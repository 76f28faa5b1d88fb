//! The new API's error bodies and what their codes mean.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::Response;
use call_core::{Error, ErrorKind};
use serde::Deserialize;
use serde_json::Value;

/// `{"error": {"code", "message"}}`, or the string shape of a few endpoints
/// (`{"error": "invalid_flow", "details": [{"path", "message"}]}`) — a decoder must accept both
/// ([errors](https://docs.miraiminds.co/v2/errors)).
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorField,
    #[serde(default)]
    details: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorField {
    Object {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
    Code(String),
}

/// What an error body says: its code and message.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ErrorInfo {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
}

/// Reads an error body; a body that is not Mirai's JSON gives its text as the message (a gateway's page).
pub(crate) fn read(body: &[u8]) -> ErrorInfo {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            error: ErrorField::Object { code, message },
            ..
        }) => ErrorInfo { code, message },
        Ok(ErrorBody {
            error: ErrorField::Code(code),
            details,
        }) => ErrorInfo {
            code: Some(code),
            message: details.as_ref().and_then(details_message),
        },
        Err(_) => {
            let text = String::from_utf8_lossy(body).trim().to_owned();
            ErrorInfo {
                code: None,
                message: (!text.is_empty()).then_some(text),
            }
        }
    }
}

/// The first entries of `details` as one line: `"path: message; path: message"`.
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

/// The error kind an error code means, where it differs from (or refines) the status's usual kind.
fn kind_of(code: &str) -> Option<ErrorKind> {
    Some(match code {
        "invalid_request" | "invalid_flow" | "unsupported_channel" => ErrorKind::InvalidInput,
        "unauthorized" | "invalid_token" => ErrorKind::Unauthorized,
        "insufficient_balance" => ErrorKind::Rejected,
        "forbidden" | "recording_disabled" | "contract_unavailable" => ErrorKind::Forbidden,
        "not_found" => ErrorKind::NotFound,
        "duplicate_call"
        | "conflict"
        | "window_closed"
        | "call_not_active"
        | "flow_agent_voice_only"
        | "flow_first_message_unsupported" => ErrorKind::Conflict,
        "request_too_large"
        | "flow_generation_failed"
        | "transcription_failed"
        | "upgrade_required"
        | "tier_unavailable" => ErrorKind::Rejected,
        "rate_limited" | "at_capacity" | "concurrency_limit" => ErrorKind::RateLimited,
        "internal" | "upstream_unavailable" | "fleet_offline" => ErrorKind::Upstream,
        _ => return None,
    })
}

/// Codes that say "do not retry" whatever their status: the feature is not enabled on this deployment.
fn is_never_retryable(code: &str) -> bool {
    matches!(code, "campaigns_unavailable" | "transcription_unavailable")
}

/// For [`Request::final_when`](call_core::provider_kit::Request::final_when): a 503 whose code says the feature is off is
/// final, not transient, and is not retried.
pub(crate) fn is_final_answer(status: u16, body: &[u8]) -> bool {
    status == 503 && read(body).code.as_deref().is_some_and(is_never_retryable)
}

/// The error for a non-2xx answer: the kind from the code (else the status), the code and message kept, and
/// [`Error::is_retryable`] set from the docs' retry table.
pub(crate) fn error_from(response: &Response) -> Error {
    let info = read(response.body());
    let mut error = response.error();
    if let Some(code) = &info.code {
        if let Some(kind) = kind_of(code) {
            error = error.with_kind(kind);
        }
        error = error.with_provider_code(code);
        if is_never_retryable(code) || code == "tier_unavailable" || code == "insufficient_balance"
        {
            // 402 only after a top-up; 501 and the two 503s are configuration, not weather.
            error = error.with_retryable(false);
        }
    }
    match &info.message {
        Some(message) => error.with_provider_message(message),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_shapes() {
        assert_eq!(
            read(br#"{"error":{"code":"not_found","message":"call not found"}}"#),
            ErrorInfo {
                code: Some("not_found".into()),
                message: Some("call not found".into())
            }
        );
        assert_eq!(
            read(br#"{"error":"invalid_flow","details":[{"path":"nodes[0]","message":"no edges"},{"message":"x"}]}"#),
            ErrorInfo {
                code: Some("invalid_flow".into()),
                message: Some("nodes[0]: no edges; x".into())
            }
        );
        assert_eq!(
            read(b"<html>bad gateway</html>"),
            ErrorInfo {
                code: None,
                message: Some("<html>bad gateway</html>".into())
            }
        );
        assert_eq!(read(b""), ErrorInfo::default());
        assert!(is_final_answer(
            503,
            br#"{"error":{"code":"campaigns_unavailable","message":"off"}}"#
        ));
        assert!(!is_final_answer(
            503,
            br#"{"error":{"code":"upstream_unavailable","message":"x"}}"#
        ));
        assert!(!is_final_answer(503, b"oops"));
    }
}
