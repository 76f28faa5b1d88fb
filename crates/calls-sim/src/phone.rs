//! E.164 phone number checks.

/// Whether `number` is an E.164 number: `+`, then 2 to 15 digits, the first not zero.
pub(crate) fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        assert!(is_e164("+14155559876"));
        assert!(is_e164("+919876543210"));
        assert!(!is_e164("14155559876"));
        assert!(!is_e164("+0123"));
        assert!(!is_e164("+1"));
        assert!(!is_e164("+1415555987612345"));
        assert!(!is_e164("+1 415 555"));
        assert!(!is_e164(""));
    }
}
