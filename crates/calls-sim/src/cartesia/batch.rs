//! A simulated Cartesia call batch: its record and recipients, dispatch, and the status and
//! counters derived at read time from dispatch progress and the recipients' calls.
//!
//! Reference: <https://docs.cartesia.ai/api-reference/agents/call-batches/get-call-batch> and
//! the sibling pages for create, list, cancel and retry.

use crate::records::Records;

use serde_json::{Map, Value, json};

use super::Calls;
use super::call::{self, Record};
use crate::clock;
use crate::id;

/// Most recipients in one batch: the newer guide and the OpenAPI document say 5,000 (an older
/// API page said 1,000).
pub(crate) const MAX_RECIPIENTS: usize = 5_000;

/// The organization's agent-call concurrency limit the simulator pretends to have. A batch's
/// `target_concurrency_limit` may not exceed it and defaults to half of it, as the docs say;
/// 20 makes the default 10, the value in the docs' example.
pub(crate) const ORG_CONCURRENCY_LIMIT: u64 = 20;

/// The end reasons of a call that was dialled but never connected. The docs' retry re-queues
/// recipients whose latest attempt "failed or went unanswered", and the recipient status table
/// has no "unanswered", so such a recipient reads `failed`.
const UNANSWERED: [&str; 3] = ["dial_no_answer", "dial_busy", "dial_failed"];

/// One batch as the simulator holds it.
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) agent_id: String,
    pub(crate) from_number_id: String,
    pub(crate) region: String,
    pub(crate) target_concurrency_limit: u64,
    pub(crate) scheduled_at: Option<String>,
    pub(crate) admitted_at: Option<String>,
    pub(crate) created_at: String,
    pub(crate) last_updated_at: String,
    pub(crate) retry_count: u64,
    /// Set by the first cancel; a cancelled batch dials nothing more and cannot be retried.
    pub(crate) cancelled: bool,
    pub(crate) recipients: Vec<Recipient>,
    /// Creation order, the list order.
    pub(crate) seq: u64,
}

crate::records::keyed_by_id_field!(Batch);

/// One recipient of a batch.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    pub(crate) id: String,
    pub(crate) to_number: String,
    pub(crate) metadata: Option<Value>,
    pub(crate) created_at: String,
    pub(crate) state: State,
    /// Every call placed for the recipient, oldest first; the last is its latest attempt.
    pub(crate) call_ids: Vec<String>,
}

/// Where a recipient stands in the dispatch queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// Waiting for the dispatcher (never dispatched, or re-queued by a retry).
    Queued,
    /// Handed to the dialer; its latest call tells the rest.
    Dispatched,
    /// Handed to the dialer but failed before a call could be placed, with the reason.
    FailedBeforeDial(String),
    /// The batch was cancelled before this recipient was dispatched: it is never dialled.
    Cancelled,
}

impl Batch {
    /// A batch created now with nothing dispatched, and its defaults: region `US`,
    /// `target_concurrency_limit` half the organization's limit.
    pub(crate) fn new(id: String, agent_id: String) -> Batch {
        let now = clock::seconds(clock::now());
        Batch {
            id,
            name: "Simulated batch".to_owned(),
            agent_id,
            from_number_id: format!("ap_{}", id::base62(22)),
            region: "US".to_owned(),
            target_concurrency_limit: ORG_CONCURRENCY_LIMIT / 2,
            scheduled_at: None,
            admitted_at: None,
            created_at: now.clone(),
            last_updated_at: now,
            retry_count: 0,
            cancelled: false,
            recipients: Vec::new(),
            seq: 0,
        }
    }

    /// Adds a queued recipient.
    pub(crate) fn push_recipient(&mut self, to_number: String, metadata: Option<Value>) {
        self.recipients.push(Recipient {
            id: format!("acr_{}", id::base62(22)),
            to_number,
            metadata,
            created_at: self.created_at.clone(),
            state: State::Queued,
            call_ids: Vec::new(),
        });
    }

    /// Marks the batch changed now.
    pub(crate) fn touch(&mut self) {
        self.last_updated_at = clock::seconds(clock::now());
    }

    /// Whether the dispatcher may take recipients on its own: not cancelled, and either not
    /// scheduled or already admitted.
    pub(crate) fn is_admitted(&self) -> bool {
        !self.cancelled && (self.scheduled_at.is_none() || self.admitted_at.is_some())
    }

    /// Counters and status, derived now from the recipients and their calls.
    pub(crate) fn progress(&self, calls: &Records<Record>) -> Progress {
        let mut p = Progress {
            scheduled: self.recipients.len(),
            ..Progress::default()
        };
        for recipient in &self.recipients {
            match &recipient.state {
                State::Queued => {}
                State::Cancelled => p.cancelled += 1,
                State::FailedBeforeDial(_) => {
                    p.dispatched += 1;
                    p.finished += 1;
                    p.failed_before_dial += 1;
                }
                State::Dispatched => {
                    p.dispatched += 1;
                    match recipient.latest_call(calls) {
                        Some(call) if call.is_in_flight() => p.in_flight += 1,
                        Some(call) if matches!(call.status.as_str(), "completed" | "failed") => {
                            p.finished += 1;
                        }
                        // A call seeded with another status, or gone: neither in flight nor finished.
                        _ => {}
                    }
                }
            }
        }
        p
    }

    /// The `AgentCallBatch` JSON; `recipients` only for `GET /agents/calls/batches/{id}`.
    pub(crate) fn to_json(&self, calls: &Records<Record>, with_recipients: bool) -> Value {
        let progress = self.progress(calls);
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("name".into(), json!(self.name));
        out.insert("agent_id".into(), json!(self.agent_id));
        out.insert("from_number_id".into(), json!(self.from_number_id));
        out.insert("region".into(), json!(self.region));
        out.insert(
            "target_concurrency_limit".into(),
            json!(self.target_concurrency_limit),
        );
        out.insert("status".into(), json!(progress.status(self.cancelled)));
        out.insert("total_calls_scheduled".into(), json!(progress.scheduled));
        out.insert("total_calls_dispatched".into(), json!(progress.dispatched));
        out.insert("total_calls_finished".into(), json!(progress.finished));
        out.insert("retry_count".into(), json!(self.retry_count));
        out.insert("created_at".into(), json!(self.created_at));
        out.insert("last_updated_at".into(), json!(self.last_updated_at));
        // Both are omitted rather than null, as the docs describe `scheduled_at`.
        if let Some(at) = &self.scheduled_at {
            out.insert("scheduled_at".into(), json!(at));
        }
        if let Some(at) = &self.admitted_at {
            out.insert("admitted_at".into(), json!(at));
        }
        if with_recipients {
            let recipients: Vec<Value> = self.recipients.iter().map(|r| r.to_json(calls)).collect();
            out.insert("recipients".into(), Value::Array(recipients));
        }
        Value::Object(out)
    }
}

impl Recipient {
    /// The recipient's latest call, if it has one.
    pub(crate) fn latest_call<'a>(&self, calls: &'a Records<Record>) -> Option<&'a Record> {
        calls.get(self.call_ids.last()?)
    }

    /// The status: the queue state before dispatch, the latest call's after (§ recipient status
    /// table of the API reference: `queued`, `dispatched`, `started`, `completed`, `failed`,
    /// `cancelled`). A call seeded with another status passes its status through.
    pub(crate) fn status<'a>(&self, calls: &'a Records<Record>) -> &'a str {
        match &self.state {
            State::Queued => "queued",
            State::Cancelled => "cancelled",
            State::FailedBeforeDial(_) => "failed",
            State::Dispatched => match self.latest_call(calls) {
                None => "dispatched",
                Some(call) => match call.status.as_str() {
                    "created" => "dispatched",
                    "completed" if is_unanswered(call) => "failed",
                    other => other,
                },
            },
        }
    }

    /// Whether a retry re-queues the recipient: its latest attempt failed (before or after
    /// dialling) or went unanswered.
    pub(crate) fn is_retryable(&self, calls: &Records<Record>) -> bool {
        match &self.state {
            State::FailedBeforeDial(_) => true,
            State::Dispatched => self.latest_call(calls).is_some_and(|call| {
                call.status == "failed" || (call.status == "completed" && is_unanswered(call))
            }),
            State::Queued | State::Cancelled => false,
        }
    }

    fn to_json(&self, calls: &Records<Record>) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("to_number".into(), json!(self.to_number));
        out.insert("status".into(), json!(self.status(calls)));
        out.insert("created_at".into(), json!(self.created_at));
        match &self.state {
            State::Dispatched => {
                if let Some(call_id) = self.call_ids.last() {
                    out.insert("agent_call_id".into(), json!(call_id));
                }
                if let Some(reason) = self.latest_call(calls).and_then(|c| c.end_reason.as_ref()) {
                    out.insert("end_reason".into(), json!(reason));
                }
            }
            // `agent_call_id` is absent for a recipient that never reached a dial attempt, and
            // while a re-queued recipient waits for its next one.
            State::FailedBeforeDial(message) => {
                out.insert("error_message".into(), json!(message));
            }
            State::Queued | State::Cancelled => {}
        }
        out.insert(
            "metadata".into(),
            self.metadata.clone().unwrap_or(Value::Null),
        );
        Value::Object(out)
    }
}

fn is_unanswered(call: &Record) -> bool {
    call.end_reason
        .as_deref()
        .is_some_and(|reason| UNANSWERED.contains(&reason))
}

/// A batch's counters, derived at read time.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    /// `total_calls_scheduled`: every recipient.
    pub(crate) scheduled: usize,
    /// `total_calls_dispatched`: handed to the dialer, pre-dial failures included. A recipient
    /// re-queued by a retry counts again only once dispatched again.
    pub(crate) dispatched: usize,
    /// `total_calls_finished`: latest attempt `completed` or `failed`, pre-dial failures included.
    pub(crate) finished: usize,
    pub(crate) failed_before_dial: usize,
    /// Dispatched recipients whose latest call is `created` or `started`.
    pub(crate) in_flight: usize,
    /// Recipients the cancel kept from ever being dialled.
    pub(crate) cancelled: usize,
}

impl Progress {
    /// The batch `status`, per the docs' table: `cancelled` when a cancel came before every
    /// recipient was dispatched, else `pending` (none dispatched), `in_progress` (some),
    /// `failed` (all, and all failed before dialling) or `completed` (all).
    ///
    /// The docs do not say what a cancel of a fully dispatched batch shows; the simulator keeps
    /// the status derived from dispatch (`completed` or `failed`), since no recipient was
    /// "cancelled before it was dispatched". Such a batch still refuses a retry.
    pub(crate) fn status(&self, cancelled: bool) -> &'static str {
        if cancelled && self.cancelled > 0 {
            "cancelled"
        } else if self.dispatched == 0 {
            "pending"
        } else if self.dispatched < self.scheduled {
            "in_progress"
        } else if self.failed_before_dial == self.scheduled {
            "failed"
        } else {
            "completed"
        }
    }
}

/// Dispatches the next `n` queued recipients of batch `batch_id`, in upload order: each becomes a
/// call of the batch's agent in status `created` with `telephony_params.to` = its number and its
/// metadata. Returns the new call ids; none for a cancelled batch. The first dispatch admits the
/// batch (`admitted_at`). `None` when there is no such batch.
pub(crate) fn dispatch(calls: &mut Calls, batch_id: &str, n: usize) -> Option<Vec<String>> {
    let Calls { by_id, batches } = calls;
    let batch = batches.get_mut(batch_id)?;
    let mut placed = Vec::new();
    if batch.cancelled || n == 0 {
        return Some(placed);
    }
    let now = clock::seconds(clock::now());
    for recipient in batch
        .recipients
        .iter_mut()
        .filter(|r| r.state == State::Queued)
        .take(n)
    {
        let call_id = format!("ac_{}", id::base62(22));
        let mut record = Record::new(call_id.clone(), batch.agent_id.clone());
        record.telephony_params = Some(call::outbound_telephony(&recipient.to_number));
        record.metadata = Some(recipient.metadata.clone().unwrap_or_else(|| json!({})));
        record.batch_id = Some(batch.id.clone());
        by_id.insert(record);
        recipient.state = State::Dispatched;
        recipient.call_ids.push(call_id.clone());
        placed.push(call_id);
    }
    if !placed.is_empty() {
        batch.admitted_at.get_or_insert_with(|| now.clone());
        batch.last_updated_at = now;
    }
    Some(placed)
}

/// Hands the next `n` queued recipients to the dialer and fails each before a call is placed,
/// with `message` as its `error_message`. Returns how many failed; `None` for no such batch.
pub(crate) fn fail_before_dial(
    calls: &mut Calls,
    batch_id: &str,
    n: usize,
    message: &str,
) -> Option<usize> {
    let batch = calls.batches.get_mut(batch_id)?;
    if batch.cancelled {
        return Some(0);
    }
    let mut failed = 0;
    for recipient in batch
        .recipients
        .iter_mut()
        .filter(|r| r.state == State::Queued)
        .take(n)
    {
        recipient.state = State::FailedBeforeDial(message.to_owned());
        failed += 1;
    }
    if failed > 0 {
        let now = clock::seconds(clock::now());
        batch.admitted_at.get_or_insert_with(|| now.clone());
        batch.last_updated_at = now;
    }
    Some(failed)
}

/// Hands the next `n` queued recipients to the dialer without placing their calls yet: each reads `dispatched`
/// with no `agent_call_id`, as between Cartesia's dispatch and the call's creation. Returns how many; `None` for no
/// such batch.
pub(crate) fn hand_to_dialer(calls: &mut Calls, batch_id: &str, n: usize) -> Option<usize> {
    let batch = calls.batches.get_mut(batch_id)?;
    if batch.cancelled {
        return Some(0);
    }
    let mut handed = 0;
    for recipient in batch
        .recipients
        .iter_mut()
        .filter(|r| r.state == State::Queued)
        .take(n)
    {
        recipient.state = State::Dispatched;
        handed += 1;
    }
    if handed > 0 {
        let now = clock::seconds(clock::now());
        batch.admitted_at.get_or_insert_with(|| now.clone());
        batch.last_updated_at = now;
    }
    Some(handed)
}

/// Tops batch `batch_id` up to its `target_concurrency_limit` calls in flight, if it is admitted.
/// For auto-dial.
pub(crate) fn refill(calls: &mut Calls, batch_id: &str) {
    let Some(batch) = calls.batches.get(batch_id) else {
        return;
    };
    if !batch.is_admitted() {
        return;
    }
    let in_flight = batch.progress(&calls.by_id).in_flight;
    let limit = usize::try_from(batch.target_concurrency_limit).unwrap_or(usize::MAX);
    let free = limit.saturating_sub(in_flight);
    if free > 0 {
        dispatch(calls, batch_id, free);
    }
}

/// Cancels batch `batch_id`: every queued recipient becomes `cancelled` and is never dialled;
/// calls already dispatched are not touched. Idempotent. `false` for no such batch.
pub(crate) fn cancel(calls: &mut Calls, batch_id: &str) -> bool {
    let Some(batch) = calls.batches.get_mut(batch_id) else {
        return false;
    };
    if !batch.cancelled {
        batch.cancelled = true;
        for recipient in &mut batch.recipients {
            if recipient.state == State::Queued {
                recipient.state = State::Cancelled;
            }
        }
        batch.touch();
    }
    true
}

/// What a retry did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// The failed and unanswered recipients were re-queued (how many).
    Requeued(usize),
    /// The batch was cancelled: "A cancelled batch cannot be retried."
    Cancelled,
    NotFound,
}

/// Re-queues the recipients whose latest attempt failed or went unanswered; completed ones are
/// left alone. Every accepted retry counts in `retry_count`, even one with nothing to re-queue
/// (the docs count "times the batch has been retried").
pub(crate) fn retry(calls: &mut Calls, batch_id: &str) -> Retry {
    let Calls { by_id, batches, .. } = calls;
    let Some(batch) = batches.get_mut(batch_id) else {
        return Retry::NotFound;
    };
    if batch.cancelled {
        return Retry::Cancelled;
    }
    let mut requeued = 0;
    for recipient in &mut batch.recipients {
        if recipient.is_retryable(by_id) {
            recipient.state = State::Queued;
            requeued += 1;
        }
    }
    batch.retry_count += 1;
    batch.touch();
    Retry::Requeued(requeued)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch_of(n: usize) -> Calls {
        let mut calls = Calls::default();
        let mut batch = Batch::new("acb_1".into(), "agent_1".into());
        for i in 0..n {
            batch.push_recipient(format!("+1415555000{i}"), None);
        }
        calls.batches.insert(batch);
        calls
    }

    fn status(calls: &Calls) -> &'static str {
        let batch = calls.batches.get("acb_1").unwrap();
        batch.progress(&calls.by_id).status(batch.cancelled)
    }

    #[test]
    fn status_follows_dispatch_and_cancel() {
        let mut calls = batch_of(4);
        assert_eq!(status(&calls), "pending");
        let placed = dispatch(&mut calls, "acb_1", 2).unwrap();
        assert_eq!(placed.len(), 2);
        assert_eq!(calls.by_id.get(&placed[0]).unwrap().status, "created");
        assert_eq!(status(&calls), "in_progress");
        assert!(cancel(&mut calls, "acb_1"));
        assert!(cancel(&mut calls, "acb_1"), "idempotent");
        assert_eq!(status(&calls), "cancelled");
        assert!(dispatch(&mut calls, "acb_1", 5).unwrap().is_empty());
        let batch = calls.batches.get("acb_1").unwrap();
        let p = batch.progress(&calls.by_id);
        assert_eq!(
            (p.scheduled, p.dispatched, p.in_flight, p.cancelled),
            (4, 2, 2, 2)
        );
        assert_eq!(retry(&mut calls, "acb_1"), Retry::Cancelled);
        assert!(dispatch(&mut calls, "acb_2", 1).is_none());
    }

    #[test]
    fn failed_and_retried() {
        let mut calls = batch_of(2);
        assert_eq!(
            fail_before_dial(&mut calls, "acb_1", 2, "no route"),
            Some(2)
        );
        assert_eq!(status(&calls), "failed");
        assert_eq!(retry(&mut calls, "acb_1"), Retry::Requeued(2));
        assert_eq!(status(&calls), "pending");
        let placed = dispatch(&mut calls, "acb_1", 2).unwrap();
        calls
            .by_id
            .get_mut(&placed[0])
            .unwrap()
            .set_status("completed");
        let unanswered = calls.by_id.get_mut(&placed[1]).unwrap();
        unanswered.end_reason = Some("dial_no_answer".into());
        unanswered.set_status("completed");
        let batch = calls.batches.get("acb_1").unwrap();
        assert_eq!(batch.progress(&calls.by_id).finished, 2);
        assert_eq!(batch.recipients[1].status(&calls.by_id), "failed");
        assert_eq!(status(&calls), "completed");
        assert_eq!(retry(&mut calls, "acb_1"), Retry::Requeued(1));
        assert_eq!(calls.batches.get("acb_1").unwrap().retry_count, 2);
        assert_eq!(status(&calls), "in_progress");
    }

    #[test]
    fn refill_keeps_the_target_in_flight() {
        let mut calls = batch_of(5);
        calls
            .batches
            .get_mut("acb_1")
            .unwrap()
            .target_concurrency_limit = 2;
        refill(&mut calls, "acb_1");
        let p = calls.batches.get("acb_1").unwrap().progress(&calls.by_id);
        assert_eq!((p.dispatched, p.in_flight), (2, 2));
        refill(&mut calls, "acb_1");
        assert_eq!(
            calls
                .batches
                .get("acb_1")
                .unwrap()
                .progress(&calls.by_id)
                .dispatched,
            2
        );
    }
}
