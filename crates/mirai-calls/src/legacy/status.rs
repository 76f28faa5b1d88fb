//! Mirai Minds' legacy call status.

use call_core::CallState;

call_core::provider_kit::open_enum! {
    /// The status of a call in Mirai Minds' legacy API (`CallStatus` in its swagger), as webhooks report it.
    ///
    /// A call that has no status yet (still in its initial queue) is represented by `Option::None` where a status is
    /// optional. Unknown values are kept in [`MiraiLegacyCallStatus::Unknown`].
    ///
    /// [Abort Call](https://docs.miraiminds.co/api-reference/call/abort-call) is allowed when the call has no status yet
    /// or is `busy`, `failed`, `no-answer`, `rescheduled` or `validation-failed` (a retry may still be pending), and
    /// refused when it is `in-progress`, `completed`, `ended`, `timeout` or already `aborted`: see
    /// [`MiraiLegacyCallStatus::is_abortable`].
    pub enum MiraiLegacyCallStatus {
        /// Queued and being dialled.
        Initiate = "initiate",
        /// Answered; the conversation is live. Not abortable in the legacy API.
        InProgress = "in-progress",
        /// The connection dropped; analysis running.
        Ended = "ended",
        /// Recording, transcript and duration processed.
        Completed = "completed",
        /// Exceeded the assistant's maximum call duration.
        Timeout = "timeout",
        /// Could not connect (a retry may follow).
        Failed = "failed",
        /// Pre-call validation failed (an invalid number or payload).
        ValidationFailed = "validation-failed",
        /// The line was busy (a retry may follow).
        Busy = "busy",
        /// Nobody picked up (a retry may follow).
        NoAnswer = "no-answer",
        /// Skipped (a do-not-disturb number, outside calling hours).
        Skip = "skip",
        /// The customer asked for a callback; the call will be retried.
        Rescheduled = "rescheduled",
        /// Aborted through the API.
        Aborted = "aborted",
    }
}

impl MiraiLegacyCallStatus {
    /// The provider-neutral state.
    ///
    /// `busy`, `failed`, `no-answer`, `rescheduled` and `validation-failed` are one attempt's result, not the call
    /// task's: the legacy API may dial again (its retry protocol), and it still lets such a call be aborted, so they
    /// map to [`CallState::Queued`]. `skip` and `aborted`, `ended`, `completed` and `timeout` are over.
    pub fn state(&self) -> CallState {
        match self {
            Self::Initiate
            | Self::Busy
            | Self::Failed
            | Self::NoAnswer
            | Self::Rescheduled
            | Self::ValidationFailed => CallState::Queued,
            Self::InProgress => CallState::Active,
            Self::Ended | Self::Completed | Self::Timeout | Self::Skip | Self::Aborted => {
                CallState::Ended
            }
            Self::Unknown(_) => CallState::Unknown,
        }
    }

    /// Whether the legacy Abort Call accepts a call in `status` (`None`: no status yet, the initial queue).
    ///
    /// This is the documented rule. The docs say nothing of `initiate` and `skip`; we answer `false` for them
    /// (`initiate` is being dialled, and `skip` is over), and the server's answer decides in the end.
    pub fn is_abortable(status: Option<&Self>) -> bool {
        match status {
            None => true,
            Some(s) => matches!(
                s,
                Self::Busy
                    | Self::Failed
                    | Self::NoAnswer
                    | Self::Rescheduled
                    | Self::ValidationFailed
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abortability_follows_the_docs() {
        assert!(MiraiLegacyCallStatus::is_abortable(None));
        for raw in [
            "busy",
            "failed",
            "no-answer",
            "rescheduled",
            "validation-failed",
        ] {
            assert!(
                MiraiLegacyCallStatus::is_abortable(Some(&MiraiLegacyCallStatus::parse(raw))),
                "{raw}"
            );
        }
        for raw in [
            "in-progress",
            "completed",
            "ended",
            "timeout",
            "aborted",
            "initiate",
            "skip",
            "new-thing",
        ] {
            assert!(
                !MiraiLegacyCallStatus::is_abortable(Some(&MiraiLegacyCallStatus::parse(raw))),
                "{raw}"
            );
        }
    }

    #[test]
    fn round_trips_and_maps_every_status() {
        let cases = [
            ("initiate", CallState::Queued),
            ("in-progress", CallState::Active),
            ("ended", CallState::Ended),
            ("completed", CallState::Ended),
            ("timeout", CallState::Ended),
            ("failed", CallState::Queued),
            ("validation-failed", CallState::Queued),
            ("busy", CallState::Queued),
            ("no-answer", CallState::Queued),
            ("skip", CallState::Ended),
            ("rescheduled", CallState::Queued),
            ("aborted", CallState::Ended),
            ("warp", CallState::Unknown),
        ];
        for (raw, state) in cases {
            let status = MiraiLegacyCallStatus::parse(raw);
            assert_eq!(status.as_str(), raw);
            assert_eq!(status.state(), state, "{raw}");
        }
    }
}
