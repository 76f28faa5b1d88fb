//! Reading single fields of the JSON objects the simulator accepts (request bodies, seeds),
//! with the check each kind of field needs.

use std::ops::RangeInclusive;

use serde_json::{Map, Value};

/// Removes `key` from `object`: a string, absent or null; anything else is an error.
pub(crate) fn take_string(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<String>, String> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

/// Removes `key` from `object`: a boolean or absent; anything else, null included, is an error.
pub(crate) fn take_bool(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<bool>, String> {
    match object.remove(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(_) => Err(format!("{key} must be a boolean")),
    }
}

/// Removes `key` from `object`: an array, absent or null; anything else is the error `message`.
pub(crate) fn take_array(
    object: &mut Map<String, Value>,
    key: &str,
    message: &str,
) -> Result<Option<Vec<Value>>, String> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(_) => Err(message.to_owned()),
    }
}

/// Reads `key` of `object`: a whole number in `range`, absent or null. The error names the range
/// with no closing full stop (Cartesia's messages add one).
pub(crate) fn integer_in(
    object: &Map<String, Value>,
    key: &str,
    range: RangeInclusive<u64>,
) -> Result<Option<u64>, String> {
    match object.get(key).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or(format!(
                "{key} must be an integer between {} and {}",
                range.start(),
                range.end()
            )),
    }
}
