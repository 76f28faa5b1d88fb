//! Webhook delivery and signatures.

use calls_sim::{MiraiCallSeed, Sim};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::json;
use sha2::Sha256;

use crate::support::{client, eventually, json_body, mirai, next, receiver, send, v2};

fn hmac_hex(key: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn mirai_legacy_events_are_signed_with_the_private_key() {
    let sim = Sim::start().await.unwrap();
    let (url, mut rx) = receiver().await;
    let http = client();
    let body = json!({
        "phoneNumber": "+919876543210",
        "assistant": "a1",
        "callbackUrl": url,
        "metadata": { "order": "8842" },
    });
    let (status, created) = send(json_body(
        mirai(&http, &sim, Method::POST, "/v2/call/initiate"),
        &body,
    ))
    .await;
    assert_eq!(status, 200);
    let id = created["callId"].as_str().unwrap().to_owned();

    let event = next(&mut rx).await;
    let private_key = sim.credentials().mirai_private_key();
    assert_eq!(
        event.header("x-signature"),
        Some(hmac_hex(private_key, &[&event.body]).as_str())
    );
    assert_eq!(
        event.header("x-public-key"),
        Some(sim.credentials().mirai_public_key())
    );
    let value = event.json();
    assert_eq!(value["event"]["type"], "call.initiate");
    assert_eq!(value["event"]["data"]["call"]["id"], id.as_str());
    assert_eq!(value["event"]["data"]["call"]["status"], "initiate");
    assert_eq!(value["metadata"], json!({ "order": "8842" }));

    sim.mirai().advance(&id).unwrap();
    sim.mirai().advance(&id).unwrap();
    let progress = next(&mut rx).await.json();
    assert_eq!(progress["event"]["type"], "call.in-progress");
    let done = next(&mut rx).await.json();
    assert_eq!(done["event"]["type"], "call.completed");
    let call = &done["event"]["data"]["call"];
    assert!(call["startedAt"].as_str().unwrap().ends_with('Z'));
    assert!(
        call["recordingUrl"]
            .as_str()
            .unwrap()
            .contains("/_sim/recordings/")
    );

    // The recording URL in the event works.
    let recording = http
        .get(call["recordingUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(recording.status(), 200);

    // An abort sends call.aborted.
    sim.mirai()
        .seed(MiraiCallSeed::new("m2").status("busy").callback_url(&url));
    let (status, _) = send(json_body(
        mirai(&http, &sim, Method::POST, "/v2/call/abort"),
        &json!({ "callId": "m2" }),
    ))
    .await;
    assert_eq!(status, 200);
    let aborted = next(&mut rx).await.json();
    assert_eq!(aborted["event"]["type"], "call.aborted");
    assert_eq!(aborted["metadata"], json!({}));
    eventually(|| sim.journal().webhooks_delivered() == 4).await;
    assert_eq!(sim.journal().webhooks_failed(), 0);
}

#[tokio::test]
async fn mirai_v2_events_are_signed_over_timestamp_and_body() {
    let sim = Sim::start().await.unwrap();
    let (url, mut rx) = receiver().await;
    let http = client();
    let body = json!({
        "agent_id": "agt_1",
        "to": "+919876543210",
        "webhook_url": url,
        "metadata": { "order": "8842" },
    });
    let (status, created) =
        send(json_body(v2(&http, &sim, Method::POST, "/v2/calls"), &body)).await;
    assert_eq!(status, 202);
    let id = created["id"].as_str().unwrap().to_owned();

    sim.mirai_v2().advance(&id).unwrap(); // dialing: no event
    sim.mirai_v2().advance(&id).unwrap(); // in_progress: call.started
    sim.mirai_v2().advance(&id).unwrap(); // completed: call.completed

    let secret = sim.credentials().mirai_webhook_secret();
    for expected in ["call.started", "call.completed"] {
        let event = next(&mut rx).await;
        let header = event.header("x-mirai-signature").unwrap().to_owned();
        let (t, v1) = header.split_once(',').unwrap();
        let t = t.strip_prefix("t=").unwrap();
        let v1 = v1.strip_prefix("v1=").unwrap();
        assert!(t.parse::<i64>().is_ok());
        assert_eq!(v1, hmac_hex(secret, &[t.as_bytes(), b".", &event.body]));
        let value = event.json();
        assert_eq!(value["type"], expected);
        assert!(value["id"].as_str().unwrap().starts_with("evt_"));
        assert!(value["created_at"].is_string());
        assert_eq!(value["data"]["call"]["id"], id.as_str());
        assert_eq!(value["data"]["call"]["metadata"]["order"], "8842");
    }

    let (status, created) =
        send(json_body(v2(&http, &sim, Method::POST, "/v2/calls"), &body)).await;
    assert_eq!(status, 202);
    let second = created["id"].as_str().unwrap();
    let (status, _) = send(v2(
        &http,
        &sim,
        Method::POST,
        &format!("/v2/calls/{second}/abort"),
    ))
    .await;
    assert_eq!(status, 202);
    let aborted = next(&mut rx).await.json();
    assert_eq!(aborted["type"], "call.aborted");
    assert_eq!(aborted["data"]["call"]["ended_reason"], "aborted-by-api");
}

#[tokio::test]
async fn failed_deliveries_are_counted() {
    let sim = Sim::start().await.unwrap();
    // A port nothing listens on: bind one, note it, close it.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    sim.mirai()
        .seed(MiraiCallSeed::new("m1").callback_url(format!("http://{closed}/hook")));
    sim.mirai().set_status("m1", "initiate").unwrap();
    eventually(|| sim.journal().webhooks_failed() == 1).await;
    assert_eq!(sim.journal().webhooks_delivered(), 0);
}
