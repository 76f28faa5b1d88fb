//! A Rust client for [Mirai Minds](https://miraiminds.co)' voice-agent call API.
//!
//! Mirai has no SDK of its own. Mirai runs two call APIs, told apart by host and auth:
//!
//! - [`MiraiClient`]: the **legacy** API (Mirai's docs call it "v1"; paths `/v2/call/...`, keys in `x-public-key`,
//!   `x-private-key` and `workspace`). It places and aborts queued calls but cannot read them.
//!
//! Both implement [`CallControl`](call_core::CallControl), so they sit beside other providers as
//! `Arc<dyn CallControl>`.
//!
//! ```no_run
//! use call_core::{CallControl, CallId};
//! use mirai_calls::MiraiClient;
//!
//! # async fn run() -> call_core::Result<()> {
//! let client = MiraiClient::builder()
//!     .public_key("pk_...")
//!     .private_key("sk_...")
//!     .workspace("6690a1b2c3d4e5f600000002")
//!     .build()?;
//! let done = client.terminate(&CallId::new("68f0a1b2c3d4e5f600000900")?).await?;
//! println!("{}: {}", done.call_id(), done.outcome());
//! # Ok(()) }
//! ```

mod abort;
mod client;

pub use abort::Aborted;
pub use call_core::{
    self, CallControl, CallId, CallState, Error, ErrorKind, MiraiCallStatus, RetryConfig,
};
pub use client::{
    BASE_URL_ENV, MiraiClient, MiraiClientBuilder, MiraiServer, PRIVATE_KEY_ENV, PUBLIC_KEY_ENV,
    WORKSPACE_ENV,
};
