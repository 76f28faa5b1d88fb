//! The Mirai v2 routes.

use calls_sim::{MiraiV2CallSeed, Route, Sim};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{client, json_body, send, v2};

fn create_body() -> Value {
    json!({ "agent_id": "agt_1", "to": "+919876543210", "metadata": { "order": "8842" } })
}

#[tokio::test]
async fn create_get_and_validation() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let (status, created) = send(json_body(
        v2(&http, &sim, Method::POST, "/v2/calls"),
        &create_body(),
    ))
    .await;
    assert_eq!(status, 202);
    assert_eq!(created["status"], "queued");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), "call_".len() + 26);
    assert!(id.starts_with("call_"));

    let (status, call) = send(v2(&http, &sim, Method::GET, &format!("/v2/calls/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(call["object"], "call");
    assert_eq!(call["status"], "queued");
    assert_eq!(call["to"], "+919876543210");
    assert_eq!(call["metadata"]["order"], "8842");
    assert_eq!(call["ended_reason"], Value::Null);
    assert_eq!(call["duration_secs"], Value::Null);
    assert_eq!(call["transcript_status"], "pending");

    for bad in [
        json!({ "to": "+919876543210" }),
        json!({ "agent_id": "agt_1" }),
        json!({ "agent_id": "agt_1", "to": "9876543210" }),
        json!({ "agent_id": "agt_1", "to": "+919876543210", "max_duration_secs": 5 }),
        json!({ "agent_id": "agt_1", "to": "+919876543210", "webhook_url": "http://example.com/h" }),
        json!({ "agent_id": "agt_1", "to": "+919876543210", "metadata": { "bad key": "x" } }),
        json!({ "agent_id": "agt_1", "to": "+919876543210", "tier": "t9" }),
    ] {
        let (status, body) =
            send(json_body(v2(&http, &sim, Method::POST, "/v2/calls"), &bad)).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "invalid_request");
    }
    let (status, body) = send(v2(&http, &sim, Method::GET, "/v2/calls/call_unknown")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn configured_agents_are_checked() {
    let sim = Sim::builder()
        .mirai_v2_agents(["agt_known"])
        .start()
        .await
        .unwrap();
    let http = client();
    let (status, body) = send(json_body(
        v2(&http, &sim, Method::POST, "/v2/calls"),
        &create_body(),
    ))
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response_byte_for_byte() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let create = |body: &Value| {
        json_body(v2(&http, &sim, Method::POST, "/v2/calls"), body)
            .header("Idempotency-Key", "order-8842-confirm-1")
    };
    let first = create(&create_body()).send().await.unwrap();
    assert_eq!(first.status(), 202);
    let first = first.bytes().await.unwrap();
    // Same key, different body: still the original answer, and no second call.
    let other = json!({ "agent_id": "agt_2", "to": "+14155559876" });
    let second = create(&other).send().await.unwrap();
    assert_eq!(second.status(), 202);
    assert_eq!(second.bytes().await.unwrap(), first);

    let (_, page) = send(v2(&http, &sim, Method::GET, "/v2/calls")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);

    // Another key creates another call.
    let third = json_body(v2(&http, &sim, Method::POST, "/v2/calls"), &create_body())
        .header("Idempotency-Key", "order-8842-confirm-2")
        .send()
        .await
        .unwrap();
    assert_ne!(third.bytes().await.unwrap(), first);
    assert_eq!(sim.journal().route_count(Route::MiraiV2Create), 3);

    let (status, _) = send(
        json_body(v2(&http, &sim, Method::POST, "/v2/calls"), &create_body())
            .header("Idempotency-Key", "k".repeat(256)),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn transcript_and_recording_once_ended() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_1", "agt_1").to("+919876543210"));

    let (status, body) = send(v2(&http, &sim, Method::GET, "/v2/calls/call_1/transcript")).await;
    assert_eq!(status, 404, "running");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = send(v2(&http, &sim, Method::GET, "/v2/calls/call_1/recording")).await;
    assert_eq!(status, 404, "running");

    assert_eq!(sim.mirai_v2().advance("call_1").unwrap(), "dialing");
    assert_eq!(sim.mirai_v2().advance("call_1").unwrap(), "in_progress");
    assert_eq!(sim.mirai_v2().advance("call_1").unwrap(), "completed");
    assert_eq!(sim.mirai_v2().advance("call_1").unwrap(), "completed");

    let (status, body) = send(v2(&http, &sim, Method::GET, "/v2/calls/call_1/transcript")).await;
    assert_eq!(status, 200);
    assert_eq!(body["call_id"], "call_1");
    let turns = body["turns"].as_array().unwrap();
    assert!(!turns.is_empty());
    assert!(turns[0]["role"].is_string() && turns[0]["start_ms"].is_number());

    let (_, call) = send(v2(&http, &sim, Method::GET, "/v2/calls/call_1")).await;
    assert_eq!(call["status"], "completed");
    assert_eq!(call["recording_available"], true);
    assert_eq!(call["transcript_status"], "ready");
    assert!(call["ended_at"].is_string());
}

#[tokio::test]
async fn recording_redirects_to_another_origin_without_auth() {
    let sim = Sim::start().await.unwrap();
    sim.mirai_v2().seed_call(
        MiraiV2CallSeed::new("call_rec", "agt_1")
            .status("completed")
            .recording(true),
    );
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_norec", "agt_1").status("completed"));
    let http = client();

    let response = v2(&http, &sim, Method::GET, "/v2/calls/call_rec/recording")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let target = reqwest::Url::parse(&location).unwrap();
    let base = reqwest::Url::parse(sim.base_url()).unwrap();
    assert_ne!(target.host_str(), base.host_str(), "a different origin");
    assert_eq!(target.host_str(), Some("localhost"));
    assert_eq!(target.path(), "/_sim/recordings/call_rec.wav");
    assert!(location.contains("X-Amz-Expires=900"));
    assert!(location.contains("sig="));

    // A client that follows the redirect by hand and leaks its key is caught by the journal.
    let leaked = http
        .get(&location)
        .bearer_auth(sim.credentials().mirai_api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(leaked.status(), 200);
    assert_eq!(
        sim.journal()
            .auth_count(Route::SimRecordingDownload, Some("call_rec")),
        1
    );
    // A client that drops the key on the cross-origin hop gets the audio all the same.
    let clean = http.get(&location).send().await.unwrap();
    assert_eq!(clean.status(), 200);
    assert_eq!(clean.headers()["content-type"], "audio/wav");
    assert_eq!(&clean.bytes().await.unwrap()[..4], b"RIFF");
    assert_eq!(
        sim.journal()
            .count(Route::SimRecordingDownload, Some("call_rec")),
        2
    );
    assert_eq!(
        sim.journal()
            .auth_count(Route::SimRecordingDownload, Some("call_rec")),
        1
    );

    // reqwest's own redirect policy strips Authorization across hosts.
    let following = reqwest::Client::new();
    let followed = following
        .get(format!("{}/v2/calls/call_rec/recording", sim.base_url()))
        .bearer_auth(sim.credentials().mirai_api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), 200);
    assert_eq!(
        sim.journal()
            .auth_count(Route::SimRecordingDownload, Some("call_rec")),
        1
    );

    let tampered = location.replace("sig=", "sig=00");
    assert_eq!(http.get(&tampered).send().await.unwrap().status(), 403);
    let (status, _) = send(v2(
        &http,
        &sim,
        Method::GET,
        "/v2/calls/call_norec/recording",
    ))
    .await;
    assert_eq!(status, 404, "no audio");
    let (status, _) = send(v2(
        &http,
        &sim,
        Method::GET,
        "/v2/calls/call_none/recording",
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn abort_then_conflict() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let (_, created) = send(json_body(
        v2(&http, &sim, Method::POST, "/v2/calls"),
        &create_body(),
    ))
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let abort = || v2(&http, &sim, Method::POST, &format!("/v2/calls/{id}/abort"));

    let (status, body) = send(abort()).await;
    assert_eq!(status, 202);
    assert_eq!(body, json!({ "id": id, "status": "aborted" }));
    let (_, call) = send(v2(&http, &sim, Method::GET, &format!("/v2/calls/{id}"))).await;
    assert_eq!(call["status"], "aborted");
    assert_eq!(call["ended_reason"], "aborted-by-api");
    assert_eq!(call["cost"]["amount_inr"], 0.0);

    let (status, body) = send(abort()).await;
    assert_eq!(status, 409);
    assert_eq!(
        body,
        json!({ "error": { "code": "conflict", "message": "call already ended, nothing to abort" } })
    );

    for status in ["dialing", "in_progress"] {
        let id = format!("call_{status}");
        sim.mirai_v2()
            .seed_call(MiraiV2CallSeed::new(&id, "agt_1").status(status));
        let (code, _) = send(v2(
            &http,
            &sim,
            Method::POST,
            &format!("/v2/calls/{id}/abort"),
        ))
        .await;
        assert_eq!(code, 202, "{status}");
    }
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_done", "agt_1").status("no_answer"));
    let (code, _) = send(v2(&http, &sim, Method::POST, "/v2/calls/call_done/abort")).await;
    assert_eq!(code, 409);
    let (code, body) = send(v2(&http, &sim, Method::POST, "/v2/calls/call_none/abort")).await;
    assert_eq!(code, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn list_pages_with_opaque_cursors_and_filters() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let seeded = sim.mirai_v2().seed_agent_calls("agt_p", 45);
    sim.mirai_v2().seed_agent_calls("agt_other", 2);
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_live", "agt_p").status("in_progress"));

    let mut collected = Vec::new();
    let mut query = "agent_id=agt_p&status=completed".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) =
            send(v2(&http, &sim, Method::GET, &format!("/v2/calls?{query}"))).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 20, "default limit 20");
        let last = data.last().unwrap()["id"].as_str().unwrap().to_owned();
        collected.extend(data.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        assert!(
            data[0].get("cost_inr").is_some(),
            "list items carry cost_inr"
        );
        if page["has_more"] == false {
            assert_eq!(page["next_cursor"], Value::Null);
            break;
        }
        let cursor = page["next_cursor"].as_str().unwrap();
        assert_ne!(cursor, last, "cursors are not ids");
        query = format!("agent_id=agt_p&status=completed&cursor={cursor}");
    }
    assert_eq!(pages, 3);
    assert_eq!(collected, seeded);

    let (_, live) = send(v2(&http, &sim, Method::GET, "/v2/calls?status=in_progress")).await;
    assert_eq!(live["data"][0]["id"], "call_live");
    assert_eq!(live["data"].as_array().unwrap().len(), 1);
    let (_, all) = send(v2(&http, &sim, Method::GET, "/v2/calls?limit=100")).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 48);
    assert_eq!(all["data"][0]["id"], "call_live", "newest first");

    for bad in [
        "limit=0",
        "limit=101",
        "cursor=call_01JZQ9B4M8N3P6R2S5T7V9W1YA",
        "from=yesterday",
    ] {
        let (status, body) = send(v2(&http, &sim, Method::GET, &format!("/v2/calls?{bad}"))).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "invalid_request");
    }
}

#[tokio::test]
async fn aborts_can_answer_202_with_a_status_other_than_aborted_while_the_call_runs_on() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_1", "agt_1").status("in_progress"));
    sim.mirai_v2()
        .answer_aborts_with("call_1", "in_progress", 1);
    sim.mirai_v2().answer_aborts_with("call_1", "error", 1);
    assert_eq!(sim.faults().pending(), 2);
    let abort = || v2(&http, &sim, Method::POST, "/v2/calls/call_1/abort");
    let (status, call) = send(v2(&http, &sim, Method::GET, "/v2/calls/call_1")).await;
    assert_eq!(
        (status, call["status"].as_str()),
        (200, Some("in_progress")),
        "reads of the call answer the truth"
    );
    assert_eq!(sim.faults().pending(), 2);

    for said in ["in_progress", "error"] {
        let (status, body) = send(abort()).await;
        assert_eq!(status, 202);
        assert_eq!(body, json!({ "id": "call_1", "status": said }));
        assert_eq!(
            sim.mirai_v2().call("call_1").unwrap().status(),
            "in_progress",
            "the call runs on"
        );
    }
    assert_eq!(sim.journal().count(Route::MiraiV2Abort, Some("call_1")), 2);
    assert_eq!(sim.journal().route_handled(Route::MiraiV2Abort), 0);

    let (status, body) = send(abort()).await;
    assert_eq!(status, 202, "then normal");
    assert_eq!(body, json!({ "id": "call_1", "status": "aborted" }));
    assert_eq!(sim.mirai_v2().call("call_1").unwrap().status(), "aborted");
}
