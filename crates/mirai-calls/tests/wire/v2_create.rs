//! New-API Create Call (`POST /v2/calls`): exact bodies, one idempotency key per call across every retry.

use mirai_calls::ErrorKind;
use mirai_calls::v2::{CreateCall, MiraiV2CallStatus, Timing};
use mockito::{Matcher, Server};
use serde_json::json;

use crate::support::{
    RawServer, Reply, assert_error_has_no_key, impatient_retry, nothing_sent, v2, v2_error,
    v2_mock, v2_with,
};

const ACCEPTED: &str = r#"{"id":"call_01JZQ9B4M8N3P6R2S5T7V9W1YA","status":"queued"}"#;

fn create_mock(
    server: &mut mockito::ServerGuard,
    key: &str,
    body: serde_json::Value,
) -> mockito::Mock {
    v2_mock(server, "POST", "/v2/calls")
        .match_header("idempotency-key", key)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(body))
}

fn phone_body() -> serde_json::Value {
    json!({"agent_id": "agt_1", "to": "+919876543210"})
}

#[tokio::test]
async fn sends_the_exact_request_and_reads_the_202() {
    let mut server = Server::new_async().await;
    let call = CreateCall::phone("agt_1", "+919876543210");
    assert!(call.key().len() == 32 && call.key().bytes().all(|b| b.is_ascii_hexdigit()));
    let mock = create_mock(&mut server, call.key(), phone_body())
        .with_status(202)
        .with_body(ACCEPTED)
        .expect(1)
        .create_async()
        .await;
    let created = v2(&server.url()).create_call(&call).await.unwrap();
    assert_eq!(created.id.as_str(), "call_01JZQ9B4M8N3P6R2S5T7V9W1YA");
    assert_eq!(created.status, MiraiV2CallStatus::Queued);
    assert_eq!(created.idempotency_key, call.key());
    assert_eq!(created.attempts, 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn sends_every_field_and_reads_a_web_call() {
    let mut server = Server::new_async().await;
    let mut timing = Timing::new();
    timing.wrap_up_secs_before_end = Some(60);
    timing.wrap_up_instruction = Some("Wrap up.".into());
    timing.close_secs_before_end = Some(20);
    timing.close_message = Some("Bye!".into());
    timing.user_silence_close_secs = Some(30);
    timing.user_silence_message = Some("Are you there?".into());
    let call = CreateCall::web("agt_1")
        .variable("customer_name", "Asha")
        .metadata("order_id", "8842")
        .metadata("attempt", 2)
        .first_message("Namaste!")
        .webhook_url("https://example.com/hooks/mirai?t=1")
        .max_duration_secs(600)
        .timing(timing)
        .recording_enabled(false)
        .final_results(true)
        .tier("t3")
        .idempotency_key("order-8842-confirm-1");
    let body = json!({
        "agent_id": "agt_1",
        "channel": "web",
        "variables": {"customer_name": "Asha"},
        "metadata": {"order_id": "8842", "attempt": 2},
        "first_message": "Namaste!",
        "webhook_url": "https://example.com/hooks/mirai?t=1",
        "max_duration_secs": 600,
        "timing": {
            "wrap_up_secs_before_end": 60, "wrap_up_instruction": "Wrap up.",
            "close_secs_before_end": 20, "close_message": "Bye!",
            "user_silence_close_secs": 30, "user_silence_message": "Are you there?"
        },
        "recording_enabled": false,
        "final_results": true,
        "tier": "t3"
    });
    let mock = create_mock(&mut server, "order-8842-confirm-1", body)
        .with_status(202)
        .with_body(
            json!({"id": "call_w1", "status": "queued", "transport": "web", "ws_url": "wss://x/ws?token=1",
                   "ws_url_expires_at": "2026-07-26T09:19:02Z", "events_url": "https://x/events"})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let created = v2(&server.url()).create_call(&call).await.unwrap();
    assert_eq!(created.transport.as_deref(), Some("web"));
    assert_eq!(created.ws_url.as_deref(), Some("wss://x/ws?token=1"));
    assert!(created.ws_url_expires_at.is_some());
    assert_eq!(created.events_url.as_deref(), Some("https://x/events"));
    mock.assert_async().await;
}

#[tokio::test]
async fn retries_keep_the_same_key() {
    let mut server = Server::new_async().await;
    let call = CreateCall::phone("agt_1", "+919876543210");
    let failing = create_mock(&mut server, call.key(), phone_body())
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let limited = create_mock(&mut server, call.key(), phone_body())
        .with_status(429)
        .with_header("retry-after", "0")
        .with_body(v2_error(
            "concurrency_limit",
            "all 2 concurrent channels of this account are busy",
        ))
        .expect(1)
        .create_async()
        .await;
    let ok = create_mock(&mut server, call.key(), phone_body())
        .with_status(202)
        .with_body(ACCEPTED)
        .expect(1)
        .create_async()
        .await;
    let created = v2(&server.url()).create_call(&call).await.unwrap();
    assert_eq!(created.attempts, 3);
    failing.assert_async().await;
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn the_same_call_sent_twice_reuses_its_key() {
    let mut server = Server::new_async().await;
    let call = CreateCall::phone("agt_1", "+919876543210");
    let mock = create_mock(&mut server, call.key(), phone_body())
        .with_status(202)
        .with_body(ACCEPTED)
        .expect(2)
        .create_async()
        .await;
    let client = v2(&server.url());
    let first = client.create_call(&call).await.unwrap();
    let again = client.create_call(&call.clone()).await.unwrap();
    assert_eq!(first.id, again.id);
    mock.assert_async().await;
}

#[tokio::test]
async fn timeouts_are_retried_with_one_key() {
    let server = RawServer::start(|_, _| Reply::Hang).await;
    let call = CreateCall::phone("agt_1", "+919876543210").idempotency_key("order-1");
    let err = v2_with(&server.url, impatient_retry())
        .create_call(&call)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.attempts(), 3);
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    for request in &seen {
        assert_eq!(request.line, "POST /v2/calls HTTP/1.1");
        assert_eq!(
            request.header("idempotency-key").as_deref(),
            Some("order-1")
        );
    }
    assert_error_has_no_key(&err);
}

#[tokio::test]
async fn a_duplicate_call_is_asked_again_for_the_original_202() {
    let mut server = Server::new_async().await;
    let call = CreateCall::phone("agt_1", "+919876543210");
    let processing = create_mock(&mut server, call.key(), phone_body())
        .with_status(409)
        .with_body(v2_error(
            "duplicate_call",
            "a request with this Idempotency-Key is still processing",
        ))
        .expect(2)
        .create_async()
        .await;
    let ok = create_mock(&mut server, call.key(), phone_body())
        .with_status(202)
        .with_body(ACCEPTED)
        .expect(1)
        .create_async()
        .await;
    let created = v2(&server.url()).create_call(&call).await.unwrap();
    assert_eq!(created.attempts, 3);
    processing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_duplicate_call_that_never_resolves_gives_up_after_a_bounded_number_of_waits() {
    let mut server = Server::new_async().await;
    let call = CreateCall::phone("agt_1", "+919876543210");
    // One first request and three waits (the retry config's max_attempts).
    let processing = create_mock(&mut server, call.key(), phone_body())
        .with_status(409)
        .with_header("retry-after", "0")
        .with_body(v2_error("duplicate_call", "still processing"))
        .expect(4)
        .create_async()
        .await;
    let err = v2(&server.url()).create_call(&call).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.provider_code(), Some("duplicate_call"));
    assert_eq!(err.attempts(), 4);
    assert!(err.is_retryable());
    processing.assert_async().await;
}

#[tokio::test]
async fn documented_refusals_map_with_exact_hit_counts() {
    let cases = [
        (400, v2_error("invalid_request", "to must be E.164"), ErrorKind::InvalidInput, 1, "invalid_request", false),
        (
            400,
            json!({"error": "invalid_flow", "details": [{"path": "nodes[0]", "message": "no edges"}]}).to_string(),
            ErrorKind::InvalidInput,
            1,
            "invalid_flow",
            false,
        ),
        (401, v2_error("unauthorized", "bad key"), ErrorKind::Unauthorized, 1, "unauthorized", false),
        (402, v2_error("insufficient_balance", "top up"), ErrorKind::Rejected, 1, "insufficient_balance", false),
        (403, v2_error("recording_disabled", "off"), ErrorKind::Forbidden, 1, "recording_disabled", false),
        (403, v2_error("contract_unavailable", "plan"), ErrorKind::Forbidden, 1, "contract_unavailable", false),
        (404, v2_error("not_found", "agent not found"), ErrorKind::NotFound, 1, "not_found", false),
        (409, v2_error("flow_first_message_unsupported", "x"), ErrorKind::Conflict, 1, "flow_first_message_unsupported", false),
        (409, v2_error("flow_agent_voice_only", "x"), ErrorKind::Conflict, 1, "flow_agent_voice_only", false),
        (429, v2_error("rate_limited", "rate limit exceeded, retry in 0.4s"), ErrorKind::RateLimited, 3, "rate_limited", true),
        (429, v2_error("at_capacity", "lines busy"), ErrorKind::RateLimited, 3, "at_capacity", true),
        (500, v2_error("internal", "bug"), ErrorKind::Upstream, 3, "internal", true),
        (501, v2_error("tier_unavailable", "t5 off"), ErrorKind::Rejected, 1, "tier_unavailable", false),
        (503, v2_error("upstream_unavailable", "down"), ErrorKind::Upstream, 3, "upstream_unavailable", true),
    ];
    for (status, body, kind, hits, code, retryable) in cases {
        let mut server = Server::new_async().await;
        let call = CreateCall::phone("agt_1", "+919876543210");
        let mock = create_mock(&mut server, call.key(), phone_body())
            .with_status(status)
            .with_header("retry-after", "0")
            .with_body(body)
            .expect(hits)
            .create_async()
            .await;
        let err = v2(&server.url()).create_call(&call).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
        assert_eq!(err.status(), Some(status as u16), "{code}");
        assert_eq!(err.provider_code(), Some(code));
        assert_eq!(err.attempts(), hits as u32, "{code}");
        assert_eq!(err.is_retryable(), retryable, "{code}");
        assert!(err.provider_message().is_some(), "{code}");
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn invalid_calls_send_nothing() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let client = v2(&server.url());
    for call in [
        CreateCall::phone("agt_1", "9876543210"),
        CreateCall::phone("", "+919876543210"),
        CreateCall::phone("agt_1", "+919876543210").max_duration_secs(10),
        CreateCall::phone("agt_1", "+919876543210").webhook_url("http://example.com/h"),
        CreateCall::phone("agt_1", "+919876543210").metadata("bad key", "x"),
        CreateCall::phone("agt_1", "+919876543210").idempotency_key("k\u{e9}y"),
    ] {
        let err = client.create_call(&call).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{call:?}");
        assert_eq!(err.attempts(), 0);
    }
    nothing.assert_async().await;
}

#[tokio::test]
async fn a_malformed_202_is_a_decode_error() {
    let mut server = Server::new_async().await;
    let call = CreateCall::phone("agt_1", "+919876543210");
    let mock = create_mock(&mut server, call.key(), phone_body())
        .with_status(202)
        .with_body(r#"{"status":"queued"}"#)
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url()).create_call(&call).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    mock.assert_async().await;
}

/// A clock whose sleeps take no time: each is recorded, and `now()` moves on by it.
#[derive(Debug, Default)]
struct RecordingClock {
    slept: std::sync::Mutex<Vec<std::time::Duration>>,
}

impl RecordingClock {
    fn slept(&self) -> Vec<std::time::Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl mirai_calls::call_core::Clock for RecordingClock {
    fn now(&self) -> std::time::Instant {
        std::time::Instant::now() + self.slept().iter().sum::<std::time::Duration>()
    }

    fn sleep(
        &self,
        duration: std::time::Duration,
    ) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.slept.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

#[tokio::test]
async fn duplicate_call_waits_sleep_through_the_clients_clock() {
    let mut server = Server::new_async().await;
    let call = CreateCall::phone("agt_1", "+919876543210");
    let processing = create_mock(&mut server, call.key(), phone_body())
        .with_status(409)
        .with_header("retry-after", "20")
        .with_body(v2_error("duplicate_call", "still processing"))
        .expect(2)
        .create_async()
        .await;
    let ok = create_mock(&mut server, call.key(), phone_body())
        .with_status(202)
        .with_body(ACCEPTED)
        .expect(1)
        .create_async()
        .await;
    let clock = std::sync::Arc::new(RecordingClock::default());
    let retry = crate::support::fast_retry()
        .with_operation_timeout(std::time::Duration::from_secs(60))
        .with_clock(clock.clone());
    let started = std::time::Instant::now();
    let created = v2_with(&server.url(), retry)
        .create_call(&call)
        .await
        .unwrap();
    assert_eq!(created.attempts, 3);
    // Mirai's 20 s twice, through the same sleep as every other wait, and not for real.
    let twenty = std::time::Duration::from_secs(20);
    assert_eq!(clock.slept(), [twenty, twenty]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    processing.assert_async().await;
    ok.assert_async().await;
}
