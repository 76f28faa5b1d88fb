//! Retry Call Batch.

use call_core::ErrorKind;
use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Request, Response};
use reqwest::Method;

use crate::error_body::error_from;
use crate::send_once::json_once;
use crate::{Batch, BatchId, CartesiaClient, path};

/// What the caller must do when a retry may have worked: said in every "outcome unknown" error.
const CHECK_BEFORE_RETRYING: &str = "the batch's failed recipients may have been re-queued: read the batch \
     (get_batch) and compare its retry_count before trying again";

impl CartesiaClient {
    /// Dials a batch's failed and unanswered recipients again: [Retry Call
    /// Batch](https://docs.cartesia.ai/api-reference/agents/call-batches/retry-call-batch),
    /// `POST /agents/calls/batches/{batch_id}/retry` (newer docs only).
    ///
    /// Recipients whose call completed are left alone; [`retry_count`](Batch::retry_count) goes up by one. A cancelled
    /// batch cannot be retried.
    ///
    /// **Never retried once it may have been sent.** The docs do not call it idempotent, and a second retry landing
    /// after the first's calls failed again would dial those recipients once more. A timeout, a broken connection, a
    /// 5xx (or 408) answer or a 2xx that cannot be read is an error with
    /// [`is_outcome_unknown`](call_core::Error::is_outcome_unknown) set: read the batch
    /// ([`get_batch`](Self::get_batch)) and compare its `retry_count` before trying again.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let batch = client.retry_batch(&"acb_PDWFN995PzAudChwFDqVZ2".parse()?).await?;
    /// println!("retry {} queued", batch.retry_count);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Conflict`] for 400: Cartesia documents it as "the batch is cancelled and cannot be retried".
    /// - [`ErrorKind::NotFound`] for 404 "Batch not found.", and the usual 401, 403 and 429: nothing was re-queued.
    /// - [`ErrorKind::Upstream`], [`ErrorKind::Timeout`], [`ErrorKind::Transport`] or [`ErrorKind::Decode`] with the
    ///   outcome unknown, as above.
    pub async fn retry_batch(&self, batch_id: &BatchId) -> call_core::Result<Batch> {
        let request =
            path::batch(Request::new(Method::POST, "retry call batch"), batch_id).segment("retry");
        let response = self
            .send_once(request, CHECK_BEFORE_RETRYING, refusal)
            .await?;
        json_once(&response, CHECK_BEFORE_RETRYING)
    }
}

/// Retry's refusals. Its one documented 400 is about the batch's state, not the request: a conflict.
fn refusal(response: &Response) -> call_core::Error {
    let error = error_from(response);
    if response.status() == 400 {
        error
            .with_kind(ErrorKind::Conflict)
            .with_detail("the batch is cancelled and cannot be retried")
    } else {
        error
    }
}
