//! A simulated Mirai v2 campaign: its record and contacts, their validation, JSON, counters and
//! report.
//!
//! Reference: Mirai's v2 docs, page "Campaigns" (revision 008c718).

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value, json};

use super::api::check_variables;
use super::call::Record;
use crate::calling_window::parse_hh_mm;
use crate::clock;
use crate::id;
use crate::json_field;
use crate::phone;
use crate::records::Records;
use crate::webhook;

/// Most contact rows one create or add-contacts request may carry.
pub(crate) const MAX_CONTACT_ROWS: usize = 1_000;

/// Contact statuses that are not final: still to dial, or dialling.
const OPEN: [&str; 3] = ["pending", "claimed", "dialing"];

/// One campaign as the simulator holds it.
#[derive(Debug, Clone)]
pub(crate) struct Campaign {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) agent_id: String,
    pub(crate) tier: String,
    pub(crate) status: String,
    pub(crate) pause_reason: Option<String>,
    pub(crate) timezone: String,
    pub(crate) start_date: String,
    pub(crate) end_date: String,
    /// `(start, end)` as `HH:MM`.
    pub(crate) slots: Vec<(String, String)>,
    pub(crate) max_concurrent: u64,
    pub(crate) retry_count: u64,
    pub(crate) re_attempt_period_secs: u64,
    pub(crate) max_duration_secs: u64,
    pub(crate) budget_paise: Option<u64>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    /// Whether `campaign.started` has been sent: "once per campaign".
    pub(crate) started: bool,
    pub(crate) contacts: Vec<Contact>,
    phones: HashSet<String>,
    contact_ids: HashSet<String>,
    /// Every call the campaign placed, oldest first.
    pub(crate) call_ids: Vec<String>,
    /// Creation order, the tie-breaker of the list order.
    pub(crate) seq: u64,
}

/// One contact of a campaign.
#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub(crate) id: String,
    pub(crate) phone: String,
    pub(crate) variables: Option<Value>,
    pub(crate) status: String,
    pub(crate) attempts: u64,
    pub(crate) last_call_id: Option<String>,
    pub(crate) last_status: Option<String>,
    pub(crate) eligible_at: Option<String>,
    pub(crate) updated_at: String,
}

/// Which rules a campaign body is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `POST /v2/campaigns`: `name`, `timezone`, `start_date`, `end_date`, `slots` required.
    Create,
    /// `PATCH /v2/campaigns/{id}`: only the patchable fields.
    Patch,
    /// The `/_sim` seed: any field, none required.
    Seed,
}

/// The outcome of one batch of contact rows.
#[derive(Debug, Default)]
pub(crate) struct Added {
    pub(crate) accepted: usize,
    pub(crate) duplicate: usize,
    /// `{index, phone, reason}` per refused row.
    pub(crate) rejected: Vec<Value>,
}

crate::records::keyed_by_id_field!(Campaign);

impl Campaign {
    /// A `draft` campaign created now with the documented defaults (`max_concurrent` 1,
    /// `retry_count` 0, `re_attempt_period_secs` 900, tier `t1`), `max_duration_secs` 300 (the
    /// call default standing in for "the agent's"), timezone `Asia/Kolkata`, one slot
    /// 09:00–21:00 and dates from today for 30 days.
    pub(crate) fn new(id: String, agent_id: String) -> Campaign {
        let now = clock::now();
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let in_30_days = today
            .checked_add(jiff::Span::new().days(30))
            .unwrap_or(today);
        let stamp = clock::seconds(now);
        Campaign {
            id,
            name: "Simulated campaign".to_owned(),
            agent_id,
            tier: "t1".to_owned(),
            status: "draft".to_owned(),
            pause_reason: None,
            timezone: "Asia/Kolkata".to_owned(),
            start_date: today.to_string(),
            end_date: in_30_days.to_string(),
            slots: vec![("09:00".to_owned(), "21:00".to_owned())],
            max_concurrent: 1,
            retry_count: 0,
            re_attempt_period_secs: 900,
            max_duration_secs: 300,
            budget_paise: None,
            webhook_url: None,
            created_at: stamp.clone(),
            updated_at: stamp,
            started: false,
            contacts: Vec::new(),
            phones: HashSet::new(),
            contact_ids: HashSet::new(),
            call_ids: Vec::new(),
            seq: 0,
        }
    }

    /// Marks the campaign changed now.
    pub(crate) fn touch(&mut self) {
        self.updated_at = clock::seconds(clock::now());
    }

    /// Whether the campaign is over: `stopped` or `completed`.
    pub(crate) fn is_final(&self) -> bool {
        matches!(self.status.as_str(), "stopped" | "completed")
    }

    /// Reads the writable fields of `body` with the rules of `mode`. Nothing is changed when a
    /// field is refused.
    pub(crate) fn apply(&mut self, body: &Map<String, Value>, mode: Mode) -> Result<(), String> {
        let present = |key: &str| body.get(key).filter(|v| !v.is_null());
        if mode == Mode::Patch {
            for key in ["agent_id", "tier", "timezone", "status", "contacts"] {
                if body.contains_key(key) {
                    return Err(format!("{key} cannot be changed with PATCH"));
                }
            }
        }
        if mode == Mode::Create {
            for key in ["name", "timezone", "start_date", "end_date", "slots"] {
                if present(key).is_none() {
                    return Err(format!("{key} is required"));
                }
            }
        }
        let mut next = self.clone();
        if let Some(name) = present("name") {
            next.name = name
                .as_str()
                .filter(|n| (1..=120).contains(&n.chars().count()))
                .ok_or("name must be a string of 1 to 120 characters")?
                .to_owned();
        }
        if let Some(tz) = present("timezone") {
            next.timezone = tz
                .as_str()
                .filter(|tz| is_zone_name(tz))
                .ok_or("timezone must be an IANA time zone name, e.g. Asia/Kolkata")?
                .to_owned();
        }
        if let Some(tier) = present("tier") {
            next.tier = tier
                .as_str()
                .filter(|t| matches!(*t, "t1" | "t3" | "t5"))
                .ok_or("tier must be one of t1, t3, t5")?
                .to_owned();
        }
        for (key, field) in [
            ("start_date", &mut next.start_date),
            ("end_date", &mut next.end_date),
        ] {
            if let Some(date) = present(key) {
                *field = date
                    .as_str()
                    .filter(|d| d.len() == 10 && d.parse::<jiff::civil::Date>().is_ok())
                    .ok_or(format!("{key} must be a date YYYY-MM-DD"))?
                    .to_owned();
            }
        }
        if next.end_date < next.start_date {
            return Err("end_date must not be before start_date".into());
        }
        if let Some(slots) = present("slots") {
            next.slots = parse_slots(slots)?;
        }
        let ranged = |key: &str, range| json_field::integer_in(body, key, range);
        if let Some(n) = ranged("max_concurrent", 1..=50)? {
            next.max_concurrent = n;
        }
        if let Some(n) = ranged("retry_count", 0..=5)? {
            next.retry_count = n;
        }
        if let Some(n) = ranged("re_attempt_period_secs", 60..=86_400)? {
            next.re_attempt_period_secs = n;
        }
        if let Some(n) = ranged("max_duration_secs", 30..=1_800)? {
            next.max_duration_secs = n;
        }
        // `null` clears the budget and the webhook URL; an absent key leaves them.
        match body.get("budget_paise") {
            None => {}
            Some(Value::Null) => next.budget_paise = None,
            Some(value) => {
                next.budget_paise = Some(
                    value
                        .as_u64()
                        .ok_or("budget_paise must be a non-negative integer or null")?,
                );
            }
        }
        match body.get("webhook_url") {
            None => {}
            Some(Value::Null) => next.webhook_url = None,
            Some(value) => {
                let url = value.as_str().ok_or("webhook_url must be a string")?;
                webhook::check_url(url).map_err(|reason| format!("webhook_url {reason}"))?;
                next.webhook_url = Some(url.to_owned());
            }
        }
        *self = next;
        Ok(())
    }

    /// Judges contact rows one by one (`{phone, variables?, id?}`): bad rows are rejected with
    /// their index and reason, numbers already in the campaign or repeated in `rows` are counted
    /// as duplicates, the rest are added `pending`.
    pub(crate) fn add_contacts(&mut self, rows: &[Value]) -> Added {
        let mut added = Added::default();
        for (index, row) in rows.iter().enumerate() {
            let phone = row.get("phone");
            let reject = |reason: &str| json!({ "index": index, "phone": phone, "reason": reason });
            let Some(phone_text) = phone.and_then(Value::as_str) else {
                added.rejected.push(reject("phone is required"));
                continue;
            };
            if !phone::is_e164(phone_text) {
                added.rejected.push(reject("phone must be an E.164 number"));
                continue;
            }
            let variables = row.get("variables").filter(|v| !v.is_null());
            if let Some(Err(reason)) = variables.map(check_variables) {
                added.rejected.push(reject(&reason));
                continue;
            }
            let id = match row.get("id").filter(|v| !v.is_null()) {
                None => None,
                Some(Value::String(id)) if (1..=128).contains(&id.len()) => {
                    if self.contact_ids.contains(id) {
                        added.rejected.push(reject(
                            "id is already used by another contact of this campaign",
                        ));
                        continue;
                    }
                    Some(id.clone())
                }
                Some(_) => {
                    added
                        .rejected
                        .push(reject("id must be a string of 1 to 128 characters"));
                    continue;
                }
            };
            if self.phones.contains(phone_text) {
                added.duplicate += 1;
                continue;
            }
            self.push_contact(id, phone_text.to_owned(), variables.cloned());
            added.accepted += 1;
        }
        added
    }

    /// Adds a `pending` contact as given; the id is minted when `None`.
    pub(crate) fn push_contact(
        &mut self,
        id: Option<String>,
        phone: String,
        variables: Option<Value>,
    ) {
        let id = id.unwrap_or_else(|| format!("cnt_{}", id::ulid()));
        self.contact_ids.insert(id.clone());
        self.phones.insert(phone.clone());
        self.contacts.push(Contact {
            id,
            phone,
            variables,
            status: "pending".to_owned(),
            attempts: 0,
            last_call_id: None,
            last_status: None,
            eligible_at: None,
            updated_at: clock::seconds(clock::now()),
        });
    }

    /// Contacts by status, the statuses with none left out (as in the docs' example).
    pub(crate) fn counters(&self) -> BTreeMap<String, usize> {
        let mut counters = BTreeMap::new();
        for contact in &self.contacts {
            *counters.entry(contact.status.clone()).or_insert(0) += 1;
        }
        counters
    }

    /// Contacts with at least one attempt.
    pub(crate) fn dialed(&self) -> usize {
        self.contacts.iter().filter(|c| c.attempts > 0).count()
    }

    /// Whether any contact is still to dial or dialling.
    pub(crate) fn has_open_contacts(&self) -> bool {
        self.contacts
            .iter()
            .any(|c| OPEN.contains(&c.status.as_str()))
    }

    /// What the campaign's calls were billed, in paise.
    pub(crate) fn spent_paise(&self, calls: &Records<Record>) -> u64 {
        self.call_ids
            .iter()
            .filter_map(|id| calls.get(id))
            .map(Record::billed_paise)
            .sum()
    }

    /// The campaign object; `counters` only for `GET /v2/campaigns/{id}` and events.
    pub(crate) fn to_json(&self, calls: &Records<Record>, with_counters: bool) -> Value {
        let slots: Vec<Value> = self
            .slots
            .iter()
            .map(|(start, end)| json!({ "start": start, "end": end }))
            .collect();
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("object".into(), json!("campaign"));
        out.insert("name".into(), json!(self.name));
        out.insert("agent_id".into(), json!(self.agent_id));
        out.insert("tier".into(), json!(self.tier));
        out.insert("status".into(), json!(self.status));
        out.insert("pause_reason".into(), json!(self.pause_reason));
        out.insert("timezone".into(), json!(self.timezone));
        out.insert("start_date".into(), json!(self.start_date));
        out.insert("end_date".into(), json!(self.end_date));
        out.insert("slots".into(), Value::Array(slots));
        out.insert("max_concurrent".into(), json!(self.max_concurrent));
        out.insert("retry_count".into(), json!(self.retry_count));
        out.insert(
            "re_attempt_period_secs".into(),
            json!(self.re_attempt_period_secs),
        );
        out.insert("max_duration_secs".into(), json!(self.max_duration_secs));
        out.insert("budget_paise".into(), json!(self.budget_paise));
        out.insert("spent_paise".into(), json!(self.spent_paise(calls)));
        out.insert("webhook_url".into(), json!(self.webhook_url));
        out.insert("created_at".into(), json!(self.created_at));
        out.insert("updated_at".into(), json!(self.updated_at));
        if with_counters {
            out.insert("counters".into(), json!(self.counters()));
        }
        Value::Object(out)
    }

    /// `data.campaign` of a `campaign.*` event: the object with `counters` and `dialed`.
    pub(crate) fn event_json(&self, calls: &Records<Record>) -> Value {
        let mut value = self.to_json(calls, true);
        if let Value::Object(map) = &mut value {
            map.insert("dialed".into(), json!(self.dialed()));
        }
        value
    }

    /// The JSON report.
    pub(crate) fn report_json(&self, calls: &Records<Record>) -> Value {
        let counters = self.counters();
        let connected: usize = ["completed", "voicemail", "timeout"]
            .iter()
            .filter_map(|status| counters.get(*status))
            .sum();
        let attempts: u64 = self.contacts.iter().map(|c| c.attempts).sum();
        let spent = self.spent_paise(calls);
        // Paise are whole numbers far below 2^53, so the float is exact.
        let spent_inr = spent as f64 / 100.0;
        json!({
            "campaign_id": self.id,
            "status": self.status,
            "counters": counters,
            "contacts": self.contacts.len(),
            "dialed": self.dialed(),
            "attempts": attempts,
            "connected": connected,
            "spent_paise": spent,
            "spent_inr": spent_inr,
            "budget_paise": self.budget_paise,
        })
    }

    /// The CSV report: `id,phone,status,attempts,last_call_id`, one row per contact.
    pub(crate) fn report_csv(&self) -> String {
        let mut out = String::from("id,phone,status,attempts,last_call_id\r\n");
        for c in &self.contacts {
            let row = [
                csv_field(&c.id),
                csv_field(&c.phone),
                csv_field(&c.status),
                c.attempts.to_string(),
                csv_field(c.last_call_id.as_deref().unwrap_or("")),
            ];
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

impl Contact {
    /// A row of `GET /v2/campaigns/{id}/contacts`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "phone": self.phone,
            "status": self.status,
            "attempts": self.attempts,
            "variables": self.variables.clone().unwrap_or_else(|| json!({})),
            "last_call_id": self.last_call_id,
            "last_status": self.last_status,
            "eligible_at": self.eligible_at,
            "updated_at": self.updated_at,
        })
    }

    /// Whether the contact is still to dial or dialling.
    pub(crate) fn is_open(&self) -> bool {
        OPEN.contains(&self.status.as_str())
    }
}

/// 1–4 slots `{start, end}` of `HH:MM`; a zero-length slot is refused, one crossing midnight is
/// fine.
fn parse_slots(value: &Value) -> Result<Vec<(String, String)>, String> {
    let invalid = || {
        "slots must be 1 to 4 objects {start, end} of HH:MM times, none of zero length".to_owned()
    };
    let items = value.as_array().ok_or_else(invalid)?;
    if items.is_empty() || items.len() > 4 {
        return Err(invalid());
    }
    items
        .iter()
        .map(|slot| {
            let time = |key: &str| {
                slot.get(key)
                    .and_then(Value::as_str)
                    .filter(|t| parse_hh_mm(t).is_some())
            };
            match (time("start"), time("end")) {
                (Some(start), Some(end)) if start != end => Ok((start.to_owned(), end.to_owned())),
                _ => Err(invalid()),
            }
        })
        .collect()
}

/// An IANA-shaped zone name (`Asia/Kolkata`, `UTC`, `America/Argentina/Buenos_Aires`). The
/// simulator has no zone database to look it up in.
fn is_zone_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
        })
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn create_rules() {
        let mut c = Campaign::new("cmp_1".into(), "agt_1".into());
        let good = json!({
            "name": "Renewals", "timezone": "Asia/Kolkata", "start_date": "2026-10-01",
            "end_date": "2026-10-10", "slots": [{ "start": "09:00", "end": "17:00" }],
            "max_concurrent": 3, "retry_count": 2,
        });
        assert_eq!(c.apply(&body(good.clone()), Mode::Create), Ok(()));
        assert_eq!((c.max_concurrent, c.retry_count), (3, 2));
        for (key, bad) in [
            ("name", json!("")),
            ("end_date", json!("2026-09-01")),
            ("slots", json!([{ "start": "09:00", "end": "09:00" }])),
            ("slots", json!([])),
            ("max_concurrent", json!(51)),
            ("retry_count", json!(6)),
            ("re_attempt_period_secs", json!(59)),
            ("timezone", json!("not a zone")),
            ("webhook_url", json!("http://example.com/h")),
            ("tier", json!("t2")),
        ] {
            let mut with = body(good.clone());
            with.insert(key.into(), bad);
            assert!(c.apply(&with, Mode::Create).is_err(), "{key}");
        }
        let mut without = body(good);
        without.remove("slots");
        assert!(c.apply(&without, Mode::Create).is_err());
        assert!(
            c.apply(&body(json!({ "agent_id": "x" })), Mode::Patch)
                .is_err()
        );
        assert_eq!(
            c.apply(&body(json!({ "budget_paise": 500 })), Mode::Patch),
            Ok(())
        );
        assert_eq!(c.budget_paise, Some(500));
        assert_eq!(
            c.apply(&body(json!({ "budget_paise": null })), Mode::Patch),
            Ok(())
        );
        assert_eq!(c.budget_paise, None);
    }

    #[test]
    fn contacts_are_judged_row_by_row() {
        let mut c = Campaign::new("cmp_1".into(), "agt_1".into());
        let added = c.add_contacts(&[
            json!({ "phone": "+919876543210", "id": "cust-1" }),
            json!({ "phone": "9876543211" }),
            json!({ "phone": "+919876543210" }),
            json!({ "phone": "+919876543212", "id": "cust-1" }),
            json!({ "phone": "+919876543213", "variables": { "name": 5 } }),
            json!({ "phone": "+919876543214", "variables": { "name": "Asha" } }),
        ]);
        assert_eq!((added.accepted, added.duplicate), (2, 1));
        let indexes: Vec<&Value> = added.rejected.iter().map(|r| &r["index"]).collect();
        assert_eq!(indexes, [&json!(1), &json!(3), &json!(4)]);
        assert_eq!(added.rejected[0]["phone"], "9876543211");
        assert_eq!(c.contacts[0].id, "cust-1");
        assert!(c.contacts[1].id.starts_with("cnt_"));
        assert_eq!(c.counters().get("pending"), Some(&2));
        assert!(c.report_csv().starts_with(
            "id,phone,status,attempts,last_call_id\r\ncust-1,+919876543210,pending,0,\r\n"
        ));
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
