//! Cartesia's request and response shapes that are not public types: decoded here, converted to the public ones.

use call_core::provider_kit::Response;
use call_core::{CallId, Timestamp};

use crate::CartesiaCallStatus;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{EndReason, Region};

/// What `terminate` reads of a call (Get Call's body) to resolve a doubtful cancel: its `status` and `end_reason`,
/// and nothing else, so that a change in the shape of any other field (transcript, tool calls, timestamps) cannot
/// turn a cancel into a failure.
#[derive(Debug)]
pub(crate) struct CallOutcomeBody {
    pub(crate) status: CartesiaCallStatus,
    pub(crate) end_reason: Option<EndReason>,
}

impl CallOutcomeBody {
    /// Reads the two fields of a 2xx Get Call answer. Unknown values are kept (`Unknown`); errors name the field and
    /// its JSON type, never the record's content.
    pub(crate) fn read(response: &Response) -> call_core::Result<Self> {
        let object = response.json_object()?;
        let status = response
            .string_field(&object, "status")?
            .ok_or_else(|| response.decode_error("field `status` is missing or null"))?;
        let end_reason = response.string_field(&object, "end_reason")?;
        Ok(CallOutcomeBody {
            status: CartesiaCallStatus::parse(status),
            end_reason: end_reason.map(EndReason::parse),
        })
    }

    /// Whether the call ended because of Cancel Call, as [`Call::was_cancelled_by_api`](crate::Call) tells.
    pub(crate) fn was_cancelled_by_api(&self) -> bool {
        self.end_reason == Some(EndReason::ApiCancelled)
            || self.status == CartesiaCallStatus::Cancelled
    }
}

/// Cancel Call's 200 body, `{"cancelled": true}`.
#[derive(Deserialize)]
pub(crate) struct CancelBody {
    pub(crate) cancelled: bool,
}

/// A page of List Calls or List Call Batches. `has_more` is required by both schemas but missing from List Calls'
/// examples, so it may be absent.
#[derive(Deserialize)]
pub(crate) struct PageBody<T> {
    pub(crate) data: Vec<T>,
    #[serde(default)]
    pub(crate) next_page: Option<String>,
    #[serde(default)]
    pub(crate) has_more: Option<bool>,
}

/// Create Outbound Call's body (`AgentOutboundCallRequest`).
#[derive(Serialize)]
pub(crate) struct OutboundRequestBody<'a> {
    pub(crate) agent_id: &'a str,
    pub(crate) from_number_id: &'a str,
    pub(crate) outbound_calls: Vec<OutboundItemBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ringing_timeout_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_call_duration_minutes: Option<u32>,
}

/// One destination of [`OutboundRequestBody`] (`AgentOutboundCallItem`).
#[derive(Serialize)]
pub(crate) struct OutboundItemBody<'a> {
    pub(crate) to_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<&'a Map<String, Value>>,
}

/// Create Outbound Call's 200 body (`AgentOutboundCallResponse`).
#[derive(Deserialize)]
pub(crate) struct OutboundResponseBody {
    pub(crate) calls: Vec<OutboundResultBody>,
}

/// One entry of [`OutboundResponseBody`]: `agent_call_id` or `error` (an object whose fields are not documented).
#[derive(Deserialize)]
pub(crate) struct OutboundResultBody {
    #[serde(default)]
    pub(crate) number: Option<String>,
    #[serde(default)]
    pub(crate) agent_call_id: Option<CallId>,
    #[serde(default)]
    pub(crate) error: Option<Value>,
}

/// Get Call Runtime Logs' 200 body (`AgentCallLogs`).
#[derive(Deserialize)]
pub(crate) struct CallLogsBody {
    pub(crate) call_id: CallId,
    pub(crate) logs: Vec<String>,
    pub(crate) updated_at: Timestamp,
}

/// Create Call Batch's body (`AgentCallBatchRequest`).
#[derive(Serialize)]
pub(crate) struct CreateBatchBody<'a> {
    pub(crate) name: &'a str,
    pub(crate) agent_id: &'a str,
    pub(crate) from_number_id: &'a str,
    pub(crate) recipients: Vec<OutboundItemBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target_concurrency_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ringing_timeout_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_call_duration_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scheduled_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<&'a Region>,
}
