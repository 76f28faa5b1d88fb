//! The provider under test: how to reach, seed and read one provider's calls in a `Sim`.
//!
//! The fault matrix runs every row against each provider; this is the one place that knows how they differ.

use std::sync::Arc;
use std::time::Duration;

use calls_facade::cartesia::CartesiaClient;
use calls_facade::mirai::{MiraiLegacyClient, MiraiV2Client};
use calls_facade::{CallControl, Provider, RetryConfig};
use calls_sim::{CartesiaCallSeed, MiraiCallSeed, MiraiV2CallSeed, Route, Sim};

/// The key a client with the wrong credentials sends; no error may ever print it.
pub(crate) const WRONG_KEY: &str = "sk_wrong_e2e_do_not_print";

/// Three attempts with millisecond backoffs (a seeded jitter, so delays repeat run to run).
///
/// The attempt timeout is a generous second: no answered request ever times out on a loaded machine. The timeout rows
/// use [`short_timeouts`] instead, so a hang costs 200 ms, not a second.
pub(crate) fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(4))
        .with_attempt_timeout(Duration::from_secs(1))
        .with_operation_timeout(Duration::from_secs(5))
        .with_jitter_seed(7)
}

/// [`retry`] with a 200 ms attempt timeout, for the rows whose requests hang.
pub(crate) fn short_timeouts() -> RetryConfig {
    retry().with_attempt_timeout(Duration::from_millis(200))
}

/// One provider's call API, as the simulator serves it and a facade client controls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Subject {
    /// `CartesiaClient`: Cancel Call, and Get Call when the cancel's answer leaves doubt.
    Cartesia,
    /// `MiraiLegacyClient`, the legacy API: Abort Call, answered from the abort alone (it cannot read calls).
    Mirai,
    /// `MiraiV2Client`, the new API: Abort Call, and Get Call when the abort's answer leaves doubt.
    MiraiV2,
}

impl Subject {
    /// The value for this provider: `pick(cartesia, mirai, mirai_v2)`.
    pub(crate) fn pick<T>(self, cartesia: T, mirai: T, mirai_v2: T) -> T {
        match self {
            Subject::Cartesia => cartesia,
            Subject::Mirai => mirai,
            Subject::MiraiV2 => mirai_v2,
        }
    }

    /// The provider the client reports.
    pub(crate) fn provider(self) -> Provider {
        self.pick(Provider::Cartesia, Provider::Mirai, Provider::MiraiV2)
    }

    /// A facade client of this provider pointed at `sim`, as a trait object.
    pub(crate) fn client(self, sim: &Sim, retry: RetryConfig) -> Arc<dyn CallControl> {
        let creds = sim.credentials();
        let key = self.pick(
            creds.cartesia_api_key(),
            creds.mirai_private_key(),
            creds.mirai_api_key(),
        );
        self.build(sim, retry, key)
    }

    /// A client whose key the simulator refuses (for Mirai legacy, the private key; the public key and workspace are
    /// right).
    pub(crate) fn client_with_wrong_key(self, sim: &Sim) -> Arc<dyn CallControl> {
        self.build(sim, retry(), WRONG_KEY)
    }

    fn build(self, sim: &Sim, retry: RetryConfig, key: &str) -> Arc<dyn CallControl> {
        let creds = sim.credentials();
        match self {
            Subject::Cartesia => Arc::new(
                CartesiaClient::builder()
                    .api_key(key)
                    .base_url(sim.base_url())
                    .retry(retry)
                    .build()
                    .unwrap(),
            ),
            Subject::Mirai => Arc::new(
                MiraiLegacyClient::builder()
                    .public_key(creds.mirai_public_key())
                    .private_key(key)
                    .workspace(creds.mirai_workspace())
                    .base_url(sim.base_url())
                    .retry(retry)
                    .build()
                    .unwrap(),
            ),
            Subject::MiraiV2 => Arc::new(
                MiraiV2Client::builder()
                    .api_key(key)
                    .base_url(sim.base_url())
                    .retry(retry)
                    .build()
                    .unwrap(),
            ),
        }
    }

    /// The id of the one call a matrix row works on, in the provider's own format.
    pub(crate) fn call_id(self) -> &'static str {
        self.pick(
            "ac_7Hq2xKp9LmN4vB8cR1tY3z",
            "68f0a1b2c3d4e5f600000900",
            "call_01JZQ9B4M8N3P6R2S5T7V9W1YA",
        )
    }

    /// The id of call `n` of a bulk run, in the provider's own format.
    pub(crate) fn nth_call_id(self, n: usize) -> String {
        match self {
            Subject::Cartesia => format!("ac_bulk{n:06}"),
            Subject::Mirai => format!("68f0a1b2c3d4e5f6{n:08x}"),
            Subject::MiraiV2 => format!("call_bulk{n:06}"),
        }
    }

    /// The route terminate's cancel or abort goes to.
    pub(crate) fn terminate_route(self) -> Route {
        self.pick(
            Route::CartesiaCancel,
            Route::MiraiAbort,
            Route::MiraiV2Abort,
        )
    }

    /// The route that reads a call (Get Call); the legacy Mirai API has none.
    pub(crate) fn read_route(self) -> Option<Route> {
        self.pick(Some(Route::CartesiaGet), None, Some(Route::MiraiV2Get))
    }

    /// Seeds a call that terminate can end: a Cartesia call `started` (answered), a Mirai legacy call still queued
    /// (no status yet), a Mirai v2 call `in_progress` (live, which only the new API can stop).
    pub(crate) fn seed_live(self, sim: &Sim, id: &str) {
        match self {
            Subject::Cartesia => sim
                .cartesia()
                .seed_call(CartesiaCallSeed::new(id, "agent_e2e").status("started")),
            Subject::Mirai => sim.mirai().seed_call(id, None),
            Subject::MiraiV2 => sim
                .mirai_v2()
                .seed_call(MiraiV2CallSeed::new(id, "agt_e2e").status("in_progress")),
        }
    }

    /// Seeds a call that ended on its own before anyone asked to stop it.
    pub(crate) fn seed_ended(self, sim: &Sim, id: &str) {
        match self {
            Subject::Cartesia => sim.cartesia().seed_call(
                CartesiaCallSeed::new(id, "agent_e2e")
                    .status("completed")
                    .end_reason("agent_hangup"),
            ),
            Subject::Mirai => sim.mirai().seed_call(id, Some("completed")),
            Subject::MiraiV2 => sim.mirai_v2().seed_call(
                MiraiV2CallSeed::new(id, "agt_e2e")
                    .status("completed")
                    .ended_reason("customer-ended-call"),
            ),
        }
    }

    /// Seeds a call another client already stopped through the API, before our first attempt.
    pub(crate) fn seed_stopped_by_another_client(self, sim: &Sim, id: &str) {
        match self {
            Subject::Cartesia => sim.cartesia().seed_call(
                CartesiaCallSeed::new(id, "agent_e2e")
                    .status("completed")
                    .end_reason("api_cancelled"),
            ),
            Subject::Mirai => sim.mirai().seed(MiraiCallSeed::new(id).status("aborted")),
            Subject::MiraiV2 => sim.mirai_v2().seed_call(
                MiraiV2CallSeed::new(id, "agt_e2e")
                    .status("aborted")
                    .ended_reason("aborted-by-api"),
            ),
        }
    }

    /// The call's state in the simulator, in one string: `status/end reason` (Mirai legacy has no end reason, and
    /// `queued` stands for "no status yet"); `missing` when the simulator holds no such call.
    pub(crate) fn state(self, sim: &Sim, id: &str) -> String {
        let missing = || "missing".to_owned();
        match self {
            Subject::Cartesia => sim.cartesia().call(id).map_or_else(missing, |call| {
                format!("{}/{}", call.status(), call.end_reason().unwrap_or("-"))
            }),
            Subject::Mirai => sim
                .mirai()
                .call(id)
                .map_or_else(missing, |call| call.status().unwrap_or("queued").to_owned()),
            Subject::MiraiV2 => sim.mirai_v2().call(id).map_or_else(missing, |call| {
                format!("{}/{}", call.status(), call.ended_reason().unwrap_or("-"))
            }),
        }
    }

    /// [`state`](Self::state) of a call seeded by [`seed_live`](Self::seed_live) that nothing has touched.
    pub(crate) fn live(self) -> &'static str {
        self.pick("started/-", "queued", "in_progress/-")
    }

    /// [`state`](Self::state) of a call our cancel or abort ended.
    pub(crate) fn stopped_by_api(self) -> &'static str {
        self.pick(
            "completed/api_cancelled",
            "aborted",
            "aborted/aborted-by-api",
        )
    }

    /// Asserts everything that reached the simulator: `terminate` cancel or abort requests about `id`, `read` Get Call
    /// requests about it, and not one request more, on any route, about any call.
    #[track_caller]
    pub(crate) fn assert_requests(self, sim: &Sim, id: &str, terminate: u64, read: u64) {
        let journal = sim.journal();
        assert_eq!(
            journal.count(self.terminate_route(), Some(id)),
            terminate,
            "{self:?}: cancel/abort requests"
        );
        let reads = self
            .read_route()
            .map_or(0, |route| journal.count(route, Some(id)));
        assert_eq!(reads, read, "{self:?}: Get Call requests");
        assert_eq!(
            journal.total(),
            terminate + read,
            "{self:?}: requests in all"
        );
    }

    /// How many cancel or abort requests about `id` reached the provider's handler: those no fault answered in its
    /// place (a lost reply is handled first, then its connection is reset).
    pub(crate) fn handled(self, sim: &Sim, id: &str) -> usize {
        sim.journal()
            .recent()
            .iter()
            .filter(|entry| entry.route() == self.terminate_route() && entry.call_id() == Some(id))
            .filter(|entry| matches!(entry.fault(), None | Some("lost_reply" | "latency")))
            .count()
    }
}
