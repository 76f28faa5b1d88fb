//! The **new** API ("v2" in Mirai's docs): `/v2/calls/...` on `sandbox.voice.miraiminds.co`, authenticated with
//! `Authorization: Bearer sk_live_...`.
//!
//! | operation | request | here |
//! | --- | --- | --- |
//! | [Create Call](https://docs.miraiminds.co/v2/calls) | `POST /v2/calls` + `Idempotency-Key` | [`MiraiV2Client::create_call`] with [`CreateCall`] |
//! | Get Call | `GET /v2/calls/{id}` | [`MiraiV2Client::get_call`], [`state`](call_core::CallControl::state) |
//! | List Calls | `GET /v2/calls` (cursor pages) | [`MiraiV2Client::list_calls`] with [`ListCalls`] (`.pages()` for pages) |
//! | Get Transcript | `GET /v2/calls/{id}/transcript` | [`MiraiV2Client::transcript`] |
//! | Get Recording | `GET /v2/calls/{id}/recording` (302 to storage) | [`MiraiV2Client::download_recording`], [`MiraiV2Client::download_recording_to_file`] |
//! | Abort Call | `POST /v2/calls/{id}/abort` | [`MiraiV2Client::abort_call`], [`terminate`](call_core::CallControl::terminate) |
//! | find calls to a number | `GET /v2/calls?status=` × 3 | [`MiraiV2Client::find_active_calls_to`] |
//! | [Create Campaign](https://docs.miraiminds.co/v2/campaigns) | `POST /v2/campaigns` (never repeated once sent) | [`MiraiV2Client::create_campaign`] with [`CreateCampaign`] |
//! | Get Campaign | `GET /v2/campaigns/{id}` | [`MiraiV2Client::get_campaign`] |
//! | List Campaigns | `GET /v2/campaigns` (cursor pages) | [`MiraiV2Client::list_campaigns`] with [`ListCampaigns`] |
//! | Update Campaign | `PATCH /v2/campaigns/{id}` | [`MiraiV2Client::update_campaign`] with [`UpdateCampaign`] |
//! | Add Contacts | `POST /v2/campaigns/{id}/contacts` | [`MiraiV2Client::add_contacts`] with [`NewContact`] |
//! | List Contacts | `GET /v2/campaigns/{id}/contacts` (cursor pages) | [`MiraiV2Client::list_contacts`] with [`ListContacts`] |
//! | Start / Pause / Resume Campaign | `POST /v2/campaigns/{id}/start` (`pause`, `resume`) | [`MiraiV2Client::start_campaign`], [`MiraiV2Client::pause_campaign`], [`MiraiV2Client::resume_campaign`] |
//! | Stop Campaign | `POST /v2/campaigns/{id}/stop` | [`MiraiV2Client::stop_campaign`]: live calls hung up, pending contacts `aborted`, irreversible; check with [`MiraiV2Client::campaign_live_calls`] |
//! | Campaign Report | `GET /v2/campaigns/{id}/report` (`?format=csv`) | [`MiraiV2Client::campaign_report`], [`MiraiV2Client::campaign_report_csv`] (streamed) |
//! | [Do-not-call list](https://docs.miraiminds.co/v2/dnc) | `POST /v2/dnc`, `GET /v2/dnc`, `DELETE /v2/dnc/{phone}` | [`MiraiV2Client::add_to_dnc`], [`MiraiV2Client::list_dnc`], [`MiraiV2Client::remove_from_dnc`] |
//! | [Webhooks](https://docs.miraiminds.co/v2/webhooks) | Mirai POSTs to your `webhook_url` | [`WebhookVerifier`], [`WebhookEvent`] |
//!
//! Which requests are repeated after they may have reached Mirai, and why:
//!
//! | request | repeated? | why |
//! | --- | --- | --- |
//! | every read (`GET`) | yes | reads change nothing |
//! | create call | yes | the `Idempotency-Key` makes Mirai replay the first answer |
//! | abort call | yes | a repeat answers 409, resolved by reading the call |
//! | create campaign | **no** | no idempotency key exists: a repeat could create, and later dial, a second campaign |
//! | update campaign | yes | absolute values: a repeat sets them again |
//! | add contacts | yes | Mirai deduplicates on the phone number: a repeat stores nothing twice (rows come back as `duplicate`) |
//! | start, pause, resume, stop | yes | a repeat finds the campaign in the state asked for; its 409 `conflict` is read as [`ChangeOutcome::AlreadyInState`] after reading the campaign |
//! | add to / remove from the do-not-call list | yes | Mirai's own pattern ("POST on every opt-out"); a repeat answers [`DncAdded::AlreadyListed`] / [`DncRemoved::NotListed`] |
//!
//! Errors carry Mirai's `error.code` in [`Error::provider_code`](call_core::Error::provider_code) and map it to an
//! [`ErrorKind`](call_core::ErrorKind) ([errors](https://docs.miraiminds.co/v2/errors)): `invalid_request` →
//! `InvalidInput`, `insufficient_balance` (402) → `Rejected`, `conflict`, `window_closed` and `duplicate_call` (409) →
//! `Conflict`, `fleet_offline` (503) → `Upstream` (with its `Retry-After`),
//! `rate_limited`, `at_capacity` and `concurrency_limit` (429) → `RateLimited` (retried, honouring
//! `Retry-After`), and 503 `campaigns_unavailable` / `transcription_unavailable` → not retryable.

mod call;
pub(crate) mod calls;
mod campaign;
mod campaign_contact;
mod campaign_control;
mod campaign_create;
mod campaign_id;
mod campaign_window;
mod campaigns;
mod client;
mod create;
mod dnc;
pub(crate) mod error_body;
mod list;
pub(crate) mod page;
mod recording;
mod signature;
mod status;
mod terminate;
mod webhook;

pub use call::{Call, CallCost, CallFlow, Role, Transcript, TranscriptStatus, Turn};
pub use calls::AbortAccepted;
pub use campaign::{Campaign, CampaignReport, CampaignStatus, PauseReason};
pub use campaign_contact::{
    Contact, ContactStatus, ContactUpload, MAX_CONTACTS_PER_REQUEST, NewContact, RejectedContact,
};
pub use campaign_control::{CampaignChange, ChangeOutcome};
pub use campaign_create::{CreateCampaign, UpdateCampaign};
pub use campaign_id::CampaignId;
pub use campaign_window::{LocalDate, LocalTime, Slot};
pub use campaigns::{CampaignCreated, ContactsAdded, ListCampaigns, ListContacts};
pub use client::{
    API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, MiraiV2Client, MiraiV2ClientBuilder,
};
pub use create::{Channel, CreateCall, Created, MAX_IDEMPOTENCY_KEY_LEN, Timing};
pub use dnc::{DncAdded, DncEntry, DncRemoved, ListDnc};
pub use list::ListCalls;
pub use signature::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, WebhookVerifier};
pub use status::{EndedReason, MiraiV2CallStatus};
pub use webhook::{
    EventData, EventTranscript, EventTranscriptStatus, EventType, Processing, StepStatus,
    WebhookEvent,
};
