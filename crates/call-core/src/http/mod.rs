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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT};

pub use backoff::backoff_delay;
pub use base_url::BaseUrl;
pub use request::{DEFAULT_MAX_BODY_BYTES, Idempotency, Request};
pub use response::Response;
pub use retry::RetryConfig;
pub use retry_after::parse_retry_after;

use crate::error::ErrorExt;
use crate::{Error, ErrorKind, Provider, RateLimit};

/// How much of an error body we read: enough for any provider message, never a 64 MiB page whole.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The statuses worth another attempt of an idempotent request: timeouts, rate limits and transient server errors
/// (Cartesia documents 502 on cancel as "could not be delivered; retry").
fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// A provider's HTTP endpoint: a `reqwest::Client`, a checked base URL, the auth headers (marked sensitive) and the
/// retry settings. Cheap to clone (one `Arc`).
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
    retry: RetryConfig,
    rng: Mutex<fastrand::Rng>,
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
        let rng = match config.retry.jitter_seed() {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Ok(HttpClient {
            inner: Arc::new(Inner {
                provider: config.provider,
                client,
                base_url: config.base_url,
                headers,
                headers_json,
                external_headers,
                external_headers_json,
                retry: config.retry,
                rng: Mutex::new(rng),
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
        &self.inner.retry
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
        let (response, sent) = self
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
                Ok((status, headers, body))
            })
            .await?;
        let (status, headers, body) = response;
        Ok(Response {
            provider: self.inner.provider,
            operation: request.operation,
            call_id: request.call_id,
            status,
            headers,
            body: self.redact(body),
            attempts: sent.attempts,
            earlier_may_have_taken_effect: sent.earlier_may_have_taken_effect,
        })
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
        let (outcome, sent) = self
            .send_with_retries(&request, |mut response| async move {
                let status = response.status().as_u16();
                if (200..300).contains(&status) {
                    Ok(Ok(response))
                } else {
                    let headers = response.headers().clone();
                    let body = read_body(&mut response, MAX_ERROR_BODY_BYTES, true).await?;
                    Ok(Err((status, headers, body)))
                }
            })
            .await?;
        Ok(match outcome {
            Ok(response) => Ok(StreamingResponse {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                response,
                idle_timeout: self.inner.retry.attempt_timeout(),
                attempts: sent.attempts,
                provider: self.inner.provider,
                operation: request.operation,
                call_id: request.call_id,
            }),
            Err((status, headers, body)) => Err(Response {
                provider: self.inner.provider,
                operation: request.operation,
                call_id: request.call_id,
                status,
                headers,
                body: self.redact(body),
                attempts: sent.attempts,
                earlier_may_have_taken_effect: sent.earlier_may_have_taken_effect,
            }),
        })
    }

    /// The retry loop shared by [`send`](Self::send) and [`send_streaming`](Self::send_streaming): `read` turns the
    /// raw response into `T` within the attempt's timeout.
    async fn send_with_retries<T, F, Fut>(
        &self,
        request: &Request,
        read: F,
    ) -> crate::Result<(T, Sent)>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T, AttemptError>>,
        T: HasStatus,
    {
        let inner = &*self.inner;
        let retry = &inner.retry;
        // The clock is read once before each attempt (`now`) and, past the common path of one answered attempt, again
        // after it where a decision needs the time.
        let mut now = Instant::now();
        let started = now;
        let own = started + retry.operation_timeout();
        let deadline = self.deadline.map_or(own, |set| set.min(own));
        let url = match &request.external {
            Some(url) => url.clone(),
            None => inner.base_url.join(&request.path, &request.query),
        };
        let call_id = request.call_id.as_ref().map(|id| id.as_str()).unwrap_or("");
        let mut attempt: u32 = 0;
        // Whether an attempt before the current one may have been acted on by the provider.
        let mut acted = false;
        loop {
            attempt += 1;
            if now >= deadline {
                // No time is left (a deadline shared by several requests has passed): send nothing rather than an
                // attempt that cannot be waited for.
                let mut error = Error::new(
                    ErrorKind::Timeout,
                    "no time left before this operation's deadline",
                )
                .with_provider(inner.provider)
                .with_operation(request.operation.clone())
                .with_request_sent(false)
                .with_earlier_attempt_may_have_taken_effect(acted)
                .with_attempts(attempt - 1);
                if let Some(id) = &request.call_id {
                    error = error.with_call_id(id.clone());
                }
                return Err(error);
            }
            let paused = inner.rate_limit.remaining();
            if !paused.is_zero() {
                if now + paused >= deadline {
                    // The provider asked this client to wait past this operation's deadline: say so now, unsent.
                    let mut error = Error::new(
                        ErrorKind::RateLimited,
                        "the provider asked this client to wait past this operation's deadline",
                    )
                    .with_provider(inner.provider)
                    .with_operation(request.operation.clone())
                    .with_retry_after(paused)
                    .with_request_sent(attempt > 1)
                    .with_earlier_attempt_may_have_taken_effect(acted)
                    .with_attempts(attempt - 1);
                    if let Some(id) = &request.call_id {
                        error = error.with_call_id(id.clone());
                    }
                    return Err(error);
                }
                inner.rate_limit.ready(deadline).await;
                now = Instant::now();
            }
            let attempt_end = now
                + retry
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
            let result = match tokio::time::timeout_at(attempt_end.into(), async {
                let response = sending.await.map_err(AttemptError::from_reqwest)?;
                read(response).await
            })
            .await
            {
                Ok(result) => result,
                Err(_) => Err(AttemptError::Timeout),
            };
            let may_retry = attempt < retry.max_attempts();
            match result {
                Ok(value) => {
                    let status = value.status();
                    tracing::debug!(
                        provider = inner.provider.as_str(),
                        operation = %request.operation,
                        call_id,
                        attempt,
                        status,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "http attempt answered"
                    );
                    let retryable = match request.idempotency {
                        Idempotency::Idempotent => is_retryable_status(status),
                        Idempotency::ReadFirst => status == 429,
                        Idempotency::NotIdempotent => false,
                    } && !request
                        .final_answer
                        .is_some_and(|is_final| is_final(status, value.body()));
                    if status == 429 {
                        // Every request of this client waits, not only this one.
                        inner.rate_limit.pause_for(
                            value.retry_after().unwrap_or_else(|| self.backoff(attempt)),
                        );
                    }
                    if retryable && may_retry {
                        let delay = match value.retry_after() {
                            Some(asked) => asked,
                            None => self.backoff(attempt),
                        };
                        if Instant::now() + delay < deadline {
                            acted |= !crate::error::is_refusal_status(status);
                            tracing::info!(
                                provider = inner.provider.as_str(),
                                operation = %request.operation,
                                call_id,
                                attempt,
                                status,
                                delay_ms = delay.as_millis() as u64,
                                "retrying after a transient answer"
                            );
                            tokio::time::sleep(delay).await;
                            now = Instant::now();
                            continue;
                        }
                    }
                    return Ok((
                        value,
                        Sent {
                            attempts: attempt,
                            earlier_may_have_taken_effect: acted,
                        },
                    ));
                }
                Err(error) => {
                    let sent = error.may_have_been_sent();
                    tracing::debug!(
                        provider = inner.provider.as_str(),
                        operation = %request.operation,
                        call_id,
                        attempt,
                        error = error.describe(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "http attempt failed"
                    );
                    let repeatable = request.idempotency == Idempotency::Idempotent || !sent;
                    if repeatable && may_retry && !error.is_final() {
                        let delay = self.backoff(attempt);
                        if Instant::now() + delay < deadline {
                            acted |= sent;
                            tracing::info!(
                                provider = inner.provider.as_str(),
                                operation = %request.operation,
                                call_id,
                                attempt,
                                error = error.describe(),
                                delay_ms = delay.as_millis() as u64,
                                "retrying after a failed attempt"
                            );
                            tokio::time::sleep(delay).await;
                            now = Instant::now();
                            continue;
                        }
                    }
                    let deadline_hit = Instant::now() >= deadline;
                    let mut error = error
                        .into_error(deadline_hit)
                        .with_provider(inner.provider)
                        .with_operation(request.operation.clone())
                        .with_earlier_attempt_may_have_taken_effect(acted)
                        .with_attempts(attempt);
                    if let Some(id) = &request.call_id {
                        error = error.with_call_id(id.clone());
                    }
                    if sent && request.idempotency == Idempotency::NotIdempotent {
                        error = error.with_outcome_unknown();
                    }
                    return Err(error);
                }
            }
        }
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

    fn backoff(&self, attempt: u32) -> Duration {
        let random = match self.inner.rng.lock() {
            Ok(mut rng) => rng.f64(),
            Err(poisoned) => poisoned.into_inner().f64(),
        };
        backoff_delay(&self.inner.retry, attempt, random)
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers are left out on purpose: they hold the keys.
        f.debug_struct("HttpClient")
            .field("provider", &self.inner.provider)
            .field("base_url", &self.inner.base_url)
            .field("retry", &self.inner.retry)
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

/// Something the retry loop can read a status and `Retry-After` from.
trait HasStatus {
    fn status(&self) -> u16;
    fn retry_after(&self) -> Option<Duration>;
    /// The body, where it was read (error bodies always are).
    fn body(&self) -> &[u8];
}

fn retry_after_of(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?;
    parse_retry_after(value, std::time::SystemTime::now())
}

impl HasStatus for (u16, HeaderMap, Bytes) {
    fn status(&self) -> u16 {
        self.0
    }
    fn retry_after(&self) -> Option<Duration> {
        retry_after_of(&self.1)
    }
    fn body(&self) -> &[u8] {
        &self.2
    }
}

impl HasStatus for std::result::Result<reqwest::Response, (u16, HeaderMap, Bytes)> {
    fn status(&self) -> u16 {
        match self {
            Ok(response) => response.status().as_u16(),
            Err(read) => read.0,
        }
    }
    fn retry_after(&self) -> Option<Duration> {
        match self {
            Ok(response) => retry_after_of(response.headers()),
            Err(read) => retry_after_of(&read.1),
        }
    }
    fn body(&self) -> &[u8] {
        match self {
            Ok(_) => &[],
            Err(read) => &read.2,
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
