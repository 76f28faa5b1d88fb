//! Validated call ids, safe to put into a URL path.

use std::fmt;
use std::str::FromStr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{Error, ErrorKind};

/// The longest call id we accept, in bytes.
///
/// Provider ids are short (`call_01JZQ9B4M8N3P6R2S5T7V9W1YA`, `68f0a1b2c3d4e5f600000900`); anything this long is a
/// mistake (a whole file pasted as an id), and refusing it keeps request lines small.
pub const MAX_CALL_ID_LEN: usize = 256;

/// Everything but RFC 3986's unreserved characters is percent-encoded, so an id is always exactly one path segment:
/// `/`, `?`, `#` and `%` can never change a request's path or query.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A provider's call id, checked before anything is sent.
///
/// Call ids come from users, files and webhooks, so they are validated once, here:
/// empty and all-whitespace ids, ids with control characters, ids longer than [`MAX_CALL_ID_LEN`] bytes, and the
/// ids `.` and `..` (which URL parsers collapse, so no encoding can carry them) are rejected with
/// [`ErrorKind::InvalidInput`]. Every other id is accepted as is (no trimming) and is percent-encoded as one path
/// segment when it is sent, so an id such as `a/b`, `../agents` or `x?y=1` reaches the provider intact and can never
/// address another resource.
///
/// ```
/// use call_core::CallId;
///
/// let id: CallId = "ac_abc123".parse()?;
/// assert_eq!(id.as_str(), "ac_abc123");
/// assert_eq!(CallId::new("a/b?c")?.to_path_segment(), "a%2Fb%3Fc");
/// assert!(CallId::new("  ").is_err());
/// assert!(CallId::new("..").is_err());
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(Box<str>);

impl CallId {
    /// Validates `id` as a call id.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the id is empty, all whitespace, longer than [`MAX_CALL_ID_LEN`] bytes,
    /// contains a control character, or is `.` or `..`.
    pub fn new(id: impl Into<String>) -> crate::Result<Self> {
        CallId::from_owned(id.into()).map_err(|(error, _)| error)
    }

    /// Validates `id` as [`CallId::new`] does, handing `id` back with the error when it is refused (the bulk engine
    /// reports a refused id as it was given, without copying every id it accepts).
    pub(crate) fn from_owned(id: String) -> Result<Self, (Error, String)> {
        match problem(&id) {
            Some(problem) => Err((
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("invalid call id: {problem}"),
                ),
                id,
            )),
            None => Ok(CallId(id.into_boxed_str())),
        }
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id percent-encoded as a single URL path segment.
    pub fn to_path_segment(&self) -> String {
        encode_path_segment(&self.0)
    }
}

/// Percent-encodes `segment` so it is exactly one URL path segment.
pub(crate) fn encode_path_segment(segment: &str) -> String {
    utf8_percent_encode(segment, PATH_SEGMENT).to_string()
}

fn problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id.len() > MAX_CALL_ID_LEN {
        Some("it is longer than 256 bytes")
    } else if id.chars().all(char::is_whitespace) {
        Some("it is only whitespace")
    } else if id.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if id == "." || id == ".." {
        Some("`.` and `..` cannot be sent as a path segment")
    } else {
        None
    }
}

impl fmt::Debug for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CallId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for CallId {
    type Err = Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        CallId::new(s)
    }
}

impl TryFrom<String> for CallId {
    type Error = Error;

    fn try_from(s: String) -> crate::Result<Self> {
        CallId::new(s)
    }
}

impl TryFrom<&str> for CallId {
    type Error = Error;

    fn try_from(s: &str) -> crate::Result<Self> {
        CallId::new(s)
    }
}

impl From<CallId> for String {
    fn from(id: CallId) -> String {
        id.0.into()
    }
}

impl serde::Serialize for CallId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for CallId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CallId::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_cannot_be_sent() {
        for bad in ["", " ", "\t\n", "a\u{0}b", "a\nb", "\u{7f}", ".", ".."] {
            let err = CallId::new(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(CallId::new("x".repeat(MAX_CALL_ID_LEN)).is_ok());
        assert!(CallId::new("x".repeat(MAX_CALL_ID_LEN + 1)).is_err());
    }

    #[test]
    fn keeps_odd_but_sendable_ids_intact() {
        for good in ["a/b", "../agents", "x?y=1", "%2F", "...", " a ", "é", "a#b"] {
            assert_eq!(CallId::new(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn encodes_as_exactly_one_segment() {
        let cases = [
            ("ac_abc123", "ac_abc123"),
            ("a/b", "a%2Fb"),
            ("../agents", "..%2Fagents"),
            ("x?y=1", "x%3Fy%3D1"),
            ("%2F", "%252F"),
            ("a b", "a%20b"),
            ("a#b", "a%23b"),
            ("é", "%C3%A9"),
        ];
        for (id, segment) in cases {
            assert_eq!(CallId::new(id).unwrap().to_path_segment(), segment);
        }
    }

    #[test]
    fn deserializing_validates() {
        let id: CallId = serde_json::from_str("\"call_1\"").unwrap();
        assert_eq!(id.as_str(), "call_1");
        assert!(serde_json::from_str::<CallId>("\"..\"").is_err());
    }
}
