//! The Mirai legacy routes.

use calls_sim::{Route, Sim};
use reqwest::Method;
use serde_json::json;

use crate::support::{client, json_body, mirai, send};

#[tokio::test]
async fn initiate_queues_a_call() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let body = json!({
        "phoneNumber": "+919876543210",
        "assistant": "6690a1b2c3d4e5f600000001",
        "payload": { "customer": { "firstName": "Asha" } },
        "priority": true,
        "metadata": { "order": "8842" },
    });
    let (status, created) = send(json_body(
        mirai(&http, &sim, Method::POST, "/v2/call/initiate"),
        &body,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(created["status"], "initiate");
    let id = created["callId"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        created.as_object().unwrap().len(),
        2,
        "a bare {{callId, status}}"
    );

    let call = sim.mirai().call(id).unwrap();
    assert_eq!(call.status(), Some("initiate"));
    assert_eq!(call.phone_number(), Some("+919876543210"));
    assert_eq!(call.payload().unwrap()["customer"]["firstName"], "Asha");
    assert!(call.priority());

    for bad in [
        json!({ "assistant": "a" }),
        json!({ "phoneNumber": "+919876543210" }),
        json!({ "phoneNumber": "", "assistant": "a" }),
        json!({ "phoneNumber": "+919876543210", "assistant": "a", "payload": "x" }),
        json!({ "phoneNumber": "+919876543210", "assistant": "a", "callbackUrl": "http://example.com/hook" }),
    ] {
        let (status, body) = send(json_body(
            mirai(&http, &sim, Method::POST, "/v2/call/initiate"),
            &bad,
        ))
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["code"], 400);
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn initiate_checks_configured_assistants() {
    let sim = Sim::builder()
        .mirai_assistants(["6690a1b2c3d4e5f600000001"])
        .start()
        .await
        .unwrap();
    let http = client();
    let call = |assistant: &str| {
        json_body(
            mirai(&http, &sim, Method::POST, "/v2/call/initiate"),
            &json!({ "phoneNumber": "+919876543210", "assistant": assistant }),
        )
    };
    let (status, body) = send(call("6690a1b2c3d4e5f600000009")).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({ "code": 404, "message": "Assistant not found" })
    );
    let (status, _) = send(call("6690a1b2c3d4e5f600000001")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn abort_follows_the_documented_status_rules() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let abort = |id: &str| {
        json_body(
            mirai(&http, &sim, Method::POST, "/v2/call/abort"),
            &json!({ "callId": id }),
        )
    };
    let (_, created) = send(json_body(
        mirai(&http, &sim, Method::POST, "/v2/call/initiate"),
        &json!({ "phoneNumber": "+919876543210", "assistant": "a1" }),
    ))
    .await;
    let id = created["callId"].as_str().unwrap().to_owned();

    let (status, body) = send(abort(&id)).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "message": "Call aborted successfully" }));
    assert_eq!(sim.mirai().call(&id).unwrap().status(), Some("aborted"));
    let (status, body) = send(abort(&id)).await;
    assert_eq!(status, 400, "abort twice");
    assert_eq!(
        body,
        json!({ "code": 400, "message": "Call already aborted" })
    );

    let mirai_ctl = sim.mirai();
    for (status, expected) in [
        (None, None),
        (Some("busy"), None),
        (Some("failed"), None),
        (Some("no-answer"), None),
        (Some("rescheduled"), None),
        (Some("validation-failed"), None),
        (Some("in-progress"), Some("Call already in progress")),
        (Some("completed"), Some("Call already completed")),
        (Some("ended"), Some("Call already completed")),
        (Some("timeout"), Some("Call already completed")),
    ] {
        let id = format!("call_{}", status.unwrap_or("none"));
        mirai_ctl.seed_call(&id, status);
        let (code, body) = send(abort(&id)).await;
        match expected {
            None => assert_eq!(code, 200, "{status:?}"),
            Some(message) => {
                assert_eq!(code, 400, "{status:?}");
                assert_eq!(body["message"], message);
                assert_eq!(body["code"], 400);
            }
        }
    }

    let (status, body) = send(abort("68f0a1b2c3d4e5f600000999")).await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({ "code": 404, "message": "Call not found" }));
    let (status, _) = send(json_body(
        mirai(&http, &sim, Method::POST, "/v2/call/abort"),
        &json!({}),
    ))
    .await;
    assert_eq!(status, 400, "no callId");
}

#[tokio::test]
async fn update_replaces_the_payload_of_a_queued_call() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let update = |id: &str, body: serde_json::Value| {
        json_body(
            mirai(&http, &sim, Method::PUT, &format!("/v2/call/{id}")),
            &body,
        )
    };
    sim.mirai().seed_call("q1", None);
    let (status, body) = send(update("q1", json!({ "payload": { "orderId": "ORD-1" } }))).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "status_code": 200, "message": "Call payload updated successfully." })
    );
    assert_eq!(
        sim.mirai().call("q1").unwrap().payload(),
        Some(&json!({ "orderId": "ORD-1" }))
    );

    let (status, _) = send(update("q1", json!({ "nopayload": 1 }))).await;
    assert_eq!(status, 400);

    sim.mirai().advance("q1").unwrap(); // initiate: still not attempted
    let (status, _) = send(update("q1", json!({ "payload": { "orderId": "ORD-2" } }))).await;
    assert_eq!(status, 200);
    assert_eq!(
        sim.mirai().advance("q1").unwrap().as_deref(),
        Some("in-progress")
    );
    let (status, body) = send(update("q1", json!({ "payload": {} }))).await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Call already in progress or completed");

    sim.mirai().seed_call("retried", Some("no-answer"));
    let (status, _) = send(update("retried", json!({ "payload": {} }))).await;
    assert_eq!(status, 400, "already attempted");

    let (status, body) = send(update("nope", json!({ "payload": {} }))).await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({ "code": 404, "message": "Call not found." }));
}

#[tokio::test]
async fn aborts_can_be_refused_with_any_message_under_any_status() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.mirai().seed_call("q1", None);
    sim.mirai()
        .refuse_aborts("q1", 400, "Retry window extended", 1);
    sim.mirai()
        .refuse_aborts("q1", 200, "Call already aborted", 1);
    let abort = || {
        json_body(
            mirai(&http, &sim, Method::POST, "/v2/call/abort"),
            &json!({ "callId": "q1" }),
        )
    };

    let (status, body) = send(abort()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "code": 400, "message": "Retry window extended" })
    );
    let (status, body) = send(abort()).await;
    assert_eq!(status, 200, "an error body under a success status");
    assert_eq!(
        body,
        json!({ "code": 400, "message": "Call already aborted" })
    );
    assert_eq!(
        sim.mirai().call("q1").unwrap().status(),
        None,
        "nothing changed"
    );
    assert_eq!(sim.journal().route_handled(Route::MiraiAbort), 0);

    let (status, body) = send(abort()).await;
    assert_eq!(status, 200, "then normal");
    assert_eq!(body["message"], "Call aborted successfully");
    assert_eq!(sim.mirai().call("q1").unwrap().status(), Some("aborted"));
}
