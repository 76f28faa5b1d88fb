//! Delete Call: the redacted record, the "cancel it first" conflict, and the failure modes.

use cartesia_calls::{CartesiaCallStatus, ConnectionType, ErrorKind};
use mockito::Server;

use crate::support::{
    ODD_IDS, RawServer, call_json, check_error_statuses, client, error_json, id, json_mock,
    retried_cases, with_case,
};

const REDACTED: &str = r#"{"id":"ac_abc123","agent_id":"agent_abc123","agent_name":"Customer support",
  "redacted_at":"2026-03-01T12:30:00Z","start_time":"2026-03-01T12:00:00Z","end_time":"2026-03-01T12:05:00Z",
  "telephony_params":{"call_sid":"sid_abc123","connection_type":"websocket"},
  "status":"completed","end_reason":"agent_hangup"}"#;

#[tokio::test]
async fn delete_sends_the_documented_request_and_returns_the_redacted_record() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "DELETE", "/agents/calls/ac_abc123")
        .with_body(REDACTED)
        .expect(1)
        .create_async()
        .await;
    let call = client(&server.url())
        .delete_call(&id("ac_abc123"))
        .await
        .unwrap();
    assert_eq!(call.status, CartesiaCallStatus::Completed);
    assert_eq!(call.redacted_at.unwrap().as_unix_seconds(), 1_772_368_200);
    assert_eq!(call.transcript, None);
    let telephony = call.telephony_params.unwrap();
    assert_eq!(telephony.to, None);
    assert_eq!(telephony.connection_type, Some(ConnectionType::Websocket));
    mock.assert_async().await;
}

#[tokio::test]
async fn deleted_fields_may_also_come_back_null() {
    let mut server = Server::new_async().await;
    let body = r#"{"id":"ac_1","agent_id":"a","status":"failed","redacted_at":"2026-03-01T12:30:00Z",
        "transcript":null,"summary":null,"metadata":null,"telephony_params":{"to":null,"from":null}}"#;
    let mock = json_mock(&mut server, "DELETE", "/agents/calls/ac_1")
        .with_body(body)
        .expect(1)
        .create_async()
        .await;
    let call = client(&server.url())
        .delete_call(&id("ac_1"))
        .await
        .unwrap();
    assert!(call.redacted_at.is_some());
    assert_eq!(call.summary, None);
    assert_eq!(call.telephony_params.unwrap().from, None);
    mock.assert_async().await;
}

#[tokio::test]
async fn deleting_an_active_call_says_to_cancel_it_first() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for status in [400, 409] {
        server.reset();
        let mock = json_mock(&mut server, "DELETE", "/agents/calls/ac_1")
            .with_status(status)
            .with_body(error_json(
                "Call is not in a terminal state. Only completed or failed calls can be deleted.",
            ))
            .expect(1)
            .create_async()
            .await;
        let err = client.delete_call(&id("ac_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert_eq!(err.status(), Some(u16::try_from(status).unwrap()));
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("cancel it first"), "{err}");
        assert_eq!(err.request_id(), Some("req_550e8400"));
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn delete_maps_every_error_status() {
    check_error_statuses(
        &with_case(retried_cases(), 400, ErrorKind::Conflict, 1),
        |server| json_mock(server, "DELETE", "/agents/calls/ac_1"),
        |client| async move { client.delete_call(&id("ac_1")).await },
    )
    .await;
}

#[tokio::test]
async fn a_500_is_retried_because_deletion_is_idempotent() {
    let mut server = Server::new_async().await;
    let failing = json_mock(&mut server, "DELETE", "/agents/calls/ac_1")
        .with_status(500)
        .with_body(error_json("Deletion did not complete. Retry the request."))
        .expect(1)
        .create_async()
        .await;
    let ok = json_mock(&mut server, "DELETE", "/agents/calls/ac_1")
        .with_body(REDACTED.replace("ac_abc123", "ac_1"))
        .expect(1)
        .create_async()
        .await;
    let call = client(&server.url())
        .delete_call(&id("ac_1"))
        .await
        .unwrap();
    assert!(call.redacted_at.is_some());
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_malformed_or_wrong_shaped_200_is_a_decode_error() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in ["<html>ok</html>", r#"{"deleted":true}"#] {
        server.reset();
        let mock = json_mock(&mut server, "DELETE", "/agents/calls/ac_1")
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = client.delete_call(&id("ac_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_reset_delete_is_retried_then_reported() {
    let server = RawServer::resetting().await;
    let err = client(&server.url)
        .delete_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(server.count("DELETE /agents/calls/ac_1 "), 3);
}

#[tokio::test]
async fn odd_ids_are_encoded() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (raw, segment) in ODD_IDS {
        server.reset();
        let mock = json_mock(
            &mut server,
            "DELETE",
            format!("/agents/calls/{segment}").as_str(),
        )
        .with_body(call_json(raw, "completed", None))
        .expect(1)
        .create_async()
        .await;
        client.delete_call(&id(raw)).await.unwrap();
        mock.assert_async().await;
    }
}
