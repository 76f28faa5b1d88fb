//! Identifier minting in the formats each provider documents.
//!
//! The formats only need to look like the real ones and be unique for the life of a [`crate::Sim`]:
//! 80 random bits make a collision between two calls of one run practically impossible.

use crate::clock;

/// Crockford's base 32 alphabet, as used by ULIDs.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Letters and digits, as in Cartesia's `acb_PDWFN995PzAudChwFDqVZ2`.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A 26-character ULID-like string: 48 bits of milliseconds, then 80 random bits.
pub(crate) fn ulid() -> String {
    let millis = u64::try_from(clock::now().as_millisecond()).unwrap_or(0) & 0xFFFF_FFFF_FFFF;
    let mut out = String::with_capacity(26);
    // 10 characters of 5 bits cover 50 bits; the top two are always zero for a 48-bit time.
    for shift in (0..10).rev() {
        out.push(crockford_digit(millis >> (shift * 5)));
    }
    let random = fastrand::u128(..);
    for shift in (0..16).rev() {
        out.push(crockford_digit_u128(random >> (shift * 5)));
    }
    out
}

/// A 24-character lowercase hex string shaped like a MongoDB ObjectId (seconds, then random).
pub(crate) fn object_id() -> String {
    let seconds = u32::try_from(clock::now().as_second()).unwrap_or(0);
    format!("{seconds:08x}{:016x}", fastrand::u64(..))
}

/// A UUID version 4 string, the shape of Cartesia's `request_id`.
pub(crate) fn uuid() -> String {
    let a = fastrand::u32(..);
    let b = fastrand::u16(..);
    let c = (fastrand::u16(..) & 0x0FFF) | 0x4000;
    let d = (fastrand::u16(..) & 0x3FFF) | 0x8000;
    let e = fastrand::u64(..) & 0xFFFF_FFFF_FFFF;
    format!("{a:08x}-{b:04x}-{c:04x}-{d:04x}-{e:012x}")
}

/// `len` random letters and digits.
pub(crate) fn base62(len: usize) -> String {
    (0..len)
        .map(|_| char::from(BASE62[fastrand::usize(..BASE62.len())]))
        .collect()
}

fn crockford_digit(value: u64) -> char {
    // The mask keeps the index below 32, so the lookup cannot go out of bounds.
    char::from(CROCKFORD[usize::try_from(value & 0x1F).unwrap_or(0)])
}

fn crockford_digit_u128(value: u128) -> char {
    char::from(CROCKFORD[usize::try_from(value & 0x1F).unwrap_or(0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let u = ulid();
        assert_eq!(u.len(), 26);
        assert!(u.bytes().all(|b| CROCKFORD.contains(&b)));
        let o = object_id();
        assert_eq!(o.len(), 24);
        assert!(
            o.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let id = uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert_eq!(base62(22).len(), 22);
        assert_ne!(ulid(), ulid());
    }
}
