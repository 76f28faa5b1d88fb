//! Get Call, Get Transcript and Abort Call (new API).

use call_core::CallId;
use call_core::http::{Idempotency, Request, Response};
use reqwest::Method;
use serde::Deserialize;

use super::call::{Call, Transcript};
use super::error_body::{error_from, is_final_answer};
use super::status::MiraiV2CallStatus;
use crate::MiraiV2Client;

/// The answer to a successful abort (202): the cancel is signalled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AbortAccepted {
    /// The call.
    pub id: CallId,
    /// The status the answer reports, `aborted`; the call itself reaches it "shortly after".
    pub status: MiraiV2CallStatus,
    /// How many requests it took.
    pub attempts: u32,
}

#[derive(Deserialize)]
struct AbortBody {
    #[serde(default)]
    id: Option<CallId>,
    status: MiraiV2CallStatus,
}

impl MiraiV2Client {
    /// Reads a call: [Get Call](https://docs.miraiminds.co/v2/calls), `GET /v2/calls/{id}`.
    ///
    /// Mirai asks for polls at least 5 seconds apart (they count against the rate limit); prefer webhooks.
    ///
    /// ```no_run
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let call = client.get_call(&"call_01JZQ9B4M8N3P6R2S5T7V9W1YA".parse()?).await?;
    /// println!("{} is {}", call.id, call.status);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for an unknown call or one of another workspace (Mirai answers both alike),
    /// [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a body that is not a call, and the usual 401, 403, 429, 5xx, timeout and transport
    /// errors.
    pub async fn get_call(&self, call_id: &CallId) -> call_core::Result<Call> {
        self.get_counting(call_id).await.map(|(call, _)| call)
    }

    /// Get Call, answering the number of requests sent too.
    pub(crate) async fn get_counting(&self, call_id: &CallId) -> call_core::Result<(Call, u32)> {
        let request = Request::new(Method::GET, "get call")
            .segment("v2")
            .segment("calls")
            .call_id_segment(call_id)
            .final_when(is_final_answer);
        let response = self.http.send(request).await?;
        Ok((success_json(&response)?, response.attempts()))
    }

    /// Reads a finished call's transcript: `GET /v2/calls/{id}/transcript`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) while the call runs, when nobody spoke, or for an unknown call (the call's
    /// [`transcript_status`](Call::transcript_status) tells these apart), and the usual errors.
    pub async fn transcript(&self, call_id: &CallId) -> call_core::Result<Transcript> {
        let request = Request::new(Method::GET, "get transcript")
            .segment("v2")
            .segment("calls")
            .call_id_segment(call_id)
            .segment("transcript")
            .final_when(is_final_answer);
        let response = self.http.send(request).await?;
        success_json(&response)
    }

    /// Aborts a call at any stage: [Abort Call](https://docs.miraiminds.co/v2/calls),
    /// `POST /v2/calls/{id}/abort`, no body.
    ///
    /// Allowed while the call is `queued` (it is never dialled), `dialing` (the ringing stops) or `in_progress` (the
    /// call is hung up mid-conversation, silently). The call then ends `aborted` with
    /// `ended_reason: aborted-by-api`, a `call.aborted` event fires, and nothing is billed. Retried on connection
    /// failures, timeouts, 429 and 5xx: a repeat lands as 409 `conflict`, which
    /// [`terminate`](call_core::CallControl::terminate) resolves by reading the call.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Conflict`](call_core::ErrorKind::Conflict) for 409 `conflict`: the call is already over (perhaps aborted by an earlier
    ///   attempt of ours).
    /// - [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for an unknown call;
    ///   [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a 2xx whose body is not
    ///   `{"id", "status"}`; and the usual 401, 403, 429, 5xx, timeout and transport errors.
    pub async fn abort_call(&self, call_id: &CallId) -> call_core::Result<AbortAccepted> {
        self.abort_with(call_id, Idempotency::Idempotent).await
    }

    /// Abort Call, sent as `idempotency` says: `terminate` sends it [`Idempotency::ReadFirst`], never again after a
    /// doubtful answer, which it resolves by reading the call.
    pub(crate) async fn abort_with(
        &self,
        call_id: &CallId,
        idempotency: Idempotency,
    ) -> call_core::Result<AbortAccepted> {
        let request = Request::new(Method::POST, "abort call")
            .segment("v2")
            .segment("calls")
            .call_id_segment(call_id)
            .segment("abort")
            .idempotency(idempotency)
            .final_when(is_final_answer);
        let response = self.http.send(request).await?;
        let body: AbortBody = success_json(&response)?;
        Ok(AbortAccepted {
            id: body.id.unwrap_or_else(|| call_id.clone()),
            status: body.status,
            attempts: response.attempts(),
        })
    }
}

/// The body of a 2xx answer as `T`, or the error a non-2xx answer means.
pub(crate) fn success_json<T: serde::de::DeserializeOwned>(
    response: &Response,
) -> call_core::Result<T> {
    if !response.is_success() {
        return Err(error_from(response));
    }
    response.json()
}
