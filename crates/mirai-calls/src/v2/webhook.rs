//! Events the new API POSTs to a webhook URL.

use call_core::provider_kit::ErrorExt;
use call_core::{CallId, Error, ErrorKind, Provider, Timestamp};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::call::{Call, Turn};
use super::campaign::Campaign;
use crate::null_as_default::null_as_default;
use call_core::provider_kit::open_enum;

open_enum! {
    /// The type of a webhook event (an open set: new types arrive without a version bump).
    pub enum EventType {
        /// `call.queued`: admitted to the queue (opt-in: ask Mirai to enable it).
        CallQueued = "call.queued",
        /// `call.started`: media is live.
        CallStarted = "call.started",
        /// `call.completed`: connected and finished. Terminal.
        CallCompleted = "call.completed",
        /// `call.voicemail`: an answering machine picked up. Terminal.
        CallVoicemail = "call.voicemail",
        /// `call.failed`: did not connect (`no_answer`, `busy`, `failed`) or timed out. Terminal.
        CallFailed = "call.failed",
        /// `call.aborted`: aborted while queued, ringing or live. Terminal.
        CallAborted = "call.aborted",
        /// `call.processed`: post-call processing is done (after the terminal event; carries `processing` and
        /// `transcript`).
        CallProcessed = "call.processed",
        /// `campaign.started`: a campaign's first start took effect.
        CampaignStarted = "campaign.started",
        /// `campaign.paused`: paused by you or by the money gate (see `pause_reason`).
        CampaignPaused = "campaign.paused",
        /// `campaign.resumed`: dialling resumed.
        CampaignResumed = "campaign.resumed",
        /// `campaign.completed`: every contact is final, or the date range is over.
        CampaignCompleted = "campaign.completed",
        /// `campaign.stopped`: you stopped the campaign.
        CampaignStopped = "campaign.stopped",
    }
}

impl EventType {
    /// Whether this is a call's one terminal event (`call.completed`, `call.voicemail`, `call.failed` or
    /// `call.aborted`): exactly one arrives per call.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            EventType::CallCompleted
                | EventType::CallVoicemail
                | EventType::CallFailed
                | EventType::CallAborted
        )
    }
}

/// A webhook event, decoded from the exact bytes Mirai POSTed: `{id, type, created_at, data}`.
///
/// Delivery is at least once and unordered: deduplicate on [`id`](Self::id) (the same across retries and replays;
/// keep seen ids longer than the retry window, Mirai's docs use 24 hours) and order a call's events by
/// `data.call.status`, which only moves forward. Unknown event types decode too (their data is in
/// [`EventData::extra`]), and so do unknown fields.
///
/// ```
/// use mirai_calls::v2::{EventType, WebhookEvent};
///
/// let body = br#"{"id":"evt_01","type":"call.completed","created_at":"2026-07-26T09:16:38Z",
///                 "data":{"call":{"id":"call_01","status":"completed"}}}"#;
/// let event = WebhookEvent::from_slice(body)?;
/// assert_eq!(event.id, "evt_01");
/// assert_eq!(event.event_type, EventType::CallCompleted);
/// assert_eq!(event.call_id().map(|id| id.as_str()), Some("call_01"));
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The event's id (`evt_<ulid>`): the deduplication key.
    pub id: String,
    /// The event's type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the event was generated (not delivered).
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// What the event carries.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: EventData,
}

/// The `data` of an event.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct EventData {
    /// The call as Get Call would return it then (`call.*` events), `metadata` included when set.
    pub call: Option<Call>,
    /// The campaign (`campaign.*` events): a subset of the campaign object (`id`, `status`, `name`, `pause_reason`,
    /// `counters`, `dialed`).
    pub campaign: Option<Campaign>,
    /// What post-call processing did (`call.processed` only).
    pub processing: Option<Processing>,
    /// The finished transcript (`call.processed` only).
    pub transcript: Option<EventTranscript>,
    /// Fields this version does not know, such as the data of an unknown event type.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

open_enum! {
    /// How a post-call processing step went.
    pub enum StepStatus {
        /// `done`.
        Done = "done",
        /// `partial` (some post-call tools failed).
        Partial = "partial",
        /// `failed`.
        Failed = "failed",
        /// `skipped`.
        Skipped = "skipped",
        /// `not_enabled`.
        NotEnabled = "not_enabled",
    }
}

/// What post-call processing did (`data.processing` of `call.processed`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Processing {
    /// The transcript step.
    pub transcript: Option<StepStatus>,
    /// The analysis step.
    pub analysis: Option<StepStatus>,
    /// The post-call tools.
    pub post_call_tools: Option<StepStatus>,
    /// The run's version: an explicit rerun produces a higher one; keep the highest.
    pub version: Option<u64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

open_enum! {
    /// The state of an event's transcript.
    pub enum EventTranscriptStatus {
        /// `ready`: the turns are inline.
        Ready = "ready",
        /// `empty`: nobody spoke.
        Empty = "empty",
        /// `failed`.
        Failed = "failed",
        /// `fetch_required`: over the 512 KB inline limit; read it with
        /// [`transcript`](crate::MiraiV2Client::transcript).
        FetchRequired = "fetch_required",
    }
}

/// The finished transcript of `call.processed` (`data.transcript`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct EventTranscript {
    /// Its state.
    pub status: EventTranscriptStatus,
    /// The turns, when inline (never truncated).
    #[serde(default)]
    pub turns: Option<Vec<Turn>>,
}

impl WebhookEvent {
    /// Decodes an event from the raw request body.
    ///
    /// Verify the signature first ([`WebhookVerifier::verify_event`](super::WebhookVerifier::verify_event) does
    /// both). Never panics, whatever the bytes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] when the body is not JSON, lacks `id` or `type`, or a documented field has the wrong
    /// type (a `data.call` without `id` or `status`, a timestamp that is not RFC 3339).
    pub fn from_slice(body: &[u8]) -> call_core::Result<Self> {
        serde_json::from_slice(body).map_err(|e| {
            Error::new(ErrorKind::Decode, "the body is not a Mirai webhook event")
                .with_provider(Provider::MiraiV2)
                .with_operation("parse webhook event")
                .with_source(e)
        })
    }

    /// The call the event is about, on `call.*` events.
    pub fn call_id(&self) -> Option<&CallId> {
        self.data.call.as_ref().map(|call| &call.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        for body in [
            &b""[..],
            b"null",
            b"[]",
            b"{}",
            b"{\"id\":\"evt_1\"}",
            b"{\"type\":\"call.started\"}",
            b"{\"id\":1,\"type\":\"call.started\"}",
            b"{\"id\":\"evt_1\",\"type\":\"call.started\",\"data\":{\"call\":{\"status\":\"in_progress\"}}}",
            b"{\"id\":\"evt_1\",\"type\":\"call.started\",\"created_at\":\"yesterday\"}",
            b"\xff",
        ] {
            let err = WebhookEvent::from_slice(body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode, "{body:?}");
        }
    }
}
