//! A simulated Mirai v2 call: its record, its JSON, its transitions.

use serde_json::{Map, Value, json};

use crate::clock;

/// The rate card the simulator bills at, in INR per minute.
const PER_MIN_INR: f64 = 6.0;
/// Billing block in seconds.
const BLOCK_SECS: i64 = 10;

/// One Mirai v2 call as the simulator holds it. Times are RFC 3339 strings, kept as given when seeded.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) agent_id: String,
    pub(crate) to: Option<String>,
    pub(crate) status: String,
    pub(crate) tier: String,
    pub(crate) ended_reason: Option<String>,
    pub(crate) created_at: String,
    pub(crate) started_at: Option<String>,
    pub(crate) ended_at: Option<String>,
    pub(crate) metadata: Option<Value>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) recording_enabled: bool,
    /// Whether `/recording` has audio to redirect to.
    pub(crate) recording: bool,
    /// Transcript turns `{role, text, start_ms, end_ms}`.
    pub(crate) turns: Option<Vec<Value>>,
    pub(crate) extra: Map<String, Value>,
    /// The campaign contact the call was placed for, if a campaign dialled it.
    pub(crate) campaign: Option<CampaignLink>,
    pub(crate) seq: u64,
}

/// Which campaign contact a call was placed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CampaignLink {
    pub(crate) campaign_id: String,
    /// The contact's position in the campaign's contacts.
    pub(crate) contact: usize,
}

impl crate::call_table::Call for Record {
    const HAPPY_PATH: &'static [&'static str] = &["queued", "dialing", "in_progress", "completed"];

    fn status(&self) -> Option<&str> {
        Some(&self.status)
    }
}

crate::records::keyed_by_id_field!(Record);

impl Record {
    /// A new call in status `queued`, created now.
    pub(crate) fn new(id: String, agent_id: String) -> Record {
        Record {
            id,
            agent_id,
            to: None,
            status: "queued".to_owned(),
            tier: "t1".to_owned(),
            ended_reason: None,
            created_at: clock::seconds(clock::now()),
            started_at: None,
            ended_at: None,
            metadata: None,
            webhook_url: None,
            recording_enabled: true,
            recording: false,
            turns: None,
            extra: Map::new(),
            campaign: None,
            seq: 0,
        }
    }

    /// Whether the status is one a call is still running in.
    pub(crate) fn is_running(&self) -> bool {
        matches!(self.status.as_str(), "queued" | "dialing" | "in_progress")
    }

    /// The call object. List items (`list_item`) carry `cost_inr` instead of `cost` and no
    /// `transcript_status`, as the docs' list example does.
    pub(crate) fn to_json(&self, list_item: bool) -> Value {
        let running = self.is_running();
        let duration = if running {
            None
        } else {
            Some(self.duration_secs())
        };
        let amount = duration.map_or(0.0, |secs| self.amount_inr(secs));
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("object".into(), json!("call"));
        out.insert("agent_id".into(), json!(self.agent_id));
        out.insert("to".into(), json!(self.to));
        out.insert("status".into(), json!(self.status));
        out.insert("tier".into(), json!(self.tier));
        out.insert("ended_reason".into(), json!(self.ended_reason));
        out.insert("created_at".into(), json!(self.created_at));
        out.insert("started_at".into(), json!(self.started_at));
        out.insert("ended_at".into(), json!(self.ended_at));
        out.insert("duration_secs".into(), json!(duration));
        if list_item {
            out.insert("cost_inr".into(), json!(amount));
        } else {
            out.insert(
                "cost".into(),
                json!({
                    "amount_inr": amount,
                    "per_min_inr": PER_MIN_INR,
                    "billing_block_secs": BLOCK_SECS,
                }),
            );
        }
        out.insert("recording_available".into(), json!(self.has_recording()));
        out.insert(
            "transcript_available".into(),
            json!(self.transcript().is_some()),
        );
        if !list_item {
            out.insert("transcript_status".into(), json!(self.transcript_status()));
        }
        if let Some(metadata) = &self.metadata {
            out.insert("metadata".into(), metadata.clone());
        }
        out.insert("analysis".into(), Value::Null);
        for (key, value) in &self.extra {
            if !out.contains_key(key) || matches!(key.as_str(), "tier" | "analysis" | "object") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    fn transcript_status(&self) -> &'static str {
        if self.is_running() {
            "pending"
        } else if self.turns.as_ref().is_some_and(|t| !t.is_empty()) {
            "ready"
        } else {
            "empty"
        }
    }

    /// The turns, once the call has ended with speech.
    pub(crate) fn transcript(&self) -> Option<&Vec<Value>> {
        if self.is_running() {
            return None;
        }
        self.turns.as_ref().filter(|turns| !turns.is_empty())
    }

    pub(crate) fn has_recording(&self) -> bool {
        !self.is_running() && self.recording
    }

    /// What the call was billed, in paise (campaigns count money in paise); 0 while running.
    pub(crate) fn billed_paise(&self) -> u64 {
        if self.is_running() {
            return 0;
        }
        let inr = self.amount_inr(self.duration_secs());
        // At most ₹180 per call: the conversion is exact enough and cannot overflow.
        (inr * 100.0).round().max(0.0) as u64
    }

    /// Billable seconds of live media: end minus start, 0 if it never connected.
    fn duration_secs(&self) -> i64 {
        let start = self.started_at.as_deref().and_then(clock::parse);
        let end = self.ended_at.as_deref().and_then(clock::parse);
        match (start, end) {
            (Some(start), Some(end)) => (end.as_second() - start.as_second()).max(0),
            _ => 0,
        }
    }

    /// The charge: whole billing blocks at the per-minute rate, only for billed outcomes.
    fn amount_inr(&self, secs: i64) -> f64 {
        if !matches!(self.status.as_str(), "completed" | "voicemail" | "timeout") {
            return 0.0;
        }
        let blocks = (secs + BLOCK_SECS - 1) / BLOCK_SECS;
        let billed_secs = blocks * BLOCK_SECS;
        // At most 1,800 s per call, so the float is exact enough.
        (billed_secs as f64 * PER_MIN_INR / 60.0 * 100.0).round() / 100.0
    }

    /// Moves the call to `status`, filling in times, a default `ended_reason`, and for a call
    /// that connected and finished, a transcript and (if enabled) a recording. Returns the
    /// webhook event type the transition fires, if any.
    pub(crate) fn set_status(&mut self, status: &str) -> Option<&'static str> {
        let now = clock::seconds(clock::now());
        self.status = status.to_owned();
        let default_reason = match status {
            "in_progress" => {
                self.started_at.get_or_insert_with(|| now.clone());
                return Some("call.started");
            }
            "queued" | "dialing" => return None,
            "completed" => "customer-ended-call",
            "voicemail" => "voicemail",
            "timeout" => "exceeded-max-duration",
            "no_answer" => "customer-did-not-answer",
            "busy" => "customer-busy",
            "failed" => "no-media",
            "aborted" => "aborted-by-api",
            _ => return None,
        };
        self.ended_reason
            .get_or_insert_with(|| default_reason.to_owned());
        self.ended_at.get_or_insert_with(|| now.clone());
        if matches!(status, "completed" | "voicemail" | "timeout") {
            self.started_at.get_or_insert_with(|| now.clone());
            self.recording = self.recording_enabled;
            if status != "voicemail" {
                self.turns.get_or_insert_with(generated_turns);
            }
        }
        Some(match status {
            "completed" => "call.completed",
            "voicemail" => "call.voicemail",
            "aborted" => "call.aborted",
            _ => "call.failed",
        })
    }

    /// The list order key: newest `created_at` first, then newest insertion.
    pub(crate) fn order_key(&self) -> (i64, u64) {
        let created = clock::parse(&self.created_at).map_or(i64::MIN, |t| t.as_millisecond());
        (created, self.seq)
    }
}

fn generated_turns() -> Vec<Value> {
    vec![
        json!({ "role": "assistant", "text": "Namaste! This is the simulated agent calling.", "start_ms": 400, "end_ms": 3100 }),
        json!({ "role": "user", "text": "Hello, yes, go ahead.", "start_ms": 3600, "end_ms": 5200 }),
        json!({ "role": "assistant", "text": "Thank you, that is all. Goodbye!", "start_ms": 5600, "end_ms": 7900 }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn life() {
        let mut call = Record::new("call_1".into(), "agt_1".into());
        assert_eq!(call.to_json(false)["transcript_status"], "pending");
        assert!(call.to_json(false).get("metadata").is_none());
        assert_eq!(call.set_status("dialing"), None);
        assert_eq!(call.set_status("in_progress"), Some("call.started"));
        assert_eq!(call.set_status("completed"), Some("call.completed"));
        let json = call.to_json(false);
        assert_eq!(json["ended_reason"], "customer-ended-call");
        assert_eq!(json["recording_available"], true);
        assert_eq!(json["transcript_status"], "ready");
        assert!(json["duration_secs"].is_i64());
        let item = call.to_json(true);
        assert!(item.get("cost").is_none() && item["cost_inr"].is_number());

        let mut aborted = Record::new("call_2".into(), "agt_1".into());
        assert_eq!(aborted.set_status("aborted"), Some("call.aborted"));
        assert_eq!(aborted.to_json(false)["cost"]["amount_inr"], 0.0);
        assert!(!aborted.has_recording());
        assert_eq!(aborted.to_json(false)["duration_secs"], 0);
    }

    #[test]
    fn billing_rounds_up_to_blocks() {
        let mut call = Record::new("c".into(), "a".into());
        call.status = "completed".into();
        assert_eq!(call.amount_inr(61), 7.0);
        assert_eq!(call.amount_inr(0), 0.0);
        call.started_at = Some("2026-07-26T09:00:00Z".into());
        call.ended_at = Some("2026-07-26T09:01:01Z".into());
        assert_eq!(call.billed_paise(), 700);
        call.status = "in_progress".into();
        assert_eq!(call.billed_paise(), 0);
    }
}
