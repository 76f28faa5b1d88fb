//! The campaign object of the new API, its statuses, and its report.

use std::collections::BTreeMap;

use call_core::Timestamp;
use call_core::provider_kit::open_enum;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::campaign_contact::ContactStatus;
use super::campaign_id::CampaignId;
use super::campaign_window::{LocalDate, Slot};
use crate::null_as_default::null_as_default;

open_enum! {
    /// A campaign's status ([lifecycle](https://docs.miraiminds.co/v2/campaigns#lifecycle)).
    ///
    /// `draft → play` (start) `→ paused` (pause, or the money gate) `→ play` (resume or start); `stopped` (by you,
    /// from `draft`, `play` or `paused`) and `completed` (by Mirai) are terminal. Unknown values are kept.
    pub enum CampaignStatus {
        /// `draft`: created; accepts contacts and edits; dials nothing.
        Draft = "draft",
        /// `play`: running, though possibly asleep outside its calling window (still `play`).
        Play = "play",
        /// `paused`: no new dials; calls already live are **not** hung up. Reversible.
        Paused = "paused",
        /// `stopped`: stopped for good by you: live calls were hung up and pending contacts marked `aborted`.
        /// Terminal.
        Stopped = "stopped",
        /// `completed`: finished by Mirai: every contact final, or the date range ran out (even with contacts still
        /// `pending`). Terminal.
        Completed = "completed",
    }
}

impl CampaignStatus {
    /// Whether the status is terminal (`stopped`, `completed`): the campaign will never dial again.
    pub fn is_terminal(&self) -> bool {
        matches!(self, CampaignStatus::Stopped | CampaignStatus::Completed)
    }

    /// Whether the campaign may be edited ([`update_campaign`](crate::MiraiV2Client::update_campaign)) and started:
    /// `draft` and `paused` only.
    pub fn is_editable(&self) -> bool {
        matches!(self, CampaignStatus::Draft | CampaignStatus::Paused)
    }
}

open_enum! {
    /// Why Mirai paused a campaign (`pause_reason`; `None` when a person paused it, and whenever it is not paused).
    pub enum PauseReason {
        /// `insufficient_balance`: the wallet cannot cover another minute; top up, then start or resume.
        InsufficientBalance = "insufficient_balance",
        /// `budget_exhausted`: `spent_paise` reached `budget_paise`; raise the budget, then resume.
        BudgetExhausted = "budget_exhausted",
    }
}

/// A campaign, as [`GET /v2/campaigns/{id}`](https://docs.miraiminds.co/v2/campaigns) returns it, as list pages
/// and the create answer carry it, and as `campaign.*` webhook events carry it (`data.campaign`).
///
/// Money is in integer **paise** (100 paise = ₹1), never rupees: `budget_paise`, `spent_paise`. Only `id` and
/// `status` are required: list pages omit `counters`, events carry a subset, and the create answer with rejected
/// rows may carry only a few fields. Unknown fields are kept in [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Campaign {
    /// The campaign's id (`cmp_<ulid>`).
    pub id: CampaignId,
    /// Where it is in its lifecycle.
    pub status: CampaignStatus,
    /// The object's type, `"campaign"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Its name (1 to 120 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The agent every contact is dialled with (fixed at create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The rate card every call bills at (`t1`, `t3`, `t5`; fixed at create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Why Mirai paused it; `None` when a person paused it, and whenever it is not paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_reason: Option<PauseReason>,
    /// The IANA time zone its dates and slots are read in (fixed at create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The first local date it may dial on (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<LocalDate>,
    /// The last local date it may dial on (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<LocalDate>,
    /// Its daily calling windows (1 to 4).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub slots: Vec<Slot>,
    /// How many of its calls may be live at once (1 to 50; the workspace's limits apply too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent: Option<u32>,
    /// Retries after the first attempt (0 to 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_count: Option<u32>,
    /// The least time a contact waits before it is dialled again, in seconds (60 to 86,400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re_attempt_period_secs: Option<u32>,
    /// The longest a call may last, in seconds (30 to 1,800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration_secs: Option<u32>,
    /// The spend cap in paise; `None` when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_paise: Option<u64>,
    /// What it has been billed so far, in paise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent_paise: Option<u64>,
    /// Where its `campaign.*` events and every child call's `call.*` events go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Its contacts by contact status (`pending`, `completed`, ...): only [`get_campaign`] and webhook events carry
    /// them; empty on list pages. Read with [`count`](Self::count).
    ///
    /// [`get_campaign`]: crate::MiraiV2Client::get_campaign
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub counters: BTreeMap<String, u64>,
    /// Contacts with at least one attempt (webhook events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialed: Option<u64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Campaign {
    /// How many contacts are in `status`, from [`counters`](Self::counters) (0 when absent).
    pub fn count(&self, status: &ContactStatus) -> u64 {
        self.counters.get(status.as_str()).copied().unwrap_or(0)
    }
}

/// A campaign's aggregate report, from [`campaign_report`](crate::MiraiV2Client::campaign_report):
/// `GET /v2/campaigns/{id}/report`.
///
/// `connected / dialed` is the answer rate; `attempts / dialed` says whether retries pay off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CampaignReport {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Its status.
    pub status: CampaignStatus,
    /// Contacts by final status.
    #[serde(default, deserialize_with = "null_as_default")]
    pub counters: BTreeMap<String, u64>,
    /// Rows uploaded.
    pub contacts: u64,
    /// Contacts with at least one attempt.
    pub dialed: u64,
    /// Dial attempts, retries included.
    pub attempts: u64,
    /// `completed + voicemail + timeout`: the calls that produced live media (the billed ones).
    pub connected: u64,
    /// Spent, in paise.
    pub spent_paise: u64,
    /// The same amount in rupees, as Mirai sends it (prefer [`spent_paise`](Self::spent_paise)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent_inr: Option<f64>,
    /// The spend cap in paise; `None` when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_paise: Option<u64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CampaignReport {
    /// How many contacts ended in `status`, from [`counters`](Self::counters) (0 when absent).
    pub fn count(&self, status: &ContactStatus) -> u64 {
        self.counters.get(status.as_str()).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_object() {
        let campaign: Campaign = serde_json::from_value(serde_json::json!({
            "id": "cmp_01K7QAC5N9P4R7S3T6V8W2X4YB", "object": "campaign", "name": "Order confirmations",
            "agent_id": "agt_1", "tier": "t3", "status": "play", "pause_reason": null, "timezone": "Asia/Kolkata",
            "start_date": "2026-08-11", "end_date": "2026-08-18", "slots": [{"start": "10:00", "end": "19:00"}],
            "max_concurrent": 2, "retry_count": 1, "re_attempt_period_secs": 900, "max_duration_secs": 300,
            "budget_paise": 50000, "spent_paise": 12900, "webhook_url": "https://example.com/mirai/webhook",
            "created_at": "2026-08-10T09:21:44Z", "updated_at": "2026-08-10T11:04:02Z",
            "counters": {"pending": 812, "dialing": 2, "completed": 174}, "brand_new": true
        }))
        .unwrap();
        assert_eq!(campaign.status, CampaignStatus::Play);
        assert_eq!(campaign.budget_paise, Some(50_000));
        assert_eq!(campaign.slots, [Slot::parse("10:00", "19:00").unwrap()]);
        assert_eq!(campaign.count(&ContactStatus::Pending), 812);
        assert_eq!(campaign.count(&ContactStatus::Exhausted), 0);
        assert_eq!(campaign.extra["brand_new"], true);
        let odd: Campaign = serde_json::from_str(
            r#"{"id":"cmp_1","status":"archived","pause_reason":"why_not","budget_paise":null}"#,
        )
        .unwrap();
        assert_eq!(odd.status, CampaignStatus::Unknown("archived".into()));
        assert_eq!(
            odd.pause_reason,
            Some(PauseReason::Unknown("why_not".into()))
        );
        assert!(!odd.status.is_terminal());
        assert!(serde_json::from_str::<Campaign>(r#"{"id":"cmp_1"}"#).is_err());
        assert!(
            serde_json::from_str::<Campaign>(r#"{"id":"cmp_1","status":"play","spent_paise":1.5}"#)
                .is_err()
        );
    }
}
