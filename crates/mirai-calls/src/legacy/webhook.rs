//! Call events the legacy API POSTs to a call's `callbackUrl`.
//!
//! [Call Events Webhook](https://docs.miraiminds.co/api-reference/call/call-events-webhook): the swagger lists it
//! as an endpoint (`POST /v2/webhooks/call-events`), but it documents the body Mirai sends to you.

use call_core::provider_kit::ErrorExt;
use call_core::{CallId, Error, ErrorKind, Provider, Timestamp};

use super::MiraiLegacyCallStatus;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::null_as_default::null_as_default;
use call_core::provider_kit::open_enum;

open_enum! {
    /// The type of a legacy call event (`EventType`, 15 documented values).
    pub enum EventType {
        /// `call.initiate`: queued, being dialled.
        CallInitiate = "call.initiate",
        /// `call.in-progress`: answered; the conversation started.
        CallInProgress = "call.in-progress",
        /// `call.ended`: the connection dropped; analysis is running.
        CallEnded = "call.ended",
        /// `call.completed`: recording, transcript and duration processed.
        CallCompleted = "call.completed",
        /// `call.timeout`: exceeded the assistant's maximum call duration.
        CallTimeout = "call.timeout",
        /// `call.failed`: could not connect (a retry may follow).
        CallFailed = "call.failed",
        /// `call.validation-failed`: pre-call validation failed (an invalid number or payload).
        CallValidationFailed = "call.validation-failed",
        /// `call.busy`: the line was busy (a retry may follow).
        CallBusy = "call.busy",
        /// `call.no-answer`: nobody picked up (a retry may follow).
        CallNoAnswer = "call.no-answer",
        /// `call.skip`: skipped (a do-not-disturb number, outside calling hours).
        CallSkip = "call.skip",
        /// `call.rescheduled`: the customer asked for a callback; the call task goes on.
        CallRescheduled = "call.rescheduled",
        /// `call.aborted`: aborted through the API.
        CallAborted = "call.aborted",
        /// `call.lifecycle-ended`: the final event; no more attempts will be made for this call.
        CallLifecycleEnded = "call.lifecycle-ended",
        /// `end-of-call`: analysis is done (summary, success, insights, credits); the event to read results from.
        EndOfCall = "end-of-call",
        /// `action`: the conversation produced a business action to carry out.
        Action = "action",
    }
}

impl EventType {
    /// Whether this is the call task's last event (`call.lifecycle-ended`): close your record on this one, not on
    /// `call.failed` (a retry may follow that).
    pub fn is_final(&self) -> bool {
        *self == EventType::CallLifecycleEnded
    }
}

/// A call event, decoded from the exact bytes Mirai POSTed.
///
/// Every documented event type and field is typed; unknown event types keep their data as raw JSON
/// ([`EventData::Unknown`]) and unknown fields are kept in each struct's `extra`, so a new event or field never
/// breaks a handler.
///
/// The legacy API sends no event id: deduplicate on [`dedup_key`](Self::dedup_key) (type and call id), and
/// expect duplicates.
///
/// ```
/// use mirai_calls::legacy::{EventData, EventType, WebhookEvent};
///
/// let body = br#"{"event":{"type":"call.completed","data":{"call":{"id":"68f0a1b2c3d4e5f600000900","status":"completed"}}},
///                 "metadata":{"order_id":"ORD-1"}}"#;
/// let event = WebhookEvent::from_slice(body)?;
/// assert_eq!(event.event_type, EventType::CallCompleted);
/// assert_eq!(event.call_id().map(|id| id.as_str()), Some("68f0a1b2c3d4e5f600000900"));
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The event's type (`event.type`).
    pub event_type: EventType,
    /// The event's data (`event.data`), by type.
    pub data: EventData,
    /// The `metadata` given at initiate, echoed on every event.
    pub metadata: Option<Map<String, Value>>,
}

/// What an event carries, by event type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `CallEventData`: every `call.*` event and `end-of-call`.
    Call(Box<CallEventData>),
    /// `ActionEventData`: the `action` event.
    Action(ActionEventData),
    /// The data of an event type this version does not know, as sent.
    Unknown(Value),
}

/// `CallEventData`: the call and, once known, its analysis, credits and attempt counters.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CallEventData {
    /// The call.
    pub call: Option<EventCall>,
    /// The post-call analysis (on `end-of-call` and, per the swagger, `call.completed`).
    pub analysis: Option<Analysis>,
    /// Credits used by the call and left in the workspace.
    pub credits: Option<Credits>,
    /// Attempt counters.
    pub report: Option<AttemptReport>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The call an event is about (`CallEventData.call`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventCall {
    /// The call's id (as returned by Initiate Call).
    pub id: CallId,
    /// The call's status.
    #[serde(default)]
    pub status: Option<MiraiLegacyCallStatus>,
    /// When the conversation started.
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    /// When it ended.
    #[serde(default)]
    pub ended_at: Option<Timestamp>,
    /// The recording's URL.
    #[serde(default)]
    pub recording_url: Option<String>,
    /// The call's page in Mirai's dashboard.
    #[serde(default)]
    pub detail_url: Option<String>,
    /// The call's duration in seconds.
    #[serde(default)]
    pub duration_seconds: Option<f64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The post-call analysis.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Analysis {
    /// Whether the call met the assistant's success criteria.
    pub success: Option<bool>,
    /// A summary of the conversation.
    pub summary: Option<String>,
    /// Actions to take after the call (`create-order`, `send-whatsapp`, `send-email`).
    #[serde(deserialize_with = "null_as_default")]
    pub required_actions: Vec<String>,
    /// Insights, shaped by the assistant's insight plan.
    pub insights: Option<Map<String, Value>>,
    /// The variant's extraction result (`{}` when the variant has none).
    pub outcome: Option<Map<String, Value>>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Credits used and left.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Credits {
    /// Credits this call used.
    pub used: Option<f64>,
    /// Credits left in the workspace.
    pub available: Option<f64>,
}

/// How many times the call was re-attempted and rescheduled.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttemptReport {
    /// Re-attempts so far.
    pub re_attempt_count: Option<f64>,
    /// Reschedules so far.
    pub rescheduled_count: Option<f64>,
}

open_enum! {
    /// The business action of an `action` event.
    pub enum ActionKind {
        /// `create_order` (the draft spec's `create-order` too).
        CreateOrder = "create_order" | "create-order",
        /// `send_whatsapp` (the draft spec's `send-whatsapp` too).
        SendWhatsapp = "send_whatsapp" | "send-whatsapp",
        /// `mark_prepaid`.
        MarkPrepaid = "mark_prepaid",
        /// `update_address`.
        UpdateAddress = "update_address",
        /// `confirmed_address`.
        ConfirmedAddress = "confirmed_address",
    }
}

open_enum! {
    /// Why an action could not be carried out as asked (`ActionReason`).
    pub enum ActionReason {
        /// `missing_address`.
        MissingAddress = "missing_address",
        /// `missing_first_name`.
        MissingFirstName = "missing_first_name",
        /// `invalid_cart_data`.
        InvalidCartData = "invalid_cart_data",
    }
}

/// `ActionEventData`: a business action the conversation produced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ActionEventData {
    /// The action.
    pub action: ActionKind,
    /// The call it came from (`call.id`).
    pub call_id: Option<CallId>,
    /// Why the action is incomplete, when it is.
    pub reason: Option<ActionReason>,
    /// The action's data: typed for `send_whatsapp` and `create_order`, raw for the others.
    pub payload: Option<ActionPayload>,
    /// Fields this version does not know.
    pub extra: Map<String, Value>,
}

/// The data of an action.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ActionPayload {
    /// `SendWhatsapp`.
    SendWhatsapp(SendWhatsapp),
    /// `CreateOrderData`.
    CreateOrder(Box<CreateOrderData>),
    /// Any other action's data, as sent.
    Other(Value),
}

/// `SendWhatsapp`: where to send a WhatsApp message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SendWhatsapp {
    /// The number (may be `null`).
    pub number: Option<String>,
}

/// `CreateOrderData`: an order to create.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateOrderData {
    /// The customer's email.
    pub email: Option<String>,
    /// The customer's phone number.
    pub phone: Option<String>,
    /// The line items (free-form objects).
    #[serde(deserialize_with = "null_as_default")]
    pub line_items: Vec<Value>,
    /// Where to ship.
    pub shipping_address: Option<ShippingAddress>,
    /// The cart's total.
    pub cart_total: Option<f64>,
    /// The cash-on-delivery charge.
    pub cod_charge: Option<f64>,
    /// The discount applied.
    pub discount: Option<OrderDiscount>,
    /// A note for the order.
    pub note: Option<String>,
    /// The abandoned checkout this order recovers (may be `null`).
    pub abandoned_checkout_id: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The shipping address of an order to create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShippingAddress {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// First address line.
    pub address1: Option<String>,
    /// Second address line.
    pub address2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Province or state.
    pub province: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

/// The discount of an order to create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OrderDiscount {
    /// The code.
    pub code: Option<String>,
    /// Why it was given.
    pub reason: Option<String>,
}

/// The raw shape of `ActionEventData`, before the payload is typed by action.
#[derive(Deserialize)]
struct RawActionData {
    action: ActionKind,
    #[serde(default)]
    call: Option<RawActionCall>,
    #[serde(default)]
    reason: Option<ActionReason>,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawActionCall {
    id: CallId,
}

impl WebhookEvent {
    /// Decodes an event from the raw request body.
    ///
    /// Verify the signature first ([`WebhookVerifier::verify_event`](super::WebhookVerifier::verify_event) does
    /// both). Never panics, whatever the bytes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] when the body is not JSON, has no `event.type`, or a documented field has the wrong
    /// type (a call id that is empty, a timestamp that is not RFC 3339, a `status` that is not a string).
    pub fn from_slice(body: &[u8]) -> call_core::Result<Self> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| malformed("the body is not JSON").with_source(e))?;
        let Value::Object(mut root) = value else {
            return Err(malformed("the body is not a JSON object"));
        };
        let metadata = match root.remove("metadata") {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => return Err(malformed("`metadata` is not an object")),
        };
        let Some(Value::Object(mut event)) = root.remove("event") else {
            return Err(malformed("`event` is missing or not an object"));
        };
        let event_type = match event.remove("type") {
            Some(Value::String(t)) => EventType::parse(&t),
            _ => return Err(malformed("`event.type` is missing or not a string")),
        };
        let data = match event.remove("data") {
            Some(data @ Value::Object(_)) => data,
            // The rendered docs show the data's fields directly under `event` (an artefact of the discriminator); a
            // sender that does the same is read the same way.
            None if event.contains_key("call") || event.contains_key("action") => {
                Value::Object(event)
            }
            _ => return Err(malformed("`event.data` is missing or not an object")),
        };
        let data = match event_type {
            EventType::Action => EventData::Action(action_data(data)?),
            EventType::Unknown(_) => EventData::Unknown(data),
            _ => EventData::Call(Box::new(serde_json::from_value(data).map_err(|e| {
                malformed("`event.data` is not the documented CallEventData").with_source(e)
            })?)),
        };
        Ok(WebhookEvent {
            event_type,
            data,
            metadata,
        })
    }

    /// The call the event is about, when it names one.
    pub fn call_id(&self) -> Option<&CallId> {
        match &self.data {
            EventData::Call(data) => data.call.as_ref().map(|call| &call.id),
            EventData::Action(data) => data.call_id.as_ref(),
            EventData::Unknown(_) => None,
        }
    }

    /// The call's status, on call events that carry one.
    pub fn call_status(&self) -> Option<&MiraiLegacyCallStatus> {
        match &self.data {
            EventData::Call(data) => data.call.as_ref().and_then(|call| call.status.as_ref()),
            _ => None,
        }
    }

    /// A key to deduplicate deliveries on: `"<type>:<call id>"` (the legacy API sends no event id, so the docs
    /// suggest this pair). `None` when the event names no call.
    ///
    /// Two `action` events of one call share a key; include the action when you deduplicate those.
    pub fn dedup_key(&self) -> Option<String> {
        self.call_id()
            .map(|id| format!("{}:{}", self.event_type, id.as_str()))
    }
}

fn action_data(data: Value) -> call_core::Result<ActionEventData> {
    let raw: RawActionData = serde_json::from_value(data).map_err(|e| {
        malformed("`event.data` is not the documented ActionEventData").with_source(e)
    })?;
    let payload = match raw.payload {
        None | Some(Value::Null) => None,
        Some(payload) => Some(match raw.action {
            ActionKind::SendWhatsapp => {
                ActionPayload::SendWhatsapp(serde_json::from_value(payload).map_err(|e| {
                    malformed("a send_whatsapp payload is not `SendWhatsapp`").with_source(e)
                })?)
            }
            ActionKind::CreateOrder => {
                ActionPayload::CreateOrder(Box::new(serde_json::from_value(payload).map_err(
                    |e| malformed("a create_order payload is not `CreateOrderData`").with_source(e),
                )?))
            }
            _ => ActionPayload::Other(payload),
        }),
    };
    Ok(ActionEventData {
        action: raw.action,
        call_id: raw.call.map(|call| call.id),
        reason: raw.reason,
        payload,
        extra: raw.extra,
    })
}

fn malformed(detail: &'static str) -> Error {
    Error::new(ErrorKind::Decode, detail)
        .with_provider(Provider::Mirai)
        .with_operation("parse webhook event")
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
            b"{\"event\":1}",
            b"{\"event\":{}}",
            b"{\"event\":{\"type\":5,\"data\":{}}}",
            b"{\"event\":{\"type\":\"call.completed\"}}",
            b"{\"event\":{\"type\":\"call.completed\",\"data\":[]}}",
            b"{\"event\":{\"type\":\"call.completed\",\"data\":{\"call\":{\"id\":\"\"}}}}",
            b"{\"event\":{\"type\":\"action\",\"data\":{}}}",
            b"\xff\xfe",
        ] {
            let err = WebhookEvent::from_slice(body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode, "{body:?}");
        }
    }

    #[test]
    fn event_types_round_trip() {
        for raw in [
            "call.initiate",
            "call.lifecycle-ended",
            "end-of-call",
            "action",
            "call.new-thing",
        ] {
            assert_eq!(EventType::parse(raw).as_str(), raw);
        }
        assert!(EventType::CallLifecycleEnded.is_final());
        assert_eq!(ActionKind::parse("create-order"), ActionKind::CreateOrder);
    }
}
