//! The batch record (`AgentCallBatch`) and its recipients.

use std::fmt;

use call_core::provider_kit::open_enum;
use call_core::{CallId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::create::Masked;
use crate::{BatchId, EndReason, Region};

/// A Cartesia call batch, as [Get Call Batch](https://docs.cartesia.ai/api-reference/agents/call-batches/get-call-batch)
/// and the other batch endpoints return it.
///
/// Every documented field. `retry_count` is missing from the older revision of the docs and reads as 0 then. Unknown
/// fields are ignored and unknown enum values kept, so a new field or status never breaks decoding.
///
/// **`status` is about dispatch, not about calls.** Cartesia derives it at read time from dispatch progress:
/// [`BatchStatus::Completed`] means every recipient was handed to the dialer, and a `completed` batch can still have
/// live calls. To know whether every call is over, use [`all_calls_finished`](Batch::all_calls_finished) or the
/// recipients' statuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Batch {
    /// The batch's id.
    pub id: BatchId,
    /// The batch's label.
    pub name: String,
    /// The agent that handles the batch's calls.
    pub agent_id: String,
    /// The phone number (an id such as `ap_...`) the batch dials from.
    pub from_number_id: String,
    /// The region whose dispatcher drains the batch.
    pub region: Region,
    /// The most calls of this batch dialled at once.
    pub target_concurrency_limit: u32,
    /// Where dispatch is: see the type's documentation.
    pub status: BatchStatus,
    /// Recipients queued in the batch.
    pub total_calls_scheduled: u32,
    /// Recipients handed to the dialer so far, including those that failed before a call could be placed.
    pub total_calls_dispatched: u32,
    /// Recipients whose latest attempt reached a terminal state (completed or failed), pre-dial failures included.
    pub total_calls_finished: u32,
    /// How many times the batch was retried ([`CartesiaClient::retry_batch`](crate::CartesiaClient::retry_batch));
    /// 0 until the first retry, and when Cartesia does not send it.
    #[serde(default)]
    pub retry_count: u32,
    /// When the batch was created.
    pub created_at: Timestamp,
    /// When the batch was last updated.
    pub last_updated_at: Timestamp,
    /// When dispatch is scheduled to start; `None` for a batch that dispatches at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<Timestamp>,
    /// When dispatch actually started; `None` while the batch waits for its schedule or for concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admitted_at: Option<Timestamp>,
    /// The recipients and their status: only [`get_batch`](crate::CartesiaClient::get_batch) returns them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Vec<Recipient>>,
}

impl Batch {
    /// Whether every recipient has been handed to the dialer (`total_calls_dispatched` has reached
    /// `total_calls_scheduled`): what the status `completed` means. Calls may still be ringing or running.
    ///
    /// Read from the counters, so it holds whatever status value Cartesia sends. A cancelled batch whose recipients
    /// were not all dispatched never gets here: its undispatched recipients are never dialled.
    pub fn is_dispatch_complete(&self) -> bool {
        self.total_calls_dispatched >= self.total_calls_scheduled
    }

    /// Whether every recipient's latest attempt is over (`total_calls_finished` has reached
    /// `total_calls_scheduled`): no call of the batch is live.
    ///
    /// Recipients withdrawn by a cancel are never dialled and, as far as the docs say, never counted as finished, so
    /// for a cancelled batch read the recipients ([`get_batch`](crate::CartesiaClient::get_batch)) instead.
    pub fn all_calls_finished(&self) -> bool {
        self.total_calls_finished >= self.total_calls_scheduled
    }

    /// Recipients not yet handed to the dialer (`total_calls_scheduled - total_calls_dispatched`). Once the batch is
    /// cancelled, these are the recipients that will never be dialled.
    pub fn undispatched_recipients(&self) -> u32 {
        self.total_calls_scheduled
            .saturating_sub(self.total_calls_dispatched)
    }
}

open_enum! {
    /// A batch's status, derived by Cartesia at read time from dispatch progress. Unknown values are kept.
    ///
    /// It says nothing about whether calls are over: see [`Batch`].
    pub enum BatchStatus {
        /// No call dispatched yet (waiting for its schedule or for concurrency).
        Pending = "pending",
        /// Some calls dispatched, not all.
        InProgress = "in_progress",
        /// Every recipient dispatched, whatever became of the calls: some may still be ringing or running.
        Completed = "completed",
        /// Every recipient failed before dialling.
        Failed = "failed",
        /// Cancelled before every call was dispatched.
        Cancelled = "cancelled",
    }
}

/// One recipient of a batch, and where it is.
///
/// `Debug` shows only the number's last two digits (phone numbers are personal data) and the metadata's size.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Recipient {
    /// The recipient's id within the batch.
    pub id: String,
    /// The number dialled, E.164.
    pub to_number: String,
    /// Where the recipient is: its queue state before dispatch, its latest call attempt's after.
    pub status: RecipientStatus,
    /// When the recipient was queued. Required by the schema, optional here: reading a batch's calls must never fail
    /// on a field that is not needed to stop them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The recipient's call, for [Get Call](crate::CartesiaClient::get_call) and
    /// [`terminate`](call_core::CallControl::terminate): set once the call is dispatched; absent for a recipient
    /// never dialled or that failed before a call was placed. After a retry, the latest attempt's call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_call_id: Option<CallId>,
    /// Why the latest call ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<EndReason>,
    /// Why the recipient failed before a call could be placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// The metadata given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl Recipient {
    /// Whether a call exists for this recipient (it has an [`agent_call_id`](Recipient::agent_call_id)).
    pub fn has_call(&self) -> bool {
        self.agent_call_id.is_some()
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipient")
            .field("id", &self.id)
            .field("to_number", &Masked(&self.to_number))
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .field("agent_call_id", &self.agent_call_id)
            .field("end_reason", &self.end_reason)
            .field("error_message", &self.error_message)
            .field("metadata", &self.metadata.as_ref().map(Map::len))
            .finish()
    }
}

open_enum! {
    /// A recipient's status within its batch. Unknown values are kept.
    pub enum RecipientStatus {
        /// Waiting for the dispatcher.
        Queued = "queued",
        /// Handed to the dialer; no attempt has connected or finished yet (the call may be ringing).
        Dispatched = "dispatched",
        /// The call connected and is in progress.
        Started = "started",
        /// The call connected and ended.
        Completed = "completed",
        /// The call could not be placed (see `error_message`), or the latest attempt failed.
        Failed = "failed",
        /// The batch was cancelled before this recipient was dialled.
        Cancelled = "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(scheduled: u32, dispatched: u32, finished: u32) -> Batch {
        serde_json::from_value(serde_json::json!({
            "id": "acb_1", "name": "n", "agent_id": "agent_1", "from_number_id": "ap_1", "region": "US",
            "target_concurrency_limit": 10, "status": "in_progress",
            "total_calls_scheduled": scheduled, "total_calls_dispatched": dispatched,
            "total_calls_finished": finished,
            "created_at": "2026-03-01T12:00:00Z", "last_updated_at": "2026-03-01T12:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn dispatch_and_finish_are_told_apart() {
        let running = batch(3, 3, 1);
        assert!(running.is_dispatch_complete());
        assert!(!running.all_calls_finished());
        assert_eq!(running.undispatched_recipients(), 0);
        let done = batch(3, 3, 3);
        assert!(done.all_calls_finished());
        let early = batch(3, 1, 0);
        assert!(!early.is_dispatch_complete());
        assert_eq!(early.undispatched_recipients(), 2);
        assert_eq!(early.retry_count, 0);
    }

    #[test]
    fn debug_masks_phone_numbers() {
        let recipient: Recipient = serde_json::from_value(serde_json::json!({
            "id": "r_1", "to_number": "+14155559876", "status": "queued",
            "metadata": {"name": "Ada"}
        }))
        .unwrap();
        let text = format!("{recipient:?}");
        assert!(!text.contains("4155559876"), "{text}");
        assert!(!text.contains("Ada"), "{text}");
    }
}
