//! `callctl demo`: the main job, end to end over real HTTP, against an in-process sandbox.

use std::sync::Arc;
use std::time::Duration;

use calls_facade::PhoneNumber;
use calls_facade::bulk::BulkOptions;
use calls_facade::cartesia::CartesiaClient;
use calls_facade::mirai::v2::CampaignId;
use calls_facade::mirai::{MiraiLegacyClient, MiraiV2Client};
use calls_facade::stop_number::{NumberTarget, StopNumberEvent, stop_number};
use calls_facade::{CallControl, CallId, RetryConfig};
use calls_sim::{CartesiaCallSeed, Fault, MiraiV2CallSeed, MiraiV2CampaignSeed, Route, Sim};
use futures_util::StreamExt;

use crate::bulk;
use crate::exit::Exit;

pub(crate) async fn run(bulk_size: u32) -> Exit {
    match walk_through(bulk_size).await {
        Ok(exit) => exit,
        Err(error) => {
            eprintln!("callctl: the demo failed: {error}");
            Exit::Failures
        }
    }
}

async fn walk_through(bulk_size: u32) -> Result<Exit, Box<dyn std::error::Error>> {
    let sim = Sim::start().await?;
    let credentials = sim.credentials();
    // Short backoffs so the demo's retries are quick to watch; the defaults are 200 ms doubling.
    let retry = RetryConfig::standard()
        .with_initial_backoff(Duration::from_millis(20))
        .with_attempt_timeout(Duration::from_secs(2));
    let cartesia = CartesiaClient::builder()
        .api_key(credentials.cartesia_api_key())
        .base_url(sim.base_url())
        .retry(retry.clone())
        .build()?;
    let mirai = MiraiLegacyClient::builder()
        .public_key(credentials.mirai_public_key())
        .private_key(credentials.mirai_private_key())
        .workspace(credentials.mirai_workspace())
        .base_url(sim.base_url())
        .retry(retry.clone())
        .build()?;
    let mirai_v2 = MiraiV2Client::builder()
        .api_key(credentials.mirai_api_key())
        .base_url(sim.base_url())
        .retry(retry)
        .build()?;
    println!(
        "A local sandbox of both providers is listening on {} (no credentials, no network).\n",
        sim.base_url()
    );

    let cartesia_calls = sim.cartesia();
    let mirai_calls = sim.mirai();
    cartesia_calls.seed_call(CartesiaCallSeed::new("ac_live", "agent_demo").status("started"));
    mirai_calls.seed_call("68f0a1b2c3d4e5f600000901", None);
    cartesia_calls.seed_call(
        CartesiaCallSeed::new("ac_over", "agent_demo")
            .status("completed")
            .end_reason("agent_hangup"),
    );
    cartesia_calls.seed_call(CartesiaCallSeed::new("ac_flaky", "agent_demo").status("started"));
    sim.faults().on_call("ac_flaky", Fault::status(502), 1);
    cartesia_calls.seed_call(CartesiaCallSeed::new("ac_lost", "agent_demo").status("started"));
    sim.faults().on_call("ac_lost", Fault::LostReply, 1);

    let steps: [(&str, &dyn CallControl, &str); 5] = [
        ("1. Cancel an active Cartesia call", &cartesia, "ac_live"),
        (
            "2. Abort a queued Mirai call",
            &mirai,
            "68f0a1b2c3d4e5f600000901",
        ),
        ("3. A call that was already over", &cartesia, "ac_over"),
        ("4. A transient 502, retried", &cartesia, "ac_flaky"),
        (
            "5. The cancel landed but its reply was lost",
            &cartesia,
            "ac_lost",
        ),
    ];
    for (title, client, id) in steps {
        let answer = client.terminate(&CallId::new(id)?).await;
        match answer {
            Ok(done) => println!(
                "{title}:\n   {} {id}: {} after {} request(s)",
                client.provider(),
                done.outcome(),
                done.attempts()
            ),
            Err(error) => println!("{title}:\n   {} {id}: failed: {error}", client.provider()),
        }
    }
    println!(
        "   (the sandbox received {} cancels and {} reads for ac_lost: the retry found the call ended by our cancel)\n",
        sim.journal().count(Route::CartesiaCancel, Some("ac_lost")),
        sim.journal().count(Route::CartesiaGet, Some("ac_lost")),
    );

    println!("6. A Mirai campaign goes wrong: stop it mid-run");
    let mut campaign = MiraiV2CampaignSeed::new("cmp_demo", "agt_demo")
        .status("play")
        .max_concurrent(2);
    for n in 0..8 {
        campaign = campaign.contact(format!("+9198765431{n:02}"));
    }
    sim.mirai_v2().seed_campaign(campaign);
    let live = sim.mirai_v2().dial_campaign("cmp_demo", 2)?;
    let stopped = mirai_v2
        .stop_campaign(&CampaignId::new("cmp_demo")?)
        .await?;
    let after = sim
        .mirai_v2()
        .campaign("cmp_demo")
        .ok_or("the campaign is gone")?;
    println!(
        "   campaign cmp_demo is {}: its {} calls in flight were aborted, {} pending contacts aborted, {} dialled since.\n",
        stopped.status,
        live.len(),
        after.count("aborted").saturating_sub(live.len()),
        sim.mirai_v2().dial_campaign("cmp_demo", 8)?.len(),
    );

    let number = "+919876543210";
    println!("7. A customer says \"stop calling me\" ({number}): every provider, every call");
    let mut to = serde_json::Map::new();
    to.insert("to".into(), serde_json::json!(number));
    cartesia_calls.seed_call(
        CartesiaCallSeed::new("ac_to_customer", "agent_demo")
            .status("started")
            .telephony_params(to),
    );
    sim.mirai_v2().seed_call(
        MiraiV2CallSeed::new("call_to_customer", "agt_demo")
            .status("in_progress")
            .to(number),
    );
    sim.mirai_v2().seed_call(
        MiraiV2CallSeed::new("call_queued_to_customer", "agt_demo")
            .status("queued")
            .to(number),
    );
    let targets = vec![
        NumberTarget::new(Arc::new(cartesia.number_search(["agent_demo"]))),
        NumberTarget::new(Arc::new(mirai_v2.clone())),
    ];
    let mut events = stop_number(targets, PhoneNumber::new(number)?, BulkOptions::new());
    while let Some(event) = events.next().await {
        match event {
            StopNumberEvent::Suppressed {
                provider,
                suppression,
            } => {
                println!("   {provider}: on the do-not-call list ({suppression:?})");
            }
            StopNumberEvent::SuppressionUnsupported { provider } => {
                println!(
                    "   {provider}: has no do-not-call list; its calls to the number are ended below"
                );
            }
            StopNumberEvent::Call(report) => {
                println!(
                    "   {}: call {} {}",
                    report.provider,
                    report.call_id,
                    report.outcome.as_str()
                );
            }
            other => println!("   {other:?}"),
        }
    }
    println!();

    println!("8. Stop {bulk_size} live calls at once, with one answer per call:");
    let ids: Vec<String> = (0..bulk_size).map(|n| format!("ac_bulk_{n:06}")).collect();
    for id in &ids {
        cartesia_calls
            .seed_call(CartesiaCallSeed::new(id.clone(), "agent_campaign").status("started"));
    }
    let source: crate::ids::Ids = Box::pin(futures_util::stream::iter(ids));
    let client: Arc<dyn CallControl> = Arc::new(cartesia);
    let summary = bulk::execute(
        client,
        source,
        Some(u64::from(bulk_size)),
        BulkOptions::new().with_max_concurrency(64),
        None,
    )
    .await;
    sim.shutdown().await;
    let tally = summary.tally;
    println!(
        "   {} terminated, {} already ended, {} failed, {} not attempted.",
        tally.terminated, tally.already_ended, tally.failed, tally.not_attempted
    );
    println!(
        "\nNext: `callctl sim` runs this sandbox for your own tests; `callctl --help` lists every command."
    );
    Ok(if tally.failed + tally.not_attempted == 0 {
        Exit::Success
    } else {
        Exit::Failures
    })
}
