//! What the measuring modes report: one JSON line per run.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::latency::Latencies;
use crate::process_usage::{self, ProcessUsage};

/// The figures of one measured run.
#[derive(Debug)]
pub(crate) struct Measurement {
    pub(crate) mode: &'static str,
    pub(crate) calls: u32,
    /// Calls cancelled as asked (the SDK's `terminated`, the bare loop's 200).
    pub(crate) ok: u64,
    /// The first failure's description, if any call was not cancelled.
    pub(crate) first_failure: Option<String>,
    pub(crate) elapsed: Duration,
    pub(crate) latencies: Latencies,
    /// CPU time spent between the first request and the last answer.
    pub(crate) cpu: Duration,
    pub(crate) usage: ProcessUsage,
}

impl Measurement {
    /// The figures of a run in `mode` of `calls` calls, `ok` of them cancelled, each taking one of `latencies`,
    /// timed by `clock`.
    pub(crate) fn new(
        mode: &'static str,
        calls: u32,
        ok: u64,
        first_failure: Option<String>,
        latencies: Vec<Duration>,
        clock: Stopped,
    ) -> Self {
        Measurement {
            mode,
            calls,
            ok,
            first_failure,
            elapsed: clock.elapsed,
            latencies: Latencies::new(latencies),
            cpu: clock.usage.cpu.saturating_sub(clock.cpu_before),
            usage: clock.usage,
        }
    }

    /// The JSON line `cargo xtask bench` reads.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let seconds = self.elapsed.as_secs_f64();
        let rate = if seconds > 0.0 {
            f64::from(self.calls) / seconds
        } else {
            0.0
        };
        serde_json::json!({
            "mode": self.mode,
            "calls": self.calls,
            "ok": self.ok,
            "first_failure": self.first_failure,
            "seconds": seconds,
            "calls_per_s": rate,
            "p50_ms": millis(self.latencies.percentile(0.50)),
            "p99_ms": millis(self.latencies.percentile(0.99)),
            "cpu_s": self.cpu.as_secs_f64(),
            "process_cpu_s": self.usage.cpu.as_secs_f64(),
            "peak_rss_kib": self.usage.peak_rss_kib,
        })
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The clocks of a measured run: wall time, and this process's CPU time.
#[derive(Debug)]
pub(crate) struct Stopwatch {
    ticks_per_second: u64,
    cpu_before: Duration,
    started: Instant,
}

impl Stopwatch {
    /// Starts both clocks: call it just before the first request.
    ///
    /// # Errors
    ///
    /// When `/proc/self` cannot be read.
    pub(crate) fn start() -> Result<Self> {
        let ticks_per_second = process_usage::ticks_per_second();
        let cpu_before = process_usage::now(ticks_per_second)?.cpu;
        Ok(Stopwatch {
            ticks_per_second,
            cpu_before,
            started: Instant::now(),
        })
    }

    /// Stops both clocks: call it just after the last answer.
    ///
    /// # Errors
    ///
    /// When `/proc/self` cannot be read.
    pub(crate) fn stop(self) -> Result<Stopped> {
        let elapsed = self.started.elapsed();
        Ok(Stopped {
            elapsed,
            cpu_before: self.cpu_before,
            usage: process_usage::now(self.ticks_per_second)?,
        })
    }
}

/// What a [`Stopwatch`] read over a run.
#[derive(Debug)]
pub(crate) struct Stopped {
    elapsed: Duration,
    cpu_before: Duration,
    usage: ProcessUsage,
}
