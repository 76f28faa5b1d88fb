//! Abort Call (legacy API) and termination through it.

use call_core::provider_kit::ErrorExt;
use call_core::provider_kit::{Attempt, Decision, Happened, Idempotency, Request};
use call_core::{
    CallControl, CallId, Error, ErrorKind, Provider, TerminateOutcome, Termination, async_trait,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::error_body::{self, BodyCode, error_from};
use crate::MiraiLegacyClient;

#[derive(Serialize)]
struct AbortBody<'a> {
    #[serde(rename = "callId")]
    call_id: &'a str,
}

/// A successful abort, with Mirai's message.
fn aborted_now(call_id: &CallId, aborted: Aborted, attempts: u32) -> Termination {
    let done = Termination::new(
        Provider::Mirai,
        call_id.clone(),
        TerminateOutcome::Terminated,
        attempts,
    );
    match aborted.message {
        Some(message) => done.with_provider_message(message),
        None => done,
    }
}

/// What a 400 refusal says about the call. `ours_may_have_landed`: an earlier request of ours may have aborted it
/// (its reply was lost, or was not Mirai's answer), so "already aborted" means we did it.
fn refused(
    call_id: &CallId,
    error: Error,
    ours_may_have_landed: bool,
) -> call_core::Result<Termination> {
    let message = error.provider_message().unwrap_or_default().to_owned();
    let outcome = match refusal(&message) {
        AbortRefusal::AlreadyAborted if ours_may_have_landed => TerminateOutcome::Terminated,
        AbortRefusal::AlreadyAborted | AbortRefusal::AlreadyOver => TerminateOutcome::AlreadyEnded,
        AbortRefusal::InProgress | AbortRefusal::Other => return Err(error),
    };
    Ok(
        Termination::new(Provider::Mirai, call_id.clone(), outcome, error.attempts())
            .with_provider_message(message),
    )
}

/// The answer to a successful legacy abort.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Aborted {
    /// The provider's message, such as "Call aborted successfully".
    #[serde(default)]
    pub message: Option<String>,
}

/// What a legacy refusal of an abort says about the call, read from its message (the status alone does not tell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AbortRefusal {
    /// "Call already aborted".
    AlreadyAborted,
    /// "Call already completed" (or `ended`, `timeout`): the call is over.
    AlreadyOver,
    /// "Call already in progress" (or "... in progress or completed"): answered and live, or perhaps over; the legacy
    /// API cannot abort a live call.
    InProgress,
    /// Any other message: not recognised, so nothing is concluded from it.
    Other,
}

/// The refusals we recognise, as whole messages (see [`normalised`]), and what each means.
///
/// Mirai documents one message verbatim, "Call already aborted", and describes the 400 as "Call already aborted, in
/// progress, or completed" ([Abort Call](https://docs.miraiminds.co/api-reference/call/abort-call)); Update Call
/// Payload answers "Call already in progress or completed". The list is that pattern, "Call already <status>", for
/// each status the abort rule refuses (`aborted`, `in-progress`, `completed`, `ended`, `timeout`), plus the update's
/// combined message. A message that merely contains one of these ("... extended", "... intended", "Call already
/// aborted by another workspace") is not one of them.
const REFUSALS: [(&str, AbortRefusal); 6] = [
    ("call already aborted", AbortRefusal::AlreadyAborted),
    ("call already in progress", AbortRefusal::InProgress),
    (
        "call already in progress or completed",
        AbortRefusal::InProgress,
    ),
    ("call already completed", AbortRefusal::AlreadyOver),
    ("call already ended", AbortRefusal::AlreadyOver),
    ("call already timeout", AbortRefusal::AlreadyOver),
];

/// A message as compared with [`REFUSALS`]: lowercase, hyphens as spaces (`in-progress` is the status's spelling),
/// runs of whitespace as one space, and no trailing full stop or exclamation mark.
fn normalised(message: &str) -> String {
    let lower = message.to_lowercase().replace('-', " ");
    let words: Vec<&str> = lower.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches(['.', '!'])
        .trim_end()
        .to_owned()
}

/// What a refusal's message says, matched as a whole message against the known refusals: never by a word inside it.
pub(crate) fn refusal(message: &str) -> AbortRefusal {
    let message = normalised(message);
    REFUSALS
        .iter()
        .find(|(phrase, _)| *phrase == message)
        .map_or(AbortRefusal::Other, |(_, refusal)| *refusal)
}

/// What a 2xx abort answer says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SuccessBody {
    /// Mirai's answer: `{"message": ...}` (documented), or the older draft's `{"status": "aborted", "callId": ...}`.
    Aborted(Option<String>),
    /// The body says the abort was refused: a `code` (or `status_code`) of 400 or more (`code`), or a `message` that
    /// is a known refusal (`code` is `None`).
    Refused {
        code: Option<u16>,
        message: Option<String>,
    },
    /// Not Mirai's answer, or one that contradicts itself; says which field.
    Unclear(&'static str),
}

/// Reads a 2xx abort answer. Mirai's errors carry the HTTP status in the body too (`{code, message}` or
/// `{status_code, message}`), so a body whose code is an error is that error whatever the status line says.
pub(crate) fn read_success(body: &[u8]) -> SuccessBody {
    let Ok(serde_json::Value::Object(answer)) = serde_json::from_slice(body) else {
        return SuccessBody::Unclear("the answer is not a JSON object");
    };
    let message = match answer.get("message") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(message)) => Some(message.clone()),
        Some(_) => return SuccessBody::Unclear("the answer's `message` is not a string"),
    };
    match error_body::body_code(&answer) {
        BodyCode::Absent | BodyCode::Success => {}
        BodyCode::Error(code) => {
            return SuccessBody::Refused {
                code: Some(code),
                message,
            };
        }
        BodyCode::Odd => {
            return SuccessBody::Unclear(
                "the answer's `code` is neither a success nor an error status",
            );
        }
    }
    if answer.get("success") == Some(&serde_json::Value::Bool(false))
        || answer.get("error").is_some_and(|error| {
            !matches!(
                error,
                serde_json::Value::Null | serde_json::Value::Bool(false)
            )
        })
    {
        return SuccessBody::Unclear("the answer carries an error");
    }
    let aborted = match answer.get("status") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::String(status)) if status == "aborted" => true,
        Some(_) => return SuccessBody::Unclear("the answer's `status` is not `aborted`"),
    };
    match message {
        Some(message) if refusal(&message) != AbortRefusal::Other => SuccessBody::Refused {
            code: None,
            message: Some(message),
        },
        Some(message) => SuccessBody::Aborted(Some(message)),
        None if aborted => SuccessBody::Aborted(None),
        None => {
            SuccessBody::Unclear("the answer has neither a `message` nor `status: \"aborted\"`")
        }
    }
}

impl MiraiLegacyClient {
    /// Aborts a queued call: [Abort Call](https://docs.miraiminds.co/api-reference/call/abort-call),
    /// `POST /v2/call/abort` with `{"callId": ...}`, one to one.
    ///
    /// Allowed while the call has no status yet (initial queue) or is `busy`, `failed`, `no-answer`, `rescheduled`
    /// or `validation-failed`; refused once it is `in-progress`, `completed`, `ended`, `timeout` or `aborted`.
    /// Retried on connection failures, 429 and 5xx: a repeated abort lands as "already aborted".
    ///
    /// Success is Mirai's documented answer, a 2xx `{"message": ...}` (or the older draft's
    /// `{"status": "aborted"}`), and nothing else: a 2xx body that carries an error code is that error, and a 2xx
    /// whose message is a known refusal is that refusal.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::NotTerminable`] for 400, with the provider's message ("Call already aborted", "Call already in
    ///   progress", "Call already completed", or one this library does not know): [`terminate`](CallControl::terminate)
    ///   reads it for you, matching whole messages only.
    /// - The same for a 2xx whose body carries an error `code` (or `status_code`) of 400 or more, such as
    ///   `{"code": 400, "message": "Call already aborted"}` (the kind follows the body's code: 404 is
    ///   [`ErrorKind::NotFound`]), or whose `message` is a known refusal; [`Error::status`] is the HTTP status.
    /// - [`ErrorKind::NotFound`] for 404, and the usual 401, 403, 429, 5xx, timeout and transport errors.
    /// - [`ErrorKind::Decode`] for a 2xx that is not Mirai's answer (neither `{"message": ...}` nor
    ///   `{"status": "aborted"}`, or one with another error marker: `"success": false`, an `error`, a `status` other
    ///   than `aborted`): it may not come from Mirai, so it is not taken as success. The error names the field, and
    ///   never quotes the body.
    pub async fn abort_call(&self, call_id: &CallId) -> call_core::Result<Aborted> {
        self.abort_with_attempts(call_id)
            .await
            .map(|(aborted, _)| aborted)
            .map_err(|failed| failed.error)
    }

    /// Abort Call, answering the number of requests sent too.
    async fn abort_with_attempts(&self, call_id: &CallId) -> Result<(Aborted, u32), Failed> {
        let body = serde_json::to_vec(&AbortBody {
            call_id: call_id.as_str(),
        })
        .map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "could not encode the request").with_source(e)
        })?;
        let request = Request::new(Method::POST, "abort call")
            .segment("v2")
            .segment("call")
            .segment("abort")
            .for_call(call_id)
            .json_body(body)
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        let failed = |error: Error| Failed {
            error,
            earlier_acted: response.earlier_attempt_may_have_taken_effect(),
        };
        if response.is_success() {
            // Only Mirai's own answers count: the documented `{"message": ...}`, or the older draft's
            // `{"status": "aborted", "callId": ...}`. A body whose code is an error is that refusal. Any other 2xx (an
            // empty body, a proxy's `{"ok": 1}`) may not come from Mirai at all, and the legacy API cannot read the call
            // to check, so it is a `Decode` error that `terminate` resolves by asking again. Neither error quotes the
            // body beyond Mirai's `message`.
            return match read_success(response.body()) {
                SuccessBody::Aborted(message) => Ok((Aborted { message }, response.attempts())),
                SuccessBody::Refused { code, message } => {
                    let error = match code {
                        Some(code) => Error::new(
                            match code {
                                400 => ErrorKind::NotTerminable,
                                code => ErrorKind::from_status(code),
                            },
                            format!(
                                "refused: the answer is a success but its body carries error code {code}"
                            ),
                        ),
                        None => Error::new(
                            ErrorKind::NotTerminable,
                            "refused: the answer is a success but its message is a refusal",
                        ),
                    };
                    let error = response.context(error);
                    Err(failed(match message {
                        Some(message) => error.with_provider_message(&message),
                        None => error,
                    }))
                }
                SuccessBody::Unclear(detail) => Err(failed(response.decode_error(format!(
                    "{detail}, so it is not Mirai's abort answer and the abort is not confirmed"
                )))),
            };
        }
        let error = error_from(&response);
        Err(failed(if response.status() == 400 {
            // The abort's one documented 400 is a refusal about the call's state, not invalid input.
            error
                .with_kind(ErrorKind::NotTerminable)
                .with_detail("refused")
        } else {
            error
        }))
    }
}

/// A failed abort, and whether an attempt before its last may have been acted on by Mirai (a timeout or reset after
/// sending, a 5xx; not a 429 or a connection that never opened): only then is "already aborted" our own abort.
/// Kept beside the error because the last attempt's own answer may be a refusal under a 2xx status, which
/// [`Error::may_have_taken_effect`] cannot tell from a success it could not read.
struct Failed {
    error: Error,
    earlier_acted: bool,
}

impl From<Error> for Failed {
    /// A failure with no answer to read (a transport error, a timeout): whatever may have been acted on.
    fn from(error: Error) -> Self {
        Failed {
            earlier_acted: error.may_have_taken_effect(),
            error,
        }
    }
}

#[async_trait]
impl CallControl for MiraiLegacyClient {
    fn provider(&self) -> Provider {
        Provider::Mirai
    }

    /// Aborts the call and answers what became of it, from the legacy API's answer alone (it cannot read calls).
    ///
    /// - 200 with Mirai's answer (`{"message": ...}`): [`TerminateOutcome::Terminated`].
    /// - A 2xx that is not Mirai's answer (an empty body, a proxy's page): the abort is sent once more, and its
    ///   answer decides (200 or "already aborted": `Terminated`; "completed": `AlreadyEnded`); if that is no clearer,
    ///   the first error ([`ErrorKind::Decode`]) is returned.
    /// - A refusal (400, or a 2xx whose body carries code 400 or a refusal's message) is told apart by its whole
    ///   message, compared without case, repeated spaces, hyphens or a final full stop; a message that only contains
    ///   one of these ("extended", "intended") is not it:
    ///   - "Call already aborted": `Terminated` when an earlier attempt of ours may have been acted on (it timed out
    ///     or broke after sending, or got a 5xx, and this retry found its work done), else
    ///     [`TerminateOutcome::AlreadyEnded`]: a 429 or a connection that never opened did nothing. The legacy API
    ///     cannot tell our abort from someone else's; either way the call is aborted.
    ///   - "Call already completed", "Call already ended", "Call already timeout": `AlreadyEnded`.
    ///   - "Call already in progress" (or "... in progress or completed"): [`ErrorKind::NotTerminable`]: the legacy
    ///     API cannot abort a live call (the new API can: see `MiraiV2Client`).
    ///   - Any other message: [`ErrorKind::NotTerminable`] with the provider's message: the call may still be
    ///     queued, and no guess makes it over.
    ///
    ///   These are Mirai's one documented message and the documented "Call already aborted, in progress, or
    ///   completed" pattern applied to each status the abort rule refuses
    ///   ([Abort Call](https://docs.miraiminds.co/api-reference/call/abort-call)).
    /// - Anything else: the error, as [`MiraiLegacyClient::abort_call`] gives it.
    ///
    /// [`state`](CallControl::state) keeps the trait's default and answers [`ErrorKind::Unsupported`]: the legacy
    /// API has no way to read a call (outcomes arrive by webhook only; see [`crate::legacy::WebhookEvent`]).
    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        let Failed {
            error: first,
            earlier_acted,
        } = match self.abort_with_attempts(call_id).await {
            Ok((aborted, attempts)) => return Ok(aborted_now(call_id, aborted, attempts)),
            Err(failed) => failed,
        };
        // A 2xx that is not Mirai's answer leaves the abort's effect unknown, and the legacy API cannot read the call:
        // the policy has it asked once more (abort is safe to repeat). Its answer is about a call our first request
        // may have aborted.
        let unconfirmed = first.kind() == ErrorKind::Decode
            && first.status().is_some_and(|s| (200..300).contains(&s));
        let policy = self.http.resend_policy();
        if unconfirmed
            && let Decision::Resend { after, .. } =
                policy.decide(&Attempt::new(1, Happened::Unconfirmed))
        {
            policy.sleep(after).await;
            return match self.abort_with_attempts(call_id).await {
                Ok((aborted, attempts)) => {
                    Ok(aborted_now(call_id, aborted, first.attempts() + attempts))
                }
                Err(Failed { error: second, .. }) if second.kind() == ErrorKind::NotTerminable => {
                    let attempts = first.attempts() + second.attempts();
                    refused(call_id, second.with_attempts(attempts), true).or(Err(first))
                }
                Err(_) => Err(first),
            };
        }
        if first.kind() == ErrorKind::NotTerminable {
            // A retry that found the call aborted did our work only if an earlier attempt may have been acted on: a 429
            // then "already aborted" is someone else's abort.
            return refused(call_id, first, earlier_acted);
        }
        Err(first)
    }
    fn rate_limit(&self) -> Option<&call_core::RateLimit> {
        Some(self.http.rate_limit())
    }
}

/// For "stop calling this number" ([`call_core::stop_number::stop_number`]): the legacy API has no do-not-call list
/// and cannot find calls by number, so both answer `Unsupported` and only the call ids the caller knows are stopped.
impl call_core::stop_number::NumberControl for MiraiLegacyClient {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_refusals_as_whole_messages() {
        for (message, expected) in [
            ("Call already aborted", AbortRefusal::AlreadyAborted),
            ("  CALL  already aborted. ", AbortRefusal::AlreadyAborted),
            ("Call already completed", AbortRefusal::AlreadyOver),
            ("Call already ended!", AbortRefusal::AlreadyOver),
            ("Call already timeout", AbortRefusal::AlreadyOver),
            ("Call already in progress", AbortRefusal::InProgress),
            ("Call already in-progress", AbortRefusal::InProgress),
            (
                "Call already in progress or completed",
                AbortRefusal::InProgress,
            ),
            // A known word inside another message is not that refusal.
            ("call has ENDED", AbortRefusal::Other),
            ("Retry window extended", AbortRefusal::Other),
            ("Not the intended workspace", AbortRefusal::Other),
            (
                "Call already aborted by another workspace",
                AbortRefusal::Other,
            ),
            ("Validation Error", AbortRefusal::Other),
            ("", AbortRefusal::Other),
        ] {
            assert_eq!(refusal(message), expected, "{message:?}");
        }
    }

    #[test]
    fn reads_2xx_answers() {
        let read = |body: &str| read_success(body.as_bytes());
        assert_eq!(
            read(r#"{"message":"Call aborted successfully"}"#),
            SuccessBody::Aborted(Some("Call aborted successfully".into()))
        );
        assert_eq!(
            read(r#"{"code":200,"message":"ok"}"#),
            SuccessBody::Aborted(Some("ok".into()))
        );
        assert_eq!(
            read(r#"{"status":"aborted","callId":"c1"}"#),
            SuccessBody::Aborted(None)
        );
        assert_eq!(
            read(r#"{"code":400,"message":"Call already aborted"}"#),
            SuccessBody::Refused {
                code: Some(400),
                message: Some("Call already aborted".into())
            }
        );
        assert_eq!(
            read(r#"{"status_code":404}"#),
            SuccessBody::Refused {
                code: Some(404),
                message: None
            }
        );
        assert_eq!(
            read(r#"{"message":"Call already completed"}"#),
            SuccessBody::Refused {
                code: None,
                message: Some("Call already completed".into())
            }
        );
        for unclear in [
            "",
            "[]",
            "{}",
            r#"{"ok":1}"#,
            r#"{"status":"queued"}"#,
            r#"{"status":"failed","message":"x"}"#,
            r#"{"code":"400","message":"x"}"#,
            r#"{"code":302,"message":"x"}"#,
            r#"{"success":false,"message":"x"}"#,
            r#"{"error":{"reason":"x"},"message":"x"}"#,
            r#"{"message":7}"#,
        ] {
            assert!(
                matches!(read(unclear), SuccessBody::Unclear(_)),
                "{unclear:?}"
            );
        }
    }
}
