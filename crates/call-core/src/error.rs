//! The one error type of every `calls` client.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::{CallId, Provider};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The longest provider message we quote, in characters.
const MAX_QUOTED_CHARS: usize = 300;

/// What kind of failure an [`Error`] is: the thing to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input, refused before anything was sent (an empty call id, an `http` URL to another host, a blank key),
    /// or refused by the provider as invalid (HTTP 400 on a request that is not about the call's state).
    InvalidInput,
    /// The provider refused the credentials (HTTP 401).
    Unauthorized,
    /// The credentials may not do this (HTTP 403).
    Forbidden,
    /// The provider does not know the call (HTTP 404), or it belongs to another account.
    NotFound,
    /// The call exists but cannot be terminated in its current state (a Cartesia call still `created`, a Mirai
    /// legacy call `in-progress`). The provider's message is kept.
    NotTerminable,
    /// The request conflicts with the resource's state (HTTP 409) in a way not covered by the kinds above.
    Conflict,
    /// The provider asked us to slow down (HTTP 429); [`Error::retry_after`] has its delay when it gave one.
    RateLimited,
    /// The provider failed (HTTP 5xx), after the retries the configuration allowed.
    Upstream,
    /// No answer in time: an attempt's timeout or the operation's deadline.
    Timeout,
    /// The connection failed (refused, reset, TLS, DNS).
    Transport,
    /// The provider's answer could not be understood (a malformed or unexpected body, a body over the size cap).
    Decode,
    /// The provider's API has no way to do this (for example reading a call through Mirai's legacy API).
    Unsupported,
    /// The provider refused the request for another reason (HTTP 402, 413, 422 and other 4xx).
    Rejected,
    /// A local read or write failed (saving a download to a file); the provider's part succeeded.
    Io,
}

impl ErrorKind {
    /// The kind's stable snake_case name, as used in `callctl`'s JSON output (`not_found`, `rate_limited`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::NotTerminable => "not_terminable",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Upstream => "upstream",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Decode => "decode",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Io => "io",
        }
    }

    /// The usual kind for an HTTP error status, before any provider-specific reading of the body.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 | 422 => ErrorKind::InvalidInput,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 | 410 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Upstream,
            _ => ErrorKind::Rejected,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Unauthorized => "unauthorized: the provider refused the credentials",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not found",
            ErrorKind::NotTerminable => "not terminable in its current state",
            ErrorKind::Conflict => "conflict with the current state",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Upstream => "provider error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "connection failed",
            ErrorKind::Decode => "unexpected response",
            ErrorKind::Unsupported => "not supported by this provider's API",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Io => "local input or output failed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an operation failed, with everything a caller needs to act on it.
///
/// Branch on [`kind`](Error::kind). Each error names its [`provider`](Error::provider) and
/// [`call_id`](Error::call_id) where there is one, the HTTP [`status`](Error::status) when a response came, and
/// whether the request [may have reached the provider](Error::request_may_have_been_sent): a timed-out cancel may
/// have ended the call, and a timed-out call creation may have dialled someone.
///
/// `Display` is one lowercase line: what failed, the provider, the call id, the status and the provider's own
/// message, escaped and truncated. It never contains a key or a request header, and never repeats the text of
/// [`source`](std::error::Error::source).
#[derive(thiserror::Error)]
#[error(transparent)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    detail: Cow<'static, str>,
    operation: Option<Cow<'static, str>>,
    provider: Option<Provider>,
    call_id: Option<CallId>,
    status: Option<u16>,
    retry_after: Option<Duration>,
    provider_message: Option<String>,
    provider_code: Option<String>,
    request_id: Option<String>,
    request_sent: bool,
    earlier_may_have_taken_effect: bool,
    outcome_unknown: bool,
    retryable: Option<bool>,
    attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind`; `detail` says what went wrong, in lowercase words.
    ///
    /// Clients build errors with this and the `with_` methods; so may a test double of
    /// [`CallControl`](crate::CallControl).
    pub fn new(kind: ErrorKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                detail: detail.into(),
                operation: None,
                provider: None,
                call_id: None,
                status: None,
                retry_after: None,
                provider_message: None,
                provider_code: None,
                request_id: None,
                request_sent: false,
                earlier_may_have_taken_effect: false,
                outcome_unknown: false,
                retryable: None,
                attempts: 0,
                source: None,
            }),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The provider, when the error came from one (input refused before any client was involved has none).
    pub fn provider(&self) -> Option<Provider> {
        self.inner.provider
    }

    /// The call the operation was about, when it was about one.
    pub fn call_id(&self) -> Option<&CallId> {
        self.inner.call_id.as_ref()
    }

    /// The operation that failed (`"cancel call"`), when known.
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation.as_deref()
    }

    /// The HTTP status of the provider's response, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The delay the provider asked for (`Retry-After`), when it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The provider's message, escaped and truncated, when it sent one.
    pub fn provider_message(&self) -> Option<&str> {
        self.inner.provider_message.as_deref()
    }

    /// The provider's machine-readable error code, when it sent one.
    pub fn provider_code(&self) -> Option<&str> {
        self.inner.provider_code.as_deref()
    }

    /// The provider's request id (Cartesia's `request_id`), to quote in a support ticket.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// Whether the request may have reached the provider (and so may have taken effect).
    ///
    /// `false` only when we know it did not: refused before sending, or the connection could not be opened.
    pub fn request_may_have_been_sent(&self) -> bool {
        self.inner.request_sent
    }

    /// Whether any attempt of this operation may have been acted on by the provider.
    ///
    /// Reaching the provider is not enough: an attempt counts unless it certainly was not acted on. A connection
    /// that never opened sent nothing; a rate limit (429) and any other refusal (a 4xx but 408) reached the provider
    /// and were refused. A timeout or broken connection after sending, a 5xx, a 408 or a 2xx that could not be read
    /// all may have been acted on. Certain termination asks this before it claims an ended call as its own: a 429
    /// then a 400 on a call someone else cancelled is not ours.
    pub fn may_have_taken_effect(&self) -> bool {
        let inner = &self.inner;
        let refused =
            inner.kind == ErrorKind::RateLimited || inner.status.is_some_and(is_refusal_status);
        inner.earlier_may_have_taken_effect || (inner.request_sent && !refused)
    }

    /// Whether a request that is not safe to repeat may have taken effect: its outcome is unknown, and the caller
    /// must check (for example list the calls) before trying again.
    pub fn is_outcome_unknown(&self) -> bool {
        self.inner.outcome_unknown
    }

    /// How many HTTP requests were sent before giving up (0 when refused before sending).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether trying the same operation again later may succeed: rate limits, timeouts, connection failures and
    /// transient provider errors (500, 502, 503, 504). Never when [`is_outcome_unknown`](Error::is_outcome_unknown):
    /// repeating it could do the thing twice.
    pub fn is_retryable(&self) -> bool {
        if self.inner.outcome_unknown {
            return false;
        }
        if let Some(retryable) = self.inner.retryable {
            return retryable;
        }
        match self.inner.kind {
            ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Transport => true,
            ErrorKind::Upstream => self
                .inner
                .status
                .is_none_or(|s| matches!(s, 500 | 502 | 503 | 504)),
            _ => false,
        }
    }

    /// Whether the request may have taken effect although no clear answer came back: a timeout or broken connection
    /// after sending, 5xx until the retries ran out, or a 2xx whose body could not be read. Certain termination
    /// reads the call after such an error instead of trusting it.
    pub fn is_ambiguous(&self) -> bool {
        self.inner.request_sent
            && matches!(
                self.inner.kind,
                ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::Upstream | ErrorKind::Decode
            )
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }
}

/// Building an [`Error`] field by field: for provider crates (and test doubles of
/// [`CallControl`](crate::CallControl)), not for programs that only read errors, which use [`Error`]'s predicates.
///
/// Sealed: implemented for [`Error`] only.
pub trait ErrorExt: sealed::Sealed + Sized {
    /// An error for an HTTP error `status`, of the kind [`ErrorKind::from_status`] gives.
    fn from_status(status: u16) -> Self;

    /// Sets the kind.
    #[must_use]
    fn with_kind(self, kind: ErrorKind) -> Self;

    /// Sets the description of what went wrong.
    #[must_use]
    fn with_detail(self, detail: impl Into<Cow<'static, str>>) -> Self;

    /// Names the operation that failed (`"cancel call"`).
    #[must_use]
    fn with_operation(self, operation: impl Into<Cow<'static, str>>) -> Self;

    /// Names the provider.
    #[must_use]
    fn with_provider(self, provider: Provider) -> Self;

    /// Names the call.
    #[must_use]
    fn with_call_id(self, call_id: CallId) -> Self;

    /// Records the HTTP status of the response.
    #[must_use]
    fn with_status(self, status: u16) -> Self;

    /// Records the provider's `Retry-After`.
    #[must_use]
    fn with_retry_after(self, delay: Duration) -> Self;

    /// Keeps the provider's message; it is escaped and truncated here, so it is safe to print.
    #[must_use]
    fn with_provider_message(self, message: &str) -> Self;

    /// Keeps the provider's machine-readable error code (`concurrency_limited`, `not_found`).
    #[must_use]
    fn with_provider_code(self, code: &str) -> Self;

    /// Keeps the provider's request id, for support tickets.
    #[must_use]
    fn with_request_id(self, request_id: &str) -> Self;

    /// Records whether the request may have reached the provider.
    #[must_use]
    fn with_request_sent(self, sent: bool) -> Self;

    /// Records whether an attempt of this operation before the last one may have been acted on by the provider (see
    /// [`Error::may_have_taken_effect`]). The HTTP path sets it; a client that builds an error from another keeps it.
    #[must_use]
    fn with_earlier_attempt_may_have_taken_effect(self, acted: bool) -> Self;

    /// Marks the error as "the request may have taken effect": a request that is not safe to repeat (placing a
    /// call) failed after it may have reached the provider.
    #[must_use]
    fn with_outcome_unknown(self) -> Self;

    /// Overrides [`Error::is_retryable`] (for provider codes that say so, such as a 503 that is not transient).
    #[must_use]
    fn with_retryable(self, retryable: bool) -> Self;

    /// Records how many requests were sent.
    #[must_use]
    fn with_attempts(self, attempts: u32) -> Self;

    /// Attaches the underlying cause, available through [`std::error::Error::source`].
    #[must_use]
    fn with_source(self, source: impl std::error::Error + Send + Sync + 'static) -> Self;

    /// Keeps the provider's answer in `cause` (its HTTP status, message and code, where it has them): for an error that
    /// reports what a later step found about a request `cause` failed.
    #[must_use]
    fn with_answer_of(self, cause: &Error) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Error {}
}

impl ErrorExt for Error {
    fn from_status(status: u16) -> Self {
        let kind = ErrorKind::from_status(status);
        Error::new(kind, kind.describe())
            .with_status(status)
            .with_request_sent(true)
    }

    fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.inner.detail = detail.into();
        self
    }

    fn with_operation(mut self, operation: impl Into<Cow<'static, str>>) -> Self {
        self.inner.operation = Some(operation.into());
        self
    }

    fn with_provider(mut self, provider: Provider) -> Self {
        self.inner.provider = Some(provider);
        self
    }

    fn with_call_id(mut self, call_id: CallId) -> Self {
        self.inner.call_id = Some(call_id);
        self
    }

    fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    fn with_retry_after(mut self, delay: Duration) -> Self {
        self.inner.retry_after = Some(delay);
        self
    }

    fn with_provider_message(mut self, message: &str) -> Self {
        self.inner.provider_message = Some(quote_provider_text(message));
        self
    }

    fn with_provider_code(mut self, code: &str) -> Self {
        self.inner.provider_code = Some(quote_provider_text(code));
        self
    }

    fn with_request_id(mut self, request_id: &str) -> Self {
        self.inner.request_id = Some(quote_provider_text(request_id));
        self
    }

    fn with_request_sent(mut self, sent: bool) -> Self {
        self.inner.request_sent = sent;
        self
    }

    fn with_earlier_attempt_may_have_taken_effect(mut self, acted: bool) -> Self {
        self.inner.earlier_may_have_taken_effect = acted;
        self
    }

    fn with_outcome_unknown(mut self) -> Self {
        self.inner.request_sent = true;
        self.inner.outcome_unknown = true;
        self
    }

    fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = Some(retryable);
        self
    }

    fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    fn with_answer_of(mut self, cause: &Error) -> Self {
        if let Some(status) = cause.status() {
            self = self.with_status(status);
        }
        if let Some(message) = cause.provider_message() {
            self = self.with_provider_message(message);
        }
        if let Some(code) = cause.provider_code() {
            self = self.with_provider_code(code);
        }
        self
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self;
        if let Some(provider) = inner.provider {
            write!(f, "{provider}: ")?;
        }
        match (&inner.operation, &inner.call_id) {
            (Some(op), Some(id)) => write!(f, "{op} {:?}: ", id.as_str())?,
            (Some(op), None) => write!(f, "{op}: ")?,
            (None, Some(id)) => write!(f, "call {:?}: ", id.as_str())?,
            (None, None) => {}
        }
        f.write_str(&inner.detail)?;
        if let Some(status) = inner.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(message) = &inner.provider_message {
            write!(f, ", provider said \"{message}\"")?;
        }
        if let Some(delay) = inner.retry_after {
            write!(f, ", retry after {:.3}s", delay.as_secs_f64())?;
        }
        if inner.outcome_unknown {
            f.write_str("; outcome unknown: the request may have taken effect")?;
        }
        Ok(())
    }
}

impl std::error::Error for Inner {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Whether an HTTP status says the provider refused the request without acting on it: every 4xx but 408 (a 408 may
/// come from a gateway that timed out after forwarding the request).
pub(crate) fn is_refusal_status(status: u16) -> bool {
    (400..500).contains(&status) && status != 408
}

/// Escapes and truncates text that came from a provider, so it is one printable line of bounded length.
pub(crate) fn quote_provider_text(text: &str) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == MAX_QUOTED_CHARS {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_context_and_escaped_provider_text() {
        let err = Error::from_status(404)
            .with_provider(Provider::Cartesia)
            .with_operation("cancel call")
            .with_call_id(CallId::new("ac_1").unwrap())
            .with_provider_message("Call not found\n\u{1b}[31m");
        assert_eq!(
            err.to_string(),
            r#"cartesia: cancel call "ac_1": not found (HTTP 404), provider said "Call not found\n\u{1b}[31m""#
        );
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(!err.is_retryable());
    }

    #[test]
    fn quoted_text_is_bounded() {
        let long = "x".repeat(10_000);
        let err = Error::from_status(500).with_provider_message(&long);
        assert!(err.provider_message().unwrap().chars().count() <= MAX_QUOTED_CHARS + 1);
        assert!(err.is_retryable());
    }

    #[test]
    fn retryable_kinds() {
        assert!(Error::from_status(429).is_retryable());
        assert!(Error::from_status(503).is_retryable());
        assert!(!Error::from_status(501).is_retryable());
        assert!(!Error::from_status(400).is_retryable());
        assert!(!Error::from_status(503).with_retryable(false).is_retryable());
        assert!(Error::new(ErrorKind::Transport, "connection failed").is_retryable());
        assert!(
            !Error::new(ErrorKind::Timeout, "timed out")
                .with_outcome_unknown()
                .is_retryable()
        );
        assert!(
            !Error::new(ErrorKind::Timeout, "timed out")
                .with_retryable(true)
                .with_outcome_unknown()
                .is_retryable()
        );
    }

    #[test]
    fn ambiguity_needs_a_request_that_may_have_been_sent() {
        assert!(Error::from_status(502).is_ambiguous());
        assert!(
            Error::new(ErrorKind::Timeout, "t")
                .with_request_sent(true)
                .is_ambiguous()
        );
        assert!(
            !Error::new(ErrorKind::Transport, "refused")
                .with_request_sent(false)
                .is_ambiguous()
        );
        assert!(!Error::from_status(404).is_ambiguous());
        assert!(!Error::from_status(429).is_ambiguous());
    }

    #[test]
    fn only_attempts_that_may_have_been_acted_on_count() {
        // A rate limit reached the provider and was refused; a refusal too; a connection that never opened sent
        // nothing.
        assert!(!Error::from_status(429).may_have_taken_effect());
        assert!(!Error::from_status(400).may_have_taken_effect());
        assert!(
            !Error::new(ErrorKind::Transport, "refused")
                .with_request_sent(false)
                .may_have_taken_effect()
        );
        assert!(
            !Error::new(ErrorKind::RateLimited, "wait past the deadline")
                .with_request_sent(true)
                .may_have_taken_effect()
        );
        // A 5xx, a 408, a timeout after sending and an unreadable 2xx may have been acted on.
        assert!(Error::from_status(502).may_have_taken_effect());
        assert!(Error::from_status(408).may_have_taken_effect());
        assert!(
            Error::new(ErrorKind::Timeout, "t")
                .with_request_sent(true)
                .may_have_taken_effect()
        );
        assert!(
            Error::new(ErrorKind::Decode, "d")
                .with_status(200)
                .with_request_sent(true)
                .may_have_taken_effect()
        );
        // A refusal after an earlier attempt that may have been acted on counts.
        assert!(
            Error::from_status(400)
                .with_earlier_attempt_may_have_taken_effect(true)
                .may_have_taken_effect()
        );
    }

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }

    #[test]
    fn kinds_have_stable_names() {
        assert_eq!(ErrorKind::NotTerminable.as_str(), "not_terminable");
        assert_eq!(ErrorKind::from_status(401), ErrorKind::Unauthorized);
        assert_eq!(ErrorKind::from_status(402), ErrorKind::Rejected);
    }
}
