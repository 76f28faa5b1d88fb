//! Legacy Update Call Payload (`PUT /v2/call/{callId}`).

use mirai_calls::ErrorKind;
use mirai_calls::legacy::{NdrFollowupPayload, OrderCustomer};
use mockito::Server;
use serde_json::{Map, json};

use crate::support::{ODD_IDS, assert_error_has_no_key, id, legacy, legacy_mock};

fn payload() -> Map<String, serde_json::Value> {
    let mut payload = Map::new();
    payload.insert(
        "customer".into(),
        json!({"firstName": "Jane", "phone": "+919876543210"}),
    );
    payload.insert("orderId".into(), json!("ORD-12345"));
    payload
}

fn body() -> serde_json::Value {
    json!({"payload": {"customer": {"firstName": "Jane", "phone": "+919876543210"}, "orderId": "ORD-12345"}})
}

#[tokio::test]
async fn a_200_replaces_the_payload() {
    let mut server = Server::new_async().await;
    let mock = legacy_mock(
        &mut server,
        "PUT",
        "/v2/call/507f1f77bcf86cd799439011",
        body(),
    )
    .with_status(200)
    .with_body(r#"{"status_code":200,"message":"Call payload updated successfully."}"#)
    .expect(1)
    .create_async()
    .await;
    legacy(&server.url())
        .update_call_payload(&id("507f1f77bcf86cd799439011"), payload())
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn a_typed_payload_is_sent_as_documented() {
    let mut server = Server::new_async().await;
    let mock = legacy_mock(
        &mut server,
        "PUT",
        "/v2/call/c1",
        json!({"payload": {"awb": "1", "ndrReason": "x", "customer": {"firstName": "J"}}}),
    )
    .with_status(200)
    .with_body("{}")
    .expect(1)
    .create_async()
    .await;
    legacy(&server.url())
        .update_call_payload(
            &id("c1"),
            NdrFollowupPayload::new("1", "x", OrderCustomer::new("J")),
        )
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn odd_ids_are_one_path_segment() {
    for (odd, segment) in ODD_IDS {
        let mut server = Server::new_async().await;
        let mock = legacy_mock(
            &mut server,
            "PUT",
            format!("/v2/call/{segment}").as_str(),
            body(),
        )
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create_async()
        .await;
        legacy(&server.url())
            .update_call_payload(&id(odd), payload())
            .await
            .unwrap();
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn documented_refusals_map() {
    let cases = [
        (
            400,
            r#"{"code":400,"message":"Call already in progress or completed"}"#,
            ErrorKind::Conflict,
        ),
        (
            400,
            r#"{"code":400,"message":"payload is required"}"#,
            ErrorKind::InvalidInput,
        ),
        (
            401,
            r#"{"code":401,"message":"Unauthorized"}"#,
            ErrorKind::Unauthorized,
        ),
        (
            404,
            r#"{"code":404,"message":"Call not found."}"#,
            ErrorKind::NotFound,
        ),
    ];
    for (status, reply, kind) in cases {
        let mut server = Server::new_async().await;
        let mock = legacy_mock(&mut server, "PUT", "/v2/call/c1", body())
            .with_status(status)
            .with_body(reply)
            .expect(1)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .update_call_payload(&id("c1"), payload())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{reply}");
        assert_eq!(err.status(), Some(status as u16));
        assert_eq!(err.call_id().map(|c| c.as_str()), Some("c1"));
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_502_is_retried_because_a_replace_is_harmless() {
    let mut server = Server::new_async().await;
    let failed = legacy_mock(&mut server, "PUT", "/v2/call/c1", body())
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let ok = legacy_mock(&mut server, "PUT", "/v2/call/c1", body())
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create_async()
        .await;
    legacy(&server.url())
        .update_call_payload(&id("c1"), payload())
        .await
        .unwrap();
    failed.assert_async().await;
    ok.assert_async().await;
}
