//! Certain termination: every branch of `terminate`, with exact hit counts on Cancel Call and Get Call.

use std::time::Duration;

use cartesia_calls::call_core::{TerminateOptions, TerminateOutcome, Termination};
use cartesia_calls::{CallControl, CallState, Error, ErrorKind};
use mockito::{Mock, Server, ServerGuard};

use crate::support::{
    RawServer, Reply, call_json, client, client_with, closed_port_url, error_json, fast_retry, id,
    impatient_retry, json_mock,
};

const CANCEL: &str = "/agents/calls/ac_1/cancel";
const GET: &str = "/agents/calls/ac_1";

/// Cancel Call answering `status` with `body`, `hits` times.
async fn cancel(server: &mut ServerGuard, status: usize, body: &str, hits: usize) -> Mock {
    json_mock(server, "POST", CANCEL)
        .with_status(status)
        .with_body(body)
        .expect(hits)
        .create_async()
        .await
}

/// Get Call answering a call in `status` (with `end_reason`), `hits` times.
async fn get(
    server: &mut ServerGuard,
    status: &str,
    end_reason: Option<&str>,
    hits: usize,
) -> Mock {
    json_mock(server, "GET", GET)
        .with_body(call_json("ac_1", status, end_reason))
        .expect(hits)
        .create_async()
        .await
}

/// A Get Call that must not be sent.
async fn no_get(server: &mut ServerGuard) -> Mock {
    json_mock(server, "GET", GET).expect(0).create_async().await
}

async fn terminate(server: &ServerGuard) -> Result<Termination, Error> {
    client(&server.url()).terminate(&id("ac_1")).await
}

/// The error `terminate` wrapped, as `source()`.
fn first_error(err: &Error) -> &Error {
    std::error::Error::source(err)
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("the first error is the source")
}

#[tokio::test]
async fn a_confirmed_cancel_is_terminated_without_reading_the_call() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 200, r#"{"cancelled":true}"#, 1).await;
    let g = no_get(&mut server).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 1);
    assert_eq!(done.call_id().as_str(), "ac_1");
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_bad_gateway_then_api_cancelled_is_terminated_without_a_second_cancel() {
    // The 502 may have come after Cartesia acted: read before cancelling again, and never cancel twice.
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, "", 1).await;
    let g = get(&mut server, "completed", Some("api_cancelled"), 1).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 2);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn bad_gateways_then_ended_otherwise_is_already_ended() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (status, reason) in [
        ("completed", Some("agent_hangup")),
        ("failed", Some("error")),
        ("completed", None),
    ] {
        server.reset();
        let c = cancel(&mut server, 502, "", 1).await;
        let g = get(&mut server, status, reason, 1).await;
        let done = client.terminate(&id("ac_1")).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded, "{status}");
        c.assert_async().await;
        g.assert_async().await;
    }
}

#[tokio::test]
async fn the_older_cancelled_status_counts_as_ours_when_ambiguous() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, "", 1).await;
    let g = get(&mut server, "cancelled", None, 1).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn bad_gateways_on_a_started_call_cancel_again_after_each_read_then_fail_with_the_last_error()
{
    // Each 502 is followed by a read; the call is still started, so the cancel goes again: three in all (the
    // client's max_attempts), each after a read, then a retryable failure.
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, &error_json("could not be delivered"), 3).await;
    let g = get(&mut server, "started", None, 3).await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Upstream);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.attempts(), 6);
    assert!(err.is_retryable());
    assert_eq!(err.provider_message(), Some("could not be delivered"));
    let first = first_error(&err);
    assert_eq!(first.status(), Some(502));
    assert_eq!(first.attempts(), 1);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn bad_gateways_then_created_is_not_terminable_and_points_to_the_batch() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, "", 1).await;
    let g = get(&mut server, "created", None, 1).await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert!(err.to_string().contains("batch"), "{err}");
    assert_eq!(first_error(&err).status(), Some(502));
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn bad_gateways_then_an_unknown_status_is_an_error_not_a_guess() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, "", 1).await;
    let g = get(&mut server, "paused", None, 1).await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Upstream);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_malformed_200_is_resolved_by_reading_the_call() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in ["<html>OK</html>", r#"{"cancelled":false}"#, "{}"] {
        server.reset();
        let c = cancel(&mut server, 200, body, 1).await;
        let g = get(&mut server, "completed", Some("api_cancelled"), 1).await;
        let done = client.terminate(&id("ac_1")).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::Terminated, "{body}");
        assert_eq!(done.attempts(), 2);
        c.assert_async().await;
        g.assert_async().await;
    }
}

#[tokio::test]
async fn a_malformed_200_on_a_started_call_is_a_retryable_failure() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 200, "garbage", 3).await;
    let g = get(&mut server, "started", None, 3).await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 6);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_timeout_after_sending_is_resolved_by_reading_the_call() {
    let server = RawServer::start(|line| {
        if line.starts_with("POST ") {
            Reply::Hang
        } else {
            Reply::Json(200, call_json("ac_1", "completed", Some("api_cancelled")))
        }
    })
    .await;
    let done = client_with(&server.url, impatient_retry())
        .terminate(&id("ac_1"))
        .await
        .unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(server.count("POST /agents/calls/ac_1/cancel "), 1);
    assert_eq!(server.count("GET /agents/calls/ac_1 "), 1);
    assert_eq!(done.attempts(), 2);
}

#[tokio::test]
async fn a_reset_after_sending_is_resolved_by_reading_the_call() {
    let server = RawServer::start(|line| {
        if line.starts_with("POST ") {
            Reply::Reset
        } else {
            Reply::Json(200, call_json("ac_1", "completed", Some("client_hangup")))
        }
    })
    .await;
    let done = client(&server.url).terminate(&id("ac_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(server.count("POST /agents/calls/ac_1/cancel "), 1);
    assert_eq!(server.count("GET /agents/calls/ac_1 "), 1);
}

#[tokio::test]
async fn a_timeout_on_a_started_call_keeps_the_timeout() {
    let server = RawServer::start(|line| {
        if line.starts_with("POST ") {
            Reply::Hang
        } else {
            Reply::Json(200, call_json("ac_1", "started", None))
        }
    })
    .await;
    let err = client_with(&server.url, impatient_retry().with_max_attempts(1))
        .terminate(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(first_error(&err).kind(), ErrorKind::Timeout);
    assert_eq!(server.total(), 2);
}

#[tokio::test]
async fn a_400_on_the_first_attempt_means_it_was_already_over() {
    // Even `api_cancelled`: someone else's cancel ended it before ours was sent.
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for reason in ["api_cancelled", "agent_hangup"] {
        server.reset();
        let c = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
        let g = get(&mut server, "completed", Some(reason), 1).await;
        let done = client.terminate(&id("ac_1")).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded, "{reason}");
        assert_eq!(done.attempts(), 2);
        assert_eq!(done.provider_message(), Some("Call is not active"));
        c.assert_async().await;
        g.assert_async().await;
    }
}

#[tokio::test]
async fn a_400_after_a_lost_attempt_and_api_cancelled_is_ours() {
    // The 502's read shows the call still started (our cancel was slow to land), the second cancel finds it over.
    let mut server = Server::new_async().await;
    let lost = cancel(&mut server, 502, "", 1).await;
    let refused = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let started = json_mock(&mut server, "GET", GET)
        .with_body(call_json("ac_1", "started", None))
        .expect(1)
        .create_async()
        .await;
    let g = get(&mut server, "completed", Some("api_cancelled"), 1).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 4);
    started.assert_async().await;
    lost.assert_async().await;
    refused.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_400_on_a_created_call_is_not_terminable() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let g = get(&mut server, "created", None, 1).await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert!(err.to_string().contains("batch"), "{err}");
    assert_eq!(first_error(&err).status(), Some(400));
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_400_on_a_call_answered_since_is_cancelled_again() {
    // The call was ringing when the cancel came (400) and was answered before the read: the refused cancel did
    // nothing, so the second one is safe.
    let mut server = Server::new_async().await;
    let refused = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let accepted = cancel(&mut server, 200, r#"{"cancelled":true}"#, 1).await;
    let g = get(&mut server, "started", None, 1).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 3);
    assert_eq!(done.ring_wait(), None);
    refused.assert_async().await;
    accepted.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_404_no_active_connection_on_a_call_answered_since_is_cancelled_again() {
    let mut server = Server::new_async().await;
    let refused = cancel(
        &mut server,
        404,
        &error_json("No active connection found for the call"),
        1,
    )
    .await;
    let accepted = cancel(&mut server, 200, r#"{"cancelled":true}"#, 1).await;
    let g = get(&mut server, "started", None, 1).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 3);
    refused.assert_async().await;
    accepted.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn refusals_on_a_call_that_stays_started_are_bounded_by_max_attempts() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 400, &error_json("Call is not active"), 3).await;
    let g = get(&mut server, "started", None, 3).await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert_eq!(err.status(), Some(400));
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 6);
    c.assert_async().await;
    g.assert_async().await;
}

/// [`terminate`] with a ring wait of `wait`.
async fn terminate_waiting(server: &ServerGuard, wait: Duration) -> Result<Termination, Error> {
    client(&server.url())
        .terminate_with(&id("ac_1"), &TerminateOptions::new().with_ring_wait(wait))
        .await
}

#[tokio::test]
async fn a_ringing_call_is_polled_until_it_starts_then_cancelled() {
    let mut server = Server::new_async().await;
    let refused = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let accepted = cancel(&mut server, 200, r#"{"cancelled":true}"#, 1).await;
    // The read after the refusal, then two polls, see it ringing; the third poll sees it answered.
    let ringing = get(&mut server, "created", None, 3).await;
    let started = get(&mut server, "started", None, 1).await;
    let done = terminate_waiting(&server, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 6);
    assert!(done.ring_wait().is_some());
    refused.assert_async().await;
    ringing.assert_async().await;
    started.assert_async().await;
    accepted.assert_async().await;
}

#[tokio::test]
async fn a_call_that_ends_while_ringing_is_already_ended() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let ringing = get(&mut server, "created", None, 2).await;
    let unanswered = get(&mut server, "failed", Some("dial_no_answer"), 1).await;
    let done = terminate_waiting(&server, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(done.attempts(), 4);
    assert!(done.ring_wait().is_some());
    c.assert_async().await;
    ringing.assert_async().await;
    unanswered.assert_async().await;
}

#[tokio::test]
async fn a_ring_wait_that_runs_out_is_not_terminable_and_says_how_long_it_waited() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let ringing = json_mock(&mut server, "GET", GET)
        .with_body(call_json("ac_1", "created", None))
        .expect_at_least(2)
        .create_async()
        .await;
    let err = terminate_waiting(&server, Duration::from_millis(60))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert!(err.to_string().contains("after a ring wait of 0."), "{err}");
    assert_eq!(first_error(&err).status(), Some(400));
    c.assert_async().await;
    ringing.assert_async().await;
}

#[tokio::test]
async fn a_429_then_a_400_on_a_call_someone_else_cancelled_is_already_ended() {
    // The 429 reached Cartesia but was refused: no cancel of ours was acted on, so `api_cancelled` is not ours.
    let mut server = Server::new_async().await;
    let limited = cancel(&mut server, 429, &error_json("Too many requests"), 1).await;
    let refused = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let g = get(&mut server, "completed", Some("api_cancelled"), 1).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(done.attempts(), 3);
    limited.assert_async().await;
    refused.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn one_deadline_bounds_the_whole_terminate() {
    // The cancel hangs until the terminate's deadline: no read (nor a second cancel) follows, as no time is left.
    // With a deadline per request, a read and two more rounds would each have waited as long again.
    let server = RawServer::start(|line| {
        if line.starts_with("POST ") {
            Reply::Hang
        } else {
            Reply::Json(200, call_json("ac_1", "started", None))
        }
    })
    .await;
    let retry = fast_retry()
        .with_attempt_timeout(Duration::from_secs(10))
        .with_operation_timeout(Duration::from_millis(200));
    let err = client_with(&server.url, retry)
        .terminate(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.request_may_have_been_sent());
    assert_eq!(server.count("POST /agents/calls/ac_1/cancel "), 1);
    assert_eq!(server.count("GET /agents/calls/ac_1 "), 0);
}

#[tokio::test]
async fn a_get_call_with_unexpected_shapes_elsewhere_still_resolves() {
    // Only `status` and `end_reason` are read: a transcript, tool calls or timestamps of another shape do not matter.
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, "", 1).await;
    let record = serde_json::json!({
        "id": "ac_1",
        "agent_id": "agent_1",
        "status": "completed",
        "end_reason": "api_cancelled",
        "start_time": 1767225600,
        "transcript": "Hello, my number is +14155550100.",
        "telephony_params": [ "+14155550100" ],
        "metadata": "none",
    });
    let g = json_mock(&mut server, "GET", GET)
        .with_body(record.to_string())
        .expect(1)
        .create_async()
        .await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn an_unreadable_resolution_read_names_the_field_and_quotes_nothing() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let record = serde_json::json!({
        "id": "ac_1",
        "status": { "value": "+14155550100" },
        "transcript": [{ "role": "user", "text": "My card number is 4242 4242 4242 4242" }],
    });
    let g = json_mock(&mut server, "GET", GET)
        .with_body(record.to_string())
        .expect(1)
        .create_async()
        .await;
    let err = terminate(&server).await.unwrap_err();
    // The cancel's own answer stands; nothing of the record is in any error.
    assert_eq!(err.status(), Some(400));
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!text.contains("+14155550100"), "{text}");
    assert!(!text.contains("4242"), "{text}");
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_404_no_active_connection_on_an_ended_call_is_already_ended() {
    let mut server = Server::new_async().await;
    let c = cancel(
        &mut server,
        404,
        &error_json("No active connection found for the call"),
        1,
    )
    .await;
    let g = get(&mut server, "completed", Some("client_hangup"), 1).await;
    let done = terminate(&server).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_call_get_cannot_find_is_not_found() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 404, &error_json("Call not found"), 1).await;
    let g = json_mock(&mut server, "GET", GET)
        .with_status(404)
        .with_body(error_json("Call not found"))
        .expect(1)
        .create_async()
        .await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.operation(), Some("cancel call"));
    assert_eq!(err.attempts(), 2);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn an_ambiguous_cancel_on_a_call_get_cannot_find_is_not_found() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, "", 1).await;
    let g = json_mock(&mut server, "GET", GET)
        .with_status(404)
        .expect(1)
        .create_async()
        .await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.attempts(), 2);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn when_the_read_fails_too_the_first_error_is_returned() {
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 502, "", 1).await;
    let g = json_mock(&mut server, "GET", GET)
        .with_status(503)
        .expect(3)
        .create_async()
        .await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Upstream, Some(502)));
    assert_eq!(err.operation(), Some("cancel call"));
    assert_eq!(err.attempts(), 4);
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn clear_failures_are_returned_without_reading_the_call() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (status, kind, hits) in [
        (401, ErrorKind::Unauthorized, 1),
        (403, ErrorKind::Forbidden, 1),
        (429, ErrorKind::RateLimited, 3),
    ] {
        server.reset();
        let c = cancel(&mut server, status, &error_json("no"), hits).await;
        let g = no_get(&mut server).await;
        let err = client.terminate(&id("ac_1")).await.unwrap_err();
        assert_eq!(err.kind(), kind);
        c.assert_async().await;
        g.assert_async().await;
    }
}

#[tokio::test]
async fn a_long_retry_after_returns_rate_limited_without_reading_the_call() {
    let mut server = Server::new_async().await;
    let c = json_mock(&mut server, "POST", CANCEL)
        .with_status(429)
        .with_header("retry-after", "120")
        .expect(1)
        .create_async()
        .await;
    let g = no_get(&mut server).await;
    let err = terminate(&server).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_connection_that_never_opened_reads_nothing() {
    let url = closed_port_url().await;
    let err = client(&url).terminate(&id("ac_1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.request_may_have_been_sent());
}

#[tokio::test]
async fn state_is_the_normalized_status() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (status, state) in [
        ("created", CallState::Queued),
        ("started", CallState::Active),
        ("active", CallState::Active),
        ("completed", CallState::Ended),
        ("failed", CallState::Ended),
        ("cancelled", CallState::Ended),
        ("paused", CallState::Unknown),
    ] {
        server.reset();
        let g = get(&mut server, status, None, 1).await;
        let got = client.state(&id("ac_1")).await.unwrap();
        assert_eq!(got, state, "{status}");
        g.assert_async().await;
    }
}

#[tokio::test]
async fn cancel_call_stays_one_to_one() {
    // The raw method never reads the call: a 400 is a plain NotTerminable error.
    let mut server = Server::new_async().await;
    let c = cancel(&mut server, 400, &error_json("Call is not active"), 1).await;
    let g = no_get(&mut server).await;
    let err = client(&server.url())
        .cancel_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert_eq!(err.status(), Some(400));
    c.assert_async().await;
    g.assert_async().await;
}

#[tokio::test]
async fn a_reset_on_a_started_call_sends_the_cancel_again_only_after_reading() {
    // Every cancel is reset after sending and every read shows the call still started: the cancel goes again after
    // each read, max_attempts (3) times in all, never straight after a doubtful one.
    let server = RawServer::start(|line| {
        if line.starts_with("POST ") {
            Reply::Reset
        } else {
            Reply::Json(200, call_json("ac_1", "started", None))
        }
    })
    .await;
    let err = client(&server.url)
        .terminate(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 6);
    assert_eq!(server.count("POST /agents/calls/ac_1/cancel "), 3);
    assert_eq!(server.count("GET /agents/calls/ac_1 "), 3);
    let order: Vec<String> = server
        .lines()
        .iter()
        .map(|line| line.chars().take(4).collect())
        .collect();
    assert_eq!(order, ["POST", "GET ", "POST", "GET ", "POST", "GET "]);
}
