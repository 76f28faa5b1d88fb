//! Stopping at scale, end to end against calls-sim: a campaign stopped mid-run, a batch stopped with its live calls,
//! and a number suppressed across every provider with calls in every state.

use std::sync::Arc;

use calls_facade::bulk::{BulkOptions, BulkOutcome};
use calls_facade::cartesia::{BatchId, CartesiaClient, CreateBatch, StopBatch};
use calls_facade::mirai::v2::{CampaignId, ChangeOutcome};
use calls_facade::mirai::{MiraiLegacyClient, MiraiV2Client};
use calls_facade::stop_number::{NumberTarget, StopNumberEvent, Suppression, stop_number};
use calls_facade::{CallId, ErrorKind, PhoneNumber, Provider};
use calls_sim::{CartesiaCallSeed, MiraiV2CallSeed, MiraiV2CampaignSeed, Route, Sim};
use futures_util::StreamExt;
use serde_json::json;

use crate::subject::retry;

const NUMBER: &str = "+919876543210";
const OTHER: &str = "+14155550123";

fn cartesia(sim: &Sim) -> CartesiaClient {
    let keys = sim.credentials();
    CartesiaClient::builder()
        .api_key(keys.cartesia_api_key())
        .base_url(sim.base_url())
        .retry(retry())
        .build()
        .unwrap()
}

fn mirai(sim: &Sim) -> MiraiLegacyClient {
    let keys = sim.credentials();
    MiraiLegacyClient::builder()
        .public_key(keys.mirai_public_key())
        .private_key(keys.mirai_private_key())
        .workspace(keys.mirai_workspace())
        .base_url(sim.base_url())
        .retry(retry())
        .build()
        .unwrap()
}

fn mirai_v2(sim: &Sim) -> MiraiV2Client {
    let keys = sim.credentials();
    MiraiV2Client::builder()
        .api_key(keys.mirai_api_key())
        .base_url(sim.base_url())
        .retry(retry())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_stopped_mid_run_dials_no_one_else_and_hangs_up_its_live_calls() {
    let sim = Sim::start().await.unwrap();
    let mut seed = MiraiV2CampaignSeed::new("cmp_1", "agt_1")
        .status("play")
        .max_concurrent(3);
    for n in 0..10 {
        seed = seed.contact(format!("+9198765432{n:02}"));
    }
    sim.mirai_v2().seed_campaign(seed);
    let dialled = sim.mirai_v2().dial_campaign("cmp_1", 3).unwrap();
    assert_eq!(dialled.len(), 3);
    sim.mirai_v2()
        .set_status(&dialled[0], "in_progress")
        .unwrap();
    sim.mirai_v2().set_status(&dialled[1], "dialing").unwrap();

    let client = mirai_v2(&sim);
    let id = CampaignId::new("cmp_1").unwrap();
    let stopped = client.stop_campaign(&id).await.unwrap();
    assert_eq!(stopped.outcome, ChangeOutcome::Applied);
    assert_eq!(stopped.status.as_str(), "stopped");

    // Live calls were hung up, pending contacts aborted, and nothing is dialled afterwards.
    for call in &dialled {
        assert_eq!(
            sim.mirai_v2().call(call).unwrap().status(),
            "aborted",
            "{call}"
        );
    }
    assert_eq!(
        sim.mirai_v2().dial_campaign("cmp_1", 10).unwrap(),
        Vec::<String>::new()
    );
    let campaign = sim.mirai_v2().campaign("cmp_1").unwrap();
    assert_eq!(campaign.count("pending"), 0);
    assert_eq!(campaign.call_ids().len(), 3);
    // Stopping again is not an error: the campaign is already stopped.
    let again = client.stop_campaign(&id).await.unwrap();
    assert_eq!(again.outcome, ChangeOutcome::AlreadyInState);
    let live: Vec<_> = client.campaign_live_calls(&id).collect().await;
    assert!(live.is_empty(), "{live:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stopped_with_its_live_calls_answers_once_per_call() {
    let sim = Sim::start().await.unwrap();
    let client = cartesia(&sim);
    let request = (0..6).fold(CreateBatch::new("march", "agent_1", "ap_1"), |b, n| {
        b.to(format!("+1415555010{n}"))
    });
    let batch = client.create_batch(&request).await.unwrap();
    let placed = sim.cartesia().dispatch_batch(batch.id.as_str(), 3).unwrap();
    sim.cartesia().set_status(&placed[0], "started").unwrap();
    sim.cartesia().set_status(&placed[1], "started").unwrap();
    // placed[2] is still `created`: ringing, and Cartesia cannot cancel it.

    let id = BatchId::new(batch.id.as_str()).unwrap();
    let stop = client
        .stop_batch(&id, StopBatch::new().cancel_live_calls(true))
        .await
        .unwrap();
    assert_eq!(stop.withdrawn_recipients(), 3);
    let reports: Vec<_> = stop.collect().await;
    assert_eq!(reports.len(), 3, "one report per call placed");
    let outcome = |call: &str| {
        reports
            .iter()
            .find(|r| r.call_id == call)
            .map(|r| &r.outcome)
    };
    assert_eq!(
        outcome(&placed[0]).map(BulkOutcome::as_str),
        Some("terminated")
    );
    assert_eq!(
        outcome(&placed[1]).map(BulkOutcome::as_str),
        Some("terminated")
    );
    match outcome(&placed[2]) {
        Some(BulkOutcome::Failed(error)) => assert_eq!(error.kind(), ErrorKind::NotTerminable),
        other => panic!("a created call cannot be cancelled: {other:?}"),
    }
    // No recipient is dialled after the cancel, and each live call got exactly one cancel.
    assert_eq!(
        sim.cartesia()
            .dispatch_batch(batch.id.as_str(), 10)
            .unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        sim.journal()
            .count(Route::CartesiaBatchCancel, Some(batch.id.as_str())),
        1
    );
    for call in &placed[..2] {
        assert_eq!(sim.journal().count(Route::CartesiaCancel, Some(call)), 1);
        assert_eq!(
            sim.cartesia().call(call).unwrap().end_reason(),
            Some("api_cancelled")
        );
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_is_suppressed_and_its_calls_ended_across_every_provider() {
    let sim = Sim::start().await.unwrap();
    let to = |number: &str| {
        let mut params = serde_json::Map::new();
        params.insert("to".into(), json!(number));
        params
    };
    // Cartesia: live, ringing, over, and another number's live call.
    let seed = |id: &str, status: &str, number: &str| {
        CartesiaCallSeed::new(id, "agent_sales")
            .status(status)
            .telephony_params(to(number))
    };
    sim.cartesia().seed_call(seed("c_live", "started", NUMBER));
    sim.cartesia()
        .seed_call(seed("c_ringing", "created", NUMBER));
    sim.cartesia()
        .seed_call(seed("c_over", "completed", NUMBER));
    sim.cartesia().seed_call(seed("c_other", "started", OTHER));
    // Mirai v2: queued, dialing, in progress, over, and another number's; plus a campaign that will reach the number.
    let v2 = |id: &str, status: &str, number: &str| {
        MiraiV2CallSeed::new(id, "agt_1").status(status).to(number)
    };
    sim.mirai_v2().seed_call(v2("call_q", "queued", NUMBER));
    sim.mirai_v2().seed_call(v2("call_d", "dialing", NUMBER));
    sim.mirai_v2()
        .seed_call(v2("call_l", "in_progress", NUMBER));
    sim.mirai_v2()
        .seed_call(v2("call_done", "completed", NUMBER));
    sim.mirai_v2()
        .seed_call(v2("call_other", "in_progress", OTHER));
    sim.mirai_v2().seed_campaign(
        MiraiV2CampaignSeed::new("cmp_1", "agt_1")
            .status("play")
            .contact(NUMBER),
    );
    // Mirai legacy: one queued call the caller knows about (the legacy API cannot search).
    sim.mirai().seed_call("68f0a1b2c3d4e5f600000901", None);

    let targets = vec![
        NumberTarget::new(Arc::new(cartesia(&sim).number_search(["agent_sales"]))),
        NumberTarget::new(Arc::new(mirai(&sim)))
            .with_known_call_ids([CallId::new("68f0a1b2c3d4e5f600000901").unwrap()]),
        NumberTarget::new(Arc::new(mirai_v2(&sim))),
    ];
    let number = PhoneNumber::new(NUMBER).unwrap();
    let events: Vec<_> = stop_number(targets, number, BulkOptions::new())
        .collect()
        .await;

    let mut steps = Vec::new();
    let mut calls = Vec::new();
    for event in &events {
        match event {
            StopNumberEvent::Suppressed {
                provider,
                suppression,
            } => {
                steps.push((*provider, format!("suppressed {suppression:?}")));
            }
            StopNumberEvent::SuppressionUnsupported { provider } => {
                steps.push((*provider, "no list".into()))
            }
            StopNumberEvent::SearchUnsupported { provider } => {
                steps.push((*provider, "no search".into()))
            }
            StopNumberEvent::Call(report) => calls.push((
                report.provider,
                report.call_id.clone(),
                report.outcome.as_str(),
            )),
            other => panic!("unexpected step: {other:?}"),
        }
    }
    // The providers are worked on at the same time: their steps come in any order.
    steps.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
    assert_eq!(
        steps,
        [
            (Provider::Cartesia, "no list".to_owned()),
            (Provider::Mirai, "no list".to_owned()),
            (Provider::Mirai, "no search".to_owned()),
            (
                Provider::MiraiV2,
                format!("suppressed {:?}", Suppression::Added)
            ),
        ]
    );
    calls.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
    assert_eq!(
        calls,
        [
            (Provider::Cartesia, "c_live".to_owned(), "terminated"),
            (Provider::Cartesia, "c_ringing".to_owned(), "failed"),
            (
                Provider::Mirai,
                "68f0a1b2c3d4e5f600000901".to_owned(),
                "terminated"
            ),
            (Provider::MiraiV2, "call_d".to_owned(), "terminated"),
            (Provider::MiraiV2, "call_l".to_owned(), "terminated"),
            (Provider::MiraiV2, "call_q".to_owned(), "terminated"),
        ]
    );
    // Other numbers' calls are untouched, and the campaign now skips the number.
    assert_eq!(sim.cartesia().call("c_other").unwrap().status(), "started");
    assert_eq!(
        sim.mirai_v2().call("call_other").unwrap().status(),
        "in_progress"
    );
    assert_eq!(
        sim.journal().count(Route::CartesiaCancel, Some("c_other")),
        0
    );
    assert_eq!(sim.mirai_v2().dnc_numbers(), [NUMBER.to_owned()]);
    assert!(sim.mirai_v2().dial_campaign("cmp_1", 5).unwrap().is_empty());
    assert_eq!(
        sim.mirai_v2()
            .campaign("cmp_1")
            .unwrap()
            .count("suppressed"),
        1
    );
    sim.shutdown().await;
}
