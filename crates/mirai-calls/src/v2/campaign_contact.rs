//! A campaign's contacts: the rows you upload, the rows Mirai keeps, and their statuses.

use std::collections::BTreeMap;
use std::fmt;

use call_core::provider_kit::open_enum;
use call_core::{CallId, Error, ErrorKind, PhoneNumber, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::status::MiraiV2CallStatus;
use crate::null_as_default::null_as_default;

/// The most contacts one request may carry (create or add): more fail the whole request with 400.
pub const MAX_CONTACTS_PER_REQUEST: usize = 1000;

open_enum! {
    /// A campaign contact's status ([contact statuses](https://docs.miraiminds.co/v2/campaigns#contact-statuses)).
    ///
    /// Mirai's table marks everything from `completed` on as terminal, but `no_answer`, `busy` and `failed` go back
    /// to `pending` while the contact has attempts left; [`is_settled`](Self::is_settled) tells the two apart.
    /// Unknown values are kept.
    pub enum ContactStatus {
        /// `pending`: never tried, or waiting out `re_attempt_period_secs`.
        Pending = "pending",
        /// `claimed`: picked by the dialler this tick; a call is about to be placed.
        Claimed = "claimed",
        /// `dialing`: a call has been placed (its id is the contact's `last_call_id`).
        Dialing = "dialing",
        /// `completed`: connected and finished. Billed.
        Completed = "completed",
        /// `voicemail`: an answering machine answered. Billed; never retried.
        Voicemail = "voicemail",
        /// `timeout`: hit `max_duration_secs`. Billed; never retried.
        Timeout = "timeout",
        /// `no_answer`: rang out. Free; retried while attempts remain.
        NoAnswer = "no_answer",
        /// `busy`: line busy. Free; retried while attempts remain.
        Busy = "busy",
        /// `failed`: did not connect, or a pipeline error. Free; retried while attempts remain.
        Failed = "failed",
        /// `exhausted`: used all `retry_count + 1` attempts and never connected.
        Exhausted = "exhausted",
        /// `suppressed`: the number is on the do-not-call list; never dialled or billed.
        Suppressed = "suppressed",
        /// `aborted`: the campaign was stopped while this contact was pending or in flight.
        Aborted = "aborted",
    }
}

impl ContactStatus {
    /// Whether Mirai's table calls the status terminal: everything but `pending`, `claimed` and `dialing` (an unknown
    /// status is not).
    pub fn is_terminal(&self) -> bool {
        !matches!(
            self,
            ContactStatus::Pending
                | ContactStatus::Claimed
                | ContactStatus::Dialing
                | ContactStatus::Unknown(_)
        )
    }

    /// Whether the contact will never be dialled again, whatever its attempts: terminal, and not one of the retried
    /// outcomes (`no_answer`, `busy`, `failed`), which return to `pending` while attempts remain.
    pub fn is_settled(&self) -> bool {
        self.is_terminal()
            && !matches!(
                self,
                ContactStatus::NoAnswer | ContactStatus::Busy | ContactStatus::Failed
            )
    }

    /// Whether a call for this contact may be about to ring or ringing now: `claimed` or `dialing`.
    pub fn is_in_flight(&self) -> bool {
        matches!(self, ContactStatus::Claimed | ContactStatus::Dialing)
    }
}

/// A contact to upload with [`CreateCampaign::contact`](super::CreateCampaign::contact) or
/// [`add_contacts`](crate::MiraiV2Client::add_contacts): `{phone, variables?, id?}`.
///
/// The phone number is a [`PhoneNumber`], so it is E.164 already. `variables` follow the call rules (at most 32, each
/// value at most 512 characters; checked before sending) and fill the agent's `{{placeholders}}`. `id` is your own
/// key for the row (Mirai mints one when absent); it comes back in the contact list and the CSV report.
///
/// Mirai deduplicates on the **phone number**: a number already in the campaign, or repeated in the batch, is
/// counted in [`ContactUpload::duplicate`] and not stored again, whatever its `id`.
///
/// ```
/// use call_core::PhoneNumber;
/// use mirai_calls::v2::NewContact;
///
/// let contact = NewContact::new(PhoneNumber::new("+919876543210")?)
///     .id("cust-1001")
///     .variable("customer_name", "Rohit Sharma");
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct NewContact {
    phone: PhoneNumber,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    variables: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

impl fmt::Debug for NewContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Variables often hold names and order numbers: only their keys are shown.
        f.debug_struct("NewContact")
            .field("phone", &self.phone)
            .field("variables", &self.variables.keys().collect::<Vec<_>>())
            .field("id", &self.id)
            .finish()
    }
}

impl NewContact {
    /// A contact for `phone`, with no variables and an id Mirai mints.
    pub fn new(phone: PhoneNumber) -> Self {
        NewContact {
            phone,
            variables: BTreeMap::new(),
            id: None,
        }
    }

    /// Your key for the row (`cust-1001`; default: minted by Mirai).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets one variable for this contact's calls (none by default).
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }

    /// The number to dial.
    pub fn phone(&self) -> &PhoneNumber {
        &self.phone
    }

    pub(crate) fn validate(&self, index: usize) -> call_core::Result<()> {
        let invalid = |why: &str| {
            Err(Error::new(
                ErrorKind::InvalidInput,
                format!("contacts[{index}]: {why}"),
            ))
        };
        if self.variables.len() > 32 {
            return invalid("variables: at most 32 keys");
        }
        if self.variables.values().any(|v| v.chars().count() > 512) {
            return invalid("variables: a value is longer than 512 characters");
        }
        if let Some(id) = &self.id
            && (id.trim().is_empty() || id.chars().any(char::is_control))
        {
            return invalid("id is blank or has control characters");
        }
        Ok(())
    }
}

/// Checks a batch of contacts: at most [`MAX_CONTACTS_PER_REQUEST`], each valid.
pub(crate) fn check_contacts(contacts: &[NewContact]) -> call_core::Result<()> {
    if contacts.len() > MAX_CONTACTS_PER_REQUEST {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "contacts: at most 1000 per request; send the rest with add_contacts",
        ));
    }
    contacts
        .iter()
        .enumerate()
        .try_for_each(|(index, contact)| contact.validate(index))
}

/// What Mirai made of an upload of contacts: judged row by row, so a bad row never fails the others.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactUpload {
    /// Rows stored and dialable (`contacts_accepted`).
    #[serde(rename = "contacts_accepted", default)]
    pub accepted: u64,
    /// Rows whose number was already in the campaign or repeated in the batch (`contacts_duplicate`): not stored
    /// again, and not an error.
    #[serde(rename = "contacts_duplicate", default)]
    pub duplicate: u64,
    /// Rows Mirai could not store, with why (`contacts_rejected`).
    #[serde(
        rename = "contacts_rejected",
        default,
        deserialize_with = "null_as_default"
    )]
    pub rejected: Vec<RejectedContact>,
}

/// A row Mirai refused: `{index, phone, reason}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RejectedContact {
    /// The row's index in the array sent.
    pub index: u64,
    /// The number as sent.
    #[serde(default)]
    pub phone: Option<String>,
    /// Why (`phone must be an E.164 number`).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A contact as Mirai keeps it, from [`list_contacts`](crate::MiraiV2Client::list_contacts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contact {
    /// Your key for the row, or the one Mirai minted.
    pub id: String,
    /// Where the contact is.
    pub status: ContactStatus,
    /// The number, as Mirai stored it (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Dial attempts so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// The contact's variables.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub variables: BTreeMap<String, String>,
    /// The latest call placed for it: an ordinary call id, for [`get_call`](crate::MiraiV2Client::get_call) and
    /// [`abort_call`](crate::MiraiV2Client::abort_call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_call_id: Option<CallId>,
    /// That call's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<MiraiV2CallStatus>,
    /// When it may be dialled again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> PhoneNumber {
        PhoneNumber::new("+919876543210").unwrap()
    }

    #[test]
    fn statuses_split_as_documented() {
        let settled = [
            "completed",
            "voicemail",
            "timeout",
            "exhausted",
            "suppressed",
            "aborted",
        ];
        let retried = ["no_answer", "busy", "failed"];
        let live = ["pending", "claimed", "dialing"];
        for s in settled {
            assert!(ContactStatus::parse(s).is_settled(), "{s}");
        }
        for s in retried {
            let status = ContactStatus::parse(s);
            assert!(status.is_terminal() && !status.is_settled(), "{s}");
        }
        for s in live {
            assert!(!ContactStatus::parse(s).is_terminal(), "{s}");
        }
        assert!(!ContactStatus::parse("new_one").is_terminal());
        assert!(ContactStatus::Dialing.is_in_flight() && !ContactStatus::Pending.is_in_flight());
    }

    #[test]
    fn contacts_serialize_minimally_and_validate() {
        assert_eq!(
            serde_json::to_value(NewContact::new(phone())).unwrap(),
            serde_json::json!({"phone": "+919876543210"})
        );
        assert_eq!(
            serde_json::to_value(NewContact::new(phone()).id("c1").variable("n", "A")).unwrap(),
            serde_json::json!({"phone": "+919876543210", "id": "c1", "variables": {"n": "A"}})
        );
        let mut many = NewContact::new(phone());
        for i in 0..33 {
            many = many.variable(format!("v{i}"), "x");
        }
        for bad in [
            many,
            NewContact::new(phone()).variable("v", "x".repeat(513)),
            NewContact::new(phone()).id(" "),
            NewContact::new(phone()).id("a\nb"),
        ] {
            assert_eq!(bad.validate(3).unwrap_err().kind(), ErrorKind::InvalidInput);
        }
        let err = check_contacts(&vec![NewContact::new(phone()); 1001]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(check_contacts(&vec![NewContact::new(phone()); 1000]).is_ok());
        let shown = format!("{:?}", NewContact::new(phone()).variable("name", "Rohit"));
        assert!(
            !shown.contains("Rohit") && !shown.contains("9876543210"),
            "{shown}"
        );
    }
}
