//! Delete Call: remove a finished call's sensitive data.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Idempotency, Request};
use call_core::{CallId, ErrorKind};
use reqwest::Method;

use crate::error_body::error_from;
use crate::{Call, CartesiaClient, path};

impl CartesiaClient {
    /// Deletes a call's sensitive data (transcript, audio, logs) and returns the redacted record:
    /// [Delete Call](https://docs.cartesia.ai/api-reference/agents/calls/delete-call), `DELETE /agents/calls/{call_id}`.
    ///
    /// The record is kept with [`redacted_at`](Call::redacted_at) set; deletion cannot be undone. Only `completed`
    /// or `failed` calls can be deleted: cancel an active call first ([`cancel_call`](Self::cancel_call) or
    /// [`terminate`](call_core::CallControl::terminate)). This never stops a call.
    ///
    /// Retried on connection failures, timeouts, 429 and 5xx: Cartesia documents deletion as idempotent and its 500 as
    /// "retry the request".
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let redacted = client.delete_call(&"ac_abc123".parse()?).await?;
    /// assert!(redacted.redacted_at.is_some());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Conflict`] for 400 (and 409): the call is not over yet. Cartesia documents the 400 as "not in
    ///   a terminal state; cancel an active call first", and the error says so.
    /// - [`ErrorKind::NotFound`] for 404, [`ErrorKind::Decode`] for a body that is not a call, and the usual 401, 403,
    ///   429, 5xx, timeout and transport errors.
    pub async fn delete_call(&self, call_id: &CallId) -> call_core::Result<Call> {
        let request = path::call(Request::new(Method::DELETE, "delete call"), call_id)?
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        if !response.is_success() {
            let error = error_from(&response);
            // Delete has one documented 400: the call is not completed or failed. That is a conflict with the call's
            // state, not bad input, and the caller's way out is to cancel it first. A 409 would mean the same.
            return Err(if matches!(response.status(), 400 | 409) {
                error.with_kind(ErrorKind::Conflict).with_detail(
                    "the call is not over: only completed or failed calls can be deleted; cancel it first \
                     (cancel_call or terminate)",
                )
            } else {
                error
            });
        }
        response.json()
    }
}
