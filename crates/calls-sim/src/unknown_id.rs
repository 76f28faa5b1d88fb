//! The errors of control operations that name a call, batch or campaign the simulator does not hold.

use std::fmt;

/// Defines one "unknown id" error type.
macro_rules! unknown_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            id: String,
        }

        impl $name {
            pub(crate) fn new(id: &str) -> $name {
                $name {
                    id: id.chars().take(128).collect(),
                }
            }

            #[doc = concat!("The ", $what, " id that was not found.")]
            pub fn id(&self) -> &str {
                &self.id
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!("the simulator holds no ", $what, " {:?}"), self.id)
            }
        }

        impl std::error::Error for $name {}
    };
}

unknown_id!(
    /// A control operation named a call id the simulator does not hold.
    UnknownCall,
    "call"
);

unknown_id!(
    /// A control operation named a Cartesia call batch id the simulator does not hold.
    UnknownBatch,
    "batch"
);

unknown_id!(
    /// A control operation named a Mirai v2 campaign id the simulator does not hold.
    UnknownCampaign,
    "campaign"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_id() {
        let error = UnknownCampaign::new("cmp_1");
        assert_eq!(error.id(), "cmp_1");
        assert_eq!(
            error.to_string(),
            "the simulator holds no campaign \"cmp_1\""
        );
        assert_eq!(UnknownBatch::new(&"x".repeat(300)).id().len(), 128);
        assert_eq!(
            UnknownCall::new("ac_1").to_string(),
            "the simulator holds no call \"ac_1\""
        );
    }
}
