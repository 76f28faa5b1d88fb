//! The bodies of Create Campaign (`POST /v2/campaigns`) and Update Campaign (`PATCH /v2/campaigns/{id}`), checked
//! before sending.

use call_core::provider_kit::ErrorExt;
use call_core::{Error, ErrorKind};
use serde::Serialize;

use super::campaign_contact::{NewContact, check_contacts};
use super::campaign_window::{LocalDate, Slot, check_timezone};
use crate::webhook_url::check_webhook_url;

fn invalid(what: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidInput, what)
}

/// The knobs both create and update may set, with Mirai's ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Knobs {
    #[serde(skip_serializing_if = "Option::is_none")]
    max_concurrent: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    re_attempt_period_secs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_duration_secs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget_paise: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_url: Option<String>,
}

impl Knobs {
    fn is_empty(&self) -> bool {
        *self == Knobs::default()
    }

    fn validate(&self) -> call_core::Result<()> {
        let out_of = |value: Option<u32>, range: std::ops::RangeInclusive<u32>| {
            value.is_some_and(|v| !range.contains(&v))
        };
        if out_of(self.max_concurrent, 1..=50) {
            return Err(invalid("max_concurrent must be 1 to 50"));
        }
        if out_of(self.retry_count, 0..=5) {
            return Err(invalid("retry_count must be 0 to 5"));
        }
        if out_of(self.re_attempt_period_secs, 60..=86_400) {
            return Err(invalid("re_attempt_period_secs must be 60 to 86400"));
        }
        if out_of(self.max_duration_secs, 30..=1800) {
            return Err(invalid("max_duration_secs must be 30 to 1800"));
        }
        if self.budget_paise == Some(0) {
            return Err(invalid(
                "budget_paise must be positive (leave it out for no cap)",
            ));
        }
        if let Some(url) = &self.webhook_url {
            check_webhook_url("webhook_url", url, 2048)?;
        }
        Ok(())
    }
}

fn check_name(name: &str) -> call_core::Result<()> {
    if name.trim().is_empty() || name.chars().count() > 120 {
        return Err(invalid("name must be 1 to 120 characters, not blank"));
    }
    Ok(())
}

fn check_slots(slots: &[Slot]) -> call_core::Result<()> {
    if !(1..=4).contains(&slots.len()) {
        return Err(invalid("slots: 1 to 4 calling windows"));
    }
    Ok(())
}

fn check_dates(start: Option<LocalDate>, end: Option<LocalDate>) -> call_core::Result<()> {
    if let (Some(start), Some(end)) = (start, end)
        && start > end
    {
        return Err(invalid("start_date must not be after end_date"));
    }
    Ok(())
}

/// Sets the knob setters shared by [`CreateCampaign`] and [`UpdateCampaign`].
macro_rules! knob_setters {
    () => {
        /// How many of the campaign's calls may be live at once, 1 to 50 (default 1; the workspace's concurrency and
        /// queue limits apply too).
        pub fn max_concurrent(mut self, max: u32) -> Self {
            self.knobs.max_concurrent = Some(max);
            self
        }

        /// Retries after the first attempt, 0 to 5 (default 0). Only `no_answer`, `busy` and `failed` are retried.
        pub fn retry_count(mut self, retries: u32) -> Self {
            self.knobs.retry_count = Some(retries);
            self
        }

        /// The least time before a contact is dialled again, 60 to 86,400 seconds (default 900). A minimum: a retry
        /// due outside the window waits for it.
        pub fn re_attempt_period_secs(mut self, secs: u32) -> Self {
            self.knobs.re_attempt_period_secs = Some(secs);
            self
        }

        /// The longest a call may last, 30 to 1,800 seconds (default: the agent's).
        pub fn max_duration_secs(mut self, secs: u32) -> Self {
            self.knobs.max_duration_secs = Some(secs);
            self
        }

        /// The spend cap in **paise** (100 paise = ₹1; ₹500 is `50_000`), above 0 (default: no cap). Reaching it
        /// pauses the campaign with `budget_exhausted`; contacts keep their place.
        pub fn budget_paise(mut self, paise: u64) -> Self {
            self.knobs.budget_paise = Some(paise);
            self
        }

        /// Where the campaign's `campaign.*` events **and** every child call's `call.*` events go: `https` (or `http`
        /// to a loopback host), up to 2,048 characters (default: none).
        pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
            self.knobs.webhook_url = Some(url.into());
            self
        }
    };
}

/// A campaign to create with [`create_campaign`](crate::MiraiV2Client::create_campaign): the body of
/// `POST /v2/campaigns`.
///
/// Required: a name (1 to 120 characters), the agent, an IANA [`timezone`](Self::timezone), the
/// [`dates`](Self::dates) (inclusive, local) and 1 to 4 [`slot`](Self::slot)s. Everything is checked before a request
/// is sent: the ranges of the knobs, `start_date` not after `end_date`, a positive budget, an `https` webhook URL,
/// and at most 1,000 [contacts](Self::contact) (add more later with
/// [`add_contacts`](crate::MiraiV2Client::add_contacts)).
///
/// ```
/// use call_core::PhoneNumber;
/// use mirai_calls::v2::{CreateCampaign, NewContact, Slot};
///
/// let campaign = CreateCampaign::new("Order confirmations", "agt_01K7Q9")
///     .timezone("Asia/Kolkata")
///     .dates("2026-08-11".parse()?, "2026-08-18".parse()?)
///     .slot(Slot::parse("10:00", "19:00")?)
///     .max_concurrent(2)
///     .retry_count(1)
///     .budget_paise(50_000)
///     .contact(NewContact::new(PhoneNumber::new("+919876543210")?).id("cust-1001"));
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CreateCampaign {
    name: String,
    agent_id: String,
    tier: Option<String>,
    timezone: Option<String>,
    start_date: Option<LocalDate>,
    end_date: Option<LocalDate>,
    slots: Vec<Slot>,
    knobs: Knobs,
    contacts: Vec<NewContact>,
}

/// The wire shape of [`CreateCampaign`].
#[derive(Serialize)]
struct CreateBody<'a> {
    name: &'a str,
    agent_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<&'a str>,
    timezone: Option<&'a str>,
    start_date: Option<LocalDate>,
    end_date: Option<LocalDate>,
    slots: &'a [Slot],
    #[serde(flatten)]
    knobs: &'a Knobs,
    #[serde(skip_serializing_if = "<[NewContact]>::is_empty")]
    contacts: &'a [NewContact],
}

impl CreateCampaign {
    /// A campaign named `name` that dials with agent `agent_id`.
    pub fn new(name: impl Into<String>, agent_id: impl Into<String>) -> Self {
        CreateCampaign {
            name: name.into(),
            agent_id: agent_id.into(),
            tier: None,
            timezone: None,
            start_date: None,
            end_date: None,
            slots: Vec::new(),
            knobs: Knobs::default(),
            contacts: Vec::new(),
        }
    }

    /// The IANA time zone the dates and slots are read in (`Asia/Kolkata`; required, fixed once created).
    pub fn timezone(mut self, timezone: impl Into<String>) -> Self {
        self.timezone = Some(timezone.into());
        self
    }

    /// The first and last local dates it may dial on, both inclusive (required). When the range runs out the
    /// campaign completes, even with contacts still pending.
    pub fn dates(mut self, start: LocalDate, end: LocalDate) -> Self {
        self.start_date = Some(start);
        self.end_date = Some(end);
        self
    }

    /// Adds a daily calling window (1 to 4 required).
    pub fn slot(mut self, slot: Slot) -> Self {
        self.slots.push(slot);
        self
    }

    /// The rate card (`t1`, `t3`, `t5`; default: the key's tier, which Mirai advises keeping; fixed once created).
    pub fn tier(mut self, tier: impl Into<String>) -> Self {
        self.tier = Some(tier.into());
        self
    }

    knob_setters!();

    /// Adds a contact to upload with the campaign (none by default; at most 1,000 per request).
    pub fn contact(mut self, contact: NewContact) -> Self {
        self.contacts.push(contact);
        self
    }

    /// Adds contacts to upload with the campaign.
    pub fn contacts(mut self, contacts: impl IntoIterator<Item = NewContact>) -> Self {
        self.contacts.extend(contacts);
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn validate(&self) -> call_core::Result<()> {
        check_name(&self.name)?;
        if self.agent_id.trim().is_empty() {
            return Err(invalid("agent_id is empty"));
        }
        if self
            .tier
            .as_deref()
            .is_some_and(|tier| tier.trim().is_empty())
        {
            return Err(invalid("tier is empty"));
        }
        match &self.timezone {
            Some(timezone) => check_timezone(timezone)?,
            None => {
                return Err(invalid(
                    "timezone is required (an IANA name such as Asia/Kolkata)",
                ));
            }
        }
        if self.start_date.is_none() || self.end_date.is_none() {
            return Err(invalid("start_date and end_date are required"));
        }
        check_dates(self.start_date, self.end_date)?;
        check_slots(&self.slots)?;
        self.knobs.validate()?;
        check_contacts(&self.contacts)
    }

    pub(crate) fn to_json(&self) -> call_core::Result<Vec<u8>> {
        serde_json::to_vec(&CreateBody {
            name: &self.name,
            agent_id: &self.agent_id,
            tier: self.tier.as_deref(),
            timezone: self.timezone.as_deref(),
            start_date: self.start_date,
            end_date: self.end_date,
            slots: &self.slots,
            knobs: &self.knobs,
            contacts: &self.contacts,
        })
        .map_err(|e| invalid("could not encode the request").with_source(e))
    }
}

/// Changes to a campaign with [`update_campaign`](crate::MiraiV2Client::update_campaign): the body of
/// `PATCH /v2/campaigns/{id}`, only the fields set.
///
/// Only `draft` and `paused` campaigns can be edited (else 409 `conflict`: pause, patch, resume). The agent, tier
/// and time zone cannot change. Checked before sending like [`CreateCampaign`], and at least one field must be set.
///
/// ```
/// use mirai_calls::v2::UpdateCampaign;
///
/// let raise = UpdateCampaign::new().budget_paise(120_000).max_concurrent(4);
/// let extend = UpdateCampaign::new().end_date("2026-10-11".parse()?);
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[must_use]
pub struct UpdateCampaign {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slots: Option<Vec<Slot>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<LocalDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<LocalDate>,
    #[serde(flatten)]
    knobs: Knobs,
}

impl UpdateCampaign {
    /// No changes yet.
    pub fn new() -> Self {
        UpdateCampaign::default()
    }

    /// A new name (1 to 120 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replaces the calling windows with `slots` (1 to 4).
    pub fn slots(mut self, slots: impl IntoIterator<Item = Slot>) -> Self {
        self.slots = Some(slots.into_iter().collect());
        self
    }

    /// A new first local date (inclusive).
    pub fn start_date(mut self, date: LocalDate) -> Self {
        self.start_date = Some(date);
        self
    }

    /// A new last local date (inclusive): the fix for a 409 `window_closed`.
    pub fn end_date(mut self, date: LocalDate) -> Self {
        self.end_date = Some(date);
        self
    }

    knob_setters!();

    pub(crate) fn validate(&self) -> call_core::Result<()> {
        if self.name.is_none()
            && self.slots.is_none()
            && self.start_date.is_none()
            && self.end_date.is_none()
            && self.knobs.is_empty()
        {
            return Err(invalid("nothing to update: set at least one field"));
        }
        if let Some(name) = &self.name {
            check_name(name)?;
        }
        if let Some(slots) = &self.slots {
            check_slots(slots)?;
        }
        check_dates(self.start_date, self.end_date)?;
        self.knobs.validate()
    }

    pub(crate) fn to_json(&self) -> call_core::Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(|e| invalid("could not encode the request").with_source(e))
    }
}

#[cfg(test)]
mod tests {
    use call_core::PhoneNumber;
    use serde_json::json;

    use super::*;

    fn date(s: &str) -> LocalDate {
        s.parse().unwrap()
    }

    fn ok() -> CreateCampaign {
        CreateCampaign::new("July COD", "agt_1")
            .timezone("Asia/Kolkata")
            .dates(date("2026-08-11"), date("2026-08-18"))
            .slot(Slot::parse("10:00", "19:00").unwrap())
    }

    #[test]
    fn create_bodies_are_minimal_and_exact() {
        let body: serde_json::Value = serde_json::from_slice(&ok().to_json().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"name": "July COD", "agent_id": "agt_1", "timezone": "Asia/Kolkata", "start_date": "2026-08-11",
                   "end_date": "2026-08-18", "slots": [{"start": "10:00", "end": "19:00"}]})
        );
        let full = ok()
            .tier("t3")
            .max_concurrent(2)
            .retry_count(1)
            .re_attempt_period_secs(900)
            .max_duration_secs(300)
            .budget_paise(50_000)
            .webhook_url("https://example.com/h")
            .contact(NewContact::new(PhoneNumber::new("+919876543210").unwrap()).id("c1"));
        let body: serde_json::Value = serde_json::from_slice(&full.to_json().unwrap()).unwrap();
        assert_eq!(body["budget_paise"], 50_000);
        assert_eq!(body["tier"], "t3");
        assert_eq!(
            body["contacts"],
            json!([{"phone": "+919876543210", "id": "c1"}])
        );
    }

    #[test]
    fn create_validates_every_documented_rule() {
        assert!(ok().validate().is_ok());
        let five = (0..5).fold(ok(), |c, i| {
            c.slot(Slot::parse(&format!("0{i}:00"), &format!("0{i}:30")).unwrap())
        });
        let bad = [
            CreateCampaign::new("", "agt_1"),
            ok().tier(" "),
            CreateCampaign {
                name: "x".repeat(121),
                ..ok()
            },
            CreateCampaign {
                agent_id: " ".into(),
                ..ok()
            },
            CreateCampaign {
                timezone: None,
                ..ok()
            },
            ok().timezone("Asia Kolkata"),
            CreateCampaign {
                start_date: None,
                ..ok()
            },
            ok().dates(date("2026-08-18"), date("2026-08-11")),
            CreateCampaign {
                slots: Vec::new(),
                ..ok()
            },
            five,
            ok().max_concurrent(0),
            ok().max_concurrent(51),
            ok().retry_count(6),
            ok().re_attempt_period_secs(59),
            ok().re_attempt_period_secs(86_401),
            ok().max_duration_secs(29),
            ok().max_duration_secs(1801),
            ok().budget_paise(0),
            ok().webhook_url("http://example.com/h"),
        ];
        for campaign in bad {
            assert_eq!(
                campaign.validate().unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "{campaign:?}"
            );
        }
        assert!(
            ok().dates(date("2026-08-11"), date("2026-08-11"))
                .validate()
                .is_ok()
        );
        assert!(ok().retry_count(0).max_concurrent(50).validate().is_ok());
    }

    #[test]
    fn updates_send_only_what_is_set() {
        let update = UpdateCampaign::new()
            .budget_paise(120_000)
            .max_concurrent(4);
        assert!(update.validate().is_ok());
        let body: serde_json::Value = serde_json::from_slice(&update.to_json().unwrap()).unwrap();
        assert_eq!(body, json!({"budget_paise": 120_000, "max_concurrent": 4}));
        for bad in [
            UpdateCampaign::new(),
            UpdateCampaign::new().name(""),
            UpdateCampaign::new().slots([]),
            UpdateCampaign::new()
                .start_date(date("2026-09-02"))
                .end_date(date("2026-09-01")),
            UpdateCampaign::new().retry_count(9),
        ] {
            assert_eq!(
                bad.validate().unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
    }
}
