//! "Stop calling this number": suppress it and end its calls, at every provider configured.

use crate::error::ErrorExt;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use tokio::sync::{mpsc, watch};

use crate::bulk::{BulkOptions, BulkReport, Pauses, StopHandle, terminate_all};
use crate::{CallControl, CallId, Error, ErrorKind, PhoneNumber, Provider};

/// What adding a number to a provider's do-not-call list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Suppression {
    /// The number was added now.
    Added,
    /// The number was already on the list (success too: it will not be dialled).
    AlreadyListed,
}

/// What a client can do about one phone number, beyond stopping calls by id.
///
/// Both methods have default bodies that answer [`ErrorKind::Unsupported`]: a provider without a do-not-call list
/// or without a way to find calls by number implements neither, and [`stop_number`] says so in its report.
#[async_trait]
pub trait NumberControl: CallControl {
    /// Adds `number` to the provider's do-not-call list.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`] where the provider has no such list; otherwise the request's error.
    async fn suppress_number(&self, number: &PhoneNumber) -> crate::Result<Suppression> {
        let _ = number;
        Err(Error::new(
            ErrorKind::Unsupported,
            "this provider's API has no do-not-call list",
        )
        .with_provider(self.provider())
        .with_operation("suppress number"))
    }

    /// The ids of the provider's queued and live calls to `number` that its API can find, lazily.
    ///
    /// The default answers one [`ErrorKind::Unsupported`] error: the API cannot find calls by number.
    fn find_calls_to(&self, number: &PhoneNumber) -> BoxStream<'static, crate::Result<CallId>> {
        let _ = number;
        let error = Error::new(
            ErrorKind::Unsupported,
            "this provider's API cannot find calls by number",
        )
        .with_provider(self.provider())
        .with_operation("find calls to a number");
        stream::once(async move { Err(error) }).boxed()
    }
}

/// One provider in a [`stop_number`]: its client, and the call ids the caller already knows for the number (the only
/// ones a provider that cannot search, such as Mirai's legacy API, can stop).
#[derive(Debug, Clone)]
pub struct NumberTarget {
    control: Arc<dyn NumberControl>,
    known_call_ids: Vec<CallId>,
}

impl NumberTarget {
    /// A provider to stop the number at.
    pub fn new(control: Arc<dyn NumberControl>) -> Self {
        NumberTarget {
            control,
            known_call_ids: Vec::new(),
        }
    }

    /// Call ids known to be to this number at this provider; they are terminated too (once each, even if the search
    /// finds them again).
    #[must_use]
    pub fn with_known_call_ids(mut self, ids: impl IntoIterator<Item = CallId>) -> Self {
        self.known_call_ids.extend(ids);
        self
    }
}

/// One step of a [`stop_number`], reported as it happens.
#[derive(Debug)]
#[non_exhaustive]
pub enum StopNumberEvent {
    /// The number is on the provider's do-not-call list now.
    Suppressed {
        /// The provider.
        provider: Provider,
        /// Added now, or already there.
        suppression: Suppression,
    },
    /// The provider has no do-not-call list: only the calls below are stopped, and new calls can still be placed.
    SuppressionUnsupported {
        /// The provider.
        provider: Provider,
    },
    /// Adding the number to the do-not-call list failed.
    SuppressionFailed {
        /// The provider.
        provider: Provider,
        /// Why.
        error: Error,
    },
    /// The provider cannot find calls by number: only the known call ids given were stopped.
    SearchUnsupported {
        /// The provider.
        provider: Provider,
    },
    /// The search for the number's calls failed, in part (one Cartesia agent's calls, one page) or for good: calls it
    /// could not find were not stopped. One event per failure; the search goes on where it can.
    SearchFailed {
        /// The provider.
        provider: Provider,
        /// Why.
        error: Error,
    },
    /// One call found (or given) and what became of it: the bulk engine's report.
    Call(BulkReport),
}

/// Stops calling `number`: at each target, adds it to the do-not-call list where the provider has one, finds the
/// number's queued and live calls the API can find, adds the known call ids given, and terminates each once.
///
/// Every step is reported as a [`StopNumberEvent`]; every call gets exactly one [`StopNumberEvent::Call`]. The
/// targets are worked on at the same time, and at each target the do-not-call add runs beside the search, so no
/// provider's suppression waits behind another's long call history. A search error is reported as
/// [`StopNumberEvent::SearchFailed`] and the search goes on where the provider's search can (Cartesia searches
/// each agent given in turn, so one agent's failure leaves the others searched).
///
/// [`StopNumber::stop_handle`] stops it: the searches end at once, no new termination starts, those in flight
/// finish, and every call found but not yet tried is reported [`BulkOutcome::NotAttempted`](crate::bulk::BulkOutcome).
///
/// What it cannot guarantee:
/// - a provider without a do-not-call list (Cartesia, Mirai's legacy API) can still place new calls to the number;
///   only calls that exist when the search runs are stopped;
/// - a provider's search sees what its API lists (Cartesia: the calls of the agents given; Mirai's new API: its call
///   list), so a call created after the search passed it is not found;
/// - where the search is unsupported (Mirai's legacy API), only the known call ids given are stopped;
/// - a call that cannot be terminated in its state (a Cartesia call still `created`) is reported as failed, with why.
///
/// ```no_run
/// use std::sync::Arc;
/// use futures_util::StreamExt;
/// use call_core::stop_number::{NumberControl, NumberTarget, StopNumberEvent, stop_number};
/// use call_core::{PhoneNumber, bulk::BulkOptions};
///
/// # async fn run(mirai: Arc<dyn NumberControl>) -> call_core::Result<()> {
/// let number = PhoneNumber::new("+919876543210")?;
/// let mut events = stop_number(vec![NumberTarget::new(mirai)], number, BulkOptions::new());
/// while let Some(event) = events.next().await {
///     if let StopNumberEvent::Call(report) = event {
///         println!("{} {}", report.call_id, report.outcome.as_str());
///     }
/// }
/// # Ok(()) }
/// ```
pub fn stop_number(
    targets: Vec<NumberTarget>,
    number: PhoneNumber,
    options: BulkOptions,
) -> StopNumber {
    let (stopped, _) = watch::channel(false);
    let shared = Arc::new(Shared {
        stopped,
        engines: Mutex::new(Vec::new()),
    });
    let per_target = targets
        .into_iter()
        .map(|target| stop_at(target, number.clone(), options.clone(), Arc::clone(&shared)));
    StopNumber {
        events: Box::pin(stream::select_all(per_target)),
        stop: StopNumberHandle(shared),
    }
}

/// The events of a [`stop_number`], as a [`Stream`], and its stop handle.
#[must_use = "a stream does nothing unless polled"]
pub struct StopNumber {
    events: Pin<Box<dyn Stream<Item = StopNumberEvent> + Send>>,
    stop: StopNumberHandle,
}

impl StopNumber {
    /// A handle that stops the run (for Ctrl-C).
    pub fn stop_handle(&self) -> StopNumberHandle {
        self.stop.clone()
    }
}

impl Stream for StopNumber {
    type Item = StopNumberEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<StopNumberEvent>> {
        self.events.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for StopNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopNumber").finish_non_exhaustive()
    }
}

/// Stops a running [`stop_number`]: the searches end, no new termination starts, those in flight finish and are
/// reported, and every call found but not yet tried is reported as not attempted.
#[derive(Debug, Clone)]
pub struct StopNumberHandle(Arc<Shared>);

impl StopNumberHandle {
    /// Asks the run to stop.
    pub fn stop(&self) {
        let engines = lock(&self.0.engines);
        self.0.stopped.send_replace(true);
        for (engine, _) in engines.iter() {
            engine.stop();
        }
    }

    /// How much longer a provider has its terminations paused (a 429's `Retry-After`; the longest, when several
    /// have), or `None` when none is paused: see [`Pauses::current`]. The run waits the pause out, as
    /// [`terminate_all`] does.
    pub fn paused(&self) -> Option<Duration> {
        lock(&self.0.engines)
            .iter()
            .filter_map(|(_, pauses)| pauses.current())
            .max()
    }
}

/// What the targets of one run share: whether it was stopped, and the bulk engines to stop.
#[derive(Debug)]
struct Shared {
    stopped: watch::Sender<bool>,
    engines: Mutex<Vec<(StopHandle, Pauses)>>,
}

impl Shared {
    /// Registers an engine, stopping it at once if the run was stopped already.
    fn register(&self, engine: StopHandle, pauses: Pauses) {
        let mut engines = lock(&self.engines);
        if *self.stopped.borrow() {
            engine.stop();
        }
        engines.push((engine, pauses));
    }

    /// Resolves once the run is stopped.
    fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopped = self.stopped.subscribe();
        async move {
            if stopped.wait_for(|stopped| *stopped).await.is_err() {
                // No sender: nobody can stop the run any more.
                std::future::pending::<()>().await;
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn stop_at(
    target: NumberTarget,
    number: PhoneNumber,
    options: BulkOptions,
    shared: Arc<Shared>,
) -> Pin<Box<dyn Stream<Item = StopNumberEvent> + Send>> {
    let provider = target.control.provider();
    let control = target.control;
    let suppress = {
        let control = Arc::clone(&control);
        let number = number.clone();
        stream::once(async move {
            match control.suppress_number(&number).await {
                Ok(suppression) => StopNumberEvent::Suppressed {
                    provider,
                    suppression,
                },
                Err(error) if error.kind() == ErrorKind::Unsupported => {
                    StopNumberEvent::SuppressionUnsupported { provider }
                }
                Err(error) => StopNumberEvent::SuppressionFailed { provider, error },
            }
        })
    };
    // The search's problems are reported beside the calls; each is reported and the search goes on (where the
    // provider's search can go on), and a stop ends the search at once.
    let (notes, note_rx) = mpsc::unbounded_channel();
    let found = control
        .find_calls_to(&number)
        .take_until(shared.stopped())
        .filter_map(move |found| {
            let next = match found {
                Ok(id) => Some(id.as_str().to_owned()),
                Err(error) => {
                    let note = if error.kind() == ErrorKind::Unsupported {
                        StopNumberEvent::SearchUnsupported { provider }
                    } else {
                        StopNumberEvent::SearchFailed { provider, error }
                    };
                    // The receiver lives as long as the run's stream; once that is dropped, nobody is told.
                    let _dropped = notes.send(note);
                    None
                }
            };
            std::future::ready(next)
        });
    let known = stream::iter(target.known_call_ids.into_iter().map(String::from));
    let ids = known.chain(found);
    let terminate = stream::once(async move {
        let client: Arc<dyn CallControl> = control.into_call_control();
        let run = terminate_all(client, ids, options);
        shared.register(run.stop_handle(), run.pauses());
        run.map(StopNumberEvent::Call)
    })
    .flatten();
    let notes = stream::unfold(note_rx, |mut rx| async move {
        rx.recv().await.map(|note| (note, rx))
    });
    Box::pin(stream::select(suppress, stream::select(terminate, notes)))
}

/// Upcasting `Arc<dyn NumberControl>` to `Arc<dyn CallControl>`.
trait IntoCallControl {
    fn into_call_control(self) -> Arc<dyn CallControl>;
}

impl IntoCallControl for Arc<dyn NumberControl> {
    fn into_call_control(self) -> Arc<dyn CallControl> {
        self
    }
}
