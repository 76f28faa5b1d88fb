//! The checks every target shares: what an error and a decoded record must satisfy.
//!
//! A failed check panics: that is how a fuzz target reports a finding, to libFuzzer and to the stable runner alike.

#![allow(clippy::panic)]

use call_core::{Error, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The longest `Display` an error may have: every quoted provider text is cut at 300 characters, each escaped to at
/// most 10 bytes, so anything near this is unbounded quoting.
const MAX_DISPLAY_BYTES: usize = 16 * 1024;

/// Checks that `error` is of `kind` and displays as one bounded line (`Display` and `Debug` both run, so a panic
/// in either is found).
pub(crate) fn error_is(error: &Error, kind: ErrorKind) {
    assert_eq!(error.kind(), kind, "{error}");
    displays_on_one_line(error);
}

/// Checks that `error` displays as one bounded line, whatever provider text it quotes.
pub(crate) fn displays_on_one_line(error: &Error) {
    let shown = error.to_string();
    assert!(
        !shown.contains(['\n', '\r']),
        "the error's Display is not one line: {shown:?}"
    );
    assert!(
        shown.len() <= MAX_DISPLAY_BYTES,
        "the error's Display is {} bytes",
        shown.len()
    );
    let _ = format!("{error:?}");
}

/// Checks that `error`, from a success body that did not decode, quotes nothing of it: no run of seven digits or
/// more (a phone number), which our own words (positions, sizes, statuses under 64 KiB) never make. A call record
/// holds phone numbers and what was said, and errors are printed and logged.
pub(crate) fn quotes_no_body(error: &Error) {
    let shown = error.to_string();
    let mut run = 0;
    for b in shown.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run < 7, "the error quotes digits of the body: {shown:?}");
    }
}

/// Checks that `value` encodes to JSON that decodes again into the same record (records are stored and forwarded
/// by users). Numbers are compared to 1e-9 relative: serde_json's float parsing may round differently from its
/// printing by one unit in the last place, which is not ours to find.
pub(crate) fn reencodes<T>(value: &T)
where
    T: Serialize + DeserializeOwned + std::fmt::Debug,
{
    let _ = format!("{value:?}");
    let json = match serde_json::to_vec(value) {
        Ok(json) => json,
        Err(error) => panic!("a decoded record does not encode: {error}"),
    };
    let again = match serde_json::from_slice::<T>(&json) {
        Ok(again) => again,
        Err(error) => panic!(
            "a decoded record encodes to JSON it cannot decode ({error}): {}",
            String::from_utf8_lossy(&json)
        ),
    };
    match (serde_json::to_value(value), serde_json::to_value(&again)) {
        (Ok(first), Ok(second)) => assert!(
            same_json(&first, &second),
            "re-decoding changed the record: {first} became {second}"
        ),
        (first, second) => {
            panic!("a decoded record does not encode as a value: {first:?}, {second:?}")
        }
    }
}

/// Whether `a` and `b` are the same JSON, numbers to 1e-9 relative.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x == y {
                return true;
            }
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| same_json(x, y)))
        }
        _ => a == b,
    }
}

/// Splits a signature target's input into the header (the first line, as text) and the body (the rest, as bytes).
pub(crate) fn header_and_body(data: &[u8]) -> (String, &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(at) => (
            String::from_utf8_lossy(&data[..at]).into_owned(),
            &data[at + 1..],
        ),
        None => (String::from_utf8_lossy(data).into_owned(), &[]),
    }
}

/// The lowercase hex HMAC-SHA256 of `parts`, keyed with `key` (to sign bodies the way the providers do).
pub(crate) fn hmac_hex(key: &str, parts: &[&[u8]]) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()) else {
        // HMAC takes keys of any length; this cannot happen.
        return String::new();
    };
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}
