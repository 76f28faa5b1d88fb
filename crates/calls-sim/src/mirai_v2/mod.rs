//! The Mirai Minds v2 API (`/v2/calls…`, `/v2/campaigns…`, `/v2/dnc…`, bearer auth) and its
//! control handle.
//!
//! Reference: Mirai's v2 docs, pages "Calls", "Campaigns", "Do-not-call list", "Webhooks" and
//! "Errors".

mod api;
mod call;
mod campaign;
mod campaign_api;
mod campaign_control;
mod campaign_seed;
mod cursor;
mod dialler;
mod dnc;
mod dnc_api;
mod lifecycle;

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Map, Value};

pub(crate) use api::handle;
use call::Record;
use campaign::Campaign;
pub use campaign_control::{MiraiV2Campaign, MiraiV2Contact};
pub use campaign_seed::MiraiV2CampaignSeed;

use crate::app::App;
use crate::call_table::{self, CallTable};
use crate::calling_window::CallingWindow;
use crate::clock;
use crate::json_field::{take_array, take_bool, take_string};
use crate::records::Records;
use crate::unknown_id::UnknownCall;

/// The Mirai v2 calls, campaigns and do-not-call list the simulator holds, and the idempotency
/// keys seen.
pub(crate) type Store = crate::store::Store<Calls>;

/// Calls, campaigns and the do-not-call list share one lock: a campaign's dials create calls, its
/// contacts follow their calls, and the list is checked as contacts are dialled.
#[derive(Debug, Default)]
pub(crate) struct Calls {
    by_id: Records<Record>,
    /// `Idempotency-Key` → the exact 202 body first sent for it. Kept for the simulator's life
    /// (Mirai keeps keys 24 hours); one entry per created call, so bounded by the calls held.
    idempotency: HashMap<String, Bytes>,
    campaigns: Records<Campaign>,
    dnc: dnc::Dnc,
    /// When campaigns may dial.
    window: CallingWindow,
}

impl Calls {
    pub(crate) fn new(window: CallingWindow) -> Calls {
        Calls {
            window,
            ..Calls::default()
        }
    }

    pub(crate) fn has_recording(&self, id: &str) -> bool {
        self.by_id.get(id).is_some_and(Record::has_recording)
    }

    pub(crate) fn replay(&self, key: &str) -> Option<Bytes> {
        self.idempotency.get(key).cloned()
    }

    pub(crate) fn remember(&mut self, key: String, response: Bytes) {
        self.idempotency.insert(key, response);
    }

    /// The campaigns, newest first.
    pub(crate) fn campaigns_newest_first(&self) -> Vec<&Campaign> {
        self.campaigns.newest_first(|_| true, campaign_order)
    }
}

/// The campaign list order key: newest `created_at` first, then newest creation.
pub(crate) fn campaign_order(campaign: &Campaign) -> (i64, u64) {
    let created = clock::parse(&campaign.created_at).map_or(i64::MIN, |t| t.as_millisecond());
    (created, campaign.seq)
}

impl CallTable for Calls {
    type Call = Record;

    fn calls(&self) -> &Records<Record> {
        &self.by_id
    }

    fn calls_mut(&mut self) -> &mut Records<Record> {
        &mut self.by_id
    }

    /// Moves call `id` to `status` and, when the transition has an event and the call a
    /// `webhook_url`, queues the event. A campaign call's contact follows (see the dialler).
    fn transition(&mut self, app: &App, id: &str, status: &str) -> bool {
        let Some(call) = self.by_id.get_mut(id) else {
            return false;
        };
        let event = call.set_status(status);
        if let (Some(event), Some(url)) = (event, &call.webhook_url) {
            app.webhooks.mirai_v2(
                url,
                app.credentials.mirai_webhook_secret(),
                event,
                call.to_json(false),
            );
        }
        if let Some(link) = call.campaign.clone() {
            dialler::call_changed(app, self, &link, id);
        }
        true
    }
}

/// A Mirai v2 call to put into the simulator as is, built with chained setters.
///
/// A seed holds exactly what it is given (no transcript or recording unless set); transitions
/// made later fill in what a real call would have by then.
///
/// ```
/// use calls_sim::MiraiV2CallSeed;
///
/// let seed = MiraiV2CallSeed::new("call_01K7Q9B4M8N3P6R2S5T7V9W1YA", "agt_1")
///     .to("+919876543210")
///     .status("in_progress")
///     .webhook_url("http://127.0.0.1:9999/hook");
/// ```
#[derive(Debug, Clone)]
pub struct MiraiV2CallSeed {
    record: Record,
}

impl MiraiV2CallSeed {
    /// A call `id` of agent `agent_id`, `queued`, created now, with recording enabled.
    pub fn new(id: impl Into<String>, agent_id: impl Into<String>) -> Self {
        MiraiV2CallSeed {
            record: Record::new(id.into(), agent_id.into()),
        }
    }

    /// The status; any string (`queued`, `dialing`, `in_progress` count as running).
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.record.status = status.into();
        self
    }

    /// The destination number `to`.
    #[must_use]
    pub fn to(mut self, to: impl Into<String>) -> Self {
        self.record.to = Some(to.into());
        self
    }

    /// `ended_reason`.
    #[must_use]
    pub fn ended_reason(mut self, reason: impl Into<String>) -> Self {
        self.record.ended_reason = Some(reason.into());
        self
    }

    /// `created_at`, RFC 3339; it orders `GET /v2/calls` (default: now).
    #[must_use]
    pub fn created_at(mut self, time: impl Into<String>) -> Self {
        self.record.created_at = time.into();
        self
    }

    /// `started_at`, RFC 3339.
    #[must_use]
    pub fn started_at(mut self, time: impl Into<String>) -> Self {
        self.record.started_at = Some(time.into());
        self
    }

    /// `ended_at`, RFC 3339.
    #[must_use]
    pub fn ended_at(mut self, time: impl Into<String>) -> Self {
        self.record.ended_at = Some(time.into());
        self
    }

    /// `metadata`, echoed on the call and its events.
    #[must_use]
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.record.metadata = Some(metadata);
        self
    }

    /// The `webhook_url` that receives the call's events on later transitions.
    #[must_use]
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.record.webhook_url = Some(url.into());
        self
    }

    /// Whether the ended call has a recording for `/recording` (default `false`).
    #[must_use]
    pub fn recording(mut self, recording: bool) -> Self {
        self.record.recording = recording;
        self
    }

    /// The transcript turns (`{role, text, start_ms, end_ms}`) `/transcript` returns once ended.
    #[must_use]
    pub fn transcript(mut self, turns: Vec<Value>) -> Self {
        self.record.turns = Some(turns);
        self
    }

    /// Any other field of the call object, e.g. `analysis`, `flow`, or one Mirai has not
    /// documented yet. Fields the simulator computes (status, times, cost, availability) are
    /// set only through their setters.
    #[must_use]
    pub fn field(mut self, name: impl Into<String>, value: Value) -> Self {
        self.record.extra.insert(name.into(), value);
        self
    }

    /// The id of the call this seed makes.
    pub(crate) fn id(&self) -> &str {
        &self.record.id
    }

    /// Builds a seed from the JSON object the `/_sim/mirai_v2/calls` control route accepts.
    pub(crate) fn from_json(mut object: Map<String, Value>) -> Result<Self, String> {
        let id = take_string(&mut object, "id")?
            .unwrap_or_else(|| format!("call_{}", crate::id::ulid()));
        let agent_id = take_string(&mut object, "agent_id")?.ok_or("agent_id is required")?;
        let mut seed = MiraiV2CallSeed::new(id, agent_id);
        let r = &mut seed.record;
        if let Some(status) = take_string(&mut object, "status")? {
            r.status = status;
        }
        if let Some(created) = take_string(&mut object, "created_at")? {
            r.created_at = created;
        }
        r.to = take_string(&mut object, "to")?;
        r.ended_reason = take_string(&mut object, "ended_reason")?;
        r.started_at = take_string(&mut object, "started_at")?;
        r.ended_at = take_string(&mut object, "ended_at")?;
        r.webhook_url = take_string(&mut object, "webhook_url")?;
        r.metadata = object.remove("metadata").filter(|v| !v.is_null());
        if let Some(recording) = take_bool(&mut object, "recording")? {
            r.recording = recording;
        }
        r.turns = take_array(
            &mut object,
            "transcript",
            "transcript must be an array of turns",
        )?;
        r.extra = object;
        Ok(seed)
    }
}

/// Controls the simulated Mirai v2 calls, campaigns and do-not-call list: seed them, move calls
/// through their life, dial campaigns, read them.
///
/// Get one with [`crate::Sim::mirai_v2`]. The campaign methods
/// ([`MiraiV2Control::seed_campaign`], [`MiraiV2Control::dial_campaign`], …) are described with
/// [`MiraiV2Campaign`]. Status changes of a call with a `webhook_url` POST the
/// documented events to it (`call.started`, `call.completed`, `call.voicemail`, `call.failed`,
/// `call.aborted`; `call.queued` is opt-in at Mirai and not sent).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use calls_sim::{MiraiV2CallSeed, Sim};
///
/// let sim = Sim::start().await?;
/// let v2 = sim.mirai_v2();
/// v2.seed_call(MiraiV2CallSeed::new("call_1", "agt_1").to("+919876543210"));
/// v2.advance("call_1")?; // queued -> dialing
/// v2.advance("call_1")?; // dialing -> in_progress
/// v2.set_status("call_1", "voicemail")?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MiraiV2Control {
    app: Arc<App>,
}

impl MiraiV2Control {
    pub(crate) fn new(app: Arc<App>) -> Self {
        MiraiV2Control { app }
    }

    /// Adds a call, replacing any call with the same id.
    pub fn seed_call(&self, seed: MiraiV2CallSeed) {
        self.app.mirai_v2.lock().by_id.insert(seed.record);
    }

    /// Adds `n` completed calls of `agent_id`, created one minute apart (each with a transcript
    /// and a recording), for pagination tests. Returns their ids newest first, the order
    /// `GET /v2/calls` lists them in.
    pub fn seed_agent_calls(&self, agent_id: &str, n: usize) -> Vec<String> {
        call_table::seed_past_calls(&self.app.mirai_v2, n, |created| {
            let at = |offset: i64| {
                jiff::Timestamp::from_second(created.saturating_add(offset))
                    .map(clock::seconds)
                    .ok()
            };
            let id = format!("call_{}", crate::id::ulid());
            let mut record = Record::new(id, agent_id.to_owned());
            record.to = Some("+919876543210".to_owned());
            if let Some(created_at) = at(0) {
                record.created_at = created_at;
            }
            record.started_at = at(5);
            record.ended_at = at(47);
            record.set_status("completed");
            record
        })
    }

    /// Sets a call's status (any string) and sends its event, filling in times, a default
    /// `ended_reason` (e.g. `customer-ended-call`, `customer-did-not-answer`, `aborted-by-api`),
    /// and for `completed` and `timeout` a transcript and (if enabled) a recording.
    ///
    /// # Errors
    ///
    /// [`UnknownCall`] when the simulator holds no call `id`.
    pub fn set_status(&self, id: &str, status: &str) -> Result<(), UnknownCall> {
        call_table::set_status(&self.app, &self.app.mirai_v2, id, status)
    }

    /// Moves a call one step along `queued → dialing → in_progress → completed`, sends the
    /// event, and returns the status afterwards; an ended call is left as it is.
    ///
    /// # Errors
    ///
    /// [`UnknownCall`] when the simulator holds no call `id`.
    pub fn advance(&self, id: &str) -> Result<String, UnknownCall> {
        call_table::advance(&self.app, &self.app.mirai_v2, id).map(Option::unwrap_or_default)
    }

    /// Scripts the next `times` aborts of call `call_id` to answer 202 `{"id": call_id, "status": status}` and to
    /// change nothing: the call runs on. Mirai documents 202 `"status": "aborted"` for every stage an abort is
    /// allowed in, so any other `status` (`"in_progress"`, `"error"`) proves nothing, and a client must read the
    /// call before it answers.
    ///
    /// Scripted as a [`Fault::Status`](crate::Fault::Status) on the call's aborts only
    /// ([`crate::Faults::on_call_route`]: its reads answer the truth), so it counts in [`crate::Faults::pending`] and
    /// the journal as a fault (the handler never sees the request); over HTTP, `/_sim/faults` scripts a `status`
    /// fault with this `code` and `body` per call (every route) or per route.
    pub fn answer_aborts_with(&self, call_id: &str, status: &str, times: u32) {
        let body = serde_json::json!({ "id": call_id, "status": status }).to_string();
        self.app.faults.on_call_route(
            call_id,
            crate::Route::MiraiV2Abort,
            crate::Fault::Status {
                code: 202,
                retry_after: None,
                body: Some(body),
            },
            times,
        );
    }

    /// A snapshot of call `id`, if the simulator holds it.
    pub fn call(&self, id: &str) -> Option<MiraiV2Call> {
        self.app
            .mirai_v2
            .lock()
            .by_id
            .get(id)
            .map(|record| MiraiV2Call {
                record: record.clone(),
            })
    }
}

/// A snapshot of a simulated Mirai v2 call.
#[derive(Debug, Clone)]
pub struct MiraiV2Call {
    record: Record,
}

impl MiraiV2Call {
    /// The call id.
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// The agent id.
    pub fn agent_id(&self) -> &str {
        &self.record.agent_id
    }

    /// The status, e.g. `queued`, `in_progress`, `aborted`.
    pub fn status(&self) -> &str {
        &self.record.status
    }

    /// `ended_reason`, e.g. `aborted-by-api`.
    pub fn ended_reason(&self) -> Option<&str> {
        self.record.ended_reason.as_deref()
    }

    /// The destination number.
    pub fn to(&self) -> Option<&str> {
        self.record.to.as_deref()
    }

    /// The `webhook_url` given at create (for a campaign call, the campaign's).
    pub fn webhook_url(&self) -> Option<&str> {
        self.record.webhook_url.as_deref()
    }

    /// The campaign that dialled the call, if one did.
    pub fn campaign_id(&self) -> Option<&str> {
        self.record
            .campaign
            .as_ref()
            .map(|link| link.campaign_id.as_str())
    }

    /// The JSON `GET /v2/calls/{id}` returns for this call.
    pub fn to_json(&self) -> Value {
        self.record.to_json(false)
    }
}
