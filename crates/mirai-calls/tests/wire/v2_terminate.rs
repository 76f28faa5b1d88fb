//! New-API certain termination: which aborts count as ours, one deadline for the whole terminate, a resolution read
//! that reads only what it needs, and errors that quote nothing of a call record.

use std::time::Duration;

use mirai_calls::call_core::{TerminateOptions, TerminateOutcome};
use mirai_calls::{CallControl, ErrorKind};
use mockito::Server;

use crate::support::{
    RawServer, Reply, fast_retry, id, v2, v2_bodiless_mock, v2_call, v2_error, v2_with,
};

const ABORT: &str = "/v2/calls/call_1/abort";
const GET: &str = "/v2/calls/call_1";

/// Everything an error shows: its `Display` and `Debug`, and its sources'.
fn everything_shown(err: &mirai_calls::Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

#[tokio::test]
async fn a_429_then_a_409_on_a_call_someone_else_aborted_is_already_ended() {
    // The 429 reached Mirai but was refused: no abort of ours was acted on, so `aborted-by-api` is not ours.
    let mut server = Server::new_async().await;
    let limited = v2_bodiless_mock(&mut server, "POST", ABORT)
        .with_status(429)
        .with_body(v2_error("rate_limited", "slow down"))
        .expect(1)
        .create_async()
        .await;
    let over = v2_bodiless_mock(&mut server, "POST", ABORT)
        .with_status(409)
        .with_body(v2_error("conflict", "call already ended, nothing to abort"))
        .expect(1)
        .create_async()
        .await;
    let get = v2_bodiless_mock(&mut server, "GET", GET)
        .with_body(v2_call("call_1", "aborted", Some("aborted-by-api")))
        .expect(1)
        .create_async()
        .await;
    let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(done.attempts(), 3);
    limited.assert_async().await;
    over.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn one_deadline_bounds_the_whole_terminate() {
    // The abort hangs until the terminate's deadline: no read (nor a second abort) follows, as no time is left.
    // With a deadline per request, a read and two more rounds would each have waited as long again.
    let server = RawServer::start(|line, _| {
        if line.starts_with("POST ") {
            Reply::Hang
        } else {
            Reply::Json(200, v2_call("call_1", "in_progress", None))
        }
    })
    .await;
    let retry = fast_retry()
        .with_attempt_timeout(Duration::from_secs(10))
        .with_operation_timeout(Duration::from_millis(200));
    let err = v2_with(&server.url, retry)
        .terminate(&id("call_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.request_may_have_been_sent());
    assert_eq!(server.count("POST /v2/calls/call_1/abort "), 1);
    assert_eq!(server.count("GET /v2/calls/call_1 "), 0);
}

#[tokio::test]
async fn a_get_call_with_unexpected_shapes_elsewhere_still_resolves() {
    // Only `status` and `ended_reason` are read: cost, flow or durations of another shape do not matter.
    let mut server = Server::new_async().await;
    let abort = v2_bodiless_mock(&mut server, "POST", ABORT)
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let record = serde_json::json!({
        "id": "call_1",
        "status": "aborted",
        "ended_reason": "aborted-by-api",
        "to": 919876543210_u64,
        "duration_secs": "forty",
        "cost": "free",
        "flow": ["start", "end"],
        "created_at": 1767225600,
    });
    let get = v2_bodiless_mock(&mut server, "GET", GET)
        .with_body(record.to_string())
        .expect(1)
        .create_async()
        .await;
    let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 2);
    abort.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn a_decode_error_of_a_call_quotes_nothing_of_it() {
    const PHONE: &str = "+919876543210";
    let mut server = Server::new_async().await;
    let client = v2(&server.url());
    for body in [
        format!(
            r#"{{"id":"call_1","status":"completed","to":"{PHONE}","duration_secs":"{PHONE}"}}"#
        ),
        format!(
            r#"{{"id":"call_1","to":"{PHONE}","analysis":{{"summary":"my card number is 4242"}}}}"#
        ),
        format!("my card number is 4242, call {PHONE}"),
    ] {
        server.reset();
        let get = v2_bodiless_mock(&mut server, "GET", GET)
            .with_body(&body)
            .expect(1)
            .create_async()
            .await;
        let err = client.get_call(&id("call_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        let shown = everything_shown(&err);
        assert!(!shown.contains(PHONE), "{shown}");
        assert!(!shown.contains("4242"), "{shown}");
        get.assert_async().await;
    }
}

#[tokio::test]
async fn a_ring_wait_changes_nothing_as_mirai_aborts_ringing_calls() {
    let mut server = Server::new_async().await;
    let abort = v2_bodiless_mock(&mut server, "POST", ABORT)
        .with_status(202)
        .with_body(r#"{"id":"call_1","status":"aborted"}"#)
        .expect(1)
        .create_async()
        .await;
    let options = TerminateOptions::new().with_ring_wait(Duration::from_secs(90));
    let done = v2(&server.url())
        .terminate_with(&id("call_1"), &options)
        .await
        .unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 1);
    assert_eq!(done.ring_wait(), None);
    abort.assert_async().await;
}
