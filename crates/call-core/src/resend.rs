//! Whether to send a request again, and when: the one place every resend decision of the workspace is taken.
//!
//! Each loop that may send something twice describes what happened to one attempt ([`Attempt`], [`Happened`]) and
//! asks its client's [`ResendPolicy`] for a [`Decision`]: send again after a delay, read the call first, or stop.
//! The loops are:
//!
//! - the HTTP path (`HttpClient::send`): every attempt of every request;
//! - `read_first`: a terminating request's doubtful answer, the read that shows the call still live, ring-wait polls;
//! - Mirai v2's create: a 409 `duplicate_call` (the first request with the key is still being processed);
//! - Mirai legacy's terminate: a 2xx abort answer it cannot confirm, and no way to read the call;
//! - Mirai v2's campaign control: a refused or unclear change, resolved by reading the campaign.
//!
//! What a provider's answer *means* stays with the provider (which statuses leave a cancel in doubt, that a 409
//! `duplicate_call` is "still processing"); how often, how long and whether to send again is decided here. There is
//! one backoff ([`backoff_delay`]), one jitter RNG per client (seeded by
//! [`RetryConfig::with_jitter_seed`](crate::RetryConfig::with_jitter_seed)) and one clock and sleep
//! ([`Clock`], set by [`RetryConfig::with_clock`](crate::RetryConfig::with_clock)).
//!
//! Every decision is one tracing event (at `INFO` when it sends again, `DEBUG` otherwise) with the attempt, its
//! status or the kind of transport failure, its latency, the decision and its reason; never a header, a body, a URL
//! or a phone number. The operation's span (provider, operation, call id) is opened by the HTTP path and by
//! `read_first`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::RetryConfig;
use crate::clock::{Clock, TokioClock};
use crate::http::{Idempotency, backoff_delay};

/// The statuses worth another attempt of an idempotent request: timeouts, rate limits and transient server errors
/// (Cartesia documents 502 on cancel as "could not be delivered; retry").
fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// What happened to one attempt, as the policy needs to know it. The provider's own knowledge comes in here, as
/// facts: `doubtful`, `final_answer`, "still processing".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Happened {
    /// An HTTP answer with this status. `final_answer`: the provider says this answer is final whatever its status
    /// (`Request::final_when`, such as Mirai v2's `campaigns_unavailable` 503).
    Answered {
        /// The HTTP status.
        status: u16,
        /// The provider says sending again cannot change this answer.
        final_answer: bool,
    },
    /// No usable answer came.
    NoAnswer {
        /// What failed, for the trace: "connect failed", "timed out", ...
        kind: &'static str,
        /// Whether the request may have reached the provider (false only when the connection never opened).
        may_have_been_sent: bool,
        /// Sending again cannot help (a success body over the cap).
        retry_cannot_help: bool,
    },
    /// A terminating request (or a campaign change) failed; `doubtful` is the provider's judgement that its answer
    /// may hide the truth (a timeout after sending, a 5xx, a refusal that may mean "already done"), which a read can
    /// settle.
    Failed {
        /// The provider's judgement: reading can tell what the request did.
        doubtful: bool,
    },
    /// The read after a doubtful answer shows the call still live: the request certainly did not end it.
    StillLive,
    /// The read shows the call still ringing, during a ring wait: the poll number is the attempt number.
    StillRinging,
    /// The provider says the first request with this idempotency key is still being processed (Mirai v2's 409
    /// `duplicate_call`): asking again with the same key gets the first answer. The wait number is the attempt number.
    StillProcessing,
    /// A 2xx the provider cannot take as its answer, and it cannot read the call to check (Mirai legacy's abort).
    Unconfirmed,
}

impl Happened {
    /// What the trace says happened.
    fn describe(self) -> &'static str {
        match self {
            Happened::Answered { .. } => "http attempt answered",
            Happened::NoAnswer { .. } => "http attempt failed",
            Happened::Failed { .. } => "request failed",
            Happened::StillLive => "the call is still live",
            Happened::StillRinging => "the call is still ringing",
            Happened::StillProcessing => "the first request with this key is still processing",
            Happened::Unconfirmed => "the answer does not confirm the request",
        }
    }
}

/// One attempt, as the policy is asked about it: its number (1 = the first), what happened, and what bounds another.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    number: u32,
    happened: Happened,
    idempotency: Idempotency,
    retry_after: Option<Duration>,
    deadline: Option<Instant>,
    latency: Option<Duration>,
}

impl Attempt {
    /// Attempt `number` (1 = the first), and what happened to it; [`Idempotency::Idempotent`], no `Retry-After`, no
    /// deadline, no latency until set.
    pub fn new(number: u32, happened: Happened) -> Self {
        Attempt {
            number,
            happened,
            idempotency: Idempotency::Idempotent,
            retry_after: None,
            deadline: None,
            latency: None,
        }
    }

    /// How the request may be repeated.
    #[must_use]
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// The provider's `Retry-After`, when it gave one.
    #[must_use]
    pub fn retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The end no wait may reach (the operation's deadline; for a ring wait, the wait's end).
    #[must_use]
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How long the attempt took, for the trace.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send the request again after `after` (sleep through the client's [`Clock`]).
    Resend {
        /// The wait before sending again.
        after: Duration,
        /// Why, in a few words.
        reason: &'static str,
    },
    /// Read the call (or campaign) before anything else: the answer leaves doubt, and sending blind could make the
    /// provider act twice.
    Read {
        /// Why, in a few words.
        reason: &'static str,
    },
    /// Send nothing more: the answer stands.
    Done {
        /// Why, in a few words.
        reason: &'static str,
    },
}

impl Decision {
    /// `resend`, `read` or `done`, as the trace says it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Resend { .. } => "resend",
            Decision::Read { .. } => "read",
            Decision::Done { .. } => "done",
        }
    }

    /// Why, in a few words.
    pub fn reason(&self) -> &'static str {
        match self {
            Decision::Resend { reason, .. }
            | Decision::Read { reason }
            | Decision::Done { reason } => reason,
        }
    }

    /// The wait before sending again, when the decision is to send again.
    pub fn resend_after(&self) -> Option<Duration> {
        match self {
            Decision::Resend { after, .. } => Some(*after),
            _ => None,
        }
    }
}

/// A client's resend rules: its [`RetryConfig`], its jitter RNG and its clock. Cheap to clone (one `Arc`); every
/// clone shares the RNG. An [`HttpClient`](crate::provider_kit::HttpClient) carries one
/// ([`HttpClient::resend_policy`](crate::provider_kit::HttpClient::resend_policy)).
#[derive(Clone)]
pub struct ResendPolicy {
    inner: Arc<Policy>,
}

struct Policy {
    retry: RetryConfig,
    rng: Mutex<fastrand::Rng>,
    clock: Arc<dyn Clock>,
}

impl ResendPolicy {
    /// The policy of `retry`: its attempts, backoff, jitter seed and clock ([`TokioClock`] unless one was set).
    pub fn new(retry: &RetryConfig) -> Self {
        let rng = match retry.jitter_seed() {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let clock = retry
            .clock()
            .cloned()
            .unwrap_or_else(|| Arc::new(TokioClock));
        ResendPolicy {
            inner: Arc::new(Policy {
                retry: retry.clone(),
                rng: Mutex::new(rng),
                clock,
            }),
        }
    }

    /// The retry settings.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// Now, by the client's clock.
    pub fn now(&self) -> Instant {
        self.inner.clock.now()
    }

    /// Sleeps `duration` through the client's clock (at once when it is zero).
    pub async fn sleep(&self, duration: Duration) {
        if !duration.is_zero() {
            self.inner.clock.sleep(duration).await;
        }
    }

    /// The full-jitter backoff before retry number `retry` (1 = the first), drawn from the client's one RNG.
    pub fn backoff(&self, retry: u32) -> Duration {
        backoff_delay(&self.inner.retry, retry, self.random())
    }

    fn random(&self) -> f64 {
        match self.inner.rng.lock() {
            Ok(mut rng) => rng.f64(),
            Err(poisoned) => poisoned.into_inner().f64(),
        }
    }

    /// What to do after `attempt`; traced as one event.
    pub fn decide(&self, attempt: &Attempt) -> Decision {
        let decision = self.rule(attempt);
        trace(attempt, &decision);
        decision
    }

    /// The rules, one arm per kind of attempt.
    fn rule(&self, attempt: &Attempt) -> Decision {
        let retry = &self.inner.retry;
        let max = retry.max_attempts();
        let number = attempt.number;
        let done = |reason| Decision::Done { reason };
        match attempt.happened {
            Happened::Answered {
                status,
                final_answer,
            } => {
                if (200..300).contains(&status) {
                    return done("answered");
                }
                let worth_another = match attempt.idempotency {
                    Idempotency::Idempotent => is_retryable_status(status),
                    // A 429 refused the request: nothing happened, so it goes again as is. Any other doubtful answer
                    // is read first, by `read_first`.
                    Idempotency::ReadFirst => status == 429,
                    // It may have been acted on: sending it again could place a second call.
                    Idempotency::NotIdempotent => false,
                };
                if !worth_another {
                    return done("not safe or not worth sending again");
                }
                if final_answer {
                    return done("the provider says this answer is final");
                }
                if number >= max {
                    return done("attempts spent");
                }
                // `Retry-After` replaces the backoff, and is honoured only while it fits in the deadline.
                let delay = attempt.retry_after.unwrap_or_else(|| self.backoff(number));
                self.within_deadline(attempt, delay, "retrying after a transient answer")
            }
            Happened::NoAnswer {
                may_have_been_sent,
                retry_cannot_help,
                ..
            } => {
                // A connection that never opened sent nothing, so any request may go again; one that may have been
                // sent goes again only when repeating it is harmless.
                if may_have_been_sent && attempt.idempotency != Idempotency::Idempotent {
                    return done("it may have been sent, and is not sent twice");
                }
                if retry_cannot_help {
                    return done("sending again cannot help");
                }
                if number >= max {
                    return done("attempts spent");
                }
                let delay = self.backoff(number);
                self.within_deadline(attempt, delay, "retrying after a failed attempt")
            }
            Happened::Failed { doubtful: true } => Decision::Read {
                reason: "the answer leaves doubt: reading before sending again",
            },
            Happened::Failed { doubtful: false } => done("a clear answer"),
            // Read first, so sending again is safe: the call runs on. No wait: the HTTP path sends nothing past the
            // deadline.
            Happened::StillLive if number < max => Decision::Resend {
                after: Duration::ZERO,
                reason: "the read shows the call still live: sending again",
            },
            Happened::StillLive => done("attempts spent"),
            Happened::StillRinging => {
                // Half to all of the backoff cap: never a burst of reads, never in lockstep with other calls.
                let delay = backoff_delay(retry, number, 0.5 + self.random() / 2.0);
                self.within_deadline(attempt, delay, "still ringing: reading again")
            }
            // Mirai replays the first answer to the same key: up to `max_attempts` waits, each request of them retried
            // as usual. A wait is at least the initial backoff, and capped (not refused) at the deadline: the request
            // is known to Mirai, and asking late still gets its answer.
            Happened::StillProcessing if number > max => done("still processing after every wait"),
            Happened::StillProcessing => {
                let delay = attempt
                    .retry_after
                    .unwrap_or_else(|| self.backoff(number).max(retry.initial_backoff()));
                let delay = match attempt.deadline {
                    Some(deadline) => delay.min(deadline.saturating_duration_since(self.now())),
                    None => delay,
                };
                Decision::Resend {
                    after: delay,
                    reason: "still processing: asking again with the same key",
                }
            }
            // Once, whatever `max_attempts`: abort is safe to repeat, and the repeat's answer ("already aborted") is
            // about a call our first request may have aborted.
            Happened::Unconfirmed if number < 2 => Decision::Resend {
                after: Duration::ZERO,
                reason: "unconfirmed, and the call cannot be read: asking once more",
            },
            Happened::Unconfirmed => done("still unconfirmed"),
        }
    }

    /// Send again after `delay` if that is before the attempt's deadline, else stop.
    fn within_deadline(
        &self,
        attempt: &Attempt,
        delay: Duration,
        reason: &'static str,
    ) -> Decision {
        match attempt.deadline {
            Some(deadline) if self.now() + delay >= deadline => Decision::Done {
                reason: "the wait would pass the deadline",
            },
            _ => Decision::Resend {
                after: delay,
                reason,
            },
        }
    }
}

impl fmt::Debug for ResendPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResendPolicy")
            .field("retry", &self.inner.retry)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The one event of a decision. Its fields are numbers and static words only.
fn trace(attempt: &Attempt, decision: &Decision) {
    let (status, error) = match attempt.happened {
        Happened::Answered { status, .. } => (Some(status), None),
        Happened::NoAnswer { kind, .. } => (None, Some(kind)),
        _ => (None, None),
    };
    let what = attempt.happened.describe();
    let latency_ms = attempt.latency.map(millis);
    let delay_ms = decision.resend_after().map(millis);
    let reason = decision.reason();
    // One event, at a level chosen at run time: a resend is worth seeing at INFO, the rest at DEBUG.
    macro_rules! attempt_event {
        ($level:expr) => {
            tracing::event!(
                $level,
                attempt = attempt.number,
                status,
                error,
                latency_ms,
                decision = decision.as_str(),
                reason,
                delay_ms,
                "{what}: {reason}"
            )
        };
    }
    if delay_ms.is_some() {
        attempt_event!(tracing::Level::INFO);
    } else {
        attempt_event!(tracing::Level::DEBUG);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max: u32) -> ResendPolicy {
        ResendPolicy::new(
            &RetryConfig::standard()
                .with_max_attempts(max)
                .with_jitter(false),
        )
    }

    fn answered(status: u16) -> Happened {
        Happened::Answered {
            status,
            final_answer: false,
        }
    }

    #[test]
    fn only_what_is_safe_to_repeat_is_sent_again() {
        let policy = policy(3);
        let far = policy.now() + Duration::from_secs(60);
        let decide = |idempotency, happened| {
            policy
                .decide(
                    &Attempt::new(1, happened)
                        .idempotency(idempotency)
                        .deadline(far),
                )
                .as_str()
        };
        use Idempotency::{Idempotent, NotIdempotent, ReadFirst};
        assert_eq!(decide(Idempotent, answered(503)), "resend");
        assert_eq!(decide(Idempotent, answered(404)), "done");
        assert_eq!(decide(Idempotent, answered(200)), "done");
        assert_eq!(decide(ReadFirst, answered(503)), "done");
        assert_eq!(decide(ReadFirst, answered(429)), "resend");
        assert_eq!(decide(NotIdempotent, answered(429)), "done");
        let unsent = Happened::NoAnswer {
            kind: "connect failed",
            may_have_been_sent: false,
            retry_cannot_help: false,
        };
        let lost = Happened::NoAnswer {
            kind: "timed out",
            may_have_been_sent: true,
            retry_cannot_help: false,
        };
        assert_eq!(decide(NotIdempotent, unsent), "resend");
        assert_eq!(decide(NotIdempotent, lost), "done");
        assert_eq!(decide(ReadFirst, lost), "done");
        assert_eq!(decide(Idempotent, lost), "resend");
        let final_503 = Happened::Answered {
            status: 503,
            final_answer: true,
        };
        assert_eq!(decide(Idempotent, final_503), "done");
    }

    #[test]
    fn retry_after_replaces_the_backoff_only_within_the_deadline() {
        let policy = policy(3);
        let deadline = policy.now() + Duration::from_secs(60);
        let within = Attempt::new(1, answered(429))
            .retry_after(Some(Duration::from_secs(50)))
            .deadline(deadline);
        assert_eq!(
            policy.decide(&within).resend_after(),
            Some(Duration::from_secs(50))
        );
        let past = within.retry_after(Some(Duration::from_secs(61)));
        assert_eq!(policy.decide(&past).as_str(), "done");
        let spent = Attempt::new(3, answered(429)).deadline(deadline);
        assert_eq!(policy.decide(&spent).reason(), "attempts spent");
    }

    #[test]
    fn read_first_steps_and_provider_facts() {
        let policy = policy(2);
        assert_eq!(
            policy
                .decide(&Attempt::new(1, Happened::Failed { doubtful: true }))
                .as_str(),
            "read"
        );
        assert_eq!(
            policy
                .decide(&Attempt::new(1, Happened::Failed { doubtful: false }))
                .as_str(),
            "done"
        );
        assert_eq!(
            policy
                .decide(&Attempt::new(1, Happened::StillLive))
                .resend_after(),
            Some(Duration::ZERO)
        );
        assert_eq!(
            policy
                .decide(&Attempt::new(2, Happened::StillLive))
                .as_str(),
            "done"
        );
        // Legacy's "ask once more" is once, whatever the attempts.
        assert_eq!(
            policy
                .decide(&Attempt::new(1, Happened::Unconfirmed))
                .as_str(),
            "resend"
        );
        assert_eq!(
            policy
                .decide(&Attempt::new(2, Happened::Unconfirmed))
                .as_str(),
            "done"
        );
        // Duplicate waits: `max_attempts` of them, at least the initial backoff, capped at the deadline.
        let deadline = policy.now() + Duration::from_secs(1);
        let wait = |number, retry_after| {
            policy
                .decide(
                    &Attempt::new(number, Happened::StillProcessing)
                        .retry_after(retry_after)
                        .deadline(deadline),
                )
                .resend_after()
        };
        assert_eq!(wait(1, None), Some(Duration::from_millis(200)));
        assert!(wait(2, Some(Duration::from_secs(5))).is_some_and(|d| d <= Duration::from_secs(1)));
        assert_eq!(wait(3, None), None);
    }
}
