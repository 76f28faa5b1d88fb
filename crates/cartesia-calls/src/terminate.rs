//! Termination that is certain: the truth about the call, not just one request's status.

use std::time::Duration;

use call_core::provider_kit::{
    Budget, Idempotency, Phase, ReadCall, StillGoing, Terminating, read_first,
};
use call_core::{
    CallControl, CallId, CallState, Error, ErrorKind, Provider, TerminateOptions, Termination,
    async_trait,
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
    /// - 200 `{"cancelled": true}`: [`Terminated`](call_core::TerminateOutcome::Terminated).
    /// - A doubtful answer (a timeout or reset after sending, a 5xx, a malformed 200, a 400 "not active", a 404 that
    ///   may mean "no active connection") is resolved with Get Call, of which only `status` and `end_reason` are
    ///   read: a call that ended with `api_cancelled` after a cancel of ours that may have been acted on (one that
    ///   timed out, broke or got a 5xx or a malformed 200; never a 429 or a refusal) is `Terminated`; a call that
    ///   ended otherwise, or that nothing of ours can have ended, is
    ///   [`AlreadyEnded`](call_core::TerminateOutcome::AlreadyEnded); a call still `created` (ringing) is
    ///   [`ErrorKind::NotTerminable`] (Cartesia cannot cancel a call before it is answered: cancel its batch, or
    ///   terminate with a ring wait); a call Get Call cannot find is [`ErrorKind::NotFound`].
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
    /// ends while ringing is [`AlreadyEnded`](call_core::TerminateOutcome::AlreadyEnded); one still ringing when the
    /// wait runs out is [`ErrorKind::NotTerminable`], saying how long it was waited for. [`Termination::ring_wait`]
    /// says what the wait took. The wait has its own bound and moves the terminate's deadline on by the time it took.
    /// The cancel after the wait is one of the `max_attempts`: a call found ringing when none is left is not waited
    /// for.
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
        answer.resolve(
            Terminating {
                provider: Provider::Cartesia,
                operation: "cancel call",
                request: "cancel",
                call_id,
            },
            still_going,
        )
    }

    /// The call's state, from Get Call.
    async fn state(&self, call_id: &CallId) -> call_core::Result<CallState> {
        Ok(self.get_call(call_id).await?.status.state())
    }

    fn rate_limit(&self) -> Option<&call_core::RateLimit> {
        Some(self.http.rate_limit())
    }
}

impl ReadCall for CallOutcomeBody {
    fn state(&self) -> CallState {
        self.status.state()
    }

    fn ended_by_api(&self) -> bool {
        self.was_cancelled_by_api()
    }
}

/// Why a call the read shows `created` or `started` is still going, after a doubtful cancel. A `created` call rings:
/// Cartesia cannot cancel it until it is answered. A `started` one can be cancelled again: say so whatever the first
/// error's kind (a 400 that raced the call's start, a malformed 200).
fn still_going(call: &CallOutcomeBody, ring_wait: Option<Duration>) -> StillGoing {
    if call.status.state() == CallState::Queued {
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
        return StillGoing {
            kind: Some(ErrorKind::NotTerminable),
            detail,
            retryable: None,
        };
    }
    StillGoing {
        kind: None,
        detail: "the cancel did not take effect: the call is still active".to_owned(),
        retryable: Some(true),
    }
}
