//! Mirai Minds' legacy call status.

use std::fmt;

use crate::CallState;

/// The status of a call in Mirai Minds' legacy API (`CallStatus` in its swagger), as webhooks report it.
///
/// A call that has no status yet (still in its initial queue) is represented by `Option::None` where a status is
/// optional. Unknown values are kept in [`MiraiCallStatus::Unknown`].
///
/// [Abort Call](https://docs.miraiminds.co/api-reference/call/abort-call) is allowed when the call has no status yet
/// or is `busy`, `failed`, `no-answer`, `rescheduled` or `validation-failed` (a retry may still be pending), and
/// refused when it is `in-progress`, `completed`, `ended`, `timeout` or already `aborted`: see
/// [`MiraiCallStatus::is_abortable`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MiraiCallStatus {
    /// Queued and being dialled.
    Initiate,
    /// Answered; the conversation is live. Not abortable in the legacy API.
    InProgress,
    /// The connection dropped; analysis running.
    Ended,
    /// Recording, transcript and duration processed.
    Completed,
    /// Exceeded the assistant's maximum call duration.
    Timeout,
    /// Could not connect (a retry may follow).
    Failed,
    /// Pre-call validation failed (an invalid number or payload).
    ValidationFailed,
    /// The line was busy (a retry may follow).
    Busy,
    /// Nobody picked up (a retry may follow).
    NoAnswer,
    /// Skipped (a do-not-disturb number, outside calling hours).
    Skip,
    /// The customer asked for a callback; the call will be retried.
    Rescheduled,
    /// Aborted through the API.
    Aborted,
    /// A status this version of the library does not know, as sent.
    Unknown(String),
}

impl MiraiCallStatus {
    /// Parses a status; unknown values are kept, never rejected.
    pub fn parse(s: &str) -> Self {
        match s {
            "initiate" => Self::Initiate,
            "in-progress" => Self::InProgress,
            "ended" => Self::Ended,
            "completed" => Self::Completed,
            "timeout" => Self::Timeout,
            "failed" => Self::Failed,
            "validation-failed" => Self::ValidationFailed,
            "busy" => Self::Busy,
            "no-answer" => Self::NoAnswer,
            "skip" => Self::Skip,
            "rescheduled" => Self::Rescheduled,
            "aborted" => Self::Aborted,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The status as Mirai spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Initiate => "initiate",
            Self::InProgress => "in-progress",
            Self::Ended => "ended",
            Self::Completed => "completed",
            Self::Timeout => "timeout",
            Self::Failed => "failed",
            Self::ValidationFailed => "validation-failed",
            Self::Busy => "busy",
            Self::NoAnswer => "no-answer",
            Self::Skip => "skip",
            Self::Rescheduled => "rescheduled",
            Self::Aborted => "aborted",
            Self::Unknown(s) => s,
        }
    }

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

impl fmt::Display for MiraiCallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for MiraiCallStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for MiraiCallStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Self::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abortability_follows_the_docs() {
        assert!(MiraiCallStatus::is_abortable(None));
        for raw in [
            "busy",
            "failed",
            "no-answer",
            "rescheduled",
            "validation-failed",
        ] {
            assert!(
                MiraiCallStatus::is_abortable(Some(&MiraiCallStatus::parse(raw))),
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
                !MiraiCallStatus::is_abortable(Some(&MiraiCallStatus::parse(raw))),
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
            let status = MiraiCallStatus::parse(raw);
            assert_eq!(status.as_str(), raw);
            assert_eq!(status.state(), state, "{raw}");
        }
    }
}
