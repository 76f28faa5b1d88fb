//! The error of a control operation on a call the simulator does not hold.

use std::fmt;

/// A control operation named a call id the simulator does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCall {
    id: String,
}

impl UnknownCall {
    pub(crate) fn new(id: &str) -> UnknownCall {
        UnknownCall {
            id: id.chars().take(128).collect(),
        }
    }

    /// The call id that was not found.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for UnknownCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the simulator holds no call {:?}", self.id)
    }
}

impl std::error::Error for UnknownCall {}
