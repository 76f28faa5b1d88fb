//! Get Call, Get Transcript and Abort Call (new API).

use call_core::CallId;
use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Idempotency, Request, Response};
use reqwest::Method;

use super::call::{Call, Transcript};
use super::error_body::{self, error_from, is_final_answer};
use super::status::MiraiV2CallStatus;
use crate::MiraiV2Client;

/// The answer to a successful abort (202): Mirai says the call is `aborted`, so the cancel is signalled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AbortAccepted {
    /// The call.
    pub id: CallId,
    /// The status the answer reports: always [`MiraiV2CallStatus::Aborted`], the one answer that proves the abort
    /// (any other is an error, see [`MiraiV2Client::abort_call`]); the call itself reaches it "shortly after".
    pub status: MiraiV2CallStatus,
    /// How many requests it took.
    pub attempts: u32,
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
        let response = self.http.send(get_call_request(call_id)).await?;
        success_json(&response)
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
    /// Only a 2xx whose body says `"status": "aborted"` (and names this call, or no call) is `Ok`: Mirai documents
    /// that answer for every stage an abort is allowed in, so it is the one proof that the abort was taken. Any
    /// other 2xx (`{"status": "in_progress"}`, `{"status": "error"}`, an error envelope, a body that is not JSON)
    /// reached Mirai and proves nothing: the call may still be running.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Conflict`](call_core::ErrorKind::Conflict) for 409 `conflict`: the call is already over (perhaps aborted by an earlier
    ///   attempt of ours).
    /// - [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a 2xx that does not say `"status": "aborted"`, or names another call:
    ///   [`is_ambiguous`](call_core::Error::is_ambiguous) is true, as the abort reached Mirai and its outcome is unknown.
    ///   The error names the field that did not prove the abort (and a status this library knows), never the body;
    ///   an error envelope's code and message are kept. Read the call ([`get_call`](Self::get_call)) to learn what
    ///   happened; [`terminate`](call_core::CallControl::terminate) does, and aborts again while the call still runs.
    /// - [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for an unknown call, and the usual 401, 403, 429, 5xx, timeout and transport
    ///   errors.
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
        if !response.is_success() {
            return Err(error_from(&response));
        }
        proves_abort(call_id, &response)?;
        Ok(AbortAccepted {
            id: call_id.clone(),
            status: MiraiV2CallStatus::Aborted,
            attempts: response.attempts(),
        })
    }
}

/// `Ok` when a 2xx abort answer proves the abort of `call_id`: a JSON object whose `status` is `"aborted"` and whose
/// `id`, when present, is this call. Otherwise an [`ErrorKind::Decode`](call_core::ErrorKind::Decode) error (ambiguous: the request reached Mirai)
/// that names the field and the type or known status it has, never quoting the body, which may be a call record.
pub(crate) fn proves_abort(call_id: &CallId, response: &Response) -> call_core::Result<()> {
    let answer = response.json_object()?;
    if answer.get("error").is_some_and(|error| !error.is_null()) {
        let info = error_body::read(response.body());
        let mut error = response.decode_error(
            "the answer carries an error instead of `status: \"aborted\"`, so the abort is not confirmed",
        );
        if let Some(code) = &info.code {
            error = error.with_provider_code(code);
        }
        if let Some(message) = &info.message {
            error = error.with_provider_message(message);
        }
        return Err(error);
    }
    let unconfirmed = |detail: String| {
        Err(response.decode_error(format!(
            "{detail}, so the abort is not confirmed: the call may still be running"
        )))
    };
    match response.string_field(&answer, "id")? {
        Some(id) if id != call_id.as_str() => {
            return unconfirmed("field `id` names another call".to_owned());
        }
        _ => {}
    }
    match response.string_field(&answer, "status")? {
        Some(status) => match MiraiV2CallStatus::parse(status) {
            MiraiV2CallStatus::Aborted => Ok(()),
            // A known status is a word of our own vocabulary; an unknown one is provider text and is not quoted.
            MiraiV2CallStatus::Unknown(_) => unconfirmed(
                "field `status` is a value this library does not know, not `aborted`".to_owned(),
            ),
            known => unconfirmed(format!(
                "field `status` is `{}`, not `aborted`",
                known.as_str()
            )),
        },
        None => unconfirmed("field `status` is absent".to_owned()),
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

/// `GET /v2/calls/{id}`, as Get Call and `terminate`'s narrow read both send it.
pub(crate) fn get_call_request(call_id: &CallId) -> Request {
    Request::new(Method::GET, "get call")
        .segment("v2")
        .segment("calls")
        .call_id_segment(call_id)
        .final_when(is_final_answer)
}
