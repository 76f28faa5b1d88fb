//! `Retry-After`, as every client reads it (`call-core/src/http/retry_after.rs`, through `Response::error`).

use std::time::{Duration, SystemTime};

use call_core::{ErrorKind, Provider};

use crate::Outcome;
use crate::check;

/// The longest delay a `Retry-After` may ask for: longer ones saturate at one day.
const MAX: Duration = Duration::from_secs(24 * 60 * 60);

/// A `Retry-After` value (the input as text), read by `parse_retry_after` at a fixed moment and by a 429 answer's
/// `Response::error`. A delay is at most a day; delay-seconds read as their number (saturating); a 429's error is
/// `RateLimited` on one line, and carries the delay the header asks for when it is a number.
pub fn retry_after(data: &[u8]) -> Outcome {
    let value = String::from_utf8_lossy(data);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_785_057_398);
    let delay = call_core::fuzzing::parse_retry_after(&value, now);
    if let Some(delay) = delay {
        assert!(delay <= MAX, "a delay of {delay:?}");
    }
    let trimmed = value.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = trimmed.parse::<u64>().unwrap_or(u64::MAX);
        assert_eq!(delay, Some(Duration::from_secs(seconds).min(MAX)));
    }

    let response = call_core::fuzzing::response(
        Provider::Cartesia,
        "cancel call",
        None,
        429,
        &[("retry-after", &value)],
        b"",
    );
    let error = response.error();
    check::error_is(&error, ErrorKind::RateLimited);
    if response.header("retry-after").is_some()
        && trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        assert_eq!(error.retry_after(), delay, "the error lost the delay");
    }
    if delay.is_some() {
        Outcome::Accepted
    } else {
        Outcome::Rejected
    }
}
