//! The trait every provider client implements.

use std::fmt;

use async_trait::async_trait;

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

    /// The call's provider-neutral state, where the provider's API can read a call.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`] where the provider has no way to read a call (Mirai's legacy API), and any error
    /// the read can give.
    async fn state(&self, call_id: &CallId) -> crate::Result<CallState> {
        Err(unsupported(self.provider(), "read call state", call_id))
    }

    /// The client's shared rate-limit gate, if it has one: bulk termination reads it to slow down when the
    /// provider rate-limits.
    fn throttle(&self) -> Option<&crate::http::Throttle> {
        None
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
