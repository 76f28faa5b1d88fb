//! Signed recording URLs on a different origin, and the download route behind them.
//!
//! `GET /v2/calls/{id}/recording` redirects to a pre-signed URL, as Mirai's storage does
//! (`X-Amz-Expires=900`). The simulator serves it on the same port under another host name
//! (`localhost` instead of `127.0.0.1`), so a client that follows the redirect with its API key
//! can be caught: the download route needs no credentials and journals whether any were sent.

use hyper::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::app::{App, Request};
use crate::body::SimBody;
use crate::clock;
use crate::response::{self, Reply};
use crate::wav;
use crate::webhook::hmac;

/// How long a signed URL stays valid, in seconds (Mirai's documented `X-Amz-Expires=900`).
const EXPIRES: i64 = 900;

/// Characters escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A signed download URL for the recording of call `id`, valid for 15 minutes.
pub(crate) fn signed_url(app: &App, id: &str) -> String {
    let t = clock::now().as_second();
    format!(
        "{}/_sim/recordings/{}.wav?t={t}&X-Amz-Expires={EXPIRES}&sig={}",
        app.recording_origin,
        utf8_percent_encode(id, SEGMENT),
        signature(app, id, t)
    )
}

fn signature(app: &App, id: &str, t: i64) -> String {
    let t = t.to_string();
    hex::encode(hmac(
        &app.signing_key,
        &[b"recording\n", id.as_bytes(), b"\n", t.as_bytes()],
    ))
}

/// `GET /_sim/recordings/{id}.wav`: the WAV, when the signature is valid and not expired.
pub(crate) fn download(app: &App, id: &str, req: &Request<'_>) -> Reply {
    let t = req.query.get("t").and_then(|t| t.parse::<i64>().ok());
    let valid = match (t, req.query.get("sig")) {
        (Some(t), Some(sig)) => {
            req.query.get("X-Amz-Expires") == Some("900") && sig == signature(app, id, t)
        }
        _ => false,
    };
    let Some(t) = t.filter(|_| valid) else {
        return access_denied(
            "The request signature we calculated does not match the signature you provided.",
        );
    };
    if clock::now().as_second() > t.saturating_add(EXPIRES) {
        return access_denied("Request has expired");
    }
    let available = app.mirai_v2.lock().has_recording(id)
        || app.mirai.lock().get(id).is_some_and(|c| c.has_recording());
    if !available {
        return access_denied_with(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    }
    response::with_body(
        StatusCode::OK,
        "audio/wav",
        SimBody::full(wav::for_call(id)),
    )
}

fn access_denied(message: &str) -> Reply {
    access_denied_with(StatusCode::FORBIDDEN, "AccessDenied", message)
}

/// An S3-style XML error, as object storage answers.
fn access_denied_with(status: StatusCode, code: &str, message: &str) -> Reply {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    response::with_body(status, "application/xml", SimBody::full(body))
}
