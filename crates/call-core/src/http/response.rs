//! A provider's answer, read within caps.

use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::http::parse_retry_after;
use crate::{CallId, Error, ErrorKind, Provider};

/// The final answer to a [`Request`](crate::http::Request), after any retries: any HTTP status, with its body read
/// (success bodies up to the request's cap, error bodies up to 64 KiB).
///
/// Provider clients turn it into data with [`Response::json`] or into an [`Error`] with [`Response::error`].
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) provider: Provider,
    pub(crate) operation: std::borrow::Cow<'static, str>,
    pub(crate) call_id: Option<CallId>,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value as text, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// How many requests were sent in all (retries included).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The delay asked for by `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        parse_retry_after(self.header("retry-after")?, SystemTime::now())
    }

    /// Decodes the body as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] when the body is not the JSON `T` expects; the error names the operation and status,
    /// never the body's content beyond a short escaped excerpt.
    pub fn json<T: DeserializeOwned>(&self) -> crate::Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            self.decode_error("the body is not the JSON expected")
                .with_source(e)
        })
    }

    /// An [`ErrorKind::Decode`] error for this response, with `detail` and a short excerpt of the body.
    pub fn decode_error(&self, detail: &'static str) -> Error {
        let excerpt = String::from_utf8_lossy(&self.body[..self.body.len().min(200)]).into_owned();
        self.context(Error::new(ErrorKind::Decode, detail).with_provider_message(&excerpt))
    }

    /// The error for this (non-2xx) response: the kind from its status ([`ErrorKind::from_status`]), with
    /// `Retry-After`, the provider, operation, call id and attempts filled in. Clients add what the body says.
    pub fn error(&self) -> Error {
        let mut error = Error::from_status(self.status);
        if let Some(delay) = self.retry_after() {
            error = error.with_retry_after(delay);
        }
        self.context(error)
    }

    /// Fills in the provider, operation, call id and attempts of `error`.
    pub fn context(&self, error: Error) -> Error {
        let error = error
            .with_provider(self.provider)
            .with_operation(self.operation.clone())
            .with_status(self.status)
            .with_request_sent(true)
            .with_attempts(self.attempts);
        match &self.call_id {
            Some(id) => error.with_call_id(id.clone()),
            None => error,
        }
    }
}
