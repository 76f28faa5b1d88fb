//! Legacy Abort Call (`POST /v2/call/abort`) and termination through it.

use mirai_calls::call_core::TerminateOutcome;
use mirai_calls::{CallControl, CallId, ErrorKind};
use mockito::Server;
use serde_json::json;

use crate::support::{
    INVALID_IDS, ODD_IDS, RawServer, Reply, assert_error_has_no_key, closed_port_url, id,
    impatient_retry, legacy, legacy_mock, legacy_with, nothing_sent,
};

fn abort_mock(server: &mut mockito::ServerGuard, call_id: &str) -> mockito::Mock {
    legacy_mock(server, "POST", "/v2/call/abort", json!({"callId": call_id}))
}

fn refusal(message: &str) -> String {
    json!({"code": 400, "message": message}).to_string()
}

#[tokio::test]
async fn a_200_is_terminated_with_the_exact_request() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server, "68f0a1b2c3d4e5f600000900")
        .with_status(200)
        .with_body(r#"{"message":"Call aborted successfully"}"#)
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url())
        .terminate(&id("68f0a1b2c3d4e5f600000900"))
        .await
        .unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 1);
    assert_eq!(done.provider_message(), Some("Call aborted successfully"));
    mock.assert_async().await;
}

#[tokio::test]
async fn abort_call_answers_the_message() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body(r#"{"message":"Call aborted successfully"}"#)
        .expect(1)
        .create_async()
        .await;
    let aborted = legacy(&server.url()).abort_call(&id("c1")).await.unwrap();
    assert_eq!(
        aborted.message.as_deref(),
        Some("Call aborted successfully")
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn already_aborted_on_the_first_attempt_is_already_ended() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server, "c1")
        .with_status(400)
        .with_body(refusal("Call already aborted"))
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(done.attempts(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn already_aborted_after_a_502_is_our_own_abort() {
    let mut server = Server::new_async().await;
    let failed = abort_mock(&mut server, "c1")
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let refused = abort_mock(&mut server, "c1")
        .with_status(400)
        .with_body(refusal("Call already aborted"))
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 2);
    failed.assert_async().await;
    refused.assert_async().await;
}

#[tokio::test]
async fn already_aborted_after_a_429_is_someone_elses_abort() {
    // A rate limit refused the first attempt: nothing of ours reached the call, so the abort found is not ours.
    let mut server = Server::new_async().await;
    let limited = abort_mock(&mut server, "c1")
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let refused = abort_mock(&mut server, "c1")
        .with_status(400)
        .with_body(refusal("Call already aborted"))
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(done.attempts(), 2);
    limited.assert_async().await;
    refused.assert_async().await;
}

#[tokio::test]
async fn a_200_carrying_already_aborted_after_a_502_is_our_own_abort() {
    let mut server = Server::new_async().await;
    let failed = abort_mock(&mut server, "c1")
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let refused = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body(refusal("Call already aborted"))
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    failed.assert_async().await;
    refused.assert_async().await;
}

#[tokio::test]
async fn already_aborted_after_a_reset_is_our_own_abort() {
    let server = RawServer::start(|_, before| {
        if before == 0 {
            Reply::Reset
        } else {
            Reply::Json(400, refusal("Call already aborted"))
        }
    })
    .await;
    let done = legacy(&server.url).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 2);
    assert_eq!(server.count("POST /v2/call/abort "), 2);
}

#[tokio::test]
async fn already_completed_is_already_ended() {
    for message in [
        "Call already completed",
        "Call already ended",
        "Call already timeout",
        "call already completed.",
    ] {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server, "c1")
            .with_status(400)
            .with_body(refusal(message))
            .expect(1)
            .create_async()
            .await;
        let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded, "{message}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn an_unrecognised_refusal_is_failed_with_the_providers_message() {
    // Each message holds a word of a known refusal ("ended" in "extended" and "intended"), or a known refusal with
    // more after it; none is one, so none is taken as "already over" by a guess.
    for message in [
        "Retry window extended",
        "Not the intended call",
        "Call has ended",
        "Call timed out",
        "Call already aborted by another workspace",
        "Call cannot be aborted in its current status",
    ] {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server, "c1")
            .with_status(400)
            .with_body(refusal(message))
            .expect(1)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .terminate(&id("c1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotTerminable, "{message}");
        assert_eq!(err.status(), Some(400), "{message}");
        assert_eq!(err.provider_message(), Some(message));
        assert_eq!(err.attempts(), 1);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_200_whose_body_carries_an_error_code_is_that_error() {
    // `{"code":400,"message":"Call already aborted"}` under a 200 is Mirai's refusal, not a success: the call was
    // aborted before us.
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body(refusal("Call already aborted"))
        .expect(2)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(done.attempts(), 1);
    let err = legacy(&server.url())
        .abort_call(&id("c1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.provider_message(), Some("Call already aborted"));
    mock.assert_async().await;

    let cases = [
        (
            r#"{"code":400,"message":"Call already in progress"}"#,
            ErrorKind::NotTerminable,
        ),
        (
            r#"{"code":400,"message":"Something new"}"#,
            ErrorKind::NotTerminable,
        ),
        (
            r#"{"code":404,"message":"Call not found"}"#,
            ErrorKind::NotFound,
        ),
        (
            r#"{"status_code":401,"message":"Invalid keys"}"#,
            ErrorKind::Unauthorized,
        ),
    ];
    for (body, kind) in cases {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server, "c1")
            .with_status(200)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .terminate(&id("c1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{body}");
        assert_eq!(err.status(), Some(200), "{body}");
        assert!(err.provider_message().is_some(), "{body}");
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_200_whose_message_is_a_known_refusal_is_that_refusal() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body(r#"{"message":"Call already completed"}"#)
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    mock.assert_async().await;
}

#[tokio::test]
async fn in_progress_is_not_terminable() {
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server, "c1")
        .with_status(400)
        .with_body(refusal("Call already in progress"))
        .expect(1)
        .create_async()
        .await;
    let err = legacy(&server.url())
        .terminate(&id("c1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.provider_message(), Some("Call already in progress"));
    assert_error_has_no_key(&err);
    mock.assert_async().await;
}

#[tokio::test]
async fn error_statuses_map_with_exact_hit_counts() {
    let cases = [
        (
            404,
            r#"{"code":404,"message":"Call not found"}"#,
            ErrorKind::NotFound,
            1,
        ),
        (
            401,
            r#"{"code":401,"message":"Invalid keys"}"#,
            ErrorKind::Unauthorized,
            1,
        ),
        (
            403,
            r#"{"code":403,"message":"Forbidden"}"#,
            ErrorKind::Forbidden,
            1,
        ),
        (
            429,
            r#"{"code":429,"message":"Slow down"}"#,
            ErrorKind::RateLimited,
            3,
        ),
        (
            500,
            r#"{"status_code":500,"message":"Oops"}"#,
            ErrorKind::Upstream,
            3,
        ),
        (502, "<html>bad gateway</html>", ErrorKind::Upstream, 3),
        (503, "", ErrorKind::Upstream, 3),
        (504, "", ErrorKind::Upstream, 3),
    ];
    for (status, body, kind, hits) in cases {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server, "c1")
            .with_status(status)
            .with_body(body)
            .expect(hits)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .terminate(&id("c1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.status(), Some(status as u16));
        assert_eq!(err.attempts(), hits as u32, "{status}");
        assert_eq!(err.call_id().map(CallId::as_str), Some("c1"));
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    // Retry-After: 0 is honoured at once; an hour does not fit in the deadline, so the error says so.
    let mut server = Server::new_async().await;
    let limited = abort_mock(&mut server, "c1")
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let ok = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body(r#"{"message":"Call aborted successfully"}"#)
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.attempts(), 2);
    limited.assert_async().await;
    ok.assert_async().await;

    let mut server = Server::new_async().await;
    let limited = abort_mock(&mut server, "c1")
        .with_status(429)
        .with_header("retry-after", "3600")
        .expect(1)
        .create_async()
        .await;
    let err = legacy(&server.url())
        .abort_call(&id("c1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(
        err.retry_after(),
        Some(std::time::Duration::from_secs(3600))
    );
    assert!(err.is_retryable());
    limited.assert_async().await;
}

#[tokio::test]
async fn a_malformed_200_is_a_decode_error() {
    // terminate asks once more (the legacy API cannot read the call); the same page again leaves it unknown.
    let mut server = Server::new_async().await;
    let mock = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body("<html>welcome to the proxy</html>")
        .expect(2)
        .create_async()
        .await;
    let err = legacy(&server.url())
        .terminate(&id("c1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.request_may_have_been_sent());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_200_that_is_not_mirais_answer_is_not_a_success() {
    for body in [
        "",
        "{}",
        r#"{"ok":1}"#,
        r#"{"status":"queued"}"#,
        r#"{"status":"failed","message":"Call aborted successfully"}"#,
        r#"{"success":false,"message":"Call aborted successfully"}"#,
        r#"{"code":"400","message":"Call aborted successfully"}"#,
    ] {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server, "c1")
            .with_status(200)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .abort_call(&id("c1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body:?}");
        mock.assert_async().await;
    }
    let mut server = Server::new_async().await;
    let older = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body(r#"{"status":"aborted","callId":"c1"}"#)
        .expect(1)
        .create_async()
        .await;
    assert!(legacy(&server.url()).abort_call(&id("c1")).await.is_ok());
    older.assert_async().await;
}

#[tokio::test]
async fn an_unclear_200_is_resolved_by_asking_again() {
    // The first answer is not Mirai's; asking again gets "already aborted": our first request did it.
    let mut server = Server::new_async().await;
    let unclear = abort_mock(&mut server, "c1")
        .with_status(200)
        .with_body(r#"{"ok":1}"#)
        .expect(1)
        .create_async()
        .await;
    let already = abort_mock(&mut server, "c1")
        .with_status(400)
        .with_body(r#"{"code":400,"message":"Call already aborted"}"#)
        .expect(1)
        .create_async()
        .await;
    let done = legacy(&server.url()).terminate(&id("c1")).await.unwrap();
    assert_eq!(done.outcome(), call_core::TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 2);
    unclear.assert_async().await;
    already.assert_async().await;
}

#[tokio::test]
async fn a_huge_error_body_is_capped_and_quoted() {
    let mut server = Server::new_async().await;
    let body = "x".repeat(8 * 1024 * 1024);
    let mock = abort_mock(&mut server, "c1")
        .with_status(400)
        .with_chunked_body(move |w| w.write_all(body.as_bytes()))
        .expect(1)
        .create_async()
        .await;
    let err = legacy(&server.url())
        .abort_call(&id("c1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotTerminable);
    assert!(err.to_string().len() < 1_000);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_hanging_server_times_out_after_every_attempt() {
    let server = RawServer::start(|_, _| Reply::Hang).await;
    let err = legacy_with(&server.url, impatient_retry())
        .terminate(&id("c1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.request_may_have_been_sent());
    assert_eq!(err.attempts(), 3);
    assert_eq!(server.count("POST /v2/call/abort "), 3);
    assert_error_has_no_key(&err);
}

#[tokio::test]
async fn a_connection_that_never_opens_is_a_transport_error_and_nothing_was_sent() {
    let err = legacy(&closed_port_url().await)
        .terminate(&id("c1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.request_may_have_been_sent());
}

#[tokio::test]
async fn odd_ids_travel_intact_in_the_body() {
    for (odd, _) in ODD_IDS {
        let mut server = Server::new_async().await;
        let mock = abort_mock(&mut server, odd)
            .with_status(200)
            .with_body(r#"{"message":"Call aborted successfully"}"#)
            .expect(1)
            .create_async()
            .await;
        let done = legacy(&server.url()).terminate(&id(odd)).await.unwrap();
        assert_eq!(done.call_id().as_str(), *odd);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn invalid_ids_send_nothing() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let _client = legacy(&server.url());
    for bad in INVALID_IDS {
        let err = bad.parse::<CallId>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
    }
    nothing.assert_async().await;
}

#[tokio::test]
async fn state_is_unsupported_and_sends_nothing() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let err = legacy(&server.url()).state(&id("c1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    nothing.assert_async().await;
}
