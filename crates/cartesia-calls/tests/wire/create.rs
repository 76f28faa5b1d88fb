//! Create Outbound Call: the exact body, per-destination results, and never a second dial.

use cartesia_calls::{CreateOutboundCalls, ErrorKind};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;

use crate::support::{
    Case, RawServer, Reply, api_mock, assert_error_has_no_key, check_error_statuses, client,
    client_with, closed_port_url, error_json, impatient_retry, nothing_sent,
};

fn request() -> CreateOutboundCalls {
    CreateOutboundCalls::new("agent_1", "ap_1").to("+14155559876")
}

fn request_json() -> serde_json::Value {
    json!({"agent_id": "agent_1", "from_number_id": "ap_1", "outbound_calls": [{"to_number": "+14155559876"}]})
}

fn create_mock(server: &mut ServerGuard, body: serde_json::Value) -> Mock {
    api_mock(server, "POST", "/agents/calls")
        .match_header("accept", "application/json")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(body))
}

#[tokio::test]
async fn create_sends_the_exact_body_and_reads_each_destination() {
    let mut server = Server::new_async().await;
    let mut metadata = serde_json::Map::new();
    metadata.insert("customer_id".into(), json!("cus_42"));
    metadata.insert("attempt".into(), json!(2));
    let request = CreateOutboundCalls::new("agent_1", "ap_1")
        .to("+14155559876")
        .to_with_metadata("+442071838750", metadata)
        .to("+14155550000")
        .ringing_timeout_seconds(30)
        .max_call_duration_minutes(10);
    let body = json!({
        "agent_id": "agent_1",
        "from_number_id": "ap_1",
        "outbound_calls": [
            {"to_number": "+14155559876"},
            {"to_number": "+442071838750", "metadata": {"customer_id": "cus_42", "attempt": 2}},
            {"to_number": "+14155550000"}
        ],
        "ringing_timeout_seconds": 30,
        "max_call_duration_minutes": 10
    });
    let answer = json!({"calls": [
        {"number": "+14155559876", "agent_call_id": "ac_1"},
        {"number": "+442071838750", "error": {"message": "Number cannot be dialed", "code": "invalid_number"}},
        {"number": "+14155550000", "agent_call_id": "ac_3", "future_field": true}
    ]});
    let mock = create_mock(&mut server, body)
        .with_body(answer.to_string())
        .expect(1)
        .create_async()
        .await;
    let placed = client(&server.url())
        .create_outbound_calls(&request)
        .await
        .unwrap();
    assert_eq!(placed.calls.len(), 3);
    let ids: Vec<_> = placed.placed().map(|id| id.as_str()).collect();
    assert_eq!(ids, ["ac_1", "ac_3"]);
    assert!(placed.calls[0].is_placed());
    let failed = &placed.calls[1];
    assert!(!failed.is_placed());
    assert_eq!(failed.number, "+442071838750");
    assert_eq!(failed.call_id, None);
    let error = failed.error.as_ref().unwrap();
    assert_eq!(error.message.as_deref(), Some("Number cannot be dialed"));
    assert_eq!(error.code.as_deref(), Some("invalid_number"));
    assert_eq!(placed.failed().count(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn invalid_requests_send_nothing() {
    let mut server = Server::new_async().await;
    let none = nothing_sent(&mut server).await;
    let client = client(&server.url());
    let bad = [
        CreateOutboundCalls::new("agent_1", "ap_1"),
        CreateOutboundCalls::new("", "ap_1").to("+14155559876"),
        CreateOutboundCalls::new("agent_1", " ").to("+14155559876"),
        request().to("14155559876"),
        request().to("+1234567"),
        request().to("+1234567890123456"),
        request().to("+04155559876"),
        request().to("+1 415 555 9876"),
        request().to("+1415555987x"),
        request().ringing_timeout_seconds(4),
        request().ringing_timeout_seconds(81),
        request().max_call_duration_minutes(0),
    ];
    for request in bad {
        let err = client.create_outbound_calls(&request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{request:?}");
        assert!(!err.request_may_have_been_sent());
        assert!(!err.is_outcome_unknown());
    }
    none.assert_async().await;
}

#[tokio::test]
async fn boundary_numbers_and_timeouts_are_accepted() {
    let mut server = Server::new_async().await;
    let body = json!({
        "agent_id": "agent_1", "from_number_id": "ap_1",
        "outbound_calls": [{"to_number": "+12345678"}, {"to_number": "+123456789012345"}],
        "ringing_timeout_seconds": 80
    });
    let mock = create_mock(&mut server, body)
        .with_body(r#"{"calls":[{"number":"+12345678","agent_call_id":"ac_1"},{"number":"+123456789012345","agent_call_id":"ac_2"}]}"#)
        .expect(1)
        .create_async()
        .await;
    let request = CreateOutboundCalls::new("agent_1", "ap_1")
        .to("+12345678")
        .to("+123456789012345")
        .ringing_timeout_seconds(80);
    let placed = client(&server.url())
        .create_outbound_calls(&request)
        .await
        .unwrap();
    assert_eq!(placed.placed().count(), 2);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_5xx_is_never_retried_and_the_outcome_is_unknown() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for status in [500, 502, 503, 504] {
        server.reset();
        let mock = create_mock(&mut server, request_json())
            .with_status(status)
            .with_body(error_json("Outbound calling is temporarily unavailable"))
            .expect(1)
            .create_async()
            .await;
        let err = client.create_outbound_calls(&request()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Upstream);
        assert_eq!(err.status(), Some(u16::try_from(status).unwrap()));
        assert!(err.is_outcome_unknown());
        assert!(!err.is_retryable());
        assert_eq!(err.attempts(), 1);
        assert!(err.to_string().contains("list the agent's calls"), "{err}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn refusals_are_not_retried_and_not_outcome_unknown() {
    let cases: Vec<Case> = [
        (400, ErrorKind::InvalidInput),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (429, ErrorKind::RateLimited),
    ]
    .into_iter()
    .map(|(status, kind)| Case {
        status,
        kind,
        hits: 1,
    })
    .collect();
    check_error_statuses(
        &cases,
        |server| create_mock(server, request_json()),
        |client| async move {
            let result = client.create_outbound_calls(&request()).await;
            if let Err(err) = &result {
                assert!(!err.is_outcome_unknown(), "{err}");
            }
            result
        },
    )
    .await;
}

#[tokio::test]
async fn a_429_is_not_retried_even_with_retry_after_zero() {
    let mut server = Server::new_async().await;
    let mock = create_mock(&mut server, request_json())
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .create_outbound_calls(&request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(!err.is_outcome_unknown());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_timeout_after_sending_is_outcome_unknown_and_not_retried() {
    let server = RawServer::hanging().await;
    let err = client_with(&server.url, impatient_retry())
        .create_outbound_calls(&request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_outcome_unknown());
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("list the agent's calls"), "{err}");
    assert_eq!(server.count("POST /agents/calls "), 1);
    assert_error_has_no_key(&err);
}

#[tokio::test]
async fn a_reset_after_sending_is_outcome_unknown_and_not_retried() {
    let server = RawServer::resetting().await;
    let err = client(&server.url)
        .create_outbound_calls(&request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_outcome_unknown());
    assert_eq!(server.count("POST /agents/calls "), 1);
}

#[tokio::test]
async fn a_malformed_200_is_outcome_unknown() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in ["<html>", r#"{"calls":{}}"#, r#"{"ok":true}"#] {
        server.reset();
        let mock = create_mock(&mut server, request_json())
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = client.create_outbound_calls(&request()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert!(err.is_outcome_unknown());
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_known_not_sent() {
    let url = closed_port_url().await;
    let err = client(&url)
        .create_outbound_calls(&request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.request_may_have_been_sent());
    assert!(!err.is_outcome_unknown());
    assert_eq!(err.attempts(), 3);
}

#[tokio::test]
async fn a_json_answer_from_the_raw_server_decodes() {
    let server = RawServer::start(|_| {
        Reply::Json(
            200,
            r#"{"calls":[{"number":"+14155559876","agent_call_id":"ac_9"}]}"#.into(),
        )
    })
    .await;
    let placed = client(&server.url)
        .create_outbound_calls(&request())
        .await
        .unwrap();
    assert_eq!(placed.calls[0].call_id.as_ref().unwrap().as_str(), "ac_9");
}
