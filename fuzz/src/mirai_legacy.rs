//! Mirai's legacy API: call-event webhook bodies, their `x-signature` header, and Abort Call's 2xx answers.

use call_core::ErrorKind;
use mirai_calls::fuzzing::{self, LegacyAbortAnswer};
use mirai_calls::legacy::{WebhookEvent, WebhookVerifier};

use crate::Outcome;
use crate::check;

/// The private key the signature target signs and verifies with.
const KEY: &str = "sk_fuzz_legacy_4b1d9e";

/// A call-event body, decoded by the public [`WebhookEvent::from_slice`]: an event answers its accessors, and a
/// refusal is always [`ErrorKind::Decode`].
pub fn mirai_legacy_webhook(data: &[u8]) -> Outcome {
    let result = WebhookEvent::from_slice(data);
    match &result {
        Ok(event) => read(event),
        Err(error) => check::error_is(error, ErrorKind::Decode),
    }
    Outcome::of(&result)
}

fn read(event: &WebhookEvent) {
    let _ = event.event_type.is_final();
    let _ = event.call_status();
    if let Some(key) = event.dedup_key() {
        assert!(
            event.call_id().is_some(),
            "a dedup key without a call id: {key}"
        );
    }
    let _ = format!("{event:?}");
}

/// An `x-signature` header (the input's first line) and a body (the rest), checked by the public
/// [`WebhookVerifier::verify`]: it accepts only the body's HMAC-SHA256 in hex (either case, surrounding spaces
/// trimmed) and refuses everything else as [`ErrorKind::Unauthorized`]. The right signature of the same body always
/// verifies, and then the body decodes or is refused as [`ErrorKind::Decode`].
pub fn mirai_legacy_signature(data: &[u8]) -> Outcome {
    let (header, body) = check::header_and_body(data);
    let verifier = WebhookVerifier::new(KEY);
    let right = check::hmac_hex(KEY, &[body]);
    let result = verifier.verify(&header, body);
    match &result {
        Ok(()) => assert!(
            header.trim().eq_ignore_ascii_case(&right),
            "a signature that is not the body's HMAC verified: {header:?}"
        ),
        Err(error) => check::error_is(error, ErrorKind::Unauthorized),
    }
    // During a key rotation either key verifies.
    let rotating = WebhookVerifier::new("sk_fuzz_old_key").with_key(KEY);
    match rotating.verify_event(&right, body) {
        Ok(event) => read(&event),
        Err(error) => check::error_is(&error, ErrorKind::Decode),
    }
    Outcome::of(&result)
}

/// A 2xx answer to Abort Call, read by `abort::read_success`, and its text as a refusal's message, read by
/// `abort::refusal`. Success is only a JSON object whose message, if any, is not a refusal; a refusal without an
/// error code has a message that is one; a body's error code is 400 to 599. Refusals are recognised whatever the
/// (ASCII) case.
pub fn mirai_legacy_abort_answer(data: &[u8]) -> Outcome {
    let answer = fuzzing::legacy_abort_answer(data);
    match &answer {
        LegacyAbortAnswer::Aborted(message) => {
            assert!(
                serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(data).is_ok(),
                "a body that is not a JSON object is taken as an abort"
            );
            if let Some(message) = message {
                assert_eq!(
                    fuzzing::legacy_refusal(message),
                    None,
                    "a refusal is taken as an abort: {message:?}"
                );
            }
        }
        LegacyAbortAnswer::Refused {
            code: Some(code), ..
        } => assert!((400..=599).contains(code), "error code {code}"),
        LegacyAbortAnswer::Refused {
            code: None,
            message,
        } => assert!(
            message
                .as_deref()
                .is_some_and(|message| fuzzing::legacy_refusal(message).is_some()),
            "a refusal without a code or a refusal's message: {message:?}"
        ),
        LegacyAbortAnswer::Unclear(_) => {}
    }

    let text = String::from_utf8_lossy(data);
    let refusal = fuzzing::legacy_refusal(&text);
    if text.is_ascii() {
        assert_eq!(
            fuzzing::legacy_refusal(&text.to_ascii_uppercase()),
            refusal,
            "case changes the refusal of {text:?}"
        );
    }
    match answer {
        LegacyAbortAnswer::Aborted(_) | LegacyAbortAnswer::Refused { .. } => Outcome::Accepted,
        LegacyAbortAnswer::Unclear(_) => Outcome::Rejected,
    }
}
