//! E.164 phone numbers, checked before anything is sent.

use std::fmt;
use std::str::FromStr;

use crate::{Error, ErrorKind};

/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not `0` (`+14155550123`).
///
/// Providers want E.164 (Cartesia for outbound calls and batches, Mirai for both its APIs; Mirai's legacy API
/// otherwise fails the call later, as `validation-failed`), so a bad number is refused here, before a request is
/// sent. Errors never quote the number: phone numbers are personal data. `Debug` shows only the last two digits.
///
/// ```
/// use call_core::PhoneNumber;
///
/// let to: PhoneNumber = "+14155550123".parse()?;
/// assert_eq!(to.as_str(), "+14155550123");
/// assert!(PhoneNumber::new("415 555 0123").is_err());
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(Box<str>);

impl PhoneNumber {
    /// Checks `number` as E.164.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] saying what is wrong (never quoting the number).
    pub fn new(number: impl Into<String>) -> crate::Result<Self> {
        let number = number.into();
        let invalid = |why: &str| {
            Err(Error::new(
                ErrorKind::InvalidInput,
                format!("phone number is not E.164: {why}"),
            ))
        };
        let Some(digits) = number.strip_prefix('+') else {
            return invalid("it must start with `+` and the country code");
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("only digits may follow the `+`");
        }
        if !(8..=15).contains(&digits.len()) {
            return invalid("it must have 8 to 15 digits");
        }
        if digits.starts_with('0') {
            return invalid("a country code never starts with 0");
        }
        Ok(PhoneNumber(number.into_boxed_str()))
    }

    /// The number, `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = &self.0[self.0.len().saturating_sub(2)..];
        write!(f, "PhoneNumber(+…{tail})")
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PhoneNumber {
    type Err = Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        PhoneNumber::new(s)
    }
}

impl TryFrom<&str> for PhoneNumber {
    type Error = Error;

    fn try_from(s: &str) -> crate::Result<Self> {
        PhoneNumber::new(s)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = Error;

    fn try_from(s: String) -> crate::Result<Self> {
        PhoneNumber::new(s)
    }
}

impl serde::Serialize for PhoneNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        PhoneNumber::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_e164_and_refuses_the_rest() {
        for good in [
            "+919876543210",
            "+14155550123",
            "+12345678",
            "+123456789012345",
        ] {
            assert!(PhoneNumber::new(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "+",
            "919876543210",
            "+91 98765 43210",
            "+91-9876543210",
            "+1234567",
            "+1234567890123456",
            "+0123456789",
            "++919876543210",
            " +919876543210",
            "+91987654321O",
            "+٩١٩٨٧٦٥٤٣٢١٠",
        ] {
            let err = PhoneNumber::new(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn never_quotes_the_number() {
        let err = PhoneNumber::new("+0987654321").unwrap_err();
        assert!(!err.to_string().contains("987654321"), "{err}");
        let number = PhoneNumber::new("+14155550123").unwrap();
        assert_eq!(format!("{number:?}"), "PhoneNumber(+…23)");
    }
}
