//! New-API Abort Call (`POST /v2/calls/{id}/abort`) and each branch of certain termination.

use mirai_calls::call_core::TerminateOutcome;
use mirai_calls::v2::MiraiV2CallStatus;
use mirai_calls::{CallControl, CallId, ErrorKind};
use mockito::Server;

use crate::support::{
    INVALID_IDS, ODD_IDS, RawServer, Reply, assert_error_has_no_key, closed_port_url, id,
    impatient_retry, nothing_sent, v2, v2_bodiless_mock, v2_call, v2_error, v2_with,
};

const PATH: &str = "/v2/calls/call_1/abort";

fn abort_mock(server: &mut mockito::ServerGuard) -> mockito::Mock {
    v2_bodiless_mock(server, "POST", PATH)
}

fn get_mock(server: &mut mockito::ServerGuard) -> mockito::Mock {
    v2_bodiless_mock(server, "GET", "/v2/calls/call_1")
}

fn conflict() -> String {
    v2_error("conflict", "call already ended, nothing to abort")
}

#[tokio::test]
async fn a_202_is_terminated_with_the_exact_request() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server)
        .with_status(202)
        .with_body(r#"{"id":"call_1","status":"aborted"}"#)
        .expect(1)
        .create_async()
        .await;
    let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 1);
    assert_eq!(done.provider(), mirai_calls::call_core::Provider::MiraiV2);
    mock.assert_async().await;
}

#[tokio::test]
async fn abort_call_answers_the_accepted_status() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server)
        .with_status(202)
        .with_body(r#"{"id":"call_1","status":"aborted"}"#)
        .expect(1)
        .create_async()
        .await;
    let accepted = v2(&server.url()).abort_call(&id("call_1")).await.unwrap();
    assert_eq!(accepted.status, MiraiV2CallStatus::Aborted);
    assert_eq!(accepted.id.as_str(), "call_1");
    mock.assert_async().await;
}

#[tokio::test]
async fn a_409_on_the_first_attempt_is_already_ended_whatever_ended_it() {
    for (status, reason) in [
        ("aborted", Some("aborted-by-api")),
        ("completed", Some("customer-ended-call")),
    ] {
        let mut server = Server::new_async().await;
        let abort = abort_mock(&mut server)
            .with_status(409)
            .with_body(conflict())
            .expect(1)
            .create_async()
            .await;
        let get = get_mock(&mut server)
            .with_status(200)
            .with_body(v2_call("call_1", status, reason))
            .expect(1)
            .create_async()
            .await;
        let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded, "{status}");
        assert_eq!(done.attempts(), 2);
        abort.assert_async().await;
        get.assert_async().await;
    }
}

#[tokio::test]
async fn a_409_after_a_502_and_aborted_by_api_is_our_own_abort() {
    let mut server = Server::new_async().await;
    let failed = abort_mock(&mut server)
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    // The 502 leaves doubt: the read shows the call still live, so the abort goes again and gets the 409.
    let live = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_call("call_1", "in_progress", None))
        .expect(1)
        .create_async()
        .await;
    let over = abort_mock(&mut server)
        .with_status(409)
        .with_body(conflict())
        .expect(1)
        .create_async()
        .await;
    let get = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_call("call_1", "aborted", Some("aborted-by-api")))
        .expect(1)
        .create_async()
        .await;
    let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 4);
    failed.assert_async().await;
    live.assert_async().await;
    over.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn a_409_after_a_502_on_a_call_that_completed_is_already_ended() {
    let mut server = Server::new_async().await;
    let failed = abort_mock(&mut server)
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    // The 502 leaves doubt: the read shows the call still live, so the abort goes again and gets the 409.
    let live = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_call("call_1", "in_progress", None))
        .expect(1)
        .create_async()
        .await;
    let over = abort_mock(&mut server)
        .with_status(409)
        .with_body(conflict())
        .expect(1)
        .create_async()
        .await;
    let get = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_call("call_1", "completed", Some("assistant-ended-call")))
        .expect(1)
        .create_async()
        .await;
    let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    failed.assert_async().await;
    live.assert_async().await;
    over.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn server_errors_are_resolved_by_reading_the_call_and_aborted_again_only_while_live() {
    let cases = [
        (
            "aborted",
            Some("aborted-by-api"),
            Some(TerminateOutcome::Terminated),
        ),
        (
            "no_answer",
            Some("customer-did-not-answer"),
            Some(TerminateOutcome::AlreadyEnded),
        ),
        ("in_progress", None, None),
        ("dialing", None, None),
        ("queued", None, None),
    ];
    for (status, reason, outcome) in cases {
        // An ended call is read once after the first 503; a live one gets the abort again after each read, three
        // aborts (max_attempts) in all.
        let rounds = if outcome.is_some() { 1 } else { 3 };
        let mut server = Server::new_async().await;
        let failing = abort_mock(&mut server)
            .with_status(503)
            .with_body(v2_error("upstream_unavailable", "down"))
            .expect(rounds)
            .create_async()
            .await;
        let get = get_mock(&mut server)
            .with_status(200)
            .with_body(v2_call("call_1", status, reason))
            .expect(rounds)
            .create_async()
            .await;
        let result = v2(&server.url()).terminate(&id("call_1")).await;
        match outcome {
            Some(outcome) => {
                let done = result.unwrap();
                assert_eq!(done.outcome(), outcome, "{status}");
                assert_eq!(done.attempts(), 2);
            }
            None => {
                // Still running: the abort failed, and its last error is the cause.
                let err = result.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Upstream, "{status}");
                assert_eq!(err.status(), Some(503));
                assert_eq!(err.provider_code(), Some("upstream_unavailable"));
                assert_eq!(err.attempts(), 6);
                let source = std::error::Error::source(&err).expect("the first error as source");
                let first = source
                    .downcast_ref::<mirai_calls::Error>()
                    .expect("a calls error");
                assert_eq!(first.kind(), ErrorKind::Upstream);
                assert_eq!(first.attempts(), 1);
                assert_error_has_no_key(&err);
            }
        }
        failing.assert_async().await;
        get.assert_async().await;
    }
}

#[tokio::test]
async fn a_malformed_2xx_is_resolved_by_reading_the_call() {
    let mut server = Server::new_async().await;
    let odd = abort_mock(&mut server)
        .with_status(202)
        .with_body("<html>accepted?</html>")
        .expect(1)
        .create_async()
        .await;
    let get = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_call("call_1", "aborted", Some("aborted-by-api")))
        .expect(1)
        .create_async()
        .await;
    let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    odd.assert_async().await;
    get.assert_async().await;
}

/// The error's `Display` and `Debug`, and its sources', for checks of what it quotes.
fn error_text(err: &mirai_calls::Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

#[tokio::test]
async fn abort_call_takes_only_status_aborted_as_proof() {
    // Each answer reached Mirai and proves nothing: an ambiguous error, never `Ok`, and nothing of the body quoted
    // (the call record's number least of all).
    let cases = [
        (202, r#"{"id":"call_1","status":"in_progress"}"#.to_owned()),
        (202, r#"{"id":"call_1","status":"error"}"#.to_owned()),
        (200, r#"{"id":"call_1","status":"queued"}"#.to_owned()),
        (202, v2_call("call_1", "in_progress", None)),
        (202, r#"{"id":"call_1"}"#.to_owned()),
        (202, r#"{"id":"call_1","status":true}"#.to_owned()),
        (202, r#"{"id":"call_2","status":"aborted"}"#.to_owned()),
        (202, r#"{"id":7,"status":"aborted"}"#.to_owned()),
        (202, r#"[null,"aborted"]"#.to_owned()),
        (202, r#""aborted""#.to_owned()),
    ];
    for (status, body) in cases {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server)
            .with_status(status)
            .with_body(&body)
            .expect(1)
            .create_async()
            .await;
        let err = v2(&server.url())
            .abort_call(&id("call_1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(err.status(), Some(status as u16), "{body}");
        assert!(err.is_ambiguous(), "{body}");
        assert!(err.request_may_have_been_sent(), "{body}");
        assert_eq!(err.attempts(), 1, "{body}");
        let text = error_text(&err);
        assert!(!text.contains("+919876543210"), "{text}");
        assert!(!text.contains("call_2"), "{text}");
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn abort_call_accepts_aborted_with_this_id_or_none() {
    for body in [
        r#"{"id":"call_1","status":"aborted"}"#,
        r#"{"status":"aborted"}"#,
        r#"{"id":null,"status":"aborted","extra":1}"#,
    ] {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server)
            .with_status(202)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let accepted = v2(&server.url()).abort_call(&id("call_1")).await.unwrap();
        assert_eq!(accepted.status, MiraiV2CallStatus::Aborted, "{body}");
        assert_eq!(accepted.id.as_str(), "call_1");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_2xx_error_envelope_keeps_its_code_and_is_ambiguous() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server)
        .with_status(202)
        .with_body(v2_error("internal", "abort could not be signalled"))
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url())
        .abort_call(&id("call_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.is_ambiguous());
    assert_eq!(err.provider_code(), Some("internal"));
    assert_eq!(err.status(), Some(202));
    mock.assert_async().await;
}

#[tokio::test]
async fn a_202_saying_error_while_the_call_runs_on_is_not_terminated() {
    // Every abort answers 202 `{"status":"error"}` and every read shows the call live: three aborts (max_attempts),
    // each after a read, then the last answer's error.
    let mut server = Server::new_async().await;
    let abort = abort_mock(&mut server)
        .with_status(202)
        .with_body(r#"{"id":"call_1","status":"error"}"#)
        .expect(3)
        .create_async()
        .await;
    let get = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_call("call_1", "in_progress", None))
        .expect(3)
        .create_async()
        .await;
    let err = v2(&server.url())
        .terminate(&id("call_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(202));
    assert_eq!(err.attempts(), 6);
    assert!(!error_text(&err).contains("+919876543210"));
    assert_error_has_no_key(&err);
    abort.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn a_202_saying_error_then_a_live_read_is_aborted_again() {
    let mut server = Server::new_async().await;
    let unclear = abort_mock(&mut server)
        .with_status(202)
        .with_body(r#"{"id":"call_1","status":"error"}"#)
        .expect(1)
        .create_async()
        .await;
    let live = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_call("call_1", "dialing", None))
        .expect(1)
        .create_async()
        .await;
    let aborted = abort_mock(&mut server)
        .with_status(202)
        .with_body(r#"{"id":"call_1","status":"aborted"}"#)
        .expect(1)
        .create_async()
        .await;
    let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 3);
    unclear.assert_async().await;
    live.assert_async().await;
    aborted.assert_async().await;
}

#[tokio::test]
async fn a_202_in_progress_then_live_then_ended_is_what_the_last_read_shows() {
    // 202 `in_progress` twice: the first read shows the call live (so the abort goes again), the second shows it
    // ended. Aborted by the API: our abort did it; ended any other way: it was over before ours took.
    for (status, reason, outcome) in [
        ("aborted", "aborted-by-api", TerminateOutcome::Terminated),
        (
            "completed",
            "customer-ended-call",
            TerminateOutcome::AlreadyEnded,
        ),
    ] {
        let mut server = Server::new_async().await;
        let abort = abort_mock(&mut server)
            .with_status(202)
            .with_body(r#"{"id":"call_1","status":"in_progress"}"#)
            .expect(2)
            .create_async()
            .await;
        let live = get_mock(&mut server)
            .with_status(200)
            .with_body(v2_call("call_1", "in_progress", None))
            .expect(1)
            .create_async()
            .await;
        let ended = get_mock(&mut server)
            .with_status(200)
            .with_body(v2_call("call_1", status, Some(reason)))
            .expect(1)
            .create_async()
            .await;
        let done = v2(&server.url()).terminate(&id("call_1")).await.unwrap();
        assert_eq!(done.outcome(), outcome, "{status}");
        assert_eq!(done.attempts(), 4, "{status}");
        abort.assert_async().await;
        live.assert_async().await;
        ended.assert_async().await;
    }
}

fn raw_script(abort: Reply, call: &'static str) -> impl Fn(&str, usize) -> Reply + Send + Sync {
    move |line, _| {
        if line.starts_with("POST /v2/calls/call_1/abort ") {
            abort.clone()
        } else {
            Reply::Json(200, v2_call("call_1", call, Some("aborted-by-api")))
        }
    }
}

#[tokio::test]
async fn a_timeout_then_an_aborted_call_is_terminated() {
    let server = RawServer::start(raw_script(Reply::Hang, "aborted")).await;
    let done = v2_with(&server.url, impatient_retry())
        .terminate(&id("call_1"))
        .await
        .unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    // Read before aborting again: the first abort did it, and no second one is sent.
    assert_eq!(server.count("POST /v2/calls/call_1/abort "), 1);
    assert_eq!(server.count("GET /v2/calls/call_1 "), 1);
}

#[tokio::test]
async fn a_reset_then_a_live_call_is_the_abort_failing() {
    let server = RawServer::start(raw_script(Reply::Reset, "in_progress")).await;
    let err = v2(&server.url).terminate(&id("call_1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.request_may_have_been_sent());
    assert!(std::error::Error::source(&err).is_some());
    // Each reset is followed by a read that shows the call live, then the abort again: three of each.
    assert_eq!(server.count("POST /v2/calls/call_1/abort "), 3);
    assert_eq!(server.count("GET /v2/calls/call_1 "), 3);
}

#[tokio::test]
async fn when_the_read_fails_too_the_abort_error_is_returned() {
    let server = RawServer::start(|line: &str, _| {
        if line.starts_with("POST") {
            Reply::Reset
        } else {
            Reply::Json(500, v2_error("internal", "bug"))
        }
    })
    .await;
    let err = v2(&server.url).terminate(&id("call_1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.operation(), Some("abort call"));
}

#[tokio::test]
async fn a_404_is_not_found_without_a_read() {
    let mut server = Server::new_async().await;
    let abort = abort_mock(&mut server)
        .with_status(404)
        .with_body(v2_error("not_found", "call not found"))
        .expect(1)
        .create_async()
        .await;
    let get = get_mock(&mut server).expect(0).create_async().await;
    let err = v2(&server.url())
        .terminate(&id("call_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.provider_code(), Some("not_found"));
    abort.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn refusals_without_doubt_are_returned_as_they_are() {
    let cases = [
        (
            401,
            v2_error("unauthorized", "no key"),
            ErrorKind::Unauthorized,
            1,
        ),
        (
            403,
            v2_error("forbidden", "revoked"),
            ErrorKind::Forbidden,
            1,
        ),
        (
            429,
            v2_error("rate_limited", "slow down"),
            ErrorKind::RateLimited,
            3,
        ),
    ];
    for (status, body, kind, hits) in cases {
        let mut server = Server::new_async().await;
        let abort = abort_mock(&mut server)
            .with_status(status)
            .with_header("retry-after", "0")
            .with_body(body)
            .expect(hits)
            .create_async()
            .await;
        let get = get_mock(&mut server).expect(0).create_async().await;
        let err = v2(&server.url())
            .terminate(&id("call_1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.attempts(), hits as u32);
        assert_error_has_no_key(&err);
        abort.assert_async().await;
        get.assert_async().await;
    }
}

#[tokio::test]
async fn a_connection_that_never_opens_sends_nothing_and_reads_nothing() {
    let err = v2(&closed_port_url().await)
        .terminate(&id("call_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.request_may_have_been_sent());
}

#[tokio::test]
async fn odd_ids_are_one_path_segment() {
    for (odd, segment) in ODD_IDS {
        let mut server = Server::new_async().await;
        let mock = v2_bodiless_mock(
            &mut server,
            "POST",
            format!("/v2/calls/{segment}/abort").as_str(),
        )
        .with_status(202)
        .with_body(serde_json::json!({"id": odd, "status": "aborted"}).to_string())
        .expect(1)
        .create_async()
        .await;
        let done = v2(&server.url()).terminate(&id(odd)).await.unwrap();
        assert_eq!(done.call_id().as_str(), *odd);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn invalid_ids_send_nothing() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let _client = v2(&server.url());
    for bad in INVALID_IDS {
        assert_eq!(
            bad.parse::<CallId>().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    nothing.assert_async().await;
}
