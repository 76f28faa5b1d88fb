//! What the measuring modes report: one JSON line per run.

use std::time::Duration;

use crate::latency::Latencies;
use crate::process_usage::ProcessUsage;

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
