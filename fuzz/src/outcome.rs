//! What a target made of its input.

/// Whether the decoder under test accepted the input.
///
/// The stable runner keeps accepted mutants as bases for further mutations (its only feedback: it has no coverage
/// counters), so inputs that get past the first checks are explored deeper. libFuzzer ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The decoder produced a value (or, for a signature, the signature verified).
    Accepted,
    /// The decoder refused the input, with the documented error.
    Rejected,
}

impl Outcome {
    /// `Accepted` for `Ok`, `Rejected` for `Err`.
    pub(crate) fn of<T, E>(result: &Result<T, E>) -> Self {
        if result.is_ok() {
            Outcome::Accepted
        } else {
            Outcome::Rejected
        }
    }

    /// `Accepted` if either is.
    pub(crate) fn or(self, other: Outcome) -> Outcome {
        if self == Outcome::Accepted {
            self
        } else {
            other
        }
    }
}
