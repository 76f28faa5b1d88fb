//! A Rust client for [Mirai Minds](https://miraiminds.co)' voice-agent call APIs: place, read, abort and hear
//! about AI phone calls, run campaigns and keep a do-not-call list, for backends that run Mirai agents.
//!
//! Mirai has no SDK of its own, and runs **two** call APIs. Both use `/v2/...` paths; they differ by host and auth.
//! Teams are on one or the other, so this crate speaks both, with one client each:
//!
//! | | [`MiraiLegacyClient`] (module [`legacy`]) | [`MiraiV2Client`] (module [`v2`]) |
//! | --- | --- | --- |
//! | Mirai's docs call it | the "v1" API (legacy, stable) | the "v2" API (new) |
//! | host | `api.voice-agents.miraiminds.co` | `sandbox.voice.miraiminds.co` ([`v2::DEFAULT_BASE_URL`]) |
//! | auth | `x-public-key`, `x-private-key`, `workspace` | `Authorization: Bearer sk_live_...` |
//! | paths | `/v2/call/initiate`, `/v2/call/abort`, `PUT /v2/call/{id}` | `/v2/calls`, `/v2/calls/{id}`, `/v2/calls/{id}/abort`, ... |
//! | environment | `MIRAI_PUBLIC_KEY`, `MIRAI_PRIVATE_KEY`, `MIRAI_WORKSPACE`, `MIRAI_LEGACY_BASE_URL` | `MIRAI_API_KEY`, `MIRAI_V2_BASE_URL` |
//! | place a call | [`initiate_call`](MiraiLegacyClient::initiate_call) (never retried once sent) | [`create_call`](MiraiV2Client::create_call) (idempotency key, retried safely) |
//! | read a call | no way: outcomes arrive by webhook only | [`get_call`](MiraiV2Client::get_call), [`list_calls`](MiraiV2Client::list_calls), transcript, recording |
//! | stop a call | queued or between attempts only (not live) | at any stage, live calls included |
//! | stop calling a number | no way to find its calls | [`find_active_calls_to`](MiraiV2Client::find_active_calls_to), then abort each; [`add_to_dnc`](MiraiV2Client::add_to_dnc) for campaigns |
//! | campaigns | none | create, add contacts, start, pause, resume, [`stop_campaign`](MiraiV2Client::stop_campaign) (hangs up live calls, marks pending contacts `aborted`, irreversible), get, list, report (JSON, or CSV streamed) |
//! | do-not-call list | none | [`add_to_dnc`](MiraiV2Client::add_to_dnc), [`remove_from_dnc`](MiraiV2Client::remove_from_dnc), [`list_dnc`](MiraiV2Client::list_dnc) |
//! | [`terminate`](call_core::CallControl::terminate) | from the abort's answer alone | checked by reading the call when in doubt |
//! | [`state`](call_core::CallControl::state) | [`ErrorKind::Unsupported`] | the call's [`CallState`] |
//! | webhooks | [`legacy::WebhookVerifier`]: `x-signature`, HMAC of the body with the private key | [`v2::WebhookVerifier`]: `X-Mirai-Signature: t=...,v1=...`, 300-second window |
//! | [`Provider`](call_core::Provider) | `Mirai` | `MiraiV2` |
//!
//! Both implement [`CallControl`], so they sit beside other providers as `Arc<dyn CallControl>`:
//!
//! ```no_run
//! use std::sync::Arc;
//! use call_core::{CallControl, CallId};
//! use mirai_calls::{MiraiLegacyClient, MiraiV2Client};
//!
//! # async fn run() -> call_core::Result<()> {
//! let legacy: Arc<dyn CallControl> = Arc::new(
//!     MiraiLegacyClient::builder()
//!         .public_key("pk_...")
//!         .private_key("sk_...")
//!         .workspace("6690a1b2c3d4e5f600000002")
//!         .build()?,
//! );
//! let v2: Arc<dyn CallControl> = Arc::new(MiraiV2Client::builder().api_key("sk_live_...").build()?);
//! let done = v2.terminate(&CallId::new("call_01JZQ9B4M8N3P6R2S5T7V9W1YA")?).await?;
//! println!("{}: {}", done.call_id(), done.outcome());
//! let done = legacy.terminate(&CallId::new("68f0a1b2c3d4e5f600000900")?).await?;
//! println!("{}: {}", done.call_id(), done.outcome());
//! # Ok(()) }
//! ```
//!
//! Every request goes through `call-core`'s HTTP path: per-attempt timeouts, an overall deadline, retries with
//! jitter and `Retry-After` for what is safe to repeat, capped bodies, keys in headers marked sensitive and never
//! printed. Everything a request carries (phone numbers, webhook URLs, metadata limits, ids) is checked before it
//! is sent.
//!
//! Campaigns and the do-not-call list ([`v2`]) follow Mirai's docs on what is safe to repeat: reads, edits, start,
//! pause, resume, stop, adding contacts (Mirai deduplicates on the number) and both do-not-call operations are
//! retried, and an "already there" answer (409 on a campaign found in the state asked for, 200 `added: false`, 404 on
//! removal) is a success that says so; creating a campaign has no idempotency key and is never repeated once sent.
//!
//! ```no_run
//! use call_core::PhoneNumber;
//! use futures_util::TryStreamExt;
//! use mirai_calls::MiraiV2Client;
//! use mirai_calls::v2::CampaignId;
//!
//! # async fn run() -> call_core::Result<()> {
//! let client = MiraiV2Client::from_env()?;
//! // A campaign gone wrong: stop it for good (its live calls are hung up, pending contacts marked aborted) ...
//! let stopped = client.stop_campaign(&CampaignId::new("cmp_01K7QAC5N9P4R7S3T6V8W2X4YB")?).await?;
//! println!("{}: {}", stopped.status, stopped.outcome);
//! // ... and a person who asked not to be called: no campaign dials them again, and their live calls end now.
//! let number = PhoneNumber::new("+919876543210")?;
//! client.add_to_dnc(&number).await?;
//! let calls = client.find_active_calls_to(&number);
//! futures_util::pin_mut!(calls);
//! while let Some(call) = calls.try_next().await? {
//!     client.abort_call(&call.id).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! Webhook handlers verify with the raw body: see `examples/webhook_server.rs` for both verifiers in an axum
//! handler.

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod mac;
mod null_as_default;
mod phone;
mod webhook_url;

pub mod legacy;
pub mod v2;

/// The crate's private decoders of Mirai's answers, for the workspace's fuzz targets (`fuzz/`) only, behind the
/// `fuzzing` feature: not part of the public API, and not stable. Each wrapper builds the answer a request would
/// get (`call_core::fuzzing::response`) and calls the code the client runs on it.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use call_core::{CallId, Error, Provider, Result};

    use crate::legacy::abort::{self, AbortRefusal, SuccessBody};
    use crate::legacy::error_body::{self as legacy_error_body, BodyCode};
    use crate::v2::error_body as v2_error_body;

    /// An answer of `provider`'s API to `operation` on `call_id`, with `status` and `body`, as the HTTP path hands it
    /// over.
    pub use call_core::fuzzing::json_response as response;

    /// Legacy `error_body::error_from`: the error for a non-2xx answer to Abort Call.
    pub fn legacy_error_from(status: u16, body: &[u8]) -> Error {
        legacy_error_body::error_from(&response(Provider::Mirai, "abort call", None, status, body))
    }

    /// Legacy `error_body::body_code` of a JSON object body: `Ok(None)` for no code, `Ok(Some(code))` for a 2xx or
    /// an error status, `Err(())` for a code not to trust either way; `None` when the body is not a JSON object.
    pub fn legacy_body_code(body: &[u8]) -> Option<std::result::Result<Option<u16>, ()>> {
        let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(body) else {
            return None;
        };
        Some(match legacy_error_body::body_code(&object) {
            BodyCode::Absent => Ok(None),
            BodyCode::Success => Ok(Some(200)),
            BodyCode::Error(code) => Ok(Some(code)),
            BodyCode::Odd => Err(()),
        })
    }

    /// What legacy `abort::read_success` makes of a 2xx answer to Abort Call.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum LegacyAbortAnswer {
        /// Mirai's answer, with its message.
        Aborted(Option<String>),
        /// A refusal: the body's error code, if it has one, and its message.
        Refused {
            /// The body's `code` or `status_code`, 400 to 599.
            code: Option<u16>,
            /// The body's `message`.
            message: Option<String>,
        },
        /// Not Mirai's answer, and why.
        Unclear(&'static str),
    }

    /// Legacy `abort::read_success`, on a 2xx answer's body.
    pub fn legacy_abort_answer(body: &[u8]) -> LegacyAbortAnswer {
        match abort::read_success(body) {
            SuccessBody::Aborted(message) => LegacyAbortAnswer::Aborted(message),
            SuccessBody::Refused { code, message } => LegacyAbortAnswer::Refused { code, message },
            SuccessBody::Unclear(why) => LegacyAbortAnswer::Unclear(why),
        }
    }

    /// Legacy `abort::refusal`: whether a message is a refusal `terminate` recognises, and which (`None` for any
    /// other message).
    pub fn legacy_refusal(message: &str) -> Option<&'static str> {
        match abort::refusal(message) {
            AbortRefusal::AlreadyAborted => Some("already aborted"),
            AbortRefusal::AlreadyOver => Some("already over"),
            AbortRefusal::InProgress => Some("in progress"),
            AbortRefusal::Other => None,
        }
    }

    /// New API `error_body::error_from`: the error for a non-2xx answer to Abort Call.
    pub fn v2_error_from(status: u16, body: &[u8]) -> Error {
        v2_error_body::error_from(&response(
            Provider::MiraiV2,
            "abort call",
            None,
            status,
            body,
        ))
    }

    /// New API `error_body::read`: an error body's code and message.
    pub fn v2_error_info(body: &[u8]) -> (Option<String>, Option<String>) {
        let info = v2_error_body::read(body);
        (info.code, info.message)
    }

    /// New API `error_body::is_final_answer`: whether an answer is final, not to be retried.
    pub fn v2_is_final_answer(status: u16, body: &[u8]) -> bool {
        v2_error_body::is_final_answer(status, body)
    }

    /// New API `page::Envelope::into_page`: a list page's 200 answer as every listing decodes it (`Response::json`).
    pub fn v2_page<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<call_core::Page<T>> {
        let envelope: crate::v2::page::Envelope<T> =
            response(Provider::MiraiV2, "list", None, 200, body).json()?;
        Ok(envelope.into_page())
    }

    /// New API `calls::proves_abort`: `Ok` when a 2xx answer to Abort Call on `call_id` proves the abort.
    pub fn v2_abort_answer(call_id: &CallId, status: u16, body: &[u8]) -> Result<()> {
        crate::v2::calls::proves_abort(
            call_id,
            &response(Provider::MiraiV2, "abort call", Some(call_id), status, body),
        )
    }
}

pub use call_core::{self, CallControl, CallId, CallState, Error, ErrorKind, RetryConfig};
pub use legacy::{
    Aborted, MiraiLegacyCallStatus, MiraiLegacyClient, MiraiLegacyClientBuilder, MiraiServer,
};
pub use v2::{MiraiV2CallStatus, MiraiV2Client, MiraiV2ClientBuilder};
