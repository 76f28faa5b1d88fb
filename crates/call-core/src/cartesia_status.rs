//! Cartesia's call status.

use std::fmt;

use crate::CallState;

/// The `status` of a Cartesia agent call.
///
/// Decodes both the current values (`created`, `started`, `completed`, `failed`; `Cartesia-Version: 2026-03-01`) and
/// the older ones the official SDKs still document (`active`, `cancelled`). Any other value is kept in
/// [`CartesiaCallStatus::Unknown`]: Cartesia's versioning policy allows new enum values within a version, and a new
/// status must never break parsing.
///
/// Only a `started` (or, in older versions, `active`) call can be cancelled
/// ([Cancel Call](https://docs.cartesia.ai/api-reference/agents/calls/cancel-call)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CartesiaCallStatus {
    /// Accepted, queued or ringing; not yet answered. Cannot be cancelled (use the call's batch to stop it).
    Created,
    /// Connected. The only status Cancel Call accepts.
    Started,
    /// Finished, including a call ended by Cancel Call (`end_reason: api_cancelled`).
    Completed,
    /// Failed.
    Failed,
    /// Older API versions' name for a connected call.
    Active,
    /// Older API versions' name for a cancelled call.
    Cancelled,
    /// A status this version of the library does not know, as sent.
    Unknown(String),
}

impl CartesiaCallStatus {
    /// Parses a status; unknown values are kept, never rejected.
    pub fn parse(s: &str) -> Self {
        match s {
            "created" => Self::Created,
            "started" => Self::Started,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "active" => Self::Active,
            "cancelled" => Self::Cancelled,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The status as Cartesia spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Created => "created",
            Self::Started => "started",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Active => "active",
            Self::Cancelled => "cancelled",
            Self::Unknown(s) => s,
        }
    }

    /// The provider-neutral state.
    pub fn state(&self) -> CallState {
        match self {
            Self::Created => CallState::Queued,
            Self::Started | Self::Active => CallState::Active,
            Self::Completed | Self::Failed | Self::Cancelled => CallState::Ended,
            Self::Unknown(_) => CallState::Unknown,
        }
    }

    /// Whether Cancel Call can end a call in this status: only `started` (and the older `active`).
    pub fn is_terminable(&self) -> bool {
        matches!(self, Self::Started | Self::Active)
    }
}

impl fmt::Display for CartesiaCallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for CartesiaCallStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CartesiaCallStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Self::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_documented_status() {
        let cases = [
            ("created", CallState::Queued, false),
            ("started", CallState::Active, true),
            ("completed", CallState::Ended, false),
            ("failed", CallState::Ended, false),
            ("active", CallState::Active, true),
            ("cancelled", CallState::Ended, false),
            ("paused", CallState::Unknown, false),
        ];
        for (raw, state, terminable) in cases {
            let status: CartesiaCallStatus = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
            assert_eq!(status.as_str(), raw);
            assert_eq!(status.state(), state, "{raw}");
            assert_eq!(status.is_terminable(), terminable, "{raw}");
        }
    }
}
