//! How often and how long to try.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::{Error, ErrorKind};

/// Retry and timeout settings of a client.
///
/// [`RetryConfig::standard`] is the default:
///
/// | setting | default | why |
/// | --- | --- | --- |
/// | `max_attempts` | 3 | one blip (a 502, a reset) and a second, with room to spare; more only delays the answer |
/// | `initial_backoff` | 200 ms | short: stopping a call is time-critical |
/// | `max_backoff` | 5 s | a delay cap for a long outage |
/// | `attempt_timeout` | 10 s | a cancel answers in well under a second; ten covers a slow network |
/// | `operation_timeout` | 30 s | every operation answers within this, retries and `Retry-After` waits included |
///
/// An operation is what one method call does. A `terminate` is one operation however many requests it takes (cancels
/// or aborts, reads of the call, their retries and waits): all of them share one `operation_timeout` from its start,
/// and a request that deadline leaves no time for is not sent. Only a ring wait
/// ([`TerminateOptions::with_ring_wait`](crate::TerminateOptions::with_ring_wait)) comes on top, with its own bound.
///
/// Delays use full jitter: attempt *n*'s delay is a random fraction of `min(max_backoff, initial_backoff * 2^(n-1))`
/// (see [`backoff_delay`](crate::http::backoff_delay)). A `Retry-After` from the provider replaces the computed
/// delay, and is honoured only while it fits within the operation timeout; past it, the rate-limit error is returned
/// at once with the delay in [`Error::retry_after`].
///
/// Only what is safe to repeat is retried: see [`Idempotency`](crate::http::Idempotency). Every resend decision of a
/// client is taken by one [`ResendPolicy`](crate::provider_kit::ResendPolicy) built from this config, and every wait
/// sleeps through one [`Clock`](crate::Clock) (tokio's unless [`with_clock`](RetryConfig::with_clock) sets another).
///
/// ```
/// use std::time::Duration;
/// use call_core::RetryConfig;
///
/// let retry = RetryConfig::standard().with_max_attempts(5).with_attempt_timeout(Duration::from_secs(2));
/// assert_eq!(retry.max_attempts(), 5);
/// assert_eq!(RetryConfig::disabled().max_attempts(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    attempt_timeout: Duration,
    operation_timeout: Duration,
    jitter: bool,
    jitter_seed: Option<u64>,
    clock: Option<Arc<dyn Clock>>,
}

/// Settings are equal when every value is, and both use tokio's clock or the same clock.
impl PartialEq for RetryConfig {
    fn eq(&self, other: &Self) -> bool {
        let same_clock = match (&self.clock, &other.clock) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.max_attempts == other.max_attempts
            && self.initial_backoff == other.initial_backoff
            && self.max_backoff == other.max_backoff
            && self.attempt_timeout == other.attempt_timeout
            && self.operation_timeout == other.operation_timeout
            && self.jitter == other.jitter
            && self.jitter_seed == other.jitter_seed
            && same_clock
    }
}

impl Eq for RetryConfig {}

impl RetryConfig {
    /// The defaults in the table above.
    pub fn standard() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(30),
            jitter: true,
            jitter_seed: None,
            clock: None,
        }
    }

    /// One attempt, no retries; the timeouts of [`RetryConfig::standard`].
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::standard()
        }
    }

    /// Sets the number of attempts in all (1 = no retries). Must be at least 1.
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the delay cap before the first retry (doubling after each one).
    #[must_use]
    pub fn with_initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Sets the largest delay between two attempts (a `Retry-After` may ask for more).
    #[must_use]
    pub fn with_max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Sets how long one attempt may take, from sending to the last byte of the answer. Must be above zero.
    #[must_use]
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Sets how long one operation may take in all, retries and waits included (for `terminate`, every request it
    /// sends; default 30 s). Must be above zero.
    #[must_use]
    pub fn with_operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Turns jitter off (each delay is its cap) or on.
    #[must_use]
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Seeds the jitter's random numbers, so a test gets the same delays every run.
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Sets the clock every wait of the client reads and sleeps on (default: `Instant::now()` and
    /// `tokio::time::sleep`), so a test can drive time: a sleep that records its delays and returns at once runs a
    /// 50 s `Retry-After` without waiting. See [`Clock`](crate::Clock) for what it does not cover.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The number of attempts in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first retry's delay cap.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest computed delay.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// One attempt's timeout.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// The whole operation's timeout.
    pub fn operation_timeout(&self) -> Duration {
        self.operation_timeout
    }

    /// Whether delays are jittered.
    pub fn jitter(&self) -> bool {
        self.jitter
    }

    /// The jitter seed, when set.
    pub fn jitter_seed(&self) -> Option<u64> {
        self.jitter_seed
    }

    /// The clock set by [`with_clock`](RetryConfig::with_clock), if any.
    pub fn clock(&self) -> Option<&Arc<dyn Clock>> {
        self.clock.as_ref()
    }

    /// Checks the settings; client builders call this in `build()`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `max_attempts` is 0 or a timeout is zero.
    pub fn validate(&self) -> crate::Result<()> {
        let invalid = |why: &'static str| Err(Error::new(ErrorKind::InvalidInput, why));
        if self.max_attempts == 0 {
            return invalid("retry config: max_attempts must be at least 1");
        }
        if self.attempt_timeout.is_zero() {
            return invalid("retry config: attempt_timeout must be above zero");
        }
        if self.operation_timeout.is_zero() {
            return invalid("retry config: operation_timeout must be above zero");
        }
        // Deadlines are instants: a duration of years would overflow them, and no call needs to wait that long.
        let day = Duration::from_secs(24 * 60 * 60);
        if [
            self.attempt_timeout,
            self.operation_timeout,
            self.initial_backoff,
            self.max_backoff,
        ]
        .iter()
        .any(|d| *d > day)
        {
            return invalid("retry config: timeouts and backoffs must be at most one day");
        }
        Ok(())
    }
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_settings() {
        assert!(RetryConfig::standard().validate().is_ok());
        assert!(RetryConfig::disabled().validate().is_ok());
        for bad in [
            RetryConfig::standard().with_max_attempts(0),
            RetryConfig::standard().with_attempt_timeout(Duration::ZERO),
            RetryConfig::standard().with_operation_timeout(Duration::ZERO),
            RetryConfig::standard().with_operation_timeout(Duration::MAX),
            RetryConfig::standard().with_max_backoff(Duration::MAX),
        ] {
            assert_eq!(bad.validate().unwrap_err().kind(), ErrorKind::InvalidInput);
        }
    }
}
