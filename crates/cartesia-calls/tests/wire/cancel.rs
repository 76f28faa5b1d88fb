//! Cancel Call and the certain-termination logic built on it.

use std::time::Duration;

use cartesia_calls::{CallControl, CallId, ErrorKind, call_core::TerminateOutcome};
use mockito::{Matcher, Server};

use crate::support::{KEY, assert_no_key, client, fast_retry};

fn cancel_mock(server: &mut mockito::ServerGuard, path: &str) -> mockito::Mock {
    server
        .mock("POST", path)
        .match_header("authorization", format!("Bearer {KEY}").as_str())
        .match_header("cartesia-version", "2026-03-01")
        .match_header(
            "user-agent",
            Matcher::Regex(r"^cartesia-calls/\d+\.\d+\.\d+ call-core/".into()),
        )
        .match_body(Matcher::Missing)
}

#[tokio::test]
async fn cancel_sends_exactly_the_documented_request() {
    let mut server = Server::new_async().await;
    let mock = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
        .with_status(200)
        .with_body(r#"{"cancelled":true}"#)
        .expect(1)
        .create_async()
        .await;
    let client = client(&server.url());
    let done = client
        .terminate(&CallId::new("ac_1").unwrap())
        .await
        .unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_502_is_retried_then_succeeds() {
    // cancel_call, one to one with Cancel Call, retries a 502 blind (a repeat is harmless);
    // terminate reads first instead (see terminate.rs).
    let mut server = Server::new_async().await;
    let failing = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
        .with_status(502)
        .expect(2)
        .create_async()
        .await;
    let ok = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
        .with_status(200)
        .with_body(r#"{"cancelled":true}"#)
        .expect(1)
        .create_async()
        .await;
    client(&server.url())
        .cancel_call(&CallId::new("ac_1").unwrap())
        .await
        .unwrap();
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_hanging_server_hits_the_attempt_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            open.push(socket);
        }
    });
    let retry = fast_retry()
        .with_max_attempts(1)
        .with_attempt_timeout(Duration::from_millis(50));
    let client = cartesia_calls::CartesiaClient::builder()
        .api_key(KEY)
        .base_url(url)
        .retry(retry)
        .build()
        .unwrap();
    let err = client
        .cancel_call(&CallId::new("ac_1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.request_may_have_been_sent());
    assert_no_key(&format!("{err} {err:?}"));
    hold.abort();
}

#[tokio::test]
async fn a_huge_error_body_is_capped_and_quoted() {
    let mut server = Server::new_async().await;
    let body = "x".repeat(8 * 1024 * 1024);
    let mock = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
        .with_status(403)
        .with_chunked_body(move |w| w.write_all(body.as_bytes()))
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .cancel_call(&CallId::new("ac_1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().len() < 1_000);
    mock.assert_async().await;
}

#[tokio::test]
async fn cancel_maps_every_error_status() {
    use crate::support::{check_error_statuses, json_mock, retried_cases, with_case};
    check_error_statuses(
        &with_case(retried_cases(), 400, ErrorKind::NotTerminable, 1),
        |server| json_mock(server, "POST", "/agents/calls/ac_1/cancel"),
        |client| async move { client.cancel_call(&CallId::new("ac_1").unwrap()).await },
    )
    .await;
}

#[tokio::test]
async fn a_200_that_does_not_confirm_is_a_decode_error() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        "",
        "ok",
        r#"{"cancelled":false}"#,
        r#"{"cancelled":"yes"}"#,
        "[]",
    ] {
        server.reset();
        let mock = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
            .with_status(200)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = client
            .cancel_call(&CallId::new("ac_1").unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_404_keeps_the_providers_words() {
    let mut server = Server::new_async().await;
    let mock = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
        .with_status(404)
        .with_body(crate::support::error_json(
            "No active connection found for the call",
        ))
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .cancel_call(&CallId::new("ac_1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.provider_message(),
        Some("No active connection found for the call")
    );
    assert_eq!(err.request_id(), Some("req_550e8400"));
    mock.assert_async().await;
}

#[tokio::test]
async fn a_reset_cancel_is_retried_then_reported() {
    let server = crate::support::RawServer::resetting().await;
    let err = client(&server.url)
        .cancel_call(&CallId::new("ac_1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.request_may_have_been_sent());
    assert_eq!(server.count("POST /agents/calls/ac_1/cancel "), 3);
}

#[tokio::test]
async fn a_retry_after_zero_is_honoured() {
    let mut server = Server::new_async().await;
    let limited = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let ok = cancel_mock(&mut server, "/agents/calls/ac_1/cancel")
        .with_status(200)
        .with_body(r#"{"cancelled":true}"#)
        .expect(1)
        .create_async()
        .await;
    client(&server.url())
        .cancel_call(&CallId::new("ac_1").unwrap())
        .await
        .unwrap();
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn odd_ids_are_one_encoded_segment() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (raw, segment) in crate::support::ODD_IDS {
        server.reset();
        let mock = cancel_mock(&mut server, &format!("/agents/calls/{segment}/cancel"))
            .with_status(200)
            .with_body(r#"{"cancelled":true}"#)
            .expect(1)
            .create_async()
            .await;
        client
            .cancel_call(&CallId::new(*raw).unwrap())
            .await
            .unwrap();
        mock.assert_async().await;
    }
}
