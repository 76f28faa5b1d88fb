//! Mirai's new API: call records, list pages, Abort Call's 2xx answers, webhook bodies and the `X-Mirai-Signature`
//! header.

use std::time::{Duration, SystemTime};

use call_core::{CallId, Error, ErrorKind, Provider};
use mirai_calls::fuzzing;
use mirai_calls::v2::{Call, Campaign, Contact, DncEntry, WebhookEvent, WebhookVerifier};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Outcome;
use crate::check;

/// The secret of the test vector in Mirai's webhook docs.
const SECRET: &str = "whsec_7d4f1a09c2e58b36a1f0d7c93b2e64a8";

/// The moment of that test vector (`t=1785057398`): the verifier's clock.
const NOW: i64 = 1_785_057_398;

/// The replay window the verifier enforces by default.
const TOLERANCE: i64 = 300;

/// The call id of the abort target's answers.
const CALL_ID: &str = "call_01JZQ9B4M8N3P6R2S5T7V9W1YA";

/// A 2xx answer to `operation` with `data` as its body, decoded by `Response::json` as the client decodes it.
fn json<T: DeserializeOwned>(operation: &'static str, data: &[u8]) -> call_core::Result<T> {
    fuzzing::response(Provider::MiraiV2, operation, None, 200, data).json()
}

/// A success body that does not decode: a `Decode` error on one line that quotes nothing of the body.
fn decode_error(error: &Error) {
    check::error_is(error, ErrorKind::Decode);
    check::quotes_no_body(error);
}

/// A call record, as `get_call` decodes it (`Response::json` into the public [`Call`]), which must answer its
/// accessors and re-encode to JSON that decodes to the same record; a refusal quotes nothing of the body.
pub fn mirai_v2_call(data: &[u8]) -> Outcome {
    let result = json::<Call>("get call", data);
    match &result {
        Ok(call) => read_call(call),
        Err(error) => decode_error(error),
    }
    Outcome::of(&result)
}

/// A 2xx answer to Abort Call, read by `calls::proves_abort`. It proves the abort only as a JSON object without an
/// `error`, whose `status` is `"aborted"` and whose `id`, if any, is this call; anything else is an ambiguous
/// `Decode` error that quotes nothing of the body but an error envelope's code and message.
pub fn mirai_v2_abort_answer(data: &[u8]) -> Outcome {
    let Ok(call_id) = CallId::new(CALL_ID) else {
        return Outcome::Rejected;
    };
    let result = fuzzing::v2_abort_answer(&call_id, 202, data);
    match &result {
        Ok(()) => {
            let object = serde_json::from_slice::<serde_json::Map<String, Value>>(data);
            let proves = object.as_ref().is_ok_and(|answer| {
                answer.get("status").and_then(Value::as_str) == Some("aborted")
                    && answer.get("error").is_none_or(Value::is_null)
                    && match answer.get("id") {
                        None | Some(Value::Null) => true,
                        Some(id) => id.as_str() == Some(CALL_ID),
                    }
            });
            assert!(proves, "an answer that does not prove the abort is taken");
        }
        Err(error) => {
            check::error_is(error, ErrorKind::Decode);
            assert!(
                error.is_ambiguous(),
                "a 2xx that proves nothing is not ambiguous"
            );
            assert_eq!(error.call_id(), Some(&call_id));
            if error.provider_message().is_none() && error.provider_code().is_none() {
                check::quotes_no_body(error);
            }
        }
    }
    Outcome::of(&result)
}

fn read_call(call: &Call) {
    let _ = call.status.state();
    let _ = call.status.is_terminal();
    let _ = call.was_aborted_by_api();
    check::reencodes(call);
}

/// A list page (`{data, has_more, next_cursor}`), decoded as the listings do (`fuzzing::v2_page`) into the public
/// [`Page`](call_core::Page) of calls, campaigns, campaign contacts and do-not-call entries (one input is tried as each); a refusal
/// quotes nothing of the body.
pub fn mirai_v2_page(data: &[u8]) -> Outcome {
    let calls = fuzzing::v2_page::<Call>(data);
    match &calls {
        Ok(page) => page.items.iter().for_each(read_call),
        Err(error) => decode_error(error),
    }
    Outcome::of(&calls)
        .or(page::<Campaign>(data))
        .or(page::<Contact>(data))
        .or(page::<DncEntry>(data))
}

fn page<T: DeserializeOwned + std::fmt::Debug>(data: &[u8]) -> Outcome {
    let result = fuzzing::v2_page::<T>(data);
    match &result {
        Ok(page) => {
            let _ = format!("{page:?}");
        }
        Err(error) => decode_error(error),
    }
    Outcome::of(&result)
}

/// A webhook body, decoded by the public [`WebhookEvent::from_slice`]: an event answers its accessors and its call
/// re-encodes; a refusal is always [`ErrorKind::Decode`].
pub fn mirai_v2_webhook(data: &[u8]) -> Outcome {
    let result = WebhookEvent::from_slice(data);
    match &result {
        Ok(event) => read_event(event),
        Err(error) => check::error_is(error, ErrorKind::Decode),
    }
    Outcome::of(&result)
}

fn read_event(event: &WebhookEvent) {
    let _ = event.event_type.is_terminal();
    let _ = event.call_id();
    if let Some(call) = &event.data.call {
        read_call(call);
    }
    let _ = format!("{event:?}");
}

/// An `X-Mirai-Signature` header (the input's first line) and a body (the rest), checked by the public
/// [`WebhookVerifier::verify`] with its clock at the docs' test vector.
///
/// It may accept only a header with a `t` within 300 seconds of now and a `v1` that is the HMAC of `"<t>.<body>"`,
/// and refuses everything else as [`ErrorKind::Unauthorized`]. A header made for the body with a `t` up to 400
/// seconds away (the input's length picks how far) verifies exactly when it is within the window, and then the body
/// decodes or is refused as [`ErrorKind::Decode`].
pub fn mirai_v2_signature_header(data: &[u8]) -> Outcome {
    let (header, body) = check::header_and_body(data);
    let verifier = verifier();
    let result = verifier.verify(&header, body);
    match &result {
        Ok(()) => assert!(
            signed_by_us(&header, body),
            "a header that does not sign the body within the window verified: {header:?}"
        ),
        Err(error) => check::error_is(error, ErrorKind::Unauthorized),
    }

    let offset = i64::try_from(data.len() % 801).unwrap_or(0) - 400;
    let t = NOW + offset;
    let v1 = check::hmac_hex(SECRET, &[t.to_string().as_bytes(), b".", body]);
    let made = format!("t={t},v1=00,v1={v1}");
    match verifier.verify_event(&made, body) {
        Ok(event) => {
            assert!(offset.abs() <= TOLERANCE, "t {offset} s away verified");
            read_event(&event);
        }
        Err(error) if offset.abs() > TOLERANCE => check::error_is(&error, ErrorKind::Unauthorized),
        Err(error) => check::error_is(&error, ErrorKind::Decode),
    }
    Outcome::of(&result)
}

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(SECRET)
        .with_secret("whsec_fuzz_rotated_out")
        .with_clock(|| SystemTime::UNIX_EPOCH + Duration::from_secs(NOW.unsigned_abs()))
}

/// Whether `header`, read as the docs describe (parts split on `,`, each at its first `=`, trimmed; the last `t`),
/// has a `t` within the window and a `v1` that signs `body` at that `t`.
fn signed_by_us(header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        if let Some((name, value)) = part.split_once('=') {
            match name.trim() {
                "t" => t = Some(value.trim()),
                "v1" => v1.push(value.trim()),
                _ => {}
            }
        }
    }
    let Some(t) = t else { return false };
    let Ok(seconds) = t.parse::<i64>() else {
        return false;
    };
    if (seconds - NOW).abs() > TOLERANCE {
        return false;
    }
    let right = check::hmac_hex(SECRET, &[t.as_bytes(), b".", body]);
    v1.iter().any(|v| v.eq_ignore_ascii_case(&right))
}
