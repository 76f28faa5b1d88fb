//! The delay before a retry, as a pure function.

use std::time::Duration;

use crate::RetryConfig;

/// The delay before retry number `retry` (1 = the first retry), given a `random` number in `[0, 1)`.
///
/// The cap doubles from `initial_backoff` at each retry and stops at `max_backoff`; with jitter on, the delay is
/// `random` times the cap ("full jitter", which spreads many clients' retries apart), and with jitter off it is the
/// cap. A pure function, so tests pin the schedule.
///
/// ```
/// use std::time::Duration;
/// use call_core::{RetryConfig, provider_kit::backoff_delay};
///
/// let retry = RetryConfig::standard().with_jitter(false);
/// assert_eq!(backoff_delay(&retry, 1, 0.5), Duration::from_millis(200));
/// assert_eq!(backoff_delay(&retry, 2, 0.5), Duration::from_millis(400));
/// assert_eq!(backoff_delay(&retry, 30, 0.5), Duration::from_secs(5));
/// ```
pub fn backoff_delay(config: &RetryConfig, retry: u32, random: f64) -> Duration {
    // Doubles until it reaches `max_backoff`: at most 128 doublings from any non-zero start, so the loop is short
    // whatever the retry number.
    let max = config.max_backoff();
    let mut cap = config.initial_backoff().min(max);
    let mut doublings = retry.saturating_sub(1);
    while doublings > 0 && !cap.is_zero() && cap < max {
        cap = cap.saturating_mul(2).min(max);
        doublings -= 1;
    }
    if config.jitter() {
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // Not `mul_f64`: it panics when rounding takes a huge cap past `Duration::MAX`.
        Duration::try_from_secs_f64(cap.as_secs_f64() * random).map_or(cap, |delay| delay.min(cap))
    } else {
        cap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_double_then_stop() {
        let config = RetryConfig::standard()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(700))
            .with_jitter(false);
        let delays: Vec<u128> = (1..=6)
            .map(|n| backoff_delay(&config, n, 0.3).as_millis())
            .collect();
        assert_eq!(delays, [100, 200, 400, 700, 700, 700]);
    }

    #[test]
    fn full_jitter_scales_the_cap_and_never_exceeds_it() {
        let config = RetryConfig::standard().with_initial_backoff(Duration::from_millis(100));
        assert_eq!(backoff_delay(&config, 2, 0.5), Duration::from_millis(100));
        assert_eq!(backoff_delay(&config, 1, 0.0), Duration::ZERO);
        for random in [-1.0, 2.0, f64::NAN, f64::INFINITY] {
            assert!(backoff_delay(&config, 3, random) <= Duration::from_millis(400));
        }
        assert_eq!(backoff_delay(&config, u32::MAX, 1.0), config.max_backoff());
    }
}
