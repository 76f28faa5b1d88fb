//! Get Call Runtime Logs: the logs, "not available", and "not found" told apart.

use cartesia_calls::{CallLogsResult, ErrorKind};
use mockito::Server;

use crate::support::{
    ODD_IDS, check_error_statuses, client, error_json, id, json_mock, retried_cases,
};

#[tokio::test]
async fn logs_are_decoded() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1/logs")
        .with_body(
            r#"{"call_id":"ac_1","logs":["starting","tool lookup ok"],"updated_at":"2026-03-01T12:06:00Z"}"#,
        )
        .expect(1)
        .create_async()
        .await;
    let answer = client(&server.url())
        .get_call_logs(&id("ac_1"))
        .await
        .unwrap();
    assert!(answer.is_available());
    let logs = answer.into_logs().unwrap();
    assert_eq!(logs.call_id.as_str(), "ac_1");
    assert_eq!(logs.logs, ["starting", "tool lookup ok"]);
    assert_eq!(logs.updated_at.as_unix_seconds(), 1_772_366_760);
    mock.assert_async().await;
}

#[tokio::test]
async fn logs_not_available_is_an_answer_in_every_body_shape() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        error_json("Call logs not available"),
        r#"{"detail":"Call logs not available"}"#.to_owned(),
        r#"{"error_code":null,"title":"Call logs not available","message":"Not yet generated or removed by retention","request_id":"r"}"#.to_owned(),
        "Call logs not available".to_owned(),
    ] {
        server.reset();
        let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1/logs")
            .with_status(404)
            .with_body(&body)
            .expect(1)
            .create_async()
            .await;
        let answer = client
            .get_call_logs(&id("ac_1"))
            .await
            .unwrap();
        assert_eq!(answer, CallLogsResult::Unavailable, "{body}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn call_not_found_stays_an_error() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        error_json("Call not found"),
        r#"{"detail":"Call not found"}"#.to_owned(),
        String::new(),
    ] {
        server.reset();
        let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1/logs")
            .with_status(404)
            .with_body(&body)
            .expect(1)
            .create_async()
            .await;
        let err = client.get_call_logs(&id("ac_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{body}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn logs_map_every_error_status() {
    check_error_statuses(
        &retried_cases(),
        |server| json_mock(server, "GET", "/agents/calls/ac_1/logs"),
        |client| async move { client.get_call_logs(&id("ac_1")).await },
    )
    .await;
}

#[tokio::test]
async fn a_malformed_or_wrong_shaped_200_is_a_decode_error() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        "nope",
        r#"{"call_id":"ac_1","logs":"one line","updated_at":"2026-03-01T12:06:00Z"}"#,
        r#"{"call_id":"ac_1","logs":[]}"#,
    ] {
        server.reset();
        let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1/logs")
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = client.get_call_logs(&id("ac_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn odd_ids_are_encoded() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (raw, segment) in ODD_IDS {
        server.reset();
        let body =
            serde_json::json!({"call_id": raw, "logs": [], "updated_at": "2026-03-01T12:06:00Z"});
        let mock = json_mock(
            &mut server,
            "GET",
            format!("/agents/calls/{segment}/logs").as_str(),
        )
        .with_body(body.to_string())
        .expect(1)
        .create_async()
        .await;
        let answer = client.get_call_logs(&id(raw)).await.unwrap();
        assert!(answer.is_available());
        mock.assert_async().await;
    }
}
