//! Certain termination through the new API: the truth about the call, not one request's status.

use call_core::provider_kit::{
    Budget, Idempotency, Phase, ReadCall, StillGoing, Terminating, read_first,
};
use call_core::{
    CallControl, CallId, CallState, Error, ErrorKind, Provider, Termination, async_trait,
};

use super::call::CallOutcome;
use super::calls::get_call_request;
use super::error_body::error_from;
use crate::MiraiV2Client;

/// Whether an abort's failure leaves something to find out by reading the call: a 409 (the call is already over,
/// perhaps because of our own earlier attempt), or an answer that may have come after Mirai acted (a timeout, reset,
/// 5xx after retries, a 2xx that does not prove the abort).
fn doubtful(error: &Error) -> bool {
    matches!(
        (error.kind(), error.status()),
        (ErrorKind::Conflict, Some(409))
    ) || error.is_ambiguous()
}

/// Where a read shows the call: Mirai aborts a call at every stage before its end (queued, ringing, live), so a call
/// that has not ended is live for the abort, and nothing is ever waited for.
fn phase(call: &CallOutcome) -> Phase {
    match call.status.state() {
        CallState::Queued | CallState::Active => Phase::Live,
        _ => Phase::Settled,
    }
}

impl MiraiV2Client {
    /// Get Call as `terminate` reads it: `GET /v2/calls/{id}`, of which only `status` and `ended_reason` are decoded.
    async fn get_outcome_with_attempts(
        &self,
        call_id: &CallId,
    ) -> call_core::Result<(CallOutcome, u32)> {
        let response = self.http.send(get_call_request(call_id)).await?;
        if !response.is_success() {
            return Err(error_from(&response));
        }
        Ok((CallOutcome::read(&response)?, response.attempts()))
    }
}

#[async_trait]
impl CallControl for MiraiV2Client {
    fn provider(&self) -> Provider {
        Provider::MiraiV2
    }

    /// Aborts the call at any stage (queued, ringing or live) and answers the truth about it, reading the call when
    /// the abort's answer leaves doubt.
    ///
    /// - A 2xx that proves the abort: [`Terminated`](call_core::TerminateOutcome::Terminated).
    /// - 409 `conflict` (the call is already over): Get Call decides, of which only `status` and `ended_reason` are
    ///   read. A call that ended `aborted` / `aborted-by-api` is `Terminated` when an abort of ours may have been
    ///   acted on by Mirai (one that timed out, broke, or got a 5xx or an unclear 2xx; never a 429 or a refusal),
    ///   else [`AlreadyEnded`](call_core::TerminateOutcome::AlreadyEnded); a call that ended any other way is
    ///   `AlreadyEnded`.
    /// - A doubtful answer (timeout or reset after sending, a 5xx, a 2xx that does not prove the abort): Get Call
    ///   decides. Ended `aborted-by-api`: `Terminated` (our lost abort did it); ended otherwise: `AlreadyEnded`;
    ///   still queued, ringing or live: the abort goes again, read first every time, up to the client's
    ///   `max_attempts` aborts in all; when none took effect, the last abort's error is returned as the cause.
    /// - 404 and any other failure (401, 403, 429 after retries, a connection that never opened) are returned as
    ///   they are: nothing happened.
    ///
    /// One deadline bounds the whole terminate, every abort, read, retry and `Retry-After` wait included: the
    /// client's [`operation_timeout`](call_core::RetryConfig::operation_timeout) (30 s by default) from the start.
    /// A request the deadline leaves no time for is not sent. When Get Call fails too, the abort's own error is
    /// returned. An abort is sent again without a read only when Mirai certainly did not act on it (a 429, a
    /// connection that never opened), so Mirai never gets a second abort for a call the first one ended.
    ///
    /// Mirai aborts a ringing call as it does a live one, so [`terminate_with`](CallControl::terminate_with) and
    /// its ring wait change nothing here: the default body calls this.
    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        let budget = Budget::new(&self.http, call_id);
        let answer = read_first(
            &budget,
            |deadline| {
                let client = self.until(deadline);
                async move {
                    let accepted = client.abort_with(call_id, Idempotency::ReadFirst).await?;
                    Ok(accepted.attempts)
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
                provider: Provider::MiraiV2,
                operation: "abort call",
                request: "abort",
                call_id,
            },
            |_, _| StillGoing {
                kind: None,
                detail: "the abort did not take effect: the call is still queued, ringing or live"
                    .to_owned(),
                retryable: Some(true),
            },
        )
    }

    /// The call's provider-neutral state, from Get Call: `queued` and `dialing` are
    /// [`CallState::Queued`], `in_progress` [`CallState::Active`], every terminal status [`CallState::Ended`].
    async fn state(&self, call_id: &CallId) -> call_core::Result<CallState> {
        Ok(self.get_call(call_id).await?.status.state())
    }

    fn rate_limit(&self) -> Option<&call_core::RateLimit> {
        Some(self.http.rate_limit())
    }
}

impl ReadCall for CallOutcome {
    fn state(&self) -> CallState {
        self.status.state()
    }

    fn ended_by_api(&self) -> bool {
        self.was_aborted_by_api()
    }
}

/// For "stop calling this number" ([`call_core::stop_number::stop_number`]): the new API has a do-not-call list and
/// can find the queued, dialing and in-progress calls to a number.
///
/// The do-not-call list applies to campaigns, at dial time; a single `POST /v2/calls` still dials a listed number
/// (Mirai's docs), so stop creating calls to it in your own system as well.
#[async_trait]
impl call_core::stop_number::NumberControl for MiraiV2Client {
    async fn suppress_number(
        &self,
        number: &call_core::PhoneNumber,
    ) -> call_core::Result<call_core::stop_number::Suppression> {
        use call_core::stop_number::Suppression;
        Ok(match self.add_to_dnc(number).await? {
            super::DncAdded::Added => Suppression::Added,
            super::DncAdded::AlreadyListed => Suppression::AlreadyListed,
        })
    }

    fn find_calls_to(
        &self,
        number: &call_core::PhoneNumber,
    ) -> futures_util::stream::BoxStream<'static, call_core::Result<CallId>> {
        use futures_util::StreamExt;
        self.find_active_calls_to(number)
            .map(|call| call.map(|call| call.id))
            .boxed()
    }
}
