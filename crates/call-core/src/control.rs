//! The trait every provider client implements.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::ErrorExt;
use crate::{CallId, CallState, Error, ErrorKind, Provider, Termination};

/// Control of voice-agent calls at one provider: what a program needs to stop calls, whoever places them.
///
/// Object safe, so a program holds `Arc<dyn CallControl>` for each provider it uses and stops calls the same way at
/// all of them:
///
/// ```no_run
/// use std::sync::Arc;
/// use call_core::{CallControl, CallId, TerminateOutcome};
///
/// async fn stop(clients: &[Arc<dyn CallControl>], id: &CallId) -> call_core::Result<()> {
///     for client in clients {
///         let done = client.terminate(id).await?;
///         match done.outcome() {
///             TerminateOutcome::Terminated => println!("{}: stopped {id}", client.provider()),
///             TerminateOutcome::AlreadyEnded => println!("{}: {id} was already over", client.provider()),
///             _ => {}
///         }
///     }
///     Ok(())
/// }
/// ```
///
/// New methods come with default bodies, so adding one is not a breaking change for implementors.
#[async_trait]
pub trait CallControl: Send + Sync + fmt::Debug {
    /// Which provider this client speaks to.
    fn provider(&self) -> Provider;

    /// Ends the call, or withdraws it from the queue, and says which happened.
    ///
    /// `Ok` means the call is over: [`TerminateOutcome::Terminated`](crate::TerminateOutcome::Terminated) when this
    /// request ended it, [`AlreadyEnded`](crate::TerminateOutcome::AlreadyEnded) when it was already over (including
    /// when a retry finds that our own first attempt, whose reply was lost, already ended it). Safe to call again.
    ///
    /// # Errors
    ///
    /// An [`Error`] whose [`kind`](Error::kind) says why the call may still be going: not found, not terminable in
    /// its current state, unauthorized, rate limited, a timeout...
    async fn terminate(&self, call_id: &CallId) -> crate::Result<Termination>;

    /// [`terminate`](CallControl::terminate), with options; `terminate` is this with
    /// [`TerminateOptions::new`], which waits for nothing.
    ///
    /// The default body ignores the options and calls `terminate`: a provider that can stop a call at every stage
    /// (Mirai) needs none of them. Cartesia implements it: with a [ring wait](TerminateOptions::with_ring_wait), a
    /// call still ringing is waited for and cancelled the moment it is answered.
    ///
    /// # Errors
    ///
    /// As [`terminate`](CallControl::terminate); with a ring wait, a call still ringing when the wait runs out is
    /// [`ErrorKind::NotTerminable`], saying how long it was waited for.
    async fn terminate_with(
        &self,
        call_id: &CallId,
        options: &TerminateOptions,
    ) -> crate::Result<Termination> {
        let _ = options;
        self.terminate(call_id).await
    }

    /// The call's provider-neutral state, where the provider's API can read a call.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`] where the provider has no way to read a call (Mirai's legacy API), and any error
    /// the read can give.
    async fn state(&self, call_id: &CallId) -> crate::Result<CallState> {
        Err(unsupported(self.provider(), "read call state", call_id))
    }

    /// The provider's rate limiting as this client sees it, if the client keeps track: bulk termination reads it to
    /// pause and slow down when the provider rate-limits.
    fn rate_limit(&self) -> Option<&crate::RateLimit> {
        None
    }
}

/// How [`CallControl::terminate_with`] goes about a call. [`TerminateOptions::new`] (the default) is what
/// [`CallControl::terminate`] does.
///
/// ```
/// use std::time::Duration;
/// use call_core::TerminateOptions;
///
/// // Cartesia lets a call ring for up to 80 s (`ringing_timeout_seconds`, default 60): wait a little longer.
/// let options = TerminateOptions::new().with_ring_wait(Duration::from_secs(90));
/// assert_eq!(options.ring_wait(), Some(Duration::from_secs(90)));
/// assert_eq!(TerminateOptions::new().ring_wait(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminateOptions {
    ring_wait: Option<Duration>,
}

impl TerminateOptions {
    /// No options: no ring wait.
    pub fn new() -> Self {
        TerminateOptions::default()
    }

    /// Waits up to `wait` for a call that is still ringing (not yet answered) to be answered, and stops it then.
    /// Off by default.
    ///
    /// Only where the provider cannot stop a ringing call: Cartesia refuses to cancel a call until it is `started`
    /// (answered), and the only bound on ringing is the call's `ringing_timeout_seconds`, 5 to 80 s (default 60),
    /// after which it ends unanswered. With a ring wait, such a call is read again and again (with the client's
    /// backoff, through its rate-limit gate) and cancelled the moment it starts; a call that ends while ringing is
    /// [`AlreadyEnded`](crate::TerminateOutcome::AlreadyEnded); one still ringing when the wait runs out is
    /// [`ErrorKind::NotTerminable`], saying how long it was waited for. The callee's phone rings meanwhile, and may
    /// be answered before the cancel lands. Mirai aborts a ringing call at once, so it never waits.
    ///
    /// The wait has its own bound, `wait`, on top of the terminate's deadline (the client's
    /// [`operation_timeout`](crate::RetryConfig::operation_timeout)), which covers everything else; a wait longer
    /// than one day is cut to one day. The cancel after the wait is one of the client's `max_attempts`: with
    /// `max_attempts` 1, a call found ringing is not waited for. [`Termination::ring_wait`] says what the wait took.
    #[must_use]
    pub fn with_ring_wait(mut self, wait: Duration) -> Self {
        self.ring_wait = Some(wait);
        self
    }

    /// The longest wait for a ringing call, if any.
    pub fn ring_wait(&self) -> Option<Duration> {
        self.ring_wait
    }
}

/// The error for an operation a provider's API does not offer.
pub fn unsupported(provider: Provider, operation: &'static str, call_id: &CallId) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        "this provider's API has no way to do this",
    )
    .with_provider(provider)
    .with_operation(operation)
    .with_call_id(call_id.clone())
}
