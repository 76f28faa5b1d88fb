//! A Rust client for [Cartesia](https://cartesia.ai)'s agent call API: stop, read and manage voice-agent calls.
//!
//! Cartesia's official SDKs have no way to cancel a call. This crate does, and answers the truth about it:
//! [`CallControl::terminate`](call_core::CallControl::terminate) tells "terminated by us" from "already over", and
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
//! Every request sends `Authorization: Bearer <key>` and exactly one `Cartesia-Version` header
//! ([`DEFAULT_API_VERSION`], overridable). Requests go through `call-core`'s HTTP path: per-attempt timeouts, an
//! overall deadline, and retries with jitter for what is safe to repeat.

mod call;
mod calls;
mod client;
mod error_body;
mod terminate;

pub use call::{
    Call, EndReason, LogEvent, LogMetric, TelephonyParams, TextChunk, ToolCall, TranscriptItem,
};
pub use call_core::{
    self, CallControl, CallId, CallState, CartesiaCallStatus, Error, ErrorKind, RetryConfig,
};
pub use client::{
    API_KEY_ENV, BASE_URL_ENV, CartesiaClient, CartesiaClientBuilder, DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
};
