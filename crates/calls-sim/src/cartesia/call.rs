//! A simulated Cartesia agent call: its record, its JSON, its transitions.

use serde_json::{Map, Value, json};

use crate::clock;
use crate::id;

/// One Cartesia call as the simulator holds it.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) agent_id: String,
    pub(crate) status: String,
    pub(crate) start_time: Option<String>,
    pub(crate) end_time: Option<String>,
    pub(crate) end_reason: Option<String>,
    pub(crate) redacted_at: Option<String>,
    pub(crate) transcript: Option<Vec<Value>>,
    pub(crate) telephony_params: Option<Map<String, Value>>,
    pub(crate) metadata: Option<Value>,
    pub(crate) summary: Option<String>,
    /// Whether `GET …/audio` has a recording to return.
    pub(crate) recording: bool,
    pub(crate) logs: Option<Vec<String>>,
    pub(crate) logs_updated_at: Option<String>,
    /// Any other fields, rendered as given.
    pub(crate) extra: Map<String, Value>,
    /// The batch that placed the call, if one did.
    pub(crate) batch_id: Option<String>,
    /// While `created` (ringing): the callee answers (the call becomes `started`) once the call has been read this
    /// many more times through `GET /agents/calls/{id}`.
    pub(crate) answer_after_reads: Option<u32>,
    /// While `created` (ringing): the callee answers right after a cancel is refused, as if the cancel had raced the
    /// pick-up.
    pub(crate) answer_at_refused_cancel: bool,
    /// Insertion order, the tie-breaker of the list order.
    pub(crate) seq: u64,
}

impl Record {
    /// A new call in status `created`.
    pub(crate) fn new(id: String, agent_id: String) -> Record {
        Record {
            id,
            agent_id,
            status: "created".to_owned(),
            start_time: None,
            end_time: None,
            end_reason: None,
            redacted_at: None,
            transcript: None,
            telephony_params: None,
            metadata: None,
            summary: None,
            recording: false,
            logs: None,
            logs_updated_at: None,
            extra: Map::new(),
            batch_id: None,
            answer_after_reads: None,
            answer_at_refused_cancel: false,
            seq: 0,
        }
    }

    /// The `AgentCall` JSON (`Cartesia-Version` 2026-03-01 shape). `with_transcript` is false
    /// for list items without `expand=transcript`. Fields deleted by a redaction are omitted.
    pub(crate) fn to_json(&self, with_transcript: bool) -> Value {
        let redacted = self.redacted_at.is_some();
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("agent_id".into(), json!(self.agent_id));
        out.insert("agent_name".into(), json!("Simulated agent"));
        out.insert("status".into(), json!(self.status));
        out.insert("start_time".into(), json!(self.start_time));
        out.insert("end_time".into(), json!(self.end_time));
        out.insert("redacted_at".into(), json!(self.redacted_at));
        out.insert("end_reason".into(), json!(self.end_reason));
        out.insert("error_message".into(), Value::Null);
        out.insert("telephony_account_type".into(), json!("cartesia"));
        out.insert("zdr_enabled".into(), json!(false));
        if let Some(params) = &self.telephony_params {
            let mut params = params.clone();
            if redacted {
                for field in ["to", "from", "parameters", "headers"] {
                    params.remove(field);
                }
            }
            out.insert("telephony_params".into(), Value::Object(params));
        }
        if !redacted {
            out.insert("summary".into(), json!(self.summary));
            out.insert(
                "metadata".into(),
                self.metadata.clone().unwrap_or_else(|| json!({})),
            );
            if with_transcript {
                out.insert("transcript".into(), json!(self.transcript));
            }
        }
        for (key, value) in &self.extra {
            // Seeded extra fields replace defaults, never the fields the simulator tracks.
            let tracked = matches!(
                key.as_str(),
                "id" | "agent_id"
                    | "status"
                    | "start_time"
                    | "end_time"
                    | "redacted_at"
                    | "end_reason"
                    | "transcript"
                    | "telephony_params"
                    | "summary"
                    | "metadata"
            );
            if !tracked {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// Moves the call to `status`, filling in what a real call would have by then
    /// (start and end times, an end reason, and for a finished call a transcript, a
    /// recording and runtime logs) unless it already has them.
    pub(crate) fn set_status(&mut self, status: &str) {
        let now = clock::seconds(clock::now());
        self.status = status.to_owned();
        match status {
            "started" => {
                self.start_time.get_or_insert_with(|| now.clone());
            }
            "completed" | "failed" => {
                if status == "completed" {
                    self.start_time.get_or_insert_with(|| now.clone());
                }
                self.end_time.get_or_insert_with(|| now.clone());
                let default_reason = if status == "completed" {
                    "agent_hangup"
                } else {
                    "error"
                };
                let reason = self
                    .end_reason
                    .get_or_insert_with(|| default_reason.to_owned())
                    .clone();
                if self.redacted_at.is_none() {
                    if status == "completed" && self.start_time.is_some() {
                        self.transcript.get_or_insert_with(generated_transcript);
                        self.summary.get_or_insert_with(|| {
                            "The simulated agent greeted the caller and the call ended.".to_owned()
                        });
                        self.recording = true;
                    }
                    if self.logs.is_none() {
                        self.logs = Some(vec![
                            format!("{now} INFO agent session started for call {}", self.id),
                            format!("{now} INFO agent session ended: {reason}"),
                        ]);
                        self.logs_updated_at = Some(now);
                    }
                }
            }
            _ => {}
        }
    }

    /// Counts one read of a ringing call that answers after reads: whether the callee answers now (the read then shows
    /// the call `started`).
    pub(crate) fn answers_at_this_read(&mut self) -> bool {
        match self.answer_after_reads {
            Some(0) if self.status == "created" => {
                self.answer_after_reads = None;
                true
            }
            Some(n) if self.status == "created" => {
                self.answer_after_reads = Some(n - 1);
                false
            }
            _ => false,
        }
    }

    /// Whether the callee answers right after a cancel of this ringing call is refused (only the first time).
    pub(crate) fn answers_after_refused_cancel(&mut self) -> bool {
        let answers = self.answer_at_refused_cancel && self.status == "created";
        if answers {
            self.answer_at_refused_cancel = false;
        }
        answers
    }

    /// Whether the call is still in flight (`created` or `started`).
    pub(crate) fn is_in_flight(&self) -> bool {
        matches!(self.status.as_str(), "created" | "started")
    }

    /// Deletes the sensitive data, as `DELETE /agents/calls/{id}` does: transcript, recording,
    /// logs, summary, metadata and the telephony numbers. Idempotent: the first `redacted_at` stays.
    pub(crate) fn redact(&mut self) {
        self.redacted_at
            .get_or_insert_with(|| clock::seconds(clock::now()));
        self.transcript = None;
        self.recording = false;
        self.logs = None;
        self.logs_updated_at = None;
        self.summary = None;
        self.metadata = None;
    }

    /// The list order key: newest start first, calls not started yet before all others.
    pub(crate) fn order_key(&self) -> (bool, Option<jiff::Timestamp>, u64) {
        let start = self.start_time.as_deref().and_then(clock::parse);
        (self.start_time.is_none(), start, self.seq)
    }
}

impl crate::call_table::Call for Record {
    const HAPPY_PATH: &'static [&'static str] = &["created", "started", "completed"];

    fn status(&self) -> Option<&str> {
        Some(&self.status)
    }
}

crate::records::keyed_by_id_field!(Record);

/// Telephony parameters for a new outbound call to `to`.
pub(crate) fn outbound_telephony(to: &str) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("to".into(), json!(to));
    params.insert("direction".into(), json!("outbound"));
    params.insert("call_sid".into(), json!(format!("sid_{}", id::base62(16))));
    params.insert("connection_type".into(), json!("phone"));
    params
}

fn generated_transcript() -> Vec<Value> {
    vec![
        json!({
            "role": "assistant",
            "text": "Hello, this is the simulated agent. How can I help?",
            "start_timestamp": 0.4,
            "end_timestamp": 3.1,
            "end_reason": "tts_completed",
            "tool_calls": null,
            "stt_ttfb": null,
            "tts_ttfb": 0.21,
        }),
        json!({
            "role": "user",
            "text": "Just testing, thanks. Goodbye.",
            "start_timestamp": 3.6,
            "end_timestamp": 5.2,
            "end_reason": null,
            "tool_calls": null,
            "stt_ttfb": 0.12,
            "tts_ttfb": null,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_table::Call;

    #[test]
    fn life_and_redaction() {
        let mut call = Record::new("ac_1".into(), "agent_1".into());
        call.telephony_params = Some(outbound_telephony("+14155559876"));
        assert_eq!(call.next_status(), Some("started"));
        call.set_status("started");
        assert!(call.start_time.is_some());
        call.end_reason = Some("api_cancelled".into());
        call.set_status("completed");
        assert_eq!(call.end_reason.as_deref(), Some("api_cancelled"));
        assert!(call.recording && call.logs.is_some() && call.transcript.is_some());
        assert_eq!(call.next_status(), None);
        let full = call.to_json(true);
        assert_eq!(full["telephony_params"]["to"], "+14155559876");
        assert!(full["transcript"].is_array());
        assert!(call.to_json(false).get("transcript").is_none());
        call.redact();
        let redacted = call.to_json(true);
        assert!(redacted["redacted_at"].is_string());
        assert!(redacted.get("transcript").is_none());
        assert!(redacted["telephony_params"].get("to").is_none());
        assert_eq!(redacted["telephony_params"]["connection_type"], "phone");
        assert!(!call.recording);
    }
}
