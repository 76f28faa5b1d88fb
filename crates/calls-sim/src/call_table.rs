//! What the control handles of every provider do alike: move a call to a status, or one step
//! along its happy path.

use crate::app::App;
use crate::records::{Keyed, Records};
use crate::store::Store;
use crate::unknown_id::UnknownCall;

/// A simulated call of any provider.
pub(crate) trait Call: Keyed {
    /// The status as the provider's control handle reports it.
    type Status: Default;

    fn status(&self) -> Self::Status;

    /// The status after this one on the provider's happy path; `None` for an ended or unknown
    /// status, which stays.
    fn next_status(&self) -> Option<&'static str>;
}

/// A provider's state, as far as moving its calls goes.
pub(crate) trait CallTable {
    type Call: Call;

    fn calls(&self) -> &Records<Self::Call>;

    /// Moves call `id` to `status`, with whatever the provider does on the way (webhooks, batch
    /// or campaign bookkeeping). `false` when there is no such call.
    fn transition(&mut self, app: &App, id: &str, status: &str) -> bool;
}

/// Moves call `id` to `status`.
pub(crate) fn set_status<T: CallTable>(
    app: &App,
    store: &Store<T>,
    id: &str,
    status: &str,
) -> Result<(), UnknownCall> {
    if store.lock().transition(app, id, status) {
        Ok(())
    } else {
        Err(UnknownCall::new(id))
    }
}

/// Moves call `id` one step along its happy path, if it is not at the end of it, and returns
/// the status afterwards.
pub(crate) fn advance<T: CallTable>(
    app: &App,
    store: &Store<T>,
    id: &str,
) -> Result<<T::Call as Call>::Status, UnknownCall> {
    let mut table = store.lock();
    let call = table.calls().get(id).ok_or_else(|| UnknownCall::new(id))?;
    if let Some(next) = call.next_status() {
        table.transition(app, id, next);
    }
    Ok(table.calls().get(id).map(Call::status).unwrap_or_default())
}
