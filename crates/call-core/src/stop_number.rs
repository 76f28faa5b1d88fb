//! "Stop calling this number": suppress it and end its calls, at every provider configured.

use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use tokio::sync::mpsc;

use crate::bulk::{BulkOptions, BulkReport, terminate_all};
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
    /// The search for the number's calls failed part way: calls it had not found yet were not stopped.
    SearchFailed {
        /// The provider.
        provider: Provider,
        /// Why.
        error: Error,
    },
    /// One call found (or given) and what became of it: the bulk engine's report.
    Call(BulkReport),
}

/// Stops calling `number`: at each target, adds it to the do-not-call list where the provider has one, then finds
/// the number's queued and live calls the API can find, adds the known call ids given, and terminates each once.
///
/// Every step is reported as a [`StopNumberEvent`]; every call gets exactly one [`StopNumberEvent::Call`]. Targets
/// are handled one after the other, suppression first, so no new campaign dial slips in while the calls are ended.
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
) -> Pin<Box<dyn Stream<Item = StopNumberEvent> + Send>> {
    let per_target = stream::iter(targets)
        .flat_map(move |target| stop_at(target, number.clone(), options.clone()));
    Box::pin(per_target)
}

fn stop_at(
    target: NumberTarget,
    number: PhoneNumber,
    options: BulkOptions,
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
    // The search's problems are reported beside the calls: they end the search, not the stop.
    let (notes, note_rx) = mpsc::unbounded_channel();
    let found = control
        .find_calls_to(&number)
        .scan(notes, move |notes, found| {
            let next = match found {
                Ok(id) => Some(id.as_str().to_owned()),
                Err(error) => {
                    let note = if error.kind() == ErrorKind::Unsupported {
                        StopNumberEvent::SearchUnsupported { provider }
                    } else {
                        StopNumberEvent::SearchFailed { provider, error }
                    };
                    let _ = notes.send(note);
                    None
                }
            };
            std::future::ready(next)
        });
    let known = stream::iter(target.known_call_ids.into_iter().map(String::from));
    let ids = known.chain(found);
    let terminate = stream::once(async move {
        let client: Arc<dyn CallControl> = control.into_call_control();
        terminate_all(client, ids, options).map(StopNumberEvent::Call)
    })
    .flatten();
    let notes = stream::unfold(note_rx, |mut rx| async move {
        rx.recv().await.map(|note| (note, rx))
    });
    Box::pin(suppress.chain(terminate).chain(notes))
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
