//! A Rust client for [Cartesia](https://cartesia.ai)'s agent call API: stop, read and manage voice-agent calls.
//!
//! For backends that run Cartesia voice agents and must control their calls. Cartesia's official SDKs have no way
//! to cancel, delete or place a call. This crate does, and answers the truth about it:
//! [`CallControl::terminate`] tells "terminated by us" from "already over", and
//! when a reply is lost it reads the call instead of guessing.
//!
//! ```no_run
//! use call_core::{CallControl, CallId};
//! use cartesia_calls::CartesiaClient;
//!
//! # async fn run() -> call_core::Result<()> {
//! let client = CartesiaClient::builder().api_key("sk_car_...").build()?;
//! let done = client.terminate(&CallId::new("ac_abc123")?).await?;
//! println!("{}: {}", done.call_id(), done.outcome());
//! # Ok(()) }
//! ```
//!
//! # Operations
//!
//! Each method maps to one documented endpoint under `https://api.cartesia.ai/agents/calls`, except `terminate`,
//! `state` and `stop_batch`, which build on them.
//!
//! | method | endpoint | retried | answers |
//! | --- | --- | --- | --- |
//! | [`terminate`](call_core::CallControl::terminate) | Cancel Call, then Get Call when in doubt | as both | [`Termination`](call_core::Termination): terminated or already ended |
//! | [`state`](call_core::CallControl::state) | Get Call | yes | [`CallState`] |
//! | [`cancel_call`](CartesiaClient::cancel_call) | `POST /agents/calls/{id}/cancel` | yes | `()` |
//! | [`get_call`](CartesiaClient::get_call) | `GET /agents/calls/{id}` | yes | [`Call`] |
//! | [`list_calls`](CartesiaClient::list_calls) | `GET /agents/calls?agent_id=`, page after page | yes | a [`Listing`] of [`Call`]s (`.pages()`: [`Page`]s) |
//! | [`delete_call`](CartesiaClient::delete_call) | `DELETE /agents/calls/{id}` | yes (idempotent) | the redacted [`Call`] |
//! | [`download_audio`](CartesiaClient::download_audio), [`download_audio_to_file`](CartesiaClient::download_audio_to_file) | `GET /agents/calls/{id}/audio` | until the body starts | bytes written |
//! | [`get_call_logs`](CartesiaClient::get_call_logs) | `GET /agents/calls/{id}/logs` | yes | [`CallLogsResult`] |
//! | [`create_outbound_calls`](CartesiaClient::create_outbound_calls) | `POST /agents/calls` | **never once sent** | [`OutboundCalls`], one result per number |
//! | [`create_batch`](CartesiaClient::create_batch) | `POST /agents/calls/batches` | **never once sent** | the queued [`Batch`] |
//! | [`get_batch`](CartesiaClient::get_batch) | `GET /agents/calls/batches/{id}` | yes | the [`Batch`] with its [`Recipient`]s |
//! | [`list_batches`](CartesiaClient::list_batches) | `GET /agents/calls/batches`, page after page | yes | a [`Listing`] of [`Batch`]es |
//! | [`cancel_batch`](CartesiaClient::cancel_batch) | `POST /agents/calls/batches/{id}/cancel` | yes (idempotent) | the cancelled [`Batch`]: no more dialling; placed calls run on |
//! | [`retry_batch`](CartesiaClient::retry_batch) | `POST /agents/calls/batches/{id}/retry` | **never once sent** | the [`Batch`], failed recipients re-queued |
//! | [`stop_batch`](CartesiaClient::stop_batch) | Cancel Call Batch, then (when asked) Get Call Batch and `terminate` for each recipient call | as each | a [`BatchStop`]: the batch, counts, and one [`BulkReport`](call_core::bulk::BulkReport) per call |
//!
//! "Retried" means connection failures, timeouts, 429 (honouring `Retry-After` within the deadline) and 500, 502,
//! 503, 504, with jittered backoff, as the client's [`RetryConfig`] allows. Placing calls, creating a batch and
//! retrying one are retried only when the connection never opened: a repeat could dial someone twice, so any later
//! failure is an error whose [`is_outcome_unknown`](Error::is_outcome_unknown) is set.
//!
//! # Stopping calls before they are placed
//!
//! Cartesia cannot cancel a call that is not yet answered (status `created`): Cancel Call accepts only `started`
//! calls. Calls queued in a **batch** can be withdrawn, though: [`cancel_batch`](CartesiaClient::cancel_batch) stops
//! the dialling, and [`stop_batch`](CartesiaClient::stop_batch) also cancels the calls already placed, reporting
//! each. When stopping work before it starts matters, place calls through a batch (with a low
//! `target_concurrency_limit` or a `scheduled_at`). A batch's status `completed` means every recipient was
//! dispatched, not that every call is over: see [`Batch`].
//!
//! Every request sends `Authorization: Bearer <key>` and exactly one `Cartesia-Version` header
//! ([`DEFAULT_API_VERSION`], overridable). Call and batch ids are percent-encoded as one path segment; the call id
//! `batches` is refused before sending, since `/agents/calls/batches` is the batches' path. Errors are
//! [`Error`]s: branch on [`kind`](Error::kind); Cartesia's `error_code` and `request_id` are kept
//! ([`provider_code`](Error::provider_code), [`request_id`](Error::request_id)).
//!
//! # Where Cartesia's docs are silent
//!
//! - **Status values.** The docs disagree between versions (`created|started|completed|failed` and the older
//!   `active|cancelled`); all decode, and unknown values are kept, never rejected.
//! - **Which cursor to follow.** The docs call `next_page` the next page's cursor; the official SDKs send the last
//!   call's id as `starting_after`. The stream follows `next_page` when present, else the last id while
//!   `has_more`; it stops with an error if a cursor repeats.
//! - **Deleting an active call.** Cartesia's 400 (or a 409) is [`ErrorKind::Conflict`], saying to cancel first.
//! - **No recording.** Audio's 404 is [`ErrorKind::NotFound`] with "no recording for this call".
//! - **Logs' two 404s.** "Call logs not available" is [`CallLogsResult::Unavailable`]; any other 404 is
//!   [`ErrorKind::NotFound`].
//! - **How many recipients.** The Create Call Batch page says 1,000, the newer guide and schema 5,000: up to
//!   [`MAX_BATCH_RECIPIENTS`] (5,000) are accepted, and Cartesia's 400 answers a lower limit.
//! - **Retrying a batch twice.** Retry Call Batch is not documented as idempotent, and a second retry could dial
//!   failed recipients again, so it is never repeated once sent. Its one documented 400 ("cancelled batches cannot be
//!   retried") is [`ErrorKind::Conflict`].
//! - **Recipient statuses.** The older docs do not list them; the newer ones do, and unknown values are kept.
//! - **A batch id.** Opaque, with a call id's rules ([`BatchId`]).

mod audio;
mod batch;
mod call;
mod cancel;
mod client;
mod create;
mod delete;
mod error_body;
mod get;
mod json;
mod list;
mod logs;
mod number;
mod paging;
mod path;
mod send_once;
mod status;
mod terminate;

pub use batch::{
    Batch, BatchId, BatchStatus, BatchStop, CreateBatch, ListBatches, MAX_BATCH_RECIPIENTS,
    Recipient, RecipientStatus, StopBatch,
};
pub use call::{
    Call, ConnectionType, EndReason, LogEvent, LogMetric, Region, TelephonyAccountType,
    TelephonyParams, TextChunk, ToolCall, TranscriptItem, TranscriptRole,
};
pub use call_core::{
    self, CallControl, CallId, CallState, Error, ErrorKind, Listing, Page, Pages, RetryConfig,
    Timestamp,
};
pub use client::{
    API_KEY_ENV, BASE_URL_ENV, CartesiaClient, CartesiaClientBuilder, DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
};
pub use create::{
    CreateOutboundCalls, Destination, DestinationError, OutboundCallResult, OutboundCalls,
};
pub use list::ListCalls;
pub use logs::{CallLogs, CallLogsResult};
pub use number::CartesiaNumberSearch;
pub use paging::MAX_PAGE_LIMIT;
pub use status::CartesiaCallStatus;

/// The crate's private decoders of Cartesia's answers, for the workspace's fuzz targets (`fuzz/`) only, behind the
/// `fuzzing` feature: not part of the public API, and not stable. Each wrapper builds the answer a request would
/// get (`call_core::fuzzing::response`) and calls the code the client runs on it.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use call_core::provider_kit::Response;
    use call_core::{CallId, Error, Provider, Result, Timestamp};

    use crate::CartesiaCallStatus;
    use serde_json::Value;

    use crate::json::{CallLogsBody, CallOutcomeBody, CancelBody, OutboundResponseBody, PageBody};
    use crate::{Batch, Call, EndReason};

    /// An answer to `operation` with `status` and `body`, as the HTTP path hands it over.
    pub fn response(operation: &'static str, status: u16, body: &[u8]) -> Response {
        call_core::fuzzing::json_response(Provider::Cartesia, operation, None, status, body)
    }

    /// `error_body::error_from`: the error for a non-2xx answer to Cancel Call.
    pub fn error_from(status: u16, body: &[u8]) -> Error {
        crate::error_body::error_from(&response("cancel call", status, body))
    }

    /// `error_body::provider_message`: what [`error_from`] quotes of the body.
    pub fn provider_message(status: u16, body: &[u8]) -> Option<String> {
        crate::error_body::provider_message(&response("cancel call", status, body))
    }

    /// `json::CallOutcomeBody::read`, what `terminate` reads of Get Call's 200 answer: the status, the end reason
    /// and whether the call was cancelled through the API.
    pub fn call_outcome(body: &[u8]) -> Result<(CartesiaCallStatus, Option<EndReason>, bool)> {
        let outcome = CallOutcomeBody::read(&response("get call", 200, body))?;
        let cancelled = outcome.was_cancelled_by_api();
        Ok((outcome.status, outcome.end_reason, cancelled))
    }

    /// List Calls' 200 answer as `list_calls` decodes it (`json::PageBody`): the calls, `next_page`, `has_more`.
    pub fn call_page(body: &[u8]) -> Result<(Vec<Call>, Option<String>, Option<bool>)> {
        let page: PageBody<Call> = response("list calls", 200, body).json()?;
        Ok((page.data, page.next_page, page.has_more))
    }

    /// List Call Batches' 200 answer as `list_batches` decodes it (`json::PageBody`).
    pub fn batch_page(body: &[u8]) -> Result<(Vec<Batch>, Option<String>, Option<bool>)> {
        let page: PageBody<Batch> = response("list batches", 200, body).json()?;
        Ok((page.data, page.next_page, page.has_more))
    }

    /// Cancel Call's 200 body (`json::CancelBody`): its `cancelled`.
    pub fn cancel_answer(body: &[u8]) -> Result<bool> {
        let answer: CancelBody = response("cancel call", 200, body).json()?;
        Ok(answer.cancelled)
    }

    /// Create Outbound Call's 200 body (`json::OutboundResponseBody`): each entry's number, call id and error.
    #[allow(clippy::type_complexity)]
    pub fn outbound_answer(
        body: &[u8],
    ) -> Result<Vec<(Option<String>, Option<CallId>, Option<Value>)>> {
        let answer: OutboundResponseBody = response("create outbound calls", 200, body).json()?;
        Ok(answer
            .calls
            .into_iter()
            .map(|call| (call.number, call.agent_call_id, call.error))
            .collect())
    }

    /// Get Call Runtime Logs' 200 body (`json::CallLogsBody`): the call id, the lines, and when they were updated.
    pub fn call_logs(body: &[u8]) -> Result<(CallId, Vec<String>, Timestamp)> {
        let logs: CallLogsBody = response("get call logs", 200, body).json()?;
        Ok((logs.call_id, logs.logs, logs.updated_at))
    }
}

/// The README's examples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
