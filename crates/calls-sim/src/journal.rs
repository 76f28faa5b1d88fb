//! The request journal: bounded counters of what the simulator received.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::fault::Fault;
use crate::route::Route;

/// How many recent requests [`Journal::recent`] keeps.
const RECENT: usize = 256;

/// Counts of the requests a [`crate::Sim`] received, per route and per (route, call id).
///
/// Every request to a provider route (see [`Route`]) is counted when it arrives, before fault
/// injection and authentication, so a request answered by an injected fault or a 401 counts too.
/// Requests to the `/_sim` control API and to unknown paths are not counted per route
/// (unknown paths are counted by [`Journal::unmatched`]).
///
/// Memory stays bounded under a long soak: per-route counters are fixed, the per-call counters
/// hold at most the configured number of distinct (route, call id) pairs
/// ([`crate::SimBuilder::journal_call_capacity`], default 262,144) and later pairs are counted per
/// route only (see [`Journal::untracked`]); [`Journal::recent`] keeps the last 256 requests.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use calls_sim::{Route, Sim};
///
/// let sim = Sim::start().await?;
/// // ... drive a client against sim.base_url() ...
/// assert_eq!(sim.journal().count(Route::CartesiaCancel, Some("ac_1")), 2);
/// assert_eq!(sim.journal().route_count(Route::CartesiaCancel), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    total: AtomicU64,
    unmatched: AtomicU64,
    routes: [AtomicU64; Route::COUNT],
    routes_no_id: [AtomicU64; Route::COUNT],
    routes_with_auth: [AtomicU64; Route::COUNT],
    routes_handled: [AtomicU64; Route::COUNT],
    routes_no_id_handled: [AtomicU64; Route::COUNT],
    webhooks_delivered: AtomicU64,
    webhooks_failed: AtomicU64,
    locked: Mutex<Locked>,
}

#[derive(Debug)]
struct Locked {
    per_call: HashMap<(Route, Box<str>), Counts>,
    capacity: usize,
    untracked: u64,
    recent: VecDeque<JournalEntry>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    requests: u64,
    with_auth: u64,
    handled: u64,
}

/// One received request, as kept by [`Journal::recent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    route: Route,
    call_id: Option<String>,
    carried_auth: bool,
    fault: Option<&'static str>,
}

impl JournalEntry {
    /// The route the request matched.
    pub fn route(&self) -> Route {
        self.route
    }

    /// The call id from the path (or, for `mirai.abort`, from the body), if any.
    pub fn call_id(&self) -> Option<&str> {
        self.call_id.as_deref()
    }

    /// Whether the request carried an `Authorization`, `X-API-Key`, `x-public-key` or
    /// `x-private-key` header, valid or not.
    pub fn carried_auth(&self) -> bool {
        self.carried_auth
    }

    /// The kind of the injected fault that answered the request (see [`crate::Fault::kind`]), if any.
    pub fn fault(&self) -> Option<&'static str> {
        self.fault
    }
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Journal {
        Journal {
            inner: Arc::new(Inner {
                total: AtomicU64::new(0),
                unmatched: AtomicU64::new(0),
                routes: std::array::from_fn(|_| AtomicU64::new(0)),
                routes_no_id: std::array::from_fn(|_| AtomicU64::new(0)),
                routes_with_auth: std::array::from_fn(|_| AtomicU64::new(0)),
                routes_handled: std::array::from_fn(|_| AtomicU64::new(0)),
                routes_no_id_handled: std::array::from_fn(|_| AtomicU64::new(0)),
                webhooks_delivered: AtomicU64::new(0),
                webhooks_failed: AtomicU64::new(0),
                locked: Mutex::new(Locked {
                    per_call: HashMap::new(),
                    capacity,
                    untracked: 0,
                    recent: VecDeque::with_capacity(RECENT),
                }),
            }),
        }
    }

    /// Requests to `route` about `call_id` (the id in the route's path: a call, batch or campaign
    /// id, or a phone number for `mirai_v2.dnc_remove`); with `None`, requests to `route` that
    /// named none (e.g. `cartesia.list`, `mirai.initiate`, `mirai_v2.campaign_create`).
    pub fn count(&self, route: Route, call_id: Option<&str>) -> u64 {
        match call_id {
            None => self.inner.routes_no_id[route.index()].load(Ordering::Relaxed),
            Some(id) => self
                .locked()
                .per_call
                .get(&(route, Box::from(id)))
                .map_or(0, |c| c.requests),
        }
    }

    /// Like [`Journal::count`], counting only requests that carried credentials: an
    /// `Authorization`, `X-API-Key`, `x-public-key` or `x-private-key` header, valid or not.
    ///
    /// `auth_count(Route::SimRecordingDownload, Some(id))` tells whether a client sent its key to
    /// the recording host, which is a different origin from the API.
    pub fn auth_count(&self, route: Route, call_id: Option<&str>) -> u64 {
        match call_id {
            None => self.inner.routes_with_auth[route.index()].load(Ordering::Relaxed),
            Some(id) => self
                .locked()
                .per_call
                .get(&(route, Box::from(id)))
                .map_or(0, |c| c.with_auth),
        }
    }

    /// Like [`Journal::count`], counting only requests that reached the provider's handler, so could take
    /// effect: those no fault answered, and those whose fault lets the request through first
    /// ([`crate::Fault::Latency`], [`crate::Fault::LostReply`]).
    ///
    /// `handled(Route::CartesiaCancel, Some(id))` above 1 means the call was cancelled twice: a
    /// client retried a cancel that had already landed.
    pub fn handled(&self, route: Route, call_id: Option<&str>) -> u64 {
        match call_id {
            None => self.inner.routes_no_id_handled[route.index()].load(Ordering::Relaxed),
            Some(id) => self
                .locked()
                .per_call
                .get(&(route, Box::from(id)))
                .map_or(0, |c| c.handled),
        }
    }

    /// All requests to `route`, with or without a call id.
    pub fn route_count(&self, route: Route) -> u64 {
        self.inner.routes[route.index()].load(Ordering::Relaxed)
    }

    /// All requests to `route` that reached the provider's handler (see [`Journal::handled`]),
    /// with or without a call id. Kept for every request, however many calls: when every call of a
    /// run was cancelled once, `route_handled(Route::CartesiaCancel)` equal to the number of calls
    /// proves no call was cancelled twice.
    pub fn route_handled(&self, route: Route) -> u64 {
        self.inner.routes_handled[route.index()].load(Ordering::Relaxed)
    }

    /// All requests to provider routes.
    pub fn total(&self) -> u64 {
        self.inner.total.load(Ordering::Relaxed)
    }

    /// Requests to paths that are neither a provider route nor the control API.
    pub fn unmatched(&self) -> u64 {
        self.inner.unmatched.load(Ordering::Relaxed)
    }

    /// Requests that named a call but were counted per route only, because the per-call
    /// counters were full.
    pub fn untracked(&self) -> u64 {
        self.locked().untracked
    }

    /// The most recent requests (at most 256), oldest first.
    pub fn recent(&self) -> Vec<JournalEntry> {
        self.locked().recent.iter().cloned().collect()
    }

    /// Webhook deliveries answered with a 2xx status.
    pub fn webhooks_delivered(&self) -> u64 {
        self.inner.webhooks_delivered.load(Ordering::Relaxed)
    }

    /// Webhook deliveries that failed: transport error, timeout, non-2xx status, or a URL the
    /// simulator cannot reach (it speaks plain HTTP only).
    pub fn webhooks_failed(&self) -> u64 {
        self.inner.webhooks_failed.load(Ordering::Relaxed)
    }

    /// Sets every counter back to zero and forgets the recent requests.
    pub fn clear(&self) {
        let inner = &self.inner;
        for counter in inner
            .routes
            .iter()
            .chain(&inner.routes_no_id)
            .chain(&inner.routes_with_auth)
            .chain(&inner.routes_handled)
            .chain(&inner.routes_no_id_handled)
            .chain([
                &inner.total,
                &inner.unmatched,
                &inner.webhooks_delivered,
                &inner.webhooks_failed,
            ])
        {
            counter.store(0, Ordering::Relaxed);
        }
        let mut locked = self.locked();
        locked.per_call.clear();
        locked.untracked = 0;
        locked.recent.clear();
    }

    /// Counts one request to a provider route; `fault` is the injected fault that answers it, if any.
    pub(crate) fn record(
        &self,
        route: Route,
        call_id: Option<&str>,
        carried_auth: bool,
        fault: Option<&Fault>,
    ) {
        let inner = &self.inner;
        let handled = fault.is_none_or(Fault::reaches_handler);
        inner.total.fetch_add(1, Ordering::Relaxed);
        inner.routes[route.index()].fetch_add(1, Ordering::Relaxed);
        if carried_auth {
            inner.routes_with_auth[route.index()].fetch_add(1, Ordering::Relaxed);
        }
        if handled {
            inner.routes_handled[route.index()].fetch_add(1, Ordering::Relaxed);
        }
        if call_id.is_none() {
            inner.routes_no_id[route.index()].fetch_add(1, Ordering::Relaxed);
            if handled {
                inner.routes_no_id_handled[route.index()].fetch_add(1, Ordering::Relaxed);
            }
        }
        let mut locked = self.locked();
        if let Some(id) = call_id {
            let key = (route, Box::from(id));
            let full = locked.per_call.len() >= locked.capacity;
            if let Some(counts) = locked.per_call.get_mut(&key) {
                counts.requests += 1;
                counts.with_auth += u64::from(carried_auth);
                counts.handled += u64::from(handled);
            } else if full {
                locked.untracked += 1;
            } else {
                locked.per_call.insert(
                    key,
                    Counts {
                        requests: 1,
                        with_auth: u64::from(carried_auth),
                        handled: u64::from(handled),
                    },
                );
            }
        }
        if locked.recent.len() == RECENT {
            locked.recent.pop_front();
        }
        locked.recent.push_back(JournalEntry {
            route,
            call_id: call_id.map(str::to_owned),
            carried_auth,
            fault: fault.map(Fault::kind),
        });
    }

    pub(crate) fn record_unmatched(&self) {
        self.inner.unmatched.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_webhook(&self, delivered: bool) {
        let counter = if delivered {
            &self.inner.webhooks_delivered
        } else {
            &self.inner.webhooks_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn locked(&self) -> MutexGuard<'_, Locked> {
        // A panic while holding this lock cannot leave the counters inconsistent in a way that
        // matters, so a poisoned lock is used as is.
        self.inner
            .locked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_bounds() {
        let journal = Journal::new(2);
        journal.record(Route::CartesiaCancel, Some("a"), true, None);
        journal.record(Route::CartesiaCancel, Some("a"), false, Some(&Fault::Reset));
        journal.record(Route::CartesiaCancel, Some("b"), false, None);
        journal.record(Route::CartesiaCancel, Some("c"), false, None);
        journal.record(Route::CartesiaList, None, true, None);
        assert_eq!(journal.count(Route::CartesiaCancel, Some("a")), 2);
        assert_eq!(journal.auth_count(Route::CartesiaCancel, Some("a")), 1);
        assert_eq!(journal.count(Route::CartesiaCancel, Some("c")), 0);
        assert_eq!(journal.untracked(), 1);
        assert_eq!(journal.route_count(Route::CartesiaCancel), 4);
        assert_eq!(journal.count(Route::CartesiaList, None), 1);
        assert_eq!(journal.count(Route::CartesiaCancel, None), 0);
        assert_eq!(journal.total(), 5);
        assert_eq!(journal.recent().len(), 5);
        assert_eq!(journal.recent()[1].fault(), Some("reset"));
        assert_eq!(journal.handled(Route::CartesiaCancel, Some("a")), 1);
        assert_eq!(journal.route_handled(Route::CartesiaCancel), 3);
        assert_eq!(journal.handled(Route::CartesiaList, None), 1);
        journal.clear();
        assert_eq!(journal.total(), 0);
        assert_eq!(journal.route_handled(Route::CartesiaCancel), 0);
        assert_eq!(journal.count(Route::CartesiaCancel, Some("a")), 0);
    }

    #[test]
    fn only_requests_that_reach_the_handler_are_handled() {
        let journal = Journal::new(8);
        let faults = [
            (None, true),
            (Some(Fault::LostReply), true),
            (
                Some(Fault::Latency(std::time::Duration::from_millis(1))),
                true,
            ),
            (Some(Fault::status(503)), false),
            (Some(Fault::Reset), false),
            (Some(Fault::Hang), false),
            (Some(Fault::MalformedJson), false),
        ];
        for (i, (fault, handled)) in faults.iter().enumerate() {
            let id = i.to_string();
            journal.record(Route::CartesiaCancel, Some(&id), true, fault.as_ref());
            assert_eq!(
                journal.handled(Route::CartesiaCancel, Some(&id)),
                u64::from(*handled),
                "{fault:?}"
            );
        }
        assert_eq!(journal.route_handled(Route::CartesiaCancel), 3);
        assert_eq!(journal.route_count(Route::CartesiaCancel), 7);
    }
}
