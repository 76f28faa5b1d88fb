//! The Mirai v2 do-not-call list: its routes, dial-time suppression, and single calls.

use calls_sim::{MiraiV2CampaignSeed, Route, Sim};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{client, json_body, send, v2};

async fn add(sim: &Sim, phone: &str) -> (u16, Value) {
    send(json_body(
        v2(&client(), sim, Method::POST, "/v2/dnc"),
        &json!({ "phone": phone }),
    ))
    .await
}

#[tokio::test]
async fn add_list_and_remove() {
    let sim = Sim::start().await.unwrap();
    let (status, body) = add(&sim, "+919876543210").await;
    assert_eq!(status, 201);
    assert_eq!(
        body,
        json!({ "object": "dnc_entry", "phone": "+919876543210", "added": true })
    );
    let (status, body) = add(&sim, "+919876543210").await;
    assert_eq!(
        (status, body["added"].as_bool()),
        (200, Some(false)),
        "not an error"
    );
    for bad in ["9876543210", "+0123", ""] {
        let (status, body) = add(&sim, bad).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid_request"))
        );
    }
    add(&sim, "+919876543211").await;

    let (status, page) = send(v2(&client(), &sim, Method::GET, "/v2/dnc?limit=1")).await;
    assert_eq!(status, 200);
    assert_eq!(page["data"][0]["object"], "dnc_entry");
    assert_eq!(page["data"][0]["phone"], "+919876543211", "newest first");
    assert!(page["data"][0]["created_at"].is_string());
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = send(v2(
        &client(),
        &sim,
        Method::GET,
        &format!("/v2/dnc?limit=1&cursor={cursor}"),
    ))
    .await;
    assert_eq!(rest["data"][0]["phone"], "+919876543210");
    assert_eq!(rest["has_more"], false);
    assert_eq!(rest["next_cursor"], Value::Null);

    let remove = || v2(&client(), &sim, Method::DELETE, "/v2/dnc/%2B919876543210");
    let response = remove().send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
    let (status, body) = send(remove()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    assert_eq!(sim.mirai_v2().dnc_numbers(), ["+919876543211"]);

    let journal = sim.journal();
    assert_eq!(journal.count(Route::MiraiV2DncAdd, None), 6);
    assert_eq!(journal.count(Route::MiraiV2DncList, None), 2);
    assert_eq!(
        journal.count(Route::MiraiV2DncRemove, Some("+919876543210")),
        2
    );
}

#[tokio::test]
async fn listed_numbers_are_suppressed_when_their_turn_comes() {
    let sim = Sim::start().await.unwrap();
    let v2c = sim.mirai_v2();
    v2c.seed_campaign(
        MiraiV2CampaignSeed::new("cmp_d", "agt_1")
            .status("play")
            .contact("+919876543210")
            .contact("+919876543211")
            .contact("+919876543212")
            .contact("+919876543213"),
    );
    let first = v2c.dial_campaign("cmp_d", 1).unwrap();
    // Listed after the upload, while the campaign runs: suppressed from that moment.
    assert_eq!(add(&sim, "+919876543211").await.0, 201);
    assert_eq!(
        add(&sim, "+919876543210").await.0,
        201,
        "already dialled: no effect on it"
    );
    let dialled = v2c.dial_campaign("cmp_d", 1).unwrap();
    assert_eq!(dialled.len(), 1, "a suppressed contact does not count");
    assert_eq!(v2c.call(&dialled[0]).unwrap().to(), Some("+919876543212"));

    let campaign = v2c.campaign("cmp_d").unwrap();
    let statuses: Vec<&str> = campaign.contacts().iter().map(|c| c.status()).collect();
    assert_eq!(statuses, ["dialing", "suppressed", "dialing", "pending"]);
    assert_eq!(campaign.contacts()[1].attempts(), 0, "never dialled");
    assert!(campaign.contacts()[1].last_call_id().is_none());
    assert_eq!(v2c.call(&first[0]).unwrap().status(), "queued");

    // Removal does not un-suppress a contact already suppressed.
    assert!(v2c.remove_dnc_number("+919876543211"));
    v2c.dial_campaign("cmp_d", 5).unwrap();
    let (_, report) = send(v2(
        &client(),
        &sim,
        Method::GET,
        "/v2/campaigns/cmp_d/report",
    ))
    .await;
    assert_eq!(report["counters"]["suppressed"], 1);
    assert_eq!(report["counters"]["dialing"], 3);
    let (_, rows) = send(v2(
        &client(),
        &sim,
        Method::GET,
        "/v2/campaigns/cmp_d/contacts?status=suppressed",
    ))
    .await;
    assert_eq!(rows["data"].as_array().unwrap().len(), 1);
    assert_eq!(rows["data"][0]["phone"], "+919876543211");
}

#[tokio::test]
async fn single_calls_ignore_the_list() {
    let sim = Sim::start().await.unwrap();
    assert!(sim.mirai_v2().add_dnc_number("+919876543210"));
    let (status, created) = send(json_body(
        v2(&client(), &sim, Method::POST, "/v2/calls"),
        &json!({ "agent_id": "agt_1", "to": "+919876543210" }),
    ))
    .await;
    assert_eq!(status, 202, "a single call is an explicit instruction");
    assert_eq!(created["status"], "queued");
    let id = created["id"].as_str().unwrap();
    assert_eq!(sim.mirai_v2().call(id).unwrap().to(), Some("+919876543210"));
}
