//! The call object of the new API.

use call_core::provider_kit::Response;
use call_core::{CallId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::status::{EndedReason, MiraiV2CallStatus};
use crate::null_as_default::null_as_default;
use call_core::provider_kit::open_enum;

/// A call, as [`GET /v2/calls/{id}`](https://docs.miraiminds.co/v2/calls) returns it, and as list pages and
/// webhook events (`data.call`) carry it.
///
/// Only `id` and `status` are required: list items and webhook payloads omit fields, and fields differ between
/// revisions of Mirai's docs (list items and later webhooks carry `cost_inr` instead of `cost`; both decode).
/// Unknown fields are kept in [`extra`](Self::extra), unknown enum values in `Unknown` variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Call {
    /// The call's id (`call_<ulid>`).
    pub id: CallId,
    /// Where the call is.
    pub status: MiraiV2CallStatus,
    /// The object's type, `"call"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The agent (`agt_...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The destination (E.164), for phone calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The rate card billed (`t1`, `t3`, `t5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Why the call ended; `None` while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_reason: Option<EndedReason>,
    /// When the request was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When media went live (not when dialled); `None` if it never connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// Billable seconds of live media: `0` if it never connected, `None` while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u64>,
    /// What the call cost, in detail (Get Call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CallCost>,
    /// What the call cost in INR (list items and later webhook payloads; `None` when unbilled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_inr: Option<f64>,
    /// Whether [`download_recording`](crate::MiraiV2Client::download_recording) will find audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_available: Option<bool>,
    /// Whether [`transcript`](crate::MiraiV2Client::transcript) will find turns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_available: Option<bool>,
    /// The transcript's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_status: Option<TranscriptStatus>,
    /// The `metadata` given at create, unchanged; absent when none was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// The post-call analysis, when the agent has analysis enabled (shape set by the agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Value>,
    /// The path through a node-based agent's graph (may be missing for seconds after the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<CallFlow>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Call {
    /// Whether the call ended because of an abort request (`status: aborted`, `ended_reason: aborted-by-api`).
    pub fn was_aborted_by_api(&self) -> bool {
        self.status == MiraiV2CallStatus::Aborted
            && self
                .ended_reason
                .as_ref()
                .is_none_or(|reason| *reason == EndedReason::AbortedByApi)
    }
}

/// What `terminate` reads of a call (Get Call's body) to resolve a doubtful abort: its `status` and `ended_reason`,
/// and nothing else, so that a change in the shape of any other field (cost, flow, analysis, timestamps) cannot
/// turn an abort into a failure.
#[derive(Debug)]
pub(crate) struct CallOutcome {
    pub(crate) status: MiraiV2CallStatus,
    pub(crate) ended_reason: Option<EndedReason>,
}

impl CallOutcome {
    /// Reads the two fields of a 2xx Get Call answer. Unknown values are kept (`Unknown`); errors name the field and
    /// its JSON type, never the record's content.
    pub(crate) fn read(response: &Response) -> call_core::Result<Self> {
        let object = response.json_object()?;
        let status = response
            .string_field(&object, "status")?
            .ok_or_else(|| response.decode_error("field `status` is missing or null"))?;
        let ended_reason = response.string_field(&object, "ended_reason")?;
        Ok(CallOutcome {
            status: MiraiV2CallStatus::parse(status),
            ended_reason: ended_reason.map(EndedReason::parse),
        })
    }

    /// Whether the call ended because of an abort request, as [`Call::was_aborted_by_api`] tells.
    pub(crate) fn was_aborted_by_api(&self) -> bool {
        self.status == MiraiV2CallStatus::Aborted
            && self
                .ended_reason
                .as_ref()
                .is_none_or(|reason| *reason == EndedReason::AbortedByApi)
    }
}

/// What a call cost (`cost`). INR amounts are JSON numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallCost {
    /// The amount billed (0 until billed, and for free outcomes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_inr: Option<f64>,
    /// The all-in rate per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_min_inr: Option<f64>,
    /// The billing block in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_block_secs: Option<u64>,
    /// The voice rate per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_per_min_inr: Option<f64>,
    /// The insights rate per minute (absent when there is no insights charge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insights_per_min_inr: Option<f64>,
    /// The telephony rate per minute (absent for your own telephony, WhatsApp and browser calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telco_per_min_inr: Option<f64>,
    /// The telephony provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telco_provider: Option<String>,
    /// The telephony billing block in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telco_billing_block_secs: Option<u64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

open_enum! {
    /// The state of a call's transcript (`transcript_status`).
    pub enum TranscriptStatus {
        /// `pending`: the call runs, or the transcript is not stored yet.
        Pending = "pending",
        /// `ready`.
        Ready = "ready",
        /// `empty`: nobody spoke.
        Empty = "empty",
        /// `failed`.
        Failed = "failed",
    }
}

/// A node-based agent's path through its graph (`flow`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallFlow {
    /// The node the call ended in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_node: Option<String>,
    /// The nodes visited, in order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub nodes_visited: Vec<String>,
    /// The flow's variables at the end.
    #[serde(default, deserialize_with = "null_as_default")]
    pub variables: Map<String, Value>,
    /// How the flow ended (`end_call`, `user_hangup`, `voicemail_detected`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Tags set along the way.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

open_enum! {
    /// Who spoke a transcript turn.
    pub enum Role {
        /// `assistant`: the agent.
        Assistant = "assistant",
        /// `user`: the person called.
        User = "user",
    }
}

/// One turn of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Turn {
    /// Who spoke.
    pub role: Role,
    /// What was said (not translated).
    pub text: String,
    /// Milliseconds from the start of the recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ms: Option<u64>,
    /// Milliseconds from the start of the recording; `None` on the last turn of a call that was cut off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_ms: Option<u64>,
}

/// A call's transcript, from [`transcript`](crate::MiraiV2Client::transcript).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transcript {
    /// The call.
    pub call_id: CallId,
    /// The turns, in order.
    #[serde(deserialize_with = "null_as_default")]
    pub turns: Vec<Turn>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_documented_shape() {
        let full = serde_json::json!({
            "id": "call_01JZQ9B4M8N3P6R2S5T7V9W1YA", "object": "call", "agent_id": "agt_1", "to": "+919876543210",
            "status": "completed", "tier": "t1", "ended_reason": "customer-ended-call",
            "created_at": "2026-07-26T09:14:02Z", "started_at": "2026-07-26T09:14:20Z", "ended_at": "2026-07-26T09:16:30Z",
            "duration_secs": 130,
            "cost": {"amount_inr": 13.0, "per_min_inr": 6.0, "billing_block_secs": 10, "voice_per_min_inr": 4.0,
                     "insights_per_min_inr": 0.5, "telco_per_min_inr": 1.5, "telco_provider": "plivo", "telco_billing_block_secs": 60},
            "recording_available": true, "transcript_available": true, "transcript_status": "ready",
            "metadata": {"order": "8842"}, "analysis": {"summary": "ok"},
            "flow": {"final_node": "end", "nodes_visited": ["start", "end"], "variables": {}, "status": "end_call", "tags": []},
            "brand_new_field": 1
        });
        let call: Call = serde_json::from_value(full).unwrap();
        assert_eq!(call.status, MiraiV2CallStatus::Completed);
        assert_eq!(
            call.cost.as_ref().unwrap().telco_billing_block_secs,
            Some(60)
        );
        assert_eq!(
            call.extra.get("brand_new_field"),
            Some(&serde_json::json!(1))
        );
        let item: Call = serde_json::from_str(
            r#"{"id":"call_1","status":"aborted","ended_reason":"aborted-by-api","cost_inr":null}"#,
        )
        .unwrap();
        assert!(item.was_aborted_by_api());
        assert!(serde_json::from_str::<Call>(r#"{"id":"call_1"}"#).is_err());
    }
}
