//! `bare`: the baseline, the strongest plain loop a user could write in an afternoon, with no SDK logic.
//!
//! As many worker tasks as requests in flight (64 by default) are spawned on the multi-thread runtime; each takes
//! the next id from one shared queue (the id iterator behind a mutex, held only to take one), sends the cancel with
//! one shared `reqwest::Client`, reads the answer and goes back for another, until the queue is empty. The work
//! spreads over every runtime worker, as the SDK's engine does: a loop driving every request through one
//! `buffer_unordered` in one task (this mode's first form) runs on one core and flatters whatever it is compared
//! with.
//!
//! Each request carries exactly the headers the SDK sends (`Authorization`, `Cartesia-Version`, `Accept`,
//! `User-Agent`), set once as the client's default headers, so both modes put the same bytes on the wire. The loop
//! checks the status and nothing else; it still reads the short body, because a response dropped unread closes its
//! connection instead of returning it to the pool, which would make the baseline slower, not leaner. It sets no
//! timeout and never retries: less work than any client that can be trusted with a real provider.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};

use crate::Calls;
use crate::measurement::{Measurement, Stopwatch};

/// What one worker did.
#[derive(Debug, Default)]
struct Done {
    ok: u64,
    first_failure: Option<String>,
    latencies: Vec<Duration>,
}

/// Runs the loop and measures it.
///
/// # Errors
///
/// When the environment or `/proc/self` cannot be read, or a worker panicked. Calls that fail are counted, not
/// errors.
pub(crate) async fn run(calls: &Calls) -> Result<Measurement> {
    let (base_url, key) = crate::simulator_env()?;
    let mut headers = HeaderMap::new();
    let mut authorization =
        HeaderValue::from_str(&format!("Bearer {key}")).context("the key is not header-safe")?;
    authorization.set_sensitive(true);
    headers.insert(AUTHORIZATION, authorization);
    headers.insert("cartesia-version", HeaderValue::from_static("2026-03-01"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    // The SDK's own `User-Agent` (its crates are versioned in lockstep with this one), so the requests are byte for
    // byte the same.
    let agent = format!(
        "cartesia-calls/{0} call-core/{0}",
        env!("CARGO_PKG_VERSION")
    );
    headers.insert(
        USER_AGENT,
        HeaderValue::from_str(&agent).context("the user agent is not header-safe")?,
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .context("cannot build the reqwest client")?;
    let base_url: Arc<str> = base_url.into();
    workers(calls, "bare", move |id| {
        let request = http
            .post(format!("{base_url}/agents/calls/{id}/cancel"))
            .send();
        async move {
            let response = request.await.map_err(|error| format!("{id}: {error}"))?;
            let status = response.status();
            let read = response.bytes().await;
            match read {
                Ok(_) if status == reqwest::StatusCode::OK => Ok(()),
                Ok(_) => Err(format!("{id}: answered {status}")),
                Err(error) => Err(format!("{id}: {status}, then {error}")),
            }
        }
    })
    .await
}

/// Cancels every call with `cancel` from `--concurrency` worker tasks sharing one queue of ids, and measures it as
/// `mode`. `cancel` answers `Err` with a description for a call that was not cancelled.
///
/// # Errors
///
/// When `/proc/self` cannot be read, or a worker panicked.
pub(crate) async fn workers<C, F>(
    calls: &Calls,
    mode: &'static str,
    cancel: C,
) -> Result<Measurement>
where
    C: Fn(String) -> F + Clone + Send + 'static,
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let queue = Arc::new(Mutex::new(calls.ids()));
    let workers = calls.concurrency.max(1);
    let expected = calls.count as usize / workers + 1;

    let stopwatch = Stopwatch::start()?;
    let handles: Vec<_> = (0..workers)
        .map(|_| tokio::spawn(worker(cancel.clone(), Arc::clone(&queue), expected)))
        .collect();
    let mut ok = 0;
    let mut first_failure = None;
    let mut latencies = Vec::with_capacity(calls.count as usize);
    for handle in handles {
        let done = handle.await.context("a worker of the loop failed")?;
        ok += done.ok;
        if first_failure.is_none() {
            first_failure = done.first_failure;
        }
        latencies.extend(done.latencies);
    }
    let clock = stopwatch.stop()?;
    Ok(Measurement::new(
        mode,
        calls.count,
        ok,
        first_failure,
        latencies,
        clock,
    ))
}

/// One worker: takes ids from `queue` and cancels each, until the queue is empty.
async fn worker<C, F>(
    cancel: C,
    queue: Arc<Mutex<impl Iterator<Item = String>>>,
    expected: usize,
) -> Done
where
    C: Fn(String) -> F,
    F: Future<Output = Result<(), String>>,
{
    let mut done = Done {
        latencies: Vec::with_capacity(expected),
        ..Done::default()
    };
    loop {
        // The lock is released at the end of this statement, never held across an await.
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
        let Some(id) = next else {
            return done;
        };
        let sent = Instant::now();
        let answer = cancel(id).await;
        done.latencies.push(sent.elapsed());
        match answer {
            Ok(()) => done.ok += 1,
            Err(failure) => {
                done.first_failure.get_or_insert(failure);
            }
        }
    }
}
