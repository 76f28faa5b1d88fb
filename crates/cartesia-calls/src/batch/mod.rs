//! Call batches: queue many outbound calls, read them, cancel them, and stop them at scale.
//!
//! [Cartesia's call batches](https://docs.cartesia.ai/line/integrations/telephony/batch-calling) are the only
//! documented way to withdraw calls before they are placed: recipients wait in a queue, and cancelling the batch
//! takes them off it. Calls already placed are not touched by that cancel; [`CartesiaClient::stop_batch`] ends them
//! too, one report per call.
//!
//! [`CartesiaClient::stop_batch`]: crate::CartesiaClient::stop_batch

mod cancel;
mod create;
mod get;
mod id;
mod list;
mod record;
mod retry;
mod stop;

pub use create::{CreateBatch, MAX_BATCH_RECIPIENTS};
pub use id::BatchId;
pub use list::ListBatches;
pub use record::{Batch, BatchStatus, Recipient, RecipientStatus};
pub use stop::{BatchStop, StopBatch};
