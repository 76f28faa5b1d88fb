//! Requests that must not be repeated once they may have reached Cartesia: creating calls, batches, a batch retry.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Idempotency, Request, Response};
use call_core::{Error, ErrorKind};

use crate::CartesiaClient;
use crate::error_body::error_from;

impl CartesiaClient {
    /// Sends a request that must not be repeated once it may have reached Cartesia (it is sent as
    /// [`Idempotency::NotIdempotent`]), and answers its 2xx response.
    ///
    /// A failure after sending (timeout, broken connection, 5xx or 408) is outcome unknown, reworded to say `check`
    /// (what to look at before trying again) and not retryable. Any other error answer is `refusal(response)`: the
    /// provider said no, and nothing happened.
    pub(crate) async fn send_once(
        &self,
        request: Request,
        check: &'static str,
        refusal: fn(&Response) -> Error,
    ) -> call_core::Result<Response> {
        let response = match self
            .http
            .send(request.idempotency(Idempotency::NotIdempotent))
            .await
        {
            Ok(response) => response,
            // call-core marks a failure after sending as outcome unknown; say what to do about it.
            Err(error) if error.is_outcome_unknown() => return Err(outcome_unknown(error, check)),
            Err(error) => return Err(error),
        };
        if response.is_success() {
            return Ok(response);
        }
        // A 5xx or 408 does not say whether the request took effect; a 4xx is a refusal.
        if response.status() >= 500 || response.status() == 408 {
            Err(outcome_unknown(
                error_from(&response).with_outcome_unknown(),
                check,
            ))
        } else {
            Err(refusal(&response))
        }
    }
}

/// Rewords an outcome-unknown error so it says what to do (`check`), and marks it not retryable: a blind retry may do
/// the thing twice.
pub(crate) fn outcome_unknown(error: Error, check: &str) -> Error {
    let what = match error.kind() {
        ErrorKind::Timeout => "no answer in time",
        ErrorKind::Transport => "the connection broke after the request was sent",
        ErrorKind::Decode => "the answer could not be read",
        _ => "the provider failed after the request was sent",
    };
    error
        .with_detail(format!("{what}; {check}"))
        .with_retryable(false)
}

/// Decodes the 2xx answer of a [`send_once`](CartesiaClient::send_once) request: a body that cannot be read leaves the
/// outcome unknown too.
pub(crate) fn json_once<T: serde::de::DeserializeOwned>(
    response: &Response,
    check: &str,
) -> call_core::Result<T> {
    response
        .json()
        .map_err(|error| outcome_unknown(error.with_outcome_unknown(), check))
}
