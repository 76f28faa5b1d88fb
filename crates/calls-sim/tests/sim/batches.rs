//! Cartesia call batches: create, list, get, cancel, retry, dispatch, auto-dial.

use calls_sim::{CartesiaBatchSeed, Fault, Route, Sim};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{cartesia, client, json_body, send};

fn batch_body(numbers: &[&str]) -> Value {
    let recipients: Vec<Value> = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| json!({ "to_number": n, "metadata": { "row": i.to_string() } }))
        .collect();
    json!({
        "name": "March outreach",
        "agent_id": "agent_1",
        "from_number_id": "ap_Q8PRh7lXyZsawXJmN2KcT5",
        "recipients": recipients,
    })
}

const NUMBERS: [&str; 5] = [
    "+14155550101",
    "+14155550102",
    "+14155550103",
    "+14155550104",
    "+14155550105",
];

async fn create(sim: &Sim, body: &Value) -> (u16, Value) {
    let http = client();
    send(json_body(
        cartesia(&http, sim, Method::POST, "/agents/calls/batches"),
        body,
    ))
    .await
}

async fn get(sim: &Sim, path: &str) -> Value {
    let (status, body) = send(cartesia(&client(), sim, Method::GET, path)).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn statuses(batch: &Value) -> Vec<String> {
    batch["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn create_validates_and_get_shows_recipients() {
    let sim = Sim::start().await.unwrap();
    let (status, batch) = create(&sim, &batch_body(&NUMBERS[..2])).await;
    assert_eq!(status, 201, "{batch}");
    let id = batch["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("acb_"));
    assert_eq!(batch["status"], "pending");
    assert_eq!(batch["region"], "US");
    assert_eq!(batch["target_concurrency_limit"], 10);
    assert_eq!(batch["total_calls_scheduled"], 2);
    assert_eq!(batch["total_calls_dispatched"], 0);
    assert_eq!(batch["total_calls_finished"], 0);
    assert_eq!(batch["retry_count"], 0);
    assert!(
        batch.get("recipients").is_none(),
        "only GET carries recipients"
    );
    assert!(batch.get("scheduled_at").is_none() && batch.get("admitted_at").is_none());

    let batch = get(&sim, &format!("/agents/calls/batches/{id}")).await;
    assert_eq!(statuses(&batch), ["queued", "queued"]);
    let first = &batch["recipients"][0];
    assert_eq!(first["to_number"], NUMBERS[0]);
    assert_eq!(first["metadata"]["row"], "0");
    assert!(first.get("agent_call_id").is_none());

    let in_a_day = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24);
    let mut scheduled = batch_body(&NUMBERS[..1]);
    scheduled["scheduled_at"] = json!(in_a_day.to_string());
    scheduled["target_concurrency_limit"] = json!(20);
    scheduled["region"] = json!("APAC");
    let (status, batch) = create(&sim, &scheduled).await;
    assert_eq!(status, 201, "{batch}");
    assert!(batch["scheduled_at"].is_string());
    assert_eq!(batch["region"], "APAC");

    let many: Vec<String> = (0..5001).map(|i| format!("+1415{i:07}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let mut bad_cases = vec![
        batch_body(&[]),
        batch_body(&many),
        batch_body(&["4155550101"]),
    ];
    for (key, value) in [
        ("name", Value::Null),
        ("from_number_id", json!("")),
        ("target_concurrency_limit", json!(0)),
        ("target_concurrency_limit", json!(21)),
        ("ringing_timeout_seconds", json!(4)),
        ("max_call_duration_minutes", json!(481)),
        ("scheduled_at", json!("2020-01-01T00:00:00Z")),
        ("scheduled_at", json!("2099-01-01T00:00:00")),
        ("region", json!("MOON")),
    ] {
        let mut body = batch_body(&NUMBERS[..1]);
        body[key] = value;
        bad_cases.push(body);
    }
    for bad in bad_cases {
        let (status, body) = create(&sim, &bad).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["request_id"].is_string(), "Cartesia's error shape");
    }
    assert_eq!(
        sim.cartesia().batches().len(),
        2,
        "refused bodies create nothing"
    );

    let restricted = Sim::builder()
        .cartesia_agents(["agent_known"])
        .start()
        .await
        .unwrap();
    let (status, _) = create(&restricted, &batch_body(&NUMBERS[..1])).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn list_pages_newest_first() {
    let sim = Sim::start().await.unwrap();
    let mut ids = Vec::new();
    for agent in ["agent_1", "agent_1", "agent_2"] {
        let mut body = batch_body(&NUMBERS[..1]);
        body["agent_id"] = json!(agent);
        ids.push(
            create(&sim, &body).await.1["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let page = get(&sim, "/agents/calls/batches?limit=2").await;
    let listed: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(page["has_more"], true);
    assert_eq!(page["next_page"], ids[1].as_str());
    assert!(page["data"][0].get("recipients").is_none());
    let next = get(
        &sim,
        &format!("/agents/calls/batches?limit=2&starting_after={}", ids[1]),
    )
    .await;
    assert_eq!(next["data"][0]["id"], ids[0].as_str());
    assert_eq!(next["has_more"], false);
    assert_eq!(next["next_page"], Value::Null);
    let agent_2 = get(&sim, "/agents/calls/batches?agent_id=agent_2").await;
    assert_eq!(agent_2["data"].as_array().unwrap().len(), 1);
    let (status, _) = send(cartesia(
        &client(),
        &sim,
        Method::GET,
        "/agents/calls/batches?limit=101",
    ))
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn cancel_mid_dispatch_never_dials_the_rest() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let (_, batch) = create(&sim, &batch_body(&NUMBERS)).await;
    let id = batch["id"].as_str().unwrap().to_owned();

    let dispatched = sim.cartesia().dispatch_batch(&id, 2).unwrap();
    assert_eq!(dispatched.len(), 2);
    let call = get(&sim, &format!("/agents/calls/{}", dispatched[0])).await;
    assert_eq!(call["status"], "created");
    assert_eq!(call["agent_id"], "agent_1");
    assert_eq!(call["telephony_params"]["to"], NUMBERS[0]);
    assert_eq!(call["metadata"]["row"], "0");
    let batch = get(&sim, &format!("/agents/calls/batches/{id}")).await;
    assert_eq!(batch["status"], "in_progress");
    assert_eq!(batch["total_calls_dispatched"], 2);
    assert!(batch["admitted_at"].is_string());
    assert_eq!(
        batch["recipients"][0]["agent_call_id"],
        dispatched[0].as_str()
    );
    assert_eq!(batch["recipients"][0]["status"], "dispatched");

    let cancel = || {
        cartesia(
            &http,
            &sim,
            Method::POST,
            &format!("/agents/calls/batches/{id}/cancel"),
        )
    };
    let (status, cancelled) = send(cancel()).await;
    assert_eq!(status, 200);
    assert_eq!(cancelled["status"], "cancelled");
    let (status, again) = send(cancel()).await;
    assert_eq!(status, 200, "idempotent");
    assert_eq!(again["status"], "cancelled");
    assert_eq!(again["last_updated_at"], cancelled["last_updated_at"]);

    // The never-dispatched recipients are never dialled, however hard the dispatcher tries.
    assert!(sim.cartesia().dispatch_batch(&id, 10).unwrap().is_empty());
    let batch = get(&sim, &format!("/agents/calls/batches/{id}")).await;
    assert_eq!(
        statuses(&batch),
        [
            "dispatched",
            "dispatched",
            "cancelled",
            "cancelled",
            "cancelled"
        ]
    );
    for recipient in &batch["recipients"].as_array().unwrap()[2..] {
        assert!(recipient.get("agent_call_id").is_none());
    }
    let agent_calls = get(&sim, "/agents/calls?agent_id=agent_1&limit=100").await;
    assert_eq!(agent_calls["data"].as_array().unwrap().len(), 2);
    let batch_calls = get(&sim, &format!("/agents/calls?batch_id={id}")).await;
    assert_eq!(batch_calls["data"].as_array().unwrap().len(), 2);
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::GET,
        &format!("/agents/calls?batch_id={id}&agent_id=agent_other"),
    ))
    .await;
    assert_eq!(status, 400, "agent_id must match the batch's agent");

    // Calls in flight are left alone, and go on living.
    for call_id in &dispatched {
        assert_eq!(sim.cartesia().call(call_id).unwrap().status(), "created");
    }
    sim.cartesia().advance(&dispatched[0]).unwrap();
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        &format!("/agents/calls/{}/cancel", dispatched[0]),
    ))
    .await;
    assert_eq!(status, 200);
    let batch = sim.cartesia().batch(&id).unwrap();
    assert_eq!(batch.status(), "cancelled");
    assert_eq!(batch.total_calls_finished(), 1);
    assert_eq!(batch.recipients()[0].status(), "completed");
    assert_eq!(batch.recipients()[1].status(), "dispatched");

    let (status, body) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        &format!("/agents/calls/batches/{id}/retry"),
    ))
    .await;
    assert_eq!(status, 400, "a cancelled batch cannot be retried: {body}");
}

#[tokio::test]
async fn status_is_derived_and_retry_requeues_failures() {
    let sim = Sim::start().await.unwrap();
    let control = sim.cartesia();
    control.seed_batch(
        CartesiaBatchSeed::new("acb_r", "agent_1")
            .recipient(NUMBERS[0])
            .recipient(NUMBERS[1])
            .recipient(NUMBERS[2]),
    );
    assert_eq!(
        control
            .fail_batch_recipients("acb_r", 1, "Number blocked.")
            .unwrap(),
        1
    );
    let calls = control.dispatch_batch("acb_r", 5).unwrap();
    assert_eq!(calls.len(), 2);
    control.advance(&calls[0]).unwrap();
    control.advance(&calls[0]).unwrap();
    control.set_status(&calls[1], "failed").unwrap();

    let batch = get(&sim, "/agents/calls/batches/acb_r").await;
    assert_eq!(
        batch["status"], "completed",
        "dispatch is done, whatever the outcomes"
    );
    assert_eq!(batch["total_calls_finished"], 3);
    assert_eq!(statuses(&batch), ["failed", "completed", "failed"]);
    assert_eq!(batch["recipients"][0]["error_message"], "Number blocked.");
    assert!(batch["recipients"][0].get("agent_call_id").is_none());
    assert_eq!(batch["recipients"][1]["end_reason"], "agent_hangup");

    let (status, retried) = send(cartesia(
        &client(),
        &sim,
        Method::POST,
        "/agents/calls/batches/acb_r/retry",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(retried["retry_count"], 1);
    assert_eq!(retried["status"], "in_progress");
    assert_eq!(retried["total_calls_dispatched"], 1);
    let again = control.dispatch_batch("acb_r", 5).unwrap();
    assert_eq!(
        again.len(),
        2,
        "the two failures are dialled again, the completed one is not"
    );
    let batch = control.batch("acb_r").unwrap();
    assert_eq!(
        batch.recipients()[2].call_ids(),
        [calls[1].clone(), again[1].clone()]
    );
    assert_eq!(
        batch.recipients()[2].agent_call_id(),
        Some(again[1].as_str())
    );
    let attempts = get(&sim, "/agents/calls?batch_id=acb_r").await;
    assert_eq!(
        attempts["data"].as_array().unwrap().len(),
        4,
        "one entry per attempt"
    );

    control.seed_batch(CartesiaBatchSeed::new("acb_f", "agent_1").recipient(NUMBERS[0]));
    control
        .fail_batch_recipients("acb_f", 1, "Invalid number.")
        .unwrap();
    assert_eq!(control.batch("acb_f").unwrap().status(), "failed");
    assert!(control.dispatch_batch("acb_none", 1).is_err());
}

#[tokio::test]
async fn auto_dial_keeps_the_target_in_flight() {
    let sim = Sim::builder().auto_dial(true).start().await.unwrap();
    let http = client();
    let mut body = batch_body(&NUMBERS[..4]);
    body["target_concurrency_limit"] = json!(2);
    let (_, created) = create(&sim, &body).await;
    assert_eq!(created["status"], "in_progress");
    assert_eq!(created["total_calls_dispatched"], 2);
    let id = created["id"].as_str().unwrap().to_owned();
    let batch = sim.cartesia().batch(&id).unwrap();
    assert_eq!(batch.calls_in_flight(), 2);
    let first = batch.recipients()[0].agent_call_id().unwrap().to_owned();
    let second = batch.recipients()[1].agent_call_id().unwrap().to_owned();

    // A call started is still in flight; one ended through the API makes room for the next.
    sim.cartesia().advance(&first).unwrap();
    assert_eq!(
        sim.cartesia().batch(&id).unwrap().total_calls_dispatched(),
        2
    );
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        &format!("/agents/calls/{first}/cancel"),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        sim.cartesia().batch(&id).unwrap().total_calls_dispatched(),
        3
    );
    sim.cartesia().set_status(&second, "failed").unwrap();
    let batch = sim.cartesia().batch(&id).unwrap();
    assert_eq!(
        (batch.status(), batch.total_calls_dispatched()),
        ("completed", 4)
    );

    // A scheduled batch waits for its admission, then tops itself up.
    let in_an_hour = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let mut scheduled = batch_body(&NUMBERS);
    scheduled["target_concurrency_limit"] = json!(2);
    scheduled["scheduled_at"] = json!(in_an_hour.to_string());
    let (_, created) = create(&sim, &scheduled).await;
    assert_eq!(created["status"], "pending");
    let id = created["id"].as_str().unwrap().to_owned();
    let admitted = sim.cartesia().dispatch_batch(&id, 1).unwrap();
    sim.cartesia().set_status(&admitted[0], "failed").unwrap();
    let batch = sim.cartesia().batch(&id).unwrap();
    assert_eq!(
        (batch.total_calls_dispatched(), batch.calls_in_flight()),
        (3, 2)
    );
}

#[tokio::test]
async fn journal_and_faults_on_batch_routes() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.faults()
        .on_route(Route::CartesiaBatchCreate, Fault::status(503), 1);
    let (status, body) = create(&sim, &batch_body(&NUMBERS[..2])).await;
    assert_eq!(status, 503);
    assert!(body["request_id"].is_string());
    assert!(
        sim.cartesia().batches().is_empty(),
        "a fault changes nothing"
    );
    let (status, created) = create(&sim, &batch_body(&NUMBERS[..2])).await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_owned();

    sim.faults().on_call(&id, Fault::Reset, 1);
    assert!(
        cartesia(
            &http,
            &sim,
            Method::GET,
            &format!("/agents/calls/batches/{id}")
        )
        .send()
        .await
        .is_err()
    );
    sim.faults()
        .on_route(Route::CartesiaBatchCancel, Fault::LostReply, 1);
    let cancel = || {
        cartesia(
            &http,
            &sim,
            Method::POST,
            &format!("/agents/calls/batches/{id}/cancel"),
        )
    };
    assert!(cancel().send().await.is_err(), "the reply is lost");
    assert_eq!(
        sim.cartesia().batch(&id).unwrap().status(),
        "cancelled",
        "the cancel happened"
    );
    assert_eq!(
        send(cancel()).await.0,
        200,
        "a retry lands on the same answer"
    );
    send(cartesia(&http, &sim, Method::GET, "/agents/calls/batches")).await;
    send(cartesia(
        &http,
        &sim,
        Method::POST,
        &format!("/agents/calls/batches/{id}/retry"),
    ))
    .await;

    let journal = sim.journal();
    assert_eq!(journal.route_count(Route::CartesiaBatchCreate), 2);
    assert_eq!(journal.count(Route::CartesiaBatchCreate, None), 2);
    assert_eq!(journal.count(Route::CartesiaBatchGet, Some(&id)), 1);
    assert_eq!(journal.count(Route::CartesiaBatchCancel, Some(&id)), 2);
    assert_eq!(journal.count(Route::CartesiaBatchRetry, Some(&id)), 1);
    assert_eq!(journal.count(Route::CartesiaBatchList, None), 1);
    assert_eq!(journal.recent()[0].fault(), Some("status"));
}

#[tokio::test]
async fn recipients_handed_to_the_dialer_without_a_call_stay_unaccounted_after_a_cancel() {
    let sim = Sim::start().await.unwrap();
    let seed = NUMBERS
        .iter()
        .fold(CartesiaBatchSeed::new("acb_1", "agent_1"), |seed, n| {
            seed.recipient(*n)
        });
    sim.cartesia().seed_batch(seed);
    let placed = sim.cartesia().dispatch_batch("acb_1", 1).unwrap();
    assert_eq!(sim.cartesia().hand_to_dialer("acb_1", 2).unwrap(), 2);
    let (status, _) = send(cartesia(
        &client(),
        &sim,
        Method::POST,
        "/agents/calls/batches/acb_1/cancel",
    ))
    .await;
    assert_eq!(status, 200);

    let batch = get(&sim, "/agents/calls/batches/acb_1").await;
    assert_eq!(
        statuses(&batch),
        [
            "dispatched",
            "dispatched",
            "dispatched",
            "cancelled",
            "cancelled"
        ]
    );
    let recipients = batch["recipients"].as_array().unwrap();
    assert_eq!(recipients[0]["agent_call_id"], placed[0].as_str());
    for held in &recipients[1..3] {
        assert!(held.get("agent_call_id").is_none(), "{held}");
    }
    assert_eq!(batch["total_calls_dispatched"], 3);
    assert_eq!(
        sim.cartesia().hand_to_dialer("acb_1", 5).unwrap(),
        0,
        "a cancelled batch hands nothing more to the dialer"
    );
    assert!(sim.cartesia().hand_to_dialer("acb_missing", 1).is_err());
}
