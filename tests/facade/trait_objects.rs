//! One loop stops calls at every provider.

use std::sync::Arc;
use std::time::Duration;

use calls_facade::cartesia::CartesiaClient;
use calls_facade::mirai::MiraiLegacyClient;
use calls_facade::{CallControl, CallId, ErrorKind, Provider, RetryConfig, TerminateOutcome};
use mockito::{Matcher, Server};

fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
        .with_attempt_timeout(Duration::from_millis(500))
}

fn providers(cartesia_url: &str, mirai_url: &str) -> Vec<Arc<dyn CallControl>> {
    let cartesia = CartesiaClient::builder()
        .api_key("sk_car_facade")
        .base_url(cartesia_url)
        .retry(retry())
        .build();
    let mirai = MiraiLegacyClient::builder()
        .public_key("pk_facade")
        .private_key("sk_facade")
        .workspace("6690a1b2c3d4e5f600000002")
        .base_url(mirai_url)
        .retry(retry())
        .build();
    vec![Arc::new(cartesia.unwrap()), Arc::new(mirai.unwrap())]
}

#[tokio::test]
async fn both_providers_terminate_through_the_same_trait() {
    let mut cartesia = Server::new_async().await;
    let mut mirai = Server::new_async().await;
    let cancel = cartesia
        .mock("POST", "/agents/calls/call_7/cancel")
        .match_header("authorization", "Bearer sk_car_facade")
        .with_body(r#"{"cancelled":true}"#)
        .expect(1)
        .create_async()
        .await;
    let abort = mirai
        .mock("POST", "/v2/call/abort")
        .match_header("x-public-key", "pk_facade")
        .match_header("x-private-key", "sk_facade")
        .match_header("workspace", "6690a1b2c3d4e5f600000002")
        .match_body(Matcher::JsonString(r#"{"callId":"call_7"}"#.into()))
        .with_body(r#"{"message":"Call aborted successfully"}"#)
        .expect(1)
        .create_async()
        .await;
    let id = CallId::new("call_7").unwrap();
    let mut seen = Vec::new();
    for provider in providers(&cartesia.url(), &mirai.url()) {
        let done = provider.terminate(&id).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::Terminated);
        assert_eq!(done.call_id(), &id);
        seen.push(provider.provider());
    }
    assert_eq!(seen, [Provider::Cartesia, Provider::Mirai]);
    cancel.assert_async().await;
    abort.assert_async().await;
}

#[tokio::test]
async fn each_provider_answers_already_over_and_not_found_in_the_same_terms() {
    let mut cartesia = Server::new_async().await;
    let mut mirai = Server::new_async().await;
    // Cartesia: a 400 on the first attempt, and the call reads as completed by the agent: it was already over.
    cartesia
        .mock("POST", "/agents/calls/done_1/cancel")
        .with_status(400)
        .expect(1)
        .create_async()
        .await;
    cartesia
        .mock("GET", "/agents/calls/done_1")
        .with_body(r#"{"id":"done_1","agent_id":"agent_1","status":"completed","end_reason":"agent_hangup"}"#)
        .expect(1)
        .create_async()
        .await;
    mirai
        .mock("POST", "/v2/call/abort")
        .match_body(Matcher::JsonString(r#"{"callId":"done_1"}"#.into()))
        .with_status(400)
        .with_body(r#"{"code":400,"message":"Call already completed"}"#)
        .expect(1)
        .create_async()
        .await;
    cartesia
        .mock("POST", "/agents/calls/nope/cancel")
        .with_status(404)
        .expect(1)
        .create_async()
        .await;
    cartesia
        .mock("GET", "/agents/calls/nope")
        .with_status(404)
        .expect(1)
        .create_async()
        .await;
    mirai
        .mock("POST", "/v2/call/abort")
        .match_body(Matcher::JsonString(r#"{"callId":"nope"}"#.into()))
        .with_status(404)
        .with_body(r#"{"code":404,"message":"Call not found"}"#)
        .expect(1)
        .create_async()
        .await;
    for provider in providers(&cartesia.url(), &mirai.url()) {
        let done = provider
            .terminate(&CallId::new("done_1").unwrap())
            .await
            .unwrap();
        assert_eq!(
            done.outcome(),
            TerminateOutcome::AlreadyEnded,
            "{}",
            provider.provider()
        );
        let error = provider
            .terminate(&CallId::new("nope").unwrap())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound, "{}", provider.provider());
        assert_eq!(error.provider(), Some(provider.provider()));
        assert_eq!(error.call_id().map(CallId::as_str), Some("nope"));
    }
}

#[tokio::test]
async fn only_cartesia_can_read_a_call_state() {
    let mut cartesia = Server::new_async().await;
    cartesia
        .mock("GET", "/agents/calls/live")
        .with_body(r#"{"id":"live","agent_id":"a","status":"started"}"#)
        .expect(1)
        .create_async()
        .await;
    let clients = providers(&cartesia.url(), "http://127.0.0.1:1");
    let id = CallId::new("live").unwrap();
    assert_eq!(
        clients[0].state(&id).await.unwrap(),
        calls_facade::CallState::Active
    );
    assert_eq!(
        clients[1].state(&id).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}
