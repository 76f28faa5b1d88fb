//! Create Outbound Call: place calls from an agent's phone number.

use call_core::provider_kit::ErrorExt;
use std::fmt;

use call_core::provider_kit::Request;
use call_core::{CallId, Error, ErrorKind, PhoneNumber, Provider};
use reqwest::Method;
use serde_json::{Map, Value};

use crate::CartesiaClient;
use crate::error_body::error_from;
use crate::json::{OutboundItemBody, OutboundRequestBody, OutboundResponseBody};
use crate::send_once::json_once;

/// What the caller must do when placing calls may have worked: said in every "outcome unknown" error.
const CHECK_BEFORE_RETRYING: &str =
    "calls may have been placed: list the agent's calls (list_calls) before trying again";

/// A Create Outbound Call request: the agent, the number to call from, and one or more destinations.
///
/// Setters never fail; [`CartesiaClient::create_outbound_calls`] checks everything before sending.
///
/// ```
/// use cartesia_calls::CreateOutboundCalls;
///
/// let mut metadata = serde_json::Map::new();
/// metadata.insert("customer_id".into(), "cus_42".into());
/// let request = CreateOutboundCalls::new("agent_abc123", "ap_Q8PRh7lXyZsawXJmN2KcT5")
///     .to("+14155559876")
///     .to_with_metadata("+442071838750", metadata)
///     .ringing_timeout_seconds(30);
/// assert_eq!(request.destinations().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct CreateOutboundCalls {
    agent_id: String,
    from_number_id: String,
    destinations: Vec<Destination>,
    ringing_timeout_seconds: Option<u32>,
    max_call_duration_minutes: Option<u32>,
}

/// One number to call, with the metadata its call gets (`call_request.metadata` in the agent's code): a destination
/// of [`CreateOutboundCalls`] or a recipient of [`CreateBatch`](crate::CreateBatch).
///
/// `Debug` shows only the number's last two digits (phone numbers are personal data) and the metadata's size.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Destination {
    /// The number, E.164 (`+14155559876`).
    pub to_number: String,
    /// Metadata for this call.
    pub metadata: Option<Map<String, Value>>,
}

impl fmt::Debug for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Destination")
            .field("to_number", &Masked(&self.to_number))
            .field("metadata", &self.metadata.as_ref().map(Map::len))
            .finish()
    }
}

/// A phone number in `Debug`: its last two characters only, as call-core's `PhoneNumber` shows it.
pub(crate) struct Masked<'a>(pub(crate) &'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.chars().count();
        let tail: String = self.0.chars().skip(count.saturating_sub(2)).collect();
        write!(f, "\"…{tail}\"")
    }
}

impl Destination {
    /// A destination: the number, and metadata for its call if any.
    pub(crate) fn new(to_number: impl Into<String>, metadata: Option<Map<String, Value>>) -> Self {
        Destination {
            to_number: to_number.into(),
            metadata,
        }
    }

    pub(crate) fn to_body(&self) -> OutboundItemBody<'_> {
        OutboundItemBody {
            to_number: &self.to_number,
            metadata: self.metadata.as_ref(),
        }
    }
}

/// Checks every number as E.164 with call-core's check, so every provider agrees; the error names the `what` by its
/// position, never the number (phone numbers are personal data).
pub(crate) fn check_numbers(
    destinations: &[Destination],
    what: &str,
    operation: &'static str,
) -> call_core::Result<()> {
    for (n, destination) in destinations.iter().enumerate() {
        if let Err(source) = PhoneNumber::new(destination.to_number.as_str()) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{what} {n} is not an E.164 number (`+` then 8 to 15 digits, the first not zero)"),
            )
            .with_provider(Provider::Cartesia)
            .with_operation(operation)
            .with_source(source));
        }
    }
    Ok(())
}

impl CreateOutboundCalls {
    /// Calls placed by `agent_id` from the phone number `from_number_id` (an id such as `ap_...`, not a number).
    pub fn new(agent_id: impl Into<String>, from_number_id: impl Into<String>) -> Self {
        CreateOutboundCalls {
            agent_id: agent_id.into(),
            from_number_id: from_number_id.into(),
            destinations: Vec::new(),
            ringing_timeout_seconds: None,
            max_call_duration_minutes: None,
        }
    }

    /// Adds a destination: an E.164 number, `+` then 8 to 15 digits, the first not zero. Each destination is a
    /// separate call; at least one is required.
    pub fn to(mut self, to_number: impl Into<String>) -> Self {
        self.destinations.push(Destination::new(to_number, None));
        self
    }

    /// Adds a destination with metadata for its call.
    pub fn to_with_metadata(
        mut self,
        to_number: impl Into<String>,
        metadata: Map<String, Value>,
    ) -> Self {
        self.destinations
            .push(Destination::new(to_number, Some(metadata)));
        self
    }

    /// Seconds to wait for an answer, 5 to 80 (default: not sent, so Cartesia's 60 applies).
    pub fn ringing_timeout_seconds(mut self, seconds: u32) -> Self {
        self.ringing_timeout_seconds = Some(seconds);
        self
    }

    /// The longest a call may last, in minutes, at least 1 (default: not sent, so Cartesia's cap applies).
    pub fn max_call_duration_minutes(mut self, minutes: u32) -> Self {
        self.max_call_duration_minutes = Some(minutes);
        self
    }

    /// The destinations, in the order they are sent (and answered).
    pub fn destinations(&self) -> &[Destination] {
        &self.destinations
    }

    fn validate(&self) -> call_core::Result<()> {
        let invalid = |why: String| {
            Err(Error::new(ErrorKind::InvalidInput, why)
                .with_provider(Provider::Cartesia)
                .with_operation("create outbound calls"))
        };
        if self.agent_id.trim().is_empty() {
            return invalid("agent_id is required and must not be blank".into());
        }
        if self.from_number_id.trim().is_empty() {
            return invalid("from_number_id is required and must not be blank".into());
        }
        if self.destinations.is_empty() {
            return invalid("at least one destination is required".into());
        }
        check_numbers(&self.destinations, "destination", "create outbound calls")?;
        if let Some(seconds) = self.ringing_timeout_seconds
            && !(5..=80).contains(&seconds)
        {
            return invalid("ringing_timeout_seconds must be between 5 and 80".into());
        }
        if self.max_call_duration_minutes == Some(0) {
            return invalid("max_call_duration_minutes must be at least 1".into());
        }
        Ok(())
    }

    fn to_body(&self) -> OutboundRequestBody<'_> {
        OutboundRequestBody {
            agent_id: &self.agent_id,
            from_number_id: &self.from_number_id,
            outbound_calls: self.destinations.iter().map(Destination::to_body).collect(),
            ringing_timeout_seconds: self.ringing_timeout_seconds,
            max_call_duration_minutes: self.max_call_duration_minutes,
        }
    }
}

/// Cartesia's answer to [`CartesiaClient::create_outbound_calls`]: one result per destination.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OutboundCalls {
    /// One entry per destination, in the order sent (as documented).
    pub calls: Vec<OutboundCallResult>,
}

impl OutboundCalls {
    /// The ids of the calls that were placed.
    pub fn placed(&self) -> impl Iterator<Item = &CallId> {
        self.calls.iter().filter_map(|c| c.call_id.as_ref())
    }

    /// The entries that carry an error.
    pub fn failed(&self) -> impl Iterator<Item = &OutboundCallResult> {
        self.calls.iter().filter(|c| c.error.is_some())
    }
}

/// What became of one destination. Destinations succeed or fail one by one.
///
/// `Debug` shows only the number's last two digits: phone numbers are personal data.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct OutboundCallResult {
    /// The destination number, as Cartesia echoed it (empty if it did not).
    pub number: String,
    /// The call's id, for [Get Call](CartesiaClient::get_call) and [`terminate`](call_core::CallControl::terminate);
    /// absent when the request failed before Cartesia created the call.
    pub call_id: Option<CallId>,
    /// Why this destination failed, when it did.
    pub error: Option<DestinationError>,
}

impl fmt::Debug for OutboundCallResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundCallResult")
            .field("number", &Masked(&self.number))
            .field("call_id", &self.call_id)
            .field("error", &self.error)
            .finish()
    }
}

impl OutboundCallResult {
    /// Whether a call was created for this destination (it has an id and no error).
    pub fn is_placed(&self) -> bool {
        self.call_id.is_some() && self.error.is_none()
    }
}

/// A destination's `error`: an object whose fields Cartesia does not document. The usual fields are read out; the
/// whole object is kept.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DestinationError {
    /// The error's `message` (or `title`, `detail`, or the error itself when it is a string).
    pub message: Option<String>,
    /// The error's `error_code` (or `code`).
    pub code: Option<String>,
    /// The error as sent.
    pub raw: Value,
}

impl DestinationError {
    fn from_value(raw: Value) -> Self {
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| raw.get(*k).and_then(Value::as_str))
                .map(str::to_owned)
        };
        let message = match raw.as_str() {
            Some(message) => Some(message.to_owned()),
            None => text(&["message", "title", "detail"]),
        };
        let code = text(&["error_code", "code"]);
        DestinationError { message, code, raw }
    }
}

impl CartesiaClient {
    /// Places outbound calls: [Create Outbound
    /// Call](https://docs.cartesia.ai/api-reference/agents/calls/create-outbound-call), `POST /agents/calls`.
    ///
    /// Each destination becomes its own call and succeeds or fails on its own: check every entry of
    /// [`OutboundCalls::calls`] for an [`error`](OutboundCallResult::error). Cartesia dials from its numbers at about
    /// one call per second and queues faster requests.
    ///
    /// **Never retried once it may have been sent.** Cartesia has no idempotency key, so a repeat could dial
    /// someone twice: only a connection that could not be opened is retried. A timeout, a broken connection, a 5xx
    /// (or 408) answer, or a 200 that cannot be read is an error with
    /// [`Error::is_outcome_unknown`](call_core::Error::is_outcome_unknown) set and
    /// [`is_retryable`](call_core::Error::is_retryable) `false`: list the agent's calls
    /// ([`list_calls`](Self::list_calls)) before trying again.
    ///
    /// ```no_run
    /// use cartesia_calls::CreateOutboundCalls;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let request = CreateOutboundCalls::new("agent_abc123", "ap_Q8PRh7lXyZsawXJmN2KcT5").to("+14155559876");
    /// match client.create_outbound_calls(&request).await {
    ///     Ok(placed) => {
    ///         for call in &placed.calls {
    ///             println!("{}: {:?} {:?}", call.number, call.call_id, call.error);
    ///         }
    ///     }
    ///     Err(e) if e.is_outcome_unknown() => eprintln!("{e}: check list_calls before retrying"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidInput`] before sending: a blank `agent_id` or `from_number_id`, no destination, a number
    ///   that is not E.164, `ringing_timeout_seconds` outside 5 to 80, `max_call_duration_minutes` of 0.
    /// - [`ErrorKind::InvalidInput`] for 400 (invalid body, metadata or timeout; a number that cannot place outbound
    ///   calls), [`ErrorKind::Forbidden`] for 403 (the number belongs to another organization),
    ///   [`ErrorKind::NotFound`] for 404 (agent, phone number or deployment), [`ErrorKind::RateLimited`] for 429:
    ///   nothing was placed.
    /// - [`ErrorKind::Upstream`], [`ErrorKind::Timeout`], [`ErrorKind::Transport`] or [`ErrorKind::Decode`] with
    ///   the outcome unknown, as above.
    pub async fn create_outbound_calls(
        &self,
        request: &CreateOutboundCalls,
    ) -> call_core::Result<OutboundCalls> {
        request.validate()?;
        let body = serde_json::to_vec(&request.to_body()).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "the request could not be encoded")
                .with_provider(Provider::Cartesia)
                .with_operation("create outbound calls")
                .with_source(e)
        })?;
        let http_request = Request::new(Method::POST, "create outbound calls")
            .segment("agents")
            .segment("calls")
            .json_body(body);
        let response = self
            .send_once(http_request, CHECK_BEFORE_RETRYING, error_from)
            .await?;
        let body: OutboundResponseBody = json_once(&response, CHECK_BEFORE_RETRYING)?;
        Ok(OutboundCalls {
            calls: body
                .calls
                .into_iter()
                .map(|c| OutboundCallResult {
                    number: c.number.unwrap_or_default(),
                    call_id: c.agent_call_id,
                    error: c.error.map(DestinationError::from_value),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_is_checked() {
        let with = |number: &str| CreateOutboundCalls::new("agent_1", "ap_1").to(number);
        for good in [
            "+14155559876",
            "+12345678",
            "+123456789012345",
            "+442071838750",
        ] {
            assert!(with(good).validate().is_ok(), "{good}");
        }
        for bad in [
            "",
            "+",
            "14155559876",
            "+1234567",
            "+1234567890123456",
            "+04155559876",
            "+1 415 555 9876",
            "+1415555987a",
            "++14155559876",
            "+１４１５５５５９８７６",
        ] {
            let err = with(bad).validate().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
            if !bad.is_empty() && bad != "+" {
                assert!(
                    !err.to_string().contains(bad),
                    "the number is personal data"
                );
            }
        }
    }

    #[test]
    fn destination_errors_read_the_usual_fields() {
        let e = DestinationError::from_value(
            serde_json::json!({"message": "busy", "code": "dial_busy"}),
        );
        assert_eq!(e.message.as_deref(), Some("busy"));
        assert_eq!(e.code.as_deref(), Some("dial_busy"));
        let e = DestinationError::from_value(serde_json::json!("carrier refused"));
        assert_eq!(e.message.as_deref(), Some("carrier refused"));
        let e = DestinationError::from_value(serde_json::json!({"n": 1}));
        assert_eq!(e.message, None);
    }

    #[test]
    fn debug_masks_phone_numbers() {
        let request = CreateOutboundCalls::new("agent_1", "ap_1").to("+14155559876");
        let text = format!("{request:?}");
        assert!(!text.contains("4155559876"), "{text}");
        assert!(text.contains("…76"), "{text}");
    }
}
