//! The one HTTP path every provider client uses: timeouts, retries, response classification.
//!
//! Provider crates describe a [`Request`], send it through their [`HttpClient`] and read the [`Response`]. Nothing
//! else in the workspace sends HTTP, so every client gets the same retry rules, caps and redaction.

mod backoff;
mod base_url;
mod request;
mod response;
mod retry;
mod retry_after;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT};
use tracing::Instrument;

pub use backoff::backoff_delay;
pub use base_url::BaseUrl;
pub use request::{DEFAULT_MAX_BODY_BYTES, Idempotency, Request};
pub use response::Response;
pub use retry::RetryConfig;
pub use retry_after::parse_retry_after;

use crate::error::ErrorExt;
use crate::resend::{Attempt, Decision, Happened, ResendPolicy};
use crate::{Error, ErrorKind, Provider, RateLimit};

/// How much of an error body we read: enough for any provider message, never a 64 MiB page whole.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// A provider's HTTP endpoint: a `reqwest::Client`, a checked base URL, the auth headers (marked sensitive) and the
/// [`ResendPolicy`] (retry settings, jitter RNG, clock). Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
    /// An end no request of this handle goes past (see [`HttpClient::with_deadline`]).
    deadline: Option<Instant>,
}

struct Inner {
    provider: Provider,
    client: reqwest::Client,
    base_url: BaseUrl,
    /// Our headers (auth, version, user agent), sent to the provider's base URL.
    headers: HeaderMap,
    /// `headers` and `Accept: application/json`: all a request without headers of its own sends, cloned once per
    /// attempt.
    headers_json: HeaderMap,
    /// What a provider-given URL gets of ours: the user agent only, never a key.
    external_headers: HeaderMap,
    /// `external_headers` and `Accept: application/json`.
    external_headers_json: HeaderMap,
    /// Every resend decision of this client, its one jitter RNG and its clock.
    policy: ResendPolicy,
    rate_limit: Arc<RateLimit>,
    /// The values of the sensitive headers (and the token after `Bearer `), to redact from bodies.
    secrets: Vec<Vec<u8>>,
}

/// What goes into an [`HttpClient`].
#[derive(Debug)]
pub struct HttpConfig {
    /// The provider, for errors and logs.
    pub provider: Provider,
    /// The checked base URL.
    pub base_url: BaseUrl,
    /// Headers sent on every request (auth, version); auth values must be marked sensitive.
    pub headers: HeaderMap,
    /// Retry and timeout settings (validated by [`HttpClient::new`]).
    pub retry: RetryConfig,
    /// The `User-Agent`, such as `cartesia-calls/0.1.0`.
    pub user_agent: String,
    /// The caller's `reqwest` settings (proxy, TLS roots, pool); `None` uses reqwest's defaults. Either way the
    /// client built follows no redirects.
    pub http_client: Option<ClientSettings>,
}

/// The caller's `reqwest` settings: a function that returns a `reqwest::ClientBuilder` (with a proxy, TLS roots,
/// pool sizes...). The client built from it never follows redirects, whatever the builder says: a redirect could
/// carry our keys to another host, and the other host's answer would be taken as the provider's. A built
/// `reqwest::Client` is not accepted, because its redirect policy can be neither checked nor changed.
///
/// ```
/// use call_core::provider_kit::ClientSettings;
///
/// let settings = ClientSettings::new(|| reqwest::Client::builder().pool_max_idle_per_host(64));
/// # let _ = settings;
/// ```
#[derive(Clone)]
pub struct ClientSettings(Arc<dyn Fn() -> reqwest::ClientBuilder + Send + Sync>);

impl ClientSettings {
    /// Settings from a function returning a fresh builder.
    pub fn new(make: impl Fn() -> reqwest::ClientBuilder + Send + Sync + 'static) -> Self {
        ClientSettings(Arc::new(make))
    }
}

impl fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSettings(..)")
    }
}

impl HttpClient {
    /// Builds the endpoint.
    ///
    /// The client follows no redirects, whatever [`ClientSettings`] say: a redirect could carry our auth headers to
    /// another host (reqwest strips `Authorization` on a cross-host redirect, but not custom key headers such as
    /// Mirai's `x-private-key`), and the other host's answer would be taken as the provider's.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an invalid retry config or user agent; [`ErrorKind::Transport`] when the TLS
    /// backend cannot be set up.
    pub fn new(config: HttpConfig) -> crate::Result<Self> {
        config.retry.validate()?;
        let mut headers = config.headers;
        let agent = HeaderValue::from_str(&config.user_agent).map_err(|_| {
            Error::new(
                ErrorKind::InvalidInput,
                "user agent has characters a header cannot carry",
            )
        })?;
        headers.insert(USER_AGENT, agent);
        let client = config
            .http_client
            .map_or_else(
                || reqwest::Client::builder().connect_timeout(config.retry.attempt_timeout()),
                |settings| (settings.0)(),
            )
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Transport, "could not set up the HTTP client").with_source(e)
            })?;
        let secrets = headers
            .values()
            .filter(|value| value.is_sensitive())
            .flat_map(|value| {
                let bytes = value.as_bytes();
                let token = bytes.strip_prefix(b"Bearer ").map(<[u8]>::to_vec);
                std::iter::once(bytes.to_vec()).chain(token)
            })
            .filter(|secret| secret.len() >= 4)
            .collect();
        let mut external_headers = HeaderMap::new();
        if let Some(agent) = headers.get(USER_AGENT) {
            external_headers.insert(USER_AGENT, agent.clone());
        }
        let with_json = |headers: &HeaderMap| {
            let mut headers = headers.clone();
            headers.append(ACCEPT, HeaderValue::from_static("application/json"));
            headers
        };
        let headers_json = with_json(&headers);
        let external_headers_json = with_json(&external_headers);
        Ok(HttpClient {
            inner: Arc::new(Inner {
                provider: config.provider,
                client,
                base_url: config.base_url,
                headers,
                headers_json,
                external_headers,
                external_headers_json,
                policy: ResendPolicy::new(&config.retry),
                rate_limit: Arc::new(RateLimit::new()),
                secrets,
            }),
            deadline: None,
        })
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.inner.provider
    }

    /// The base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base_url
    }

    /// The retry settings.
    pub fn retry_config(&self) -> &RetryConfig {
        self.inner.policy.retry_config()
    }

    /// The client's resend policy: every loop that may send a request again decides through it and sleeps through
    /// its clock ([`read_first`](crate::provider_kit::read_first), a provider's own waits).
    pub fn resend_policy(&self) -> &ResendPolicy {
        &self.inner.policy
    }

    /// This client (the same connection pool, rate-limit gate and settings) with one end for all its requests: each
    /// request still gets the operation timeout, but never past `deadline`, retries and waits included. An earlier
    /// deadline already set is kept.
    ///
    /// This is how one operation made of several requests (a `terminate`: a cancel, a read, a cancel again) is
    /// bounded by one deadline: it sends them all through a handle made once. A request whose deadline has passed
    /// before it is sent is not sent: it fails with [`ErrorKind::Timeout`], and
    /// [`Error::request_may_have_been_sent`] is false.
    #[must_use]
    pub fn with_deadline(&self, deadline: Instant) -> HttpClient {
        HttpClient {
            inner: Arc::clone(&self.inner),
            deadline: Some(self.deadline.map_or(deadline, |set| set.min(deadline))),
        }
    }

    /// The end set by [`HttpClient::with_deadline`], if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The client-wide rate-limit gate every request passes (see [`RateLimit`]).
    pub fn rate_limit(&self) -> &Arc<RateLimit> {
        &self.inner.rate_limit
    }

    /// The underlying `reqwest::Client` (shared connection pool).
    pub fn reqwest_client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// Sends `request` with retries, and reads the final answer's body.
    ///
    /// Returns `Ok` for any HTTP status once retries are done (the caller maps statuses to errors with
    /// [`Response::error`]); `Err` when no usable answer came: timeout, connection failure, a success body over the
    /// cap.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`], [`ErrorKind::Transport`] or [`ErrorKind::Decode`], with
    /// [`Error::request_may_have_been_sent`] set when the request may have reached the provider, and
    /// [`Error::is_outcome_unknown`] when it was not idempotent.
    pub async fn send(&self, request: Request) -> crate::Result<Response> {
        let max_body = request.max_body_bytes;
        let (answer, sent) = self
            .send_with_retries(&request, |mut response| async move {
                let status = response.status().as_u16();
                // Taken, not cloned: the body is read without them (its length comes from the body itself).
                let headers = std::mem::take(response.headers_mut());
                let success = (200..300).contains(&status);
                let body = read_body(
                    &mut response,
                    if success {
                        max_body
                    } else {
                        MAX_ERROR_BODY_BYTES
                    },
                    !success,
                )
                .await?;
                Ok(Answer {
                    status,
                    headers,
                    body: AnswerBody::Read(body),
                })
            })
            .await?;
        let body = match answer.body {
            AnswerBody::Read(body) => body,
            // `send`'s reader reads every body.
            AnswerBody::Unread(_) => Bytes::new(),
        };
        Ok(self.response(request, answer.status, answer.headers, body, &sent))
    }

    /// Sends `request` with retries and, on a 2xx answer, returns its body as a stream instead of reading it.
    ///
    /// Retries happen only before the body starts; a failure in the middle of the stream is the caller's
    /// [`StreamingResponse::chunk`] error. A non-2xx answer is read (capped) and returned as `Err(Response)` inside
    /// `Ok`, for the caller to map.
    ///
    /// # Errors
    ///
    /// As [`HttpClient::send`].
    pub async fn send_streaming(
        &self,
        request: Request,
    ) -> crate::Result<std::result::Result<StreamingResponse, Response>> {
        let (answer, sent) = self
            .send_with_retries(&request, |mut response| async move {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = if (200..300).contains(&status) {
                    AnswerBody::Unread(response)
                } else {
                    AnswerBody::Read(read_body(&mut response, MAX_ERROR_BODY_BYTES, true).await?)
                };
                Ok(Answer {
                    status,
                    headers,
                    body,
                })
            })
            .await?;
        Ok(match answer.body {
            AnswerBody::Unread(response) => Ok(StreamingResponse {
                status: answer.status,
                headers: answer.headers,
                response,
                idle_timeout: self.inner.policy.retry_config().attempt_timeout(),
                attempts: sent.attempts,
                provider: self.inner.provider,
                operation: request.operation,
                call_id: request.call_id,
            }),
            AnswerBody::Read(body) => {
                Err(self.response(request, answer.status, answer.headers, body, &sent))
            }
        })
    }

    /// The retry loop shared by [`send`](Self::send) and [`send_streaming`](Self::send_streaming): `read` turns the
    /// raw response into an [`Answer`] within the attempt's timeout. One span per request (provider, operation, call
    /// id); the client's [`ResendPolicy`] decides after each attempt, and traces it.
    async fn send_with_retries<F, Fut>(
        &self,
        request: &Request,
        read: F,
    ) -> crate::Result<(Answer, Sent)>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<Answer, AttemptError>>,
    {
        let span = tracing::info_span!(
            "call operation",
            provider = self.inner.provider.as_str(),
            operation = %request.operation,
            call_id = request.call_id.as_ref().map(crate::CallId::as_str),
        );
        self.attempts(request, read).instrument(span).await
    }

    async fn attempts<F, Fut>(&self, request: &Request, read: F) -> crate::Result<(Answer, Sent)>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<Answer, AttemptError>>,
    {
        let inner = &*self.inner;
        let policy = &inner.policy;
        let retry = policy.retry_config();
        // Every time here is the client's clock (`policy.now()`), so a test's clock drives deadlines and waits alike.
        // It is read once before each attempt (`now`) and, past the common path of one answered attempt, again after
        // it where a decision needs the time.
        let mut now = policy.now();
        let own = now + retry.operation_timeout();
        let deadline = self.deadline.map_or(own, |set| set.min(own));
        let url = match &request.external {
            Some(url) => url.clone(),
            None => inner.base_url.join(&request.path, &request.query),
        };
        let mut attempt: u32 = 0;
        // Whether an attempt before the current one may have been acted on by the provider.
        let mut acted = false;
        // The pause this request's own 429 put on the client's gate, which its resend wait has slept out: when it was
        // set (by tokio's clock, as the gate keeps time) and how long this request then slept.
        let mut own_pause: Option<(Instant, Duration)> = None;
        loop {
            attempt += 1;
            if now >= deadline {
                // No time is left (a deadline shared by several requests has passed): send nothing rather than an
                // attempt that cannot be waited for.
                let error = Error::new(
                    ErrorKind::Timeout,
                    "no time left before this operation's deadline",
                )
                .with_request_sent(false);
                return Err(failed(request, inner.provider, error, acted, attempt - 1));
            }
            let paused = self.gate_closed_for(own_pause);
            if !paused.is_zero() {
                if now + paused >= deadline {
                    // The provider asked this client to wait past this operation's deadline: say so now, unsent.
                    let error = Error::new(
                        ErrorKind::RateLimited,
                        "the provider asked this client to wait past this operation's deadline",
                    )
                    .with_retry_after(paused)
                    .with_request_sent(attempt > 1);
                    return Err(failed(request, inner.provider, error, acted, attempt - 1));
                }
                // Wait until the gate opens (another 429 may close it for longer meanwhile), never past the deadline.
                loop {
                    let paused = self.gate_closed_for(own_pause);
                    if paused.is_zero() || now >= deadline {
                        break;
                    }
                    policy.sleep(paused.min(deadline - now)).await;
                    now = policy.now();
                }
            }
            let attempt_timeout = retry
                .attempt_timeout()
                .min(deadline.saturating_duration_since(now));
            let mut outgoing = reqwest::Request::new(request.method.clone(), url.clone());
            *outgoing.headers_mut() = self.attempt_headers(request);
            if let Some(body) = &request.body {
                *outgoing.body_mut() = Some(body.clone().into());
            }
            // The request goes into reqwest's (boxed) future here, not into the attempt's: a future keeps what it
            // captures for all its life, and this one lives in the allocation of every `terminate`.
            let sending = inner.client.execute(outgoing);
            let result = match tokio::time::timeout(attempt_timeout, async {
                let response = sending.await.map_err(AttemptError::from_reqwest)?;
                read(response).await
            })
            .await
            {
                Ok(result) => result,
                Err(_) => Err(AttemptError::Timeout),
            };
            let latency = policy.now().saturating_duration_since(now);
            match result {
                Ok(answer) => {
                    let status = answer.status;
                    let retry_after = answer.retry_after();
                    let final_answer = !(200..300).contains(&status)
                        && request
                            .final_answer
                            .is_some_and(|is_final| is_final(status, answer.body_bytes()));
                    let decision = policy.decide(
                        &Attempt::new(
                            attempt,
                            Happened::Answered {
                                status,
                                final_answer,
                            },
                        )
                        .idempotency(request.idempotency)
                        .retry_after(retry_after)
                        .deadline(deadline)
                        .latency(latency),
                    );
                    if status == 429 {
                        // Every request of this client waits, not only this one: as long as this one will.
                        let pause = decision.resend_after().unwrap_or_else(|| {
                            retry_after.unwrap_or_else(|| policy.backoff(attempt))
                        });
                        inner.rate_limit.pause_for(pause);
                    }
                    if let Decision::Resend { after, .. } = decision {
                        acted |= !crate::error::is_refusal_status(status);
                        if status == 429 {
                            own_pause = Some((Instant::now(), after));
                        }
                        policy.sleep(after).await;
                        now = policy.now();
                        continue;
                    }
                    return Ok((
                        answer,
                        Sent {
                            attempts: attempt,
                            earlier_may_have_taken_effect: acted,
                        },
                    ));
                }
                Err(error) => {
                    let sent = error.may_have_been_sent();
                    let decision = policy.decide(
                        &Attempt::new(
                            attempt,
                            Happened::NoAnswer {
                                kind: error.describe(),
                                may_have_been_sent: sent,
                                retry_cannot_help: error.is_final(),
                            },
                        )
                        .idempotency(request.idempotency)
                        .deadline(deadline)
                        .latency(latency),
                    );
                    if let Decision::Resend { after, .. } = decision {
                        acted |= sent;
                        policy.sleep(after).await;
                        now = policy.now();
                        continue;
                    }
                    let deadline_hit = policy.now() >= deadline;
                    let mut error = failed(
                        request,
                        inner.provider,
                        error.into_error(deadline_hit),
                        acted,
                        attempt,
                    );
                    if sent && request.idempotency == Idempotency::NotIdempotent {
                        error = error.with_outcome_unknown();
                    }
                    return Err(error);
                }
            }
        }
    }

    /// How long the client's rate-limit gate stays closed for this request: all of it, except the part of its own
    /// 429's pause that its resend wait has already slept through. With tokio's clock that part is already over; with
    /// a test's clock, whose sleeps take no real time, it is not, and waiting for it again would wait twice.
    fn gate_closed_for(&self, own_pause: Option<(Instant, Duration)>) -> Duration {
        // Read before the gate, so the gate's own clock read comes later and nothing of this request's is left over.
        let slept_out = own_pause.map_or(Duration::ZERO, |(set, slept)| {
            slept.saturating_sub(set.elapsed())
        });
        self.inner.rate_limit.remaining().saturating_sub(slept_out)
    }

    /// The headers of one attempt of `request`: ours (for a provider-given URL, only the user agent), the request's
    /// own, which replace ours of the same name, and `Accept: application/json` unless the request sets `Accept`.
    /// Sensitive values stay marked so (a clone keeps the mark).
    fn attempt_headers(&self, request: &Request) -> HeaderMap {
        let inner = &*self.inner;
        // A provider-given URL may be another host: it gets none of our headers (keys), only the user agent.
        let external = request.external.is_some();
        if request.headers.is_empty() {
            return if external {
                inner.external_headers_json.clone()
            } else {
                inner.headers_json.clone()
            };
        }
        let mut headers = if external {
            inner.external_headers.clone()
        } else {
            inner.headers.clone()
        };
        // As reqwest's `RequestBuilder::headers` merges: a name's first value replaces ours, later ones are added.
        let mut previous = None;
        for (name, value) in &request.headers {
            if previous == Some(name) {
                headers.append(name.clone(), value.clone());
            } else {
                headers.insert(name.clone(), value.clone());
            }
            previous = Some(name);
        }
        if !request.headers.contains_key(ACCEPT) {
            headers.append(ACCEPT, HeaderValue::from_static("application/json"));
        }
        headers
    }

    /// The body with every secret we sent replaced by `[redacted]`: a proxy or gateway that echoes our request
    /// (its headers) must not put a key into an error message. A body without any is returned as is, uncopied.
    fn redact(&self, body: Bytes) -> Bytes {
        let secrets = &self.inner.secrets;
        if secrets.iter().all(|secret| !contains(&body, secret)) {
            return body;
        }
        let mut text = body.to_vec();
        for secret in secrets {
            text = replace_all(&text, secret, b"[redacted]");
        }
        Bytes::from(text)
    }

    /// The [`Response`] to `request`: the final answer's status, headers and (redacted) body, and what sending took.
    fn response(
        &self,
        request: Request,
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        sent: &Sent,
    ) -> Response {
        Response {
            provider: self.inner.provider,
            operation: request.operation,
            call_id: request.call_id,
            status,
            headers,
            body: self.redact(body),
            attempts: sent.attempts,
            earlier_may_have_taken_effect: sent.earlier_may_have_taken_effect,
        }
    }
}

/// `error`, the end of `request` without an answer to return: named for the provider, the operation and the call,
/// with the requests sent (`attempts`) and whether one before the last may have been acted on (`acted`).
fn failed(
    request: &Request,
    provider: Provider,
    error: Error,
    acted: bool,
    attempts: u32,
) -> Error {
    let error = error
        .with_provider(provider)
        .with_operation(request.operation.clone())
        .with_earlier_attempt_may_have_taken_effect(acted)
        .with_attempts(attempts);
    match &request.call_id {
        Some(id) => error.with_call_id(id.clone()),
        None => error,
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers are left out on purpose: they hold the keys.
        f.debug_struct("HttpClient")
            .field("provider", &self.inner.provider)
            .field("base_url", &self.inner.base_url)
            .field("policy", &self.inner.policy)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// What sending took: the requests sent, and whether one before the last may have been acted on.
#[derive(Debug, Clone, Copy)]
struct Sent {
    attempts: u32,
    earlier_may_have_taken_effect: bool,
}

/// A 2xx response whose body is read chunk by chunk.
#[derive(Debug)]
pub struct StreamingResponse {
    status: u16,
    headers: HeaderMap,
    response: reqwest::Response,
    idle_timeout: Duration,
    attempts: u32,
    provider: Provider,
    operation: std::borrow::Cow<'static, str>,
    call_id: Option<crate::CallId>,
}

impl StreamingResponse {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many requests were sent.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The next chunk of the body, or `None` at its end. Each chunk must arrive within the attempt timeout.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] when no chunk comes in time, [`ErrorKind::Transport`] when the connection breaks.
    pub async fn chunk(&mut self) -> crate::Result<Option<Bytes>> {
        let result = match tokio::time::timeout(self.idle_timeout, self.response.chunk()).await {
            Ok(Ok(chunk)) => return Ok(chunk),
            Ok(Err(e)) => Error::new(
                ErrorKind::Transport,
                "the connection broke while reading the body",
            )
            .with_source(e.without_url()),
            Err(_) => Error::new(
                ErrorKind::Timeout,
                "no data arrived within the attempt timeout while reading the body",
            ),
        };
        let error = result
            .with_provider(self.provider)
            .with_operation(self.operation.clone())
            .with_status(self.status)
            .with_request_sent(true)
            .with_attempts(self.attempts);
        Err(match &self.call_id {
            Some(id) => error.with_call_id(id.clone()),
            None => error,
        })
    }
}

/// One attempt's answer, as the retry loop reads it: the status, the headers, and the body, read (capped) or, for a
/// 2xx that [`HttpClient::send_streaming`] streams, still to come.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: AnswerBody,
}

/// The body of an [`Answer`].
enum AnswerBody {
    /// Read, up to its cap (error bodies always are).
    Read(Bytes),
    /// A 2xx whose body the caller streams.
    Unread(reqwest::Response),
}

impl Answer {
    fn retry_after(&self) -> Option<Duration> {
        let value = self.headers.get("retry-after")?.to_str().ok()?;
        parse_retry_after(value, std::time::SystemTime::now())
    }

    /// The body, where it was read.
    fn body_bytes(&self) -> &[u8] {
        match &self.body {
            AnswerBody::Read(body) => body,
            AnswerBody::Unread(_) => &[],
        }
    }
}

/// Why one attempt produced no usable answer.
#[derive(Debug)]
enum AttemptError {
    /// The connection could not be opened: the request never left.
    Connect(reqwest::Error),
    /// The connection broke after the request may have been sent (reset, closed, a lost reply).
    Broken(reqwest::Error),
    /// No answer within the attempt timeout.
    Timeout,
    /// The success body was larger than the cap: retrying would not make it smaller.
    TooLarge(usize),
}

impl AttemptError {
    fn from_reqwest(error: reqwest::Error) -> Self {
        // The URL may be a provider-given signed link (a bearer credential): keep it out of every error.
        let error = error.without_url();
        if error.is_connect() {
            AttemptError::Connect(error)
        } else {
            AttemptError::Broken(error)
        }
    }

    fn may_have_been_sent(&self) -> bool {
        !matches!(self, AttemptError::Connect(_))
    }

    fn is_final(&self) -> bool {
        matches!(self, AttemptError::TooLarge(_))
    }

    fn describe(&self) -> &'static str {
        match self {
            AttemptError::Connect(_) => "connect failed",
            AttemptError::Broken(_) => "connection broken",
            AttemptError::Timeout => "timed out",
            AttemptError::TooLarge(_) => "body too large",
        }
    }

    fn into_error(self, deadline_hit: bool) -> Error {
        match self {
            AttemptError::Connect(e) => Error::new(ErrorKind::Transport, "could not connect")
                .with_request_sent(false)
                .with_source(e),
            AttemptError::Broken(e) if e.is_timeout() => {
                Error::new(ErrorKind::Timeout, "timed out")
                    .with_request_sent(true)
                    .with_source(e)
            }
            AttemptError::Broken(e) => Error::new(
                ErrorKind::Transport,
                "the connection broke before the answer came",
            )
            .with_request_sent(true)
            .with_source(e),
            AttemptError::Timeout if deadline_hit => {
                Error::new(ErrorKind::Timeout, "no answer within the operation timeout")
                    .with_request_sent(true)
            }
            AttemptError::Timeout => {
                Error::new(ErrorKind::Timeout, "no answer within the attempt timeout")
                    .with_request_sent(true)
            }
            AttemptError::TooLarge(cap) => Error::new(
                ErrorKind::Decode,
                format!("the response body is larger than the {cap}-byte cap"),
            )
            .with_request_sent(true),
        }
    }
}

/// Reads a body up to `cap` bytes: beyond it, `truncate` keeps the first `cap` bytes (error bodies, which are only
/// quoted) or fails (success bodies, which must be whole to be decoded). It borrows the response: the caller's future
/// holds it already, and a second copy in this one would make every request's future larger.
async fn read_body(
    response: &mut reqwest::Response,
    cap: usize,
    truncate: bool,
) -> Result<Bytes, AttemptError> {
    if !truncate
        && response
            .content_length()
            .is_some_and(|len| len > cap as u64)
    {
        return Err(AttemptError::TooLarge(cap));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| AttemptError::Broken(e.without_url()))?
    {
        let room = cap - body.len();
        if chunk.len() > room {
            if truncate {
                body.extend_from_slice(&chunk[..room]);
                break;
            }
            return Err(AttemptError::TooLarge(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while !rest.is_empty() {
        if rest.starts_with(needle) {
            out.extend_from_slice(with);
            rest = &rest[needle.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}
