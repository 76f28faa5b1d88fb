//! The new API's call status and end reason.

use call_core::CallState;

use call_core::provider_kit::open_enum;

open_enum! {
    /// The status of a call in Mirai's new API (`status` of the call object).
    ///
    /// Statuses only move forward and a terminal one never changes: `queued → dialing | aborted`;
    /// `dialing → in_progress | no_answer | busy | failed | voicemail | aborted`;
    /// `in_progress → completed | voicemail | timeout | failed | aborted`. Unknown values are kept.
    pub enum MiraiV2CallStatus {
        /// `queued`: accepted, waiting for capacity (a browser call waits here until the page connects audio).
        Queued = "queued",
        /// `dialing`: ringing (phone calls only).
        Dialing = "dialing",
        /// `in_progress`: media is live.
        InProgress = "in_progress",
        /// `completed`: connected and finished. Terminal.
        Completed = "completed",
        /// `voicemail`: an answering machine picked up. Terminal.
        Voicemail = "voicemail",
        /// `no_answer`: rang out. Terminal.
        NoAnswer = "no_answer",
        /// `busy`: the line was busy. Terminal.
        Busy = "busy",
        /// `failed`: could not connect, or a pipeline error. Terminal.
        Failed = "failed",
        /// `timeout`: hit `max_duration_secs`. Terminal.
        Timeout = "timeout",
        /// `aborted`: stopped by `POST /v2/calls/{id}/abort` while queued, ringing or live. Terminal.
        Aborted = "aborted",
    }
}

impl MiraiV2CallStatus {
    /// The provider-neutral state: `queued` and `dialing` are [`CallState::Queued`], `in_progress` is
    /// [`CallState::Active`], every terminal status is [`CallState::Ended`], an unknown one [`CallState::Unknown`].
    pub fn state(&self) -> CallState {
        match self {
            Self::Queued | Self::Dialing => CallState::Queued,
            Self::InProgress => CallState::Active,
            Self::Completed
            | Self::Voicemail
            | Self::NoAnswer
            | Self::Busy
            | Self::Failed
            | Self::Timeout
            | Self::Aborted => CallState::Ended,
            Self::Unknown(_) => CallState::Unknown,
        }
    }

    /// Whether the status is terminal (it will never change).
    pub fn is_terminal(&self) -> bool {
        self.state() == CallState::Ended
    }
}

open_enum! {
    /// Why a call ended (`ended_reason`, an open vocabulary; `null` while the call runs).
    pub enum EndedReason {
        /// `assistant-ended-call`.
        AssistantEndedCall = "assistant-ended-call",
        /// `customer-ended-call`.
        CustomerEndedCall = "customer-ended-call",
        /// `exceeded-max-duration` (status `timeout`).
        ExceededMaxDuration = "exceeded-max-duration",
        /// `customer-did-not-answer`.
        CustomerDidNotAnswer = "customer-did-not-answer",
        /// `customer-busy`.
        CustomerBusy = "customer-busy",
        /// `voicemail`.
        Voicemail = "voicemail",
        /// `silence-timed-out`.
        SilenceTimedOut = "silence-timed-out",
        /// `idle-timed-out`.
        IdleTimedOut = "idle-timed-out",
        /// `no-media` (status `failed`; often a ring-out the carrier gave no verdict on).
        NoMedia = "no-media",
        /// `insufficient_balance` (status `failed`; refused before connecting).
        InsufficientBalance = "insufficient_balance",
        /// `aborted-by-api`: the only reason an abort produces.
        AbortedByApi = "aborted-by-api",
        /// `api-ended-call` (a browser call's `close` control).
        ApiEndedCall = "api-ended-call",
        /// `time-limit-close`.
        TimeLimitClose = "time-limit-close",
        /// `user-silence-close`.
        UserSilenceClose = "user-silence-close",
        /// `assistant-error` (status `failed`).
        AssistantError = "assistant-error",
        /// `transferred` (reserved by Mirai, not emitted yet).
        Transferred = "transferred",
        /// `balance-exhausted` (reserved by Mirai, not emitted yet).
        BalanceExhausted = "balance-exhausted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_status() {
        let cases = [
            ("queued", CallState::Queued),
            ("dialing", CallState::Queued),
            ("in_progress", CallState::Active),
            ("completed", CallState::Ended),
            ("voicemail", CallState::Ended),
            ("no_answer", CallState::Ended),
            ("busy", CallState::Ended),
            ("failed", CallState::Ended),
            ("timeout", CallState::Ended),
            ("aborted", CallState::Ended),
            ("warping", CallState::Unknown),
        ];
        for (raw, state) in cases {
            let status = MiraiV2CallStatus::parse(raw);
            assert_eq!(status.as_str(), raw);
            assert_eq!(status.state(), state, "{raw}");
        }
        let status: MiraiV2CallStatus = serde_json::from_str("\"ringing_twice\"").unwrap();
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"ringing_twice\"");
        assert_eq!(
            EndedReason::parse("aborted-by-api"),
            EndedReason::AbortedByApi
        );
    }
}
