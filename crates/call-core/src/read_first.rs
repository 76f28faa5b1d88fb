//! Read before sending again: the termination loop shared by the providers that can read a call.
//!
//! A cancel or abort whose answer leaves doubt (a timeout or reset after sending, a 5xx, an unclear 2xx) may have
//! ended the call. Sending it again blind could make the provider act twice, and its answer ("not active") would
//! then stand in for the truth. So a provider client sends the request as [`Idempotency::ReadFirst`], and
//! [`read_first`] reads the call after a doubtful answer and sends again only while the call is live. A call still
//! ringing, which the provider cannot stop yet (Cartesia), is waited for when the caller asked for a ring wait.
//!
//! One [`Budget`] bounds a run: a number of requests to send, and one deadline for all the requests and waits of the
//! run (the ring wait aside, which has its own bound). Whether to read, send again or poll again is the client's
//! [`ResendPolicy`]'s decision, and every wait sleeps through its clock; a run is one tracing span (provider,
//! `terminate`, call id).
//!
//! [`Idempotency::ReadFirst`]: crate::http::Idempotency::ReadFirst

use crate::error::ErrorExt;
use std::future::Future;
use std::time::{Duration, Instant};

use tracing::Instrument;

use crate::http::HttpClient;
use crate::resend::{Attempt, Decision, Happened, ResendPolicy};
use crate::{CallId, CallState, Error, ErrorKind, Provider, Result, TerminateOutcome, Termination};

/// The longest deadline or ring wait: one day (a longer one would overflow an `Instant` on some platforms, and no
/// call needs it).
const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// The limits of one [`read_first`] run for one call: how many times the request may be sent, how long the run may
/// take, and how long a ringing call may be waited for; and the client's [`ResendPolicy`], which decides within them.
#[derive(Debug, Clone)]
pub struct Budget {
    rounds: u32,
    time: Duration,
    ring_wait: Option<Duration>,
    policy: ResendPolicy,
    provider: Provider,
    call_id: CallId,
}

impl Budget {
    /// The budget `http`'s retry settings give for terminating `call_id`: the request sent up to `max_attempts`
    /// times, one `operation_timeout` for every request and wait of the run, no ring wait. Ring-wait polls back off
    /// as retries do (`initial_backoff` doubling to `max_backoff`), each delay between half and all of its cap.
    pub fn new(http: &HttpClient, call_id: &CallId) -> Self {
        let retry = http.retry_config();
        Budget {
            rounds: retry.max_attempts().max(1),
            time: retry.operation_timeout().min(MAX_WAIT),
            ring_wait: None,
            policy: http.resend_policy().clone(),
            provider: http.provider(),
            call_id: call_id.clone(),
        }
    }

    /// Waits up to `wait` (at most one day) for a call the read shows [ringing](Phase::Ringing), when a send is left
    /// in the budget. The wait is not charged to the run's deadline.
    #[must_use]
    pub fn with_ring_wait(mut self, wait: Option<Duration>) -> Self {
        self.ring_wait = wait.map(|wait| wait.min(MAX_WAIT));
        self
    }

    /// How many times the request may be sent.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    /// How long the run may take, ring wait aside.
    pub fn time(&self) -> Duration {
        self.time
    }

    /// The longest ring wait, if any.
    pub fn ring_wait(&self) -> Option<Duration> {
        self.ring_wait
    }
}

/// Where a read shows the call, for [`read_first`] to decide what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not answered yet, and the provider cannot stop it before it is (a Cartesia call still `created`): wait for it
    /// when a ring wait was asked for.
    Ringing,
    /// Running, and the request can stop it: send again while the budget allows.
    Live,
    /// Over, or in a state the library does not know: the provider decides from the read.
    Settled,
}

/// What [`read_first`] ended with, for the provider to turn into its answer.
#[derive(Debug)]
pub enum ReadFirst<C> {
    /// The provider accepted the request.
    Accepted {
        /// Every request sent, reads and ring-wait polls included.
        attempts: u32,
        /// How long the call was waited for while it rang, if it was.
        ring_wait: Option<Duration>,
    },
    /// The request failed with an answer that needs no read (a 401, a 429 after retries, a connection that never
    /// opened, or whatever the provider's `doubtful` says is clear). Its attempts count every request sent.
    Failed(Error),
    /// The request's answer left doubt and the read answered: the call is settled, still ringing (no ring wait, or it
    /// ran out), or still live when the budget ran out.
    Read {
        /// The call as last read.
        call: C,
        /// The last request's error.
        error: Error,
        /// Every request sent, reads and ring-wait polls included.
        attempts: u32,
        /// Whether any request of ours, the last one included, may have been acted on by the provider
        /// ([`Error::may_have_taken_effect`]): a 429, a refusal (400, 404, 409) or a connection that never opened
        /// does not count, so a call someone else ended is not claimed as ours.
        may_have_landed: bool,
        /// How long the call was waited for while it rang, if it was.
        ring_wait: Option<Duration>,
    },
    /// The request's answer left doubt and the read failed too (a ring-wait poll included).
    ReadFailed {
        /// The last request's error.
        error: Error,
        /// The read's error.
        read: Error,
        /// Every request sent, reads included.
        attempts: u32,
    },
}

/// What a terminate needs to know of a call it read: where the call is, and whether an API cancel or abort ended it.
pub trait ReadCall {
    /// The call's provider-neutral state.
    fn state(&self) -> CallState;

    /// Whether the call ended by a cancel or abort through the API (ours only if one of ours may have landed).
    fn ended_by_api(&self) -> bool;
}

/// Who is terminating what, for [`ReadFirst::resolve`]: the provider, its terminating request's operation
/// (`"cancel call"`) and short name (`"cancel"`), and the call.
#[derive(Debug, Clone, Copy)]
pub struct Terminating<'a> {
    /// The provider.
    pub provider: Provider,
    /// The terminating request's operation, as its errors name it.
    pub operation: &'static str,
    /// The request's short name, for error details (`"cancel"`, `"abort"`).
    pub request: &'static str,
    /// The call.
    pub call_id: &'a CallId,
}

/// Why a call the read shows queued or live is still going, in a provider's words: the error's kind (`None` keeps
/// the last request's), its detail, and whether sending again may help (`None` leaves the kind's default).
#[derive(Debug, Clone)]
pub struct StillGoing {
    /// The error's kind; `None` keeps the last request's.
    pub kind: Option<ErrorKind>,
    /// What the read showed.
    pub detail: String,
    /// Overrides [`Error::is_retryable`].
    pub retryable: Option<bool>,
}

impl<C: ReadCall> ReadFirst<C> {
    /// The one resolution step every provider's `terminate` ends with, where the providers' rules agree:
    ///
    /// - `Accepted`: [`TerminateOutcome::Terminated`], with the ring wait if there was one.
    /// - `Failed`: the error, as it is.
    /// - `ReadFailed`: the read's `NotFound` when the request itself was not a 404 (the call does not exist for this
    ///   key), else the request's error; either counts every request sent.
    /// - `Read`, the call ended: `Terminated` when the API ended it and a request of ours may have landed, else
    ///   [`TerminateOutcome::AlreadyEnded`]; the provider's message to the last request is kept.
    /// - `Read`, the call queued or live: an error built from `still_going` (the provider's words, given the call and
    ///   the ring wait), keeping the last request's status, message and code, with it as the source.
    /// - `Read`, a status this library does not know: the last request's kind, saying the outcome is unknown.
    ///
    /// # Errors
    ///
    /// As listed: whenever the call may still be going, or the provider's answer was a clear failure.
    pub fn resolve(
        self,
        who: Terminating<'_>,
        still_going: impl FnOnce(&C, Option<Duration>) -> StillGoing,
    ) -> Result<Termination> {
        let termination = |outcome, attempts| {
            Termination::new(who.provider, who.call_id.clone(), outcome, attempts)
        };
        match self {
            ReadFirst::Accepted {
                attempts,
                ring_wait,
            } => Ok(with_ring_wait(
                termination(TerminateOutcome::Terminated, attempts),
                ring_wait,
            )),
            ReadFirst::Failed(error) => Err(error),
            ReadFirst::ReadFailed {
                error,
                read,
                attempts,
            } => {
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
            } => {
                let going = match call.state() {
                    CallState::Ended => {
                        let outcome = if call.ended_by_api() && may_have_landed {
                            TerminateOutcome::Terminated
                        } else {
                            TerminateOutcome::AlreadyEnded
                        };
                        let done = termination(outcome, attempts);
                        let done = match error.provider_message() {
                            Some(message) => done.with_provider_message(message),
                            None => done,
                        };
                        return Ok(with_ring_wait(done, ring_wait));
                    }
                    CallState::Queued | CallState::Active => still_going(&call, ring_wait),
                    _ => StillGoing {
                        kind: None,
                        detail: format!(
                            "the {}'s outcome is unknown: the call's status is not one this library knows",
                            who.request
                        ),
                        retryable: None,
                    },
                };
                let mut failed = Error::new(going.kind.unwrap_or(error.kind()), going.detail)
                    .with_provider(who.provider)
                    .with_operation(who.operation)
                    .with_call_id(who.call_id.clone())
                    .with_attempts(attempts)
                    .with_request_sent(true)
                    .with_answer_of(&error);
                if let Some(retryable) = going.retryable {
                    failed = failed.with_retryable(retryable);
                }
                Err(failed.with_source(error))
            }
        }
    }
}

fn with_ring_wait(termination: Termination, ring_wait: Option<Duration>) -> Termination {
    match ring_wait {
        Some(waited) => termination.with_ring_wait(waited),
        None => termination,
    }
}

/// Sends a terminating request and resolves doubt by reading the call, within `budget`.
///
/// Each round calls `send` with the run's deadline (answering the number of requests it sent, or its error); an
/// error `doubtful` accepts is followed by `read` (the call, and the requests it sent). Then `phase` decides:
///
/// - [`Phase::Live`]: the next round sends again, while the budget has rounds left. This holds after an ambiguous
///   answer (the request may have landed, yet the call runs on) and after a certain refusal (a 400 on a call that
///   was answered in between: the refused request did nothing, so sending again is safe).
/// - [`Phase::Ringing`], with a ring wait in the budget and a round left: the call is read again with backoff until
///   it is no longer ringing or the wait runs out; a call that starts is sent the request at once.
/// - Otherwise the read decides, and the provider resolves [`ReadFirst::Read`] into its answer.
///
/// So the request is never sent again straight after a doubtful answer. Every `send` and `read` gets one deadline,
/// `budget.time()` from the start, moved on by the time spent in the ring wait; ring-wait polls get the wait's end.
///
/// ```
/// use call_core::provider_kit::{
///     BaseUrl, Budget, ErrorExt, HttpClient, HttpConfig, Phase, ReadFirst, read_first,
/// };
/// use call_core::{Error, Provider, RetryConfig};
///
/// # tokio_test_block_on(async {
/// let http = HttpClient::new(HttpConfig {
///     provider: Provider::Cartesia,
///     base_url: BaseUrl::parse("https://api.cartesia.ai")?,
///     headers: Default::default(),
///     retry: RetryConfig::standard(),
///     user_agent: "example/1".into(),
///     http_client: None,
/// })?;
/// // A call that is live: every cancel gets a 502, the read says it is still live.
/// let answer = read_first(
///     &Budget::new(&http, &"ac_1".parse()?),
///     |_deadline| async { Err::<u32, _>(Error::from_status(502).with_attempts(1)) },
///     |_deadline| async { Ok::<_, Error>(("live", 1)) },
///     |_| true,
///     |_: &&str| Phase::Live,
/// )
/// .await;
/// match answer {
///     ReadFirst::Read { attempts, .. } => assert_eq!(attempts, 6), // three cancels, three reads
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Error>(())
/// # });
/// # fn tokio_test_block_on(f: impl std::future::Future<Output = Result<(), call_core::Error>>) {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f).unwrap()
/// # }
/// ```
pub async fn read_first<C, S, SF, R, RF>(
    budget: &Budget,
    mut send: S,
    mut read: R,
    doubtful: impl Fn(&Error) -> bool,
    phase: impl Fn(&C) -> Phase,
) -> ReadFirst<C>
where
    S: FnMut(Instant) -> SF,
    SF: Future<Output = Result<u32>>,
    R: FnMut(Instant) -> RF,
    RF: Future<Output = Result<(C, u32)>>,
{
    let span = tracing::info_span!(
        "call operation",
        provider = budget.provider.as_str(),
        operation = "terminate",
        call_id = budget.call_id.as_str(),
    );
    // The rounds, inside the span.
    async move {
        let policy = &budget.policy;
        let rounds = budget.rounds.max(1);
        let mut deadline = policy.now() + budget.time;
        let mut ring = RingWait::new(budget);
        // Requests sent before the current round's request: earlier rounds, their reads, ring-wait polls.
        let mut spent = 0;
        let mut landed = false;
        let mut round = 1;
        loop {
            let error = match send(deadline).await {
                Ok(attempts) => {
                    return ReadFirst::Accepted {
                        attempts: spent + attempts,
                        ring_wait: ring.waited(),
                    };
                }
                Err(error) => error,
            };
            let judged = Happened::Failed {
                doubtful: doubtful(&error),
            };
            if !matches!(
                policy.decide(&Attempt::new(round, judged)),
                Decision::Read { .. }
            ) {
                let attempts = spent + error.attempts();
                return ReadFirst::Failed(error.with_attempts(attempts));
            }
            landed |= error.may_have_taken_effect();
            spent += error.attempts();
            let (mut call, read_attempts) = match read(deadline).await {
                Ok(found) => found,
                Err(read) => {
                    let attempts = spent + read.attempts();
                    return ReadFirst::ReadFailed {
                        error,
                        read,
                        attempts,
                    };
                }
            };
            spent += read_attempts;
            if round < rounds && phase(&call) == Phase::Ringing && ring.is_asked() {
                let entered = policy.now();
                let polled = ring.wait(policy, call, &mut read, &phase).await;
                // The ring wait has its own bound: it is not charged to the deadline of the rest.
                deadline += policy.now().saturating_duration_since(entered);
                spent += polled.attempts;
                call = match polled.answer {
                    Ok(call) => call,
                    Err(read) => {
                        return ReadFirst::ReadFailed {
                            error,
                            read,
                            attempts: spent,
                        };
                    }
                };
            }
            if phase(&call) == Phase::Live
                && matches!(
                    policy.decide(&Attempt::new(round, Happened::StillLive)),
                    Decision::Resend { .. }
                )
            {
                // No wait: the call was just read, and the HTTP path sends nothing past the deadline.
                round += 1;
                continue;
            }
            return ReadFirst::Read {
                call,
                error,
                attempts: spent,
                may_have_landed: landed,
                ring_wait: ring.waited(),
            };
        }
    }
    .instrument(span)
    .await
}

/// The ring wait of one run: its bound, when it started, what it took and how many polls it made.
struct RingWait {
    bound: Option<Duration>,
    end: Option<Instant>,
    waited: Option<Duration>,
    polls: u32,
}

/// What a ring wait ended with: the call as last read (or the poll's error), and the requests the polls sent.
struct Polled<C> {
    answer: Result<C>,
    attempts: u32,
}

impl RingWait {
    fn new(budget: &Budget) -> Self {
        RingWait {
            bound: budget.ring_wait,
            end: None,
            waited: None,
            polls: 0,
        }
    }

    fn is_asked(&self) -> bool {
        self.bound.is_some()
    }

    fn waited(&self) -> Option<Duration> {
        self.waited
    }

    /// Reads the call with backoff while it rings, until it does not or the wait's end (set at the first wait of the
    /// run) has come. A poll that fails because the end came is the wait running out, not a failed read.
    async fn wait<C, R, RF>(
        &mut self,
        policy: &ResendPolicy,
        mut call: C,
        read: &mut R,
        phase: &impl Fn(&C) -> Phase,
    ) -> Polled<C>
    where
        R: FnMut(Instant) -> RF,
        RF: Future<Output = Result<(C, u32)>>,
    {
        let entered = policy.now();
        let end = *self
            .end
            .get_or_insert_with(|| entered + self.bound.unwrap_or_default());
        let mut attempts = 0;
        let answer = loop {
            if phase(&call) != Phase::Ringing {
                break Ok(call);
            }
            self.polls += 1;
            let poll = Attempt::new(self.polls, Happened::StillRinging).deadline(end);
            let Decision::Resend { after, .. } = policy.decide(&poll) else {
                break Ok(call);
            };
            policy.sleep(after).await;
            match read(end).await {
                Ok((read_call, sent)) => {
                    attempts += sent;
                    call = read_call;
                }
                Err(error) => {
                    attempts += error.attempts();
                    if policy.now() >= end && (error.is_timeout() || error.attempts() == 0) {
                        break Ok(call);
                    }
                    break Err(error);
                }
            }
        };
        let took = policy.now().saturating_duration_since(entered);
        self.waited = Some(self.waited.unwrap_or_default() + took);
        Polled { answer, attempts }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};

    use super::*;
    use crate::{ErrorKind, RetryConfig};

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    /// The call, the requests counted and `may_have_landed` of a [`ReadFirst::Read`]; any other answer fails the test.
    fn read_call<C: std::fmt::Debug>(answer: ReadFirst<C>) -> (C, u32, bool) {
        match answer {
            ReadFirst::Read {
                call,
                attempts,
                may_have_landed,
                ..
            } => (call, attempts, may_have_landed),
            other => panic!("{other:?}"),
        }
    }

    /// A budget from a client with `retry`; nothing is sent through it.
    fn budget_of(retry: RetryConfig) -> Budget {
        let http = HttpClient::new(crate::http::HttpConfig {
            provider: Provider::Cartesia,
            base_url: crate::http::BaseUrl::parse("http://127.0.0.1:9").expect("a base URL"),
            headers: Default::default(),
            retry,
            user_agent: "test/1".into(),
            http_client: None,
        })
        .expect("a client");
        Budget::new(&http, &"ac_1".parse().expect("an id"))
    }

    fn budget() -> Budget {
        budget_of(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2))
                .with_jitter_seed(7),
        )
    }

    fn phase(call: &&str) -> Phase {
        match *call {
            "live" => Phase::Live,
            "ringing" => Phase::Ringing,
            _ => Phase::Settled,
        }
    }

    /// What a scripted run saw: the answer, the requests sent and reads made, and the deadline each got.
    struct Run {
        answer: ReadFirst<&'static str>,
        sent: usize,
        read: usize,
        send_deadlines: Vec<Instant>,
        read_deadlines: Vec<Instant>,
    }

    /// Runs `read_first` over scripted answers: `sends` in order, the call read as `states` in order (the last one
    /// repeated once they run out).
    fn run_with(
        budget: &Budget,
        sends: Vec<Result<u32>>,
        states: Vec<Result<(&'static str, u32)>>,
    ) -> Run {
        let sends = RefCell::new(sends.into_iter());
        let last = states.last().and_then(|state| state.as_ref().ok().copied());
        let states = RefCell::new(states.into_iter());
        let (sent, read) = (Cell::new(0), Cell::new(0));
        let (send_deadlines, read_deadlines) = (RefCell::new(Vec::new()), RefCell::new(Vec::new()));
        let answer = block_on(read_first(
            budget,
            |deadline| {
                sent.set(sent.get() + 1);
                send_deadlines.borrow_mut().push(deadline);
                let next = sends.borrow_mut().next();
                async move { next.unwrap_or_else(|| Err(Error::new(ErrorKind::Transport, "no more"))) }
            },
            |deadline| {
                read.set(read.get() + 1);
                read_deadlines.borrow_mut().push(deadline);
                let next = states.borrow_mut().next().or_else(|| last.map(Ok));
                async move { next.unwrap_or_else(|| Err(Error::new(ErrorKind::Transport, "no more"))) }
            },
            |error| error.is_ambiguous() || error.status() == Some(400),
            phase,
        ));
        Run {
            answer,
            sent: sent.get(),
            read: read.get(),
            send_deadlines: send_deadlines.into_inner(),
            read_deadlines: read_deadlines.into_inner(),
        }
    }

    fn run(
        sends: Vec<Result<u32>>,
        states: Vec<Result<(&'static str, u32)>>,
    ) -> (ReadFirst<&'static str>, usize, usize) {
        let run = run_with(&budget(), sends, states);
        (run.answer, run.sent, run.read)
    }

    fn bad_gateway(attempts: u32) -> Error {
        Error::from_status(502).with_attempts(attempts)
    }

    fn refused(attempts: u32) -> Error {
        Error::from_status(400).with_attempts(attempts)
    }

    #[test]
    fn an_accepted_request_reads_nothing() {
        let (answer, sent, read) = run(vec![Ok(2)], vec![]);
        assert!(matches!(
            answer,
            ReadFirst::Accepted {
                attempts: 2,
                ring_wait: None
            }
        ));
        assert_eq!((sent, read), (1, 0));
    }

    #[test]
    fn a_clear_failure_is_returned_without_a_read() {
        let (answer, sent, read) = run(vec![Err(Error::from_status(401).with_attempts(1))], vec![]);
        match answer {
            ReadFirst::Failed(error) => {
                assert_eq!((error.status(), error.attempts()), (Some(401), 1))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((sent, read), (1, 0));
    }

    #[test]
    fn a_doubtful_answer_on_an_ended_call_is_read_and_not_sent_again() {
        let (answer, sent, read) = run(vec![Err(bad_gateway(1))], vec![Ok(("ended", 1))]);
        // The 502 itself may have been acted on.
        assert_eq!(read_call(answer), ("ended", 2, true));
        assert_eq!((sent, read), (1, 1));
    }

    #[test]
    fn a_live_call_is_sent_again_after_each_read_until_it_lands() {
        let (answer, sent, read) = run(
            vec![Err(bad_gateway(1)), Err(bad_gateway(1)), Ok(1)],
            vec![Ok(("live", 1)), Ok(("live", 1))],
        );
        assert!(matches!(answer, ReadFirst::Accepted { attempts: 5, .. }));
        assert_eq!((sent, read), (3, 2));
    }

    #[test]
    fn rounds_are_bounded_and_every_request_is_counted() {
        let (answer, sent, read) = run(
            vec![
                Err(bad_gateway(1)),
                Err(bad_gateway(1)),
                Err(bad_gateway(1)),
                Ok(1),
            ],
            vec![Ok(("live", 1)), Ok(("live", 1)), Ok(("live", 1))],
        );
        assert_eq!(read_call(answer), ("live", 6, true));
        assert_eq!((sent, read), (3, 3));
    }

    #[test]
    fn a_refusal_on_a_call_that_has_since_started_is_sent_again() {
        // A 400 ("not active") certainly did not land; the read shows the call answered in between: send again.
        let (answer, sent, read) = run(vec![Err(refused(1)), Ok(1)], vec![Ok(("live", 1))]);
        assert!(matches!(answer, ReadFirst::Accepted { attempts: 3, .. }));
        assert_eq!((sent, read), (2, 1));
    }

    #[test]
    fn a_refusal_on_a_settled_call_is_read_once_and_left_to_the_provider() {
        let (answer, sent, read) = run(vec![Err(refused(1))], vec![Ok(("ended", 1))]);
        match answer {
            ReadFirst::Read {
                attempts,
                may_have_landed,
                ..
            } => assert_eq!((attempts, may_have_landed), (2, false)),
            other => panic!("{other:?}"),
        }
        assert_eq!((sent, read), (1, 1));
    }

    #[test]
    fn a_rate_limited_attempt_before_a_refusal_did_not_land() {
        // One send of two attempts: a 429 (reached the provider, refused), then a 400. Nothing of ours was acted on.
        let after_a_429 = refused(2).with_earlier_attempt_may_have_taken_effect(false);
        let (answer, ..) = run(vec![Err(after_a_429)], vec![Ok(("ended", 1))]);
        match answer {
            ReadFirst::Read {
                attempts,
                may_have_landed,
                ..
            } => assert_eq!((attempts, may_have_landed), (3, false)),
            other => panic!("{other:?}"),
        }
        // A 502 before the 400 may have been acted on.
        let after_a_502 = refused(2).with_earlier_attempt_may_have_taken_effect(true);
        let (answer, ..) = run(vec![Err(after_a_502)], vec![Ok(("ended", 1))]);
        assert!(matches!(
            answer,
            ReadFirst::Read {
                may_have_landed: true,
                ..
            }
        ));
    }

    #[test]
    fn an_earlier_round_that_may_have_landed_counts() {
        let (answer, ..) = run(
            vec![Err(bad_gateway(1)), Err(refused(1))],
            vec![Ok(("live", 1)), Ok(("ended", 1))],
        );
        assert!(matches!(
            answer,
            ReadFirst::Read {
                may_have_landed: true,
                attempts: 4,
                ..
            }
        ));
    }

    #[test]
    fn a_failed_read_keeps_both_errors_and_counts_both() {
        let unreachable = Error::from_status(503).with_attempts(3);
        let (answer, sent, read) = run(vec![Err(bad_gateway(1))], vec![Err(unreachable)]);
        match answer {
            ReadFirst::ReadFailed {
                error,
                read,
                attempts,
            } => {
                assert_eq!(
                    (error.status(), read.status(), attempts),
                    (Some(502), Some(503), 4)
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((sent, read), (1, 1));
    }

    #[test]
    fn every_request_of_a_run_gets_one_deadline() {
        let run = run_with(
            &budget(),
            vec![Err(bad_gateway(1)), Err(bad_gateway(1)), Ok(1)],
            vec![Ok(("live", 1)), Ok(("live", 1))],
        );
        let first = run.send_deadlines[0];
        assert!(
            run.send_deadlines
                .iter()
                .chain(&run.read_deadlines)
                .all(|deadline| *deadline == first)
        );
        assert_eq!((run.sent, run.read), (3, 2));
    }

    #[test]
    fn without_a_ring_wait_a_ringing_call_is_left_to_the_provider() {
        let run = run_with(&budget(), vec![Err(refused(1))], vec![Ok(("ringing", 1))]);
        assert!(matches!(
            run.answer,
            ReadFirst::Read {
                call: "ringing",
                ring_wait: None,
                ..
            }
        ));
        assert_eq!((run.sent, run.read), (1, 1));
    }

    #[test]
    fn a_ringing_call_is_polled_until_it_starts_then_sent_again_at_once() {
        let budget = budget().with_ring_wait(Some(Duration::from_secs(5)));
        let run = run_with(
            &budget,
            vec![Err(refused(1)), Ok(1)],
            vec![
                Ok(("ringing", 1)),
                Ok(("ringing", 1)),
                Ok(("ringing", 1)),
                Ok(("live", 1)),
            ],
        );
        match run.answer {
            // A cancel, four reads (three of them polls), the cancel again.
            ReadFirst::Accepted {
                attempts,
                ring_wait,
            } => {
                assert_eq!(attempts, 6);
                assert!(ring_wait.is_some());
            }
            other => panic!("{:?}", other),
        }
        assert_eq!((run.sent, run.read), (2, 4));
        // Polls end with the wait, not with the run's deadline; the wait is not charged to the deadline.
        let first = run.send_deadlines[0];
        assert!(run.read_deadlines[1..].iter().all(|d| *d != first));
        assert!(run.send_deadlines[1] > first);
    }

    #[test]
    fn a_call_that_ends_while_ringing_is_left_to_the_provider() {
        let budget = budget().with_ring_wait(Some(Duration::from_secs(5)));
        let run = run_with(
            &budget,
            vec![Err(refused(1))],
            vec![Ok(("ringing", 1)), Ok(("ended", 1))],
        );
        match run.answer {
            ReadFirst::Read {
                call,
                attempts,
                may_have_landed,
                ring_wait,
                ..
            } => {
                assert_eq!((call, attempts, may_have_landed), ("ended", 3, false));
                assert!(ring_wait.is_some());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((run.sent, run.read), (1, 2));
    }

    #[test]
    fn a_ring_wait_that_runs_out_answers_the_ringing_call_and_the_wait() {
        let wait = Duration::from_millis(30);
        let run = run_with(
            &budget().with_ring_wait(Some(wait)),
            vec![Err(refused(1))],
            vec![Ok(("ringing", 1))],
        );
        match run.answer {
            ReadFirst::Read {
                call, ring_wait, ..
            } => {
                assert_eq!(call, "ringing");
                assert!(ring_wait.is_some_and(|waited| waited <= wait + wait));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(run.sent, 1);
        assert!(run.read > 1);
    }

    #[test]
    fn no_ring_wait_without_a_send_left() {
        let one = budget_of(RetryConfig::disabled()).with_ring_wait(Some(Duration::from_secs(5)));
        let run = run_with(&one, vec![Err(refused(1))], vec![Ok(("ringing", 1))]);
        assert!(matches!(
            run.answer,
            ReadFirst::Read {
                ring_wait: None,
                ..
            }
        ));
        assert_eq!((run.sent, run.read), (1, 1));
    }

    /// A read call for [`ReadFirst::resolve`]'s tests.
    struct Read(CallState, bool);

    impl ReadCall for Read {
        fn state(&self) -> CallState {
            self.0
        }

        fn ended_by_api(&self) -> bool {
            self.1
        }
    }

    fn resolve(answer: ReadFirst<Read>) -> Result<Termination> {
        let id = CallId::new("call_1").expect("a valid id");
        answer.resolve(
            Terminating {
                provider: Provider::Cartesia,
                operation: "cancel call",
                request: "cancel",
                call_id: &id,
            },
            |_, _| StillGoing {
                kind: None,
                detail: "still going".to_owned(),
                retryable: Some(true),
            },
        )
    }

    fn read(call: Read, error: Error, may_have_landed: bool) -> ReadFirst<Read> {
        ReadFirst::Read {
            call,
            error,
            attempts: 3,
            may_have_landed,
            ring_wait: None,
        }
    }

    #[test]
    fn an_api_ending_is_ours_only_when_a_request_of_ours_may_have_landed() {
        let refused = || Error::from_status(400).with_provider_message("call is not active");
        let ours = resolve(read(Read(CallState::Ended, true), refused(), true)).expect("over");
        assert_eq!(ours.outcome(), TerminateOutcome::Terminated);
        assert_eq!(ours.attempts(), 3);
        let theirs = resolve(read(Read(CallState::Ended, true), refused(), false)).expect("over");
        assert_eq!(theirs.outcome(), TerminateOutcome::AlreadyEnded);
        assert_eq!(theirs.provider_message(), Some("call is not active"));
        let other = resolve(read(Read(CallState::Ended, false), refused(), true)).expect("over");
        assert_eq!(other.outcome(), TerminateOutcome::AlreadyEnded);
    }

    #[test]
    fn a_call_still_going_or_unknown_is_an_error_that_keeps_the_requests_answer() {
        let failed = || Error::from_status(503).with_provider_code("overloaded");
        let going = resolve(read(Read(CallState::Active, false), failed(), true)).unwrap_err();
        assert_eq!(going.kind(), ErrorKind::Upstream);
        assert_eq!(going.status(), Some(503));
        assert_eq!(going.provider_code(), Some("overloaded"));
        assert_eq!(going.attempts(), 3);
        assert!(going.is_retryable());
        assert!(going.to_string().contains("still going"), "{going}");
        let unknown = resolve(read(Read(CallState::Unknown, false), failed(), true)).unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("the cancel's outcome is unknown"),
            "{unknown}"
        );
    }

    #[test]
    fn a_failed_read_gives_not_found_only_when_the_request_was_not_a_404() {
        let read_failed = |status| ReadFirst::<Read>::ReadFailed {
            error: Error::from_status(status).with_provider_message("request answer"),
            read: Error::from_status(404).with_provider_message("read answer"),
            attempts: 2,
        };
        let missing = resolve(read_failed(503)).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert_eq!(missing.provider_message(), Some("read answer"));
        assert_eq!(missing.attempts(), 2);
        let kept = resolve(read_failed(404)).unwrap_err();
        assert_eq!(kept.provider_message(), Some("request answer"));
        assert_eq!(kept.attempts(), 2);
    }
}
