//! What the control handles of every provider do alike: move a call to a status, or one step
//! along its happy path.

use crate::app::App;
use crate::clock;
use crate::records::{Keyed, Records};
use crate::store::Store;
use crate::unknown_id::UnknownCall;

/// A simulated call of any provider.
pub(crate) trait Call: Keyed {
    /// The statuses of a call that goes well, in order.
    const HAPPY_PATH: &'static [&'static str];

    /// The status; `None` before the call has one.
    fn status(&self) -> Option<&str>;

    /// The status after this one on the happy path (the first one for a call with no status
    /// yet); `None` at its end or off it: an ended or unknown status stays.
    fn next_status(&self) -> Option<&'static str> {
        next_on(Self::HAPPY_PATH, self.status())
    }
}

/// The status after `status` on `path`, as [`Call::next_status`] describes.
pub(crate) fn next_on(path: &'static [&'static str], status: Option<&str>) -> Option<&'static str> {
    let next = match status {
        None => 0,
        Some(status) => path.iter().position(|step| *step == status)? + 1,
    };
    path.get(next).copied()
}

/// A provider's state, as far as moving its calls goes.
pub(crate) trait CallTable {
    type Call: Call;

    fn calls(&self) -> &Records<Self::Call>;

    fn calls_mut(&mut self) -> &mut Records<Self::Call>;

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
) -> Result<Option<String>, UnknownCall> {
    let mut table = store.lock();
    let call = table.calls().get(id).ok_or_else(|| UnknownCall::new(id))?;
    if let Some(next) = call.next_status() {
        table.transition(app, id, next);
    }
    Ok(table
        .calls()
        .get(id)
        .and_then(|call| call.status())
        .map(str::to_owned))
}

/// Adds `n` calls made by `make` from a start time (Unix seconds), one minute apart, the newest a
/// minute ago, as they are, with no transition. Returns their ids newest first.
pub(crate) fn seed_past_calls<T: CallTable>(
    store: &Store<T>,
    n: usize,
    make: impl Fn(i64) -> T::Call,
) -> Vec<String> {
    let now = clock::now().as_second();
    let mut table = store.lock();
    (0..n)
        .map(|i| {
            let minutes_ago = i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1);
            let call = make(now.saturating_sub(minutes_ago.saturating_mul(60)));
            let id = call.id().to_owned();
            table.calls_mut().insert(call);
            id
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_along_the_path() {
        const PATH: &[&str] = &["queued", "running", "done"];
        assert_eq!(next_on(PATH, None), Some("queued"));
        assert_eq!(next_on(PATH, Some("queued")), Some("running"));
        assert_eq!(next_on(PATH, Some("running")), Some("done"));
        assert_eq!(next_on(PATH, Some("done")), None);
        assert_eq!(next_on(PATH, Some("failed")), None);
    }
}
