//! Error bodies: Cartesia's (`cartesia-calls/src/error_body.rs`) and both Mirai APIs' (`legacy/error_body.rs`,
//! `v2/error_body.rs`), decoded by the clients' own code into the public [`Error`](call_core::Error).

use call_core::ErrorKind;
use cartesia_calls::fuzzing as cartesia;
use mirai_calls::fuzzing as mirai;

use crate::Outcome;
use crate::check;

/// The statuses an error body comes with; the input's first byte picks one.
const STATUSES: [u16; 12] = [400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503];

/// The status an error-body target uses for `data`.
fn status_for(data: &[u8]) -> u16 {
    let pick = usize::from(data.first().copied().unwrap_or(0)) % STATUSES.len();
    STATUSES.get(pick).copied().unwrap_or(500)
}

/// Whether `data` is a JSON object: the structured shape every error decoder looks for first (the runner's feedback).
fn is_object(data: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(data).is_ok()
}

/// A Cartesia error body, read by `error_body::error_from`: the error keeps its status's kind and status, quotes the
/// provider's message exactly when `error_body::provider_message` finds one, and displays on one bounded line
/// whatever the provider wrote.
pub fn cartesia_error_body(data: &[u8]) -> Outcome {
    let status = status_for(data);
    let error = cartesia::error_from(status, data);
    check::error_is(&error, ErrorKind::from_status(status));
    assert_eq!(error.status(), Some(status));
    assert!(error.request_may_have_been_sent());
    let message = cartesia::provider_message(status, data);
    assert_eq!(
        error.provider_message().is_some(),
        message.is_some(),
        "the error quotes a message the body does not have, or drops one it has"
    );
    outcome(data)
}

/// An error body read both as the legacy client and as the new one read it. Legacy: the error keeps its status's
/// kind. New API: a code refines the kind, so only the one-line display is checked, and the code is kept exactly
/// when `error_body::read` finds one; an answer `error_body::is_final_answer` calls final is never retryable.
pub fn mirai_error_body(data: &[u8]) -> Outcome {
    let status = status_for(data);
    let legacy = mirai::legacy_error_from(status, data);
    check::error_is(&legacy, ErrorKind::from_status(status));
    assert_eq!(legacy.status(), Some(status));

    let v2 = mirai::v2_error_from(status, data);
    check::displays_on_one_line(&v2);
    assert_eq!(v2.status(), Some(status));
    let (code, message) = mirai::v2_error_info(data);
    assert_eq!(v2.provider_code().is_some(), code.is_some());
    assert_eq!(v2.provider_message().is_some(), message.is_some());
    if mirai::v2_is_final_answer(status, data) {
        assert_eq!(status, 503, "only a 503 is final by its code");
        assert!(!v2.is_retryable(), "a final answer is retryable: {v2}");
    }
    outcome(data)
}

fn outcome(data: &[u8]) -> Outcome {
    if is_object(data) {
        Outcome::Accepted
    } else {
        Outcome::Rejected
    }
}
