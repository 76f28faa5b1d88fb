//! `bare`: the baseline, the same cancel requests from a plain `reqwest::Client` and no SDK logic.
//!
//! Each request carries exactly the headers the SDK sends (`Authorization`, `Cartesia-Version`, `Accept`,
//! `User-Agent`), so both modes put the same bytes on the wire. The loop checks the status and nothing else; it
//! still reads the short body, because a response dropped unread closes its connection instead of returning it to
//! the pool, which would make the baseline slower, not leaner.

use std::time::Instant;

use anyhow::{Context, Result};
use futures_util::stream::{self, StreamExt};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};

use crate::Calls;
use crate::latency::Latencies;
use crate::measurement::Measurement;
use crate::process_usage;

/// Runs the loop and measures it.
///
/// # Errors
///
/// When the environment or `/proc/self` cannot be read. Calls that fail are counted, not errors.
pub(crate) async fn run(calls: &Calls) -> Result<Measurement> {
    let ticks = process_usage::ticks_per_second();
    let (base_url, key) = crate::simulator_env()?;
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {key}")).context("the key is not header-safe")?,
    );
    headers.insert("cartesia-version", HeaderValue::from_static("2026-03-01"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    // The SDK's own `User-Agent` (its crates are versioned in lockstep with this one), so the requests are byte for
    // byte the same.
    let agent = calls_facade::core::user_agent("cartesia-calls", env!("CARGO_PKG_VERSION"));
    headers.insert(
        USER_AGENT,
        HeaderValue::from_str(&agent).context("the user agent is not header-safe")?,
    );
    let http = reqwest::Client::new();

    let cpu_before = process_usage::now(ticks)?.cpu;
    let started = Instant::now();
    let mut answers = stream::iter(calls.ids())
        .map(|id| {
            let request = http
                .post(format!("{base_url}/agents/calls/{id}/cancel"))
                .headers(headers.clone())
                .send();
            async move {
                let sent = Instant::now();
                let answer = match request.await {
                    Ok(response) => {
                        let status = response.status();
                        let _ = response.bytes().await;
                        if status == reqwest::StatusCode::OK {
                            Ok(())
                        } else {
                            Err(format!("{id}: answered {status}"))
                        }
                    }
                    Err(error) => Err(format!("{id}: {error}")),
                };
                (answer, sent.elapsed())
            }
        })
        .buffer_unordered(calls.concurrency.max(1));
    let mut ok = 0;
    let mut first_failure = None;
    let mut latencies = Vec::with_capacity(calls.count as usize);
    while let Some((answer, took)) = answers.next().await {
        latencies.push(took);
        match answer {
            Ok(()) => ok += 1,
            Err(failure) => {
                first_failure.get_or_insert(failure);
            }
        }
    }
    let elapsed = started.elapsed();
    let usage = process_usage::now(ticks)?;
    Ok(Measurement {
        mode: "bare",
        calls: calls.count,
        ok,
        first_failure,
        elapsed,
        latencies: Latencies::new(latencies),
        cpu: usage.cpu.saturating_sub(cpu_before),
        usage,
    })
}
