//! Points in time, as providers send them.

use std::fmt;
use std::str::FromStr;

use crate::{Error, ErrorKind};

/// An instant in UTC, parsed from an RFC 3339 string (`2026-03-01T12:00:00Z`, `2026-07-26T09:15:02.000Z`).
///
/// A newtype, so the date-time crate behind it (`jiff`) is not part of our public API; convert through
/// [`Timestamp::as_unix_millis`] or [`std::time::SystemTime`].
///
/// ```
/// use call_core::Timestamp;
///
/// let t: Timestamp = "2026-03-01T12:00:00Z".parse()?;
/// assert_eq!(t.to_string(), "2026-03-01T12:00:00Z");
/// assert_eq!(t.as_unix_millis(), 1_772_366_400_000);
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Timestamp(jiff::Timestamp::now())
    }

    /// Milliseconds since the Unix epoch.
    pub fn as_unix_millis(&self) -> i64 {
        self.0.as_millisecond()
    }

    /// Seconds since the Unix epoch.
    pub fn as_unix_seconds(&self) -> i64 {
        self.0.as_second()
    }

    /// The instant `secs` seconds after the Unix epoch.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `secs` is outside the supported range (years -9999 to 9999).
    pub fn from_unix_seconds(secs: i64) -> crate::Result<Self> {
        jiff::Timestamp::from_second(secs)
            .map(Timestamp)
            .map_err(|_| Error::new(ErrorKind::InvalidInput, "timestamp out of range"))
    }
}

impl From<Timestamp> for std::time::SystemTime {
    fn from(t: Timestamp) -> Self {
        std::time::SystemTime::from(t.0)
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        s.parse::<jiff::Timestamp>()
            .map(Timestamp)
            .map_err(|_| Error::new(ErrorKind::Decode, "not an RFC 3339 timestamp"))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom("not an RFC 3339 timestamp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_provider_formats() {
        for s in [
            "2026-03-01T12:00:00Z",
            "2026-07-26T09:15:02.000Z",
            "2026-03-01T17:30:00+05:30",
        ] {
            let t: Timestamp = s.parse().unwrap();
            assert!(t.as_unix_seconds() > 1_700_000_000, "{s}");
        }
        assert!("yesterday".parse::<Timestamp>().is_err());
        assert!(serde_json::from_str::<Timestamp>("\"2026-13-01T00:00:00Z\"").is_err());
    }
}
