//! Termination that is certain: the truth about the call, not just one request's status.

use call_core::provider_kit::ErrorExt;
use std::time::Duration;

use call_core::provider_kit::Idempotency;
use call_core::provider_kit::{Budget, Phase, ReadFirst, read_first};
use call_core::{
    CallControl, CallId, CallState, Error, ErrorKind, Provider, TerminateOptions, TerminateOutcome,
    Termination, async_trait,
};

use crate::json::CallOutcomeBody;
use crate::{CartesiaCallStatus, CartesiaClient};

/// Whether a cancel's failure leaves something to find out by reading the call: a 400 (the call was not active:
/// over, perhaps by an earlier cancel of ours, or not answered yet, or answered since), a 404 (no such call, or "no
/// active connection"), or an answer that may have come after Cartesia acted (a timeout, reset, 5xx after retries,
/// a malformed 200).
fn doubtful(error: &Error) -> bool {
    matches!(
        (error.kind(), error.status()),
        (ErrorKind::NotTerminable, Some(400)) | (ErrorKind::NotFound, Some(404))
    ) || error.is_ambiguous()
}

/// Where a read shows the call: `created` rings (Cartesia cannot cancel it yet), `started` (and the older `active`)
/// can be cancelled.
fn phase(call: &CallOutcomeBody) -> Phase {
    match call.status {
        CartesiaCallStatus::Created => Phase::Ringing,
        CartesiaCallStatus::Started | CartesiaCallStatus::Active => Phase::Live,
        _ => Phase::Settled,
    }
}

#[async_trait]
impl CallControl for CartesiaClient {
    fn provider(&self) -> Provider {
        Provider::Cartesia
    }

    /// Cancels the call and answers the truth about it, reading the call when the cancel's answer leaves doubt; a
    /// call still ringing is not waited for (see [`terminate_with`](CallControl::terminate_with) for that).
    ///
    /// - 200 `{"cancelled": true}`: [`TerminateOutcome::Terminated`].
    /// - A doubtful answer (a timeout or reset after sending, a 5xx, a malformed 200, a 400 "not active", a 404 that
    ///   may mean "no active connection") is resolved with Get Call, of which only `status` and `end_reason` are
    ///   read: a call that ended with `api_cancelled` after a cancel of ours that may have been acted on (one that
    ///   timed out, broke or got a 5xx or a malformed 200; never a 429 or a refusal) is `Terminated`; a call that
    ///   ended otherwise, or that nothing of ours can have ended, is [`TerminateOutcome::AlreadyEnded`]; a call still
    ///   `created` (ringing) is [`ErrorKind::NotTerminable`] (Cartesia cannot cancel a call before it is answered:
    ///   cancel its batch, or terminate with a ring wait); a call Get Call cannot find is [`ErrorKind::NotFound`].
    /// - A call the read shows `started` gets the cancel again, read first every time, up to the client's
    ///   `max_attempts` cancels in all: after a timeout, reset or 5xx (our cancel did not take), and after a 400 or
    ///   404 "no active connection" (the call was answered in between; the refused cancel did nothing, so a second
    ///   one is safe). When none took effect, the error keeps the last cancel's kind and status, has it as its
    ///   `source()`, and is [retryable](Error::is_retryable).
    /// - Any other failure (401, 403, 429 after retries, a connection that never opened) is returned as is: nothing
    ///   happened. So is the cancel's error when Get Call fails too (with every request counted in its attempts).
    ///
    /// One deadline bounds the whole terminate, every cancel, read, retry and `Retry-After` wait included: the
    /// client's [`operation_timeout`](call_core::RetryConfig::operation_timeout) (30 s by default) from the start.
    /// A request the deadline leaves no time for is not sent. A cancel is sent again without a read only when
    /// Cartesia certainly did not act on it (a 429, a connection that never opened), so Cartesia never gets a
    /// second cancel for a call the first one ended.
    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        self.terminate_with(call_id, &TerminateOptions::new()).await
    }

    /// [`terminate`](CallControl::terminate), and with a [ring wait](TerminateOptions::with_ring_wait), the stop
    /// of a call that is still ringing.
    ///
    /// Cartesia refuses to cancel a call until it is answered (`started`); it rings for at most its
    /// `ringing_timeout_seconds`, 5 to 80 s (60 by default), then ends unanswered. With a ring wait, a call the read
    /// shows `created` is read again with the client's backoff (half to all of `initial_backoff` doubling up to
    /// `max_backoff`, through the client's rate-limit gate) and cancelled the moment it is `started`; a call that
    /// ends while ringing is [`TerminateOutcome::AlreadyEnded`]; one still ringing when the wait runs out is
    /// [`ErrorKind::NotTerminable`], saying how long it was waited for. [`Termination::ring_wait`] says what the wait
    /// took. The wait has its own bound and moves the terminate's deadline on by the time it took. The cancel after
    /// the wait is one of the `max_attempts`: a call found ringing when none is left is not waited for.
    async fn terminate_with(
        &self,
        call_id: &CallId,
        options: &TerminateOptions,
    ) -> call_core::Result<Termination> {
        let budget = Budget::new(&self.http, call_id).with_ring_wait(options.ring_wait());
        let answer = read_first(
            &budget,
            |deadline| {
                let client = self.until(deadline);
                async move {
                    client
                        .cancel_with_attempts(call_id, Idempotency::ReadFirst)
                        .await
                }
            },
            |deadline| {
                let client = self.until(deadline);
                async move { client.get_outcome_with_attempts(call_id).await }
            },
            doubtful,
            phase,
        )
        .await;
        match answer {
            ReadFirst::Accepted {
                attempts,
                ring_wait,
            } => Ok(with_ring_wait(
                Termination::new(
                    Provider::Cartesia,
                    call_id.clone(),
                    TerminateOutcome::Terminated,
                    attempts,
                ),
                ring_wait,
            )),
            ReadFirst::Failed(error) => Err(error),
            ReadFirst::ReadFailed {
                error,
                read,
                attempts,
            } => {
                // Get Call cannot find it either: it does not exist (for this key). Any other failed read leaves
                // the cancel's error as the truest answer we have.
                let error = if read.kind() == ErrorKind::NotFound && error.status() != Some(404) {
                    read
                } else {
                    error
                };
                Err(error.with_attempts(attempts))
            }
            ReadFirst::Read {
                call,
                error,
                attempts,
                may_have_landed,
                ring_wait,
            } => resolve(call_id, &call, may_have_landed, ring_wait, error, attempts),
        }
    }

    /// The call's state, from Get Call.
    async fn state(&self, call_id: &CallId) -> call_core::Result<CallState> {
        Ok(self.get_call(call_id).await?.status.state())
    }

    fn rate_limit(&self) -> Option<&call_core::RateLimit> {
        Some(self.http.rate_limit())
    }
}

fn with_ring_wait(termination: Termination, ring_wait: Option<Duration>) -> Termination {
    match ring_wait {
        Some(waited) => termination.with_ring_wait(waited),
        None => termination,
    }
}

/// The truth about the call once Get Call has read it after a doubtful cancel. `may_have_landed`: a cancel of ours
/// may have been acted on by Cartesia.
fn resolve(
    call_id: &CallId,
    call: &CallOutcomeBody,
    may_have_landed: bool,
    ring_wait: Option<Duration>,
    error: Error,
    attempts: u32,
) -> call_core::Result<Termination> {
    let done = |outcome| {
        let termination = Termination::new(Provider::Cartesia, call_id.clone(), outcome, attempts);
        // Keep what Cartesia said to the cancel ("call is not active"), when it said something.
        let termination = match error.provider_message() {
            Some(message) => termination.with_provider_message(message),
            None => termination,
        };
        Ok(with_ring_wait(termination, ring_wait))
    };
    match call.status.state() {
        CallState::Ended => {
            // `api_cancelled` is ours only if a cancel of ours may have been acted on: a 400 or 404 on a call that was
            // over before we asked, or after a 429, means someone else's cancel ended it.
            if call.was_cancelled_by_api() && may_have_landed {
                done(TerminateOutcome::Terminated)
            } else {
                done(TerminateOutcome::AlreadyEnded)
            }
        }
        CallState::Queued => {
            let detail = match ring_wait {
                Some(waited) => format!(
                    "the call was still `created` (ringing, not yet answered) after a ring wait of {:.1} s, and \
                     Cartesia cannot cancel it before it starts: it rings for at most its `ringing_timeout_seconds` \
                     (5 to 80 s); cancel its batch, or terminate it again",
                    waited.as_secs_f64()
                ),
                None => "the call is still `created` (not yet answered) and Cartesia cannot cancel it before it \
                         starts: cancel its batch, or terminate with a ring wait to cancel it once it is `started`"
                    .to_owned(),
            };
            Err(failure(
                ErrorKind::NotTerminable,
                detail,
                call_id,
                attempts,
                error,
            ))
        }
        CallState::Active | CallState::Unknown | _ => {
            let kind = error.kind();
            // A call still active can be cancelled again: say so whatever the first error's kind (a 400 that raced
            // the call's start, a malformed 200). An unknown status leaves the first error's own answer.
            let (detail, retryable) = match call.status {
                CartesiaCallStatus::Started | CartesiaCallStatus::Active => (
                    "the cancel did not take effect: the call is still active",
                    Some(true),
                ),
                _ => (
                    "the cancel's outcome is unknown: the call's status is not one this library knows",
                    None,
                ),
            };
            let failed = failure(kind, detail.to_owned(), call_id, attempts, error);
            Err(match retryable {
                Some(retryable) => failed.with_retryable(retryable),
                None => failed,
            })
        }
    }
}

/// The error of a cancel that did not end the call: `detail` says what the read showed, and the cancel's own answer
/// (HTTP status, Cartesia's message) is kept, with its error as the source.
fn failure(
    kind: ErrorKind,
    detail: String,
    call_id: &CallId,
    attempts: u32,
    cause: Error,
) -> Error {
    Error::new(kind, detail)
        .with_provider(Provider::Cartesia)
        .with_operation("cancel call")
        .with_call_id(call_id.clone())
        .with_attempts(attempts)
        .with_request_sent(true)
        .with_answer_of(&cause)
        .with_source(cause)
}
