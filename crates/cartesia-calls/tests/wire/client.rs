//! The client as a whole: held as `Arc<dyn CallControl>`, headers, base URL prefixes, ids, and the key kept secret.

use std::sync::Arc;

use cartesia_calls::call_core::TerminateOutcome;
use cartesia_calls::{CallControl, CallId, CallState, CartesiaClient, ErrorKind};
use mockito::{Matcher, Server};

use crate::support::{
    INVALID_IDS, KEY, assert_no_key, call_json, client, error_json, fast_retry, id, json_mock,
    nothing_sent,
};

#[tokio::test]
async fn the_client_works_as_arc_dyn_call_control() {
    let mut server = Server::new_async().await;
    let cancel = json_mock(&mut server, "POST", "/agents/calls/ac_1/cancel")
        .with_body(r#"{"cancelled":true}"#)
        .expect(1)
        .create_async()
        .await;
    let get = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_body(call_json("ac_1", "completed", Some("api_cancelled")))
        .expect(1)
        .create_async()
        .await;
    let providers: Vec<Arc<dyn CallControl>> = vec![Arc::new(client(&server.url()))];
    for provider in &providers {
        assert_eq!(provider.provider().as_str(), "cartesia");
        let done = provider.terminate(&id("ac_1")).await.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::Terminated);
        assert_eq!(provider.state(&id("ac_1")).await.unwrap(), CallState::Ended);
    }
    cancel.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn the_client_is_cheap_to_share_across_tasks() {
    fn check<T: Clone + Send + Sync + 'static>() {}
    check::<CartesiaClient>();
    let mut server = Server::new_async().await;
    let get = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_body(call_json("ac_1", "started", None))
        .expect(4)
        .create_async()
        .await;
    let client = client(&server.url());
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_call(&id("ac_1")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    get.assert_async().await;
}

#[tokio::test]
async fn an_api_version_override_is_sent_instead_of_the_default() {
    let mut server = Server::new_async().await;
    let mock = server
        .mock("GET", "/agents/calls/ac_1")
        .match_header("cartesia-version", "2025-04-16")
        .match_header("authorization", format!("Bearer {KEY}").as_str())
        .with_body(call_json("ac_1", "active", None))
        .expect(1)
        .create_async()
        .await;
    let client = CartesiaClient::builder()
        .api_key(KEY)
        .base_url(server.url())
        .api_version("2025-04-16")
        .retry(fast_retry())
        .build()
        .unwrap();
    client.get_call(&id("ac_1")).await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "GET", "/proxy/cartesia/agents/calls/a%2Fb")
        .with_body(call_json("a/b", "completed", None))
        .expect(1)
        .create_async()
        .await;
    let client = client(&format!("{}/proxy/cartesia/", server.url()));
    client.get_call(&id("a/b")).await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn invalid_ids_are_refused_before_anything_is_sent() {
    let mut server = Server::new_async().await;
    let none = nothing_sent(&mut server).await;
    let _client = client(&server.url());
    for raw in INVALID_IDS {
        let err = raw.parse::<CallId>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{raw:?}");
        assert_eq!(err.attempts(), 0);
    }
    none.assert_async().await;
}

#[tokio::test]
async fn the_key_is_never_printed() {
    let builder = CartesiaClient::builder().api_key(KEY).retry(fast_retry());
    let built = builder.clone().build().unwrap();
    assert_no_key(&format!("{builder:?} {built:?}"));

    // A key a header cannot carry is refused without echoing it.
    let err = CartesiaClient::builder()
        .api_key(format!("{KEY}\n"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_no_key(&format!("{err} {err:?}"));

    // A server that echoes the key back: it is quoted only as the server's words, and never from our headers.
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_status(401)
        .with_body(error_json("invalid api key"))
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_no_key(&format!("{err} {err:?}"));
    mock.assert_async().await;
}

#[tokio::test]
async fn a_plain_http_base_url_to_another_host_is_refused() {
    let err = CartesiaClient::builder()
        .api_key(KEY)
        .base_url("http://api.cartesia.ai")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn an_unmatched_request_is_not_retried_into_success() {
    // mockito answers 501 to what no mock matches; 501 is not a transient status.
    let mut server = Server::new_async().await;
    let other = server
        .mock("GET", Matcher::Any)
        .with_status(501)
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Upstream);
    assert!(!err.is_retryable());
    other.assert_async().await;
}
