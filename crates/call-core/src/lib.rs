//! What every provider client of `calls` shares.
//!
//! `calls` lets a backend control voice-agent phone calls at several providers through one API. This crate holds
//! the shared parts; the clients live in `cartesia-calls` and `mirai-calls`, and `calls-facade` re-exports them
//! behind cargo features.
//!
//! - [`CallControl`]: the object-safe trait every client implements; hold `Arc<dyn CallControl>` per provider and
//!   [`terminate`](CallControl::terminate) calls the same way everywhere; [`TerminateOptions`] asks
//!   [`terminate_with`](CallControl::terminate_with) to wait for a call that still rings.
//! - [`TerminateOutcome`] and [`Termination`]: "terminated by us" told apart from "already over".
//! - [`CallId`]: validated before anything is sent, percent-encoded as exactly one path segment.
//! - [`ApiKey`]: redacted in every `Debug` and `Display`, sent in headers marked sensitive.
//! - [`Error`] and [`ErrorKind`]: one error type to branch on, naming provider, call, status, and whether the
//!   request may have reached the provider.
//! - [`Listing`], [`Pages`] and [`Page`]: every provider's `list_<things>(query)` answers the items as a lazy
//!   [`Listing`]; [`Listing::pages`] gives them a [`Page`] at a time.
//! - [`CallState`]: where a call is, the same for every provider; each provider crate maps its own status enum to it.
//! - [`bulk`]: terminating thousands of calls at once, with bounded, adaptive concurrency and one report per id.
//! - [`stop_number`]: "stop calling this number" at every provider: suppress it, find its calls, end them.
//! - [`RetryConfig`]: a client's timeouts and resends; [`RateLimit`]: the provider's rate limiting as a client sees it.
//! - [`provider_kit`]: for provider crates only: the one HTTP path (timeouts, resends with jitter and `Retry-After`,
//!   capped bodies) every client uses, and error construction. `calls-facade` does not re-export it.
//!
//! Most programs use a client crate and never name this one directly.

#[macro_use]
mod open_enum;

pub mod bulk;
mod call_id;
mod client_builder;
mod clock;
mod control;
mod download;
mod error;
mod http;
mod outcome;
mod page;
mod phone;
mod provider;
pub mod provider_kit;
mod rate_limit;
mod read_first;
mod resend;
mod secret;
mod state;
pub mod stop_number;
mod timestamp;

pub use async_trait::async_trait;
pub use call_id::{CallId, MAX_CALL_ID_LEN};
pub use clock::{Clock, TokioClock};
pub use control::{CallControl, TerminateOptions};
pub use error::{Error, ErrorKind, Result};
pub use http::RetryConfig;
pub use outcome::{TerminateOutcome, Termination};
pub use page::{Listing, Page, Pages};
pub use phone::PhoneNumber;
pub use provider::Provider;
pub use rate_limit::RateLimit;
pub use secret::ApiKey;
pub use state::CallState;
pub use timestamp::Timestamp;

/// Hooks for the workspace's fuzz targets (`fuzz/`), behind the `fuzzing` feature: not part of the public API, and
/// not stable.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use bytes::Bytes;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

    use crate::provider_kit::Response;
    use crate::{CallId, Provider};

    pub use crate::provider_kit::parse_retry_after;

    /// A provider's answer as [`HttpClient::send`](crate::provider_kit::HttpClient::send) would return it after one attempt:
    /// `status`, `headers` (a pair whose name or value is not a valid header is left out) and `body`, for `operation`
    /// on `call_id`. The provider crates' decoders take it as they take a real answer.
    pub fn response(
        provider: Provider,
        operation: &'static str,
        call_id: Option<&CallId>,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                map.append(name, value);
            }
        }
        Response {
            provider,
            operation: operation.into(),
            call_id: call_id.cloned(),
            status,
            headers: map,
            body: Bytes::copy_from_slice(body),
            attempts: 1,
            earlier_may_have_taken_effect: false,
        }
    }

    /// [`response`] with a JSON body (`content-type: application/json`): how every provider API answers.
    pub fn json_response(
        provider: Provider,
        operation: &'static str,
        call_id: Option<&CallId>,
        status: u16,
        body: &[u8],
    ) -> Response {
        response(
            provider,
            operation,
            call_id,
            status,
            &[("content-type", "application/json")],
            body,
        )
    }
}

/// What the exported macros need from our dependencies; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use reqwest;
    pub use serde;
}
