//! A request to a provider, described before it is sent.

use std::borrow::Cow;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::CallId;
use crate::call_id::encode_path_segment;

/// The default cap on a successful response body: 16 MiB (a call record with a long transcript is far smaller).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Whether a request may be sent again after it may have reached the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Repeating it is harmless: reads, and cancel/abort (a repeat lands as "already over", which the clients map),
    /// and creates that carry an idempotency key the provider honours. Retried on connection failures, timeouts,
    /// 408, 429, 500, 502, 503 and 504.
    Idempotent,
    /// Repeating it is harmless, but the caller reads before it repeats: a cancel or abort sent by `terminate`, which
    /// after a doubtful answer (a timeout, a reset, a 5xx) reads the call and sends again only while the call is still
    /// live, so that the provider never gets a second cancel for a call the first one already ended. Retried here only
    /// when the provider certainly did not act on it: a connection that could not be opened, or a 429 (a rate limit
    /// refuses the request). Any other failure is returned for the caller to resolve.
    ReadFirst,
    /// Repeating it could do the thing twice (placing a call without an idempotency key dials someone twice). Retried
    /// only when it provably never left: a connection that could not be opened. Any failure after that is an error
    /// with [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown).
    NotIdempotent,
}

/// A request to a provider: method, path, query, headers and body, and how to treat it on failure.
///
/// Path segments are percent-encoded one by one, so a value can never add a segment or a query.
///
/// ```
/// use call_core::{CallId, provider_kit::{Idempotency, Request}};
/// use reqwest::Method;
///
/// let id = CallId::new("a/b")?;
/// let request = Request::new(Method::POST, "cancel call")
///     .segment("agents")
///     .segment("calls")
///     .call_id_segment(&id)
///     .segment("cancel")
///     .idempotency(Idempotency::Idempotent);
/// assert_eq!(request.path(), "/agents/calls/a%2Fb/cancel");
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) operation: Cow<'static, str>,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) call_id: Option<CallId>,
    pub(crate) idempotency: Idempotency,
    pub(crate) max_body_bytes: usize,
    pub(crate) external: Option<url::Url>,
    pub(crate) final_answer: Option<fn(u16, &[u8]) -> bool>,
}

impl Request {
    /// A request named `operation` (`"cancel call"`, used in errors and logs). Idempotent unless said otherwise.
    pub fn new(method: Method, operation: impl Into<Cow<'static, str>>) -> Self {
        Request {
            method,
            operation: operation.into(),
            // A call's path (`/agents/calls/{id}/cancel`) fits without growing the string segment by segment.
            path: String::with_capacity(64),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            call_id: None,
            idempotency: Idempotency::Idempotent,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            external: None,
            final_answer: None,
        }
    }

    /// A `GET` of an absolute URL given by the provider (a redirect's `Location`, a signed download link) that
    /// carries **none** of the client's headers: no key ever goes to another host. Path segments and queries added
    /// later are ignored; the URL is used as given.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `url` is not absolute, or is `http` to a host
    /// that is not loopback (the same rule as [`BaseUrl`](crate::http::BaseUrl)).
    pub fn external_get(url: &str, operation: impl Into<Cow<'static, str>>) -> crate::Result<Self> {
        let parsed = crate::http::base_url::check_external(url)?;
        let mut request = Request::new(Method::GET, operation);
        request.external = Some(parsed);
        Ok(request)
    }

    /// Appends one path segment, percent-encoded.
    #[must_use]
    pub fn segment(mut self, segment: &str) -> Self {
        push_segment(&mut self.path, segment);
        self
    }

    /// Appends a call id as one path segment, and names the call in errors and logs.
    #[must_use]
    pub fn call_id_segment(mut self, id: &CallId) -> Self {
        push_segment(&mut self.path, id.as_str());
        self.call_id = Some(id.clone());
        self
    }

    /// Names the call in errors and logs without putting it in the path (for ids sent in the body).
    #[must_use]
    pub fn for_call(mut self, id: &CallId) -> Self {
        self.call_id = Some(id.clone());
        self
    }

    /// Adds a query parameter (encoded).
    #[must_use]
    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    /// Adds a header to this request only.
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Sets a JSON body (already serialized) and `Content-Type: application/json`.
    #[must_use]
    pub fn json_body(mut self, body: impl Into<Bytes>) -> Self {
        self.headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self.body = Some(body.into());
        self
    }

    /// Sets whether the request may be repeated.
    #[must_use]
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Marks some answers as final even though their status is normally retried: `is_final(status, body)` returning
    /// `true` stops the retries (Mirai's 503 `campaigns_unavailable` is not transient, whatever its status says).
    #[must_use]
    pub fn final_when(mut self, is_final: fn(u16, &[u8]) -> bool) -> Self {
        self.final_answer = Some(is_final);
        self
    }

    /// Sets the cap on a successful response body (default [`DEFAULT_MAX_BODY_BYTES`]); a larger body is an
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) error.
    #[must_use]
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The encoded path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The operation's name.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The call this request is about, if any.
    pub fn call_id(&self) -> Option<&CallId> {
        self.call_id.as_ref()
    }
}

/// Appends `/` and `segment`, percent-encoded as one segment. A segment of RFC 3986's unreserved characters only
/// (`agents`, `cancel`, most ids) is its own encoding and is copied as is, without going through the encoder.
fn push_segment(path: &mut String, segment: &str) {
    path.push('/');
    let unreserved = segment
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if unreserved {
        path.push_str(segment);
    } else {
        path.push_str(&encode_path_segment(segment));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_copied_only_when_it_is_its_own_encoding() {
        let ids = [
            "agents",
            "ac_01JZ-x.y~z",
            "a/b",
            "a b",
            "x?y=1#z",
            "%41",
            "\u{e9}t\u{e9}",
            "...",
        ];
        for segment in ids {
            let mut path = String::new();
            push_segment(&mut path, segment);
            assert_eq!(
                path,
                format!("/{}", encode_path_segment(segment)),
                "{segment}"
            );
        }
    }
}
