//! Control voice-agent phone calls at several providers through one API.
//!
//! `calls` is for teams that run AI voice agents and must be able to stop calls: a customer says "stop calling
//! me", a campaign goes wrong, a live call must be ended from the backend. Every call id handed to
//! [`CallControl::terminate`] gets one clear, final, true answer: terminated by us, already over, or a typed
//! [`Error`] that says why.
//!
//! This crate re-exports the provider clients behind cargo features, so a program compiles only what it uses:
//!
//! | feature | module | client |
//! | --- | --- | --- |
//! | `cartesia` (default) | `cartesia` | `CartesiaClient` |
//! | `mirai` (default) | `mirai` | `MiraiLegacyClient` (legacy API), `MiraiV2Client` (new API) |
//!
//! ```toml
//! [dependencies]
//! calls-facade = { version = "0.1", default-features = false, features = ["cartesia"] }
//! ```
//!
//! ```no_run
//! use std::sync::Arc;
//! use calls_facade::{CallControl, CallId};
//!
//! # async fn run() -> calls_facade::Result<()> {
//! let providers: Vec<Arc<dyn CallControl>> = vec![
//! #   #[cfg(feature = "cartesia")]
//!     Arc::new(calls_facade::cartesia::CartesiaClient::from_env()?),
//! #   #[cfg(feature = "mirai")]
//!     Arc::new(calls_facade::mirai::MiraiLegacyClient::from_env()?),
//! ];
//! for provider in &providers {
//!     let done = provider.terminate(&CallId::new("call_123")?).await;
//!     println!("{}: {:?}", provider.provider(), done.map(|d| d.outcome()));
//! }
//! # Ok(()) }
//! ```

pub use call_core::{
    ApiKey, CallControl, CallId, CallState, Clock, Error, ErrorKind, Listing, Page, Pages,
    PhoneNumber, Provider, RateLimit, Result, RetryConfig, TerminateOptions, TerminateOutcome,
    Termination, Timestamp, async_trait, bulk, stop_number,
};

/// The Cartesia client (feature `cartesia`).
#[cfg(feature = "cartesia")]
pub use cartesia_calls as cartesia;

/// The Mirai Minds clients (feature `mirai`).
#[cfg(feature = "mirai")]
pub use mirai_calls as mirai;

/// The workspace README's examples, compiled as doctests so they cannot drift from the API.
#[cfg(all(doctest, feature = "cartesia", feature = "mirai"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The facade shows a user's API only: the provider author's kit (`call_core::provider_kit`, with the HTTP path) and
/// `Error`'s setters are out of its reach. These doctests fail to compile, and must.
///
/// ```compile_fail
/// // No `core` alias, so no way to the HTTP path.
/// use calls_facade::core::provider_kit::HttpClient;
/// ```
///
/// ```compile_fail
/// // `Error` is read through its predicates; its setters belong to `call_core::provider_kit::ErrorExt`.
/// let error = calls_facade::Error::new(calls_facade::ErrorKind::Timeout, "slow").with_retryable(false);
/// ```
///
/// ```
/// // What a user needs is here: the error type with its predicates, and the client settings.
/// let error = calls_facade::Error::new(calls_facade::ErrorKind::Timeout, "slow");
/// assert!(error.is_timeout());
/// let _ = calls_facade::RetryConfig::standard();
/// ```
#[cfg(doctest)]
pub struct UserApiOnly;
