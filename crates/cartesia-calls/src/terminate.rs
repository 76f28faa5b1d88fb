//! Termination that is certain: the truth about the call, not just one request's status.

use call_core::http::Idempotency;
use call_core::read_first::{ReadFirst, read_first};
use call_core::{
    CallControl, CallId, CallState, CartesiaCallStatus, Error, ErrorKind, Provider,
    TerminateOutcome, Termination, async_trait,
};

use crate::{Call, CartesiaClient};

/// What a cancel's failure leaves us to find out.
enum Doubt {
    /// 400: the call was not active. Over (and perhaps by our own earlier attempt), or not yet started.
    NotActive,
    /// 404: no such call, or "no active connection".
    NotFound,
    /// The cancel may have reached Cartesia but no clear answer came back: timeout, reset, 5xx after retries, a
    /// malformed 200.
    Ambiguous,
}

fn doubt(error: &Error) -> Option<Doubt> {
    match (error.kind(), error.status()) {
        (ErrorKind::NotTerminable, Some(400)) => Some(Doubt::NotActive),
        (ErrorKind::NotFound, Some(404)) => Some(Doubt::NotFound),
        _ if error.is_ambiguous() => Some(Doubt::Ambiguous),
        _ => None,
    }
}

#[async_trait]
impl CallControl for CartesiaClient {
    fn provider(&self) -> Provider {
        Provider::Cartesia
    }

    /// Cancels the call and answers the truth about it, reading the call when the cancel's answer leaves doubt.
    ///
    /// - 200 `{"cancelled": true}`: [`TerminateOutcome::Terminated`].
    /// - A doubtful answer (a timeout or reset after sending, a 5xx, a malformed 200, a 400 "not active", a 404 that
    ///   may mean "no active connection") is resolved with Get Call: a call that ended with `api_cancelled` after one
    ///   of our cancels may have reached Cartesia is `Terminated` (our lost cancel did it); a call that ended
    ///   otherwise, or was already over at our first cancel, is [`TerminateOutcome::AlreadyEnded`]; a call still
    ///   `created` is [`ErrorKind::NotTerminable`] (Cartesia cannot cancel a call before it is answered: cancel its
    ///   batch, or wait until it starts); a call Get Call cannot find is [`ErrorKind::NotFound`].
    /// - A call the read shows still `started` after a timeout, reset or 5xx gets the cancel again, read first every
    ///   time, up to the client's `max_attempts` cancels in all. When none took effect, the error keeps the last
    ///   cancel's kind and status, has it as its `source()`, and is [retryable](Error::is_retryable).
    /// - Any other failure (401, 403, 429 after retries, a connection that never opened) is returned as is: nothing
    ///   happened. So is the cancel's error when Get Call fails too (with every request counted in its attempts).
    ///
    /// A cancel is sent again without a read only when Cartesia certainly did not act on it (a 429, a connection
    /// that never opened), so Cartesia never gets a second cancel for a call the first one ended.
    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        let answer = read_first(
            self.http.retry_config().max_attempts(),
            || self.cancel_counting(call_id, Idempotency::ReadFirst),
            || self.get_counting(call_id),
            |error| doubt(error).is_some(),
            |call: &Call| {
                matches!(
                    call.status,
                    CartesiaCallStatus::Started | CartesiaCallStatus::Active
                )
            },
        )
        .await;
        match answer {
            ReadFirst::Accepted { attempts } => Ok(Termination::new(
                Provider::Cartesia,
                call_id.clone(),
                TerminateOutcome::Terminated,
                attempts,
            )),
            ReadFirst::Failed(error) => Err(error),
            ReadFirst::ReadFailed {
                error,
                read,
                attempts,
            } => {
                // Get Call cannot find it either: it does not exist (for this key). Any other failed read leaves
                // the cancel's error as the truest answer we have.
                let error = if read.kind() == ErrorKind::NotFound
                    && !matches!(doubt(&error), Some(Doubt::NotFound))
                {
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

    /// The call's state, from Get Call.
    async fn state(&self, call_id: &CallId) -> call_core::Result<CallState> {
        Ok(self.get_call(call_id).await?.status.state())
    }

    fn throttle(&self) -> Option<&call_core::http::Throttle> {
        Some(self.http.throttle())
    }
}

/// The truth about the call once Get Call has read it after a doubtful cancel. `earlier_may_have_landed`: an earlier
/// cancel of ours may have reached Cartesia.
fn resolve(
    call_id: &CallId,
    call: &Call,
    doubt: Doubt,
    earlier_may_have_landed: bool,
    error: Error,
    attempts: u32,
) -> call_core::Result<Termination> {
    let done = |outcome| {
        let termination = Termination::new(Provider::Cartesia, call_id.clone(), outcome, attempts);
        // Keep what Cartesia said to the cancel ("call is not active"), when it said something.
        Ok(match error.provider_message() {
            Some(message) => termination.with_provider_message(message),
            None => termination,
        })
    };
    match call.status.state() {
        CallState::Ended => {
            // Our cancel may have landed on an earlier attempt whose reply was lost. A 400 on the very first attempt
            // means the call was over before we asked, whatever ended it.
            let ours_may_have_landed = match doubt {
                Doubt::Ambiguous => true,
                Doubt::NotActive | Doubt::NotFound => earlier_may_have_landed,
            };
            if call.was_cancelled_by_api() && ours_may_have_landed {
                done(TerminateOutcome::Terminated)
            } else {
                done(TerminateOutcome::AlreadyEnded)
            }
        }
        CallState::Queued => Err(failure(
            ErrorKind::NotTerminable,
            "the call is still `created` (not yet answered) and Cartesia cannot cancel it before it starts: \
             cancel its batch, or wait until it is `started`",
            call_id,
            attempts,
            error,
        )),
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
            let failed = failure(kind, detail, call_id, attempts, error);
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
    detail: &'static str,
    call_id: &CallId,
    attempts: u32,
    cause: Error,
) -> Error {
    let mut failed = Error::new(kind, detail)
        .with_provider(Provider::Cartesia)
        .with_operation("cancel call")
        .with_call_id(call_id.clone())
        .with_attempts(attempts)
        .with_request_sent(true);
    if let Some(status) = cause.status() {
        failed = failed.with_status(status);
    }
    if let Some(message) = cause.provider_message() {
        failed = failed.with_provider_message(message);
    }
    failed.with_source(cause)
}
