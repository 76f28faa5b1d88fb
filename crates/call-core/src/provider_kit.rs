//! For provider crates: what a client of a new provider is built from. Programs that only use the clients never
//! need this module, and `calls-facade` does not re-export it.
//!
//! - The one HTTP path: a provider crate describes a [`Request`], sends it through its [`HttpClient`] and reads the
//!   [`Response`]. Nothing else in the workspace sends HTTP, so every client gets the same timeouts, resend rules,
//!   body caps and redaction.
//! - [`ResendPolicy`]: whether and when any request goes again, for the HTTP path, [`read_first`] and a provider's
//!   own waits (a [`Decision`] from an [`Attempt`]); every wait sleeps through the client's [`Clock`](crate::Clock).
//! - [`BuilderCore`]: what every client builder holds besides its keys (base URL, retry, `reqwest` settings), and
//!   [`env_var`], [`required_env_var`], [`missing_env`]: the one way a `from_env` reads a variable.
//! - [`Download`]: a file a provider serves, behind at most one redirect, into a writer or all or nothing into a file.
//! - [`Pager`]: the one paging loop; a provider gives the read of one page and gets a [`Listing`](crate::Listing).
//! - [`read_first`]: the cancel-then-read step a terminate takes when a provider's answer leaves the call's state in
//!   doubt.
//! - [`ErrorExt`]: building an [`Error`](crate::Error) field by field; [`unsupported`] for an operation a provider's
//!   API lacks.
//! - [`open_enum!`]: provider enums that never fail to parse.

pub use crate::client_builder::{BuilderCore, env_var, missing_env, required_env_var};
pub use crate::control::unsupported;
pub use crate::download::Download;
pub use crate::error::ErrorExt;
pub use crate::http::{
    BaseUrl, ClientSettings, DEFAULT_MAX_BODY_BYTES, HttpClient, HttpConfig, Idempotency,
    MAX_ERROR_BODY_BYTES, Request, Response, StreamingResponse, backoff_delay, parse_retry_after,
};
pub use crate::page::Pager;
pub use crate::read_first::{
    Budget, Phase, ReadCall, ReadFirst, StillGoing, Terminating, read_first,
};
pub use crate::resend::{Attempt, Decision, Happened, ResendPolicy};

#[doc(inline)]
pub use crate::builder_settings;
#[doc(inline)]
pub use crate::open_enum;

/// The `User-Agent` value for a client crate: `"<crate>/<version> call-core/<version>"`.
pub fn user_agent(crate_name: &str, crate_version: &str) -> String {
    format!(
        "{crate_name}/{crate_version} call-core/{}",
        env!("CARGO_PKG_VERSION")
    )
}
