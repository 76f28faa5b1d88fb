//! Cancel Call Batch.

use call_core::provider_kit::{Idempotency, Request};
use reqwest::Method;

use crate::error_body::error_from;
use crate::{Batch, BatchId, CartesiaClient, path};

impl CartesiaClient {
    /// Stops dialling a batch: [Cancel Call
    /// Batch](https://docs.cartesia.ai/api-reference/agents/call-batches/cancel-call-batch),
    /// `POST /agents/calls/batches/{batch_id}/cancel`.
    ///
    /// Recipients not yet dispatched are never dialled; they have no call. **Calls already dispatched are not
    /// touched**: ringing ones keep ringing, live ones run on. To end those too, use
    /// [`stop_batch`](Self::stop_batch) with [`StopBatch::cancel_live_calls`](crate::StopBatch::cancel_live_calls).
    ///
    /// Cartesia documents the cancel as idempotent (a second cancel answers the same 200), so it is retried on
    /// connection failures, timeouts, 429 and 5xx. The batch's status becomes `cancelled` when some recipients were
    /// not yet dispatched; the docs do not say what a fully dispatched batch's status becomes.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let batch = client.cancel_batch(&"acb_PDWFN995PzAudChwFDqVZ2".parse()?).await?;
    /// println!("{} recipients will never be dialled", batch.undispatched_recipients());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for 404 "Batch not found.",
    /// [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a 200 that is not a batch, and the usual 400, 401, 403,
    /// 429, 5xx, timeout and transport errors. After a timeout or 5xx the cancel may or may not have landed: calling
    /// again is safe.
    pub async fn cancel_batch(&self, batch_id: &BatchId) -> call_core::Result<Batch> {
        let request = path::batch(Request::new(Method::POST, "cancel call batch"), batch_id)
            .segment("cancel")
            // Documented as idempotent: a repeat answers the same batch, so a lost reply can be asked again.
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        if !response.is_success() {
            return Err(error_from(&response));
        }
        response.json()
    }
}
