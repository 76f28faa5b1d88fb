//! Starting, describing and stopping a simulator.

use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::{App, KnownAgents};
use crate::calling_window::CallingWindow;
use crate::cartesia::{self, CartesiaControl};
use crate::credentials::Credentials;
use crate::fault::Faults;
use crate::journal::Journal;
use crate::mirai::{self, MiraiControl};
use crate::mirai_v2::{self, MiraiV2Control};
use crate::server;
use crate::webhook::Webhooks;

/// Default capacity of the journal's per-call counters.
const JOURNAL_CALL_CAPACITY: usize = 1 << 18;

/// A running simulator: one loopback HTTP server answering the Cartesia, Mirai legacy and
/// Mirai v2 call APIs, with their state in memory.
///
/// Start one with [`Sim::start`] (loopback, any free port, default credentials) or
/// [`Sim::builder`]. It serves on the Tokio runtime it was started on until
/// [`Sim::shutdown`] or until it is dropped (dropping starts the same shutdown in the
/// background), or until that runtime ends.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// let sim = calls_sim::Sim::start().await?;
/// println!("export {}", sim.env_lines().join(" "));
/// sim.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Sim {
    app: Arc<App>,
    addr: SocketAddr,
    server: Option<JoinHandle<()>>,
}

impl Sim {
    /// Starts a simulator on `127.0.0.1` on a free port with the default [`Credentials`].
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    pub async fn start() -> io::Result<Sim> {
        Sim::builder().start().await
    }

    /// A builder for a simulator with another address, credentials or limits.
    pub fn builder() -> SimBuilder {
        SimBuilder::default()
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of every API, e.g. `http://127.0.0.1:41234`: Cartesia, Mirai legacy and
    /// Mirai v2 all live on it (their paths do not overlap).
    pub fn base_url(&self) -> &str {
        &self.app.base_url
    }

    /// The origin signed recording URLs point to, e.g. `http://localhost:41234`: the same port
    /// under another host name, so it is a different origin from [`Sim::base_url`] when the
    /// simulator listens on a loopback or unspecified address.
    pub fn recording_origin(&self) -> &str {
        &self.app.recording_origin
    }

    /// The credentials the simulator accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.app.credentials
    }

    /// `NAME=value` lines that point the SDK's environment variables at this simulator:
    /// `CARTESIA_API_KEY`, `CARTESIA_BASE_URL`, `MIRAI_PUBLIC_KEY`, `MIRAI_PRIVATE_KEY`,
    /// `MIRAI_WORKSPACE`, `MIRAI_LEGACY_BASE_URL`, `MIRAI_API_KEY`, `MIRAI_V2_BASE_URL`.
    pub fn env_lines(&self) -> Vec<String> {
        env_lines(&self.app)
    }

    /// The Cartesia control handle.
    pub fn cartesia(&self) -> CartesiaControl {
        CartesiaControl::new(Arc::clone(&self.app))
    }

    /// The Mirai legacy control handle.
    pub fn mirai(&self) -> MiraiControl {
        MiraiControl::new(Arc::clone(&self.app))
    }

    /// The Mirai v2 control handle.
    pub fn mirai_v2(&self) -> MiraiV2Control {
        MiraiV2Control::new(Arc::clone(&self.app))
    }

    /// The fault scripts.
    pub fn faults(&self) -> &Faults {
        &self.app.faults
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.app.journal
    }

    /// Stops the simulator and waits until it has: it stops accepting connections, closes idle
    /// ones, resets hung requests, lets other requests in flight finish for up to the
    /// shutdown grace period (default 1 s), then drops whatever is left. Webhooks not yet
    /// delivered are dropped.
    pub async fn shutdown(mut self) {
        self.app.shutdown.cancel();
        if let Some(server) = self.server.take() {
            // A join error means the server task panicked or was cancelled: it has stopped either way.
            let _ = server.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // The server task sees this and winds down on its own; dropping cannot wait for it.
        self.app.shutdown.cancel();
    }
}

/// The environment lines for `app`.
pub(crate) fn env_lines(app: &App) -> Vec<String> {
    let c = &app.credentials;
    let base = &app.base_url;
    vec![
        format!("CARTESIA_API_KEY={}", c.cartesia_api_key()),
        format!("CARTESIA_BASE_URL={base}"),
        format!("MIRAI_PUBLIC_KEY={}", c.mirai_public_key()),
        format!("MIRAI_PRIVATE_KEY={}", c.mirai_private_key()),
        format!("MIRAI_WORKSPACE={}", c.mirai_workspace()),
        format!("MIRAI_LEGACY_BASE_URL={base}"),
        format!("MIRAI_API_KEY={}", c.mirai_api_key()),
        format!("MIRAI_V2_BASE_URL={base}"),
    ]
}

/// Configures and starts a [`Sim`].
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use calls_sim::{Credentials, Sim};
///
/// let sim = Sim::builder()
///     .addr(([127, 0, 0, 1], 8080))
///     .credentials(Credentials::default().with_cartesia_api_key("sk_car_test"))
///     .mirai_assistants(["6690a1b2c3d4e5f600000001"])
///     .start()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SimBuilder {
    addr: SocketAddr,
    allow_non_loopback: bool,
    credentials: Credentials,
    known: KnownAgents,
    journal_call_capacity: usize,
    webhook_timeout: Duration,
    shutdown_grace: Duration,
    auto_dial: bool,
    campaigns_enabled: bool,
    calling_window: CallingWindow,
}

impl Default for SimBuilder {
    fn default() -> Self {
        SimBuilder {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            allow_non_loopback: false,
            credentials: Credentials::default(),
            known: KnownAgents::default(),
            journal_call_capacity: JOURNAL_CALL_CAPACITY,
            webhook_timeout: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(1),
            auto_dial: false,
            campaigns_enabled: true,
            calling_window: CallingWindow::always_open(),
        }
    }
}

impl SimBuilder {
    /// The address to listen on. Default `127.0.0.1:0` (any free port).
    /// A non-loopback address also needs [`SimBuilder::allow_non_loopback`].
    #[must_use]
    pub fn addr(mut self, addr: impl Into<SocketAddr>) -> Self {
        self.addr = addr.into();
        self
    }

    /// Allows listening on a non-loopback address. Default `false`: the simulator has no real
    /// security (fixed keys, an unauthenticated control API), so exposing it must be deliberate.
    #[must_use]
    pub fn allow_non_loopback(mut self, allow: bool) -> Self {
        self.allow_non_loopback = allow;
        self
    }

    /// The credentials to accept. Default [`Credentials::default`].
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Restricts the Cartesia agent ids that exist: others get 404 on list and create.
    /// Default: any agent id exists.
    #[must_use]
    pub fn cartesia_agents<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.known.cartesia = Some(collect(ids));
        self
    }

    /// Restricts the Mirai legacy assistant ids that exist: `POST /v2/call/initiate` with
    /// another one gets 404 "Assistant not found". Default: any assistant exists.
    #[must_use]
    pub fn mirai_assistants<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.known.mirai_assistants = Some(collect(ids));
        self
    }

    /// Restricts the Mirai v2 agent ids that exist: `POST /v2/calls` with another one gets
    /// 404 `not_found`. Default: any agent exists.
    #[must_use]
    pub fn mirai_v2_agents<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.known.mirai_v2 = Some(collect(ids));
        self
    }

    /// How many distinct (route, call id) pairs the journal counts individually; later ones
    /// are counted per route only. Default 262,144.
    #[must_use]
    pub fn journal_call_capacity(mut self, capacity: usize) -> Self {
        self.journal_call_capacity = capacity;
        self
    }

    /// How long one webhook delivery may take. Default 2 s.
    #[must_use]
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// How long [`Sim::shutdown`] lets requests in flight finish. Default 1 s.
    #[must_use]
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Whether Cartesia call batches and Mirai v2 campaigns dial on their own. Default `false`:
    /// nothing is dialled until [`CartesiaControl::dispatch_batch`] or
    /// [`MiraiV2Control::dial_campaign`] (or their `/_sim` equivalents) say so.
    ///
    /// When `true`, a batch keeps up to its `target_concurrency_limit` calls in flight (`created`
    /// or `started`) and a campaign in `play` up to its `max_concurrent` calls live, topped up
    /// when the batch is created or retried, when the campaign is started or resumed or gets
    /// contacts, and whenever one of their calls ends (through the API or a control handle).
    /// There is never a timer: every dial follows a request or a control call, so tests stay
    /// deterministic. A batch with a `scheduled_at` waits for its first
    /// [`CartesiaControl::dispatch_batch`], which stands for its admission; a campaign dials
    /// only while the [`CallingWindow`] is open.
    #[must_use]
    pub fn auto_dial(mut self, on: bool) -> Self {
        self.auto_dial = on;
        self
    }

    /// Whether Mirai v2 campaigns (`/v2/campaigns…`) and the do-not-call list (`/v2/dnc…`) are
    /// enabled for the workspace. Default `true`; when `false` every one of those routes answers
    /// 503 `campaigns_unavailable` after authentication, as Mirai does for workspaces without
    /// campaigns.
    #[must_use]
    pub fn mirai_v2_campaigns(mut self, enabled: bool) -> Self {
        self.campaigns_enabled = enabled;
        self
    }

    /// The window Mirai v2 campaigns dial in. Default [`CallingWindow::always_open`], so tests do
    /// not depend on the time of day; [`CallingWindow::india`] emulates the 09:00–21:00 IST
    /// window by the wall clock. It can be changed later with
    /// [`MiraiV2Control::set_calling_window`].
    #[must_use]
    pub fn calling_window(mut self, window: CallingWindow) -> Self {
        self.calling_window = window;
        self
    }

    /// Binds the address and starts serving on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] for a non-loopback address without
    /// [`SimBuilder::allow_non_loopback`]; any error from binding the address.
    ///
    /// # Panics
    ///
    /// When called outside a Tokio runtime (as `tokio::spawn` does).
    pub async fn start(self) -> io::Result<Sim> {
        let ip = self.addr.ip();
        if !(ip.is_loopback() || self.allow_non_loopback) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "refusing to listen on non-loopback address {ip} without allow_non_loopback"
                ),
            ));
        }
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let (base_url, recording_origin) = urls(addr);
        let shutdown = CancellationToken::new();
        let journal = Journal::new(self.journal_call_capacity);
        let webhooks = Webhooks::start(journal.clone(), self.webhook_timeout, shutdown.clone());
        let mut signing_key = [0u8; 32];
        signing_key.fill_with(|| fastrand::u8(..));
        let app = Arc::new(App {
            credentials: self.credentials,
            base_url,
            recording_origin,
            signing_key,
            known: self.known,
            cartesia: cartesia::Store::default(),
            mirai: mirai::Store::default(),
            mirai_v2: mirai_v2::Store::new(mirai_v2::Calls::new(self.calling_window)),
            faults: Faults::new(),
            journal,
            webhooks,
            auto_dial: self.auto_dial,
            campaigns_enabled: self.campaigns_enabled,
            shutdown,
        });
        let server = tokio::spawn(server::serve(
            listener,
            Arc::clone(&app),
            self.shutdown_grace,
        ));
        Ok(Sim {
            app,
            addr,
            server: Some(server),
        })
    }
}

fn collect<I, S>(ids: I) -> HashSet<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    ids.into_iter().map(Into::into).collect()
}

/// The API base URL and the recording origin for a bound address.
///
/// An unspecified address (`0.0.0.0`, `::`) is reached through loopback. On loopback the
/// recording origin uses the host name `localhost`, a different origin on the same port;
/// on any other address it has to be the same origin (documented on [`Sim::recording_origin`]).
fn urls(addr: SocketAddr) -> (String, String) {
    let port = addr.port();
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let base = format!("http://{}", SocketAddr::new(ip, port));
    let recording = if ip.is_loopback() {
        format!("http://localhost:{port}")
    } else {
        base.clone()
    };
    (base, recording)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_shapes() {
        let (base, rec) = urls(SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert_eq!(base, "http://127.0.0.1:8080");
        assert_eq!(rec, "http://localhost:8080");
        let (base, _) = urls(SocketAddr::from(([0, 0, 0, 0], 1)));
        assert_eq!(base, "http://127.0.0.1:1");
        let (base, rec) = urls("[::1]:9".parse().unwrap());
        assert_eq!(base, "http://[::1]:9");
        assert_eq!(rec, "http://localhost:9");
        let (base, rec) = urls(SocketAddr::from(([10, 0, 0, 5], 80)));
        assert_eq!(base, rec);
    }
}
