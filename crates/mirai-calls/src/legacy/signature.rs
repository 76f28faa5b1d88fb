//! Verifying the legacy API's webhook signature (`x-signature`).

use call_core::provider_kit::{ErrorExt, required_env_var};
use call_core::{ApiKey, Error, ErrorKind, Provider};

use super::client::PRIVATE_KEY_ENV;
use super::webhook::WebhookEvent;
use crate::mac::hmac_sha256_matches;

/// The header carrying the legacy signature: lowercase hex HMAC-SHA256 of the raw body.
pub const SIGNATURE_HEADER: &str = "x-signature";

/// Checks that a legacy call event came from Mirai.
///
/// Per [Mirai's webhook docs](https://docs.miraiminds.co/v1/webhooks), each delivery carries `x-signature`: the
/// lowercase hex HMAC-SHA256 of the **raw body**, keyed with the organization's private key (`sk_...`, the same
/// key as [`MiraiLegacyClientBuilder::private_key`](crate::MiraiLegacyClientBuilder::private_key)). The comparison is constant
/// time. Pass the body exactly as received: re-serialized JSON has other bytes.
///
/// The legacy scheme has no timestamp, so a captured delivery can be replayed; deduplicate with
/// [`WebhookEvent::dedup_key`]. During a key rotation, [`with_key`](Self::with_key) adds the other key: a signature
/// made with either is accepted.
///
/// The verifier never prints its keys (`Debug` shows `[redacted]`).
///
/// ```
/// use mirai_calls::legacy::WebhookVerifier;
///
/// let verifier = WebhookVerifier::new("sk_...");
/// let body = br#"{"event":{"type":"call.aborted","data":{"call":{"id":"c1","status":"aborted"}}}}"#;
/// // In a handler: the `x-signature` header's value and the raw body.
/// let err = verifier.verify_event("00", body).unwrap_err();
/// assert_eq!(err.kind(), call_core::ErrorKind::Unauthorized);
/// ```
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    keys: Vec<ApiKey>,
}

impl WebhookVerifier {
    /// A verifier for signatures made with `private_key`.
    pub fn new(private_key: impl Into<ApiKey>) -> Self {
        WebhookVerifier {
            keys: vec![private_key.into()],
        }
    }

    /// A verifier keyed with `MIRAI_PRIVATE_KEY`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the variable when it is missing or blank.
    pub fn from_env() -> call_core::Result<Self> {
        Ok(WebhookVerifier::new(required_env_var(PRIVATE_KEY_ENV)?))
    }

    /// Also accepts signatures made with `private_key` (while keys are rotated).
    #[must_use]
    pub fn with_key(mut self, private_key: impl Into<ApiKey>) -> Self {
        self.keys.push(private_key.into());
        self
    }

    /// Checks `signature` (the `x-signature` header's value; `""` when the header is missing) against `body`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthorized`] when the signature is missing or does not match any key (answer 401);
    /// [`ErrorKind::InvalidInput`] when every key configured is blank.
    pub fn verify(&self, signature: &str, body: &[u8]) -> call_core::Result<()> {
        let keys = || self.keys.iter().filter(|key| !key.is_blank());
        if keys().next().is_none() {
            return Err(
                Error::new(ErrorKind::InvalidInput, "the webhook signing key is blank")
                    .with_provider(Provider::Mirai)
                    .with_operation("verify webhook"),
            );
        }
        let signature = signature.trim();
        if signature.is_empty() {
            return Err(rejected("the `x-signature` header is missing"));
        }
        if keys().any(|key| hmac_sha256_matches(key, &[body], signature)) {
            Ok(())
        } else {
            Err(rejected("the signature does not match the body"))
        }
    }

    /// Checks the signature, then decodes the event.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify), then [`ErrorKind::Decode`] for a signed body that is not a valid event (answer
    /// 400).
    pub fn verify_event(&self, signature: &str, body: &[u8]) -> call_core::Result<WebhookEvent> {
        self.verify(signature, body)?;
        WebhookEvent::from_slice(body)
    }
}

fn rejected(detail: &'static str) -> Error {
    Error::new(ErrorKind::Unauthorized, detail)
        .with_provider(Provider::Mirai)
        .with_operation("verify webhook")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::hmac_sha256_hex;

    #[test]
    fn accepts_the_right_key_only() {
        let body = br#"{"event":{"type":"call.aborted","data":{}}}"#;
        let signature = hmac_sha256_hex("sk_new", &[body]);
        assert!(
            WebhookVerifier::new("sk_new")
                .verify(&signature, body)
                .is_ok()
        );
        assert!(
            WebhookVerifier::new("sk_old")
                .with_key("sk_new")
                .verify(&signature, body)
                .is_ok()
        );
        let err = WebhookVerifier::new("sk_old")
            .verify(&signature, body)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized);
        let err = WebhookVerifier::new("sk_new").verify("", body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized);
        let err = WebhookVerifier::new(" ")
            .verify(&signature, body)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
}
