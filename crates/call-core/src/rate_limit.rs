//! A client's view of the provider's rate limiting: a client-wide pause after a 429, so one 429 slows every request
//! of the client, not only the one that got it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest pause a single 429 can impose on the whole client's gate; a longer `Retry-After` still applies to the
/// request that got it (within its deadline), and is kept whole as what the provider asked (see
/// [`RateLimit::asked_remaining`]).
const MAX_SHARED_PAUSE: Duration = Duration::from_secs(60);

/// The longest ask kept: `Retry-After` saturates at a day too (`parse_retry_after`), and it keeps `Instant`
/// arithmetic far from overflowing whatever a caller passes to [`RateLimit::pause_for`].
const MAX_ASKED_PAUSE: Duration = Duration::from_secs(24 * 60 * 60);

/// The provider's rate limiting as one client sees it: a gate every request of the client passes before each
/// attempt, and what the provider asked for.
///
/// [`CallControl::rate_limit`](crate::CallControl::rate_limit) gives a client's; the bulk engine reads it to pause
/// and slow down. A test double of [`CallControl`](crate::CallControl) can own one and record a pause with
/// [`pause_for`](RateLimit::pause_for).
///
/// When any request gets a 429, the gate closes for the `Retry-After` delay (or the backoff when none was given), so
/// the client's other requests wait too instead of each hammering the provider on its own. It also counts rate-limit
/// events, which the bulk engine reads to lower its concurrency.
///
/// The gate closes for at most 60 s per 429, so a stray `Retry-After: 86400` cannot freeze every request of a
/// client for a day. Beside it, it keeps what the provider asked, uncapped (up to a day): the bulk engine
/// pauses a run for the whole ask, and ends the run at once when the ask is longer than the caller's bound
/// (`BulkOptions::with_max_pause`), rather than waiting at a gate that would reopen early into more 429s.
#[derive(Debug, Default)]
pub struct RateLimit {
    state: Mutex<State>,
    events: AtomicU64,
}

/// When the gate opens and what the provider asked; every instant is in the past once the pause is over.
#[derive(Debug, Default)]
struct State {
    /// When the gate opens (each 429 capped at [`MAX_SHARED_PAUSE`]).
    gate_until: Option<Instant>,
    /// When the longest pause the provider asked for ends, uncapped.
    asked_until: Option<Instant>,
    /// When the current stretch of asked pauses began (pauses that overlap or touch make one stretch).
    asked_since: Option<Instant>,
    /// The length of every asked pause so far, overlaps counted once, including the part still to come.
    asked_total: Duration,
}

impl RateLimit {
    /// An open gate.
    pub fn new() -> Self {
        RateLimit::default()
    }

    /// Closes the gate for `delay` from now (capped at one minute), unless it is already closed for longer, and
    /// records the whole `delay` as what the provider asked.
    pub fn pause_for(&self, delay: Duration) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let gate = now + delay.min(MAX_SHARED_PAUSE);
        let asked = now + delay.min(MAX_ASKED_PAUSE);
        let mut state = self.state();
        if state.gate_until.is_none_or(|current| current < gate) {
            state.gate_until = Some(gate);
        }
        // Count only what this ask adds to the pauses already asked, so overlapping asks are one pause.
        let counted_until = state.asked_until.filter(|&until| until > now);
        if counted_until.is_none() {
            state.asked_since = Some(now);
        }
        let from = counted_until.unwrap_or(now);
        if asked > from {
            state.asked_total += asked - from;
            state.asked_until = Some(asked);
        }
    }

    /// How long the gate stays closed from now (zero when open).
    pub fn remaining(&self) -> Duration {
        let until = self.state().gate_until;
        until.map_or(Duration::ZERO, |until| {
            until.saturating_duration_since(Instant::now())
        })
    }

    /// How long from now the provider asked this client to wait, uncapped: the end of the longest `Retry-After` (or
    /// backoff after a 429 without one) still running, zero when none is. Never less than
    /// [`remaining`](Self::remaining).
    pub fn asked_remaining(&self) -> Duration {
        let until = self.state().asked_until;
        until.map_or(Duration::ZERO, |until| {
            until.saturating_duration_since(Instant::now())
        })
    }

    /// The whole length of the pause the provider is asking for now, from when it began to when it ends (asks that
    /// overlap make one pause); zero when none is running.
    pub fn asked_length(&self) -> Duration {
        let state = self.state();
        let now = Instant::now();
        match (state.asked_since, state.asked_until) {
            (Some(since), Some(until)) if until > now => until.saturating_duration_since(since),
            _ => Duration::ZERO,
        }
    }

    /// How long, in all, the provider has had this client paused so far: every asked pause up to now, overlaps
    /// counted once, the part still to come left out.
    pub fn paused_total(&self) -> Duration {
        let state = self.state();
        let to_come = state.asked_until.map_or(Duration::ZERO, |until| {
            until.saturating_duration_since(Instant::now())
        });
        state.asked_total.saturating_sub(to_come)
    }

    /// How many rate-limit answers this client has seen.
    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_longest_pause_and_counts_events() {
        let rate_limit = RateLimit::new();
        assert_eq!(rate_limit.remaining(), Duration::ZERO);
        rate_limit.pause_for(Duration::from_secs(10));
        rate_limit.pause_for(Duration::from_millis(1));
        assert!(rate_limit.remaining() > Duration::from_secs(9));
        assert_eq!(rate_limit.events(), 2);
        rate_limit.pause_for(Duration::from_secs(3600));
        assert!(rate_limit.remaining() <= MAX_SHARED_PAUSE);
    }

    #[test]
    fn keeps_what_the_provider_asked_beyond_the_gates_cap() {
        let rate_limit = RateLimit::new();
        assert_eq!(rate_limit.asked_remaining(), Duration::ZERO);
        assert_eq!(rate_limit.asked_length(), Duration::ZERO);
        rate_limit.pause_for(Duration::from_secs(3600));
        assert!(rate_limit.remaining() <= MAX_SHARED_PAUSE);
        assert!(rate_limit.asked_remaining() > Duration::from_secs(3599));
        assert!(rate_limit.asked_length() >= Duration::from_secs(3600));
        // Nothing of the pause has passed yet.
        assert!(rate_limit.paused_total() < Duration::from_secs(1));
        // An absurd ask saturates at a day instead of overflowing.
        rate_limit.pause_for(Duration::MAX);
        assert!(rate_limit.asked_remaining() <= MAX_ASKED_PAUSE);
        assert!(rate_limit.asked_length() > Duration::from_secs(86_399));
    }

    #[test]
    fn overlapping_asks_are_one_pause_and_past_ones_add_up() {
        let rate_limit = RateLimit::new();
        rate_limit.pause_for(Duration::from_millis(30));
        rate_limit.pause_for(Duration::from_millis(20));
        // The second ask ends within the first: one pause of 30 ms, counted once.
        assert_eq!(rate_limit.asked_length(), Duration::from_millis(30));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(rate_limit.asked_remaining(), Duration::ZERO);
        assert_eq!(rate_limit.asked_length(), Duration::ZERO);
        assert_eq!(rate_limit.paused_total(), Duration::from_millis(30));
        rate_limit.pause_for(Duration::from_millis(10));
        std::thread::sleep(Duration::from_millis(15));
        assert_eq!(rate_limit.paused_total(), Duration::from_millis(40));
    }
}
