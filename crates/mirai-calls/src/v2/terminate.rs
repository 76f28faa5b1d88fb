//! Certain termination through the new API: the truth about the call, not one request's status.

use call_core::http::Idempotency;
use call_core::read_first::{ReadFirst, read_first};
use call_core::{
    CallControl, CallId, CallState, Error, ErrorKind, Provider, TerminateOutcome, Termination,
    async_trait,
};

use super::call::Call;
use crate::MiraiV2Client;

/// What an abort's failure leaves us to find out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doubt {
    /// 409: the call is already over, perhaps because of our own earlier attempt.
    Over,
    /// The abort may have reached Mirai but no clear answer came back: timeout, reset, 5xx after retries, a
    /// malformed 2xx.
    Ambiguous,
}

fn doubt(error: &Error) -> Option<Doubt> {
    match (error.kind(), error.status()) {
        (ErrorKind::Conflict, Some(409)) => Some(Doubt::Over),
        _ if error.is_ambiguous() => Some(Doubt::Ambiguous),
        _ => None,
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
    /// - 202: [`TerminateOutcome::Terminated`].
    /// - 409 `conflict` (the call is already over): Get Call decides. A call that ended `aborted` /
    ///   `aborted-by-api` is `Terminated` when one of our attempts may have reached Mirai before the one that got the
    ///   409 (the first got a 5xx, a reset or a timeout, and its reply was lost), else
    ///   [`TerminateOutcome::AlreadyEnded`]; a call that ended any other way is `AlreadyEnded`.
    /// - A doubtful answer (timeout or reset after sending, a 5xx, a malformed 2xx): Get Call decides. Ended
    ///   `aborted-by-api`: `Terminated` (our lost abort did it); ended otherwise: `AlreadyEnded`; still queued,
    ///   ringing or live: the abort goes again, read first every time, up to the client's `max_attempts` aborts in
    ///   all; when none took effect, the last abort's error is returned as the cause.
    /// - 404 and any other failure (401, 403, 429 after retries, a connection that never opened) are returned as
    ///   they are: nothing happened.
    ///
    /// When Get Call fails too, the abort's own error is returned. An abort is sent again without a read only when
    /// Mirai certainly did not act on it (a 429, a connection that never opened), so Mirai never gets a second abort
    /// for a call the first one ended.
    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        let answer = read_first(
            self.http.retry_config().max_attempts(),
            || async {
                let accepted = self.abort_with(call_id, Idempotency::ReadFirst).await?;
                Ok(accepted.attempts)
            },
            || self.get_counting(call_id),
            |error| doubt(error).is_some(),
            |call: &Call| matches!(call.status.state(), CallState::Queued | CallState::Active),
        )
        .await;
        match answer {
            ReadFirst::Accepted { attempts } => Ok(Termination::new(
                Provider::MiraiV2,
                call_id.clone(),
                TerminateOutcome::Terminated,
                attempts,
            )),
            ReadFirst::Failed(error) => Err(error),
            // Get Call cannot find it: it does not exist (for this key). Any other failed read leaves the abort's
            // error as the truest answer we have.
            ReadFirst::ReadFailed { read, attempts, .. } if read.kind() == ErrorKind::NotFound => {
                Err(read.with_attempts(attempts))
            }
            ReadFirst::ReadFailed {
                error, attempts, ..
            } => Err(error.with_attempts(attempts)),
            ReadFirst::Read {
                call,
                error,
                attempts,
                earlier_may_have_landed,
            } => match doubt(&error) {
                Some(doubt) => resolve(
                    call_id,
                    &call,
                    doubt,
                    earlier_may_have_landed,
                    error,
                    attempts,
                ),
                None => Err(error.with_attempts(attempts)),
            },
        }
    }

    /// The call's provider-neutral state, from Get Call: `queued` and `dialing` are
    /// [`CallState::Queued`], `in_progress` [`CallState::Active`], every terminal status [`CallState::Ended`].
    async fn state(&self, call_id: &CallId) -> call_core::Result<CallState> {
        Ok(self.get_call(call_id).await?.status.state())
    }

    fn throttle(&self) -> Option<&call_core::http::Throttle> {
        Some(self.http.throttle())
    }
}

/// The truth about the call once Get Call has read it after a doubtful abort. `earlier_may_have_landed`: an earlier
/// abort of ours may have reached Mirai.
fn resolve(
    call_id: &CallId,
    call: &Call,
    doubt: Doubt,
    earlier_may_have_landed: bool,
    error: Error,
    attempts: u32,
) -> call_core::Result<Termination> {
    let done = |outcome| {
        let termination = Termination::new(Provider::MiraiV2, call_id.clone(), outcome, attempts);
        Ok(match error.provider_message() {
            Some(message) => termination.with_provider_message(message),
            None => termination,
        })
    };
    match call.status.state() {
        CallState::Ended => {
            // A 409 on the very first attempt means the call was over before we asked, whatever ended it. After an
            // earlier attempt that may have landed (or any doubtful answer), an abort by the API is ours.
            let ours_may_have_landed = match doubt {
                Doubt::Ambiguous => true,
                Doubt::Over => earlier_may_have_landed,
            };
            if call.was_aborted_by_api() && ours_may_have_landed {
                done(TerminateOutcome::Terminated)
            } else {
                done(TerminateOutcome::AlreadyEnded)
            }
        }
        state => {
            // A call still running can be aborted again: say so whatever the first error's kind (a malformed 2xx, a
            // timeout). An unknown status leaves the first error's own answer.
            let (detail, retryable) = match state {
                CallState::Queued | CallState::Active => (
                    "the abort did not take effect: the call is still queued, ringing or live",
                    Some(true),
                ),
                _ => (
                    "the abort's outcome is unknown: the call's status is not one this library knows",
                    None,
                ),
            };
            let mut failed = Error::new(error.kind(), detail)
                .with_provider(Provider::MiraiV2)
                .with_operation("abort call")
                .with_call_id(call_id.clone())
                .with_attempts(attempts)
                .with_request_sent(true);
            if let Some(status) = error.status() {
                failed = failed.with_status(status);
            }
            if let Some(message) = error.provider_message() {
                failed = failed.with_provider_message(message);
            }
            if let Some(code) = error.provider_code() {
                failed = failed.with_provider_code(code);
            }
            if let Some(retryable) = retryable {
                failed = failed.with_retryable(retryable);
            }
            Err(failed.with_source(error))
        }
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
