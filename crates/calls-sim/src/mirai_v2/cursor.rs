//! Opaque, tamper-evident list cursors for `GET /v2/calls`.
//!
//! A cursor names the position after the last call of a page (its `created_at` and insertion
//! number), not the call's id, as the docs warn clients: `cur_<hex position>_<hex MAC>`.

use crate::webhook::hmac;

/// Encodes a position.
pub(crate) fn encode(key: &[u8], position: (i64, u64)) -> String {
    let payload = format!("{}.{}", position.0, position.1);
    format!("cur_{}_{}", hex::encode(&payload), mac(key, &payload))
}

/// Decodes a cursor made by [`encode`] with the same key.
pub(crate) fn decode(key: &[u8], cursor: &str) -> Option<(i64, u64)> {
    let rest = cursor.strip_prefix("cur_")?;
    let (payload_hex, tag) = rest.split_once('_')?;
    let payload = String::from_utf8(hex::decode(payload_hex).ok()?).ok()?;
    if mac(key, &payload) != tag {
        return None;
    }
    let (millis, seq) = payload.split_once('.')?;
    Some((millis.parse().ok()?, seq.parse().ok()?))
}

fn mac(key: &[u8], payload: &str) -> String {
    let full = hmac(key, &[b"cursor\n", payload.as_bytes()]);
    hex::encode(&full[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = [7u8; 32];
        let cursor = encode(&key, (1_785_057_398_000, 42));
        assert_eq!(decode(&key, &cursor), Some((1_785_057_398_000, 42)));
        assert_eq!(decode(&[8u8; 32], &cursor), None);
        assert_eq!(decode(&key, "call_01JZQ9B4M8N3P6R2S5T7V9W1YA"), None);
        let forged = cursor.replacen("cur_31", "cur_32", 1);
        assert_eq!(decode(&key, &forged), None);
    }
}
