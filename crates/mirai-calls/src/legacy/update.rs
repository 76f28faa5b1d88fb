//! Update Call Payload (legacy API): replace the payload of a queued call.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Idempotency, Request};
use call_core::{CallId, Error, ErrorKind};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::error_body::{error_from, provider_message};
use super::payload::CallPayload;
use crate::MiraiLegacyClient;

#[derive(Serialize)]
struct UpdateBody {
    payload: Value,
}

impl MiraiLegacyClient {
    /// Replaces the payload of a call not yet attempted:
    /// [Update Call Payload](https://docs.miraiminds.co/api-reference/call/update-call-payload),
    /// `PUT /v2/call/{callId}` with `{"payload": ...}`.
    ///
    /// The new payload replaces the old one whole (no merge). A `PUT` of the same payload twice is harmless, so it is
    /// retried on connection failures, 429 and 5xx; a retry that finds the call already being dialled answers the
    /// conflict below (check [`Error::attempts`] > 1).
    ///
    /// ```no_run
    /// use mirai_calls::MiraiLegacyClient;
    /// use serde_json::{Map, json};
    ///
    /// # async fn run(client: MiraiLegacyClient) -> call_core::Result<()> {
    /// let mut payload = Map::new();
    /// payload.insert("orderId".into(), json!("ORD-12345"));
    /// client.update_call_payload(&"68f0a1b2c3d4e5f600000900".parse()?, payload).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Conflict`] for 400 "Call already in progress or completed": the call was already attempted,
    ///   and its payload can no longer change. (We chose `Conflict`, not `NotTerminable`: this is about the call's
    ///   state, not about stopping it.)
    /// - [`ErrorKind::InvalidInput`] for any other 400 (validation) and for a payload that fails our own checks.
    /// - [`ErrorKind::NotFound`] for 404 "Call not found.", and the usual 401, 403, 429, 5xx, timeout and transport
    ///   errors.
    pub async fn update_call_payload(
        &self,
        call_id: &CallId,
        payload: impl Into<CallPayload>,
    ) -> call_core::Result<()> {
        let payload = payload.into();
        payload.validate()?;
        let body = serde_json::to_vec(&UpdateBody {
            payload: payload.to_value()?,
        })
        .map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "could not encode the request").with_source(e)
        })?;
        let request = Request::new(Method::PUT, "update call payload")
            .segment("v2")
            .segment("call")
            .call_id_segment(call_id)
            .json_body(body)
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        if response.is_success() {
            // The documented 200 is `{status_code, message}`; the status is the answer, so the body is not required.
            return Ok(());
        }
        let error = error_from(&response);
        let already_attempted = response.status() == 400
            && provider_message(&response).is_some_and(|m| is_already_attempted(&m));
        Err(if already_attempted {
            error.with_kind(ErrorKind::Conflict)
        } else {
            error
        })
    }
}

/// Whether a 400's message says the call was already attempted ("Call already in progress or completed").
fn is_already_attempted(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    ["in progress", "in-progress", "completed", "already"]
        .iter()
        .any(|word| message.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_conflict_message() {
        assert!(is_already_attempted(
            "Call already in progress or completed"
        ));
        assert!(is_already_attempted("call is IN-PROGRESS"));
        assert!(!is_already_attempted("payload is required"));
    }
}
