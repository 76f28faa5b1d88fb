//! `sdk`: bulk termination through the library, as `callctl cartesia cancel` does it.
//!
//! The calls go through [`terminate_all`] (bounded concurrency, deduplication, one report per id) over a
//! `CartesiaClient` built from the environment. `terminate_all` reports no timing, so the client is wrapped in
//! [`Timed`], which forwards every method and notes how long each `terminate` took: the latency of one call through
//! the whole SDK path (retry loop, body cap, classification), measured inside the engine's task like the bare loop
//! measures its own. The wrapper costs two clock reads and an uncontended lock per call, far below the noise.
//!
//! The report stream is read in a task spawned on the runtime's workers, as callctl does
//! (`crates/callctl/src/main.rs` spawns `run` onto the runtime, and `crates/callctl/src/bulk.rs` reads the reports
//! there): keep the two alike. Read in the future given to `block_on` instead, each report may wake the parked main
//! thread (callctl's old way).
//!
//! Driving `client.terminate` from plain worker tasks instead would leave out what `terminate_all` adds (a task per
//! call, the dedup set, the report channel), and that is part of what callctl pays, so that is the `sdk` figure.
//! The `client` mode does exactly that, [`run_client`], as a diagnostic run by hand: the bare loop's workers calling
//! `CartesiaClient::terminate`, so that `sdk` minus `client` is the engine's cost and `client` minus `bare` the
//! client's.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use calls_facade::RateLimit;
use calls_facade::async_trait;
use calls_facade::bulk::{BulkOptions, BulkOutcome, terminate_all};
use calls_facade::cartesia::CartesiaClient;
use calls_facade::{CallControl, CallId, CallState, Provider, TerminateOutcome, Termination};
use futures_util::stream::{self, StreamExt};

use crate::Calls;
use crate::bare;
use crate::measurement::{Measurement, Stopwatch};

/// Runs the bulk termination and measures it.
///
/// # Errors
///
/// When the client cannot be built from the environment or `/proc/self` cannot be read. Calls that fail are
/// counted, not errors.
pub(crate) async fn run(calls: &Calls) -> Result<Measurement> {
    let client = CartesiaClient::from_env().context("cannot build the Cartesia client")?;
    let timed = Arc::new(Timed {
        client,
        latencies: Mutex::new(Vec::with_capacity(calls.count as usize)),
    });
    let engine: Arc<dyn CallControl> = timed.clone();
    let options = BulkOptions::new().with_max_concurrency(calls.concurrency);

    let stopwatch = Stopwatch::start()?;
    let mut reports = terminate_all(engine, stream::iter(calls.ids()), options);
    let read = async move {
        let mut ok = 0;
        let mut first_failure = None;
        while let Some(report) = reports.next().await {
            match &report.outcome {
                BulkOutcome::Done(done) if done.outcome() == TerminateOutcome::Terminated => {
                    ok += 1;
                }
                outcome => {
                    first_failure.get_or_insert_with(|| match outcome {
                        BulkOutcome::Failed(error) => format!("{}: {error}", report.call_id),
                        other => format!("{}: {}", report.call_id, other.as_str()),
                    });
                }
            }
        }
        (ok, first_failure)
    };
    let (ok, first_failure) = tokio::spawn(read)
        .await
        .context("the task reading the reports failed")?;
    let clock = stopwatch.stop()?;

    let latencies = std::mem::take(
        &mut *timed
            .latencies
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    Ok(Measurement::new(
        "sdk",
        calls.count,
        ok,
        first_failure,
        latencies,
        clock,
    ))
}

/// Runs `CartesiaClient::terminate` for every call from the bare loop's workers ([`bare::workers`]), without the
/// bulk engine, and measures it.
///
/// # Errors
///
/// As [`run`].
pub(crate) async fn run_client(calls: &Calls) -> Result<Measurement> {
    let client = CartesiaClient::from_env().context("cannot build the Cartesia client")?;
    bare::workers(calls, "client", move |raw| {
        let client = client.clone();
        async move {
            let id = CallId::new(raw.clone()).map_err(|error| format!("{raw}: {error}"))?;
            match client.terminate(&id).await {
                Ok(done) if done.outcome() == TerminateOutcome::Terminated => Ok(()),
                Ok(done) => Err(format!("{raw}: {}", done.outcome().as_str())),
                Err(error) => Err(format!("{raw}: {error}")),
            }
        }
    })
    .await
}

/// A client that notes how long each `terminate` takes.
#[derive(Debug)]
struct Timed {
    client: CartesiaClient,
    latencies: Mutex<Vec<Duration>>,
}

#[async_trait]
impl CallControl for Timed {
    fn provider(&self) -> Provider {
        self.client.provider()
    }

    async fn terminate(&self, call_id: &CallId) -> calls_facade::Result<Termination> {
        let started = Instant::now();
        let result = self.client.terminate(call_id).await;
        let took = started.elapsed();
        self.latencies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(took);
        result
    }

    async fn state(&self, call_id: &CallId) -> calls_facade::Result<CallState> {
        self.client.state(call_id).await
    }

    // The engine watches the client's rate-limit gate to adapt its concurrency: forward it, or the engine would run
    // a different algorithm than callctl's.
    fn rate_limit(&self) -> Option<&RateLimit> {
        self.client.rate_limit()
    }
}
