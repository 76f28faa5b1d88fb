//! Terminating many calls at once: bounded, adaptive, and accountable for every id.

use std::collections::HashSet;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::{CallControl, CallId, Error, ErrorKind, Provider, Termination};

type InFlight = Pin<Box<dyn Future<Output = BulkReport> + Send>>;

/// Settings of a bulk termination.
///
/// ```
/// use call_core::bulk::BulkOptions;
///
/// let options = BulkOptions::new().with_max_concurrency(64);
/// assert_eq!(options.max_concurrency(), 64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOptions {
    max_concurrency: usize,
    deduplicate: bool,
}

impl BulkOptions {
    /// The defaults: at most 32 requests in flight, repeated ids deduplicated.
    pub fn new() -> Self {
        BulkOptions {
            max_concurrency: 32,
            deduplicate: true,
        }
    }

    /// For ids the caller knows are distinct (primary keys from one query, say): the engine keeps no record of the
    /// ids it has seen, so its memory stays constant however many ids come (`cargo xtask soak`: the same RSS at
    /// 100,000 and 1,000,000 ids), where by default it grows by 20 to 40 bytes per distinct id.
    ///
    /// Should an id come twice after all, it is terminated twice and reported twice: the second termination finds
    /// the call over and says so (`already_ended`), so every answer stays true, but there are two of them. Keep the
    /// default unless memory per id matters more than that.
    ///
    /// ```
    /// use call_core::bulk::BulkOptions;
    ///
    /// let options = BulkOptions::new().without_deduplication();
    /// assert!(!options.deduplicates());
    /// assert!(BulkOptions::new().deduplicates());
    /// ```
    #[must_use]
    pub fn without_deduplication(mut self) -> Self {
        self.deduplicate = false;
        self
    }

    /// Whether a repeated id is recognised and skipped (the default).
    pub fn deduplicates(&self) -> bool {
        self.deduplicate
    }

    /// The most terminations in flight at once (at least 1; 0 counts as 1). The engine starts here, halves it when
    /// the provider rate-limits, and raises it again by one per window of successes.
    #[must_use]
    pub fn with_max_concurrency(mut self, max: usize) -> Self {
        self.max_concurrency = max.max(1);
        self
    }

    /// The most terminations in flight at once.
    pub fn max_concurrency(&self) -> usize {
        self.max_concurrency
    }
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions::new()
    }
}

/// What became of one id in a bulk termination.
#[derive(Debug)]
#[non_exhaustive]
pub enum BulkOutcome {
    /// The call is over: terminated by us or already ended (see [`Termination::outcome`]).
    Done(Termination),
    /// The call may still be going, and the error says why (an invalid id included: it was never sent).
    Failed(Error),
    /// The batch was stopped before this id was tried: nothing was sent for it.
    NotAttempted,
}

impl BulkOutcome {
    /// The outcome's stable name: `terminated`, `already_ended`, `failed` or `not_attempted`.
    pub fn as_str(&self) -> &'static str {
        match self {
            BulkOutcome::Done(done) => done.outcome().as_str(),
            BulkOutcome::Failed(_) => "failed",
            BulkOutcome::NotAttempted => "not_attempted",
        }
    }

    /// Whether the call is known to be over.
    pub fn is_success(&self) -> bool {
        matches!(self, BulkOutcome::Done(_))
    }

    /// How many requests were sent for this id.
    pub fn attempts(&self) -> u32 {
        match self {
            BulkOutcome::Done(done) => done.attempts(),
            BulkOutcome::Failed(error) => error.attempts(),
            BulkOutcome::NotAttempted => 0,
        }
    }
}

/// One id's report: the id exactly as given, and its outcome.
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkReport {
    /// The provider.
    pub provider: Provider,
    /// The id as it was given (it may be invalid, in which case the outcome says so).
    pub call_id: String,
    /// What became of it.
    pub outcome: BulkOutcome,
}

/// Stops a running bulk termination: no new request starts, the ones in flight finish and are reported, and every
/// id not yet tried is reported as [`BulkOutcome::NotAttempted`].
#[derive(Debug, Clone)]
pub struct StopHandle(Arc<watch::Sender<bool>>);

impl StopHandle {
    /// Asks the batch to stop.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

/// The stream of reports of [`terminate_all`]: exactly one per distinct input id.
#[derive(Debug)]
pub struct BulkTermination {
    reports: mpsc::Receiver<BulkReport>,
    stop: StopHandle,
    driver: JoinHandle<()>,
}

impl BulkTermination {
    /// A handle that stops the batch (for Ctrl-C).
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }
}

impl Stream for BulkTermination {
    type Item = BulkReport;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BulkReport>> {
        self.reports.poll_recv(cx)
    }
}

impl Drop for BulkTermination {
    fn drop(&mut self) {
        // Dropping the stream stops the batch: nothing new starts. Requests already in flight run to their end in
        // their own tasks, so no call is left with a half-sent cancel.
        self.stop.stop();
        let _ = &self.driver;
    }
}

/// Terminates every call id of `ids` through `client`, with bounded concurrency, and reports each.
///
/// - **Exactly one report per distinct id**, whatever fails; a repeated id gets no second request and no second
///   report. Ids are deduplicated by a 128-bit hash (16 bytes each; 20 to 40 with the hash tables' overhead), so
///   memory grows by that much per distinct id and by nothing else: the input is read lazily and at most
///   `max_concurrency` requests and a bounded number of unread reports exist at once. `cargo xtask soak` measures
///   it over a million ids; [`BulkOptions::without_deduplication`] trades this guarantee for constant memory.
/// - **Invalid ids** (empty, control characters...) are reported as failed with [`ErrorKind::InvalidInput`] and
///   never sent.
/// - **It respects the provider**: a 429 closes the client's shared gate for its `Retry-After` (every request of
///   the client waits, see [`Throttle`](crate::http::Throttle)) and halves the concurrency; each window of
///   successes raises it by one again, up to the maximum (additive increase, multiplicative decrease).
/// - **Stopping** ([`StopHandle::stop`], or dropping the stream) starts no new request and lets those in flight
///   finish; after a stop, the remaining input is read and each distinct id is reported as
///   [`BulkOutcome::NotAttempted`] (when the stream was dropped there is nobody to report to, and the input is not
///   read further).
///
/// Must be called within a Tokio runtime: each termination runs in its own task. Read the stream from a task on
/// the runtime rather than from the thread blocked in `block_on`: there, every report costs a thread wake-up.
///
/// ```no_run
/// use std::sync::Arc;
/// use futures_util::StreamExt;
/// use call_core::{CallControl, bulk::{BulkOptions, terminate_all}};
///
/// # async fn run(client: Arc<dyn CallControl>) {
/// let ids = futures_util::stream::iter(vec!["call_1".to_owned(), "call_2".to_owned()]);
/// let mut reports = terminate_all(client, ids, BulkOptions::new());
/// while let Some(report) = reports.next().await {
///     println!("{} {}", report.call_id, report.outcome.as_str());
/// }
/// # }
/// ```
pub fn terminate_all<S>(
    client: Arc<dyn CallControl>,
    ids: S,
    options: BulkOptions,
) -> BulkTermination
where
    S: Stream<Item = String> + Send + 'static,
{
    let (report_tx, reports) = mpsc::channel(options.max_concurrency.saturating_mul(2).max(16));
    let (stop_tx, stop_rx) = watch::channel(false);
    let driver = tokio::spawn(drive(client, Box::pin(ids), options, report_tx, stop_rx));
    BulkTermination {
        reports,
        stop: StopHandle(Arc::new(stop_tx)),
        driver,
    }
}

/// The concurrency limit: halved on rate limits, raised by one per `limit` successes.
struct Limit {
    current: usize,
    max: usize,
    successes: usize,
    seen_events: u64,
}

impl Limit {
    fn on_result(&mut self, success: bool, events: u64) {
        if events > self.seen_events {
            self.seen_events = events;
            self.current = (self.current / 2).max(1);
            self.successes = 0;
        } else if success {
            self.successes += 1;
            if self.successes >= self.current {
                self.current = (self.current + 1).min(self.max);
                self.successes = 0;
            }
        }
    }
}

/// The ids seen so far, as 128-bit fingerprints, in 256 tables picked by the fingerprint's low byte.
///
/// One table would double all at once when full, holding old and new buckets together: at a million ids that
/// transient took the peak from 36 to 61 MiB (`cargo xtask soak`). Each of 256 tables grows on its own, so the
/// transient is a 256th of it.
/// Without deduplication it holds nothing and takes every id for new.
struct Seen {
    shards: Vec<HashSet<u128>>,
}

impl Seen {
    const SHARDS: usize = 256;

    fn new(deduplicate: bool) -> Seen {
        let shards = if deduplicate { Seen::SHARDS } else { 0 };
        Seen {
            shards: (0..shards).map(|_| HashSet::new()).collect(),
        }
    }

    /// Whether `id` is new (and now seen).
    fn insert(&mut self, id: &str) -> bool {
        if self.shards.is_empty() {
            return true;
        }
        let print = fingerprint(id);
        let shard = usize::from(print.to_le_bytes()[0]);
        self.shards
            .get_mut(shard)
            .is_none_or(|set| set.insert(print))
    }
}

fn fingerprint(id: &str) -> u128 {
    let mut low = DefaultHasher::new();
    id.hash(&mut low);
    let mut high = DefaultHasher::new();
    0x00C0_FFEE_u32.hash(&mut high);
    id.hash(&mut high);
    (u128::from(high.finish()) << 64) | u128::from(low.finish())
}

async fn drive(
    client: Arc<dyn CallControl>,
    mut ids: Pin<Box<dyn Stream<Item = String> + Send>>,
    options: BulkOptions,
    reports: mpsc::Sender<BulkReport>,
    mut stop: watch::Receiver<bool>,
) {
    let provider = client.provider();
    let events = || client.throttle().map_or(0, |t| t.events());
    let mut limit = Limit {
        current: options.max_concurrency,
        max: options.max_concurrency,
        successes: 0,
        seen_events: events(),
    };
    let mut seen = Seen::new(options.deduplicate);
    let mut in_flight: FuturesUnordered<InFlight> = FuturesUnordered::new();
    let mut input_done = false;
    let mut stopped = *stop.borrow();

    while !stopped {
        // Start work while there is room.
        while !input_done && !stopped && in_flight.len() < limit.current {
            let next = tokio::select! {
                biased;
                _ = stop.changed() => { stopped = true; break; }
                next = ids.next() => next,
            };
            let Some(raw) = next else {
                input_done = true;
                break;
            };
            if !seen.insert(&raw) {
                continue;
            }
            match CallId::new(raw.clone()) {
                Ok(id) => {
                    let client = Arc::clone(&client);
                    // Each termination runs in its own task: if the batch is dropped, the request in flight still
                    // runs to its end instead of being cut half-sent.
                    let task = tokio::spawn(async move {
                        match client.terminate(&id).await {
                            Ok(done) => BulkOutcome::Done(done),
                            Err(error) => BulkOutcome::Failed(error),
                        }
                    });
                    in_flight.push(Box::pin(async move {
                        let outcome = task.await.unwrap_or_else(|join_error| {
                            BulkOutcome::Failed(
                                Error::new(ErrorKind::Transport, "the termination task failed")
                                    .with_provider(provider)
                                    .with_source(join_error),
                            )
                        });
                        BulkReport {
                            provider,
                            call_id: raw,
                            outcome,
                        }
                    }));
                }
                Err(error) => {
                    let outcome = BulkOutcome::Failed(error.with_provider(provider));
                    if reports
                        .send(BulkReport {
                            provider,
                            call_id: raw,
                            outcome,
                        })
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
        if in_flight.is_empty() {
            if input_done || stopped {
                break;
            }
            continue;
        }
        // Wait for a result, or a stop.
        tokio::select! {
            biased;
            _ = stop.changed(), if !stopped => { stopped = true; }
            Some(report) = in_flight.next() => {
                limit.on_result(report.outcome.is_success(), events());
                if reports.send(report).await.is_err() {
                    return;
                }
            }
        }
    }

    // Let what is in flight finish, and report it.
    while let Some(report) = in_flight.next().await {
        if reports.send(report).await.is_err() {
            return;
        }
    }
    if input_done {
        return;
    }
    // Stopped: every distinct id not yet tried is reported as such.
    while let Some(raw) = ids.next().await {
        if seen.insert(&raw) {
            let report = BulkReport {
                provider,
                call_id: raw,
                outcome: BulkOutcome::NotAttempted,
            };
            if reports.send(report).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_halves_on_rate_limits_and_climbs_back_by_one_per_window() {
        let mut limit = Limit {
            current: 16,
            max: 16,
            successes: 0,
            seen_events: 0,
        };
        limit.on_result(false, 1);
        assert_eq!(limit.current, 8);
        limit.on_result(false, 3);
        assert_eq!(limit.current, 4);
        for _ in 0..4 {
            limit.on_result(true, 3);
        }
        assert_eq!(limit.current, 5);
        for _ in 0..1000 {
            limit.on_result(true, 3);
        }
        assert_eq!(limit.current, 16);
        for events in 4..20 {
            limit.on_result(false, events);
        }
        assert_eq!(limit.current, 1);
    }

    #[test]
    fn fingerprints_tell_ids_apart() {
        assert_eq!(fingerprint("call_1"), fingerprint("call_1"));
        assert_ne!(fingerprint("call_1"), fingerprint("call_2"));
        assert_ne!(fingerprint(""), fingerprint(" "));
    }

    #[test]
    fn seen_remembers_every_id_across_its_tables() {
        let mut seen = Seen::new(true);
        for i in 0..20_000 {
            assert!(seen.insert(&format!("call_{i}")), "call_{i} is new");
        }
        for i in 0..20_000 {
            assert!(!seen.insert(&format!("call_{i}")), "call_{i} was seen");
        }
        let used = seen.shards.iter().filter(|set| !set.is_empty()).count();
        assert_eq!(used, Seen::SHARDS, "ids spread over every table");
        assert_eq!(seen.shards.iter().map(HashSet::len).sum::<usize>(), 20_000);

        let mut nothing = Seen::new(false);
        assert!(nothing.insert("call_1") && nothing.insert("call_1"));
        assert!(nothing.shards.is_empty());
    }
}
