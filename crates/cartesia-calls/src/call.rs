//! The call record (`AgentCall`).

use call_core::{CallId, CallState, Timestamp};

use crate::CartesiaCallStatus;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use call_core::provider_kit::open_enum;

/// A Cartesia agent call, as [Get Call](https://docs.cartesia.ai/api-reference/agents/calls/get-call) returns it.
///
/// Every documented field of `Cartesia-Version: 2026-03-01`, and the older versions' fields; all but `id`,
/// `agent_id` and `status` are optional, because older versions, redacted calls and list items omit them. Unknown
/// fields are ignored and unknown enum values kept, so a new field or status never breaks decoding: `status` decodes
/// the current `created`, `started`, `completed`, `failed` and the older `active`, `cancelled`.
///
/// A call whose data was deleted ([`CartesiaClient::delete_call`](crate::CartesiaClient::delete_call)) has
/// `redacted_at` set; its deleted fields are omitted by one revision of the docs and `null` in another, and both
/// decode to `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Call {
    /// The call's id.
    pub id: CallId,
    /// The agent that took or placed the call.
    pub agent_id: String,
    /// Where the call is.
    pub status: CartesiaCallStatus,
    /// The agent's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    /// Zero data retention: when `true`, transcript, audio and logs are not kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zdr_enabled: Option<bool>,
    /// When the call started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    /// When the call ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    /// When the call's sensitive data was deleted (`DELETE /agents/calls/{id}`); omitted and `null` both mean never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_at: Option<Timestamp>,
    /// What was said. Get Call returns it; List Calls only with `expand=transcript`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Vec<TranscriptItem>>,
    /// Telephony details, for calls over the phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_params: Option<TelephonyParams>,
    /// The telephony account behind the call (`cartesia`, `twilio`, `sip_trunk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_account_type: Option<TelephonyAccountType>,
    /// Cartesia's brief summary of the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Why the call failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Why the call ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<EndReason>,
    /// The deployment that served the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The deployment version that served the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_version_id: Option<String>,
    /// The deployment's region (`US`, `EU`, `APAC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_region: Option<Region>,
    /// Your metadata, as given when the call was placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl Call {
    /// The call's provider-neutral state (`created` is queued, `started` active, `completed` and `failed` ended).
    pub fn state(&self) -> CallState {
        self.status.state()
    }

    /// Whether the call ended because of Cancel Call (`end_reason: api_cancelled`, or the older `cancelled` status).
    pub fn was_cancelled_by_api(&self) -> bool {
        self.end_reason == Some(EndReason::ApiCancelled)
            || self.status == CartesiaCallStatus::Cancelled
    }
}

open_enum! {
    /// Why a call ended (`end_reason`). Unknown values are kept.
    pub enum EndReason {
        /// The agent hung up.
        AgentHangup = "agent_hangup",
        /// The caller hung up.
        ClientHangup = "client_hangup",
        /// Ended by Cancel Call.
        ApiCancelled = "api_cancelled",
        /// Reached the maximum duration.
        MaxDuration = "max_duration",
        /// Nobody spoke for too long.
        Inactivity = "inactivity",
        /// The caller's connection dropped.
        ClientDisconnected = "client_disconnected",
        /// The line was busy.
        DialBusy = "dial_busy",
        /// The dial failed.
        DialFailed = "dial_failed",
        /// Nobody answered.
        DialNoAnswer = "dial_no_answer",
        /// An error ended the call.
        Error = "error",
    }
}

open_enum! {
    /// A Cartesia region: a call's `deployment_region`, a batch's dispatch `region`. Unknown values are kept.
    pub enum Region {
        /// United States.
        Us = "US",
        /// Europe.
        Eu = "EU",
        /// Asia-Pacific.
        Apac = "APAC",
    }
}

open_enum! {
    /// The telephony account behind a call (`telephony_account_type`). Unknown values are kept.
    pub enum TelephonyAccountType {
        /// Cartesia-hosted telephony (the default).
        Cartesia = "cartesia",
        /// A customer-owned Twilio subaccount.
        Twilio = "twilio",
        /// A customer-connected SIP trunk.
        SipTrunk = "sip_trunk",
    }
}

open_enum! {
    /// How a call's media connects (`telephony_params.connection_type`). Unknown values are kept.
    pub enum ConnectionType {
        /// A WebSocket connection.
        Websocket = "websocket",
        /// A phone call.
        Phone = "phone",
    }
}

open_enum! {
    /// Who speaks in a transcript entry (`role`). Unknown values are kept.
    pub enum TranscriptRole {
        /// The caller or callee.
        User = "user",
        /// The agent.
        Assistant = "assistant",
        /// A log entry.
        System = "system",
    }
}

/// A phone call's telephony details. Every field is optional: a redacted call keeps only `call_sid` and
/// `connection_type`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TelephonyParams {
    /// The number called (for outbound calls, the callee).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The number calling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The carrier's call id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sid: Option<String>,
    /// `inbound` or `outbound` (not enumerated by the docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// Telephony parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Map<String, Value>>,
    /// Telephony headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Map<String, Value>>,
    /// How the media connects (`websocket`, `phone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_type: Option<ConnectionType>,
}

/// One entry of a call's transcript: a turn of speech, or a log event or metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TranscriptItem {
    /// Who speaks: the user, the agent (`assistant`), or `system` for log entries.
    pub role: TranscriptRole,
    /// Seconds from the start of the call.
    #[serde(default)]
    pub start_timestamp: f64,
    /// Seconds from the start of the call.
    #[serde(default)]
    pub end_timestamp: f64,
    /// What was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The text in timed chunks (older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_chunks: Option<Vec<TextChunk>>,
    /// Why an agent turn ended (`call_ended`, `interrupted`, `tts_completed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
    /// Tools the agent called in this turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Voice-activity buffer, in milliseconds (older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vad_buffer_ms: Option<i64>,
    /// Speech-to-text time to first byte, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stt_ttfb: Option<f64>,
    /// Text-to-speech time to first byte, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tts_ttfb: Option<f64>,
    /// A log event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_event: Option<LogEvent>,
    /// A log metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_metric: Option<LogMetric>,
}

/// A timed chunk of transcript text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TextChunk {
    /// The text.
    pub text: String,
    /// Seconds from the start of the call.
    pub start_timestamp: f64,
}

/// A tool call made by the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolCall {
    /// The tool call's id (not required by the schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The tool's name.
    pub name: String,
    /// The arguments (any JSON: the SDKs type them as strings, the docs as any object).
    #[serde(default)]
    pub arguments: Value,
    /// The tool's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// A log event in a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LogEvent {
    /// The event's name.
    pub event: String,
    /// Its metadata.
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// Seconds from the start of the call.
    #[serde(default)]
    pub timestamp: f64,
}

/// A log metric in a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LogMetric {
    /// The metric's name.
    pub name: String,
    /// Its value.
    pub value: f64,
    /// Seconds from the start of the call.
    #[serde(default)]
    pub timestamp: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_current_and_older_shapes() {
        let current = r#"{"id":"ac_1","agent_id":"agent_1","status":"completed","end_reason":"api_cancelled",
            "start_time":"2026-03-01T12:00:00Z","end_time":"2026-03-01T12:01:00Z","redacted_at":null,
            "telephony_params":{"call_sid":"sid_1","connection_type":"websocket"},"metadata":{"k":"v"},
            "transcript":[{"role":"assistant","start_timestamp":0.5,"end_timestamp":1.5,"text":"hi",
              "tool_calls":[{"id":"t1","name":"lookup","arguments":{"n":1},"result":"ok"}]}],
            "zdr_enabled":false,"deployment_region":"US","brand_new_field":{"x":1}}"#;
        let call: Call = serde_json::from_str(current).unwrap();
        assert!(call.was_cancelled_by_api());
        assert_eq!(call.state(), CallState::Ended);
        assert_eq!(call.redacted_at, None);
        assert_eq!(call.deployment_region, Some(Region::Us));
        let telephony = call.telephony_params.as_ref().unwrap();
        assert_eq!(telephony.connection_type, Some(ConnectionType::Websocket));
        assert_eq!(
            call.transcript.unwrap()[0].tool_calls.as_ref().unwrap()[0].name,
            "lookup"
        );

        let older = r#"{"id":"ac_2","agent_id":"agent_1","status":"cancelled",
            "telephony_params":{"to":"+14155550100","from":"+14155550101"},"end_reason":"rocket"}"#;
        let call: Call = serde_json::from_str(older).unwrap();
        assert_eq!(call.status, CartesiaCallStatus::Cancelled);
        assert_eq!(call.end_reason, Some(EndReason::Unknown("rocket".into())));
        assert!(call.was_cancelled_by_api());
    }

    #[test]
    fn lenient_enums_keep_unknown_values_and_round_trip() {
        for raw in ["sip_trunk", "satellite"] {
            let kind: TelephonyAccountType = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
            assert_eq!(kind.as_str(), raw);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{raw}\""));
        }
        assert_eq!(
            TranscriptRole::parse("assistant"),
            TranscriptRole::Assistant
        );
        assert_eq!(Region::parse("MARS"), Region::Unknown("MARS".into()));
        assert!(serde_json::from_str::<EndReason>("1").is_err());
    }
}
