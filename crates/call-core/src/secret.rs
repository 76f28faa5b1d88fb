//! API keys and other secrets that must never be printed.

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::{Error, ErrorKind};

/// An API key or other credential.
///
/// Its `Debug` and `Display` print `[redacted]`; it has no `Serialize` and no `Deref`, and its memory is zeroed when
/// it is dropped. The only way to read it is [`ApiKey::to_header_value`], which returns a header value marked
/// sensitive, so HTTP logging and `Debug` of requests skip it too.
///
/// ```
/// use call_core::ApiKey;
///
/// let key = ApiKey::new("sk_car_123");
/// assert_eq!(format!("{key:?} {key}"), "ApiKey([redacted]) [redacted]");
/// ```
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(SecretString::from(key.into()))
    }

    /// Whether the key is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.expose_secret().trim().is_empty()
    }

    /// The key as a header value (with `prefix` before it, such as `"Bearer "`), marked sensitive.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming `what` (never the key) when the key is blank, has leading or trailing
    /// whitespace (a trailing newline from a key file is the usual cause), or has characters an HTTP header cannot
    /// carry.
    pub fn to_header_value(&self, prefix: &str, what: &str) -> crate::Result<HeaderValue> {
        let key = self.0.expose_secret();
        if key.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{what} is empty"),
            ));
        }
        if key.trim() != key {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{what} has leading or trailing whitespace (a trailing newline from a key file?)"
                ),
            ));
        }
        let mut value = HeaderValue::from_str(&format!("{prefix}{key}")).map_err(|_| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("{what} has characters an HTTP header cannot carry"),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Runs `f` on the secret's text: for computing signatures (HMAC keys) without copying the secret around.
    pub fn with_secret<T>(&self, f: impl FnOnce(&str) -> T) -> T {
        f(self.0.expose_secret())
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey::new(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_key() {
        let key = ApiKey::new("sk_canary_9f8e7d");
        let text = format!(
            "{key:?} {key} {:?}",
            key.to_header_value("Bearer ", "api key").unwrap()
        );
        assert!(!text.contains("canary"), "{text}");
    }

    #[test]
    fn rejects_keys_a_header_cannot_carry_without_quoting_them() {
        for bad in ["", "  ", "sk_1\n", " sk_1", "sk\u{0}1", "sk\r\nX-Evil: 1"] {
            let err = ApiKey::new(bad).to_header_value("", "api key").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(!err.to_string().contains("sk"), "{err}");
        }
    }

    #[test]
    fn header_is_sensitive() {
        let value = ApiKey::new("sk_1")
            .to_header_value("Bearer ", "api key")
            .unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "Bearer sk_1");
    }
}
