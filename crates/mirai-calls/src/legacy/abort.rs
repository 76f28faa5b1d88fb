//! Abort Call (legacy API) and termination through it.

use call_core::http::{Idempotency, Request};
use call_core::{
    CallControl, CallId, Error, ErrorKind, Provider, TerminateOutcome, Termination, async_trait,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::error_body::error_from;
use crate::MiraiClient;

#[derive(Serialize)]
struct AbortBody<'a> {
    #[serde(rename = "callId")]
    call_id: &'a str,
}

/// The answer to a successful legacy abort.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Aborted {
    /// The provider's message, such as "Call aborted successfully".
    #[serde(default)]
    pub message: Option<String>,
}

/// What a legacy 400 on abort says about the call, read from its message (the status alone does not tell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AbortRefusal {
    /// "Call already aborted".
    AlreadyAborted,
    /// "... already completed" (or ended, timed out): the call is over.
    AlreadyOver,
    /// "... in progress": answered and live; the legacy API cannot abort it.
    InProgress,
    /// Any other message.
    Other,
}

pub(crate) fn refusal(message: &str) -> AbortRefusal {
    let message = message.to_ascii_lowercase();
    if message.contains("already aborted") {
        AbortRefusal::AlreadyAborted
    } else if message.contains("in progress") || message.contains("in-progress") {
        AbortRefusal::InProgress
    } else if ["completed", "ended", "timeout", "timed out"]
        .iter()
        .any(|word| message.contains(word))
    {
        AbortRefusal::AlreadyOver
    } else {
        AbortRefusal::Other
    }
}

impl MiraiClient {
    /// Aborts a queued call: [Abort Call](https://docs.miraiminds.co/api-reference/call/abort-call),
    /// `POST /v2/call/abort` with `{"callId": ...}`, one to one.
    ///
    /// Allowed while the call has no status yet (initial queue) or is `busy`, `failed`, `no-answer`, `rescheduled`
    /// or `validation-failed`; refused once it is `in-progress`, `completed`, `ended`, `timeout` or `aborted`.
    /// Retried on connection failures, 429 and 5xx: a repeated abort lands as "already aborted".
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::NotTerminable`] for 400, with the provider's message ("Call already aborted", "... in
    ///   progress", "... completed"): [`terminate`](CallControl::terminate) reads it for you.
    /// - [`ErrorKind::NotFound`] for 404, and the usual 401, 403, 429, 5xx, timeout and transport errors.
    pub async fn abort_call(&self, call_id: &CallId) -> call_core::Result<Aborted> {
        self.abort_counting(call_id)
            .await
            .map(|(aborted, _)| aborted)
    }

    async fn abort_counting(&self, call_id: &CallId) -> call_core::Result<(Aborted, u32)> {
        let body = serde_json::to_vec(&AbortBody {
            call_id: call_id.as_str(),
        })
        .map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "could not encode the request").with_source(e)
        })?;
        let request = Request::new(Method::POST, "abort call")
            .segment("v2")
            .segment("call")
            .segment("abort")
            .for_call(call_id)
            .json_body(body)
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        if response.is_success() {
            // The docs' 200 body is `{"message": ...}`; an older draft sent `{status, callId}`. The status is the
            // answer, so any JSON object (or an empty body) is accepted.
            let aborted = if response.body().is_empty() {
                Aborted { message: None }
            } else {
                response.json()?
            };
            return Ok((aborted, response.attempts()));
        }
        let error = error_from(&response);
        Err(if response.status() == 400 {
            error.with_kind(ErrorKind::NotTerminable)
        } else {
            error
        })
    }
}

#[async_trait]
impl CallControl for MiraiClient {
    fn provider(&self) -> Provider {
        Provider::Mirai
    }

    /// Aborts the call and answers what became of it, from the legacy API's answer alone (it cannot read calls).
    ///
    /// - 200: [`TerminateOutcome::Terminated`].
    /// - 400 "Call already aborted": `Terminated` when an earlier attempt of ours may have reached Mirai (its reply
    ///   was lost and this retry found its work done), else [`TerminateOutcome::AlreadyEnded`]. The legacy API
    ///   cannot tell our abort from someone else's; either way the call is aborted.
    /// - 400 "already completed" (or ended, timed out): `AlreadyEnded`.
    /// - 400 "in progress": [`ErrorKind::NotTerminable`]: the legacy API cannot abort a live call (the new API can:
    ///   see `MiraiV2Client`).
    /// - Anything else: the error, as [`MiraiClient::abort_call`] gives it.
    ///
    /// [`state`](CallControl::state) keeps the trait's default and answers [`ErrorKind::Unsupported`]: the legacy
    /// API has no way to read a call (outcomes arrive by webhook only; see [`crate::legacy::WebhookEvent`]).
    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        let done = |outcome, attempts| {
            Termination::new(Provider::Mirai, call_id.clone(), outcome, attempts)
        };
        match self.abort_counting(call_id).await {
            Ok((aborted, attempts)) => {
                let done = done(TerminateOutcome::Terminated, attempts);
                Ok(match aborted.message {
                    Some(message) => done.with_provider_message(message),
                    None => done,
                })
            }
            Err(error) if error.kind() == ErrorKind::NotTerminable => {
                let message = error.provider_message().unwrap_or_default().to_owned();
                let outcome = match refusal(&message) {
                    AbortRefusal::AlreadyAborted if error.attempts() > 1 => {
                        TerminateOutcome::Terminated
                    }
                    AbortRefusal::AlreadyAborted | AbortRefusal::AlreadyOver => {
                        TerminateOutcome::AlreadyEnded
                    }
                    AbortRefusal::InProgress | AbortRefusal::Other => return Err(error),
                };
                Ok(done(outcome, error.attempts()).with_provider_message(message))
            }
            Err(error) => Err(error),
        }
    }

    fn throttle(&self) -> Option<&call_core::http::Throttle> {
        Some(self.http.throttle())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_refusals() {
        assert_eq!(
            refusal("Call already aborted"),
            AbortRefusal::AlreadyAborted
        );
        assert_eq!(refusal("Call already completed"), AbortRefusal::AlreadyOver);
        assert_eq!(refusal("call has ENDED"), AbortRefusal::AlreadyOver);
        assert_eq!(
            refusal("Call already in progress"),
            AbortRefusal::InProgress
        );
        assert_eq!(
            refusal("Call already in progress or completed"),
            AbortRefusal::InProgress
        );
        assert_eq!(refusal("Validation Error"), AbortRefusal::Other);
    }
}

/// For "stop calling this number" ([`call_core::stop_number::stop_number`]): the legacy API has no do-not-call list
/// and cannot find calls by number, so both answer `Unsupported` and only the call ids the caller knows are stopped.
impl call_core::stop_number::NumberControl for MiraiClient {}
