//! A simulated Mirai legacy call: its record and its transitions.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::clock;

/// One Mirai legacy call as the simulator holds it.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) assistant: Option<String>,
    pub(crate) phone_number: Option<String>,
    /// `None` is "no status yet (initial queue)".
    pub(crate) status: Option<String>,
    pub(crate) payload: Option<Value>,
    pub(crate) callback_url: Option<String>,
    pub(crate) metadata: Option<Value>,
    pub(crate) priority: bool,
    /// Whether a dial attempt has happened, which forbids `PUT /v2/call/{id}`.
    pub(crate) attempted: bool,
    pub(crate) started_at: Option<Timestamp>,
    pub(crate) ended_at: Option<Timestamp>,
}

/// The legacy API lists no calls, so a call keeps no insertion number.
impl crate::call_table::Call for Record {
    const HAPPY_PATH: &'static [&'static str] = &["initiate", "in-progress", "completed"];

    fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// Along the happy path from no status; an `ended` call also goes to `completed`.
    fn next_status(&self) -> Option<&'static str> {
        match self.status() {
            Some("ended") => Some("completed"),
            status => crate::call_table::next_on(Self::HAPPY_PATH, status),
        }
    }
}

impl crate::records::Keyed for Record {
    fn id(&self) -> &str {
        &self.id
    }
}

/// What `POST /v2/call/abort` makes of a call's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AbortCheck {
    Allowed,
    AlreadyAborted,
    InProgress,
    Completed,
    Other,
}

impl Record {
    pub(crate) fn new(id: String, status: Option<String>) -> Record {
        let attempted = attempted_by(status.as_deref());
        Record {
            id,
            assistant: None,
            phone_number: None,
            status,
            payload: None,
            callback_url: None,
            metadata: None,
            priority: false,
            attempted,
            started_at: None,
            ended_at: None,
        }
    }

    /// Moves the call to `status`, recording when it started and ended.
    pub(crate) fn set_status(&mut self, status: &str) {
        let now = clock::now();
        self.status = Some(status.to_owned());
        self.attempted |= attempted_by(Some(status));
        match status {
            "initiate" | "rescheduled" => {}
            "in-progress" => {
                self.started_at.get_or_insert(now);
            }
            "ended" | "completed" | "timeout" => {
                self.started_at.get_or_insert(now);
                self.ended_at.get_or_insert(now);
            }
            _ => {
                self.ended_at.get_or_insert(now);
            }
        }
    }

    /// Whether the abort API may abort the call. The docs allow no status and `busy`, `failed`,
    /// `no-answer`, `rescheduled`, `validation-failed`, and refuse `in-progress`, `completed`,
    /// `ended`, `timeout` and `aborted`. They are silent on `initiate` (queued, being dialled:
    /// allowed here, since a freshly initiated call has it and abort exists to stop queued calls)
    /// and `skip` (skipped, so over: refused as completed).
    pub(crate) fn abort_check(&self) -> AbortCheck {
        match self.status.as_deref() {
            None
            | Some(
                "initiate" | "busy" | "failed" | "no-answer" | "rescheduled" | "validation-failed",
            ) => AbortCheck::Allowed,
            Some("aborted") => AbortCheck::AlreadyAborted,
            Some("in-progress") => AbortCheck::InProgress,
            Some("completed" | "ended" | "timeout" | "skip") => AbortCheck::Completed,
            Some(_) => AbortCheck::Other,
        }
    }

    /// Whether `PUT /v2/call/{id}` may replace the payload: a queued call not yet attempted.
    pub(crate) fn payload_replaceable(&self) -> bool {
        !self.attempted && matches!(self.status.as_deref(), None | Some("initiate"))
    }

    /// Whether the call has a recording (it connected and finished).
    pub(crate) fn has_recording(&self) -> bool {
        self.started_at.is_some()
            && matches!(
                self.status.as_deref(),
                Some("ended" | "completed" | "timeout")
            )
    }

    /// `data.call` of a webhook event; `recording_url` is the signed URL when there is a recording.
    pub(crate) fn event_call(&self, recording_url: Option<String>) -> Value {
        let duration = match (self.started_at, self.ended_at) {
            (Some(start), Some(end)) => (end.as_second() - start.as_second()).max(0),
            _ => 0,
        };
        json!({
            "id": self.id,
            "status": self.status,
            "startedAt": self.started_at.map(clock::millis),
            "endedAt": self.ended_at.map(clock::millis),
            "recordingUrl": recording_url,
            "detailUrl": Value::Null,
            "durationSeconds": duration,
        })
    }
}

/// Whether being in `status` means a dial attempt happened.
fn attempted_by(status: Option<&str>) -> bool {
    !matches!(status, None | Some("initiate"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn life() {
        let mut call = Record::new("c".into(), None);
        assert!(call.payload_replaceable());
        assert_eq!(call.abort_check(), AbortCheck::Allowed);
        call.set_status("initiate");
        assert!(call.payload_replaceable());
        call.set_status("in-progress");
        assert!(!call.payload_replaceable());
        assert_eq!(call.abort_check(), AbortCheck::InProgress);
        call.set_status("completed");
        assert!(call.has_recording());
        assert_eq!(call.abort_check(), AbortCheck::Completed);
        let busy = Record::new("b".into(), Some("busy".into()));
        assert!(!busy.payload_replaceable());
        assert_eq!(busy.abort_check(), AbortCheck::Allowed);
    }
}
