//! A provider's simulated state behind one lock.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// The state of one provider API (its calls, batches, campaigns…) behind one lock: a handler or
/// a control handle holds it for the whole of one operation, so what it reads and changes is
/// consistent.
#[derive(Debug, Default)]
pub(crate) struct Store<T> {
    state: Mutex<T>,
}

impl<T> Store<T> {
    pub(crate) fn new(state: T) -> Store<T> {
        Store {
            state: Mutex::new(state),
        }
    }

    /// Locks the state. A poisoned lock is used as is: a panic in a handler is a simulator bug,
    /// and the state is plain data that later requests can still read.
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
