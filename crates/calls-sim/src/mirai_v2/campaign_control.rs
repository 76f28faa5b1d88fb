//! The campaign and do-not-call side of the Mirai v2 control handle, and campaign snapshots.

use std::collections::BTreeMap;

use serde_json::Value;

use super::campaign::Campaign;
use super::{Calls, MiraiV2CampaignSeed, MiraiV2Control, dialler};
use crate::calling_window::CallingWindow;
use crate::unknown_id::UnknownCampaign;

impl MiraiV2Control {
    /// Adds a campaign, replacing any campaign with the same id.
    pub fn seed_campaign(&self, seed: MiraiV2CampaignSeed) {
        self.app.mirai_v2.lock().campaigns.insert(seed.campaign);
    }

    /// Dials up to `n` due contacts of campaign `id`, in upload order, and returns the new call
    /// ids: a dialler tick.
    ///
    /// Only a campaign in `play` dials, and only while the [`CallingWindow`] is open (outside it
    /// the campaign sleeps, still `play`); `max_concurrent` is not applied here. Each dialled
    /// contact becomes `dialing` with a new Mirai v2 call (status `queued`, `to` = the contact's
    /// phone, the campaign's agent, tier and `webhook_url`), which then moves like any call
    /// ([`MiraiV2Control::advance`], `POST /v2/calls/{id}/abort`, …) and takes its contact along.
    /// A contact whose number is on the do-not-call list when its turn comes becomes
    /// `suppressed` and does not count towards `n`. A campaign left with nothing to dial or in
    /// flight becomes `completed`; one whose `budget_paise` is spent is paused with
    /// `budget_exhausted` instead of dialling.
    ///
    /// # Errors
    ///
    /// [`UnknownCampaign`] when the simulator holds no campaign `id`.
    pub fn dial_campaign(&self, id: &str, n: usize) -> Result<Vec<String>, UnknownCampaign> {
        let mut calls = self.app.mirai_v2.lock();
        dialler::dial(&self.app, &mut calls, id, n).ok_or_else(|| UnknownCampaign::new(id))
    }

    /// A snapshot of campaign `id`, if the simulator holds it.
    pub fn campaign(&self, id: &str) -> Option<MiraiV2Campaign> {
        let calls = self.app.mirai_v2.lock();
        calls
            .campaigns
            .get(id)
            .map(|c| MiraiV2Campaign::of(c, &calls))
    }

    /// Snapshots of every campaign, newest first.
    pub fn campaigns(&self) -> Vec<MiraiV2Campaign> {
        let calls = self.app.mirai_v2.lock();
        calls
            .campaigns_newest_first()
            .into_iter()
            .map(|c| MiraiV2Campaign::of(c, &calls))
            .collect()
    }

    /// Puts `phone` on the do-not-call list, as `POST /v2/dnc` does (unchecked); `true` when it
    /// was not listed yet.
    pub fn add_dnc_number(&self, phone: &str) -> bool {
        self.app.mirai_v2.lock().dnc.add(phone)
    }

    /// Takes `phone` off the do-not-call list; `false` when it was not listed. Contacts already
    /// `suppressed` stay so.
    pub fn remove_dnc_number(&self, phone: &str) -> bool {
        self.app.mirai_v2.lock().dnc.remove(phone)
    }

    /// The numbers on the do-not-call list, newest first.
    pub fn dnc_numbers(&self) -> Vec<String> {
        self.app
            .mirai_v2
            .lock()
            .dnc
            .newest_first()
            .into_iter()
            .map(|entry| entry.phone.clone())
            .collect()
    }

    /// Replaces the calling window (see [`CallingWindow`]), e.g. to close it in the middle of a
    /// test and watch `resume` answer 409 `window_closed`.
    pub fn set_calling_window(&self, window: CallingWindow) {
        self.app.mirai_v2.lock().window = window;
    }

    /// The calling window in force.
    pub fn calling_window(&self) -> CallingWindow {
        self.app.mirai_v2.lock().window
    }
}

/// A snapshot of a simulated Mirai v2 campaign.
///
/// A campaign is created with `POST /v2/campaigns` or [`MiraiV2Control::seed_campaign`], moves
/// through `draft → play ⇄ paused → stopped` by the API's `start`, `pause`, `resume` and `stop`
/// (and to `completed` once every contact is final), and dials only when told: by
/// [`MiraiV2Control::dial_campaign`], or on its own with [`crate::SimBuilder::auto_dial`] (never
/// on a timer). Stopping it aborts its live calls and marks every pending contact `aborted`;
/// pausing it stops new dials and leaves live calls alone.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use calls_sim::{MiraiV2CampaignSeed, Sim};
///
/// let sim = Sim::start().await?;
/// let v2 = sim.mirai_v2();
/// v2.seed_campaign(
///     MiraiV2CampaignSeed::new("cmp_1", "agt_1")
///         .status("play")
///         .contact("+919876543210")
///         .contact("+919876543211"),
/// );
/// v2.add_dnc_number("+919876543211");
/// let calls = v2.dial_campaign("cmp_1", 5)?; // one call; the second contact is suppressed
/// let campaign = v2.campaign("cmp_1").ok_or("gone")?;
/// assert_eq!(campaign.count("suppressed"), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MiraiV2Campaign {
    id: String,
    agent_id: String,
    name: String,
    status: String,
    pause_reason: Option<String>,
    webhook_url: Option<String>,
    max_concurrent: u64,
    counters: BTreeMap<String, usize>,
    contacts: Vec<MiraiV2Contact>,
    call_ids: Vec<String>,
    spent_paise: u64,
    json: Value,
    contacts_json: Vec<Value>,
}

impl MiraiV2Campaign {
    fn of(campaign: &Campaign, calls: &Calls) -> MiraiV2Campaign {
        MiraiV2Campaign {
            id: campaign.id.clone(),
            agent_id: campaign.agent_id.clone(),
            name: campaign.name.clone(),
            status: campaign.status.clone(),
            pause_reason: campaign.pause_reason.clone(),
            webhook_url: campaign.webhook_url.clone(),
            max_concurrent: campaign.max_concurrent,
            counters: campaign.counters(),
            contacts: campaign
                .contacts
                .iter()
                .map(|c| MiraiV2Contact {
                    id: c.id.clone(),
                    phone: c.phone.clone(),
                    status: c.status.clone(),
                    attempts: c.attempts,
                    last_call_id: c.last_call_id.clone(),
                    last_status: c.last_status.clone(),
                })
                .collect(),
            call_ids: campaign.call_ids.clone(),
            spent_paise: campaign.spent_paise(&calls.by_id),
            json: campaign.to_json(&calls.by_id, true),
            contacts_json: campaign.contacts.iter().map(|c| c.to_json()).collect(),
        }
    }

    /// The campaign JSON with `counters` and every contact row, for `/_sim/mirai_v2/campaigns/{id}`.
    pub(crate) fn control_json(&self) -> Value {
        let mut value = self.json.clone();
        if let Value::Object(map) = &mut value {
            map.insert("contacts".into(), Value::Array(self.contacts_json.clone()));
            map.insert("call_ids".into(), serde_json::json!(self.call_ids));
        }
        value
    }

    /// The campaign id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The agent id.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The status: `draft`, `play`, `paused`, `stopped` or `completed`.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// `pause_reason`: `None` unless the money gate paused it (`budget_exhausted`).
    pub fn pause_reason(&self) -> Option<&str> {
        self.pause_reason.as_deref()
    }

    /// The `webhook_url`.
    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook_url.as_deref()
    }

    /// `max_concurrent`.
    pub fn max_concurrent(&self) -> u64 {
        self.max_concurrent
    }

    /// How many contacts have `status` (0 for none).
    pub fn count(&self, status: &str) -> usize {
        self.counters.get(status).copied().unwrap_or(0)
    }

    /// The contacts, in upload order.
    pub fn contacts(&self) -> &[MiraiV2Contact] {
        &self.contacts
    }

    /// Every call the campaign placed, oldest first.
    pub fn call_ids(&self) -> &[String] {
        &self.call_ids
    }

    /// `spent_paise`: what its calls were billed so far.
    pub fn spent_paise(&self) -> u64 {
        self.spent_paise
    }

    /// The JSON `GET /v2/campaigns/{id}` returns for this campaign, with `counters`.
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }
}

/// One contact of a [`MiraiV2Campaign`] snapshot.
#[derive(Debug, Clone)]
pub struct MiraiV2Contact {
    id: String,
    phone: String,
    status: String,
    attempts: u64,
    last_call_id: Option<String>,
    last_status: Option<String>,
}

impl MiraiV2Contact {
    /// The contact id (yours, or minted).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The phone number.
    pub fn phone(&self) -> &str {
        &self.phone
    }

    /// The status: `pending`, `dialing`, `completed`, `voicemail`, `timeout`, `no_answer`,
    /// `busy`, `failed`, `exhausted`, `suppressed` or `aborted`.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// Calls placed for the contact so far.
    pub fn attempts(&self) -> u64 {
        self.attempts
    }

    /// The latest call placed for the contact.
    pub fn last_call_id(&self) -> Option<&str> {
        self.last_call_id.as_deref()
    }

    /// The latest call's status.
    pub fn last_status(&self) -> Option<&str> {
        self.last_status.as_deref()
    }
}
