//! Mirai v2 campaigns: every route, the lifecycle, dialling, retries, the calling window.

use calls_sim::{CallingWindow, Fault, MiraiV2CampaignSeed, Route, Sim};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{client, json_body, next, receiver, send, v2};

const PHONES: [&str; 4] = [
    "+919876543210",
    "+919876543211",
    "+919876543212",
    "+919876543213",
];

fn campaign_body(phones: &[&str]) -> Value {
    let contacts: Vec<Value> = phones.iter().map(|p| json!({ "phone": p })).collect();
    json!({
        "name": "Renewals",
        "agent_id": "agt_1",
        "timezone": "Asia/Kolkata",
        "start_date": "2026-10-01",
        "end_date": "2026-10-10",
        "slots": [{ "start": "09:00", "end": "17:00" }],
        "contacts": contacts,
    })
}

async fn call(sim: &Sim, method: Method, path: &str) -> (u16, Value) {
    send(v2(&client(), sim, method, path)).await
}

async fn post(sim: &Sim, path: &str, body: &Value) -> (u16, Value) {
    send(json_body(v2(&client(), sim, Method::POST, path), body)).await
}

async fn create(sim: &Sim, body: &Value) -> String {
    let (status, created) = post(sim, "/v2/campaigns", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn action(sim: &Sim, id: &str, action: &str) -> (u16, Value) {
    call(sim, Method::POST, &format!("/v2/campaigns/{id}/{action}")).await
}

#[tokio::test]
async fn create_validates_rows_and_reads_back() {
    let sim = Sim::start().await.unwrap();
    let mut body = campaign_body(&PHONES[..2]);
    body["contacts"] = json!([
        { "phone": PHONES[0], "id": "cust-1001", "variables": { "name": "Asha" } },
        { "phone": "9876543211" },
        { "phone": PHONES[0] },
        { "phone": PHONES[1] },
    ]);
    let (status, created) = post(&sim, "/v2/campaigns", &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cmp_"));
    assert_eq!(created["object"], "campaign");
    assert_eq!(created["status"], "draft");
    assert_eq!(created["pause_reason"], Value::Null);
    assert_eq!(created["max_concurrent"], 1);
    assert_eq!(created["retry_count"], 0);
    assert_eq!(created["re_attempt_period_secs"], 900);
    assert_eq!(created["spent_paise"], 0);
    assert_eq!(created["contacts_accepted"], 2);
    assert_eq!(created["contacts_duplicate"], 1);
    assert_eq!(
        created["contacts_rejected"],
        json!([{ "index": 1, "phone": "9876543211", "reason": "phone must be an E.164 number" }])
    );

    let (status, got) = call(&sim, Method::GET, &format!("/v2/campaigns/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["counters"], json!({ "pending": 2 }));
    assert_eq!(got["slots"], json!([{ "start": "09:00", "end": "17:00" }]));

    let (status, patched) = send(json_body(
        v2(
            &client(),
            &sim,
            Method::PATCH,
            &format!("/v2/campaigns/{id}"),
        ),
        &json!({ "name": "Renewals (Oct)", "max_concurrent": 3, "budget_paise": 50000 }),
    ))
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["name"], "Renewals (Oct)");
    assert_eq!(patched["budget_paise"], 50000);
    for bad in [
        json!({ "agent_id": "agt_2" }),
        json!({ "max_concurrent": 0 }),
    ] {
        let (status, body) = send(json_body(
            v2(
                &client(),
                &sim,
                Method::PATCH,
                &format!("/v2/campaigns/{id}"),
            ),
            &bad,
        ))
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid_request"))
        );
    }

    let (status, added) = post(
        &sim,
        &format!("/v2/campaigns/{id}/contacts"),
        &json!({ "contacts": [{ "phone": PHONES[2] }, { "phone": PHONES[1] }] }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(added["contacts_accepted"], 1);
    assert_eq!(added["contacts_duplicate"], 1);
    assert_eq!(added["status"], "draft");
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({ "phone": format!("+9198{i:08}") }))
        .collect();
    let (status, _) = post(
        &sim,
        &format!("/v2/campaigns/{id}/contacts"),
        &json!({ "contacts": too_many }),
    )
    .await;
    assert_eq!(status, 400);

    let (_, page) = call(
        &sim,
        Method::GET,
        &format!("/v2/campaigns/{id}/contacts?limit=2"),
    )
    .await;
    assert_eq!(page["data"][0]["id"], "cust-1001");
    assert_eq!(page["data"][0]["variables"]["name"], "Asha");
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = call(
        &sim,
        Method::GET,
        &format!("/v2/campaigns/{id}/contacts?limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(rest["data"][0]["phone"], PHONES[2]);
    assert_eq!(rest["has_more"], false);
    let (status, _) = call(
        &sim,
        Method::GET,
        &format!("/v2/campaigns/{id}/contacts?cursor=cur_00_00"),
    )
    .await;
    assert_eq!(status, 400);

    let mut bad_cases = Vec::new();
    for key in [
        "name",
        "timezone",
        "start_date",
        "end_date",
        "slots",
        "agent_id",
    ] {
        let mut body = campaign_body(&PHONES[..1]);
        body.as_object_mut().unwrap().remove(key);
        bad_cases.push(body);
    }
    for (key, value) in [
        ("end_date", json!("2026-09-01")),
        ("slots", json!([{ "start": "10:00", "end": "10:00" }])),
        ("max_concurrent", json!(51)),
        ("retry_count", json!(6)),
        ("tier", json!("t9")),
        ("contacts", json!("+919876543210")),
    ] {
        let mut body = campaign_body(&PHONES[..1]);
        body[key] = value;
        bad_cases.push(body);
    }
    for bad in bad_cases {
        let (status, body) = post(&sim, "/v2/campaigns", &bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request");
    }
    let (status, body) = call(&sim, Method::GET, "/v2/campaigns/cmp_unknown").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    let second = create(&sim, &campaign_body(&[])).await;
    let (_, list) = call(&sim, Method::GET, "/v2/campaigns?limit=1").await;
    assert_eq!(list["data"][0]["id"], second.as_str());
    assert!(list["data"][0].get("counters").is_none());
    let cursor = list["next_cursor"].as_str().unwrap();
    let (_, rest) = call(
        &sim,
        Method::GET,
        &format!("/v2/campaigns?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(rest["data"][0]["id"], id.as_str());
    assert_eq!(rest["has_more"], false);

    let restricted = Sim::builder()
        .mirai_v2_agents(["agt_x"])
        .start()
        .await
        .unwrap();
    let (status, _) = post(&restricted, "/v2/campaigns", &campaign_body(&[])).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn stop_mid_run_aborts_live_calls_and_pending_contacts() {
    let sim = Sim::start().await.unwrap();
    let (url, mut rx) = receiver().await;
    let mut body = campaign_body(&PHONES);
    body["webhook_url"] = json!(url);
    let id = create(&sim, &body).await;
    let v2c = sim.mirai_v2();
    assert!(
        v2c.dial_campaign(&id, 5).unwrap().is_empty(),
        "a draft does not dial"
    );

    let (status, started) = action(&sim, &id, "start").await;
    assert_eq!(status, 202);
    assert_eq!(started, json!({ "id": id, "status": "play" }));
    let event = next(&mut rx).await.json();
    assert_eq!(event["type"], "campaign.started");
    assert_eq!(event["data"]["campaign"]["id"], id.as_str());
    assert_eq!(event["data"]["campaign"]["counters"]["pending"], 4);

    let dialled = v2c.dial_campaign(&id, 2).unwrap();
    assert_eq!(dialled.len(), 2);
    let (_, first) = call(&sim, Method::GET, &format!("/v2/calls/{}", dialled[0])).await;
    assert_eq!(first["status"], "queued");
    assert_eq!(first["to"], PHONES[0]);
    assert_eq!(first["agent_id"], "agt_1");
    let (_, listed) = call(&sim, Method::GET, "/v2/calls?agent_id=agt_1").await;
    assert_eq!(
        listed["data"].as_array().unwrap().len(),
        2,
        "campaign calls are ordinary calls"
    );
    v2c.advance(&dialled[0]).unwrap();
    v2c.advance(&dialled[0]).unwrap(); // in_progress: call.started to the campaign's URL
    assert_eq!(next(&mut rx).await.json()["type"], "call.started");
    let (_, running) = call(&sim, Method::GET, &format!("/v2/campaigns/{id}")).await;
    assert_eq!(running["counters"], json!({ "dialing": 2, "pending": 2 }));

    let (status, stopped) = action(&sim, &id, "stop").await;
    assert_eq!(status, 202);
    assert_eq!(stopped["status"], "stopped");
    for call_id in &dialled {
        let call = v2c.call(call_id).unwrap();
        assert_eq!(call.status(), "aborted");
        assert_eq!(call.ended_reason(), Some("aborted-by-api"));
    }
    let campaign = v2c.campaign(&id).unwrap();
    assert_eq!(campaign.status(), "stopped");
    assert_eq!(campaign.count("aborted"), 4);
    assert!(campaign.contacts().iter().all(|c| c.status() == "aborted"));

    // Irreversible: nothing dials, nothing restarts.
    assert!(v2c.dial_campaign(&id, 10).unwrap().is_empty());
    assert_eq!(v2c.campaign(&id).unwrap().call_ids().len(), 2);
    for verb in ["start", "resume", "pause", "stop"] {
        let (status, body) = action(&sim, &id, verb).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("conflict")),
            "{verb}"
        );
    }
    let (status, _) = post(
        &sim,
        &format!("/v2/campaigns/{id}/contacts"),
        &json!({ "contacts": [{ "phone": "+919800000000" }] }),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = send(json_body(
        v2(
            &client(),
            &sim,
            Method::PATCH,
            &format!("/v2/campaigns/{id}"),
        ),
        &json!({ "name": "again" }),
    ))
    .await;
    assert_eq!(status, 409);

    let mut types = Vec::new();
    for _ in 0..3 {
        types.push(
            next(&mut rx).await.json()["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(types, ["call.aborted", "call.aborted", "campaign.stopped"]);
}

#[tokio::test]
async fn pause_keeps_live_calls_and_resume_dials_on() {
    let sim = Sim::start().await.unwrap();
    let id = create(&sim, &campaign_body(&PHONES[..2])).await;
    let v2c = sim.mirai_v2();
    let (status, body) = action(&sim, &id, "resume").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict")),
        "never started"
    );
    let (status, _) = action(&sim, &id, "pause").await;
    assert_eq!(status, 409, "only play pauses");
    assert_eq!(action(&sim, &id, "start").await.0, 202);
    assert_eq!(action(&sim, &id, "start").await.0, 409, "already running");

    let first = v2c.dial_campaign(&id, 1).unwrap();
    let (status, paused) = action(&sim, &id, "pause").await;
    assert_eq!((status, paused["status"].as_str()), (202, Some("paused")));
    assert!(
        v2c.dial_campaign(&id, 5).unwrap().is_empty(),
        "no new dials while paused"
    );
    for _ in 0..3 {
        v2c.advance(&first[0]).unwrap(); // the live call goes on to completed
    }
    let campaign = v2c.campaign(&id).unwrap();
    assert_eq!(campaign.status(), "paused");
    assert_eq!(campaign.pause_reason(), None);
    assert_eq!(campaign.contacts()[0].status(), "completed");
    assert_eq!(campaign.contacts()[0].last_status(), Some("completed"));

    let (status, resumed) = action(&sim, &id, "resume").await;
    assert_eq!((status, resumed["status"].as_str()), (202, Some("play")));
    let second = v2c.dial_campaign(&id, 5).unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(v2c.call(&second[0]).unwrap().to(), Some(PHONES[1]));
    v2c.set_status(&second[0], "voicemail").unwrap();
    let campaign = v2c.campaign(&id).unwrap();
    assert_eq!(campaign.status(), "completed", "every contact is final");
    assert_eq!(action(&sim, &id, "start").await.0, 409);

    let (status, report) = call(&sim, Method::GET, &format!("/v2/campaigns/{id}/report")).await;
    assert_eq!(status, 200);
    assert_eq!(report["campaign_id"], id.as_str());
    assert_eq!(report["contacts"], 2);
    assert_eq!(report["dialed"], 2);
    assert_eq!(report["attempts"], 2);
    assert_eq!(report["connected"], 2);
    // Both calls ended the second they started: no billable block.
    assert_eq!(report["spent_paise"], 0);
    assert_eq!(report["spent_inr"], 0.0);
    assert_eq!(
        report["counters"],
        json!({ "completed": 1, "voicemail": 1 })
    );
    let response = v2(
        &client(),
        &sim,
        Method::GET,
        &format!("/v2/campaigns/{id}/report?format=csv"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,phone,status,attempts,last_call_id");
    assert!(lines[1].ends_with(&format!(",{},completed,1,{}", PHONES[0], first[0])));
    assert_eq!(lines.len(), 3);
}

#[tokio::test]
async fn failed_contacts_are_retried_then_exhausted() {
    let sim = Sim::start().await.unwrap();
    let v2c = sim.mirai_v2();
    v2c.seed_campaign(
        MiraiV2CampaignSeed::new("cmp_retry", "agt_1")
            .status("play")
            .retry_count(1)
            .contact_with_id("cust-1", PHONES[0]),
    );
    let first = v2c.dial_campaign("cmp_retry", 1).unwrap();
    v2c.set_status(&first[0], "no_answer").unwrap();
    let (_, rows) = call(&sim, Method::GET, "/v2/campaigns/cmp_retry/contacts").await;
    assert_eq!(rows["data"][0]["status"], "pending");
    assert_eq!(rows["data"][0]["attempts"], 1);
    assert_eq!(rows["data"][0]["last_status"], "no_answer");
    assert!(rows["data"][0]["eligible_at"].is_string());
    let second = v2c.dial_campaign("cmp_retry", 1).unwrap();
    assert_ne!(second, first);
    v2c.set_status(&second[0], "busy").unwrap();
    let campaign = v2c.campaign("cmp_retry").unwrap();
    assert_eq!(campaign.contacts()[0].status(), "exhausted");
    assert_eq!(campaign.contacts()[0].attempts(), 2);
    assert_eq!(campaign.status(), "completed");
    // The first attempt changing late does not move the contact back.
    v2c.set_status(&first[0], "completed").unwrap();
    assert_eq!(
        v2c.campaign("cmp_retry").unwrap().contacts()[0].status(),
        "exhausted"
    );

    v2c.seed_campaign(
        MiraiV2CampaignSeed::new("cmp_once", "agt_1")
            .status("play")
            .contact(PHONES[0])
            .contact(PHONES[1]),
    );
    let calls = v2c.dial_campaign("cmp_once", 2).unwrap();
    v2c.set_status(&calls[0], "no_answer").unwrap();
    let (status, _) = call(&sim, Method::POST, &format!("/v2/calls/{}/abort", calls[1])).await;
    assert_eq!(status, 202);
    let campaign = v2c.campaign("cmp_once").unwrap();
    assert_eq!(
        campaign.contacts()[0].status(),
        "no_answer",
        "no retries configured"
    );
    assert_eq!(campaign.contacts()[1].status(), "aborted");
    assert_eq!(campaign.status(), "completed");
    assert!(v2c.dial_campaign("cmp_nope", 1).is_err());
}

#[tokio::test]
async fn budget_pauses_with_a_reason() {
    let sim = Sim::start().await.unwrap();
    let v2c = sim.mirai_v2();
    // Simulated calls last no billable time, so only a zero budget is ever spent.
    v2c.seed_campaign(
        MiraiV2CampaignSeed::new("cmp_b", "agt_1")
            .status("play")
            .budget_paise(0)
            .contact(PHONES[0])
            .contact(PHONES[1]),
    );
    assert!(v2c.dial_campaign("cmp_b", 1).unwrap().is_empty());
    let campaign = v2c.campaign("cmp_b").unwrap();
    assert_eq!(campaign.status(), "paused");
    assert_eq!(campaign.pause_reason(), Some("budget_exhausted"));
    assert_eq!(campaign.count("pending"), 2, "contacts keep their place");
}

#[tokio::test]
async fn the_calling_window_gates_start_resume_and_dials() {
    let sim = Sim::builder()
        .calling_window(CallingWindow::closed())
        .start()
        .await
        .unwrap();
    let id = create(&sim, &campaign_body(&PHONES[..2])).await;
    let (status, body) = action(&sim, &id, "start").await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "window_closed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("end_date 2026-10-10")
    );

    let v2c = sim.mirai_v2();
    v2c.set_calling_window(CallingWindow::always_open());
    assert_eq!(action(&sim, &id, "start").await.0, 202);
    v2c.set_calling_window(CallingWindow::closed());
    assert!(
        v2c.dial_campaign(&id, 5).unwrap().is_empty(),
        "asleep outside the window"
    );
    assert_eq!(
        v2c.campaign(&id).unwrap().status(),
        "play",
        "asleep is not paused"
    );
    assert_eq!(action(&sim, &id, "pause").await.0, 202);
    let (status, body) = action(&sim, &id, "resume").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("window_closed"))
    );
    assert_eq!(v2c.calling_window(), CallingWindow::closed());
}

#[tokio::test]
async fn auto_dial_keeps_max_concurrent_live() {
    let sim = Sim::builder().auto_dial(true).start().await.unwrap();
    let (url, mut rx) = receiver().await;
    let mut body = campaign_body(&PHONES[..3]);
    body["max_concurrent"] = json!(2);
    body["webhook_url"] = json!(url);
    let id = create(&sim, &body).await;
    let v2c = sim.mirai_v2();
    assert!(
        v2c.campaign(&id).unwrap().call_ids().is_empty(),
        "a draft waits"
    );
    assert_eq!(action(&sim, &id, "start").await.0, 202);
    let campaign = v2c.campaign(&id).unwrap();
    assert_eq!(campaign.count("dialing"), 2);
    let first = campaign.call_ids()[0].clone();
    v2c.set_status(&first, "completed").unwrap();
    let campaign = v2c.campaign(&id).unwrap();
    assert_eq!(
        (campaign.count("dialing"), campaign.call_ids().len()),
        (2, 3)
    );
    for call_id in &campaign.call_ids()[1..] {
        v2c.set_status(call_id, "completed").unwrap();
    }
    assert_eq!(v2c.campaign(&id).unwrap().status(), "completed");
    let mut types = Vec::new();
    while types.last().map(String::as_str) != Some("campaign.completed") {
        types.push(
            next(&mut rx).await.json()["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(types.first().map(String::as_str), Some("campaign.started"));
    assert_eq!(types.iter().filter(|t| *t == "call.completed").count(), 3);
}

#[tokio::test]
async fn disabled_campaigns_answer_503_after_auth() {
    let sim = Sim::builder()
        .mirai_v2_campaigns(false)
        .start()
        .await
        .unwrap();
    let http = client();
    for (method, path) in [
        (Method::POST, "/v2/campaigns"),
        (Method::GET, "/v2/campaigns"),
        (Method::GET, "/v2/campaigns/cmp_1"),
        (Method::PATCH, "/v2/campaigns/cmp_1"),
        (Method::POST, "/v2/campaigns/cmp_1/contacts"),
        (Method::GET, "/v2/campaigns/cmp_1/contacts"),
        (Method::POST, "/v2/campaigns/cmp_1/start"),
        (Method::POST, "/v2/campaigns/cmp_1/pause"),
        (Method::POST, "/v2/campaigns/cmp_1/resume"),
        (Method::POST, "/v2/campaigns/cmp_1/stop"),
        (Method::GET, "/v2/campaigns/cmp_1/report"),
        (Method::POST, "/v2/dnc"),
        (Method::GET, "/v2/dnc"),
        (Method::DELETE, "/v2/dnc/%2B919876543210"),
    ] {
        let (status, body) = send(v2(&http, &sim, method.clone(), path)).await;
        assert_eq!(status, 503, "{method} {path}");
        assert_eq!(body["error"]["code"], "campaigns_unavailable");
    }
    let (status, _) = send(http.get(format!("{}/v2/campaigns", sim.base_url()))).await;
    assert_eq!(status, 401, "the key is checked first");
    let (status, _) = call(&sim, Method::GET, "/v2/calls").await;
    assert_eq!(status, 200, "calls are not affected");
}

#[tokio::test]
async fn journal_and_faults_on_campaign_routes() {
    let sim = Sim::start().await.unwrap();
    sim.mirai_v2()
        .seed_campaign(MiraiV2CampaignSeed::new("cmp_j", "agt_1").contact(PHONES[0]));
    sim.faults()
        .on_route(Route::MiraiV2CampaignStart, Fault::status(429), 1);
    let (status, body) = action(&sim, "cmp_j", "start").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert_eq!(sim.mirai_v2().campaign("cmp_j").unwrap().status(), "draft");
    sim.faults().on_call("cmp_j", Fault::LostReply, 1);
    assert!(
        v2(&client(), &sim, Method::POST, "/v2/campaigns/cmp_j/start")
            .send()
            .await
            .is_err()
    );
    assert_eq!(sim.mirai_v2().campaign("cmp_j").unwrap().status(), "play");
    let (status, body) = action(&sim, "cmp_j", "start").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    sim.faults()
        .on_route(Route::MiraiV2CampaignReport, Fault::Html { status: 502 }, 1);
    let (status, _) = call(&sim, Method::GET, "/v2/campaigns/cmp_j/report").await;
    assert_eq!(status, 502);
    for verb in ["pause", "resume", "stop"] {
        action(&sim, "cmp_j", verb).await;
    }
    call(&sim, Method::GET, "/v2/campaigns").await;
    call(&sim, Method::GET, "/v2/campaigns/cmp_j/contacts").await;

    let journal = sim.journal();
    assert_eq!(journal.count(Route::MiraiV2CampaignStart, Some("cmp_j")), 3);
    assert_eq!(
        journal.count(Route::MiraiV2CampaignReport, Some("cmp_j")),
        1
    );
    for route in [
        Route::MiraiV2CampaignPause,
        Route::MiraiV2CampaignResume,
        Route::MiraiV2CampaignStop,
        Route::MiraiV2CampaignListContacts,
    ] {
        assert_eq!(journal.count(route, Some("cmp_j")), 1, "{route}");
    }
    assert_eq!(journal.count(Route::MiraiV2CampaignList, None), 1);
    assert_eq!(journal.recent()[1].fault(), Some("lost_reply"));
}
