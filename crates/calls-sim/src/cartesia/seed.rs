//! Seeding Cartesia calls with chosen fields.

use serde_json::{Map, Value};

use super::call::Record;
use crate::json_field::{take_array, take_bool, take_string};

/// A Cartesia call to put into the simulator as is, built with chained setters.
///
/// A seed holds exactly what it is given: no transcript, recording or logs unless set here.
/// Transitions made later ([`crate::CartesiaControl::set_status`], a cancel through the API)
/// fill in what a real call would have by then.
///
/// ```
/// use calls_sim::CartesiaCallSeed;
/// use serde_json::json;
///
/// let seed = CartesiaCallSeed::new("ac_1", "agent_1")
///     .status("completed")
///     .start_time("2026-03-01T12:00:00Z")
///     .end_time("2026-03-01T12:05:00Z")
///     .end_reason("agent_hangup")
///     .recording(true)
///     .logs(["agent started", "agent stopped"])
///     .field("agent_name", json!("Support"));
/// ```
#[derive(Debug, Clone)]
pub struct CartesiaCallSeed {
    pub(crate) record: Record,
}

impl CartesiaCallSeed {
    /// A call `id` of agent `agent_id`, in status `created` with nothing else set.
    pub fn new(id: impl Into<String>, agent_id: impl Into<String>) -> Self {
        CartesiaCallSeed {
            record: Record::new(id.into(), agent_id.into()),
        }
    }

    /// The `status`; any string, so clients' handling of unknown statuses can be tested.
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.record.status = status.into();
        self
    }

    /// `start_time`, RFC 3339. It also orders the agent's calls in `GET /agents/calls`.
    #[must_use]
    pub fn start_time(mut self, time: impl Into<String>) -> Self {
        self.record.start_time = Some(time.into());
        self
    }

    /// `end_time`, RFC 3339.
    #[must_use]
    pub fn end_time(mut self, time: impl Into<String>) -> Self {
        self.record.end_time = Some(time.into());
        self
    }

    /// `end_reason`, e.g. `agent_hangup`, `api_cancelled`, or an unknown value.
    #[must_use]
    pub fn end_reason(mut self, reason: impl Into<String>) -> Self {
        self.record.end_reason = Some(reason.into());
        self
    }

    /// `redacted_at`: the call is seeded as already deleted.
    #[must_use]
    pub fn redacted_at(mut self, time: impl Into<String>) -> Self {
        self.record.redacted_at = Some(time.into());
        self
    }

    /// The `transcript` items (`AgentTranscript` objects).
    #[must_use]
    pub fn transcript(mut self, turns: Vec<Value>) -> Self {
        self.record.transcript = Some(turns);
        self
    }

    /// The `telephony_params` object.
    #[must_use]
    pub fn telephony_params(mut self, params: Map<String, Value>) -> Self {
        self.record.telephony_params = Some(params);
        self
    }

    /// The `metadata` value.
    #[must_use]
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.record.metadata = Some(metadata);
        self
    }

    /// The `summary`.
    #[must_use]
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.record.summary = Some(summary.into());
        self
    }

    /// Whether `GET /agents/calls/{id}/audio` returns a recording (default `false`).
    #[must_use]
    pub fn recording(mut self, recording: bool) -> Self {
        self.record.recording = recording;
        self
    }

    /// The runtime log lines `GET /agents/calls/{id}/logs` returns; without them it answers 404
    /// "Call logs not available".
    #[must_use]
    pub fn logs<I, S>(mut self, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.record.logs = Some(lines.into_iter().map(Into::into).collect());
        self.record
            .logs_updated_at
            .get_or_insert_with(|| crate::clock::seconds(crate::clock::now()));
        self
    }

    /// A ringing call (status `created`) whose callee answers once it has been read `reads` times through
    /// `GET /agents/calls/{id}`: those reads see it `created`, the next one `started` (for clients that wait for a
    /// ringing call to be answered, then cancel it). Has no effect on a call seeded in another status.
    #[must_use]
    pub fn answer_after_reads(mut self, reads: u32) -> Self {
        self.record.answer_after_reads = Some(reads);
        self
    }

    /// A ringing call (status `created`) whose callee answers right after its first cancel is refused: the cancel
    /// gets Cartesia's 400, and the call is `started` from then on (the cancel raced the pick-up). Has no effect on
    /// a call seeded in another status.
    #[must_use]
    pub fn answer_at_first_cancel(mut self) -> Self {
        self.record.answer_at_refused_cancel = true;
        self
    }

    /// Any other field of the call JSON, e.g. `agent_name`, `deployment_id`, or one Cartesia has
    /// not documented yet. It replaces the simulator's default for that field; fields with a
    /// setter above are set only by their setter.
    #[must_use]
    pub fn field(mut self, name: impl Into<String>, value: Value) -> Self {
        self.record.extra.insert(name.into(), value);
        self
    }

    /// Builds a seed from the JSON object the `/_sim/cartesia/calls` control route accepts:
    /// the call's JSON fields plus `recording` (bool), `logs` (array of strings), and for a
    /// ringing call `answer_after_reads` (a count) or `answer_at_first_cancel` (bool).
    pub(crate) fn from_json(mut object: Map<String, Value>) -> Result<Self, String> {
        let id = take_string(&mut object, "id")?
            .unwrap_or_else(|| format!("ac_{}", crate::id::base62(22)));
        let agent_id = take_string(&mut object, "agent_id")?.ok_or("agent_id is required")?;
        let mut seed = CartesiaCallSeed::new(id, agent_id);
        let r = &mut seed.record;
        if let Some(status) = take_string(&mut object, "status")? {
            r.status = status;
        }
        r.start_time = take_string(&mut object, "start_time")?;
        r.end_time = take_string(&mut object, "end_time")?;
        r.end_reason = take_string(&mut object, "end_reason")?;
        r.redacted_at = take_string(&mut object, "redacted_at")?;
        r.summary = take_string(&mut object, "summary")?;
        r.metadata = object.remove("metadata");
        r.transcript = take_array(&mut object, "transcript", "transcript must be an array")?;
        match object.remove("telephony_params") {
            None | Some(Value::Null) => {}
            Some(Value::Object(params)) => r.telephony_params = Some(params),
            Some(_) => return Err("telephony_params must be an object".into()),
        }
        if let Some(recording) = take_bool(&mut object, "recording")? {
            r.recording = recording;
        }
        match object.remove("answer_after_reads") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => {
                let reads = n
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or("answer_after_reads must be a count")?;
                r.answer_after_reads = Some(reads);
            }
            Some(_) => return Err("answer_after_reads must be a count".into()),
        }
        if let Some(answer) = take_bool(&mut object, "answer_at_first_cancel")? {
            r.answer_at_refused_cancel = answer;
        }
        const LOGS: &str = "logs must be an array of strings";
        if let Some(lines) = take_array(&mut object, "logs", LOGS)? {
            let lines = lines
                .into_iter()
                .map(|line| match line {
                    Value::String(s) => Ok(s),
                    _ => Err(LOGS.to_owned()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            seed = seed.logs(lines);
        }
        seed.record.extra = object;
        Ok(seed)
    }
}
