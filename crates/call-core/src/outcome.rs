//! The answer to "terminate this call".

use std::fmt;
use std::time::Duration;

use crate::{CallId, Provider};

/// How a call ended up after a successful terminate.
///
/// A failure is an [`Error`](crate::Error), never an outcome: a caller that gets `Ok` knows the call is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TerminateOutcome {
    /// Our request ended the call (or withdrew it from the queue).
    Terminated,
    /// The call was already over: it ended on its own, or an earlier request (perhaps our own first attempt, whose
    /// reply was lost) had already stopped it.
    AlreadyEnded,
}

impl TerminateOutcome {
    /// The outcome's stable name (`terminated`, `already_ended`), as used in `callctl`'s JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            TerminateOutcome::Terminated => "terminated",
            TerminateOutcome::AlreadyEnded => "already_ended",
        }
    }
}

impl fmt::Display for TerminateOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A successful terminate: the outcome, and what it took to learn it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    provider: Provider,
    call_id: CallId,
    outcome: TerminateOutcome,
    attempts: u32,
    provider_message: Option<String>,
    ring_wait: Option<Duration>,
}

impl Termination {
    /// A termination of `call_id` at `provider` that took `attempts` requests.
    ///
    /// Clients build these; a test double of [`CallControl`](crate::CallControl) may too.
    pub fn new(
        provider: Provider,
        call_id: CallId,
        outcome: TerminateOutcome,
        attempts: u32,
    ) -> Self {
        Termination {
            provider,
            call_id,
            outcome,
            attempts,
            provider_message: None,
            ring_wait: None,
        }
    }

    /// Keeps the provider's own words (for example Mirai's "Call already aborted").
    #[must_use]
    pub fn with_provider_message(mut self, message: impl Into<String>) -> Self {
        self.provider_message = Some(crate::error::quote_provider_text(&message.into()));
        self
    }

    /// Records how long the call was waited for while it rang (see
    /// [`TerminateOptions::with_ring_wait`](crate::TerminateOptions::with_ring_wait)).
    #[must_use]
    pub fn with_ring_wait(mut self, waited: Duration) -> Self {
        self.ring_wait = Some(waited);
        self
    }

    /// The same termination, counting `attempts` requests (the bulk engine adds those of an id's earlier starts).
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The call.
    pub fn call_id(&self) -> &CallId {
        &self.call_id
    }

    /// Whether our request ended the call or it was already over.
    pub fn outcome(&self) -> TerminateOutcome {
        self.outcome
    }

    /// How many HTTP requests were sent to learn this (retries and any read of the call included).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The provider's message, escaped and truncated, when it sent one.
    pub fn provider_message(&self) -> Option<&str> {
        self.provider_message.as_deref()
    }

    /// How long the call was waited for while it rang before it could be stopped, or was seen to end: `None` when
    /// there was no ring wait (none was asked for, or the call was never seen ringing). The ring wait has its own
    /// bound and is not part of the terminate's deadline, so this is what the wait cost on top of it.
    pub fn ring_wait(&self) -> Option<Duration> {
        self.ring_wait
    }
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} call {}: {}",
            self.provider, self.call_id, self.outcome
        )
    }
}
