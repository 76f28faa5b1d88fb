//! Initiate Call (legacy API): queue an outbound AI call.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Idempotency, Request};
use call_core::{CallId, Error, ErrorKind};

use super::MiraiLegacyCallStatus;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error_body::error_from;
use super::payload::CallPayload;
use crate::MiraiLegacyClient;
use crate::phone::{Redacted, check_e164};
use crate::webhook_url::check_webhook_url;

/// The longest `callbackUrl` we send. The legacy API documents no limit; this is the new API's (2,048 characters).
const MAX_CALLBACK_URL_LEN: usize = 2048;

/// A call to queue with [`MiraiLegacyClient::initiate_call`]: `InitiateCallRequest` in Mirai's swagger.
///
/// Built with chained setters; everything is checked by `initiate_call` before a request is sent: the phone number
/// must be E.164 (`+`, then 8 to 15 digits, the first not `0`), the assistant id non-blank, the callback URL `https`
/// (or `http` to a loopback host, for local sandboxes), and typed payloads complete.
///
/// ```
/// use mirai_calls::legacy::{InitiateCall, NdrFollowupPayload, OrderCustomer};
///
/// let call = InitiateCall::new("+919876543210", "6690a1b2c3d4e5f600000010")
///     .payload(NdrFollowupPayload::new("190123456789", "customer_unavailable", OrderCustomer::new("John")))
///     .callback_url("https://example.com/webhooks/mirai")
///     .metadata_entry("order_id", "ORD-8842");
/// ```
#[derive(Clone, PartialEq)]
#[must_use]
pub struct InitiateCall {
    phone_number: String,
    assistant: String,
    payload: Option<CallPayload>,
    callback_url: Option<String>,
    priority: Option<bool>,
    metadata: Option<Map<String, Value>>,
}

impl std::fmt::Debug for InitiateCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The number and the payload (names, addresses) are personal data: neither is printed.
        f.debug_struct("InitiateCall")
            .field("phone_number", &Redacted(&self.phone_number))
            .field("assistant", &self.assistant)
            .field("payload", &self.payload.is_some())
            .field("callback_url", &self.callback_url.is_some())
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}

/// The wire shape of [`InitiateCall`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitiateBody<'a> {
    phone_number: &'a str,
    assistant: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Map<String, Value>>,
}

impl InitiateCall {
    /// A call to `phone_number` (E.164) by the assistant with id `assistant`.
    pub fn new(phone_number: impl Into<String>, assistant: impl Into<String>) -> Self {
        InitiateCall {
            phone_number: phone_number.into(),
            assistant: assistant.into(),
            payload: None,
            callback_url: None,
            priority: None,
            metadata: None,
        }
    }

    /// The per-call data for the assistant, shaped by its variant (not sent by default).
    pub fn payload(mut self, payload: impl Into<CallPayload>) -> Self {
        self.payload = Some(payload.into());
        self
    }

    /// Where Mirai POSTs this call's events (not sent by default). Must be `https`, or `http` to a loopback host.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Jumps the queue (`priority: true`; not sent by default).
    pub fn priority(mut self, priority: bool) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Replaces the metadata: any object, echoed back on every webhook event of this call (not sent by default).
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Adds one metadata entry.
    pub fn metadata_entry(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sets `metadata.discount`: a discount the agent may offer (abandoned cart and COD-to-prepaid assistants).
    pub fn discount(self, discount: Discount) -> Self {
        let value = discount.to_value();
        self.metadata_entry("discount", value)
    }

    /// The phone number.
    pub fn phone_number(&self) -> &str {
        &self.phone_number
    }

    /// The assistant id.
    pub fn assistant(&self) -> &str {
        &self.assistant
    }

    fn validate(&self) -> call_core::Result<()> {
        check_e164(&self.phone_number)?;
        if self.assistant.trim().is_empty() {
            return Err(Error::new(ErrorKind::InvalidInput, "assistant id is empty"));
        }
        if let Some(url) = &self.callback_url {
            check_webhook_url("callbackUrl", url, MAX_CALLBACK_URL_LEN)?;
        }
        if let Some(payload) = &self.payload {
            payload.validate()?;
        }
        Ok(())
    }

    fn to_json(&self) -> call_core::Result<Vec<u8>> {
        let payload = self
            .payload
            .as_ref()
            .map(CallPayload::to_value)
            .transpose()?;
        serde_json::to_vec(&InitiateBody {
            phone_number: &self.phone_number,
            assistant: &self.assistant,
            payload,
            callback_url: self.callback_url.as_deref(),
            priority: self.priority,
            metadata: self.metadata.as_ref(),
        })
        .map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "could not encode the request").with_source(e)
        })
    }
}

/// How a [`Discount`] combines with others (`applyAs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscountApplication {
    /// On top of other discounts (`additional`).
    Additional,
    /// Instead of other discounts (`override`).
    Override,
}

/// `metadata.discount`: a discount for this contact, offered only when the customer resists.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Discount {
    /// The code.
    pub code: Option<String>,
    /// What the agent may say about it.
    pub description: Option<String>,
    /// The value (a percentage or an amount, by `code_type`).
    pub value: Option<f64>,
    /// `%tage` or `fixed`, as Mirai's docs spell them.
    pub code_type: Option<String>,
    /// How it combines with other discounts.
    pub apply_as: Option<DiscountApplication>,
}

impl Discount {
    /// A discount with `code`; set the other public fields.
    pub fn new(code: impl Into<String>) -> Self {
        Discount {
            code: Some(code.into()),
            ..Discount::default()
        }
    }

    fn to_value(&self) -> Value {
        let mut map = Map::new();
        if let Some(code) = &self.code {
            map.insert("code".into(), code.clone().into());
        }
        if let Some(description) = &self.description {
            map.insert("description".into(), description.clone().into());
        }
        if let Some(value) = self.value {
            map.insert("value".into(), value.into());
        }
        if let Some(code_type) = &self.code_type {
            map.insert("codeType".into(), code_type.clone().into());
        }
        if let Some(apply_as) = self.apply_as {
            let text = match apply_as {
                DiscountApplication::Additional => "additional",
                DiscountApplication::Override => "override",
            };
            map.insert("applyAs".into(), text.into());
        }
        Value::Object(map)
    }
}

/// The answer to Initiate Call: the new call's id and status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Initiated {
    /// The call's id: keep it to abort the call and to match webhook events.
    pub call_id: CallId,
    /// The call's status, in practice `initiate` (queued).
    pub status: MiraiLegacyCallStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitiatedBody {
    call_id: CallId,
    status: Option<MiraiLegacyCallStatus>,
}

impl MiraiLegacyClient {
    /// Queues an outbound AI call: [Initiate Call](https://docs.miraiminds.co/api-reference/call/initiate-call),
    /// `POST /v2/call/initiate`.
    ///
    /// The request is checked first (see [`InitiateCall`]); nothing is sent when it is invalid. Mirai answers 200
    /// with a bare `{callId, status}`; scheduling and redial attempts then happen server-side, and outcomes arrive by
    /// webhook at the callback URL.
    ///
    /// **Never repeated once it may have reached Mirai**: the legacy API has no idempotency key, so a second request
    /// could dial the customer twice. Only a connection that could not be opened is retried. When an answer is lost
    /// (timeout, reset, a 5xx, an unreadable 200), the error has [`Error::is_outcome_unknown`] set: a call may have
    /// been queued, and only its webhook events can tell.
    ///
    /// ```no_run
    /// use mirai_calls::{MiraiLegacyClient, legacy::InitiateCall};
    ///
    /// # async fn run(client: MiraiLegacyClient) -> call_core::Result<()> {
    /// let call = client
    ///     .initiate_call(&InitiateCall::new("+919876543210", "6690a1b2c3d4e5f600000010"))
    ///     .await?;
    /// println!("queued {} ({})", call.call_id, call.status);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidInput`] before sending for an invalid request, and for Mirai's 400 (validation).
    /// - [`ErrorKind::NotFound`] for 404 (unknown assistant), [`ErrorKind::Rejected`] for 402 (not enough credit),
    ///   and the usual 401, 403 and 429 (nothing was queued).
    /// - With [`Error::is_outcome_unknown`]: [`ErrorKind::Timeout`], [`ErrorKind::Transport`] after sending,
    ///   [`ErrorKind::Upstream`] (5xx) and [`ErrorKind::Decode`] (a 200 without a call id).
    pub async fn initiate_call(&self, call: &InitiateCall) -> call_core::Result<Initiated> {
        call.validate()?;
        let request = Request::new(Method::POST, "initiate call")
            .segment("v2")
            .segment("call")
            .segment("initiate")
            .json_body(call.to_json()?)
            .idempotency(Idempotency::NotIdempotent);
        let response = match self.http.send(request).await {
            Ok(response) => response,
            Err(error) if error.is_outcome_unknown() => {
                return Err(error.with_detail(MAY_HAVE_QUEUED));
            }
            Err(error) => return Err(error),
        };
        if !response.is_success() {
            let error = error_from(&response);
            // A 5xx (or a gateway's 408) may come after Mirai queued the call.
            return Err(if response.status() >= 500 || response.status() == 408 {
                error.with_outcome_unknown().with_detail(MAY_HAVE_QUEUED)
            } else {
                error
            });
        }
        match serde_json::from_slice::<InitiatedBody>(response.body()) {
            Ok(body) => Ok(Initiated {
                call_id: body.call_id,
                status: body.status.unwrap_or(MiraiLegacyCallStatus::Initiate),
            }),
            Err(e) => Err(response
                .decode_error(
                    "the provider answered 200 without a call id; a call may have been queued",
                )
                .with_outcome_unknown()
                .with_source(e)),
        }
    }
}

/// Why an initiate error's outcome is unknown.
const MAY_HAVE_QUEUED: &str = "no clear answer: a call may have been queued; \
                               do not place it again before its webhook events say it was not";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_only_what_was_set() {
        let call = InitiateCall::new("+919876543210", "a_1");
        let body: Value = serde_json::from_slice(&call.to_json().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"phoneNumber": "+919876543210", "assistant": "a_1"})
        );
        let mut discount = Discount::new("SAVE10");
        discount.value = Some(10.0);
        discount.apply_as = Some(DiscountApplication::Override);
        let call = call.priority(true).discount(discount);
        let body: Value = serde_json::from_slice(&call.to_json().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({
                "phoneNumber": "+919876543210",
                "assistant": "a_1",
                "priority": true,
                "metadata": {"discount": {"code": "SAVE10", "value": 10.0, "applyAs": "override"}}
            })
        );
    }

    #[test]
    fn validates_before_sending() {
        for bad in [
            InitiateCall::new("9876543210", "a_1"),
            InitiateCall::new("+919876543210", " "),
            InitiateCall::new("+919876543210", "a_1").callback_url("http://example.com/hook"),
        ] {
            assert_eq!(bad.validate().unwrap_err().kind(), ErrorKind::InvalidInput);
        }
        assert!(
            InitiateCall::new("+919876543210", "a_1")
                .callback_url("http://127.0.0.1:3000/hook")
                .validate()
                .is_ok()
        );
    }
}
