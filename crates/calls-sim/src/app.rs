//! The shared state of one running simulator.

use std::collections::HashSet;

use hyper::HeaderMap;
use tokio_util::sync::CancellationToken;

use crate::credentials::Credentials;
use crate::fault::Faults;
use crate::journal::Journal;
use crate::query::Query;
use crate::webhook::Webhooks;
use crate::{cartesia, mirai, mirai_v2};

/// Everything a request handler or a control handle needs, behind one `Arc`.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) credentials: Credentials,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    /// The origin of signed recording URLs, e.g. `http://localhost:PORT`: a different host from
    /// the API, so a client's key must not follow the redirect.
    pub(crate) recording_origin: String,
    /// Keys signed recording URLs and list cursors.
    pub(crate) signing_key: [u8; 32],
    pub(crate) known: KnownAgents,
    pub(crate) cartesia: cartesia::Store,
    pub(crate) mirai: mirai::Store,
    pub(crate) mirai_v2: mirai_v2::Store,
    pub(crate) faults: Faults,
    pub(crate) journal: Journal,
    pub(crate) webhooks: Webhooks,
    /// Whether batches and campaigns dial on their own, up to their concurrency, whenever one of
    /// their calls ends (see [`crate::SimBuilder::auto_dial`]).
    pub(crate) auto_dial: bool,
    /// Whether the Mirai v2 campaign and do-not-call routes are enabled; when not, they answer
    /// 503 `campaigns_unavailable`.
    pub(crate) campaigns_enabled: bool,
    /// Cancelled when the simulator shuts down.
    pub(crate) shutdown: CancellationToken,
}

/// The agent ids each API accepts; `None` accepts any.
#[derive(Debug, Default, Clone)]
pub(crate) struct KnownAgents {
    pub(crate) cartesia: Option<HashSet<String>>,
    pub(crate) mirai_assistants: Option<HashSet<String>>,
    pub(crate) mirai_v2: Option<HashSet<String>>,
}

/// Whether `set` (a configured allow-list, or `None` for "any") accepts `id`.
pub(crate) fn accepts(set: Option<&HashSet<String>>, id: &str) -> bool {
    set.is_none_or(|set| set.contains(id))
}

/// The parts of a request a provider handler reads.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub(crate) headers: &'a HeaderMap,
    pub(crate) query: Query,
    pub(crate) body: &'a [u8],
}

impl Request<'_> {
    /// The single value of header `name` as text; `None` when absent, repeated or not text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.get_all(name).iter();
        let first = values.next()?;
        if values.next().is_some() {
            return None;
        }
        first.to_str().ok()
    }

    /// The key of an `Authorization: Bearer <key>` header.
    pub(crate) fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }
}
