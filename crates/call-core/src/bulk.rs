//! Terminating many calls at once: bounded, adaptive, and accountable for every id.

use crate::error::ErrorExt;
use std::collections::VecDeque;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::stream::{Stream, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::RateLimit;
use crate::{CallControl, CallId, Error, ErrorKind, Provider, TerminateOptions, Termination};

/// How many times one id is started at most when a rate limit refuses it before anything for it can have landed.
const MAX_STARTS: u32 = 5;

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
    max_pause: Duration,
    terminate: TerminateOptions,
}

impl BulkOptions {
    /// The defaults: at most 32 requests in flight, repeated ids deduplicated, provider pauses of up to 10 minutes
    /// waited out, no ring wait.
    pub fn new() -> Self {
        BulkOptions {
            max_concurrency: 32,
            deduplicate: true,
            max_pause: Duration::from_secs(600),
            terminate: TerminateOptions::new(),
        }
    }

    /// For ids the caller knows are distinct (primary keys from one query, say): the engine keeps no record of the
    /// ids it has seen, so its memory stays constant however many ids come (`cargo xtask soak`: the same RSS at
    /// 100,000 and 1,000,000 ids), where by default it grows by about 17 bytes per distinct id.
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

    /// The longest pause the provider may impose on the run before it ends (default 10 minutes).
    ///
    /// A 429's `Retry-After` pauses the whole run: no id is started until it is over, and the time waited is charged
    /// to no id (see [`terminate_all`]). When the provider asks for a pause longer than `max` in all (one
    /// `Retry-After`, or asks that overlap), the run ends at once rather than waiting: every id not yet sent is
    /// reported [`BulkOutcome::NotAttempted`], and [`Pauses::exceeded`] says how long the provider asked for.
    /// Zero ends the run at the first pause.
    ///
    /// ```
    /// use std::time::Duration;
    /// use call_core::bulk::BulkOptions;
    ///
    /// assert_eq!(BulkOptions::new().max_pause(), Duration::from_secs(600));
    /// let options = BulkOptions::new().with_max_pause(Duration::from_secs(90));
    /// assert_eq!(options.max_pause(), Duration::from_secs(90));
    /// ```
    #[must_use]
    pub fn with_max_pause(mut self, max: Duration) -> Self {
        self.max_pause = max;
        self
    }

    /// The longest pause the provider may impose before the run ends.
    pub fn max_pause(&self) -> Duration {
        self.max_pause
    }

    /// Waits up to `wait` for each call that is still ringing, and stops it the moment it is answered (off by
    /// default): every id is terminated with [`CallControl::terminate_with`] and
    /// [`TerminateOptions::with_ring_wait`], which says what the wait does, and which providers need it (Cartesia
    /// cannot cancel a call before it is answered; it rings for at most 80 s). Without it a ringing Cartesia call is
    /// reported failed, `not_terminable`, at once, and may be answered seconds later.
    ///
    /// A call waited for holds one of the [`max_concurrency`](Self::with_max_concurrency) slots while it rings, so
    /// many ringing calls slow the run; [`Termination::ring_wait`] says what each wait took.
    ///
    /// ```
    /// use std::time::Duration;
    /// use call_core::bulk::BulkOptions;
    ///
    /// assert_eq!(BulkOptions::new().ring_wait(), None);
    /// let options = BulkOptions::new().with_ring_wait(Duration::from_secs(90));
    /// assert_eq!(options.ring_wait(), Some(Duration::from_secs(90)));
    /// ```
    #[must_use]
    pub fn with_ring_wait(mut self, wait: Duration) -> Self {
        self.terminate = self.terminate.with_ring_wait(wait);
        self
    }

    /// The longest wait for a ringing call, if any.
    pub fn ring_wait(&self) -> Option<Duration> {
        self.terminate.ring_wait()
    }

    /// What each id's terminate is asked to do.
    fn terminate_options(&self) -> TerminateOptions {
        self.terminate.clone()
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
    /// The run was stopped, or ended by a provider pause longer than [`BulkOptions::max_pause`], before anything
    /// was sent for this id.
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

    /// How many requests were sent for this id. For an id the engine started again after a rate limit refused it
    /// (see [`terminate_all`]), a failure counts the refused request too; a success counts the requests of the start
    /// that succeeded.
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

/// How the provider's pauses held up a bulk termination: a cheap handle to read while the run goes on or after it.
///
/// A 429 pauses the client for its `Retry-After`; the engine then starts no id until the pause is over (see
/// [`terminate_all`]). Read [`current`](Pauses::current) to show that the run waits, not hangs ("paused by the
/// provider for 42 s"), and [`exceeded`](Pauses::exceeded) after the last report to learn whether a pause longer
/// than [`BulkOptions::max_pause`] ended the run. It reads the client's [`RateLimit`] live, so it holds a reference
/// to the client.
///
/// ```no_run
/// use std::sync::Arc;
/// use futures_util::StreamExt;
/// use call_core::{CallControl, bulk::{BulkOptions, terminate_all}};
///
/// # async fn run(client: Arc<dyn CallControl>, ids: Vec<String>) {
/// let mut reports = terminate_all(client, futures_util::stream::iter(ids), BulkOptions::new());
/// let pauses = reports.pauses();
/// while let Some(report) = reports.next().await {
///     if let Some(left) = pauses.current() {
///         eprintln!("paused by the provider for {} s", left.as_secs());
///     }
/// }
/// if let Some(asked) = pauses.exceeded() {
///     eprintln!("the provider asked for a {} s pause: the ids not sent are not_attempted", asked.as_secs());
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct Pauses(Arc<PauseRecord>);

struct PauseRecord {
    client: Arc<dyn CallControl>,
    /// The client's [`RateLimit::paused_total`] when the run began.
    before: Duration,
    /// The whole pause the provider asked for, when it was longer than the bound and ended the run.
    exceeded: OnceLock<Duration>,
    /// The run's paused total, fixed when its last report has been sent.
    finished: OnceLock<Duration>,
}

impl Pauses {
    fn new(client: Arc<dyn CallControl>) -> Pauses {
        let before = client
            .rate_limit()
            .map_or(Duration::ZERO, RateLimit::paused_total);
        Pauses(Arc::new(PauseRecord {
            client,
            before,
            exceeded: OnceLock::new(),
            finished: OnceLock::new(),
        }))
    }

    /// How much longer the run is paused from now, or `None` when it is not paused (or is over).
    ///
    /// The provider's whole ask, even past the 60 s the client's gate closes for at most (see
    /// [`RateLimit`]).
    pub fn current(&self) -> Option<Duration> {
        if self.0.finished.get().is_some() || self.0.exceeded.get().is_some() {
            return None;
        }
        let left = self.0.client.rate_limit()?.asked_remaining();
        (!left.is_zero()).then_some(left)
    }

    /// How long the provider has held the run paused so far (pauses that overlap counted once); fixed once the run
    /// is over.
    pub fn total(&self) -> Duration {
        if let Some(total) = self.0.finished.get() {
            return *total;
        }
        self.live_total()
    }

    /// Whether a pause longer than [`BulkOptions::max_pause`] ended the run, and if so how long the provider asked
    /// for in all. Then every id not yet sent was reported [`BulkOutcome::NotAttempted`]; ids already sent were
    /// reported as they ended. `None` while the run goes on, and when it ended otherwise (input exhausted, or
    /// stopped).
    pub fn exceeded(&self) -> Option<Duration> {
        self.0.exceeded.get().copied()
    }

    fn live_total(&self) -> Duration {
        self.0
            .client
            .rate_limit()
            .map_or(Duration::ZERO, RateLimit::paused_total)
            .saturating_sub(self.0.before)
    }

    fn exceed(&self, asked: Duration) {
        let _ = self.0.exceeded.set(asked);
    }

    fn finish(&self) {
        let _ = self.0.finished.set(self.live_total());
    }
}

impl fmt::Debug for Pauses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pauses")
            .field("current", &self.current())
            .field("total", &self.total())
            .field("exceeded", &self.exceeded())
            .finish()
    }
}

/// The stream of reports of [`terminate_all`]: exactly one per distinct input id.
#[derive(Debug)]
pub struct BulkTermination {
    reports: mpsc::Receiver<BulkReport>,
    stop: StopHandle,
    pauses: Pauses,
    driver: JoinHandle<()>,
}

impl BulkTermination {
    /// A handle that stops the batch (for Ctrl-C).
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// A handle that tells whether the provider has the run paused, for how long it has, and whether a pause longer
    /// than [`BulkOptions::max_pause`] ended it.
    pub fn pauses(&self) -> Pauses {
        self.pauses.clone()
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
        // their worker tasks, so no call is left with a half-sent cancel.
        self.stop.stop();
        let _ = &self.driver;
    }
}

/// Terminates every call id of `ids` through `client`, with bounded concurrency, and reports each.
///
/// - **Exactly one report per distinct id**, whatever fails; a repeated id gets no second request and no second
///   report. Ids are deduplicated by a 128-bit hash (124 bits of it kept, 14 bytes; about 17 with slack), so
///   memory grows by that much per distinct id and by nothing else: the input is read lazily and at most
///   `max_concurrency` requests and a bounded number of unread reports exist at once. `cargo xtask soak` measures
///   it over a million ids; [`BulkOptions::without_deduplication`] trades this guarantee for constant memory.
/// - **Invalid ids** (empty, control characters...) are reported as failed with [`ErrorKind::InvalidInput`] and
///   never sent.
/// - **It respects the provider**: a 429 closes the client's shared gate for its `Retry-After` (every request of
///   the client waits, see [`RateLimit`]) and halves the concurrency once per 429; each window
///   of successes raises it by one again, up to the maximum (additive increase, multiplicative decrease).
/// - **Pauses are pauses.** While the provider has the client paused, the run starts no id: it waits for the whole
///   pause the provider asked for (even past the 60 s the gate closes for at most), so waiting in line is charged to
///   no id's operation deadline, then goes on. [`BulkTermination::pauses`] shows the pause while it lasts. An id
///   the rate limit refused before anything for it can have landed (its one request answered 429, or nothing sent
///   because the gate closed as it started) is started again after the pause, up to 5 starts in all; a call whose
///   requests may have landed is never started again by the engine. A pause longer than
///   [`BulkOptions::max_pause`] (10 minutes by default) ends the run at once: the requests in flight finish, and
///   every id not yet sent is reported [`BulkOutcome::NotAttempted`] ([`Pauses::exceeded`] says why).
/// - **Stopping** ([`StopHandle::stop`], or dropping the stream) starts no new request and lets those in flight
///   finish; after a stop, the remaining input is read and each distinct id is reported as
///   [`BulkOutcome::NotAttempted`] (when the stream was dropped there is nobody to report to, and the input is not
///   read further).
///
/// Must be called within a Tokio runtime: the terminations run on worker tasks, as many as the concurrency at most,
/// so a dropped stream never cuts a request half-sent, and a termination that panics is its id's failure. Read the
/// stream from a task on
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
    let pauses = Pauses::new(Arc::clone(&client));
    let driver = tokio::spawn(drive(
        client,
        Box::pin(ids),
        options,
        report_tx,
        stop_rx,
        pauses.clone(),
    ));
    BulkTermination {
        reports,
        stop: StopHandle(Arc::new(stop_tx)),
        pauses,
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

/// The ids seen so far, as 128-bit fingerprints kept sorted in 4,096 small vectors picked by the fingerprint's top
/// 12 bits; each vector keeps the fingerprint's last 112 bits (14 bytes), so an id is told by 124 bits in all.
///
/// A hash set grows by doubling: at a million ids its tables had all just doubled, about 40 bytes an id, 51 MiB at
/// the peak (`cargo xtask bench`). A sorted vector grows by an eighth at a time, so memory stays near 17 bytes an id
/// at every size (14 for the fingerprint, the rest slack and the allocator's), with no transient of a whole table.
/// An insertion moves half of one small vector on average: at a million ids, 244 fingerprints a vector, under 2 KB.
/// Two distinct ids are taken for one with a chance of about n²/2¹²⁵: for a billion ids, 2.4e-20.
/// Without deduplication it holds nothing and takes every id for new.
struct Seen {
    shards: Vec<Vec<[u8; 14]>>,
}

impl Seen {
    const SHARDS: usize = 4096;
    /// `SHARDS` is 2^12: the fingerprint's top 12 bits pick the vector.
    const SHARD_SHIFT: u32 = 128 - 12;

    fn new(deduplicate: bool) -> Seen {
        let shards = if deduplicate { Seen::SHARDS } else { 0 };
        Seen {
            shards: (0..shards).map(|_| Vec::new()).collect(),
        }
    }

    /// Whether `id` is new (and now seen).
    fn insert(&mut self, id: &str) -> bool {
        if self.shards.is_empty() {
            return true;
        }
        let print = fingerprint(id);
        let shard = usize::try_from(print >> Seen::SHARD_SHIFT).unwrap_or(0);
        let Some(set) = self.shards.get_mut(shard) else {
            return true;
        };
        // The last 14 bytes, big-endian: ordered as the numbers they are.
        let bytes = print.to_be_bytes();
        let mut print = [0u8; 14];
        print.copy_from_slice(bytes.get(2..).unwrap_or(&[0; 14]));
        match set.binary_search(&print) {
            Ok(_) => false,
            Err(at) => {
                if set.len() == set.capacity() {
                    // Not `Vec`'s doubling: an eighth more at a time keeps the slack small at every size.
                    set.reserve_exact((set.len() / 8).max(4));
                }
                set.insert(at, print);
                true
            }
        }
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

/// One start of one id: the id as given and validated (a valid id is kept as given, so it is its own report's
/// `call_id`), and what its earlier starts cost.
struct Start {
    id: CallId,
    /// Starts so far, this one included.
    starts: u32,
    /// Requests sent by earlier starts (each refused by a rate limit).
    earlier: u32,
}

/// A start that has answered, and the worker that ran it.
struct Finished {
    worker: usize,
    start: Start,
    outcome: BulkOutcome,
}

/// Whether a start that failed with `error` was refused by a rate limit in a way that makes trying the id again
/// certainly safe: the provider refused the one request sent, or nothing was sent (the gate closed as the id
/// started). Any other failure may have reached the provider, and only `terminate` itself may decide to send again
/// after it.
fn is_refusal(error: &Error) -> bool {
    error.kind() == ErrorKind::RateLimited
        && (!error.request_may_have_been_sent()
            || (error.status() == Some(429) && error.attempts() == 1))
}

impl Finished {
    /// The report, with the requests of earlier starts counted in a failure. After the run stopped, a start refused
    /// before anything of the id was ever sent is `NotAttempted`.
    fn into_report(self, provider: Provider, stopped: bool) -> BulkReport {
        let Finished { start, outcome, .. } = self;
        let outcome = match outcome {
            BulkOutcome::Failed(error)
                if stopped
                    && start.earlier == 0
                    && is_refusal(&error)
                    && !error.request_may_have_been_sent() =>
            {
                BulkOutcome::NotAttempted
            }
            BulkOutcome::Failed(error) if start.earlier > 0 => {
                let attempts = start.earlier + error.attempts();
                BulkOutcome::Failed(error.with_attempts(attempts).with_request_sent(true))
            }
            BulkOutcome::Done(done) if start.earlier > 0 => {
                let attempts = start.earlier + done.attempts();
                BulkOutcome::Done(done.with_attempts(attempts))
            }
            other => other,
        };
        BulkReport {
            provider,
            call_id: String::from(start.id),
            outcome,
        }
    }
}

/// Reports a finished start, or puts it back in line when a rate limit refused it in a way that makes starting it
/// again safe (see [`is_refusal`]) and it has starts left. `false` when nobody reads the reports any more.
async fn settle(
    finished: Finished,
    refused: &mut VecDeque<(Start, Error)>,
    reports: &mpsc::Sender<BulkReport>,
    provider: Provider,
) -> bool {
    match finished {
        Finished {
            mut start,
            outcome: BulkOutcome::Failed(error),
            ..
        } if start.starts < MAX_STARTS && is_refusal(&error) => {
            start.earlier += error.attempts();
            refused.push_back((start, error));
            true
        }
        finished => reports
            .send(finished.into_report(provider, false))
            .await
            .is_ok(),
    }
}

/// The worker tasks that run the terminations, as many as the run's concurrency at most, started as needed.
///
/// Each termination runs in a worker, not in the driver: if the run is dropped, a request in flight still runs to
/// its end instead of being cut half-sent. A worker takes one start at a time and answers it before it takes the
/// next, so an idle worker's queue (of one) is always empty and a start given to it never waits.
struct Pool {
    client: Arc<dyn CallControl>,
    options: Arc<TerminateOptions>,
    jobs: Vec<mpsc::UnboundedSender<Start>>,
    idle: Vec<usize>,
    results_tx: mpsc::UnboundedSender<Finished>,
    results: mpsc::UnboundedReceiver<Finished>,
}

impl Pool {
    fn new(client: Arc<dyn CallControl>, options: TerminateOptions) -> Pool {
        // Unbounded, but never more than one result a worker and one start an idle worker: a bounded channel's
        // semaphore would cost every id a permit for nothing.
        let (results_tx, results) = mpsc::unbounded_channel();
        Pool {
            client,
            options: Arc::new(options),
            jobs: Vec::new(),
            idle: Vec::new(),
            results_tx,
            results,
        }
    }

    /// Starts in flight.
    fn busy(&self) -> usize {
        self.jobs.len() - self.idle.len()
    }

    /// Gives `start` to an idle worker, or to a new one.
    fn start(&mut self, start: Start) {
        let worker = match self.idle.pop() {
            Some(worker) => worker,
            None => self.spawn(),
        };
        let refused = match self.jobs.get(worker) {
            Some(jobs) => jobs.send(start).err().map(|refused| refused.0),
            None => Some(start),
        };
        if let Some(start) = refused {
            // Only a worker that is gone refuses (its runtime is shutting down): a new one takes its place and the
            // start, so no id is left without an answer.
            let (tx, rx) = mpsc::unbounded_channel();
            self.work(worker, rx);
            // The new worker holds its receiver: this send cannot fail.
            let _sent = tx.send(start);
            match self.jobs.get_mut(worker) {
                Some(slot) => *slot = tx,
                None => self.jobs.push(tx),
            }
        }
    }

    fn spawn(&mut self) -> usize {
        let worker = self.jobs.len();
        let (tx, rx) = mpsc::unbounded_channel();
        self.work(worker, rx);
        self.jobs.push(tx);
        worker
    }

    fn work(&self, worker: usize, mut jobs: mpsc::UnboundedReceiver<Start>) {
        let client = Arc::clone(&self.client);
        let options = Arc::clone(&self.options);
        let results = self.results_tx.clone();
        tokio::spawn(async move {
            let provider = client.provider();
            while let Some(start) = jobs.recv().await {
                // A termination that panics is that id's failure, not a lost answer or a hung run.
                let outcome = match AssertUnwindSafe(client.terminate_with(&start.id, &options))
                    .catch_unwind()
                    .await
                {
                    Ok(Ok(done)) => BulkOutcome::Done(done),
                    Ok(Err(error)) => BulkOutcome::Failed(error),
                    Err(_panic) => BulkOutcome::Failed(
                        Error::new(ErrorKind::Transport, "the termination panicked")
                            .with_provider(provider)
                            .with_call_id(start.id.clone()),
                    ),
                };
                let finished = Finished {
                    worker,
                    start,
                    outcome,
                };
                if results.send(finished).is_err() {
                    // Nobody reads the results any more: the run was dropped.
                    return;
                }
            }
        });
    }

    /// The next start to answer, its worker idle again; `None` when nothing is in flight.
    async fn next(&mut self) -> Option<Finished> {
        if self.busy() == 0 {
            return None;
        }
        let finished = self.results.recv().await?;
        self.idle.push(finished.worker);
        Some(finished)
    }

    /// A start that has answered already, without waiting.
    fn ready(&mut self) -> Option<Finished> {
        let finished = self.results.try_recv().ok()?;
        self.idle.push(finished.worker);
        Some(finished)
    }
}

/// Sleeps for the pause, if there is one; never wakes otherwise. A future that costs nothing until polled, where a
/// `Sleep` built on every turn of the loop would read the clock each time.
async fn pause(wait: Option<Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}

/// Runs the batch, then fixes the pauses' total before the report channel closes, so a reader that has seen the last
/// report reads the final figures.
async fn drive(
    client: Arc<dyn CallControl>,
    ids: Pin<Box<dyn Stream<Item = String> + Send>>,
    options: BulkOptions,
    reports: mpsc::Sender<BulkReport>,
    stop: watch::Receiver<bool>,
    pauses: Pauses,
) {
    run(client, ids, options, &reports, stop, &pauses).await;
    pauses.finish();
}

async fn run(
    client: Arc<dyn CallControl>,
    mut ids: Pin<Box<dyn Stream<Item = String> + Send>>,
    options: BulkOptions,
    reports: &mpsc::Sender<BulkReport>,
    mut stop: watch::Receiver<bool>,
    pauses: &Pauses,
) {
    let provider = client.provider();
    let events = || client.rate_limit().map_or(0, RateLimit::events);
    let mut limit = Limit {
        current: options.max_concurrency,
        max: options.max_concurrency,
        successes: 0,
        seen_events: events(),
    };
    let mut seen = Seen::new(options.deduplicate);
    let mut pool = Pool::new(Arc::clone(&client), options.terminate_options());
    // Ids a rate limit refused, to start again once the pause is over, with the refusal to report should the run end
    // first. At most `max_concurrency` of them: each came out of a slot in flight.
    let mut refused: VecDeque<(Start, Error)> = VecDeque::new();
    let mut input_done = false;
    let mut stopped = *stop.borrow();
    // One wait for the stop, registered once for the whole run: a new `changed()` on every turn of the loop would
    // register and unregister a waiter for every id.
    let mut stop_wait = stop.clone();
    let stop_signal = async move {
        // A closed channel means the handle is gone with the stream: a stop too.
        let _closed = stop_wait.wait_for(|stopped| *stopped).await;
    };
    tokio::pin!(stop_signal);

    while !stopped {
        // A stop is seen here, with one atomic load a turn; the wait below is polled only when nothing else is
        // ready, to wake the engine when it would otherwise sleep.
        if stop.has_changed().unwrap_or(true) && *stop.borrow_and_update() {
            break;
        }
        // Start the refused ids again while there is room and the provider has not paused the client; an ask past the
        // bound ends the run now rather than after a wait that could not be enough.
        let mut paused = None;
        while pool.busy() < limit.current {
            if let Some(rate_limit) = client.rate_limit() {
                let wait = rate_limit.asked_remaining();
                if !wait.is_zero() {
                    // Judged by the provider's whole ask, not the gate's 60 s cap.
                    let asked = rate_limit.asked_length();
                    if asked > options.max_pause {
                        pauses.exceed(asked);
                        stopped = true;
                    } else {
                        paused = Some(wait);
                    }
                    break;
                }
            }
            let Some((mut start, _)) = refused.pop_front() else {
                break;
            };
            start.starts += 1;
            pool.start(start);
        }
        if stopped {
            break;
        }
        let want_input = !input_done && paused.is_none() && pool.busy() < limit.current;
        if !want_input && pool.busy() == 0 && paused.is_none() {
            // Nothing in flight, no pause, and no more input (or the refused ids would have started above).
            break;
        }
        // One wait for whatever comes first: a stop, a result, the end of a pause, the next id. A result is reported
        // the moment it comes, however long the input keeps us waiting.
        tokio::select! {
            biased;
            Some(finished) = pool.next() => {
                let mut next = Some(finished);
                while let Some(finished) = next {
                    limit.on_result(finished.outcome.is_success(), events());
                    if !settle(finished, &mut refused, reports, provider).await {
                        return;
                    }
                    next = pool.ready();
                }
            }
            () = pause(paused) => {}
            next = ids.next(), if want_input => match next {
                None => input_done = true,
                Some(raw) => {
                    if !seen.insert(&raw) {
                        continue;
                    }
                    match CallId::from_owned(raw) {
                        Ok(id) => pool.start(Start {
                            id,
                            starts: 1,
                            earlier: 0,
                        }),
                        Err((error, raw)) => {
                            let report = BulkReport {
                                provider,
                                call_id: raw,
                                outcome: BulkOutcome::Failed(error.with_provider(provider)),
                            };
                            if reports.send(report).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            },
            () = &mut stop_signal => stopped = true,
        }
    }

    // Let what is in flight finish, and report it.
    while let Some(finished) = pool.next().await {
        if reports
            .send(finished.into_report(provider, true))
            .await
            .is_err()
        {
            return;
        }
    }
    // Ids waiting to start again: never sent at all, or sent once and refused.
    for (start, error) in refused {
        let outcome = if start.earlier == 0 {
            BulkOutcome::NotAttempted
        } else {
            BulkOutcome::Failed(error.with_attempts(start.earlier).with_request_sent(true))
        };
        let report = BulkReport {
            provider,
            call_id: String::from(start.id),
            outcome,
        };
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
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::time::Instant;

    use super::*;
    use crate::TerminateOutcome;

    /// A provider that answers at once, with the HTTP path's rule for its gate: a request that would have to wait
    /// past its deadline (20 ms) fails at once, unsent. The first request about `limited` gets a 429 that asks for
    /// `pause`; `always_limited` gets one every time.
    #[derive(Debug)]
    struct Paused {
        rate_limit: RateLimit,
        limited: &'static str,
        always_limited: bool,
        pause: Duration,
        /// Requests sent per id (refusals at the gate are not sent).
        sent: Mutex<HashMap<String, u32>>,
    }

    impl Paused {
        fn new(limited: &'static str, pause: Duration) -> Paused {
            Paused {
                rate_limit: RateLimit::new(),
                limited,
                always_limited: false,
                pause,
                sent: Mutex::new(HashMap::new()),
            }
        }

        fn sent(&self, id: &str) -> u32 {
            self.sent
                .lock()
                .map_or(0, |sent| sent.get(id).copied().unwrap_or(0))
        }
    }

    #[async_trait::async_trait]
    impl CallControl for Paused {
        fn provider(&self) -> Provider {
            Provider::Cartesia
        }

        async fn terminate(&self, call_id: &CallId) -> crate::Result<Termination> {
            if self.rate_limit.remaining() > Duration::from_millis(20) {
                return Err(Error::new(ErrorKind::RateLimited, "past the deadline")
                    .with_request_sent(false)
                    .with_attempts(0));
            }
            let sent = {
                let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                let count = sent.entry(call_id.to_string()).or_default();
                *count += 1;
                *count
            };
            tokio::task::yield_now().await;
            if call_id.as_str() == self.limited && (sent == 1 || self.always_limited) {
                self.rate_limit.pause_for(self.pause);
                return Err(Error::from_status(429).with_attempts(1));
            }
            Ok(Termination::new(
                Provider::Cartesia,
                call_id.clone(),
                TerminateOutcome::Terminated,
                1,
            ))
        }

        fn rate_limit(&self) -> Option<&RateLimit> {
            Some(&self.rate_limit)
        }
    }

    fn calls(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("call_{i}")).collect()
    }

    async fn run_all(
        client: &Arc<Paused>,
        ids: Vec<String>,
        options: BulkOptions,
    ) -> (HashMap<String, BulkOutcome>, Pauses) {
        let dyn_client: Arc<dyn CallControl> = client.clone();
        let mut run = terminate_all(dyn_client, futures_util::stream::iter(ids), options);
        let pauses = run.pauses();
        let mut outcomes = HashMap::new();
        while let Some(report) = run.next().await {
            let again = outcomes.insert(report.call_id.clone(), report.outcome);
            assert!(again.is_none(), "a second report for {}", report.call_id);
        }
        (outcomes, pauses)
    }

    #[tokio::test]
    async fn ids_waiting_out_a_pause_are_not_charged_for_it() {
        // The pause (200 ms) is longer than any request's deadline (20 ms): before the engine waited for the gate,
        // every id started during it failed unsent.
        let client = Arc::new(Paused::new("call_5", Duration::from_millis(200)));
        let started = Instant::now();
        let (outcomes, pauses) = run_all(
            &client,
            calls(200),
            BulkOptions::new().with_max_concurrency(4),
        )
        .await;
        assert_eq!(outcomes.len(), 200);
        for (id, outcome) in &outcomes {
            assert_eq!(outcome.as_str(), "terminated", "{id}: {outcome:?}");
        }
        // The refused id was sent again after the pause; every other id once.
        assert_eq!(client.sent("call_5"), 2);
        assert!(
            (0..200)
                .filter(|&i| i != 5)
                .all(|i| client.sent(&format!("call_{i}")) == 1)
        );
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert_eq!(pauses.total(), Duration::from_millis(200));
        assert_eq!((pauses.current(), pauses.exceeded()), (None, None));
    }

    #[tokio::test]
    async fn a_pause_past_the_bound_ends_the_run_and_the_unsent_are_not_attempted() {
        let client = Arc::new(Paused::new("call_5", Duration::from_secs(3600)));
        let (outcomes, pauses) = run_all(
            &client,
            calls(200),
            BulkOptions::new()
                .with_max_concurrency(4)
                .with_max_pause(Duration::from_millis(100)),
        )
        .await;
        assert_eq!(outcomes.len(), 200, "every id is reported");
        // The id the provider refused was sent: it fails, rate limited, and is not sent again.
        match &outcomes["call_5"] {
            BulkOutcome::Failed(error) => {
                assert_eq!(
                    (error.kind(), error.attempts()),
                    (ErrorKind::RateLimited, 1)
                );
            }
            other => panic!("call_5: {other:?}"),
        }
        assert_eq!(client.sent("call_5"), 1);
        let mut not_attempted = 0;
        for (id, outcome) in &outcomes {
            match outcome {
                BulkOutcome::NotAttempted => {
                    not_attempted += 1;
                    assert_eq!(client.sent(id), 0, "{id} was sent");
                }
                BulkOutcome::Done(done) => assert_eq!(client.sent(id), done.attempts()),
                BulkOutcome::Failed(_) => assert_eq!(id, "call_5"),
            }
        }
        assert!(not_attempted >= 190, "{not_attempted}");
        assert!(pauses.exceeded() >= Some(Duration::from_secs(3600)));
        assert_eq!(pauses.current(), None, "the run is over, not paused");
    }

    #[tokio::test]
    async fn an_id_refused_again_and_again_is_failed_after_its_last_start() {
        let client = Arc::new(Paused {
            always_limited: true,
            ..Paused::new("call_1", Duration::from_millis(1))
        });
        let (outcomes, pauses) = run_all(&client, calls(3), BulkOptions::new()).await;
        match &outcomes["call_1"] {
            BulkOutcome::Failed(error) => {
                assert_eq!(error.kind(), ErrorKind::RateLimited);
                assert_eq!(
                    error.attempts(),
                    MAX_STARTS,
                    "every refused request counted"
                );
            }
            other => panic!("call_1: {other:?}"),
        }
        assert_eq!(client.sent("call_1"), MAX_STARTS);
        assert_eq!(outcomes["call_0"].as_str(), "terminated");
        assert_eq!(outcomes["call_2"].as_str(), "terminated");
        // The last pause may still run when the last report goes out.
        assert!(pauses.total() >= Duration::from_millis(u64::from(MAX_STARTS - 1)));
        assert_eq!(pauses.exceeded(), None);
    }

    #[tokio::test]
    async fn a_result_is_reported_while_the_input_keeps_the_engine_waiting() {
        let client: Arc<dyn CallControl> = Arc::new(Paused::new("none", Duration::ZERO));
        // One id, then an input that never says more.
        let ids = futures_util::stream::iter(["call_0".to_owned()])
            .chain(futures_util::stream::pending());
        let mut run = terminate_all(client, ids, BulkOptions::new());
        let first = tokio::time::timeout(Duration::from_secs(5), run.next()).await;
        match first {
            Ok(Some(report)) => assert_eq!(
                (report.call_id.as_str(), report.outcome.as_str()),
                ("call_0", "terminated")
            ),
            other => panic!("no report while the input waits: {other:?}"),
        }
    }

    /// A provider whose terminate panics for one id.
    #[derive(Debug)]
    struct Panics;

    #[async_trait::async_trait]
    impl CallControl for Panics {
        fn provider(&self) -> Provider {
            Provider::Cartesia
        }

        async fn terminate(&self, call_id: &CallId) -> crate::Result<Termination> {
            if call_id.as_str() == "boom" {
                #[allow(clippy::panic)]
                {
                    panic!("a bug in a provider client");
                }
            }
            Ok(Termination::new(
                Provider::Cartesia,
                call_id.clone(),
                TerminateOutcome::Terminated,
                1,
            ))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_termination_that_panics_is_that_ids_failure_and_the_run_goes_on() {
        let ids = ["a", "boom", "b", "boom", "c"].map(str::to_owned);
        let options = BulkOptions::new().with_max_concurrency(1);
        let reports: Vec<BulkReport> =
            terminate_all(Arc::new(Panics), futures_util::stream::iter(ids), options)
                .collect()
                .await;
        let mut outcomes: Vec<(String, &str)> = reports
            .iter()
            .map(|r| (r.call_id.clone(), r.outcome.as_str()))
            .collect();
        outcomes.sort();
        assert_eq!(
            outcomes,
            [
                ("a".to_owned(), "terminated"),
                ("b".to_owned(), "terminated"),
                ("boom".to_owned(), "failed"),
                ("c".to_owned(), "terminated"),
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stop_is_seen_while_the_input_is_always_ready() {
        let ids = futures_util::stream::iter((0..100_000).map(|n| format!("call_{n}")));
        let mut run = terminate_all(Arc::new(Panics), ids, BulkOptions::new());
        let stop = run.stop_handle();
        let (mut terminated, mut not_attempted) = (0, 0);
        while let Some(report) = run.next().await {
            match report.outcome {
                BulkOutcome::Done(_) => terminated += 1,
                BulkOutcome::NotAttempted => not_attempted += 1,
                BulkOutcome::Failed(error) => panic!("{error}"),
            }
            stop.stop();
        }
        assert_eq!(terminated + not_attempted, 100_000, "every id is reported");
        assert!(
            terminated < 1_000,
            "the stop was seen at once: {terminated} terminated"
        );
    }

    #[test]
    fn only_refusals_that_cannot_have_landed_are_started_again() {
        let unsent =
            Error::new(ErrorKind::RateLimited, "past the deadline").with_request_sent(false);
        assert!(is_refusal(&unsent));
        assert!(is_refusal(&Error::from_status(429).with_attempts(1)));
        // A 429 after other requests: an earlier one (a 503, a lost reply) may have landed.
        assert!(!is_refusal(&Error::from_status(429).with_attempts(2)));
        assert!(!is_refusal(&Error::from_status(503).with_attempts(1)));
        assert!(!is_refusal(
            &Error::new(ErrorKind::Timeout, "timed out").with_request_sent(true)
        ));
    }

    #[test]
    fn one_rate_limit_event_halves_the_limit_once_however_many_results_see_it() {
        let mut limit = Limit {
            current: 16,
            max: 16,
            successes: 0,
            seen_events: 0,
        };
        // One 429 paused the run; every id in flight then ends, refused or not, seeing the same event count.
        for _ in 0..16 {
            limit.on_result(false, 1);
        }
        assert_eq!(limit.current, 8);
    }

    #[test]
    fn max_pause_defaults_to_ten_minutes() {
        assert_eq!(BulkOptions::new().max_pause(), Duration::from_secs(600));
        assert_eq!(BulkOptions::default(), BulkOptions::new());
    }

    /// Records the options each terminate got.
    #[derive(Debug, Default)]
    struct Waits(Mutex<Vec<Option<Duration>>>);

    #[async_trait::async_trait]
    impl CallControl for Waits {
        fn provider(&self) -> Provider {
            Provider::Cartesia
        }

        async fn terminate(&self, call_id: &CallId) -> crate::Result<Termination> {
            self.terminate_with(call_id, &TerminateOptions::new()).await
        }

        async fn terminate_with(
            &self,
            call_id: &CallId,
            options: &TerminateOptions,
        ) -> crate::Result<Termination> {
            if let Ok(mut waits) = self.0.lock() {
                waits.push(options.ring_wait());
            }
            Ok(Termination::new(
                Provider::Cartesia,
                call_id.clone(),
                TerminateOutcome::Terminated,
                1,
            ))
        }
    }

    #[tokio::test]
    async fn every_id_is_terminated_with_the_ring_wait() {
        let wait = Duration::from_secs(90);
        for (options, expected) in [
            (BulkOptions::new().with_ring_wait(wait), Some(wait)),
            (BulkOptions::new(), None),
        ] {
            let client = Arc::new(Waits::default());
            let reports: Vec<_> = terminate_all(
                client.clone(),
                futures_util::stream::iter(calls(5)),
                options,
            )
            .collect()
            .await;
            assert_eq!(reports.len(), 5);
            let waits = client.0.lock().map(|w| w.clone()).unwrap_or_default();
            assert_eq!(waits, vec![expected; 5]);
        }
    }

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
        assert!(
            used > Seen::SHARDS * 9 / 10,
            "ids spread over the vectors: {used}"
        );
        assert_eq!(seen.shards.iter().map(Vec::len).sum::<usize>(), 20_000);
        for set in &seen.shards {
            assert!(set.is_sorted(), "each vector stays sorted");
            // Grown an eighth at a time, never doubled.
            assert!(set.capacity() <= (set.len() + set.len() / 8).max(set.len() + 4));
        }

        let mut nothing = Seen::new(false);
        assert!(nothing.insert("call_1") && nothing.insert("call_1"));
        assert!(nothing.shards.is_empty());
    }
}
