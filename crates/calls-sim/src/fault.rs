//! Fault injection: scripted misbehaviour per call id or per route.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::route::Route;

/// A way for the simulator to misbehave instead of answering normally.
///
/// Faults are scripted with [`Faults::on_call`] or [`Faults::on_route`] and are matched when a
/// request arrives, before authentication and before any state change; only
/// [`Fault::LostReply`] applies the request's real effect first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status. `retry_after` becomes a `Retry-After` header as given
    /// (seconds or an HTTP date). `body` is sent as is (as `application/json` when it starts with
    /// `{` or `[`, else `text/plain`); without one, the route's provider error body is sent.
    /// A code outside 100–999 is answered as 500.
    Status {
        /// The HTTP status code.
        code: u16,
        /// The `Retry-After` header value, if any.
        retry_after: Option<String>,
        /// The body, if not the provider's usual error body.
        body: Option<String>,
    },
    /// Wait this long, then handle the request normally. The wait ends early when the simulator
    /// shuts down.
    Latency(Duration),
    /// Close the connection with a TCP reset and no HTTP response at all: the client sees a
    /// transport error, never a status.
    Reset,
    /// Handle the request normally (e.g. really cancel the call), then reset the connection
    /// instead of sending the response: the client cannot know the request took effect.
    LostReply,
    /// Never answer: the client sees a hang until its own timeout. The simulator holds the
    /// request until it shuts down, then resets the connection.
    Hang,
    /// Answer 200 `application/json` with a truncated document: `{"cancelled": tru`.
    MalformedJson,
    /// Answer 200 `application/json` with valid JSON of the wrong shape: `{"ok":1}`.
    WrongShape,
    /// Answer 200 `application/json` with a valid JSON document of `bytes` bytes (at least 14,
    /// `{"padding":"…"}`), streamed with chunked transfer encoding (no `Content-Length`) without
    /// buffering it.
    HugeBody {
        /// The exact size of the body.
        bytes: u64,
    },
    /// Answer with this status and a `text/html` error page, as a proxy in front of the provider would
    /// (`<html>…502 Bad Gateway…</html>`).
    Html {
        /// The HTTP status code.
        status: u16,
    },
}

impl Fault {
    /// A [`Fault::Status`] with no `Retry-After` and the provider's usual error body.
    pub fn status(code: u16) -> Fault {
        Fault::Status {
            code,
            retry_after: None,
            body: None,
        }
    }

    /// Whether the request still reaches the provider's handler, so takes its real effect:
    /// [`Fault::Latency`] (late) and [`Fault::LostReply`] (before the reply is lost).
    pub fn reaches_handler(&self) -> bool {
        matches!(self, Fault::Latency(_) | Fault::LostReply)
    }

    /// A short stable name for the fault's kind: `status`, `latency`, `reset`, `lost_reply`,
    /// `hang`, `malformed_json`, `wrong_shape`, `huge_body` or `html`. The `/_sim/faults` control
    /// API uses the same names.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Status { .. } => "status",
            Fault::Latency(_) => "latency",
            Fault::Reset => "reset",
            Fault::LostReply => "lost_reply",
            Fault::Hang => "hang",
            Fault::MalformedJson => "malformed_json",
            Fault::WrongShape => "wrong_shape",
            Fault::HugeBody { .. } => "huge_body",
            Fault::Html { .. } => "html",
        }
    }
}

/// The fault scripts of a [`crate::Sim`].
///
/// Each call id and each route has a queue of scripted faults. A request takes the fault at the
/// front of its call id's queue, or else of its route's queue; each entry answers `times`
/// requests, then the next entry applies, then normal behaviour resumes.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use calls_sim::{Fault, Route, Sim};
///
/// let sim = Sim::start().await?;
/// // The next two cancels of any call get a 502, the third works.
/// sim.faults().on_route(Route::CartesiaCancel, Fault::status(502), 2);
/// // The next request about call ac_1, on any route, is reset.
/// sim.faults().on_call("ac_1", Fault::Reset, 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Faults {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Scripted requests left, so the common no-fault path skips the lock.
    pending: AtomicUsize,
    scripts: Mutex<Scripts>,
}

#[derive(Debug, Default)]
struct Scripts {
    by_call: HashMap<String, VecDeque<(Fault, u32)>>,
    by_route: HashMap<Route, VecDeque<(Fault, u32)>>,
    by_call_on_route: HashMap<(String, Route), VecDeque<(Fault, u32)>>,
}

impl Faults {
    pub(crate) fn new() -> Faults {
        Faults {
            inner: Arc::new(Inner::default()),
        }
    }

    /// Scripts `fault` for the next `times` requests about call `call_id`, on any route
    /// (for `mirai.abort` the id is the body's `callId`). Queued behind the call's earlier scripts.
    /// The id is whatever the route's path names, so a batch id, a campaign id or (for
    /// `mirai_v2.dnc_remove`) a phone number works the same way.
    pub fn on_call(&self, call_id: impl Into<String>, fault: Fault, times: u32) {
        if times == 0 {
            return;
        }
        let mut scripts = self.scripts();
        scripts
            .by_call
            .entry(call_id.into())
            .or_default()
            .push_back((fault, times));
        self.inner
            .pending
            .fetch_add(times as usize, Ordering::Relaxed);
    }

    /// Scripts `fault` for the next `times` requests to `route`, whatever the call. Queued behind
    /// the route's earlier scripts; a call's own script takes precedence.
    pub fn on_route(&self, route: Route, fault: Fault, times: u32) {
        if times == 0 {
            return;
        }
        let mut scripts = self.scripts();
        scripts
            .by_route
            .entry(route)
            .or_default()
            .push_back((fault, times));
        self.inner
            .pending
            .fetch_add(times as usize, Ordering::Relaxed);
    }

    /// Scripts `fault` for the next `times` requests about call `call_id` to `route` only: the call's
    /// requests to other routes (a read after a doubtful cancel) are answered as usual. Takes
    /// precedence over the call's and the route's own scripts.
    pub fn on_call_route(
        &self,
        call_id: impl Into<String>,
        route: Route,
        fault: Fault,
        times: u32,
    ) {
        if times == 0 {
            return;
        }
        let mut scripts = self.scripts();
        scripts
            .by_call_on_route
            .entry((call_id.into(), route))
            .or_default()
            .push_back((fault, times));
        self.inner
            .pending
            .fetch_add(times as usize, Ordering::Relaxed);
    }

    /// How many requests the scripts still cover.
    pub fn pending(&self) -> usize {
        self.inner.pending.load(Ordering::Relaxed)
    }

    /// Drops every script.
    pub fn clear(&self) {
        let mut scripts = self.scripts();
        scripts.by_call.clear();
        scripts.by_route.clear();
        scripts.by_call_on_route.clear();
        self.inner.pending.store(0, Ordering::Relaxed);
    }

    /// Takes the fault for one request, if one is scripted.
    pub(crate) fn take(&self, route: Route, call_id: Option<&str>) -> Option<Fault> {
        if self.inner.pending.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut scripts = self.scripts();
        let mut taken = None;
        if let Some(id) = call_id
            && !scripts.by_call_on_route.is_empty()
        {
            taken = scripts
                .by_call_on_route
                .get_mut(&(id.to_owned(), route))
                .and_then(take_front);
            scripts
                .by_call_on_route
                .retain(|_, queue| !queue.is_empty());
        }
        let taken = match (taken, call_id) {
            (Some(fault), _) => Some(fault),
            (None, Some(id)) => match scripts.by_call.get_mut(id) {
                Some(queue) => take_front(queue),
                None => None,
            },
            (None, None) => None,
        };
        let taken = match taken {
            Some(fault) => Some(fault),
            None => scripts.by_route.get_mut(&route).and_then(take_front),
        };
        scripts.by_call.retain(|_, queue| !queue.is_empty());
        scripts.by_route.retain(|_, queue| !queue.is_empty());
        if taken.is_some() {
            self.inner.pending.fetch_sub(1, Ordering::Relaxed);
        }
        taken
    }

    fn scripts(&self) -> MutexGuard<'_, Scripts> {
        self.inner
            .scripts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn take_front(queue: &mut VecDeque<(Fault, u32)>) -> Option<Fault> {
    let (fault, times) = queue.front_mut()?;
    let fault = fault.clone();
    *times -= 1;
    if *times == 0 {
        queue.pop_front();
    }
    Some(fault)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_consumed_in_order() {
        let faults = Faults::new();
        faults.on_route(Route::CartesiaCancel, Fault::status(502), 2);
        faults.on_route(Route::CartesiaCancel, Fault::Reset, 1);
        faults.on_call("a", Fault::Hang, 1);
        assert_eq!(faults.pending(), 4);
        assert_eq!(
            faults.take(Route::CartesiaCancel, Some("a")),
            Some(Fault::Hang)
        );
        assert_eq!(
            faults.take(Route::CartesiaCancel, Some("a")),
            Some(Fault::status(502))
        );
        assert_eq!(
            faults.take(Route::CartesiaGet, Some("b")),
            None,
            "another route is not affected"
        );
        assert_eq!(
            faults.take(Route::CartesiaCancel, None),
            Some(Fault::status(502))
        );
        assert_eq!(faults.take(Route::CartesiaCancel, None), Some(Fault::Reset));
        assert_eq!(faults.take(Route::CartesiaCancel, None), None);
        assert_eq!(faults.pending(), 0);
        faults.on_call("a", Fault::Reset, 0);
        assert_eq!(faults.pending(), 0);
    }

    #[test]
    fn call_route_scripts_leave_the_calls_other_routes_alone() {
        let faults = Faults::new();
        faults.on_call_route("a", Route::MiraiV2Abort, Fault::status(202), 2);
        faults.on_call("a", Fault::Reset, 1);
        assert_eq!(faults.pending(), 3);
        assert_eq!(
            faults.take(Route::MiraiV2Abort, Some("a")),
            Some(Fault::status(202)),
            "before the call's own script"
        );
        assert_eq!(faults.take(Route::MiraiV2Abort, Some("b")), None);
        assert_eq!(
            faults.take(Route::MiraiV2Get, Some("a")),
            Some(Fault::Reset)
        );
        assert_eq!(faults.take(Route::MiraiV2Get, Some("a")), None);
        assert_eq!(
            faults.take(Route::MiraiV2Abort, Some("a")),
            Some(Fault::status(202))
        );
        assert_eq!(faults.take(Route::MiraiV2Abort, Some("a")), None);
        assert_eq!(faults.pending(), 0);
        faults.on_call_route("a", Route::MiraiV2Abort, Fault::Reset, 1);
        faults.clear();
        assert_eq!(faults.take(Route::MiraiV2Abort, Some("a")), None);
    }
}
