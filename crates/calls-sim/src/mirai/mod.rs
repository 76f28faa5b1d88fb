//! The Mirai Minds legacy call API (`/v2/call/…`, key-header auth) and its control handle.
//!
//! Reference: <https://docs.miraiminds.co/api-reference/call/abort-call> and the sibling pages
//! for initiate and update payload; webhooks as in Mirai's "v1 webhooks" page.

mod api;
mod call;

use std::sync::Arc;

use serde_json::{Value, json};

pub(crate) use api::handle;
use call::Record;

use crate::app::App;
use crate::call_table::{self, CallTable};
use crate::recording;
use crate::records::Records;
use crate::unknown_id::UnknownCall;

/// The Mirai legacy calls the simulator holds.
pub(crate) type Store = crate::store::Store<Calls>;

pub(crate) type Calls = crate::records::Records<Record>;

impl CallTable for Calls {
    type Call = Record;

    fn calls(&self) -> &Records<Record> {
        self
    }

    fn calls_mut(&mut self) -> &mut Records<Record> {
        self
    }

    /// Moves call `id` to `status` and, when it has a `callbackUrl`, queues the `call.<status>` event.
    fn transition(&mut self, app: &App, id: &str, status: &str) -> bool {
        let Some(call) = self.get_mut(id) else {
            return false;
        };
        call.set_status(status);
        if let Some(url) = &call.callback_url {
            let recording_url = call
                .has_recording()
                .then(|| recording::signed_url(app, &call.id));
            let creds = &app.credentials;
            app.webhooks.mirai(
                url,
                creds.mirai_public_key(),
                creds.mirai_private_key(),
                &format!("call.{status}"),
                call.event_call(recording_url),
                call.metadata.clone().unwrap_or_else(|| json!({})),
            );
        }
        true
    }
}

/// A Mirai legacy call to put into the simulator as is, built with chained setters.
///
/// ```
/// use calls_sim::MiraiCallSeed;
/// use serde_json::json;
///
/// let seed = MiraiCallSeed::new("68f0a1b2c3d4e5f600000900")
///     .status("busy")
///     .callback_url("http://127.0.0.1:9999/hook")
///     .metadata(json!({ "order": "8842" }));
/// ```
#[derive(Debug, Clone)]
pub struct MiraiCallSeed {
    record: Record,
}

impl MiraiCallSeed {
    /// A call `id` with no status yet (the initial queue) and nothing else set.
    pub fn new(id: impl Into<String>) -> Self {
        MiraiCallSeed {
            record: Record::new(id.into(), None),
        }
    }

    /// The status; any string. `initiate` (or none) counts as not yet attempted, anything else
    /// as attempted, which forbids `PUT /v2/call/{id}`.
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> Self {
        let status = status.into();
        self.record.attempted = status != "initiate";
        self.record.status = Some(status);
        self
    }

    /// The assistant id.
    #[must_use]
    pub fn assistant(mut self, assistant: impl Into<String>) -> Self {
        self.record.assistant = Some(assistant.into());
        self
    }

    /// The phone number.
    #[must_use]
    pub fn phone_number(mut self, number: impl Into<String>) -> Self {
        self.record.phone_number = Some(number.into());
        self
    }

    /// The `payload` object.
    #[must_use]
    pub fn payload(mut self, payload: Value) -> Self {
        self.record.payload = Some(payload);
        self
    }

    /// The `callbackUrl` that receives the call's events on later transitions.
    #[must_use]
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.record.callback_url = Some(url.into());
        self
    }

    /// The `metadata` echoed on every event.
    #[must_use]
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.record.metadata = Some(metadata);
        self
    }

    /// The id of the call this seed makes.
    pub(crate) fn id(&self) -> &str {
        &self.record.id
    }

    /// Builds a seed from the JSON object the `/_sim/mirai/calls` control route accepts:
    /// `id`, `status`, `assistant`, `phoneNumber`, `payload`, `callbackUrl`, `metadata`.
    pub(crate) fn from_json(mut object: serde_json::Map<String, Value>) -> Result<Self, String> {
        use crate::json_field::take_string;
        let id = take_string(&mut object, "id")?.unwrap_or_else(crate::id::object_id);
        let mut seed = MiraiCallSeed::new(id);
        if let Some(status) = take_string(&mut object, "status")? {
            seed = seed.status(status);
        }
        seed.record.assistant = take_string(&mut object, "assistant")?;
        seed.record.phone_number = take_string(&mut object, "phoneNumber")?;
        seed.record.callback_url = take_string(&mut object, "callbackUrl")?;
        seed.record.payload = object.remove("payload").filter(|v| !v.is_null());
        seed.record.metadata = object.remove("metadata").filter(|v| !v.is_null());
        if let Some(key) = object.keys().next() {
            return Err(format!("unknown field {key}"));
        }
        Ok(seed)
    }
}

/// Controls the simulated Mirai legacy calls: seed them, move them through their life, read them.
///
/// Get one with [`crate::Sim::mirai`]. Every status change of a call with a `callbackUrl`
/// (through the API or through this handle) POSTs the `call.<status>` event to it.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use calls_sim::Sim;
///
/// let sim = Sim::start().await?;
/// let mirai = sim.mirai();
/// mirai.seed_call("68f0a1b2c3d4e5f600000900", Some("in-progress"));
/// // ... POST /v2/call/abort now answers 400 "Call already in progress" ...
/// mirai.set_status("68f0a1b2c3d4e5f600000900", "completed")?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MiraiControl {
    app: Arc<App>,
}

impl MiraiControl {
    pub(crate) fn new(app: Arc<App>) -> Self {
        MiraiControl { app }
    }

    /// Adds call `id` with `status` (`None`: no status yet, the initial queue), replacing any
    /// call with the same id.
    pub fn seed_call(&self, id: &str, status: Option<&str>) {
        let seed = MiraiCallSeed::new(id);
        let seed = match status {
            Some(status) => seed.status(status),
            None => seed,
        };
        self.seed(seed);
    }

    /// Adds a call built with [`MiraiCallSeed`], replacing any call with the same id.
    pub fn seed(&self, seed: MiraiCallSeed) {
        self.app.mirai.lock().insert(seed.record);
    }

    /// Sets a call's status (any string) and sends its `call.<status>` event.
    ///
    /// # Errors
    ///
    /// [`UnknownCall`] when the simulator holds no call `id`.
    pub fn set_status(&self, id: &str, status: &str) -> Result<(), UnknownCall> {
        call_table::set_status(&self.app, &self.app.mirai, id, status)
    }

    /// Moves a call one step along `none → initiate → in-progress → completed` (`ended` also
    /// goes to `completed`), sends the event, and returns the status afterwards; a call in any
    /// other status is left as it is.
    ///
    /// # Errors
    ///
    /// [`UnknownCall`] when the simulator holds no call `id`.
    pub fn advance(&self, id: &str) -> Result<Option<String>, UnknownCall> {
        call_table::advance(&self.app, &self.app.mirai, id)
    }

    /// Scripts the next `times` aborts of call `call_id` to be refused with a message of your choosing, and to change
    /// nothing: HTTP `status` with Mirai's error body `{"code": 400, "message": message}`.
    ///
    /// With `status` 400 and a message Mirai does not document ("Call has ended", "Retry window extended"), a client
    /// must not guess what it means; with `status` 200, the body's error code under a success status line
    /// (`{"code": 400, "message": "Call already aborted"}` answered 200) must not be taken as success.
    ///
    /// Scripted as a [`Fault::Status`](crate::Fault::Status) on the call's aborts only
    /// ([`crate::Faults::on_call_route`]), so it counts in [`crate::Faults::pending`] and the journal as a fault; over
    /// HTTP, `/_sim/faults` scripts a `status` fault with this `code` and `body` per call (every route) or per route.
    pub fn refuse_aborts(&self, call_id: &str, status: u16, message: &str, times: u32) {
        let body = json!({ "code": 400, "message": message }).to_string();
        self.app.faults.on_call_route(
            call_id,
            crate::Route::MiraiAbort,
            crate::Fault::Status {
                code: status,
                retry_after: None,
                body: Some(body),
            },
            times,
        );
    }

    /// A snapshot of call `id`, if the simulator holds it.
    pub fn call(&self, id: &str) -> Option<MiraiCall> {
        self.app.mirai.lock().get(id).map(|record| MiraiCall {
            record: record.clone(),
        })
    }
}

/// A snapshot of a simulated Mirai legacy call.
#[derive(Debug, Clone)]
pub struct MiraiCall {
    record: Record,
}

impl MiraiCall {
    /// The call id.
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// The status; `None` before the call got one (the initial queue).
    pub fn status(&self) -> Option<&str> {
        self.record.status.as_deref()
    }

    /// The assistant id given at initiate.
    pub fn assistant(&self) -> Option<&str> {
        self.record.assistant.as_deref()
    }

    /// The phone number given at initiate.
    pub fn phone_number(&self) -> Option<&str> {
        self.record.phone_number.as_deref()
    }

    /// The current `payload` (replaced by `PUT /v2/call/{id}`).
    pub fn payload(&self) -> Option<&Value> {
        self.record.payload.as_ref()
    }

    /// The `callbackUrl`.
    pub fn callback_url(&self) -> Option<&str> {
        self.record.callback_url.as_deref()
    }

    /// The `metadata`.
    pub fn metadata(&self) -> Option<&Value> {
        self.record.metadata.as_ref()
    }

    /// Whether `priority` was set at initiate.
    pub fn priority(&self) -> bool {
        self.record.priority
    }
}
