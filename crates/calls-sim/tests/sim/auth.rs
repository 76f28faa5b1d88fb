//! Authentication and the Cartesia-Version header.

use calls_sim::{CartesiaCallSeed, Sim};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{self, client, json_body, send};

fn is_cartesia_error(body: &Value) -> bool {
    body.get("error_code").is_some()
        && body["title"].is_string()
        && body["message"].is_string()
        && body["request_id"].as_str().is_some_and(|id| id.len() == 36)
}

#[tokio::test]
async fn cartesia_needs_the_bearer_key() {
    let sim = Sim::start().await.unwrap();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_1", "agent_1"));
    let http = client();
    let url = format!("{}/agents/calls/ac_1", sim.base_url());

    let (status, body) = send(http.get(&url).header("Cartesia-Version", "2026-03-01")).await;
    assert_eq!(status, 401);
    assert!(is_cartesia_error(&body), "{body}");

    let (status, body) = send(
        http.get(&url)
            .bearer_auth("sk_car_wrong")
            .header("Cartesia-Version", "2026-03-01"),
    )
    .await;
    assert_eq!(status, 401);
    assert!(is_cartesia_error(&body));

    // The legacy X-API-Key header is not the scheme the SDK uses, so it does not count.
    let (status, _) = send(
        http.get(&url)
            .header("X-API-Key", sim.credentials().cartesia_api_key())
            .header("Cartesia-Version", "2026-03-01"),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn cartesia_version_must_appear_once_with_a_known_date() {
    let sim = Sim::start().await.unwrap();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_1", "agent_1"));
    let http = client();
    let url = format!("{}/agents/calls/ac_1", sim.base_url());
    let key = sim.credentials().cartesia_api_key().to_owned();

    let (status, body) = send(http.get(&url).bearer_auth(&key)).await;
    assert_eq!(status, 400, "missing");
    assert!(is_cartesia_error(&body));

    let (status, body) = send(
        http.get(&url)
            .bearer_auth(&key)
            .header("Cartesia-Version", "2026-03-01")
            .header("Cartesia-Version", "2026-03-01"),
    )
    .await;
    assert_eq!(status, 400, "repeated");
    assert!(is_cartesia_error(&body));

    for unknown in ["2026-03-02", "latest", "2026-03-01, 2025-04-16"] {
        let (status, _) = send(
            http.get(&url)
                .bearer_auth(&key)
                .header("Cartesia-Version", unknown),
        )
        .await;
        assert_eq!(status, 400, "{unknown}");
    }

    for known in [
        "2024-06-10",
        "2024-11-13",
        "2025-04-16",
        "2025-11-04",
        "2026-03-01",
        "2026-08-14",
    ] {
        let (status, _) = send(
            http.get(&url)
                .bearer_auth(&key)
                .header("Cartesia-Version", known),
        )
        .await;
        assert_eq!(status, 200, "{known}");
    }
}

#[tokio::test]
async fn mirai_legacy_needs_all_three_headers() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let url = format!("{}/v2/call/abort", sim.base_url());
    let c = sim.credentials().clone();
    let body = json!({ "callId": "68f0a1b2c3d4e5f600000900" });
    let cases = [
        (None, Some(c.mirai_private_key()), Some(c.mirai_workspace())),
        (Some(c.mirai_public_key()), None, Some(c.mirai_workspace())),
        (
            Some(c.mirai_public_key()),
            Some(c.mirai_private_key()),
            None,
        ),
        (
            Some(c.mirai_public_key()),
            Some("sk_wrong"),
            Some(c.mirai_workspace()),
        ),
        (
            Some(c.mirai_public_key()),
            Some(c.mirai_private_key()),
            Some("6690a1b2c3d4e5f600000009"),
        ),
    ];
    for (public, private, workspace) in cases {
        let mut request = json_body(http.post(&url), &body);
        if let Some(v) = public {
            request = request.header("x-public-key", v);
        }
        if let Some(v) = private {
            request = request.header("x-private-key", v);
        }
        if let Some(v) = workspace {
            request = request.header("workspace", v);
        }
        let (status, body) = send(request).await;
        assert_eq!(status, 401);
        assert_eq!(body["code"], 401);
        assert!(body["message"].is_string());
    }
    // With all three the call is merely unknown.
    let (status, _) = send(json_body(
        support::mirai(&http, &sim, Method::POST, "/v2/call/abort"),
        &body,
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn mirai_v2_needs_the_live_key() {
    let sim = Sim::start().await.unwrap();
    let http = client();
    let url = format!("{}/v2/calls/call_x", sim.base_url());
    for request in [
        http.get(&url),
        http.get(&url).bearer_auth("sk_live_wrong"),
        http.get(&url)
            .header("authorization", sim.credentials().mirai_api_key()),
        http.get(&url)
            .header("x-public-key", sim.credentials().mirai_public_key())
            .header("x-private-key", sim.credentials().mirai_private_key()),
    ] {
        let (status, body) = send(request).await;
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"]["message"].is_string());
    }
    let (status, body) = send(support::v2(&http, &sim, Method::GET, "/v2/calls/call_x")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn custom_credentials_replace_the_defaults() {
    let creds = calls_sim::Credentials::default().with_mirai_api_key("sk_live_custom");
    let sim = Sim::builder().credentials(creds).start().await.unwrap();
    assert!(
        sim.env_lines()
            .contains(&"MIRAI_API_KEY=sk_live_custom".to_owned())
    );
    let http = client();
    let (status, _) = send(
        http.get(format!("{}/v2/calls", sim.base_url()))
            .bearer_auth("sk_live_sim"),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = send(support::v2(&http, &sim, Method::GET, "/v2/calls")).await;
    assert_eq!(status, 200);
}
