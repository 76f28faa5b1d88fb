//! Seeding Mirai v2 campaigns with chosen fields.

use serde_json::{Map, Value, json};

use super::campaign::{Campaign, Mode};
use super::campaign_api;
use crate::json_field::take_string;

/// A Mirai v2 campaign to put into the simulator as is, built with chained setters.
///
/// A seed holds what it is given, unchecked. It starts `draft` with the documented defaults
/// (`max_concurrent` 1, `retry_count` 0, tier `t1`), timezone `Asia/Kolkata`, one slot
/// 09:00–21:00 and dates from today for 30 days. A campaign seeded in `play` or `paused` counts
/// as started: it never sends `campaign.started`. Seeding dials nothing, even with
/// [`crate::SimBuilder::auto_dial`]: [`crate::MiraiV2Control::dial_campaign`] does.
///
/// ```
/// use calls_sim::MiraiV2CampaignSeed;
///
/// let seed = MiraiV2CampaignSeed::new("cmp_1", "agt_1")
///     .status("play")
///     .max_concurrent(2)
///     .contact("+919876543210")
///     .contact_with_id("cust-1001", "+919876543211")
///     .webhook_url("http://127.0.0.1:9999/hook");
/// ```
#[derive(Debug, Clone)]
pub struct MiraiV2CampaignSeed {
    pub(crate) campaign: Campaign,
}

impl MiraiV2CampaignSeed {
    /// A `draft` campaign `id` of agent `agent_id` with no contacts.
    pub fn new(id: impl Into<String>, agent_id: impl Into<String>) -> Self {
        MiraiV2CampaignSeed {
            campaign: Campaign::new(id.into(), agent_id.into()),
        }
    }

    /// The `name` (default `Simulated campaign`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.campaign.name = name.into();
        self
    }

    /// The `status`; any string (`draft`, `play`, `paused`, `stopped`, `completed`).
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.campaign.status = status.into();
        self.campaign.started = matches!(self.campaign.status.as_str(), "play" | "paused");
        self
    }

    /// `max_concurrent` (default 1): what auto-dial keeps live.
    #[must_use]
    pub fn max_concurrent(mut self, n: u64) -> Self {
        self.campaign.max_concurrent = n;
        self
    }

    /// `retry_count` (default 0): retries after the first attempt of a `no_answer`, `busy` or
    /// `failed` contact.
    #[must_use]
    pub fn retry_count(mut self, n: u64) -> Self {
        self.campaign.retry_count = n;
        self
    }

    /// `budget_paise`: dialling pauses the campaign with `budget_exhausted` once its calls have
    /// cost this much.
    #[must_use]
    pub fn budget_paise(mut self, paise: u64) -> Self {
        self.campaign.budget_paise = Some(paise);
        self
    }

    /// The `webhook_url` that receives `campaign.*` events and every child call's events.
    #[must_use]
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.campaign.webhook_url = Some(url.into());
        self
    }

    /// `start_date` and `end_date`, `YYYY-MM-DD` (checked only under a daily
    /// [`crate::CallingWindow`]).
    #[must_use]
    pub fn dates(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.campaign.start_date = start.into();
        self.campaign.end_date = end.into();
        self
    }

    /// Adds a `pending` contact with a minted id.
    #[must_use]
    pub fn contact(mut self, phone: impl Into<String>) -> Self {
        self.campaign.push_contact(None, phone.into(), None);
        self
    }

    /// Adds a `pending` contact with your id, e.g. `cust-1001`.
    #[must_use]
    pub fn contact_with_id(mut self, id: impl Into<String>, phone: impl Into<String>) -> Self {
        self.campaign
            .push_contact(Some(id.into()), phone.into(), None);
        self
    }

    /// Builds a seed from the JSON object the `/_sim/mirai_v2/campaigns` control route accepts:
    /// the `POST /v2/campaigns` body with no field required but `agent_id`, plus an optional `id`
    /// and `status`. Returns the contact counts too (`contacts_accepted`, …).
    pub(crate) fn from_json(mut object: Map<String, Value>) -> Result<(Self, Value), String> {
        let id = take_string(&mut object, "id")?;
        let status = take_string(&mut object, "status")?;
        let (campaign, added) = campaign_api::build(&object, id, Mode::Seed)?;
        let mut seed = MiraiV2CampaignSeed { campaign };
        if let Some(status) = status {
            seed = seed.status(status);
        }
        let counts = json!({
            "contacts_accepted": added.accepted,
            "contacts_duplicate": added.duplicate,
            "contacts_rejected": added.rejected,
        });
        Ok((seed, counts))
    }

    /// The id of the campaign this seed makes.
    pub(crate) fn id(&self) -> &str {
        &self.campaign.id
    }
}
