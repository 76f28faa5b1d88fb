//! The batch side of the Cartesia control handle, and batch snapshots.

use serde_json::Value;

use super::batch::{self, Batch, Progress, State};
use super::{Calls, CartesiaControl};
use crate::cartesia::CartesiaBatchSeed;
use crate::unknown_id::UnknownBatch;

impl CartesiaControl {
    /// Adds a batch, replacing any batch with the same id (its calls stay).
    pub fn seed_batch(&self, seed: CartesiaBatchSeed) {
        self.app.cartesia.lock().batches.insert(seed.batch);
    }

    /// Dispatches the next `n` queued recipients of batch `id`, in upload order, whatever its
    /// `target_concurrency_limit` and `scheduled_at`: each becomes a Cartesia call of the batch's
    /// agent in status `created`, with `telephony_params.to` = the recipient's number and the
    /// recipient's metadata, and the recipient gets its `agent_call_id`. Returns the new call
    /// ids (fewer than `n` when the queue runs out; none once the batch is cancelled).
    ///
    /// The first dispatch admits the batch (`admitted_at`); with
    /// [`crate::SimBuilder::auto_dial`], an admitted batch is then topped up on its own.
    ///
    /// # Errors
    ///
    /// [`UnknownBatch`] when the simulator holds no batch `id`.
    pub fn dispatch_batch(&self, id: &str, n: usize) -> Result<Vec<String>, UnknownBatch> {
        let mut calls = self.app.cartesia.lock();
        batch::dispatch(&mut calls, id, n).ok_or_else(|| UnknownBatch::new(id))
    }

    /// Hands the next `n` queued recipients of batch `id` to the dialer and fails each before a
    /// call is placed, with `error_message` = `message` and no `agent_call_id`. Returns how many
    /// failed. When every recipient fails this way the batch reads `failed`.
    ///
    /// # Errors
    ///
    /// [`UnknownBatch`] when the simulator holds no batch `id`.
    pub fn fail_batch_recipients(
        &self,
        id: &str,
        n: usize,
        message: &str,
    ) -> Result<usize, UnknownBatch> {
        let mut calls = self.app.cartesia.lock();
        batch::fail_before_dial(&mut calls, id, n, message).ok_or_else(|| UnknownBatch::new(id))
    }

    /// Hands the next `n` queued recipients of batch `id` to the dialer without placing their calls: each reads
    /// `dispatched` with no `agent_call_id`, the moment between Cartesia's dispatch and the call's creation, so
    /// nobody reading the batch can tell whether or when it will be called. A cancel leaves them so (they are no
    /// longer queued). Returns how many were handed over.
    ///
    /// # Errors
    ///
    /// [`UnknownBatch`] when the simulator holds no batch `id`.
    pub fn hand_to_dialer(&self, id: &str, n: usize) -> Result<usize, UnknownBatch> {
        let mut calls = self.app.cartesia.lock();
        batch::hand_to_dialer(&mut calls, id, n).ok_or_else(|| UnknownBatch::new(id))
    }

    /// A snapshot of batch `id`, status and counters derived now, if the simulator holds it.
    pub fn batch(&self, id: &str) -> Option<CartesiaBatch> {
        let calls = self.app.cartesia.lock();
        calls
            .batches
            .get(id)
            .map(|batch| CartesiaBatch::of(batch, &calls))
    }

    /// Snapshots of every batch, newest first.
    pub fn batches(&self) -> Vec<CartesiaBatch> {
        let calls = self.app.cartesia.lock();
        calls
            .batches_newest_first(None)
            .into_iter()
            .map(|batch| CartesiaBatch::of(batch, &calls))
            .collect()
    }
}

/// A snapshot of a simulated Cartesia call batch, its status and counters derived when taken.
///
/// A batch is created with `POST /agents/calls/batches` or [`CartesiaControl::seed_batch`], every
/// recipient `queued`. Recipients become calls only when dispatched: by
/// [`CartesiaControl::dispatch_batch`], or on their own with [`crate::SimBuilder::auto_dial`]
/// (never on a timer). A cancel turns every queued recipient `cancelled`: it is never dialled and
/// no call exists for it; calls already dispatched are left alone.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use calls_sim::{CartesiaBatchSeed, Sim};
///
/// let sim = Sim::start().await?;
/// let cartesia = sim.cartesia();
/// cartesia.seed_batch(
///     CartesiaBatchSeed::new("acb_1", "agent_1")
///         .recipient("+14155550101")
///         .recipient("+14155550102"),
/// );
/// let calls = cartesia.dispatch_batch("acb_1", 1)?; // one call, status `created`
/// // ... a client cancels the batch: the second recipient is never dialled ...
/// let batch = cartesia.batch("acb_1").ok_or("gone")?;
/// println!("{} {}/{}", batch.status(), batch.total_calls_dispatched(), batch.total_calls_scheduled());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CartesiaBatch {
    id: String,
    agent_id: String,
    status: &'static str,
    cancelled: bool,
    target_concurrency_limit: u64,
    retry_count: u64,
    progress: Progress,
    recipients: Vec<CartesiaBatchRecipient>,
    json: Value,
}

impl CartesiaBatch {
    fn of(batch: &Batch, calls: &Calls) -> CartesiaBatch {
        let progress = batch.progress(&calls.by_id);
        let recipients = batch
            .recipients
            .iter()
            .map(|r| CartesiaBatchRecipient {
                id: r.id.clone(),
                to_number: r.to_number.clone(),
                status: r.status(&calls.by_id).to_owned(),
                call_ids: r.call_ids.clone(),
                agent_call_id: match r.state {
                    State::Dispatched => r.call_ids.last().cloned(),
                    _ => None,
                },
                error_message: match &r.state {
                    State::FailedBeforeDial(message) => Some(message.clone()),
                    _ => None,
                },
            })
            .collect();
        CartesiaBatch {
            id: batch.id.clone(),
            agent_id: batch.agent_id.clone(),
            status: progress.status(batch.cancelled),
            cancelled: batch.cancelled,
            target_concurrency_limit: batch.target_concurrency_limit,
            retry_count: batch.retry_count,
            progress,
            recipients,
            json: batch.to_json(&calls.by_id, true),
        }
    }

    /// The batch id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The agent id.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The status derived from dispatch progress: `pending`, `in_progress`, `completed`,
    /// `failed` or `cancelled`.
    pub fn status(&self) -> &str {
        self.status
    }

    /// Whether the batch has been cancelled (it may still read `completed` when the cancel came
    /// after every recipient was dispatched).
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// `target_concurrency_limit`.
    pub fn target_concurrency_limit(&self) -> u64 {
        self.target_concurrency_limit
    }

    /// `retry_count`.
    pub fn retry_count(&self) -> u64 {
        self.retry_count
    }

    /// `total_calls_scheduled`: every recipient.
    pub fn total_calls_scheduled(&self) -> usize {
        self.progress.scheduled
    }

    /// `total_calls_dispatched`: recipients handed to the dialer, pre-dial failures included.
    pub fn total_calls_dispatched(&self) -> usize {
        self.progress.dispatched
    }

    /// `total_calls_finished`: recipients whose latest attempt is `completed` or `failed`.
    pub fn total_calls_finished(&self) -> usize {
        self.progress.finished
    }

    /// Recipients whose latest call is `created` or `started`.
    pub fn calls_in_flight(&self) -> usize {
        self.progress.in_flight
    }

    /// The recipients, in upload order.
    pub fn recipients(&self) -> &[CartesiaBatchRecipient] {
        &self.recipients
    }

    /// The JSON `GET /agents/calls/batches/{id}` returns for this batch, with `recipients`.
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }
}

/// One recipient of a [`CartesiaBatch`] snapshot.
#[derive(Debug, Clone)]
pub struct CartesiaBatchRecipient {
    id: String,
    to_number: String,
    status: String,
    call_ids: Vec<String>,
    agent_call_id: Option<String>,
    error_message: Option<String>,
}

impl CartesiaBatchRecipient {
    /// The recipient id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The number dialled, `to_number`.
    pub fn to_number(&self) -> &str {
        &self.to_number
    }

    /// The status: `queued`, `dispatched`, `started`, `completed`, `failed` or `cancelled`
    /// (or a seeded call's own status).
    pub fn status(&self) -> &str {
        &self.status
    }

    /// `agent_call_id`: the latest call, while the recipient is dispatched.
    pub fn agent_call_id(&self) -> Option<&str> {
        self.agent_call_id.as_deref()
    }

    /// Every call ever placed for the recipient, oldest first (more than one after a retry).
    pub fn call_ids(&self) -> &[String] {
        &self.call_ids
    }

    /// `error_message`, for a recipient that failed before a call was placed.
    pub fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}
