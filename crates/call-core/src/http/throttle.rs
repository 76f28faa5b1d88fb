//! A client-wide pause after a rate limit, so one 429 slows every request of the client, not only the one that got
//! it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest pause a single 429 can impose on the whole client; a longer `Retry-After` still applies to the request
/// that got it (within its deadline).
const MAX_SHARED_PAUSE: Duration = Duration::from_secs(60);

/// A gate every request of one client passes before each attempt.
///
/// When any request gets a 429, the gate closes for the `Retry-After` delay (or the backoff when none was given), so
/// the client's other requests wait too instead of each hammering the provider on its own. It also counts rate-limit
/// events, which the bulk engine reads to lower its concurrency.
#[derive(Debug, Default)]
pub struct Throttle {
    paused_until: Mutex<Option<Instant>>,
    events: AtomicU64,
}

impl Throttle {
    /// An open gate.
    pub fn new() -> Self {
        Throttle::default()
    }

    /// Closes the gate for `delay` from now (capped at one minute), unless it is already closed for longer.
    pub fn pause_for(&self, delay: Duration) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let until = Instant::now() + delay.min(MAX_SHARED_PAUSE);
        let mut paused = match self.paused_until.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }

    /// How long the gate stays closed from now (zero when open).
    pub fn remaining(&self) -> Duration {
        let paused = match self.paused_until.lock() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        };
        paused.map_or(Duration::ZERO, |until| {
            until.saturating_duration_since(Instant::now())
        })
    }

    /// Waits until the gate is open, but never past `deadline`.
    pub async fn ready(&self, deadline: Instant) {
        loop {
            let wait = self.remaining();
            if wait.is_zero() {
                return;
            }
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            tokio::time::sleep(wait.min(deadline - now)).await;
        }
    }

    /// How many rate-limit answers this client has seen.
    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_longest_pause_and_counts_events() {
        let throttle = Throttle::new();
        assert_eq!(throttle.remaining(), Duration::ZERO);
        throttle.pause_for(Duration::from_secs(10));
        throttle.pause_for(Duration::from_millis(1));
        assert!(throttle.remaining() > Duration::from_secs(9));
        assert_eq!(throttle.events(), 2);
        throttle.pause_for(Duration::from_secs(3600));
        assert!(throttle.remaining() <= MAX_SHARED_PAUSE);
    }
}
