//! The provider-neutral state of a call.

use std::fmt;

/// Where a call is in its life, the same for every provider.
///
/// Each provider's status enum, in its own crate, maps into this with a `state()` method
/// (`cartesia_calls::CartesiaCallStatus`, `mirai_calls::MiraiLegacyCallStatus`, `mirai_calls::MiraiV2CallStatus`), so
/// a program can ask "is this call still going?" without knowing the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallState {
    /// Accepted but not yet connected: queued, scheduled, waiting for a retry, or ringing.
    Queued,
    /// Connected: someone is on the line.
    Active,
    /// Over, for whatever reason (finished, failed, cancelled, no answer). A terminal state.
    Ended,
    /// A status this version of the library does not know.
    Unknown,
}

impl CallState {
    /// Whether the call is over.
    pub fn is_ended(self) -> bool {
        self == CallState::Ended
    }

    /// The state's lowercase name (`queued`, `active`, `ended`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Queued => "queued",
            CallState::Active => "active",
            CallState::Ended => "ended",
            CallState::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
