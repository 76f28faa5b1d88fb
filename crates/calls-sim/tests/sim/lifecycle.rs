//! Starting, describing and stopping a simulator.

use std::time::Duration;

use calls_sim::Sim;

use crate::support::{client, send};

#[tokio::test]
async fn describes_itself() {
    let sim = Sim::start().await.unwrap();
    let port = sim.addr().port();
    assert_ne!(port, 0);
    assert_eq!(sim.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(sim.recording_origin(), format!("http://localhost:{port}"));
    let lines = sim.env_lines();
    let base = sim.base_url();
    for expected in [
        "CARTESIA_API_KEY=sk_car_sim".to_owned(),
        format!("CARTESIA_BASE_URL={base}"),
        "MIRAI_PUBLIC_KEY=pk_sim".to_owned(),
        "MIRAI_PRIVATE_KEY=sk_sim".to_owned(),
        "MIRAI_WORKSPACE=6690a1b2c3d4e5f600000002".to_owned(),
        format!("MIRAI_LEGACY_BASE_URL={base}"),
        "MIRAI_API_KEY=sk_live_sim".to_owned(),
        format!("MIRAI_V2_BASE_URL={base}"),
    ] {
        assert!(lines.contains(&expected), "{expected} in {lines:?}");
    }
    assert_eq!(sim.credentials().mirai_webhook_secret(), "whsec_sim");
}

#[tokio::test]
async fn refuses_non_loopback_unless_allowed() {
    let error = Sim::builder()
        .addr(([0, 0, 0, 0], 0))
        .start()
        .await
        .expect_err("0.0.0.0 is not loopback");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    let sim = Sim::builder()
        .addr(([0, 0, 0, 0], 0))
        .allow_non_loopback(true)
        .start()
        .await
        .unwrap();
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(
        send(client().get(format!("{}/_sim/health", sim.base_url())))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sim = Sim::start().await.unwrap();
    let url = format!("{}/_sim/health", sim.base_url());
    let http = client();
    assert_eq!(send(http.get(&url)).await.0, 200);
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .expect("shutdown is prompt");
    let error = reqwest::Client::new()
        .get(&url)
        .send()
        .await
        .expect_err("nothing listens");
    assert!(error.is_connect(), "{error}");
}

#[tokio::test]
async fn drop_stops_serving() {
    let sim = Sim::start().await.unwrap();
    let addr = sim.addr();
    drop(sim);
    // The server task winds down in the background; give it a few scheduler turns.
    let mut refused = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(refused, "the listener closed after drop");
}

#[tokio::test]
async fn unknown_paths_are_404_in_each_family_shape() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let (status, body) = send(http.get(format!("{}/v2/calls/x/y/z", sim.base_url()))).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body) = send(http.get(format!("{}/v2/other", sim.base_url()))).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], 404);
    let (status, body) = send(http.get(format!("{}/agents/other", sim.base_url()))).await;
    assert_eq!(status, 404);
    assert!(body["request_id"].is_string());
}

#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    fn check_sim<T: Send + Sync + std::fmt::Debug>() {}
    check_sim::<Sim>();
    check::<calls_sim::CartesiaControl>();
    check::<calls_sim::MiraiControl>();
    check::<calls_sim::MiraiV2Control>();
    check::<calls_sim::Faults>();
    check::<calls_sim::Journal>();
    check::<calls_sim::Credentials>();
    check::<calls_sim::Fault>();
}
