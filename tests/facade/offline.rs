//! Testing your integration offline: the README's example, run as a test.
//!
//! calls-sim serves the providers' call APIs on a loopback port, with scripted faults and a journal of what it
//! received, so terminate can be tested end to end without a network or an account.

use std::sync::Arc;
use std::time::Duration;

use calls_facade::cartesia::CartesiaClient;
use calls_facade::mirai::MiraiLegacyClient;
use calls_facade::{CallControl, CallId, RetryConfig, TerminateOutcome};
use calls_sim::{CartesiaCallSeed, Fault, Route, Sim};

#[tokio::test]
async fn terminate_a_cartesia_and_a_mirai_call_offline() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Sim::start().await?; // 127.0.0.1, any free port
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_live", "agent_1").status("started"));
    sim.mirai().seed_call("68f0a1b2c3d4e5f600000900", None); // queued
    sim.faults()
        .on_route(Route::CartesiaCancel, Fault::status(502), 1); // one 502, then normal

    let keys = sim.credentials();
    let retry = RetryConfig::standard().with_initial_backoff(Duration::from_millis(1));
    let cartesia = CartesiaClient::builder()
        .api_key(keys.cartesia_api_key())
        .base_url(sim.base_url())
        .retry(retry.clone())
        .build()?;
    let mirai = MiraiLegacyClient::builder()
        .public_key(keys.mirai_public_key())
        .private_key(keys.mirai_private_key())
        .workspace(keys.mirai_workspace())
        .base_url(sim.base_url())
        .retry(retry)
        .build()?;
    let calls: [(Arc<dyn CallControl>, &str); 2] = [
        (Arc::new(cartesia), "ac_live"),
        (Arc::new(mirai), "68f0a1b2c3d4e5f600000900"),
    ];

    for (client, id) in calls {
        let done = client.terminate(&CallId::new(id)?).await?;
        assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    }

    // After the 502, the Cartesia call was read (still started) and cancelled again; each call was stopped, and
    // nothing else was sent.
    let journal = sim.journal();
    assert_eq!(journal.count(Route::CartesiaCancel, Some("ac_live")), 2);
    assert_eq!(journal.count(Route::CartesiaGet, Some("ac_live")), 1);
    assert_eq!(
        journal.count(Route::MiraiAbort, Some("68f0a1b2c3d4e5f600000900")),
        1
    );
    assert_eq!(journal.total(), 4);
    let cancelled = sim.cartesia().call("ac_live").ok_or("no call")?;
    assert_eq!(cancelled.end_reason(), Some("api_cancelled"));
    sim.shutdown().await;
    Ok(())
}
