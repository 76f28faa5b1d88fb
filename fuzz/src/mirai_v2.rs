//! Mirai's new API: call records, list pages, webhook bodies and the `X-Mirai-Signature` header.

use std::time::{Duration, SystemTime};

use call_core::ErrorKind;
use mirai_calls::v2::{Call, Campaign, Contact, DncEntry, Page, WebhookEvent, WebhookVerifier};
use serde::de::DeserializeOwned;

use crate::Outcome;
use crate::check;

/// The secret of the test vector in Mirai's webhook docs.
const SECRET: &str = "whsec_7d4f1a09c2e58b36a1f0d7c93b2e64a8";

/// The moment of that test vector (`t=1785057398`): the verifier's clock.
const NOW: i64 = 1_785_057_398;

/// The replay window the verifier enforces by default.
const TOLERANCE: i64 = 300;

/// A call record, as `get_call` decodes it: `serde_json` into the public [`Call`], which must answer its accessors
/// and re-encode to JSON that decodes to the same record.
pub fn mirai_v2_call(data: &[u8]) -> Outcome {
    let result = serde_json::from_slice::<Call>(data);
    if let Ok(call) = &result {
        read_call(call);
    }
    Outcome::of(&result)
}

fn read_call(call: &Call) {
    let _ = call.status.state();
    let _ = call.status.is_terminal();
    let _ = call.was_aborted_by_api();
    check::reencodes(call);
}

/// A list page (`{data, has_more, next_cursor}`), decoded into the public [`Page`] of calls, campaigns, campaign
/// contacts and do-not-call entries (one input is tried as each).
pub fn mirai_v2_page(data: &[u8]) -> Outcome {
    let calls = serde_json::from_slice::<Page<Call>>(data);
    if let Ok(page) = &calls {
        page.data.iter().for_each(read_call);
    }
    Outcome::of(&calls)
        .or(page::<Campaign>(data))
        .or(page::<Contact>(data))
        .or(page::<DncEntry>(data))
}

fn page<T: DeserializeOwned + std::fmt::Debug>(data: &[u8]) -> Outcome {
    let result = serde_json::from_slice::<Page<T>>(data);
    if let Ok(page) = &result {
        let _ = format!("{page:?}");
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
