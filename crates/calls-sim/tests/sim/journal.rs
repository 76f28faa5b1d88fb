//! The request journal.

use calls_sim::{CartesiaCallSeed, Fault, Route, Sim};
use reqwest::Method;

use crate::support::{cartesia, client, send};

#[tokio::test]
async fn counts_per_route_per_call_and_auth() {
    let sim = Sim::start().await.unwrap();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_1", "agent_1").status("started"));
    let http = client();
    let journal = sim.journal();
    assert_eq!(journal.total(), 0);

    sim.faults().on_call("ac_1", Fault::status(502), 1);
    for _ in 0..3 {
        send(cartesia(
            &http,
            &sim,
            Method::POST,
            "/agents/calls/ac_1/cancel",
        ))
        .await;
    }
    send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_2/cancel",
    ))
    .await;
    // No credentials: still counted, not as authenticated.
    send(http.post(format!("{}/agents/calls/ac_1/cancel", sim.base_url()))).await;
    send(cartesia(
        &http,
        &sim,
        Method::GET,
        "/agents/calls?agent_id=agent_1",
    ))
    .await;
    send(http.get(format!("{}/nowhere", sim.base_url()))).await;
    send(http.get(format!("{}/_sim/health", sim.base_url()))).await;

    assert_eq!(journal.count(Route::CartesiaCancel, Some("ac_1")), 4);
    assert_eq!(journal.auth_count(Route::CartesiaCancel, Some("ac_1")), 3);
    assert_eq!(journal.count(Route::CartesiaCancel, Some("ac_2")), 1);
    assert_eq!(journal.count(Route::CartesiaCancel, Some("ac_3")), 0);
    assert_eq!(journal.route_count(Route::CartesiaCancel), 5);
    assert_eq!(journal.count(Route::CartesiaList, None), 1);
    assert_eq!(journal.count(Route::CartesiaCancel, None), 0);
    assert_eq!(journal.route_count(Route::CartesiaGet), 0);
    assert_eq!(
        journal.total(),
        6,
        "control API and unknown paths are not provider requests"
    );
    assert_eq!(journal.unmatched(), 1);

    let recent = journal.recent();
    assert_eq!(recent.len(), 6);
    assert_eq!(recent[0].route(), Route::CartesiaCancel);
    assert_eq!(recent[0].call_id(), Some("ac_1"));
    assert_eq!(recent[0].fault(), Some("status"));
    assert!(recent[0].carried_auth());
    assert!(!recent[4].carried_auth());

    journal.clear();
    assert_eq!(journal.total(), 0);
    assert_eq!(journal.count(Route::CartesiaCancel, Some("ac_1")), 0);
}

#[tokio::test]
async fn per_call_counters_are_bounded() {
    let sim = Sim::builder()
        .journal_call_capacity(2)
        .start()
        .await
        .unwrap();
    let http = client();
    for id in ["a", "b", "c", "a"] {
        send(cartesia(
            &http,
            &sim,
            Method::GET,
            &format!("/agents/calls/{id}"),
        ))
        .await;
    }
    let journal = sim.journal();
    assert_eq!(journal.count(Route::CartesiaGet, Some("a")), 2);
    assert_eq!(journal.count(Route::CartesiaGet, Some("c")), 0);
    assert_eq!(journal.untracked(), 1);
    assert_eq!(journal.route_count(Route::CartesiaGet), 4);
}
