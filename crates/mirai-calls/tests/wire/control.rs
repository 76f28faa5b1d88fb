//! Both Mirai clients behind `Arc<dyn CallControl>`, and what neither may ever print.

use std::sync::Arc;

use mirai_calls::call_core::{Provider, TerminateOutcome};
use mirai_calls::{CallControl, ErrorKind, MiraiLegacyClient, MiraiV2Client};
use mockito::Server;
use serde_json::json;

use crate::support::{
    API_KEY, PRIVATE_KEY, PUBLIC_KEY, RawServer, Reply, WORKSPACE, assert_error_has_no_key,
    assert_no_key, id, impatient_retry, legacy, legacy_mock, nothing_sent, v2, v2_bodiless_mock,
    v2_error, v2_with,
};

#[tokio::test]
async fn both_clients_terminate_through_the_trait() {
    let mut legacy_server = Server::new_async().await;
    let mut v2_server = Server::new_async().await;
    let legacy_abort = legacy_mock(
        &mut legacy_server,
        "POST",
        "/v2/call/abort",
        json!({"callId": "call_1"}),
    )
    .with_status(200)
    .with_body(r#"{"message":"Call aborted successfully"}"#)
    .expect(1)
    .create_async()
    .await;
    let v2_abort = v2_bodiless_mock(&mut v2_server, "POST", "/v2/calls/call_1/abort")
        .with_status(202)
        .with_body(r#"{"id":"call_1","status":"aborted"}"#)
        .expect(1)
        .create_async()
        .await;
    let clients: Vec<Arc<dyn CallControl>> = vec![
        Arc::new(legacy(&legacy_server.url())),
        Arc::new(v2(&v2_server.url())),
    ];
    let mut providers = Vec::new();
    for client in &clients {
        let done = client.terminate(&id("call_1")).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::Terminated);
        assert_eq!(done.provider(), client.provider());
        providers.push(client.provider());
    }
    assert_eq!(providers, [Provider::Mirai, Provider::MiraiV2]);
    legacy_abort.assert_async().await;
    v2_abort.assert_async().await;
}

#[test]
fn clients_and_builders_never_print_keys() {
    let builder = MiraiLegacyClient::builder()
        .public_key(PUBLIC_KEY)
        .private_key(PRIVATE_KEY)
        .workspace(WORKSPACE);
    let client = builder.clone().build().unwrap();
    let verifier = client.webhook_verifier();
    assert_no_key(&format!("{builder:?} {client:?} {verifier:?}"));
    let builder = MiraiV2Client::builder().api_key(API_KEY);
    let client = builder.clone().build().unwrap();
    assert_no_key(&format!("{builder:?} {client:?}"));
}

#[tokio::test]
async fn no_error_kind_prints_a_key() {
    let mut server = Server::new_async().await;
    let mut errors = Vec::new();
    for (status, body) in [
        (400, v2_error("invalid_request", "bad")),
        (401, v2_error("unauthorized", "bad key")),
        (403, v2_error("forbidden", "revoked")),
        (404, v2_error("not_found", "nope")),
        (409, v2_error("conflict", "over")),
        (429, v2_error("rate_limited", "slow")),
        (500, v2_error("internal", "bug")),
        (200, "not json".to_owned()),
    ] {
        server.reset();
        let _mock = server
            .mock("GET", "/v2/calls/call_1")
            .with_status(status)
            .with_header("retry-after", "0")
            .with_body(body)
            .create_async()
            .await;
        errors.push(v2(&server.url()).get_call(&id("call_1")).await.unwrap_err());
        let _mock = server
            .mock("POST", "/v2/call/abort")
            .with_status(status)
            .with_header("retry-after", "0")
            .with_body(r#"{"code":0,"message":"m"}"#)
            .create_async()
            .await;
        if let Err(err) = legacy(&server.url()).abort_call(&id("call_1")).await {
            errors.push(err);
        }
    }
    let hang = RawServer::start(|_, _| Reply::Hang).await;
    errors.push(
        v2_with(&hang.url, impatient_retry())
            .get_call(&id("call_1"))
            .await
            .unwrap_err(),
    );
    errors.push(
        MiraiLegacyClient::builder()
            .public_key(PUBLIC_KEY)
            .private_key(format!("{PRIVATE_KEY}\n"))
            .workspace(WORKSPACE)
            .build()
            .unwrap_err(),
    );
    errors.push(
        MiraiV2Client::builder()
            .api_key(format!("{API_KEY}\r\nX: y"))
            .build()
            .unwrap_err(),
    );
    assert!(errors.len() >= 10);
    for err in &errors {
        assert_error_has_no_key(err);
    }
    let kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
    for kind in [
        ErrorKind::InvalidInput,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::RateLimited,
        ErrorKind::Upstream,
        ErrorKind::Decode,
        ErrorKind::Timeout,
        ErrorKind::NotTerminable,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} not covered");
    }
}

#[tokio::test]
async fn a_feature_that_is_off_is_not_retried() {
    // 503 `campaigns_unavailable` / `transcription_unavailable` are configuration, not weather.
    for code in ["campaigns_unavailable", "transcription_unavailable"] {
        let mut server = Server::new_async().await;
        let mock = v2_bodiless_mock(&mut server, "GET", "/v2/calls/call_1/transcript")
            .with_status(503)
            .with_body(v2_error(code, "not enabled on this deployment"))
            .expect(1)
            .create_async()
            .await;
        let err = v2(&server.url())
            .transcript(&id("call_1"))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(err.provider_code(), Some(code));
        assert!(!err.is_retryable());
        assert_eq!(err.attempts(), 1);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_huge_v2_error_body_is_capped_and_quoted() {
    let mut server = Server::new_async().await;
    let body = format!(
        "{{\"error\":{{\"code\":\"internal\",\"message\":\"{}\"}}}}",
        "x".repeat(8 * 1024 * 1024)
    );
    let mock = v2_bodiless_mock(&mut server, "GET", "/v2/calls/call_1")
        .with_status(404)
        .with_chunked_body(move |w| w.write_all(body.as_bytes()))
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url()).get_call(&id("call_1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().len() < 1_000);
    mock.assert_async().await;
}

#[tokio::test]
async fn the_legacy_state_is_unsupported_through_the_trait() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let client: Arc<dyn CallControl> = Arc::new(legacy(&server.url()));
    assert_eq!(
        client.state(&id("c1")).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    nothing.assert_async().await;
}
