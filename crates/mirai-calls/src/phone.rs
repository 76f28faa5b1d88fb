//! Phone numbers in our requests: checked as E.164 by call-core, and never printed whole.

use std::fmt;

use call_core::PhoneNumber;

/// Checks that `number` is E.164 (`+`, then 8 to 15 digits, the first not `0`), with call-core's [`PhoneNumber`].
///
/// Both Mirai APIs want E.164 (the legacy one only "recommends" it and fails the call later, with status
/// `validation-failed`; the new one answers 400), so a bad number is refused before a request is sent. The error
/// never quotes the number: phone numbers are personal data.
pub(crate) fn check_e164(number: &str) -> call_core::Result<()> {
    PhoneNumber::new(number).map(|_| ())
}

/// A phone number in `Debug`: its last two characters only, as call-core's `PhoneNumber` shows it.
pub(crate) struct Redacted<'a>(pub(crate) &'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail: String = {
            let chars: Vec<char> = self.0.chars().collect();
            chars[chars.len().saturating_sub(2)..].iter().collect()
        };
        write!(f, "\"+…{tail}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_and_redacts() {
        assert!(check_e164("+919876543210").is_ok());
        let err = check_e164("+0987654321").unwrap_err();
        assert_eq!(err.kind(), call_core::ErrorKind::InvalidInput);
        assert!(!err.to_string().contains("987654321"), "{err}");
        assert_eq!(format!("{:?}", Redacted("+919876543210")), "\"+…10\"");
        assert_eq!(format!("{:?}", Redacted("")), "\"+…\"");
    }
}
