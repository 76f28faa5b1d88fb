//! The `/_sim` HTTP control API.

use calls_sim::{Route, Sim};
use reqwest::Method;
use serde_json::json;

use crate::support::{cartesia, client, json_body, send, v2};

#[tokio::test]
async fn seed_advance_fault_and_journal_over_http() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let control =
        |method: Method, path: &str| http.request(method, format!("{}/_sim{path}", sim.base_url()));

    assert_eq!(
        send(control(Method::GET, "/health")).await,
        (200, json!({ "ok": true }))
    );
    let env = control(Method::GET, "/env")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(env.contains(&format!("CARTESIA_BASE_URL={}", sim.base_url())));

    let (status, call) = send(json_body(
        control(Method::POST, "/cartesia/calls"),
        &json!({ "id": "ac_1", "agent_id": "agent_1", "status": "created", "recording": true, "agent_name": "Ops" }),
    ))
    .await;
    assert_eq!(status, 201, "{call}");
    assert_eq!(call["agent_name"], "Ops");
    let (status, call) = send(control(Method::POST, "/cartesia/calls/ac_1/advance")).await;
    assert_eq!((status, call["status"].as_str()), (200, Some("started")));
    let (status, _) = send(json_body(
        control(Method::POST, "/cartesia/calls/ac_1/status"),
        &json!({}),
    ))
    .await;
    assert_eq!(status, 400);
    let (status, _) = send(control(Method::POST, "/cartesia/calls/ac_x/advance")).await;
    assert_eq!(status, 404);

    let (status, body) = send(json_body(
        control(Method::POST, "/faults"),
        &json!({ "route": "cartesia.cancel", "times": 1, "fault": { "kind": "status", "code": 503, "retry_after": "2" } }),
    ))
    .await;
    assert_eq!((status, body["pending"].as_u64()), (201, Some(1)));
    let response = cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");
    assert_eq!(
        send(cartesia(
            &http,
            &sim,
            Method::POST,
            "/agents/calls/ac_1/cancel"
        ))
        .await
        .0,
        200
    );

    for bad in [
        json!({ "route": "cartesia.cancle", "fault": { "kind": "reset" } }),
        json!({ "route": "cartesia.cancel", "fault": { "kind": "explode" } }),
        json!({ "route": "cartesia.cancel", "call_id": "x", "fault": { "kind": "reset" } }),
        json!({ "call_id": "x" }),
    ] {
        assert_eq!(
            send(json_body(control(Method::POST, "/faults"), &bad))
                .await
                .0,
            400,
            "{bad}"
        );
    }
    send(json_body(
        control(Method::POST, "/faults"),
        &json!({ "call_id": "ac_1", "times": 3, "fault": { "kind": "latency", "ms": 1 } }),
    ))
    .await;
    assert_eq!(sim.faults().pending(), 3);
    assert_eq!(send(control(Method::DELETE, "/faults")).await.0, 200);
    assert_eq!(sim.faults().pending(), 0);

    let (status, counts) = send(control(
        Method::GET,
        "/journal/count?route=cartesia.cancel&call_id=ac_1",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(counts["count"], 2);
    assert_eq!(counts["auth_count"], 2);
    let (_, summary) = send(control(Method::GET, "/journal")).await;
    assert_eq!(summary["routes"]["cartesia.cancel"], 2);
    assert_eq!(summary["total"], 2);
    assert_eq!(send(control(Method::DELETE, "/journal")).await.0, 200);
    assert_eq!(sim.journal().route_count(Route::CartesiaCancel), 0);

    let (status, seeded) = send(control(
        Method::POST,
        "/mirai_v2/agents/agt_1/calls?count=3",
    ))
    .await;
    assert_eq!(status, 201);
    assert_eq!(seeded["ids"].as_array().unwrap().len(), 3);
    let (_, page) = send(v2(&http, &sim, Method::GET, "/v2/calls?agent_id=agt_1")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 3);

    let (status, call) = send(json_body(
        control(Method::POST, "/mirai/calls"),
        &json!({ "id": "m1", "status": "busy", "assistant": "a1" }),
    ))
    .await;
    assert_eq!((status, call["status"].as_str()), (201, Some("busy")));
    let (status, call) = send(json_body(
        control(Method::POST, "/mirai/calls/m1/status"),
        &json!({ "status": "aborted" }),
    ))
    .await;
    assert_eq!((status, call["status"].as_str()), (200, Some("aborted")));

    let (status, call) = send(json_body(
        control(Method::POST, "/mirai_v2/calls"),
        &json!({ "id": "call_x", "agent_id": "agt_2", "to": "+919876543210" }),
    ))
    .await;
    assert_eq!((status, call["status"].as_str()), (201, Some("queued")));
    let (_, call) = send(control(Method::POST, "/mirai_v2/calls/call_x/advance")).await;
    assert_eq!(call["status"], "dialing");
    assert_eq!(send(control(Method::GET, "/nothing")).await.0, 404);
}

#[tokio::test]
async fn batches_campaigns_dnc_and_window_over_http() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let control =
        |method: Method, path: &str| http.request(method, format!("{}/_sim{path}", sim.base_url()));

    let (status, batch) = send(json_body(
        control(Method::POST, "/cartesia/batches"),
        &json!({
            "id": "acb_http", "name": "b", "agent_id": "agent_1", "from_number_id": "ap_1",
            "recipients": [{ "to_number": "+14155550101" }, { "to_number": "+14155550102" }, { "to_number": "+14155550103" }],
        }),
    ))
    .await;
    assert_eq!(status, 201, "{batch}");
    assert_eq!(batch["recipients"].as_array().unwrap().len(), 3);
    let (status, dispatched) = send(control(
        Method::POST,
        "/cartesia/batches/acb_http/dispatch?count=1",
    ))
    .await;
    assert_eq!(status, 200);
    let call_id = dispatched["ids"][0].as_str().unwrap().to_owned();
    let (_, call) = send(control(Method::GET, &format!("/cartesia/calls/{call_id}"))).await;
    assert_eq!(call["telephony_params"]["to"], "+14155550101");
    let (status, failed) = send(json_body(
        control(Method::POST, "/cartesia/batches/acb_http/fail?count=1"),
        &json!({ "message": "Carrier refused." }),
    ))
    .await;
    assert_eq!((status, failed["failed"].as_u64()), (200, Some(1)));
    let (_, batch) = send(control(Method::GET, "/cartesia/batches/acb_http")).await;
    assert_eq!(batch["total_calls_dispatched"], 2);
    assert_eq!(batch["recipients"][1]["error_message"], "Carrier refused.");
    assert_eq!(
        send(control(
            Method::POST,
            "/cartesia/batches/acb_x/dispatch?count=1"
        ))
        .await
        .0,
        404
    );
    assert_eq!(
        send(json_body(
            control(Method::POST, "/cartesia/batches"),
            &json!({ "agent_id": "a" })
        ))
        .await
        .0,
        400
    );

    let (status, campaign) = send(json_body(
        control(Method::POST, "/mirai_v2/campaigns"),
        &json!({
            "id": "cmp_http", "agent_id": "agt_1", "status": "play",
            "contacts": [{ "phone": "+919876543210" }, { "phone": "+919876543211" }, { "phone": "bad" }],
        }),
    ))
    .await;
    assert_eq!(status, 201, "{campaign}");
    assert_eq!(campaign["status"], "play");
    assert_eq!(campaign["contacts_accepted"], 2);
    assert_eq!(campaign["contacts_rejected"][0]["index"], 2);
    let (status, added) = send(json_body(
        control(Method::POST, "/mirai_v2/dnc"),
        &json!({ "phone": "+919876543211" }),
    ))
    .await;
    assert_eq!((status, added["added"].as_bool()), (200, Some(true)));
    let (_, listed) = send(control(Method::GET, "/mirai_v2/dnc")).await;
    assert_eq!(listed["phones"], json!(["+919876543211"]));
    let (status, dialled) = send(control(
        Method::POST,
        "/mirai_v2/campaigns/cmp_http/dial?count=5",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(dialled["ids"].as_array().unwrap().len(), 1);
    let (_, campaign) = send(control(Method::GET, "/mirai_v2/campaigns/cmp_http")).await;
    assert_eq!(
        campaign["counters"],
        json!({ "dialing": 1, "suppressed": 1 })
    );
    assert_eq!(campaign["contacts"][1]["status"], "suppressed");
    assert_eq!(campaign["call_ids"], dialled["ids"]);
    let (_, removed) = send(control(Method::DELETE, "/mirai_v2/dnc/%2B919876543211")).await;
    assert_eq!(removed["removed"], true);

    let (_, window) = send(control(Method::GET, "/mirai_v2/calling_window")).await;
    assert_eq!(window, json!({ "kind": "always_open" }));
    let (status, window) = send(json_body(
        control(Method::PUT, "/mirai_v2/calling_window"),
        &json!({ "kind": "daily", "start": "09:00", "end": "21:00", "utc_offset_minutes": 330 }),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(window["start"], "09:00");
    assert_eq!(
        sim.mirai_v2().calling_window(),
        calls_sim::CallingWindow::india()
    );
    assert_eq!(
        send(json_body(
            control(Method::PUT, "/mirai_v2/calling_window"),
            &json!({ "kind": "sometimes" }),
        ))
        .await
        .0,
        400
    );
}
