//! Each fault kind, consumed in order, then normal behaviour.

use std::time::{Duration, Instant};

use calls_sim::{CartesiaCallSeed, Fault, MiraiV2CallSeed, Route, Sim};
use reqwest::Method;
use serde_json::json;

use crate::support::{cartesia, client, json_body, mirai, send, v2};

fn started(sim: &Sim, id: &str) {
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new(id, "agent_1").status("started"));
}

#[tokio::test]
async fn status_faults_answer_n_times_then_normal() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    let http = client();
    sim.faults().on_route(
        Route::CartesiaCancel,
        Fault::Status {
            code: 503,
            retry_after: Some("1".into()),
            body: None,
        },
        2,
    );
    sim.faults().on_route(
        Route::CartesiaCancel,
        Fault::Status {
            code: 429,
            retry_after: Some("Wed, 21 Oct 2026 07:28:00 GMT".into()),
            body: Some(r#"{"error_code":"concurrency_limited","title":"Too many","message":"slow down","request_id":"x"}"#.into()),
        },
        1,
    );
    assert_eq!(sim.faults().pending(), 3);
    let cancel = || cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel");

    for _ in 0..2 {
        let response = cancel().send().await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert!(body["request_id"].is_string(), "Cartesia's error shape");
    }
    let response = cancel().send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.headers()["retry-after"],
        "Wed, 21 Oct 2026 07:28:00 GMT"
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("concurrency_limited")
    );
    assert_eq!(
        sim.cartesia().call("ac_1").unwrap().status(),
        "started",
        "faults change no state"
    );

    let (status, _) = send(cancel()).await;
    assert_eq!(status, 200, "then normal");
    assert_eq!(sim.faults().pending(), 0);
}

#[tokio::test]
async fn status_faults_come_before_auth_and_use_each_family_shape() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.faults()
        .on_route(Route::MiraiAbort, Fault::status(502), 1);
    sim.faults()
        .on_route(Route::MiraiV2Get, Fault::status(503), 1);
    // No credentials at all: the fault still answers first.
    let (status, body) = send(
        http.post(format!("{}/v2/call/abort", sim.base_url()))
            .body("{}"),
    )
    .await;
    assert_eq!(status, 502);
    assert_eq!(body["code"], 502);
    let (status, body) = send(http.get(format!("{}/v2/calls/call_1", sim.base_url()))).await;
    assert_eq!(status, 503);
    assert_eq!(body["error"]["code"], "upstream_unavailable");
}

#[tokio::test]
async fn call_faults_target_one_call_on_any_route() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    started(&sim, "ac_2");
    let http = client();
    sim.faults().on_call("ac_1", Fault::status(500), 2);
    let (status, _) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_2")).await;
    assert_eq!(status, 200, "another call is untouched");
    let (status, _) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1")).await;
    assert_eq!(status, 500);
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_1/cancel",
    ))
    .await;
    assert_eq!(status, 500);
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_1/cancel",
    ))
    .await;
    assert_eq!(status, 200);

    // The legacy abort's call id comes from the body.
    sim.mirai().seed_call("m1", None);
    sim.faults().on_call("m1", Fault::status(502), 1);
    let abort = || {
        json_body(
            mirai(&http, &sim, Method::POST, "/v2/call/abort"),
            &json!({ "callId": "m1" }),
        )
    };
    assert_eq!(send(abort()).await.0, 502);
    assert_eq!(send(abort()).await.0, 200);
}

#[tokio::test]
async fn reset_is_a_transport_error_not_a_status() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    let http = client();
    sim.faults()
        .on_route(Route::CartesiaCancel, Fault::Reset, 1);
    let error = cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel")
        .send()
        .await
        .expect_err("a reset must not produce a response");
    assert!(error.status().is_none());
    assert!(!error.is_timeout());
    assert_eq!(
        sim.cartesia().call("ac_1").unwrap().status(),
        "started",
        "nothing applied"
    );

    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_1/cancel",
    ))
    .await;
    assert_eq!(status, 200, "then normal, on a new connection");
}

#[tokio::test]
async fn reset_arrives_as_a_tcp_rst() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let sim = Sim::start().await.unwrap();
    sim.faults().on_route(Route::CartesiaList, Fault::Reset, 1);
    let mut stream = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"GET /agents/calls?agent_id=a HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let error = stream.read(&mut buf).await.expect_err("RST, not EOF");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
}

#[tokio::test]
async fn lost_reply_applies_the_change_but_sends_nothing() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    let http = client();
    sim.faults().on_call("ac_1", Fault::LostReply, 1);
    let error = cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel")
        .send()
        .await
        .expect_err("the reply is lost");
    assert!(error.status().is_none());
    let call = sim.cartesia().call("ac_1").unwrap();
    assert_eq!(call.status(), "completed", "the cancel happened");
    assert_eq!(call.end_reason(), Some("api_cancelled"));
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_1/cancel",
    ))
    .await;
    assert_eq!(status, 400, "a retry finds it already ended");

    // Same for a Mirai v2 abort.
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_1", "agt_1"));
    sim.faults()
        .on_route(Route::MiraiV2Abort, Fault::LostReply, 1);
    assert!(
        v2(&http, &sim, Method::POST, "/v2/calls/call_1/abort")
            .send()
            .await
            .is_err()
    );
    assert_eq!(sim.mirai_v2().call("call_1").unwrap().status(), "aborted");
    assert_eq!(
        send(v2(&http, &sim, Method::POST, "/v2/calls/call_1/abort"))
            .await
            .0,
        409
    );
}

#[tokio::test]
async fn hang_never_answers_until_the_client_gives_up() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    let http = client();
    sim.faults().on_route(Route::CartesiaCancel, Fault::Hang, 1);
    let error = cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel")
        .timeout(Duration::from_millis(150))
        .send()
        .await
        .expect_err("no answer");
    assert!(error.is_timeout());
    assert_eq!(sim.cartesia().call("ac_1").unwrap().status(), "started");
    let (status, _) = send(cartesia(
        &http,
        &sim,
        Method::POST,
        "/agents/calls/ac_1/cancel",
    ))
    .await;
    assert_eq!(status, 200);
    // Shutdown does not wait for the hung request.
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .expect("shutdown finished");
}

#[tokio::test]
async fn latency_delays_then_answers_normally() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    let http = client();
    sim.faults().on_route(
        Route::CartesiaGet,
        Fault::Latency(Duration::from_millis(60)),
        1,
    );
    let start = Instant::now();
    let (status, body) = send(cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1")).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], "ac_1");
    assert!(start.elapsed() >= Duration::from_millis(60));
}

#[tokio::test]
async fn malformed_and_wrong_shaped_bodies() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    let http = client();
    sim.faults()
        .on_route(Route::CartesiaCancel, Fault::MalformedJson, 1);
    sim.faults()
        .on_route(Route::CartesiaCancel, Fault::WrongShape, 1);
    let cancel = || cartesia(&http, &sim, Method::POST, "/agents/calls/ac_1/cancel");

    let response = cancel().send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    assert_eq!(text, r#"{"cancelled": tru"#);
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());

    let response = cancel().send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"ok":1}"#);
    assert_eq!(sim.cartesia().call("ac_1").unwrap().status(), "started");
}

#[tokio::test]
async fn huge_body_is_streamed() {
    let sim = Sim::start().await.unwrap();
    started(&sim, "ac_1");
    let http = client();
    let size = 3 * 1024 * 1024;
    sim.faults()
        .on_route(Route::CartesiaGet, Fault::HugeBody { bytes: size }, 1);
    let response = cartesia(&http, &sim, Method::GET, "/agents/calls/ac_1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-length").is_none());
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, size);
    assert!(bytes.starts_with(b"{\"padding\":\""));
}

#[tokio::test]
async fn html_error_page() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    sim.faults()
        .on_route(Route::MiraiV2List, Fault::Html { status: 502 }, 1);
    let response = v2(&http, &sim, Method::GET, "/v2/calls")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["content-type"], "text/html");
    let page = response.text().await.unwrap();
    assert!(page.starts_with("<html>"));
    assert!(page.contains("502 Bad Gateway"));
    assert_eq!(send(v2(&http, &sim, Method::GET, "/v2/calls")).await.0, 200);
}

#[tokio::test]
async fn clear_drops_scripts() {
    let sim = Sim::start().await.unwrap();
    sim.faults().on_route(Route::CartesiaGet, Fault::Reset, 5);
    sim.faults().on_call("x", Fault::Hang, 1);
    assert_eq!(sim.faults().pending(), 6);
    sim.faults().clear();
    assert_eq!(sim.faults().pending(), 0);
    assert_eq!(Fault::LostReply.kind(), "lost_reply");
}
