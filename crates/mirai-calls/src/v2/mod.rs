//! The **new** API ("v2" in Mirai's docs): `/v2/calls/...` on `sandbox.voice.miraiminds.co`, authenticated with
//! `Authorization: Bearer sk_live_...`.
//!
//! | operation | request | here |
//! | --- | --- | --- |
//! | [Create Call](https://docs.miraiminds.co/v2/calls) | `POST /v2/calls` + `Idempotency-Key` | [`MiraiV2Client::create_call`] with [`CreateCall`] |
//! | Get Call | `GET /v2/calls/{id}` | [`MiraiV2Client::get_call`], [`state`](call_core::CallControl::state) |
//! | List Calls | `GET /v2/calls` (cursor pages) | [`MiraiV2Client::list_calls`], [`MiraiV2Client::list_call_pages`] with [`ListCalls`] |
//! | Get Transcript | `GET /v2/calls/{id}/transcript` | [`MiraiV2Client::transcript`] |
//! | Get Recording | `GET /v2/calls/{id}/recording` (302 to storage) | [`MiraiV2Client::download_recording`], [`MiraiV2Client::download_recording_to_file`] |
//! | Abort Call | `POST /v2/calls/{id}/abort` | [`MiraiV2Client::abort_call`], [`terminate`](call_core::CallControl::terminate) |
//! | [Webhooks](https://docs.miraiminds.co/v2/webhooks) | Mirai POSTs to your `webhook_url` | [`WebhookVerifier`], [`WebhookEvent`] |
//!
//! Errors carry Mirai's `error.code` in [`Error::provider_code`](call_core::Error::provider_code) and map it to an
//! [`ErrorKind`](call_core::ErrorKind) ([errors](https://docs.miraiminds.co/v2/errors)): `invalid_request` →
//! `InvalidInput`, `insufficient_balance` (402) → `Rejected`, `conflict` and `duplicate_call` (409) → `Conflict`,
//! `rate_limited`, `at_capacity` and `concurrency_limit` (429) → `RateLimited` (retried, honouring
//! `Retry-After`), and 503 `campaigns_unavailable` / `transcription_unavailable` → not retryable.

mod call;
mod calls;
mod client;
mod create;
mod error_body;
mod list;
mod recording;
mod signature;
mod status;
mod terminate;
mod webhook;

pub use call::{Call, CallCost, CallFlow, CallPage, Role, Transcript, TranscriptStatus, Turn};
pub use calls::AbortAccepted;
pub use client::{
    API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, MiraiV2Client, MiraiV2ClientBuilder,
};
pub use create::{Channel, CreateCall, Created, MAX_IDEMPOTENCY_KEY_LEN, Timing};
pub use list::ListCalls;
pub use signature::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, WebhookVerifier};
pub use status::{EndedReason, MiraiV2CallStatus};
pub use webhook::{
    Campaign, CampaignStatus, EventData, EventTranscript, EventTranscriptStatus, EventType,
    Processing, StepStatus, WebhookEvent,
};
