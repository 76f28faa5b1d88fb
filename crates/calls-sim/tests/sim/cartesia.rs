//! The Cartesia routes: happy paths, documented errors, transitions and pagination.

use calls_sim::{CartesiaCallSeed, Sim};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{cartesia, client, json_body, send};

#[tokio::test]
async fn create_outbound_calls_one_per_destination() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let body = json!({
        "agent_id": "agent_1",
        "from_number_id": "ap_1",
        "outbound_calls": [
            { "to_number": "+14155559876", "metadata": { "order": "8842" } },
            { "to_number": "415-555-9876" },
        ],
        "ringing_timeout_seconds": 30,
    });
    let (status, created) = send(json_body(
        cartesia(&http, &sim, Method::POST, "/agents/calls"),
        &body,
    ))
    .await;
    assert_eq!(status, 200, "{created}");
    let calls = created["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["number"], "+14155559876");
    assert_eq!(calls[0]["error"], Value::Null);
    let id = calls[0]["agent_call_id"].as_str().unwrap().to_owned();
    assert_eq!(calls[1]["number"], "415-555-9876");
    assert!(calls[1]["error"].is_object());
    assert_eq!(calls[1]["agent_call_id"], Value::Null);

    let (status, call) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        &format!("/agents/calls/{id}"),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(call["status"], "created");
    assert_eq!(call["agent_id"], "agent_1");
    assert_eq!(call["telephony_params"]["to"], "+14155559876");
    assert_eq!(call["metadata"]["order"], "8842");

    for bad in [
        json!({ "from_number_id": "ap_1", "outbound_calls": [{ "to_number": "+14155559876" }] }),
        json!({ "agent_id": "agent_1", "outbound_calls": [{ "to_number": "+14155559876" }] }),
        json!({ "agent_id": "agent_1", "from_number_id": "ap_1", "outbound_calls": [] }),
        json!({ "agent_id": "agent_1", "from_number_id": "ap_1", "outbound_calls": [{ "to_number": "+14155559876" }], "ringing_timeout_seconds": 3 }),
        json!({ "agent_id": "agent_1", "from_number_id": "ap_1", "outbound_calls": [{ "to_number": "+14155559876" }], "max_call_duration_minutes": 0 }),
    ] {
        let (status, body) = send(json_body(
            cartesia(&http, &sim, Method::POST, "/agents/calls"),
            &bad,
        ))
        .await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["message"].is_string());
    }
    let (status, _) =
        send(cartesia(&http, &sim, Method::POST, "/agents/calls").body("{not json")).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn unknown_agents_are_404_when_agents_are_configured() {
    let sim = Sim::builder()
        .cartesia_agents(["agent_known"])
        .start()
        .await
        .unwrap();
    let http = client();
    let body = json!({ "agent_id": "agent_other", "from_number_id": "ap_1", "outbound_calls": [{ "to_number": "+14155559876" }] });
    let (status, _) = send(json_body(
        cartesia(&http, &sim, Method::POST, "/agents/calls"),
        &body,
    ))
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls?agent_id=agent_other",
    ))
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls?agent_id=agent_known",
    ))
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn cancel_only_a_started_call() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_1", "agent_1"));
    let cancel = || cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel");

    let (status, body) = send(cancel()).await;
    assert_eq!(status, 400, "created cannot be cancelled");
    assert!(body["message"].as_str().unwrap().contains("started"));

    assert_eq!(sim.cartesia().advance("ac_1").unwrap(), "started");
    let (status, body) = send(cancel()).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "cancelled": true }));

    let (status, _) = send(cancel()).await;
    assert_eq!(status, 400, "cancel twice");

    let (_, call) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1")).await;
    assert_eq!(call["status"], "completed");
    assert_eq!(call["end_reason"], "api_cancelled");
    assert!(call["end_time"].is_string());
    assert!(call["transcript"].is_array());

    let (status, body) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_none/cancel",
    ))
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "Call not found");
}

#[tokio::test]
async fn a_ringing_call_is_answered_after_so_many_reads() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_1", "agent_1").answer_after_reads(2));
    let read = || cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1");
    let cancel = || cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel");

    let (status, _) = send(cancel()).await;
    assert_eq!(status, 400, "still ringing");
    for _ in 0..2 {
        let (_, call) = send(read()).await;
        assert_eq!(call["status"], "created");
    }
    let (_, call) = send(read()).await;
    assert_eq!(call["status"], "started");
    assert!(call["start_time"].is_string());
    let (status, _) = send(cancel()).await;
    assert_eq!(status, 200);
    let call = sim.cartesia().call("ac_1").unwrap();
    assert_eq!(
        (call.status(), call.end_reason()),
        ("completed", Some("api_cancelled"))
    );
}

#[tokio::test]
async fn a_ringing_call_is_answered_right_after_its_first_cancel_is_refused() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    // Seeded through the control API, as tools that do not link the crate do.
    let (status, seeded) = send(json_body(
        http.request(
            Method::POST,
            format!("{}/_sim/cartesia/calls", sim.base_url()),
        ),
        &json!({ "id": "ac_1", "agent_id": "agent_1", "answer_at_first_cancel": true }),
    ))
    .await;
    assert_eq!(status, 201, "{seeded}");
    assert_eq!(seeded["status"], "created");
    assert!(seeded.get("answer_at_first_cancel").is_none());
    let cancel = || cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel");

    let (status, body) = send(cancel()).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("created"));
    let (_, call) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1")).await;
    assert_eq!(call["status"], "started");
    let (status, _) = send(cancel()).await;
    assert_eq!(status, 200);
    assert_eq!(
        sim.cartesia().call("ac_1").unwrap().end_reason(),
        Some("api_cancelled")
    );

    for bad in [
        json!({ "agent_id": "agent_1", "answer_after_reads": -1 }),
        json!({ "agent_id": "agent_1", "answer_after_reads": "2" }),
        json!({ "agent_id": "agent_1", "answer_at_first_cancel": "yes" }),
    ] {
        let (status, _) = send(json_body(
            http.request(
                Method::POST,
                format!("{}/_sim/cartesia/calls", sim.base_url()),
            ),
            &bad,
        ))
        .await;
        assert_eq!(status, 400, "{bad}");
    }
}

#[tokio::test]
async fn delete_redacts_only_an_ended_call() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let mut params = serde_json::Map::new();
    params.insert("to".into(), json!("+14155559876"));
    params.insert("from".into(), json!("+14155550100"));
    params.insert("call_sid".into(), json!("sid_1"));
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("ac_1", "agent_1")
            .status("started")
            .telephony_params(params),
    );
    let delete = || cartesia(&http, &sim, Method::DELETE, "/agents/calls/ac_1");

    let (status, body) = send(delete()).await;
    assert_eq!(status, 400, "before the end");
    assert!(body["message"].as_str().unwrap().contains("cancel"));

    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_1/cancel",
    ))
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_1/audio",
    ))
    .await;
    assert_eq!(status, 200, "a cancelled call has its recording");

    let (status, redacted) = send(delete()).await;
    assert_eq!(status, 200);
    let redacted_at = redacted["redacted_at"].as_str().unwrap().to_owned();
    assert!(redacted.get("transcript").is_none());
    assert!(redacted["telephony_params"].get("to").is_none());
    assert!(redacted["telephony_params"].get("from").is_none());
    assert_eq!(redacted["telephony_params"]["call_sid"], "sid_1");
    assert_eq!(redacted["status"], "completed");

    let (_, call) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1")).await;
    assert!(call.get("transcript").is_none());
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_1/audio",
    ))
    .await;
    assert_eq!(status, 404, "the recording is deleted");
    let (status, body) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_1/logs",
    ))
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "Call logs not available");

    let (status, again) = send(delete()).await;
    assert_eq!(status, 200, "deletion is idempotent");
    assert_eq!(again["redacted_at"], redacted_at.as_str());

    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::DELETE,
        "/agents/calls/ac_none",
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn audio_is_a_streamed_wav_once_recorded() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_run", "agent_1").status("started"));
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_norec", "agent_1").status("completed"));
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("ac_rec", "agent_1")
            .status("completed")
            .recording(true),
    );

    for id in ["ac_run", "ac_norec"] {
        let (status, body) = send(cartesia(
            &http,
            &sim,
            Method::GET,
            &format!("/agents/calls/{id}/audio"),
        ))
        .await;
        assert_eq!(status, 404, "{id}");
        assert!(body["message"].is_string());
    }
    let response = cartesia(&http, &sim, Method::GET, "/agents/calls/ac_rec/audio")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "audio/wav");
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    assert!(bytes.len() > 1024, "more than one chunk");

    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_none/audio",
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn logs_tell_missing_calls_from_missing_logs() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_1", "agent_1").status("started"));
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("ac_2", "agent_1")
            .status("completed")
            .logs(["one", "two"]),
    );

    let (status, body) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_none/logs",
    ))
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("Call not found"))
    );
    let (status, body) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_1/logs",
    ))
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("Call logs not available"))
    );
    let (status, body) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_2/logs",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["call_id"], "ac_2");
    assert_eq!(body["logs"], json!(["one", "two"]));
    assert!(body["updated_at"].is_string());

    // Ending the call through the simulator produces logs.
    sim.cartesia().set_status("ac_1", "completed").unwrap();
    let (status, body) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls/ac_1/logs",
    ))
    .await;
    assert_eq!(status, 200);
    assert!(!body["logs"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn get_returns_seeded_fields_and_unknown_values() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("ac_1", "agent_1")
            .status("ringing")
            .end_reason("new_reason")
            .field("agent_name", json!("Support"))
            .field("brand_new_field", json!(7)),
    );
    let (status, call) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1")).await;
    assert_eq!(status, 200);
    assert_eq!(call["id"], "ac_1");
    assert_eq!(call["status"], "ringing");
    assert_eq!(call["end_reason"], "new_reason");
    assert_eq!(call["agent_name"], "Support");
    assert_eq!(call["brand_new_field"], 7);
    assert_eq!(call["transcript"], Value::Null);

    let (status, body) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_none")).await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "Call not found");
}

#[tokio::test]
async fn unknown_batches_and_methods_are_checked() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    for (method, path) in [
        (Method::GET, "/agents/calls/batches/acb_1"),
        (Method::POST, "/agents/calls/batches/acb_1/cancel"),
        (Method::POST, "/agents/calls/batches/acb_1/retry"),
        (Method::GET, "/agents/calls/batches/acb_1/recipients"),
    ] {
        let (status, body) = send(cartesia(&http, &sim, method, path)).await;
        assert_eq!(status, 404, "{path}");
        assert!(body["request_id"].is_string());
    }
    let response = cartesia(&http, &sim, Method::DELETE, "/agents/calls/batches/acb_1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    let response = cartesia(&http, &sim, Method::PATCH, "/agents/calls/ac_1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, DELETE");
}

async fn page(http: &reqwest::Client, sim: &Sim, query: &str) -> Value {
    let (status, body) = send(cartesia(
        http,
        sim,
        Method::GET,
        &format!("/agents/calls?{query}"),
    ))
    .await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_pages_newest_first_with_cursors() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let seeded = sim.cartesia().seed_agent_calls("agent_p", 25);
    sim.cartesia().seed_agent_calls("agent_other", 3);

    let first = page(&http, &sim, "agent_id=agent_p").await;
    assert_eq!(ids(&first), seeded[..10]);
    assert_eq!(first["has_more"], true);
    assert!(
        first["data"][0].get("transcript").is_none(),
        "no transcript without expand"
    );

    let mut collected = ids(&first);
    let mut cursor = first["next_page"].as_str().unwrap().to_owned();
    loop {
        let next = page(
            &http,
            &sim,
            &format!("agent_id=agent_p&starting_after={cursor}"),
        )
        .await;
        collected.extend(ids(&next));
        if next["has_more"] == false {
            assert_eq!(next["next_page"], Value::Null);
            break;
        }
        cursor = next["next_page"].as_str().unwrap().to_owned();
    }
    assert_eq!(collected, seeded);

    // Backwards from the last page.
    let back = page(
        &http,
        &sim,
        &format!("agent_id=agent_p&ending_before={}&limit=5", seeded[20]),
    )
    .await;
    assert_eq!(ids(&back), seeded[15..20]);
    assert_eq!(back["has_more"], true);
    assert_eq!(back["next_page"], seeded[15].as_str());
    let start = page(
        &http,
        &sim,
        &format!("agent_id=agent_p&ending_before={}", seeded[3]),
    )
    .await;
    assert_eq!(ids(&start), seeded[..3]);
    assert_eq!(start["has_more"], false);

    let expanded = page(&http, &sim, "agent_id=agent_p&limit=2&expand=transcript").await;
    assert_eq!(ids(&expanded).len(), 2);
    assert!(expanded["data"][0]["transcript"].is_array());

    let all = page(&http, &sim, "agent_id=agent_p&limit=100").await;
    assert_eq!(ids(&all), seeded);
    assert_eq!(all["has_more"], false);
    assert_eq!(
        page(&http, &sim, "agent_id=agent_none").await["data"],
        json!([])
    );

    for bad in [
        "",
        "limit=5",
        "agent_id=agent_p&limit=0",
        "agent_id=agent_p&limit=101",
        "agent_id=agent_p&limit=x",
        "agent_id=agent_p&expand=summary",
        "agent_id=agent_p&starting_after=ac_unknown",
        "agent_id=agent_p&starting_after=a&ending_before=b",
    ] {
        let (status, _) = send(cartesia(
            &http,
            &sim,
            Method::GET,
            &format!("/agents/calls?{bad}"),
        ))
        .await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls?batch_id=acb_1",
    ))
    .await;
    assert_eq!(status, 404, "no such batch");
}
