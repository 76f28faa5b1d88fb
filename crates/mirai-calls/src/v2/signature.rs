//! Verifying the new API's webhook signature (`X-Mirai-Signature: t=...,v1=...`).

use call_core::provider_kit::ErrorExt;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use call_core::{ApiKey, Error, ErrorKind, Provider};

use super::webhook::WebhookEvent;
use crate::mac::hmac_sha256_matches;

/// The header carrying the signature, in lowercase (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "x-mirai-signature";

/// The replay window Mirai's docs prescribe: a signature more than 300 seconds away from now is refused.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Checks that a webhook event came from Mirai, recently.
///
/// The scheme ([webhooks](https://docs.miraiminds.co/v2/webhooks)): `X-Mirai-Signature: t=<unix seconds>,v1=<hex>`,
/// where `v1` is the HMAC-SHA256 of `"<t>.<raw body>"` keyed with the workspace's whole `whsec_...` secret as UTF-8
/// bytes. The verifier
///
/// 1. reads `t` and every `v1` from the header (parts split on `,`, each at its first `=`, spaces trimmed); a
///    missing header, `t` or `v1`, or a `t` that is not an integer, is refused;
/// 2. refuses a `t` more than [the tolerance](Self::tolerance) (300 seconds by default) before or after now;
/// 3. recomputes the HMAC with each secret and compares in constant time; any match passes.
///
/// Mirai enforces no replay window itself ("we reject nothing on your behalf"); this does. It keeps no state:
/// deduplicate deliveries on [`WebhookEvent::id`] (retries and replays repeat it). During a secret rotation, give
/// both secrets ([`with_secret`](Self::with_secret)). Secrets are never printed (`Debug` shows `[redacted]`).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use mirai_calls::v2::WebhookVerifier;
///
/// // The test vector from Mirai's docs.
/// let body = br#"{"id":"evt_01JZQ9C5N9P4R7S3T6V8W2X4YB","type":"call.completed","created_at":"2026-07-26T09:16:38Z","data":{"call":{"id":"call_01JZQ9B4M8N3P6R2S5T7V9W1YA","status":"completed"}}}"#;
/// let header = "t=1785057398,v1=771bca27e1647dfbe59ff5d8f32d9de69be246f6e604c05bddcbaefd8604ccb3";
/// let verifier = WebhookVerifier::new("whsec_7d4f1a09c2e58b36a1f0d7c93b2e64a8")
///     .with_clock(|| SystemTime::UNIX_EPOCH + Duration::from_secs(1_785_057_398));
/// let event = verifier.verify_event(header, body)?;
/// assert_eq!(event.id, "evt_01JZQ9C5N9P4R7S3T6V8W2X4YB");
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    secrets: Vec<ApiKey>,
    tolerance: Duration,
    clock: Arc<dyn Fn() -> SystemTime + Send + Sync>,
}

impl WebhookVerifier {
    /// A verifier for signatures made with `secret` (`whsec_...`), with the 300-second window and the system clock.
    pub fn new(secret: impl Into<ApiKey>) -> Self {
        WebhookVerifier {
            secrets: vec![secret.into()],
            tolerance: DEFAULT_TOLERANCE,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// Also accepts signatures made with `secret` (while secrets are rotated).
    #[must_use]
    pub fn with_secret(mut self, secret: impl Into<ApiKey>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Sets how far `t` may be from now, either way (default [`DEFAULT_TOLERANCE`], 300 seconds).
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Replaces the clock the window is checked against (tests pin it; default [`SystemTime::now`]).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The window.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Checks `header` (the `X-Mirai-Signature` value; `""` when the header is missing) against `body`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthorized`] (answer 401, and Mirai will retry) when the header is missing or malformed, `t`
    /// is outside the window, or no `v1` matches any secret; [`ErrorKind::InvalidInput`] when every secret is blank.
    pub fn verify(&self, header: &str, body: &[u8]) -> call_core::Result<()> {
        let secrets = || self.secrets.iter().filter(|secret| !secret.is_blank());
        if secrets().next().is_none() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "the webhook signing secret is blank",
            )
            .with_provider(Provider::MiraiV2)
            .with_operation("verify webhook"));
        }
        let signature = Signature::parse(header)?;
        let now = (self.clock)();
        let signed_at = SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(signature.timestamp.unsigned_abs()))
            .filter(|_| signature.timestamp >= 0)
            .ok_or_else(|| rejected("the signature's timestamp is out of range"))?;
        let distance = match now.duration_since(signed_at) {
            Ok(age) => age,
            Err(ahead) => ahead.duration(),
        };
        if distance > self.tolerance {
            return Err(rejected(
                "the signature's timestamp is outside the replay window",
            ));
        }
        let parts: [&[u8]; 3] = [signature.t.as_bytes(), b".", body];
        let matched = secrets().any(|secret| {
            signature
                .v1
                .iter()
                .any(|v1| hmac_sha256_matches(secret, &parts, v1))
        });
        if matched {
            Ok(())
        } else {
            Err(rejected("the signature does not match the body"))
        }
    }

    /// Checks the signature, then decodes the event.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify), then [`ErrorKind::Decode`] for a signed body that is not a valid event.
    pub fn verify_event(&self, header: &str, body: &[u8]) -> call_core::Result<WebhookEvent> {
        self.verify(header, body)?;
        WebhookEvent::from_slice(body)
    }
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("secrets", &self.secrets)
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

/// The parts of an `X-Mirai-Signature` value.
struct Signature<'a> {
    /// `t` exactly as sent: the HMAC covers these characters, not a re-formatted number.
    t: &'a str,
    timestamp: i64,
    v1: Vec<&'a str>,
}

impl<'a> Signature<'a> {
    fn parse(header: &'a str) -> call_core::Result<Self> {
        if header.trim().is_empty() {
            return Err(rejected("the `X-Mirai-Signature` header is missing"));
        }
        let mut t = None;
        let mut v1 = Vec::new();
        for part in header.split(',') {
            let Some((name, value)) = part.split_once('=') else {
                continue;
            };
            match name.trim() {
                "t" => t = Some(value.trim()),
                "v1" => v1.push(value.trim()),
                // Other schemes (a future `v2`) are not ours to check.
                _ => {}
            }
        }
        let t = t.ok_or_else(|| rejected("the signature has no `t`"))?;
        let timestamp = t
            .parse::<i64>()
            .map_err(|_| rejected("the signature's `t` is not an integer"))?;
        if v1.is_empty() {
            return Err(rejected("the signature has no `v1`"));
        }
        Ok(Signature { t, timestamp, v1 })
    }
}

fn rejected(detail: &'static str) -> Error {
    Error::new(ErrorKind::Unauthorized, detail)
        .with_provider(Provider::MiraiV2)
        .with_operation("verify webhook")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_leniently_but_refuses_what_is_missing() {
        let s = Signature::parse(" t = 12 , v1=ab, v0=zz ,v1= cd").unwrap();
        assert_eq!((s.t, s.timestamp, s.v1), ("12", 12, vec!["ab", "cd"]));
        for bad in [
            "",
            "  ",
            "v1=ab",
            "t=12",
            "t=abc,v1=ab",
            "t=1.5,v1=ab",
            "t,v1",
        ] {
            let err = Signature::parse(bad).err().unwrap();
            assert_eq!(err.kind(), ErrorKind::Unauthorized, "{bad:?}");
        }
    }
}
