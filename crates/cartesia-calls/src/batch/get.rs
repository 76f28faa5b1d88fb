//! Get Call Batch.

use call_core::provider_kit::Request;
use reqwest::Method;

use crate::error_body::error_from;
use crate::{Batch, BatchId, CartesiaClient, path};

impl CartesiaClient {
    /// Reads a batch with the status of each recipient: [Get Call
    /// Batch](https://docs.cartesia.ai/api-reference/agents/call-batches/get-call-batch),
    /// `GET /agents/calls/batches/{batch_id}`.
    ///
    /// The only batch read that returns [`recipients`](Batch::recipients), each with its
    /// [`agent_call_id`](crate::Recipient::agent_call_id) once dispatched. Retried on connection failures, timeouts,
    /// 429 and 5xx: a read is safe to repeat.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let batch = client.get_batch(&"acb_PDWFN995PzAudChwFDqVZ2".parse()?).await?;
    /// for recipient in batch.recipients.iter().flatten() {
    ///     println!("{} {:?}", recipient.status, recipient.agent_call_id);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for 404 "Batch not found." (an unknown batch, or one of
    /// another account), [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a body that is not a batch, and the
    /// usual 400, 401, 403, 429, 5xx, timeout and transport errors.
    pub async fn get_batch(&self, batch_id: &BatchId) -> call_core::Result<Batch> {
        let request = path::batch(Request::new(Method::GET, "get call batch"), batch_id);
        let response = self.http.send(request).await?;
        if !response.is_success() {
            return Err(error_from(&response));
        }
        response.json()
    }
}
