//! Stopping a batch at scale: no more dialling and, when asked, every call of it that is already placed cancelled,
//! with one report per call.

use call_core::provider_kit::ErrorExt;
use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use call_core::bulk::{
    BulkOptions, BulkReport, BulkTermination, Pauses, StopHandle, terminate_all,
};
use call_core::{CallControl, Error, ErrorKind, Provider};
use futures_util::Stream;

use crate::{Batch, BatchId, CartesiaClient, Recipient, RecipientStatus};

/// How to stop a batch: see [`CartesiaClient::stop_batch`].
///
/// ```
/// use cartesia_calls::StopBatch;
///
/// let options = StopBatch::new().cancel_live_calls(true).max_concurrency(16);
/// assert!(options.cancels_live_calls());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[must_use]
pub struct StopBatch {
    cancel_live_calls: bool,
    bulk: BulkOptions,
}

impl StopBatch {
    /// Cancel the batch only (default): no more dialling, calls already placed run on.
    pub fn new() -> Self {
        StopBatch::default()
    }

    /// Whether to cancel the calls the batch has already placed too (default `false`): the batch's recipients are
    /// read after the cancel and each recipient call is terminated, with one [`BulkReport`] per call.
    pub fn cancel_live_calls(mut self, cancel: bool) -> Self {
        self.cancel_live_calls = cancel;
        self
    }

    /// The most call cancellations in flight at once (default 32, at least 1); halved while Cartesia rate-limits, as
    /// [`BulkOptions::with_max_concurrency`] describes.
    pub fn max_concurrency(mut self, max: usize) -> Self {
        self.bulk = self.bulk.with_max_concurrency(max);
        self
    }

    /// Waits up to `wait` for each placed call still ringing and cancels it when answered (off by default), as
    /// [`BulkOptions::with_ring_wait`] describes: Cartesia cannot cancel a call before it is answered.
    pub fn ring_wait(mut self, wait: Duration) -> Self {
        self.bulk = self.bulk.with_ring_wait(wait);
        self
    }

    /// The longest pause Cartesia may impose before the cancellations end (default 10 minutes), as
    /// [`BulkOptions::with_max_pause`] describes.
    pub fn max_pause(mut self, max: Duration) -> Self {
        self.bulk = self.bulk.with_max_pause(max);
        self
    }

    /// Whether the batch's placed calls are cancelled too.
    pub fn cancels_live_calls(&self) -> bool {
        self.cancel_live_calls
    }
}

/// What [`CartesiaClient::stop_batch`] did: the cancelled batch, what became of its recipients, and, when live calls
/// are cancelled, a [`Stream`] of one [`BulkReport`] per recipient call.
///
/// **Read the stream to its end**: the calls are cancelled as it is read (a bounded number ahead), and dropping it
/// stops the cancellations that have not started (see [`BulkTermination`]). Without
/// [`cancel_live_calls`](StopBatch::cancel_live_calls) the stream is empty.
#[derive(Debug)]
#[must_use = "the batch's live calls are cancelled only as the reports are read"]
pub struct BatchStop {
    batch: Batch,
    recipients: Option<Vec<Recipient>>,
    tally: Tally,
    calls: usize,
    reports: Option<BulkTermination>,
}

/// The recipients without a call, by what that means.
#[derive(Debug, Default)]
struct Tally {
    withdrawn: u32,
    failed_before_dial: u32,
    /// Indexes into the recipients read, in their order.
    unaccounted: Vec<usize>,
}

impl BatchStop {
    /// The batch as Cancel Call Batch returned it.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// The recipients as read after the cancel (Get Call Batch), each with its status and call id: `None` when live
    /// calls were not cancelled (they were not read). Match a report's `call_id` with a recipient's `agent_call_id`.
    pub fn recipients(&self) -> Option<&[Recipient]> {
        self.recipients.as_deref()
    }

    /// Recipients the cancel withdrew: never dialled, and never will be; they have no call and no report.
    ///
    /// Counted from the recipients read after the cancel (no call id, status `cancelled`, or `queued`: a queued
    /// recipient is not dialled once the batch is cancelled) when live calls are cancelled; otherwise from the
    /// cancelled batch's counters ([`Batch::undispatched_recipients`]).
    pub fn withdrawn_recipients(&self) -> u32 {
        match self.recipients {
            Some(_) => self.tally.withdrawn,
            None => self.batch.undispatched_recipients(),
        }
    }

    /// Recipients that failed before a call could be placed (no call id, status `failed`): nothing to stop. `None`
    /// when the recipients were not read.
    pub fn failed_before_dial(&self) -> Option<u32> {
        self.recipients
            .as_ref()
            .map(|_| self.tally.failed_before_dial)
    }

    /// Recipients with no call id that are neither withdrawn nor failed (status `dispatched`, or one this library
    /// does not know): the dialer had them when the batch was read, and a call may be placed for them after it.
    /// Read the batch again ([`CartesiaClient::get_batch`]) to find and stop such a call. `None` when the recipients
    /// were not read.
    pub fn unaccounted_recipients(&self) -> Option<u32> {
        self.recipients
            .as_ref()
            .map(|_| u32::try_from(self.tally.unaccounted.len()).unwrap_or(u32::MAX))
    }

    /// The [unaccounted](BatchStop::unaccounted_recipients) recipients themselves, in the batch's order: each with
    /// its `id`, `to_number` and `status`, so that whoever stops the batch can say who may still get a call. Empty
    /// when the recipients were not read.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// # let batch_id = "acb_PDWFN995PzAudChwFDqVZ2".parse()?;
    /// let stop = client.stop_batch(&batch_id, cartesia_calls::StopBatch::new().cancel_live_calls(true)).await?;
    /// for recipient in stop.unaccounted() {
    ///     eprintln!("recipient {} ({}) may still get a call", recipient.id, recipient.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn unaccounted(&self) -> impl Iterator<Item = &Recipient> + '_ {
        let recipients = self.recipients.as_deref().unwrap_or_default();
        self.tally
            .unaccounted
            .iter()
            .filter_map(move |index| recipients.get(*index))
    }

    /// How many calls are being cancelled: the distinct recipient call ids, and so the number of reports the stream
    /// yields when read to its end.
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// A handle that stops the call cancellations (for Ctrl-C): those in flight finish, the rest are reported
    /// [`NotAttempted`](call_core::bulk::BulkOutcome::NotAttempted). `None` when live calls are not cancelled.
    pub fn stop_handle(&self) -> Option<StopHandle> {
        self.reports.as_ref().map(BulkTermination::stop_handle)
    }

    /// How Cartesia's pauses held up the cancellations (see [`Pauses`]); `None` when no call is cancelled.
    pub fn pauses(&self) -> Option<Pauses> {
        self.reports.as_ref().map(BulkTermination::pauses)
    }
}

impl Stream for BatchStop {
    type Item = BulkReport;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BulkReport>> {
        match self.reports.as_mut() {
            Some(reports) => Pin::new(reports).poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

impl CartesiaClient {
    /// Stops a batch: cancels it so no one else is dialled and, with
    /// [`cancel_live_calls`](StopBatch::cancel_live_calls), cancels every call it has already placed, reporting each.
    ///
    /// 1. [Cancel Call Batch](Self::cancel_batch) (retried; idempotent). If it fails, nothing else is done.
    /// 2. Without `cancel_live_calls`, that is all: the answer carries the batch, an empty stream, and the withdrawn
    ///    recipients counted from the batch's counters.
    /// 3. With it, [Get Call Batch](Self::get_batch) reads the recipients, and every distinct `agent_call_id` is
    ///    terminated through [`call_core::bulk::terminate_all`] on this client, with bounded, adaptive concurrency:
    ///    Cancel Call, then Get Call when the answer leaves doubt, exactly as
    ///    [`terminate`](call_core::CallControl::terminate). The answer's stream yields **one [`BulkReport`] per call**:
    ///    terminated by us, already ended, failed (with the error), or not attempted (the stream was stopped).
    ///    Recipients with no call have no report: they are counted as
    ///    [withdrawn](BatchStop::withdrawn_recipients), [failed before dialling](BatchStop::failed_before_dial) or
    ///    [unaccounted](BatchStop::unaccounted_recipients).
    ///
    /// **What is guaranteed** once this returns `Ok`: Cartesia accepted the cancel, so no recipient that had not been
    /// dispatched will be dialled; and every call id the batch showed after the cancel gets exactly one report when
    /// the stream is read to its end. A `Terminated` or `AlreadyEnded` report means that call is over.
    ///
    /// **What is not**, because Cartesia's API cannot do it (Cancel Call accepts only `started` calls, and no
    /// endpoint withdraws a single call before it is answered):
    ///
    /// - A call still `created` (dialled, ringing, not answered) cannot be cancelled: its report is failed with
    ///   [`ErrorKind::NotTerminable`]. It keeps ringing until answered or until its ringing timeout (5 to 80 seconds,
    ///   60 by default); if answered it becomes `started` and runs on. Stop such calls by calling `stop_batch` again
    ///   (the cancel is idempotent) or [`terminate`](call_core::CallControl::terminate) on them once they have
    ///   started.
    /// - A recipient the dialer had but with no call id yet ([unaccounted](BatchStop::unaccounted_recipients), named
    ///   by [`BatchStop::unaccounted`]) may still get a call after the read.
    /// - A failed report is a call that may still be live: its error says why, and
    ///   [`is_retryable`](call_core::Error::is_retryable) whether trying again may help.
    ///
    /// Each recipient call is terminated even when its recipient status says it is over: a status read from the
    /// batch may lag the call, and a finished call costs a cancel (answered 400) and a Get Call, reported
    /// `AlreadyEnded`.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use cartesia_calls::StopBatch;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let batch_id = "acb_PDWFN995PzAudChwFDqVZ2".parse()?;
    /// let mut stop = client.stop_batch(&batch_id, StopBatch::new().cancel_live_calls(true)).await?;
    /// println!("{} recipients withdrawn, {} calls to cancel", stop.withdrawn_recipients(), stop.calls());
    /// while let Some(report) = stop.next().await {
    ///     println!("{} {}", report.call_id, report.outcome.as_str());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - The cancel's errors, as [`cancel_batch`](Self::cancel_batch): [`ErrorKind::NotFound`] for 404 "Batch not
    ///   found.", and so on. After a timeout or 5xx the batch may or may not be cancelled; calling again is safe.
    /// - With `cancel_live_calls`, the read's errors, as [`get_batch`](Self::get_batch), and
    ///   [`ErrorKind::Decode`] when the batch comes without its recipients: the batch **is** cancelled but no call was,
    ///   and the error says so; calling again is safe.
    ///
    /// Must be called within a Tokio runtime: each call's termination runs in its own task.
    pub async fn stop_batch(
        &self,
        batch_id: &BatchId,
        options: StopBatch,
    ) -> call_core::Result<BatchStop> {
        // What can and cannot be stopped follows the research notes on stopping `created` calls (spec/cartesia.md,
        // §6e and §6f): the batch cancel withdraws what was not dispatched, Cancel Call ends what has started, and
        // nothing ends a call that is still ringing.
        let batch = self.cancel_batch(batch_id).await?;
        if !options.cancel_live_calls {
            return Ok(BatchStop {
                batch,
                recipients: None,
                tally: Tally::default(),
                calls: 0,
                reports: None,
            });
        }
        let read = self.get_batch(batch_id).await.map_err(cancelled_only)?;
        let Some(recipients) = read.recipients else {
            // An empty list is an answer; a missing one is not: never report "no calls" for calls we cannot see.
            return Err(cancelled_only(
                Error::new(ErrorKind::Decode, "the batch came without its recipients")
                    .with_provider(Provider::Cartesia)
                    .with_operation("get call batch")
                    .with_request_sent(true),
            ));
        };
        let (tally, ids) = sort(&recipients);
        let calls = ids.len();
        let client: Arc<dyn CallControl> = Arc::new(self.clone());
        let reports = terminate_all(client, futures_util::stream::iter(ids), options.bulk);
        Ok(BatchStop {
            batch,
            recipients: Some(recipients),
            tally,
            calls,
            reports: Some(reports),
        })
    }
}

/// Sorts the recipients read after the cancel: the distinct call ids to terminate, in the batch's order, and the
/// recipients without a call, by what that means.
fn sort(recipients: &[Recipient]) -> (Tally, Vec<String>) {
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for (index, recipient) in recipients.iter().enumerate() {
        match &recipient.agent_call_id {
            Some(id) => {
                if seen.insert(id.as_str()) {
                    ids.push(id.as_str().to_owned());
                }
            }
            None => match recipient.status {
                RecipientStatus::Cancelled | RecipientStatus::Queued => {
                    tally.withdrawn = tally.withdrawn.saturating_add(1);
                }
                RecipientStatus::Failed => {
                    tally.failed_before_dial = tally.failed_before_dial.saturating_add(1);
                }
                // `dispatched` or a status this library does not know: the dialer may still place its call.
                _ => tally.unaccounted.push(index),
            },
        }
    }
    (tally, ids)
}

/// A failure after the batch was cancelled: says that the batch is cancelled and no call was, and that trying again
/// is safe.
fn cancelled_only(error: Error) -> Error {
    error.with_detail(
        "the batch was cancelled, but its recipients could not be read, so none of its calls was cancelled; calling \
         stop_batch again is safe",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_recipients_and_keeps_the_unaccounted_ones_by_index() {
        let recipient = |id: &str, status: &str, call: Option<&str>| -> Recipient {
            let mut json =
                serde_json::json!({"id": id, "to_number": "+14155550100", "status": status});
            if let Some(call) = call {
                json["agent_call_id"] = call.into();
            }
            serde_json::from_value(json).unwrap()
        };
        let recipients = [
            recipient("r0", "started", Some("ac_1")),
            recipient("r1", "dispatched", None),
            recipient("r2", "queued", None),
            recipient("r3", "cancelled", None),
            recipient("r4", "failed", None),
            recipient("r5", "completed", Some("ac_1")),
            recipient("r6", "rerouted", None),
        ];
        let (tally, ids) = sort(&recipients);
        assert_eq!(ids, ["ac_1"]);
        assert_eq!(tally.withdrawn, 2);
        assert_eq!(tally.failed_before_dial, 1);
        assert_eq!(tally.unaccounted, [1, 6]);
    }
}
