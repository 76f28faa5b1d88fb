//! Cancel Call.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Idempotency, Request};
use call_core::{CallId, ErrorKind};
use reqwest::Method;

use crate::error_body::error_from;
use crate::json::CancelBody;
use crate::{CartesiaClient, path};

impl CartesiaClient {
    /// Cancels a call: [Cancel Call](https://docs.cartesia.ai/api-reference/agents/calls/cancel-call),
    /// `POST /agents/calls/{call_id}/cancel`, one to one.
    ///
    /// Only a `started` call can be cancelled; it then ends with `end_reason: api_cancelled`. Retried on
    /// connection failures, 429 and 5xx (Cartesia documents 502 as "could not be delivered; retry"): a repeated
    /// cancel is harmless. To learn the truth about the call even when a reply is lost, use
    /// [`terminate`](call_core::CallControl::terminate) instead.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// client.cancel_call(&"ac_abc123".parse()?).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::NotTerminable`] for 400: the call is not active (still `created`, or already over).
    /// - [`ErrorKind::NotFound`] for 404: no such call, or "no active connection" (the provider's message tells).
    /// - [`ErrorKind::Upstream`] for 5xx (502 included) once retries are spent; [`ErrorKind::Decode`] for a 200 whose
    ///   body is not `{"cancelled": true}`; and the usual 401, 403, 429, timeout and transport errors.
    pub async fn cancel_call(&self, call_id: &CallId) -> call_core::Result<()> {
        self.cancel_with_attempts(call_id, Idempotency::Idempotent)
            .await
            .map(|_| ())
    }

    /// Cancel Call, answering the number of requests sent. `terminate` sends it [`Idempotency::ReadFirst`]: never
    /// again after a doubtful answer, which it resolves by reading the call.
    pub(crate) async fn cancel_with_attempts(
        &self,
        call_id: &CallId,
        idempotency: Idempotency,
    ) -> call_core::Result<u32> {
        let request = path::call(Request::new(Method::POST, "cancel call"), call_id)?
            .segment("cancel")
            .idempotency(idempotency);
        let response = self.http.send(request).await?;
        if !response.is_success() {
            let error = error_from(&response);
            // Cancel's 400 means "the call is not currently active and cannot be cancelled".
            return Err(if response.status() == 400 {
                error.with_kind(ErrorKind::NotTerminable)
            } else {
                error
            });
        }
        // A 200 is a success only when it says so: anything else may be a proxy's page, not Cartesia's answer.
        match serde_json::from_slice::<CancelBody>(response.body()) {
            Ok(CancelBody { cancelled: true }) => Ok(response.attempts()),
            Ok(CancelBody { cancelled: false }) => {
                Err(response.decode_error("the provider answered 200 but `cancelled` is false"))
            }
            Err(_) => {
                Err(response
                    .decode_error("the provider answered 200 without `{\"cancelled\": true}`"))
            }
        }
    }
}
