//! Opaque, tamper-evident list cursors for the Mirai v2 lists (`/v2/calls`, `/v2/campaigns`,
//! `/v2/campaigns/{id}/contacts`, `/v2/dnc`).
//!
//! A cursor names the position after the last item of a page (for calls, its `created_at` and
//! insertion number), not the item's id, as the docs warn clients: `cur_<hex position>_<hex MAC>`.
//! The MAC also covers the list the cursor belongs to, so a cursor from one list is refused by
//! another.

use crate::query::Query;
use crate::webhook::hmac;

/// The paging options of a list request: `limit` (1–100, default 20) and the position after
/// which the page starts, from `cursor`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    pub(crate) limit: usize,
    pub(crate) after: Option<(i64, u64)>,
}

/// Reads `limit` and `cursor` for the list named `scope`.
pub(crate) fn params(key: &[u8], scope: &str, q: &Query) -> Result<Params, &'static str> {
    let limit = match q.get("limit") {
        None => 20,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err("limit must be an integer between 1 and 100"),
        },
    };
    let after = match q.get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => Some(decode(key, scope, text).ok_or("cursor is not valid")?),
    };
    Ok(Params { limit, after })
}

/// Encodes a position in the list named `scope`.
pub(crate) fn encode(key: &[u8], scope: &str, position: (i64, u64)) -> String {
    let payload = format!("{}.{}", position.0, position.1);
    format!(
        "cur_{}_{}",
        hex::encode(&payload),
        mac(key, scope, &payload)
    )
}

/// Decodes a cursor made by [`encode`] with the same key and scope.
pub(crate) fn decode(key: &[u8], scope: &str, cursor: &str) -> Option<(i64, u64)> {
    let rest = cursor.strip_prefix("cur_")?;
    let (payload_hex, tag) = rest.split_once('_')?;
    let payload = String::from_utf8(hex::decode(payload_hex).ok()?).ok()?;
    if mac(key, scope, &payload) != tag {
        return None;
    }
    let (first, second) = payload.split_once('.')?;
    Some((first.parse().ok()?, second.parse().ok()?))
}

fn mac(key: &[u8], scope: &str, payload: &str) -> String {
    let full = hmac(
        key,
        &[b"cursor\n", scope.as_bytes(), b"\n", payload.as_bytes()],
    );
    hex::encode(&full[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = [7u8; 32];
        let cursor = encode(&key, "calls", (1_785_057_398_000, 42));
        assert_eq!(
            decode(&key, "calls", &cursor),
            Some((1_785_057_398_000, 42))
        );
        assert_eq!(decode(&[8u8; 32], "calls", &cursor), None);
        assert_eq!(decode(&key, "dnc", &cursor), None, "another list");
        assert_eq!(
            decode(&key, "calls", "call_01JZQ9B4M8N3P6R2S5T7V9W1YA"),
            None
        );
        let forged = cursor.replacen("cur_31", "cur_32", 1);
        assert_eq!(decode(&key, "calls", &forged), None);
    }
}
