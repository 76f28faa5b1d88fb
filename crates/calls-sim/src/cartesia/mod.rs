//! The Cartesia agent calls API (`/agents/calls…`) and its control handle.
//!
//! Reference: <https://docs.cartesia.ai/api-reference/agents/calls/get-call> and the sibling
//! pages for list, cancel, delete, audio, logs and create outbound call; call batches:
//! <https://docs.cartesia.ai/api-reference/agents/call-batches/get-call-batch> and siblings.

mod api;
mod batch;
mod batch_api;
mod batch_control;
mod batch_seed;
mod call;
mod page;
mod seed;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

pub(crate) use api::handle;
use batch::Batch;
pub use batch_control::{CartesiaBatch, CartesiaBatchRecipient};
pub use batch_seed::CartesiaBatchSeed;
use call::Record;
pub use seed::CartesiaCallSeed;

use crate::app::App;
use crate::call_table::{self, CallTable};
use crate::clock;
use crate::records::Records;
use crate::unknown_id::UnknownCall;

/// The Cartesia calls and call batches the simulator holds.
pub(crate) type Store = crate::store::Store<Calls>;

/// Calls and batches share one lock: a batch's status is derived from its calls at read time,
/// and dispatch creates calls.
#[derive(Debug, Default)]
pub(crate) struct Calls {
    by_id: Records<Record>,
    batches: Records<Batch>,
}

impl Calls {
    /// The calls of `agent_id`, newest first.
    pub(crate) fn of_agent(&self, agent_id: &str) -> Vec<&Record> {
        self.by_id
            .newest_first(|call| call.agent_id == agent_id, Record::order_key)
    }

    /// The calls placed by batch `batch_id`, one per attempt, newest first.
    pub(crate) fn of_batch(&self, batch_id: &str) -> Vec<&Record> {
        self.by_id.newest_first(
            |call| call.batch_id.as_deref() == Some(batch_id),
            Record::order_key,
        )
    }

    /// The batches, newest first, of `agent_id` if given.
    pub(crate) fn batches_newest_first(&self, agent_id: Option<&str>) -> Vec<&Batch> {
        self.batches.newest_first(
            |batch| agent_id.is_none_or(|a| batch.agent_id == a),
            |batch| batch.seq,
        )
    }
}

impl CallTable for Calls {
    type Call = Record;

    fn calls(&self) -> &Records<Record> {
        &self.by_id
    }

    fn calls_mut(&mut self) -> &mut Records<Record> {
        &mut self.by_id
    }

    /// Moves call `id` to `status`. With auto-dial, a batch call that leaves flight makes room for
    /// the batch's next recipient. `false` when there is no such call.
    fn transition(&mut self, app: &App, id: &str, status: &str) -> bool {
        let Some(call) = self.by_id.get_mut(id) else {
            return false;
        };
        call.set_status(status);
        if app.auto_dial
            && !call.is_in_flight()
            && let Some(batch_id) = call.batch_id.clone()
        {
            batch::refill(self, &batch_id);
        }
        true
    }
}

/// Controls the simulated Cartesia calls and call batches: seed them, move calls through their
/// life, dispatch batches, read them.
///
/// Get one with [`crate::Sim::cartesia`]; it is a cheap handle and can be cloned. The batch
/// methods ([`CartesiaControl::seed_batch`], [`CartesiaControl::dispatch_batch`], …) are
/// described with [`CartesiaBatch`].
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use calls_sim::{CartesiaCallSeed, Sim};
///
/// let sim = Sim::start().await?;
/// let cartesia = sim.cartesia();
/// cartesia.seed_call(CartesiaCallSeed::new("ac_1", "agent_1").status("created"));
/// cartesia.advance("ac_1")?; // created -> started
/// // ... a client cancels it through POST /agents/calls/ac_1/cancel ...
/// let call = cartesia.call("ac_1").ok_or("gone")?;
/// println!("{} {:?}", call.status(), call.end_reason());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CartesiaControl {
    app: Arc<App>,
}

impl CartesiaControl {
    pub(crate) fn new(app: Arc<App>) -> Self {
        CartesiaControl { app }
    }

    /// Adds a call, replacing any call with the same id.
    pub fn seed_call(&self, seed: CartesiaCallSeed) {
        self.app.cartesia.lock().by_id.insert(seed.record);
    }

    /// Adds `n` completed calls of `agent_id`, started one minute apart (each with a
    /// transcript, a recording and logs), for pagination tests. Returns their ids newest first,
    /// the order `GET /agents/calls` lists them in.
    pub fn seed_agent_calls(&self, agent_id: &str, n: usize) -> Vec<String> {
        call_table::seed_past_calls(&self.app.cartesia, n, |start| {
            let id = format!("ac_{}", crate::id::base62(22));
            let mut record = Record::new(id, agent_id.to_owned());
            record.start_time = jiff::Timestamp::from_second(start).ok().map(clock::seconds);
            record.end_time = jiff::Timestamp::from_second(start.saturating_add(30))
                .ok()
                .map(clock::seconds);
            record.telephony_params = Some(call::outbound_telephony("+14155550100"));
            record.set_status("completed");
            record
        })
    }

    /// Sets a call's status (any string), filling in what a real call would have by then:
    /// `started` sets `start_time`; `completed` and `failed` set `end_time` and a default
    /// `end_reason` (`agent_hangup`, `error`), and a completed call gets a transcript, a
    /// recording and logs unless it has them.
    ///
    /// # Errors
    ///
    /// [`UnknownCall`] when the simulator holds no call `id`.
    pub fn set_status(&self, id: &str, status: &str) -> Result<(), UnknownCall> {
        call_table::set_status(&self.app, &self.app.cartesia, id, status)
    }

    /// Moves a call one step along `created → started → completed` and returns its status
    /// afterwards; a call in any other status is left as it is.
    ///
    /// # Errors
    ///
    /// [`UnknownCall`] when the simulator holds no call `id`.
    pub fn advance(&self, id: &str) -> Result<String, UnknownCall> {
        call_table::advance(&self.app, &self.app.cartesia, id).map(Option::unwrap_or_default)
    }

    /// How many calls the simulator holds, by status and by end reason: what a soak checks at
    /// the end of a million cancels without reading each call.
    pub fn summary(&self) -> CartesiaSummary {
        let calls = self.app.cartesia.lock();
        let mut summary = CartesiaSummary::default();
        for record in calls.by_id.values() {
            summary.calls += 1;
            *summary.by_status.entry(record.status.clone()).or_default() += 1;
            if let Some(reason) = &record.end_reason {
                *summary.by_end_reason.entry(reason.clone()).or_default() += 1;
            }
        }
        summary
    }

    /// A snapshot of call `id`, if the simulator holds it.
    pub fn call(&self, id: &str) -> Option<CartesiaCall> {
        self.app
            .cartesia
            .lock()
            .by_id
            .get(id)
            .map(|record| CartesiaCall {
                record: record.clone(),
            })
    }
}

/// Counts of the simulated Cartesia calls, from [`CartesiaControl::summary`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CartesiaSummary {
    calls: u64,
    by_status: BTreeMap<String, u64>,
    by_end_reason: BTreeMap<String, u64>,
}

impl CartesiaSummary {
    /// All calls.
    pub fn calls(&self) -> u64 {
        self.calls
    }

    /// Calls in `status` (`created`, `started`, `completed`, …).
    pub fn with_status(&self, status: &str) -> u64 {
        self.by_status.get(status).copied().unwrap_or(0)
    }

    /// Calls that ended for `reason` (`api_cancelled` when a cancel ended them).
    pub fn with_end_reason(&self, reason: &str) -> u64 {
        self.by_end_reason.get(reason).copied().unwrap_or(0)
    }

    /// `{"calls": n, "by_status": {…}, "by_end_reason": {…}}`, as `GET /_sim/cartesia/summary`
    /// answers.
    pub fn to_json(&self) -> Value {
        json!({
            "calls": self.calls,
            "by_status": self.by_status,
            "by_end_reason": self.by_end_reason,
        })
    }
}

/// A snapshot of a simulated Cartesia call.
#[derive(Debug, Clone)]
pub struct CartesiaCall {
    record: Record,
}

impl CartesiaCall {
    /// The call id.
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// The agent id.
    pub fn agent_id(&self) -> &str {
        &self.record.agent_id
    }

    /// The status: `created`, `started`, `completed`, `failed`, or whatever was seeded.
    pub fn status(&self) -> &str {
        &self.record.status
    }

    /// The destination number, `telephony_params.to`, if the call has one.
    pub fn to_number(&self) -> Option<&str> {
        self.record
            .telephony_params
            .as_ref()
            .and_then(|params| params.get("to"))
            .and_then(Value::as_str)
    }

    /// The batch that placed the call, if one did.
    pub fn batch_id(&self) -> Option<&str> {
        self.record.batch_id.as_deref()
    }

    /// The end reason, e.g. `api_cancelled` after a cancel.
    pub fn end_reason(&self) -> Option<&str> {
        self.record.end_reason.as_deref()
    }

    /// `start_time`, RFC 3339.
    pub fn start_time(&self) -> Option<&str> {
        self.record.start_time.as_deref()
    }

    /// `end_time`, RFC 3339.
    pub fn end_time(&self) -> Option<&str> {
        self.record.end_time.as_deref()
    }

    /// `redacted_at`, set by `DELETE /agents/calls/{id}`.
    pub fn redacted_at(&self) -> Option<&str> {
        self.record.redacted_at.as_deref()
    }

    /// Whether `GET …/audio` returns a recording.
    pub fn has_recording(&self) -> bool {
        self.record.recording
    }

    /// The JSON `GET /agents/calls/{id}` returns for this call.
    pub fn to_json(&self) -> Value {
        self.record.to_json(true)
    }
}
