//! Validated campaign ids, safe to put into a URL path.

use std::fmt;
use std::str::FromStr;

use call_core::{CallId, Error, ErrorKind};

/// A campaign's id (`cmp_<ulid>`, opaque), checked before anything is sent.
///
/// The rules are [`CallId`]'s, reused: empty and all-whitespace ids, ids with control characters, ids longer than
/// [`MAX_CALL_ID_LEN`](call_core::MAX_CALL_ID_LEN) bytes, and `.` and `..` are refused with
/// [`ErrorKind::InvalidInput`]; every other id is kept as given (no trimming, no prefix check: Mirai calls ids
/// opaque) and is percent-encoded as exactly one path segment, so `a/b` or `../calls` can never address another
/// resource.
///
/// ```
/// use mirai_calls::v2::CampaignId;
///
/// let id: CampaignId = "cmp_01K7QAC5N9P4R7S3T6V8W2X4YB".parse()?;
/// assert_eq!(id.as_str(), "cmp_01K7QAC5N9P4R7S3T6V8W2X4YB");
/// assert_eq!(CampaignId::new("a/b")?.to_path_segment(), "a%2Fb");
/// assert!(CampaignId::new("..").is_err());
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CampaignId(CallId);

impl CampaignId {
    /// Validates `id` as a campaign id.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the id is empty, all whitespace, too long, contains a control character, or
    /// is `.` or `..`.
    pub fn new(id: impl Into<String>) -> call_core::Result<Self> {
        CallId::new(id).map(CampaignId).map_err(|error| {
            // call-core names the thing a "call id"; the reason after the colon is the same for any path segment.
            let text = error.to_string();
            let reason = text.split_once(": ").map_or(text.as_str(), |(_, why)| why);
            Error::new(
                ErrorKind::InvalidInput,
                format!("invalid campaign id: {reason}"),
            )
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

impl fmt::Debug for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for CampaignId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for CampaignId {
    type Err = Error;

    fn from_str(s: &str) -> call_core::Result<Self> {
        CampaignId::new(s)
    }
}

impl TryFrom<&str> for CampaignId {
    type Error = Error;

    fn try_from(s: &str) -> call_core::Result<Self> {
        CampaignId::new(s)
    }
}

impl TryFrom<String> for CampaignId {
    type Error = Error;

    fn try_from(s: String) -> call_core::Result<Self> {
        CampaignId::new(s)
    }
}

impl From<CampaignId> for String {
    fn from(id: CampaignId) -> String {
        id.0.into()
    }
}

impl serde::Serialize for CampaignId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CampaignId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CampaignId::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_the_call_id_rules_and_names_itself() {
        for bad in ["", " ", ".", "..", "a\nb"] {
            let err = CampaignId::new(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
            assert!(
                err.to_string().starts_with("invalid campaign id: "),
                "{err}"
            );
        }
        assert!(CampaignId::new("x".repeat(257)).is_err());
        for (id, segment) in [
            ("cmp_1", "cmp_1"),
            ("a/b", "a%2Fb"),
            ("x?y", "x%3Fy"),
            ("%2F", "%252F"),
        ] {
            assert_eq!(CampaignId::new(id).unwrap().to_path_segment(), segment);
        }
        assert!(serde_json::from_str::<CampaignId>("\"..\"").is_err());
        assert_eq!(
            format!("{:?}", CampaignId::new("cmp_1").unwrap()),
            "\"cmp_1\""
        );
    }
}
