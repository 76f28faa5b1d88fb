//! Validated batch ids, safe to put into a URL path.

use call_core::provider_kit::ErrorExt;
use std::fmt;
use std::str::FromStr;

use call_core::{CallId, Error, ErrorKind};

/// A Cartesia call batch id (`acb_PDWFN995PzAudChwFDqVZ2`), checked before anything is sent.
///
/// A batch id is an opaque path segment, as a call id is, so the rules are [`CallId`]'s: empty and all-whitespace
/// ids, ids with control characters, ids longer than [`MAX_CALL_ID_LEN`](call_core::MAX_CALL_ID_LEN) bytes, and `.`
/// and `..` are refused with [`ErrorKind::InvalidInput`]; every other id is kept as given and percent-encoded as
/// exactly one path segment, so `a/b` or `../calls` can never address another resource. It is its own type so a
/// batch id cannot be passed where a call id is expected, or the other way round.
///
/// ```
/// use cartesia_calls::BatchId;
///
/// let id: BatchId = "acb_PDWFN995PzAudChwFDqVZ2".parse()?;
/// assert_eq!(id.as_str(), "acb_PDWFN995PzAudChwFDqVZ2");
/// assert_eq!(BatchId::new("a/b")?.to_path_segment(), "a%2Fb");
/// assert!(BatchId::new("..").is_err());
/// # Ok::<(), cartesia_calls::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchId(CallId);

impl BatchId {
    /// Validates `id` as a batch id.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the id is empty, all whitespace, longer than 256 bytes, contains a control
    /// character, or is `.` or `..`; the error's `source()` says which.
    pub fn new(id: impl Into<String>) -> call_core::Result<Self> {
        CallId::new(id).map(BatchId).map_err(|source| {
            Error::new(
                ErrorKind::InvalidInput,
                "invalid batch id: it must not be empty, blank, `.` or `..`, longer than 256 bytes, or hold a \
                 control character",
            )
            .with_source(source)
        })
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The id percent-encoded as a single URL path segment.
    pub fn to_path_segment(&self) -> String {
        self.0.to_path_segment()
    }
}

impl fmt::Debug for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for BatchId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for BatchId {
    type Err = Error;

    fn from_str(s: &str) -> call_core::Result<Self> {
        BatchId::new(s)
    }
}

impl TryFrom<String> for BatchId {
    type Error = Error;

    fn try_from(s: String) -> call_core::Result<Self> {
        BatchId::new(s)
    }
}

impl TryFrom<&str> for BatchId {
    type Error = Error;

    fn try_from(s: &str) -> call_core::Result<Self> {
        BatchId::new(s)
    }
}

impl From<BatchId> for String {
    fn from(id: BatchId) -> String {
        id.0.into()
    }
}

impl serde::Serialize for BatchId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for BatchId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        BatchId::new(s).map_err(|_| serde::de::Error::custom("invalid batch id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_cannot_be_sent_and_keeps_the_rest() {
        for bad in ["", " ", ".", "..", "a\nb", "a\u{0}b"] {
            let err = BatchId::new(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
            assert!(err.to_string().contains("batch id"), "{err}");
        }
        assert!(BatchId::new("x".repeat(257)).is_err());
        for (id, segment) in [
            ("acb_1", "acb_1"),
            ("a/b", "a%2Fb"),
            ("../calls", "..%2Fcalls"),
            ("x?y=1", "x%3Fy%3D1"),
            ("batches", "batches"),
        ] {
            assert_eq!(BatchId::new(id).unwrap().to_path_segment(), segment);
        }
    }

    #[test]
    fn deserializing_validates() {
        let id: BatchId = serde_json::from_str("\"acb_1\"").unwrap();
        assert_eq!(id.as_str(), "acb_1");
        assert!(serde_json::from_str::<BatchId>("\"..\"").is_err());
    }
}
