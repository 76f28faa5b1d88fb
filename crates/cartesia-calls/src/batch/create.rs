//! Create Call Batch: queue many outbound calls, dialled by Cartesia at a bounded concurrency.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::Request;
use call_core::{Error, ErrorKind, Provider, Timestamp};
use reqwest::Method;
use serde_json::{Map, Value};

use crate::create::check_numbers;
use crate::error_body::error_from;
use crate::json::CreateBatchBody;
use crate::send_once::json_once;
use crate::{Batch, CartesiaClient, Destination, Region, path};

/// The most recipients a batch takes: 5,000.
///
/// Cartesia's docs disagree: the Create Call Batch page says 1,000, the newer batch-calling guide and the schema
/// (`maxItems: 5000`) say 5,000. This crate accepts up to 5,000 and leaves a lower limit to Cartesia, whose 400 is an
/// [`ErrorKind::InvalidInput`] error.
pub const MAX_BATCH_RECIPIENTS: usize = 5_000;

/// How far ahead a batch may be scheduled: 30 days, as documented.
const MAX_SCHEDULE_AHEAD_MS: i64 = 30 * 24 * 60 * 60 * 1000;

const OPERATION: &str = "create call batch";

/// What the caller must do when creating a batch may have worked: said in every "outcome unknown" error.
const CHECK_BEFORE_RETRYING: &str = "a batch may have been created and may be dialling: list batches (list_batches) before trying again";

/// A Create Call Batch request: a name, the agent, the number to call from, the recipients, and how to dial them.
///
/// Setters never fail; [`CartesiaClient::create_batch`] checks everything before sending.
///
/// ```
/// use cartesia_calls::CreateBatch;
///
/// let request = CreateBatch::new("March outreach", "agent_abc123", "ap_Q8PRh7lXyZsawXJmN2KcT5")
///     .to("+14155559876")
///     .to("+442071838750")
///     .target_concurrency_limit(10)
///     .ringing_timeout_seconds(30);
/// assert_eq!(request.recipients().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct CreateBatch {
    name: String,
    agent_id: String,
    from_number_id: String,
    recipients: Vec<Destination>,
    target_concurrency_limit: Option<u32>,
    ringing_timeout_seconds: Option<u32>,
    max_call_duration_minutes: Option<u32>,
    scheduled_at: Option<Timestamp>,
    region: Option<Region>,
}

impl CreateBatch {
    /// A batch labelled `name`, whose calls `agent_id` handles, dialled from the phone number `from_number_id` (an id
    /// such as `ap_...`, not a number; its provider places the calls). All three are required and must not be blank.
    pub fn new(
        name: impl Into<String>,
        agent_id: impl Into<String>,
        from_number_id: impl Into<String>,
    ) -> Self {
        CreateBatch {
            name: name.into(),
            agent_id: agent_id.into(),
            from_number_id: from_number_id.into(),
            recipients: Vec::new(),
            target_concurrency_limit: None,
            ringing_timeout_seconds: None,
            max_call_duration_minutes: None,
            scheduled_at: None,
            region: None,
        }
    }

    /// Adds a recipient: an E.164 number, `+` then 8 to 15 digits, the first not zero. 1 to
    /// [`MAX_BATCH_RECIPIENTS`] are required.
    pub fn to(mut self, to_number: impl Into<String>) -> Self {
        self.recipients.push(Destination::new(to_number, None));
        self
    }

    /// Adds a recipient with metadata for its call (`call_request.metadata` in the agent's code).
    pub fn to_with_metadata(
        mut self,
        to_number: impl Into<String>,
        metadata: Map<String, Value>,
    ) -> Self {
        self.recipients
            .push(Destination::new(to_number, Some(metadata)));
        self
    }

    /// The most calls of this batch dialled at once, at least 1 and at most the organization's concurrency limit
    /// (default: not sent, so Cartesia uses half the organization's agent-call limit).
    pub fn target_concurrency_limit(mut self, limit: u32) -> Self {
        self.target_concurrency_limit = Some(limit);
        self
    }

    /// Seconds to wait for an answer, 5 to 80 (default: not sent, so Cartesia's 60 applies).
    pub fn ringing_timeout_seconds(mut self, seconds: u32) -> Self {
        self.ringing_timeout_seconds = Some(seconds);
        self
    }

    /// The longest a call may last, in minutes, 1 to 480 (default: not sent, so Cartesia's 480 applies).
    pub fn max_call_duration_minutes(mut self, minutes: u32) -> Self {
        self.max_call_duration_minutes = Some(minutes);
        self
    }

    /// When to start dialling: in the future and within 30 days (default: not sent, so dialling starts at once).
    ///
    /// A scheduled batch can be cancelled before it starts ([`CartesiaClient::cancel_batch`]), and then no one is
    /// ever dialled: the only documented way to withdraw calls before they are placed.
    pub fn scheduled_at(mut self, at: Timestamp) -> Self {
        self.scheduled_at = Some(at);
        self
    }

    /// The region that dials (default: not sent, so Cartesia derives it from the telephony account). Cartesia accepts
    /// it only for a SIP-trunk number and answers 400 for others.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// The batch's label.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The recipients, in the order they are sent.
    pub fn recipients(&self) -> &[Destination] {
        &self.recipients
    }

    /// Checks the request as of `now`; nothing is sent when this fails.
    fn validate(&self, now: Timestamp) -> call_core::Result<()> {
        let invalid = |why: &'static str| {
            Err(Error::new(ErrorKind::InvalidInput, why)
                .with_provider(Provider::Cartesia)
                .with_operation(OPERATION))
        };
        if self.name.trim().is_empty() {
            return invalid("name is required and must not be blank");
        }
        if self.agent_id.trim().is_empty() {
            return invalid("agent_id is required and must not be blank");
        }
        if self.from_number_id.trim().is_empty() {
            return invalid("from_number_id is required and must not be blank");
        }
        if self.recipients.is_empty() {
            return invalid("at least one recipient is required");
        }
        if self.recipients.len() > MAX_BATCH_RECIPIENTS {
            return invalid("a batch takes at most 5,000 recipients");
        }
        check_numbers(&self.recipients, "recipient", OPERATION)?;
        if self.target_concurrency_limit == Some(0) {
            return invalid("target_concurrency_limit must be at least 1");
        }
        if let Some(seconds) = self.ringing_timeout_seconds
            && !(5..=80).contains(&seconds)
        {
            return invalid("ringing_timeout_seconds must be between 5 and 80");
        }
        if let Some(minutes) = self.max_call_duration_minutes
            && !(1..=480).contains(&minutes)
        {
            return invalid("max_call_duration_minutes must be between 1 and 480");
        }
        if let Some(at) = self.scheduled_at {
            let ahead = at.as_unix_millis().saturating_sub(now.as_unix_millis());
            if ahead <= 0 {
                return invalid("scheduled_at must be in the future");
            }
            if ahead > MAX_SCHEDULE_AHEAD_MS {
                return invalid("scheduled_at must be within 30 days");
            }
        }
        Ok(())
    }

    fn to_body(&self) -> CreateBatchBody<'_> {
        CreateBatchBody {
            name: &self.name,
            agent_id: &self.agent_id,
            from_number_id: &self.from_number_id,
            recipients: self.recipients.iter().map(Destination::to_body).collect(),
            target_concurrency_limit: self.target_concurrency_limit,
            ringing_timeout_seconds: self.ringing_timeout_seconds,
            max_call_duration_minutes: self.max_call_duration_minutes,
            scheduled_at: self.scheduled_at,
            region: self.region.as_ref(),
        }
    }
}

impl CartesiaClient {
    /// Queues a batch of outbound calls: [Create Call
    /// Batch](https://docs.cartesia.ai/api-reference/agents/call-batches/create-call-batch),
    /// `POST /agents/calls/batches`.
    ///
    /// Cartesia dials the recipients gradually, within the organization's and the batch's concurrency limits, and
    /// answers 201 with the batch (without its recipients). Unlike single calls, queued recipients can be withdrawn:
    /// [`cancel_batch`](Self::cancel_batch) or [`stop_batch`](Self::stop_batch).
    ///
    /// **Never retried once it may have been sent.** Cartesia documents no idempotency key, so a repeat could queue
    /// the same recipients twice and dial them twice: only a connection that could not be opened is retried. A
    /// timeout, a broken connection, a 5xx (or 408) answer, or a 2xx that cannot be read is an error with
    /// [`Error::is_outcome_unknown`](call_core::Error::is_outcome_unknown) set and
    /// [`is_retryable`](call_core::Error::is_retryable) `false`: list the batches
    /// ([`list_batches`](Self::list_batches)) and look for this one before trying again.
    ///
    /// ```no_run
    /// use cartesia_calls::CreateBatch;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let request = CreateBatch::new("March outreach", "agent_abc123", "ap_Q8PRh7lXyZsawXJmN2KcT5")
    ///     .to("+14155559876")
    ///     .target_concurrency_limit(5);
    /// match client.create_batch(&request).await {
    ///     Ok(batch) => println!("{} is {}", batch.id, batch.status),
    ///     Err(e) if e.is_outcome_unknown() => eprintln!("{e}: check list_batches before retrying"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidInput`] before sending: a blank `name`, `agent_id` or `from_number_id`; no recipient or
    ///   more than [`MAX_BATCH_RECIPIENTS`]; a number that is not E.164; `target_concurrency_limit` of 0;
    ///   `ringing_timeout_seconds` outside 5 to 80; `max_call_duration_minutes` outside 1 to 480; `scheduled_at` not
    ///   in the future or more than 30 days ahead (by this machine's clock).
    /// - [`ErrorKind::InvalidInput`] for 400 (an invalid body or recipient, a concurrency limit over the
    ///   organization's, a number that cannot place outbound calls), [`ErrorKind::Rejected`] for 402 (the
    ///   organization's usage limit), [`ErrorKind::NotFound`] for 404 (agent or phone number),
    ///   [`ErrorKind::RateLimited`] for 429, and the usual 401 and 403: nothing was created.
    /// - [`ErrorKind::Upstream`], [`ErrorKind::Timeout`], [`ErrorKind::Transport`] or [`ErrorKind::Decode`] with
    ///   the outcome unknown, as above.
    pub async fn create_batch(&self, request: &CreateBatch) -> call_core::Result<Batch> {
        request.validate(Timestamp::now())?;
        let body = serde_json::to_vec(&request.to_body()).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "the request could not be encoded")
                .with_provider(Provider::Cartesia)
                .with_operation(OPERATION)
                .with_source(e)
        })?;
        let http_request = path::batches(Request::new(Method::POST, OPERATION)).json_body(body);
        let response = self
            .send_once(http_request, CHECK_BEFORE_RETRYING, error_from)
            .await?;
        json_once(&response, CHECK_BEFORE_RETRYING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: Timestamp, seconds: i64) -> Timestamp {
        Timestamp::from_unix_seconds(now.as_unix_seconds() + seconds).unwrap()
    }

    fn request() -> CreateBatch {
        CreateBatch::new("March", "agent_1", "ap_1").to("+14155559876")
    }

    #[test]
    fn validation_refuses_what_the_api_would() {
        let now = Timestamp::now();
        let day = 24 * 60 * 60;
        let mut full = CreateBatch::new("March", "agent_1", "ap_1");
        for _ in 0..MAX_BATCH_RECIPIENTS {
            full = full.to("+14155559876");
        }
        let ok = [
            request(),
            request()
                .target_concurrency_limit(1)
                .ringing_timeout_seconds(5)
                .max_call_duration_minutes(1),
            request()
                .ringing_timeout_seconds(80)
                .max_call_duration_minutes(480),
            request().scheduled_at(at(now, 60)),
            request().scheduled_at(at(now, 30 * day - 60)),
            full.clone(),
        ];
        for request in ok {
            assert!(request.validate(now).is_ok(), "{request:?}");
        }
        let bad = [
            CreateBatch::new("", "agent_1", "ap_1").to("+14155559876"),
            CreateBatch::new("March", " ", "ap_1").to("+14155559876"),
            CreateBatch::new("March", "agent_1", "").to("+14155559876"),
            CreateBatch::new("March", "agent_1", "ap_1"),
            full.to("+14155559876"),
            request().to("14155559876"),
            request().target_concurrency_limit(0),
            request().ringing_timeout_seconds(4),
            request().ringing_timeout_seconds(81),
            request().max_call_duration_minutes(0),
            request().max_call_duration_minutes(481),
            request().scheduled_at(now),
            request().scheduled_at(at(now, -60)),
            request().scheduled_at(at(now, 30 * day + 60)),
        ];
        for request in bad {
            let err = request.validate(now).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{:?}", request.name());
        }
    }

    #[test]
    fn debug_masks_phone_numbers_and_metadata() {
        let mut metadata = Map::new();
        metadata.insert("name".into(), "Ada".into());
        let request = request().to_with_metadata("+442071838750", metadata);
        let text = format!("{request:?}");
        assert!(!text.contains("4155559876"), "{text}");
        assert!(!text.contains("2071838750"), "{text}");
        assert!(!text.contains("Ada"), "{text}");
    }

    #[test]
    fn errors_name_the_recipient_never_the_number() {
        let err = request()
            .to("+0987654321")
            .validate(Timestamp::now())
            .unwrap_err();
        assert!(err.to_string().contains("recipient 1"), "{err}");
        assert!(!err.to_string().contains("987654321"), "{err}");
    }
}
