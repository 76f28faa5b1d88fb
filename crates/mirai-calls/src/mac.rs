//! HMAC-SHA256 signature checks, in constant time.

use call_core::ApiKey;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Whether `signature_hex` (64 hex digits, either case) is the HMAC-SHA256 of the concatenated `parts`, keyed with
/// the secret's text as UTF-8 bytes.
///
/// The comparison is `hmac`'s `verify_slice`, which takes the same time whichever byte differs. A signature that is
/// not hex, or not 32 bytes, is simply not a match.
pub(crate) fn hmac_sha256_matches(secret: &ApiKey, parts: &[&[u8]], signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    if signature.len() != 32 {
        return false;
    }
    secret.with_secret(|key| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
            return false;
        };
        for part in parts {
            mac.update(part);
        }
        mac.verify_slice(&signature).is_ok()
    })
}

/// The lowercase hex HMAC-SHA256 of `parts` keyed with `secret`: for tests and for signing test fixtures.
#[cfg(test)]
pub(crate) fn hmac_sha256_hex(secret: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_right_signature() {
        let key = ApiKey::new("sk_test");
        let good = hmac_sha256_hex("sk_test", &[b"a.", b"body"]);
        assert!(hmac_sha256_matches(&key, &[b"a.body"], &good));
        assert!(hmac_sha256_matches(
            &key,
            &[b"a.body"],
            &good.to_uppercase()
        ));
        assert!(!hmac_sha256_matches(&key, &[b"a.bodx"], &good));
        assert!(!hmac_sha256_matches(
            &ApiKey::new("sk_other"),
            &[b"a.body"],
            &good
        ));
        for bad in ["", "zz", &good[..62], &format!("{good}00")] {
            assert!(!hmac_sha256_matches(&key, &[b"a.body"], bad), "{bad}");
        }
    }
}
