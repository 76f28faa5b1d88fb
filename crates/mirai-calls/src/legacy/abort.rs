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

/// A successful abort, with Mirai's message.
fn aborted_now(call_id: &CallId, aborted: Aborted, attempts: u32) -> Termination {
    let done = Termination::new(
        Provider::Mirai,
        call_id.clone(),
        TerminateOutcome::Terminated,
        attempts,
    );
    match aborted.message {
        Some(message) => done.with_provider_message(message),
        None => done,
    }
}

/// What a 400 refusal says about the call. `ours_may_have_landed`: an earlier request of ours may have aborted it
/// (its reply was lost, or was not Mirai's answer), so "already aborted" means we did it.
fn refused(
    call_id: &CallId,
    error: Error,
    ours_may_have_landed: bool,
) -> call_core::Result<Termination> {
    let message = error.provider_message().unwrap_or_default().to_owned();
    let outcome = match refusal(&message) {
        AbortRefusal::AlreadyAborted if ours_may_have_landed => TerminateOutcome::Terminated,
        AbortRefusal::AlreadyAborted | AbortRefusal::AlreadyOver => TerminateOutcome::AlreadyEnded,
        AbortRefusal::InProgress | AbortRefusal::Other => return Err(error),
    };
    Ok(
        Termination::new(Provider::Mirai, call_id.clone(), outcome, error.attempts())
            .with_provider_message(message),
    )
}

/// The shapes of a legacy abort's 200 that are Mirai's answer.
#[derive(Deserialize)]
struct SuccessBody {
    message: Option<String>,
    status: Option<String>,
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
    /// - [`ErrorKind::Decode`] for a 2xx that is not Mirai's answer (neither `{"message": ...}` nor
    ///   `{"status": "aborted"}`): it may not come from Mirai, so it is not taken as success.
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
            // Only Mirai's own answers count: the documented `{"message": ...}`, or the older draft's
            // `{"status": "aborted", "callId": ...}`. Any other 2xx (an empty body, a proxy's `{"ok": 1}`) may not come
            // from Mirai at all, and the legacy API cannot read the call to check, so it is a `Decode` error that
            // `terminate` resolves by asking again.
            return match serde_json::from_slice::<SuccessBody>(response.body()) {
                Ok(SuccessBody {
                    message: Some(message),
                    ..
                }) => Ok((
                    Aborted {
                        message: Some(message),
                    },
                    response.attempts(),
                )),
                Ok(SuccessBody {
                    status: Some(status),
                    ..
                }) if status == "aborted" => Ok((Aborted { message: None }, response.attempts())),
                _ => {
                    Err(response
                        .decode_error("the provider answered 2xx without Mirai's abort answer"))
                }
            };
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
    /// - 200 with Mirai's answer (`{"message": ...}`): [`TerminateOutcome::Terminated`].
    /// - A 2xx that is not Mirai's answer (an empty body, a proxy's page): the abort is sent once more, and its
    ///   answer decides (200 or "already aborted": `Terminated`; "completed": `AlreadyEnded`); if that is no clearer,
    ///   the first error ([`ErrorKind::Decode`]) is returned.
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
        let first = match self.abort_counting(call_id).await {
            Ok((aborted, attempts)) => return Ok(aborted_now(call_id, aborted, attempts)),
            Err(error) => error,
        };
        // A 2xx that is not Mirai's answer leaves the abort's effect unknown, and the legacy API cannot read the call:
        // ask once more (abort is safe to repeat). Its answer is about a call our first request may have aborted.
        if first.kind() == ErrorKind::Decode
            && first.status().is_some_and(|s| (200..300).contains(&s))
        {
            return match self.abort_counting(call_id).await {
                Ok((aborted, attempts)) => {
                    Ok(aborted_now(call_id, aborted, first.attempts() + attempts))
                }
                Err(second) if second.kind() == ErrorKind::NotTerminable => {
                    let attempts = first.attempts() + second.attempts();
                    refused(call_id, second.with_attempts(attempts), true).or(Err(first))
                }
                Err(_) => Err(first),
            };
        }
        if first.kind() == ErrorKind::NotTerminable {
            let landed_before = first.attempts() > 1;
            return refused(call_id, first, landed_before);
        }
        Err(first)
    }
    fn throttle(&self) -> Option<&call_core::http::Throttle> {
        Some(self.http.throttle())
    }
}

/// For "stop calling this number" ([`call_core::stop_number::stop_number`]): the legacy API has no do-not-call list
/// and cannot find calls by number, so both answer `Unsupported` and only the call ids the caller knows are stopped.
impl call_core::stop_number::NumberControl for MiraiClient {}

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
