//! Seeding Cartesia call batches with chosen fields.

use serde_json::{Map, Value};

use super::batch::Batch;
use super::batch_api;

/// A Cartesia call batch to put into the simulator as is, built with chained setters.
///
/// A seed holds what it is given, unchecked (any number, any limit): every recipient starts
/// `queued`, and seeding dispatches nothing, even with [`crate::SimBuilder::auto_dial`]. The
/// first [`crate::CartesiaControl::dispatch_batch`] (or a retry through the API) starts it.
///
/// ```
/// use calls_sim::CartesiaBatchSeed;
/// use serde_json::json;
///
/// let seed = CartesiaBatchSeed::new("acb_1", "agent_1")
///     .name("March outreach")
///     .target_concurrency_limit(2)
///     .recipient("+14155550101")
///     .recipient_with_metadata("+14155550102", json!({ "order": "8842" }));
/// ```
#[derive(Debug, Clone)]
pub struct CartesiaBatchSeed {
    pub(crate) batch: Batch,
}

impl CartesiaBatchSeed {
    /// A batch `id` of agent `agent_id`, created now, with no recipients, region `US`, a
    /// `target_concurrency_limit` of 10 and a made-up `from_number_id`.
    pub fn new(id: impl Into<String>, agent_id: impl Into<String>) -> Self {
        CartesiaBatchSeed {
            batch: Batch::new(id.into(), agent_id.into()),
        }
    }

    /// The `name` (default `Simulated batch`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.batch.name = name.into();
        self
    }

    /// The `from_number_id`.
    #[must_use]
    pub fn from_number_id(mut self, id: impl Into<String>) -> Self {
        self.batch.from_number_id = id.into();
        self
    }

    /// The `region` (default `US`).
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.batch.region = region.into();
        self
    }

    /// `target_concurrency_limit` (default 10): what auto-dial keeps in flight.
    #[must_use]
    pub fn target_concurrency_limit(mut self, limit: u64) -> Self {
        self.batch.target_concurrency_limit = limit;
        self
    }

    /// `scheduled_at`, RFC 3339. A scheduled batch is not auto-dialled before its first
    /// [`crate::CartesiaControl::dispatch_batch`].
    #[must_use]
    pub fn scheduled_at(mut self, time: impl Into<String>) -> Self {
        self.batch.scheduled_at = Some(time.into());
        self
    }

    /// Adds a queued recipient with no metadata.
    #[must_use]
    pub fn recipient(mut self, to_number: impl Into<String>) -> Self {
        self.batch.push_recipient(to_number.into(), None);
        self
    }

    /// Adds a queued recipient with `metadata`, which its call will carry.
    #[must_use]
    pub fn recipient_with_metadata(
        mut self,
        to_number: impl Into<String>,
        metadata: Value,
    ) -> Self {
        self.batch.push_recipient(to_number.into(), Some(metadata));
        self
    }

    /// Builds a seed from the JSON object the `/_sim/cartesia/batches` control route accepts:
    /// the `POST /agents/calls/batches` body, checked the same way, plus an optional `id`.
    pub(crate) fn from_json(mut object: Map<String, Value>) -> Result<Self, String> {
        let id = crate::json_field::take_string(&mut object, "id")?
            .unwrap_or_else(|| format!("acb_{}", crate::id::base62(22)));
        Ok(CartesiaBatchSeed {
            batch: batch_api::parse(&object, id)?,
        })
    }

    /// The id of the batch this seed makes.
    pub(crate) fn id(&self) -> &str {
        &self.batch.id
    }
}
