//! What we send, byte for byte: exactly the documented headers and bodies, keys only to the configured host, never in
//! clear text to another host, and nothing repeated that could dial someone twice.
//!
//! A capture proxy sits between a client and calls-sim: it records each request exactly as it left the client (every
//! header, in order, duplicates included) and relays the simulator's real answer, so the clients run unchanged.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use calls_facade::cartesia::{CartesiaClient, CreateOutboundCalls, ListCalls};
use calls_facade::mirai::{MiraiLegacyClient, MiraiV2Client, legacy, v2};
use calls_facade::{CallControl, CallId, ErrorKind};
use calls_sim::{CartesiaCallSeed, Fault, MiraiV2CallSeed, Route, Sim};
use mockito::{Matcher, Server, ServerGuard};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::canary::fast;

/// One request as it reached the proxy.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    /// Names lowercased, values as sent, in the order sent.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    /// The header names, sorted, duplicates kept.
    fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// The one value of `name`; fails when it is missing or repeated.
    #[track_caller]
    fn one(&self, name: &str) -> &str {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            values.len(),
            1,
            "{name} in {} {}: {values:?}",
            self.method,
            self.target
        );
        values[0]
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A proxy in front of `upstream` that records every request and relays the answer.
struct Capture {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Capture {
    async fn start(upstream: SocketAddr) -> Capture {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, upstream, Arc::clone(&log)));
            }
        });
        Capture { url, seen }
    }

    /// The requests seen so far, and forgets them.
    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// Reads one request, records it, sends it upstream with `connection: close`, and relays the answer until the
/// upstream closes. One request per connection: the answer carries `connection: close` back.
async fn relay(mut client: TcpStream, upstream: SocketAddr, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 8192];
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buffer[head_end..head_end + length].to_vec();
    log.lock().unwrap().push(Seen {
        method: method.clone(),
        target: target.clone(),
        headers: headers.clone(),
        body: body.clone(),
    });

    let mut forwarded = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in headers.iter().filter(|(name, _)| name != "connection") {
        forwarded.push_str(&format!("{name}: {value}\r\n"));
    }
    forwarded.push_str("connection: close\r\n\r\n");
    let Ok(mut up) = TcpStream::connect(upstream).await else {
        return;
    };
    if up.write_all(forwarded.as_bytes()).await.is_err() || up.write_all(&body).await.is_err() {
        return;
    }
    let mut answer = Vec::new();
    if up.read_to_end(&mut answer).await.is_err() {
        // The simulator reset the connection (a scripted fault): so does the proxy, by dropping it unanswered.
        return;
    }
    let _ = client.write_all(&answer).await;
    let _ = client.shutdown().await;
}

/// Whether `value` is `<crate>/<x.y.z> call-core/<x.y.z>`.
fn is_user_agent(value: &str, krate: &str) -> bool {
    let is_version = |v: &str| {
        let parts: Vec<&str> = v.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    match value.split(' ').collect::<Vec<_>>()[..] {
        [ours, core] => {
            ours.strip_prefix(krate)
                .and_then(|v| v.strip_prefix('/'))
                .is_some_and(is_version)
                && core.strip_prefix("call-core/").is_some_and(is_version)
        }
        _ => false,
    }
}

/// Asserts `seen` has exactly the header names `expected` (each once) plus `host`, and no others.
#[track_caller]
fn assert_header_names(seen: &Seen, expected: &[&str]) {
    let mut expected: Vec<&str> = expected.iter().copied().chain(["host"]).collect();
    expected.sort_unstable();
    assert_eq!(seen.names(), expected, "{} {}", seen.method, seen.target);
}

fn sim_keys(sim: &Sim) -> (String, String, String, String) {
    let creds = sim.credentials();
    (
        creds.cartesia_api_key().to_owned(),
        creds.mirai_public_key().to_owned(),
        creds.mirai_private_key().to_owned(),
        creds.mirai_api_key().to_owned(),
    )
}

fn cartesia(base_url: &str, key: &str) -> CartesiaClient {
    CartesiaClient::builder()
        .api_key(key)
        .base_url(base_url)
        .retry(fast())
        .build()
        .unwrap()
}

fn mirai(base_url: &str, public: &str, private: &str) -> MiraiLegacyClient {
    MiraiLegacyClient::builder()
        .public_key(public)
        .private_key(private)
        .workspace("6690a1b2c3d4e5f600000002")
        .base_url(base_url)
        .retry(fast())
        .build()
        .unwrap()
}

fn mirai_v2(base_url: &str, key: &str) -> MiraiV2Client {
    MiraiV2Client::builder()
        .api_key(key)
        .base_url(base_url)
        .retry(fast())
        .build()
        .unwrap()
}

fn id(s: &str) -> CallId {
    CallId::new(s).unwrap()
}

#[tokio::test]
async fn each_client_sends_exactly_the_documented_headers_and_bodies() {
    let sim = Sim::start().await.unwrap();
    let proxy = Capture::start(sim.addr()).await;
    let (cartesia_key, public, private, v2_key) = sim_keys(&sim);
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_live", "agent_1").status("started"));
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("ac_done", "agent_1")
            .status("completed")
            .recording(true),
    );
    sim.mirai().seed_call("68f0a1b2c3d4e5f600000900", None);
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_live", "agt_1").status("in_progress"));

    // Cartesia: `Authorization: Bearer`, exactly one `Cartesia-Version`, the user agent; a body only on create.
    let client = cartesia(&proxy.url, &cartesia_key);
    client.cancel_call(&id("ac_live")).await.unwrap();
    client.get_call(&id("ac_done")).await.unwrap();
    // One page: one request.
    futures_util::TryStreamExt::try_next(
        &mut client
            .list_calls(ListCalls::new("agent_1").limit(5))
            .pages(),
    )
    .await
    .unwrap();
    client
        .download_audio(&id("ac_done"), &mut Vec::new())
        .await
        .unwrap();
    let outbound = CreateOutboundCalls::new("agent_1", "ap_1").to("+14155550123");
    client.create_outbound_calls(&outbound).await.unwrap();
    let seen = proxy.take();
    let targets: Vec<(&str, &str)> = seen.iter().map(|s| (s.method.as_str(), s.path())).collect();
    assert_eq!(
        targets,
        [
            ("POST", "/agents/calls/ac_live/cancel"),
            ("GET", "/agents/calls/ac_done"),
            ("GET", "/agents/calls"),
            ("GET", "/agents/calls/ac_done/audio"),
            ("POST", "/agents/calls"),
        ]
    );
    for request in &seen {
        assert_eq!(
            request.one("authorization"),
            format!("Bearer {cartesia_key}")
        );
        assert_eq!(request.one("cartesia-version"), "2026-03-01");
        assert!(
            is_user_agent(request.one("user-agent"), "cartesia-calls"),
            "{request:?}"
        );
    }
    let auth = ["authorization", "cartesia-version", "user-agent", "accept"];
    assert_header_names(&seen[0], &auth);
    assert!(seen[0].body.is_empty());
    assert_header_names(&seen[1], &auth);
    assert_header_names(&seen[2], &auth);
    assert_eq!(seen[2].target, "/agents/calls?agent_id=agent_1&limit=5");
    assert_header_names(&seen[3], &auth);
    assert_eq!(seen[3].one("accept"), "*/*");
    assert_header_names(
        &seen[4],
        &[&auth[..], &["content-type", "content-length"]].concat(),
    );
    assert_eq!(seen[4].one("content-type"), "application/json");
    assert_eq!(
        seen[4].json(),
        serde_json::json!({"agent_id": "agent_1", "from_number_id": "ap_1", "outbound_calls": [{"to_number": "+14155550123"}]})
    );
    for request in &seen[..3] {
        assert_eq!(request.one("accept"), "application/json");
    }

    // Mirai legacy: the three key headers, never `Authorization`; the call id in the body, never in the path.
    let client = mirai(&proxy.url, &public, &private);
    client
        .abort_call(&id("68f0a1b2c3d4e5f600000900"))
        .await
        .unwrap();
    client
        .initiate_call(&legacy::InitiateCall::new("+919876543210", "asst_1"))
        .await
        .unwrap();
    let seen = proxy.take();
    let legacy_names = [
        "x-public-key",
        "x-private-key",
        "workspace",
        "user-agent",
        "accept",
        "content-type",
        "content-length",
    ];
    for request in &seen {
        assert_header_names(request, &legacy_names);
        assert_eq!(request.one("x-public-key"), public);
        assert_eq!(request.one("x-private-key"), private);
        assert_eq!(request.one("workspace"), "6690a1b2c3d4e5f600000002");
        assert_eq!(request.one("content-type"), "application/json");
        assert!(
            is_user_agent(request.one("user-agent"), "mirai-calls"),
            "{request:?}"
        );
    }
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.as_str()),
        ("POST", "/v2/call/abort")
    );
    assert_eq!(
        seen[0].json(),
        serde_json::json!({"callId": "68f0a1b2c3d4e5f600000900"})
    );
    assert_eq!(seen[1].target, "/v2/call/initiate");
    assert_eq!(
        seen[1].json(),
        serde_json::json!({"phoneNumber": "+919876543210", "assistant": "asst_1"})
    );

    // Mirai v2: `Authorization: Bearer` only (no legacy key header), and `Idempotency-Key` on create alone.
    let client = mirai_v2(&proxy.url, &v2_key);
    client.get_call(&id("call_live")).await.unwrap();
    let created = client
        .create_call(&v2::CreateCall::phone("agt_1", "+919876543210"))
        .await
        .unwrap();
    client.abort_call(&id("call_live")).await.unwrap();
    let seen = proxy.take();
    let targets: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.target.as_str()))
        .collect();
    assert_eq!(
        targets,
        [
            ("GET", "/v2/calls/call_live"),
            ("POST", "/v2/calls"),
            ("POST", "/v2/calls/call_live/abort")
        ]
    );
    for request in &seen {
        assert_eq!(request.one("authorization"), format!("Bearer {v2_key}"));
        assert_eq!(request.one("accept"), "application/json");
        assert!(
            is_user_agent(request.one("user-agent"), "mirai-calls"),
            "{request:?}"
        );
    }
    assert_header_names(&seen[0], &["authorization", "user-agent", "accept"]);
    assert_header_names(
        &seen[1],
        &[
            "authorization",
            "user-agent",
            "accept",
            "content-type",
            "content-length",
            "idempotency-key",
        ],
    );
    let key = seen[1].one("idempotency-key");
    assert_eq!(key, created.idempotency_key);
    assert!(
        key.len() >= 32 && key.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
    assert_eq!(
        seen[1].json(),
        serde_json::json!({"agent_id": "agt_1", "to": "+919876543210"})
    );
    assert_header_names(&seen[2], &["authorization", "user-agent", "accept"]);
    assert!(seen[2].body.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn placing_a_call_is_sent_once_and_a_v2_create_repeats_one_key() {
    let sim = Sim::start().await.unwrap();
    let (cartesia_key, public, private, v2_key) = sim_keys(&sim);

    // The answer is lost after the provider acted: a repeat could dial the person twice, so none is sent.
    sim.faults()
        .on_route(Route::CartesiaCreate, Fault::LostReply, 1);
    sim.faults()
        .on_route(Route::MiraiInitiate, Fault::status(502), 1);
    let outbound = CreateOutboundCalls::new("agent_1", "ap_1").to("+14155550123");
    let error = self::cartesia(sim.base_url(), &cartesia_key)
        .create_outbound_calls(&outbound)
        .await
        .unwrap_err();
    assert!(
        error.is_outcome_unknown() && !error.is_retryable(),
        "{error}"
    );
    let error = mirai(sim.base_url(), &public, &private)
        .initiate_call(&legacy::InitiateCall::new("+919876543210", "asst_1"))
        .await
        .unwrap_err();
    assert!(
        error.is_outcome_unknown() && !error.is_retryable(),
        "{error}"
    );
    assert_eq!(sim.journal().route_count(Route::CartesiaCreate), 1);
    assert_eq!(sim.journal().route_count(Route::MiraiInitiate), 1);

    // Mirai v2's create carries a key Mirai deduplicates on, so it is repeated: with the same key and body.
    let proxy = Capture::start(sim.addr()).await;
    sim.faults()
        .on_route(Route::MiraiV2Create, Fault::status(502), 1);
    let call = v2::CreateCall::phone("agt_1", "+919876543210");
    mirai_v2(&proxy.url, &v2_key)
        .create_call(&call)
        .await
        .unwrap();
    mirai_v2(&proxy.url, &v2_key)
        .create_call(&v2::CreateCall::phone("agt_1", "+919876543210"))
        .await
        .unwrap();
    let seen = proxy.take();
    assert_eq!(seen.len(), 3, "a 502, the retry, then another call");
    assert_eq!(seen[0].one("idempotency-key"), call.key());
    assert_eq!(seen[1].one("idempotency-key"), call.key());
    assert_eq!(seen[0].body, seen[1].body);
    assert_ne!(
        seen[2].one("idempotency-key"),
        call.key(),
        "a new CreateCall is a new call"
    );
    sim.shutdown().await;
}

/// Call ids come from users, files and webhooks. Each is one encoded path segment (or a JSON string for Mirai's
/// legacy abort), or is refused with nothing sent.
#[tokio::test]
async fn hostile_call_ids_stay_one_path_segment_or_are_refused_unsent() {
    let sim = Sim::start().await.unwrap();
    let proxy = Capture::start(sim.addr()).await;
    let (cartesia_key, public, private, v2_key) = sim_keys(&sim);
    let cartesia = cartesia(&proxy.url, &cartesia_key);
    let mirai = mirai(&proxy.url, &public, &private);
    let mirai_v2 = mirai_v2(&proxy.url, &v2_key);
    let encoded = [
        ("../agents", "..%2Fagents"),
        ("a/b", "a%2Fb"),
        ("x?agent_id=1#f", "x%3Fagent_id%3D1%23f"),
        ("%2F", "%252F"),
        ("ac_1 ", "ac_1%20"),
        ("\u{202e}fdp", "%E2%80%AEfdp"),
        ("a\\b", "a%5Cb"),
        ("batches/x", "batches%2Fx"),
    ];
    for (raw, segment) in encoded {
        let call = id(raw);
        assert_eq!(
            cartesia.cancel_call(&call).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        mirai.abort_call(&call).await.unwrap_err();
        assert_eq!(
            mirai_v2.abort_call(&call).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        let seen = proxy.take();
        let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                format!("/agents/calls/{segment}/cancel").as_str(),
                "/v2/call/abort",
                format!("/v2/calls/{segment}/abort").as_str(),
            ],
            "{raw:?}"
        );
        assert_eq!(seen[1].json(), serde_json::json!({"callId": raw}));
    }

    // Refused before sending: empty, blank, dots, control characters, too long; and Cartesia's `batches`.
    for raw in [
        "",
        "  ",
        ".",
        "..",
        "a\nb",
        "a\rb",
        "a\u{0}b",
        "a\u{1b}[2Jb",
        "a\u{85}b",
        &"x".repeat(257),
    ] {
        assert_eq!(
            CallId::new(raw).unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{raw:?}"
        );
    }
    let batches = id("batches");
    assert_eq!(
        cartesia.cancel_call(&batches).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        cartesia.terminate(&batches).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        cartesia.get_call(&batches).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert!(proxy.take().is_empty(), "nothing was sent for a refused id");
    sim.shutdown().await;
}

/// Mocks no request may reach, whatever its method or path.
async fn nothing_allowed(server: &mut ServerGuard) -> Vec<mockito::Mock> {
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"] {
        mocks.push(
            server
                .mock(method, Matcher::Any)
                .expect(0)
                .create_async()
                .await,
        );
    }
    mocks
}

/// The API host answers every request with a redirect to another host: no client we build follows it, so the other
/// host sees nothing (neither the key nor a second `POST` that could place a call twice).
#[tokio::test]
async fn no_client_follows_a_redirect_to_another_host() {
    let mut api = Server::new_async().await;
    let mut elsewhere = Server::new_async().await;
    let trap = nothing_allowed(&mut elsewhere).await;
    let cartesia = cartesia(&api.url(), "sk_car_redirect");
    let mirai = mirai(&api.url(), "pk_redirect", "sk_redirect");
    let mirai_v2 = mirai_v2(&api.url(), "sk_live_redirect");
    let call = id("call_1");
    for status in [301u16, 302, 303, 307, 308] {
        api.reset();
        let location = format!("{}/stolen", elsewhere.url());
        let mut redirects = Vec::new();
        for method in ["GET", "POST"] {
            redirects.push(
                api.mock(method, Matcher::Any)
                    .with_status(usize::from(status))
                    .with_header("location", &location)
                    .create_async()
                    .await,
            );
        }
        let outbound = CreateOutboundCalls::new("agent_1", "ap_1").to("+14155550123");
        let errors = [
            cartesia.cancel_call(&call).await.unwrap_err(),
            cartesia.terminate(&call).await.unwrap_err(),
            cartesia.get_call(&call).await.unwrap_err(),
            cartesia.create_outbound_calls(&outbound).await.unwrap_err(),
            mirai.abort_call(&call).await.unwrap_err(),
            mirai.terminate(&call).await.unwrap_err(),
            mirai
                .initiate_call(&legacy::InitiateCall::new("+919876543210", "asst_1"))
                .await
                .unwrap_err(),
            mirai_v2.abort_call(&call).await.unwrap_err(),
            mirai_v2.get_call(&call).await.unwrap_err(),
            mirai_v2
                .create_call(&v2::CreateCall::phone("agt_1", "+919876543210"))
                .await
                .unwrap_err(),
        ];
        for error in &errors {
            assert_eq!(error.status(), Some(status), "{error}");
            assert!(!error.is_retryable(), "{error}");
        }
    }
    for mock in &trap {
        mock.assert_async().await;
    }
}

/// The two provider-given links we do follow (Mirai's recording `Location`, a Cartesia audio redirect) get none of
/// our headers: no key, no version, no idempotency key, only the user agent.
#[tokio::test]
async fn provider_given_download_links_get_none_of_our_headers() {
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let missing = [
        "authorization",
        "x-public-key",
        "x-private-key",
        "workspace",
        "cartesia-version",
        "idempotency-key",
        "cookie",
    ];
    let mut clean = storage.mock("GET", "/signed/a.wav?sig=abc");
    for name in missing {
        clean = clean.match_header(name, Matcher::Missing);
    }
    let clean = clean
        .with_body("RIFF....WAVE")
        .expect(2)
        .create_async()
        .await;
    let trap = nothing_allowed(&mut storage).await;
    let signed = format!("{}/signed/a.wav?sig=abc", storage.url());
    api.mock("GET", "/v2/calls/call_1/recording")
        .with_status(302)
        .with_header("location", &signed)
        .create_async()
        .await;
    api.mock("GET", "/agents/calls/ac_1/audio")
        .with_status(307)
        .with_header("location", &signed)
        .create_async()
        .await;

    let mut audio = Vec::new();
    mirai_v2(&api.url(), "sk_live_redirect")
        .download_recording(&id("call_1"), &mut audio)
        .await
        .unwrap();
    cartesia(&api.url(), "sk_car_redirect")
        .download_audio(&id("ac_1"), &mut audio)
        .await
        .unwrap();
    assert_eq!(audio, b"RIFF....WAVERIFF....WAVE");
    clean.assert_async().await;
    for mock in &trap {
        mock.assert_async().await;
    }
}

/// A provider-given link in clear text to another host is refused before anything is sent to it.
#[tokio::test]
async fn a_cleartext_download_link_to_another_host_is_refused() {
    let mut api = Server::new_async().await;
    for location in [
        "http://storage.example/a.wav?sig=abc",
        "ftp://storage.example/a.wav",
        "//storage.example/a.wav",
    ] {
        api.reset();
        let recording = api
            .mock("GET", "/v2/calls/call_1/recording")
            .with_status(302)
            .with_header("location", location)
            .expect(1)
            .create_async()
            .await;
        let audio = api
            .mock("GET", "/agents/calls/ac_1/audio")
            .with_status(302)
            .with_header("location", location)
            .expect(1)
            .create_async()
            .await;
        let error = mirai_v2(&api.url(), "sk_live_redirect")
            .download_recording(&id("call_1"), &mut Vec::new())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{location}: {error}");
        assert_eq!(error.attempts(), 1, "{location}: only the API was asked");
        let error = cartesia(&api.url(), "sk_car_redirect")
            .download_audio(&id("ac_1"), &mut Vec::new())
            .await
            .unwrap_err();
        assert!(
            !matches!(error.kind(), ErrorKind::Transport | ErrorKind::Timeout),
            "{location}: refused, not attempted: {error}"
        );
        assert_eq!(error.attempts(), 1, "{location}: only the API was asked");
        recording.assert_async().await;
        audio.assert_async().await;
    }
}

/// `http` to anything but a loopback host would send the key in clear text: every builder refuses it at `build()`.
#[test]
fn cleartext_to_a_non_loopback_host_is_refused_by_every_builder() {
    let refused = [
        "http://api.cartesia.ai",
        "HTTP://api.cartesia.ai",
        "http://10.0.0.1",
        "http://192.168.1.1:8080",
        "http://0.0.0.0:8080",
        "http://[::ffff:10.0.0.1]",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "ws://127.0.0.1",
        "file:///etc/passwd",
        "api.cartesia.ai",
        "https://user:pw@api.cartesia.ai",
    ];
    let allowed = [
        "https://api.cartesia.ai",
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:1",
        "http://[::1]:8080",
    ];
    for url in refused.iter().chain(&allowed) {
        let results = [
            CartesiaClient::builder()
                .api_key("sk_car_1")
                .base_url(*url)
                .build()
                .err(),
            MiraiLegacyClient::builder()
                .public_key("pk_1")
                .private_key("sk_1")
                .workspace("ws_1")
                .base_url(*url)
                .build()
                .err(),
            MiraiV2Client::builder()
                .api_key("sk_live_1")
                .base_url(*url)
                .build()
                .err(),
        ];
        for result in results {
            match result {
                Some(error) => {
                    assert!(refused.contains(url), "{url} refused: {error}");
                    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{url}");
                }
                None => assert!(allowed.contains(url), "{url} accepted"),
            }
        }
    }
    // The default hosts are https.
    for client in [
        CartesiaClient::builder()
            .api_key("sk_car_1")
            .build()
            .unwrap()
            .base_url()
            .to_string(),
        MiraiLegacyClient::builder()
            .public_key("pk_1")
            .private_key("sk_1")
            .workspace("ws_1")
            .build()
            .unwrap()
            .base_url()
            .to_string(),
        MiraiV2Client::builder()
            .api_key("sk_live_1")
            .build()
            .unwrap()
            .base_url()
            .to_string(),
    ] {
        assert!(client.starts_with("https://"), "{client}");
    }
}

/// A `reqwest::Client` passed in keeps its own redirect policy (reqwest's default follows up to 10). The docs ask
/// for `Policy::none()`, but a default client is the easy mistake: reqwest then strips `Authorization` on a
/// cross-host redirect but not Mirai's `x-private-key`, and the other host's answer is taken as the provider's.
#[tokio::test]
async fn a_supplied_client_that_follows_redirects_leaks_nothing_and_trusts_no_other_host() {
    let mut api = Server::new_async().await;
    let mut elsewhere = Server::new_async().await;
    let location = format!("{}/v2/call/abort", elsewhere.url());
    api.mock("POST", "/v2/call/abort")
        .with_status(307)
        .with_header("location", &location)
        .create_async()
        .await;
    let stolen = elsewhere
        .mock("POST", Matcher::Any)
        .match_header("x-private-key", "sk_supplied_client")
        .with_body(r#"{"message":"Call aborted successfully"}"#)
        .expect(0)
        .create_async()
        .await;
    let other = elsewhere
        .mock("POST", Matcher::Any)
        .with_body(r#"{"message":"Call aborted successfully"}"#)
        .create_async()
        .await;
    let client = MiraiLegacyClient::builder()
        .public_key("pk_supplied_client")
        .private_key("sk_supplied_client")
        .workspace("6690a1b2c3d4e5f600000002")
        .base_url(api.url())
        .retry(fast())
        .http_client(reqwest::Client::builder)
        .build()
        .unwrap();
    let answer = client.abort_call(&id("q1")).await;
    let mut problems = Vec::new();
    // `stolen` expects 0 hits: it is "matched" exactly when nothing reached it.
    if !stolen.matched_async().await {
        problems.push("the other host received x-private-key".to_owned());
    }
    if other.matched_async().await || answer.is_ok() {
        problems.push(format!(
            "the other host's answer was taken as Mirai's: {answer:?}"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("; "));
}

/// Provider answers an attacker could shape (HTML, escape sequences, control characters, deep nesting, a huge 200):
/// each is a typed error whose `Display` is one printable line of bounded length, never a panic.
#[tokio::test]
async fn hostile_provider_answers_are_one_escaped_bounded_line() {
    let mut server = Server::new_async().await;
    let nasty = "Call \u{1b}[2J\u{1b}]0;pwned\u{7}not found\r\nX-Injected: 1\u{0}\u{202e}gnp.exe"
        .repeat(50);
    let deep = "[".repeat(50_000);
    let cases: [(usize, String); 5] = [
        (404, nasty.clone()),
        (
            404,
            format!(
                r#"{{"message":{}}}"#,
                serde_json::Value::String(nasty.clone())
            ),
        ),
        (
            502,
            "<html><body><h1>502 Bad Gateway</h1>\u{1b}[31m</body></html>".into(),
        ),
        (200, deep.clone()),
        (400, deep),
    ];
    let cartesia = cartesia(&server.url(), "sk_car_hostile");
    let mirai = mirai(&server.url(), "pk_hostile", "sk_hostile");
    let mirai_v2 = mirai_v2(&server.url(), "sk_live_hostile");
    for (status, body) in cases {
        server.reset();
        for method in ["GET", "POST"] {
            server
                .mock(method, Matcher::Any)
                .with_status(status)
                .with_body(&body)
                .create_async()
                .await;
        }
        let errors = [
            cartesia.get_call(&id("ac_1")).await.unwrap_err(),
            cartesia.terminate(&id("ac_1")).await.unwrap_err(),
            mirai.terminate(&id("q1")).await.unwrap_err(),
            mirai_v2.terminate(&id("call_1")).await.unwrap_err(),
        ];
        for error in errors {
            let shown = error.to_string();
            assert!(
                !shown.chars().any(char::is_control),
                "{status}: control characters in {shown:?}"
            );
            assert!(
                !shown.contains('\u{202e}'),
                "{status}: a bidi override in {shown:?}"
            );
            assert!(
                shown.chars().count() < 2_000,
                "{status}: {} characters",
                shown.chars().count()
            );
            let message = error.provider_message().unwrap_or_default();
            assert!(
                !message.chars().any(char::is_control),
                "{status}: {message:?}"
            );
        }
    }

    // A success body over the 16 MiB cap is a decode error, not a buffer that grows without end.
    let sim = Sim::start().await.unwrap();
    let (cartesia_key, _, _, _) = sim_keys(&sim);
    sim.faults()
        .on_route(Route::CartesiaGet, Fault::HugeBody { bytes: 17 << 20 }, 1);
    let error = self::cartesia(sim.base_url(), &cartesia_key)
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert_eq!(error.attempts(), 1, "a body too large is not retried");
    sim.shutdown().await;
}
