//! Get Call.

use call_core::CallId;
use call_core::provider_kit::Request;
use reqwest::Method;

use crate::error_body::error_from;
use crate::json::CallOutcomeBody;
use crate::{Call, CartesiaClient, path};

impl CartesiaClient {
    /// Reads a call: [Get Call](https://docs.cartesia.ai/api-reference/agents/calls/get-call),
    /// `GET /agents/calls/{call_id}`.
    ///
    /// Returns the full record, transcript included. Retried on connection failures, timeouts, 429 and 5xx: a read is
    /// safe to repeat.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let call = client.get_call(&"ac_abc123".parse()?).await?;
    /// println!("{} is {} ({:?})", call.id, call.status, call.end_reason);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for an unknown call (or one of another account),
    /// [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a body that is not a call, and the usual 400, 401, 403,
    /// 429, 5xx, timeout and transport errors.
    pub async fn get_call(&self, call_id: &CallId) -> call_core::Result<Call> {
        let request = path::call(Request::new(Method::GET, "get call"), call_id)?;
        let response = self.http.send(request).await?;
        if !response.is_success() {
            return Err(error_from(&response));
        }
        response.json()
    }

    /// Get Call as `terminate` reads it: the same request, of which only `status` and `end_reason` are decoded.
    pub(crate) async fn get_outcome_with_attempts(
        &self,
        call_id: &CallId,
    ) -> call_core::Result<(CallOutcomeBody, u32)> {
        let request = path::call(Request::new(Method::GET, "get call"), call_id)?;
        let response = self.http.send(request).await?;
        if !response.is_success() {
            return Err(error_from(&response));
        }
        Ok((CallOutcomeBody::read(&response)?, response.attempts()))
    }
}
