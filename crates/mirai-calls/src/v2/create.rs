//! Create Call (new API): `POST /v2/calls`, with an idempotency key.

use call_core::provider_kit::ErrorExt;
use std::collections::BTreeMap;

use call_core::provider_kit::{Attempt, Decision, Happened, Idempotency, Request};
use call_core::{CallId, Error, ErrorKind, Timestamp};
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error_body::{self, error_from, is_final_answer};
use super::status::MiraiV2CallStatus;
use crate::MiraiV2Client;
use crate::phone::{Redacted, check_e164};
use crate::webhook_url::check_webhook_url;

/// The header that makes a create safe to repeat.
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The longest `Idempotency-Key` Mirai keeps.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// How a call reaches the person: the request's `channel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Channel {
    /// A phone call to `to` (`phone`, the default).
    Phone,
    /// A browser call: the answer carries a `ws_url` for the page to connect audio (`web`).
    Web,
}

/// The timers of a call's ending (`timing`): a wrap-up instruction, a closing line, and a close on user silence.
///
/// Ranges are checked before sending: `wrap_up_secs_before_end` 10 to `max_duration_secs − 10`,
/// `close_secs_before_end` 5 to `max_duration_secs − 10` and below the wrap-up, `user_silence_close_secs` 15 to
/// 600, and the texts' lengths. (The bounds that depend on the call's maximum duration are checked only when
/// [`CreateCall::max_duration_secs`] is set: otherwise the agent's own maximum applies, which we cannot see.)
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Timing {
    /// Seconds before the end at which the agent gets the wrap-up instruction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrap_up_secs_before_end: Option<u32>,
    /// The wrap-up instruction (up to 1,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrap_up_instruction: Option<String>,
    /// Seconds before the end at which the agent says the closing line and hangs up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_secs_before_end: Option<u32>,
    /// The closing line (up to 500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_message: Option<String>,
    /// Seconds of user silence after which the call is closed (15 to 600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_silence_close_secs: Option<u32>,
    /// What the agent says before closing on silence (up to 500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_silence_message: Option<String>,
}

impl Timing {
    /// No timers; set the public fields.
    pub fn new() -> Self {
        Timing::default()
    }

    fn validate(&self, max_duration: Option<u32>) -> call_core::Result<()> {
        let upper = max_duration.map(|max| max.saturating_sub(10));
        if let Some(wrap_up) = self.wrap_up_secs_before_end
            && (wrap_up < 10 || upper.is_some_and(|upper| wrap_up > upper))
        {
            return Err(invalid(
                "timing.wrap_up_secs_before_end must be 10 to max_duration_secs - 10",
            ));
        }
        if let Some(close) = self.close_secs_before_end {
            if close < 5 || upper.is_some_and(|upper| close > upper) {
                return Err(invalid(
                    "timing.close_secs_before_end must be 5 to max_duration_secs - 10",
                ));
            }
            if self
                .wrap_up_secs_before_end
                .is_some_and(|wrap_up| close >= wrap_up)
            {
                return Err(invalid(
                    "timing.close_secs_before_end must be below wrap_up_secs_before_end",
                ));
            }
        }
        if self
            .user_silence_close_secs
            .is_some_and(|secs| !(15..=600).contains(&secs))
        {
            return Err(invalid("timing.user_silence_close_secs must be 15 to 600"));
        }
        check_len(
            "timing.wrap_up_instruction",
            self.wrap_up_instruction.as_deref(),
            1000,
        )?;
        check_len("timing.close_message", self.close_message.as_deref(), 500)?;
        check_len(
            "timing.user_silence_message",
            self.user_silence_message.as_deref(),
            500,
        )
    }
}

/// A call to create with [`MiraiV2Client::create_call`]: the body of `POST /v2/calls` and its `Idempotency-Key`.
///
/// **One value is one logical call.** Each new `CreateCall` gets a fresh idempotency key (128 random bits, hex);
/// sending the same value again (or a clone of it) reuses that key, so Mirai replays the first answer and never
/// places a second call. To survive a restart, derive the key from your own data with
/// [`idempotency_key`](Self::idempotency_key) (`order-8842-confirm-1`): Mirai keeps keys for 24 hours, scoped to
/// the workspace, and compares no bodies, so a key must never be reused for another call.
///
/// Everything is checked by `create_call` before a request is sent, with the limits Mirai documents: `to` E.164
/// (phone calls only), up to 32 `variables` of up to 512 characters, up to 16 `metadata` keys (1 to 40 characters of
/// letters, digits, `_ . : -`, not starting with `.`, `:` or `-`; string values up to 256 characters; 4 KB in all),
/// `first_message` up to 500 characters, `webhook_url` `https` (or `http` to a loopback host, for local sandboxes)
/// and up to 2,048 characters, `max_duration_secs` 30 to 1,800, and the [`Timing`] ranges.
///
/// ```
/// use mirai_calls::v2::CreateCall;
///
/// let call = CreateCall::phone("agt_01K7Q9", "+919876543210")
///     .variable("customer_name", "Asha")
///     .metadata("order_id", "8842")
///     .webhook_url("https://example.com/hooks/mirai")
///     .max_duration_secs(600)
///     .idempotency_key("order-8842-confirm-1");
/// assert_eq!(call.key(), "order-8842-confirm-1");
/// ```
#[derive(Clone, PartialEq)]
#[must_use]
pub struct CreateCall {
    agent_id: String,
    channel: Channel,
    to: Option<String>,
    variables: BTreeMap<String, String>,
    metadata: Map<String, Value>,
    first_message: Option<String>,
    webhook_url: Option<String>,
    max_duration_secs: Option<u32>,
    timing: Option<Timing>,
    recording_enabled: Option<bool>,
    final_results: Option<bool>,
    tier: Option<String>,
    idempotency_key: String,
}

impl std::fmt::Debug for CreateCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The destination is personal data: only its last two digits are shown.
        f.debug_struct("CreateCall")
            .field("agent_id", &self.agent_id)
            .field("channel", &self.channel)
            .field("to", &self.to.as_deref().map(Redacted))
            .field("variables", &self.variables.keys().collect::<Vec<_>>())
            .field("metadata", &self.metadata.keys().collect::<Vec<_>>())
            .field("webhook_url", &self.webhook_url.is_some())
            .field("max_duration_secs", &self.max_duration_secs)
            .field("idempotency_key", &self.idempotency_key)
            .finish_non_exhaustive()
    }
}

/// The wire shape of [`CreateCall`].
#[derive(Serialize)]
struct CreateBody<'a> {
    agent_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    variables: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    metadata: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_duration_secs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing: Option<&'a Timing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recording_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_results: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<&'a str>,
}

impl CreateCall {
    /// A phone call by agent `agent_id` to `to` (E.164), with a fresh idempotency key.
    pub fn phone(agent_id: impl Into<String>, to: impl Into<String>) -> Self {
        CreateCall::new(agent_id.into(), Channel::Phone, Some(to.into()))
    }

    /// A browser call by agent `agent_id` (`channel: "web"`, no `to`), with a fresh idempotency key.
    pub fn web(agent_id: impl Into<String>) -> Self {
        CreateCall::new(agent_id.into(), Channel::Web, None)
    }

    fn new(agent_id: String, channel: Channel, to: Option<String>) -> Self {
        CreateCall {
            agent_id,
            channel,
            to,
            variables: BTreeMap::new(),
            metadata: Map::new(),
            first_message: None,
            webhook_url: None,
            max_duration_secs: None,
            timing: None,
            recording_enabled: None,
            final_results: None,
            tier: None,
            idempotency_key: generate_key(),
        }
    }

    /// Sets one variable: fills `{{name}}` placeholders in the agent's prompts for this call (none by default).
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }

    /// Sets one metadata entry: never shown to the agent, echoed on the call and every webhook event (none by
    /// default).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The agent's first words, for this call only (default: the agent's own).
    pub fn first_message(mut self, message: impl Into<String>) -> Self {
        self.first_message = Some(message.into());
        self
    }

    /// Where this call's events go (default: the workspace's webhook).
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// The longest the call may last, 30 to 1,800 seconds (default: the agent's, else 300).
    pub fn max_duration_secs(mut self, secs: u32) -> Self {
        self.max_duration_secs = Some(secs);
        self
    }

    /// The ending timers (none by default).
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing = Some(timing);
        self
    }

    /// Whether to record (default `true`, or `false` on a workspace with recording off, where `true` is a 403).
    pub fn recording_enabled(mut self, enabled: bool) -> Self {
        self.recording_enabled = Some(enabled);
        self
    }

    /// Whether to send one `call.processed` event with the finished transcript (default `false`).
    pub fn final_results(mut self, enabled: bool) -> Self {
        self.final_results = Some(enabled);
        self
    }

    /// The rate card (`t1`, `t3`, `t5`; default: the key's tier).
    pub fn tier(mut self, tier: impl Into<String>) -> Self {
        self.tier = Some(tier.into());
        self
    }

    /// Replaces the generated idempotency key with your own (up to 255 visible ASCII characters), derived from
    /// the thing the call is for.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = key.into();
        self
    }

    /// The idempotency key this call is sent with: store it to send the same call again after a crash.
    pub fn key(&self) -> &str {
        &self.idempotency_key
    }

    /// The agent.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The channel.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    fn validate(&self) -> call_core::Result<()> {
        if self.agent_id.trim().is_empty() {
            return Err(invalid("agent_id is empty"));
        }
        match (self.channel, &self.to) {
            (Channel::Phone, Some(to)) => check_e164(to)?,
            (Channel::Phone, None) => return Err(invalid("a phone call needs `to`")),
            (Channel::Web, Some(_)) => return Err(invalid("a web call takes no `to`")),
            (Channel::Web, None) => {}
        }
        if self.variables.len() > 32 {
            return Err(invalid("variables: at most 32 keys"));
        }
        if self.variables.values().any(|v| v.chars().count() > 512) {
            return Err(invalid("variables: a value is longer than 512 characters"));
        }
        check_metadata(&self.metadata)?;
        check_len("first_message", self.first_message.as_deref(), 500)?;
        if let Some(url) = &self.webhook_url {
            check_webhook_url("webhook_url", url, 2048)?;
        }
        if self
            .max_duration_secs
            .is_some_and(|secs| !(30..=1800).contains(&secs))
        {
            return Err(invalid("max_duration_secs must be 30 to 1800"));
        }
        if let Some(timing) = &self.timing {
            timing.validate(self.max_duration_secs)?;
        }
        if self
            .tier
            .as_deref()
            .is_some_and(|tier| tier.trim().is_empty())
        {
            return Err(invalid("tier is empty"));
        }
        let key = &self.idempotency_key;
        if key.is_empty()
            || key.len() > MAX_IDEMPOTENCY_KEY_LEN
            || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(invalid(
                "the idempotency key must be 1 to 255 visible ASCII characters",
            ));
        }
        Ok(())
    }

    fn to_json(&self) -> call_core::Result<Vec<u8>> {
        serde_json::to_vec(&CreateBody {
            agent_id: &self.agent_id,
            channel: match self.channel {
                // `phone` is the default; sending it would change nothing, so the body stays minimal.
                Channel::Phone => None,
                Channel::Web => Some("web"),
            },
            to: self.to.as_deref(),
            variables: &self.variables,
            metadata: &self.metadata,
            first_message: self.first_message.as_deref(),
            webhook_url: self.webhook_url.as_deref(),
            max_duration_secs: self.max_duration_secs,
            timing: self.timing.as_ref(),
            recording_enabled: self.recording_enabled,
            final_results: self.final_results,
            tier: self.tier.as_deref(),
        })
        .map_err(|e| invalid("could not encode the request").with_source(e))
    }
}

/// 128 random bits as 32 lowercase hex digits.
fn generate_key() -> String {
    format!("{:032x}", fastrand::u128(..))
}

fn invalid(what: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidInput, what)
}

fn check_len(field: &str, value: Option<&str>, max: usize) -> call_core::Result<()> {
    match value {
        Some(text) if text.chars().count() > max => {
            Err(invalid(format!("{field} is longer than {max} characters")))
        }
        _ => Ok(()),
    }
}

/// Mirai's metadata rules: at most 16 keys of 1 to 40 characters (letters, digits, `_ . : -`, starting with a
/// letter, digit or `_`), string values of at most 256 characters, at most 4 KB serialized.
fn check_metadata(metadata: &Map<String, Value>) -> call_core::Result<()> {
    if metadata.len() > 16 {
        return Err(invalid("metadata: at most 16 keys"));
    }
    for (key, value) in metadata {
        let valid_key = (1..=40).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
            && key
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_key {
            return Err(invalid(
                "metadata: keys are 1 to 40 letters, digits, `_ . : -`, starting with a letter, digit or `_`",
            ));
        }
        if value.as_str().is_some_and(|s| s.chars().count() > 256) {
            return Err(invalid(
                "metadata: a string value is longer than 256 characters",
            ));
        }
    }
    let size = serde_json::to_vec(metadata)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > 4096 {
        return Err(invalid("metadata: more than 4 KB once serialized"));
    }
    Ok(())
}

/// The answer to Create Call (202 Accepted): the call is admitted to the queue; the phone has not rung yet.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Created {
    /// The call's id (`call_...`). Store it before anything else: its events may arrive at once.
    pub id: CallId,
    /// The status, `queued`.
    pub status: MiraiV2CallStatus,
    /// The idempotency key it was created with.
    pub idempotency_key: String,
    /// Browser calls: `"web"`.
    pub transport: Option<String>,
    /// Browser calls: the audio socket's URL (single use; connect within 5 minutes). A replay of the create
    /// carries it only while it is unused.
    pub ws_url: Option<String>,
    /// Browser calls: when `ws_url` expires.
    pub ws_url_expires_at: Option<Timestamp>,
    /// Browser calls: the server-sent events URL (reusable during the call and for an hour after).
    pub events_url: Option<String>,
    /// How many requests it took (retries and waits after `duplicate_call` included).
    pub attempts: u32,
}

#[derive(Deserialize)]
struct CreatedBody {
    id: CallId,
    status: MiraiV2CallStatus,
    #[serde(default)]
    transport: Option<String>,
    #[serde(default)]
    ws_url: Option<String>,
    #[serde(default)]
    ws_url_expires_at: Option<Timestamp>,
    #[serde(default)]
    events_url: Option<String>,
}

impl MiraiV2Client {
    /// Creates a call: [Create Call](https://docs.miraiminds.co/v2/calls), `POST /v2/calls` with an
    /// `Idempotency-Key` header.
    ///
    /// The request is checked first (see [`CreateCall`]); nothing is sent when it is invalid. Thanks to the key,
    /// repeating the request is safe: it is retried, with the **same** key, on connection failures, timeouts, 429
    /// (`rate_limited`, `at_capacity`, `concurrency_limit`, honouring `Retry-After`) and 500/502/503/504. A 409
    /// `duplicate_call` means the first request with this key is still being processed: we wait (the answer's
    /// `Retry-After`, else the retry config's backoff, at least its initial backoff) and ask again, up to the retry
    /// config's `max_attempts` times, to receive the original 202.
    ///
    /// When every attempt failed without an answer, the call may or may not exist; sending the same `CreateCall`
    /// again (within 24 hours) is safe and gives the truth.
    ///
    /// ```no_run
    /// use mirai_calls::{MiraiV2Client, v2::CreateCall};
    ///
    /// # async fn run(client: MiraiV2Client) -> call_core::Result<()> {
    /// let created = client
    ///     .create_call(&CreateCall::phone("agt_01K7Q9", "+919876543210").idempotency_key("order-8842-confirm-1"))
    ///     .await?;
    /// println!("{} is {}", created.id, created.status);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidInput`] before sending, and for 400 (`invalid_request`, `invalid_flow`).
    /// - [`ErrorKind::Rejected`] for 402 `insufficient_balance` (nothing charged; top up, then send the same
    ///   `CreateCall`) and 501 `tier_unavailable`; [`ErrorKind::Forbidden`] for 403 (`recording_disabled`,
    ///   `contract_unavailable`); [`ErrorKind::NotFound`] for an unknown agent.
    /// - [`ErrorKind::Conflict`] for 409 (`flow_agent_voice_only`, `flow_first_message_unsupported`, and
    ///   `duplicate_call` still unresolved after the waits).
    /// - [`ErrorKind::RateLimited`] once retries are spent, with [`Error::retry_after`]; and the usual 401, 5xx,
    ///   timeout and transport errors. [`Error::provider_code`] has Mirai's `error.code`.
    pub async fn create_call(&self, call: &CreateCall) -> call_core::Result<Created> {
        call.validate()?;
        let key = HeaderValue::from_str(&call.idempotency_key)
            .map_err(|_| invalid("the idempotency key is not header-safe"))?;
        let request = Request::new(Method::POST, "create call")
            .segment("v2")
            .segment("calls")
            .header(IDEMPOTENCY_KEY, key)
            .json_body(call.to_json()?)
            // The key makes a repeat harmless: Mirai replays the first answer and places no second call.
            .idempotency(Idempotency::Idempotent)
            .final_when(is_final_answer);
        let policy = self.http.resend_policy();
        let mut attempts = 0;
        let mut waits = 0;
        loop {
            let response = match self.http.send(request.clone()).await {
                Ok(response) => response,
                Err(error) => return Err(with_more_attempts(error, attempts)),
            };
            attempts += response.attempts();
            if response.is_success() {
                let body: CreatedBody = response.json()?;
                return Ok(Created {
                    id: body.id,
                    status: body.status,
                    idempotency_key: call.idempotency_key.clone(),
                    transport: body.transport,
                    ws_url: body.ws_url,
                    ws_url_expires_at: body.ws_url_expires_at,
                    events_url: body.events_url,
                    attempts,
                });
            }
            let duplicate = response.status() == 409
                && error_body::read(response.body()).code.as_deref() == Some("duplicate_call");
            let error = error_from(&response).with_attempts(attempts);
            if !duplicate {
                return Err(error);
            }
            waits += 1;
            // Each wait is capped at one operation timeout, as each of the sends is.
            let still_processing = Attempt::new(waits, Happened::StillProcessing)
                .retry_after(response.retry_after())
                .deadline(policy.now() + policy.retry_config().operation_timeout());
            let Decision::Resend { after, .. } = policy.decide(&still_processing) else {
                // Still processing after every wait: asking again later with the same call is right.
                return Err(error.with_retryable(true));
            };
            policy.sleep(after).await;
        }
    }
}

fn with_more_attempts(error: Error, earlier: u32) -> Error {
    let attempts = error.attempts() + earlier;
    error.with_attempts(attempts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(call: &CreateCall) -> Value {
        serde_json::from_slice(&call.to_json().unwrap()).unwrap()
    }

    #[test]
    fn encodes_only_what_was_set() {
        let call = CreateCall::phone("agt_1", "+919876543210");
        assert_eq!(
            body(&call),
            json!({"agent_id": "agt_1", "to": "+919876543210"})
        );
        let mut timing = Timing::new();
        timing.user_silence_close_secs = Some(30);
        let call = CreateCall::web("agt_1")
            .variable("name", "Asha")
            .metadata("order", "8842")
            .first_message("Hi")
            .webhook_url("https://example.com/h")
            .max_duration_secs(600)
            .timing(timing)
            .recording_enabled(false)
            .final_results(true)
            .tier("t1");
        assert_eq!(
            body(&call),
            json!({
                "agent_id": "agt_1", "channel": "web", "variables": {"name": "Asha"}, "metadata": {"order": "8842"},
                "first_message": "Hi", "webhook_url": "https://example.com/h", "max_duration_secs": 600,
                "timing": {"user_silence_close_secs": 30}, "recording_enabled": false, "final_results": true,
                "tier": "t1"
            })
        );
    }

    #[test]
    fn keys_are_fresh_per_call_and_kept_by_clones() {
        let a = CreateCall::phone("agt_1", "+919876543210");
        let b = CreateCall::phone("agt_1", "+919876543210");
        assert_ne!(a.key(), b.key());
        assert_eq!(a.key().len(), 32);
        assert!(a.key().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a.clone().key(), a.key());
    }

    #[test]
    fn validates_every_documented_limit() {
        let ok = || CreateCall::phone("agt_1", "+919876543210");
        assert!(ok().validate().is_ok());
        let mut many_vars = ok();
        for i in 0..33 {
            many_vars = many_vars.variable(format!("v{i}"), "x");
        }
        let mut many_meta = ok();
        for i in 0..17 {
            many_meta = many_meta.metadata(format!("m{i}"), "x");
        }
        let mut big_meta = ok();
        for i in 0..16 {
            big_meta = big_meta.metadata(format!("m{i}"), "x".repeat(256));
        }
        let mut bad_timing = Timing::new();
        bad_timing.wrap_up_secs_before_end = Some(30);
        bad_timing.close_secs_before_end = Some(30);
        let mut timing_past_max = Timing::new();
        timing_past_max.wrap_up_secs_before_end = Some(100);
        let bad = [
            CreateCall::phone(" ", "+919876543210"),
            CreateCall::phone("agt_1", "919876543210"),
            CreateCall::phone("agt_1", "+0123456789"),
            many_vars,
            ok().variable("v", "x".repeat(513)),
            many_meta,
            big_meta,
            ok().metadata("", "x"),
            ok().metadata("-lead", "x"),
            ok().metadata("has space", "x"),
            ok().metadata("k".repeat(41), "x"),
            ok().metadata("k", "x".repeat(257)),
            ok().first_message("x".repeat(501)),
            ok().webhook_url("http://example.com/h"),
            ok().max_duration_secs(29),
            ok().max_duration_secs(1801),
            ok().timing(bad_timing),
            ok().max_duration_secs(100).timing(timing_past_max),
            ok().tier(""),
            ok().idempotency_key(""),
            ok().idempotency_key("k".repeat(256)),
            ok().idempotency_key("has space"),
        ];
        for call in bad {
            assert_eq!(
                call.validate().unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "{call:?}"
            );
        }
        assert!(
            ok().metadata("_a.b:c-d", 1)
                .metadata("n", true)
                .validate()
                .is_ok()
        );
        assert!(
            ok().webhook_url("http://localhost:3000/h")
                .validate()
                .is_ok()
        );
        assert!(ok().max_duration_secs(30).validate().is_ok());
        assert!(ok().max_duration_secs(1800).validate().is_ok());
    }
}
