//! Cartesia's call status.

use call_core::CallState;

call_core::provider_kit::open_enum! {
    /// The `status` of a Cartesia agent call.
    ///
    /// Decodes both the current values (`created`, `started`, `completed`, `failed`; `Cartesia-Version: 2026-03-01`) and
    /// the older ones the official SDKs still document (`active`, `cancelled`). Any other value is kept in
    /// [`CartesiaCallStatus::Unknown`]: Cartesia's versioning policy allows new enum values within a version, and a new
    /// status must never break parsing.
    ///
    /// Only a `started` (or, in older versions, `active`) call can be cancelled
    /// ([Cancel Call](https://docs.cartesia.ai/api-reference/agents/calls/cancel-call)).
    pub enum CartesiaCallStatus {
        /// Accepted, queued or ringing; not yet answered. Cannot be cancelled (use the call's batch to stop it).
        Created = "created",
        /// Connected. The only status Cancel Call accepts.
        Started = "started",
        /// Finished, including a call ended by Cancel Call (`end_reason: api_cancelled`).
        Completed = "completed",
        /// Failed.
        Failed = "failed",
        /// Older API versions' name for a connected call.
        Active = "active",
        /// Older API versions' name for a cancelled call.
        Cancelled = "cancelled",
    }
}

impl CartesiaCallStatus {
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
