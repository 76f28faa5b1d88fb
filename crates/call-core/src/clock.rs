//! The time every resend wait reads and sleeps on, injectable so a test can drive it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// The clock and sleep of a client's resend waits: every backoff, `Retry-After` wait, rate-limit gate wait, ring-wait
/// poll and Mirai v2 duplicate wait sleeps through it, and every deadline is read from it.
///
/// The default, [`TokioClock`], is `Instant::now()` and `tokio::time::sleep`. A test sets its own with
/// [`RetryConfig::with_clock`](crate::RetryConfig::with_clock): a sleep that records what it was asked for and returns
/// at once, and a `now()` that moves on by what was slept, runs a 50 s `Retry-After` in no time.
///
/// What stays on tokio's clock: the attempt timeout (an I/O timeout, not a wait) and the rate-limit gate's own
/// record of when it opens. A request that slept out the pause its own 429 set does not wait at the gate for it
/// again, so a fake clock is not held up there.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now.
    fn now(&self) -> Instant;

    /// A future that ends `duration` from now.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// `Instant::now()` and `tokio::time::sleep`: the clock every client uses unless told otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(duration))
    }
}
