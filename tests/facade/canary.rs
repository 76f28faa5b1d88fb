//! Canary keys: unique keys configured into every client, builder and verifier never appear in any `Debug`,
//! `Display`, error (with its whole `source()` chain), trace-level log line or panic, whatever the provider answers.
//!
//! Each run makes new keys (`sk_car_CANARY_<random>`, ...), so a key can only show up here if the library printed it.
//! Every check first proves it can fail: [`Canaries::leaks`] finds a key planted in a string.

use call_core::provider_kit::ErrorExt;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use call_core::provider_kit::{HttpConfig, Request};
use calls_facade::cartesia::{
    CartesiaClient, CreateBatch, CreateOutboundCalls, ListBatches, ListCalls, StopBatch,
};
use calls_facade::mirai::{MiraiLegacyClient, MiraiV2Client, legacy, v2};
use calls_facade::{
    ApiKey, CallControl, CallId, Error, ErrorKind, PhoneNumber, Provider, RetryConfig, bulk,
};
use calls_sim::{CartesiaCallSeed, Credentials, Fault, MiraiV2CallSeed, Route, Sim};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tracing_subscriber::fmt::MakeWriter;

/// The five secrets a deployment configures, each unique to this run.
pub(crate) struct Canaries {
    /// Shared by every key: found even when a key is printed cut short.
    tag: String,
    cartesia: String,
    mirai_public: String,
    mirai_private: String,
    mirai_v2: String,
    webhook_secret: String,
}

impl Canaries {
    pub(crate) fn new() -> Self {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        let tag = format!("CANARY{:016x}", hasher.finish());
        Canaries {
            cartesia: format!("sk_car_{tag}_c"),
            mirai_public: format!("pk_{tag}_p"),
            mirai_private: format!("sk_{tag}_s"),
            mirai_v2: format!("sk_live_{tag}_l"),
            webhook_secret: format!("whsec_{tag}_w"),
            tag,
        }
    }

    /// The keys (and their shared tag) found in `text`.
    pub(crate) fn leaks(&self, text: &str) -> Vec<String> {
        [
            &self.tag,
            &self.cartesia,
            &self.mirai_public,
            &self.mirai_private,
            &self.mirai_v2,
            &self.webhook_secret,
        ]
        .into_iter()
        .filter(|key| text.contains(key.as_str()))
        .cloned()
        .collect()
    }

    /// Fails, quoting the line that holds a key, when `text` holds one.
    #[track_caller]
    pub(crate) fn assert_absent(&self, what: &str, text: &str) {
        let leaks = self.leaks(text);
        let line = text
            .lines()
            .find(|line| line.contains(&self.tag))
            .unwrap_or_default();
        assert!(leaks.is_empty(), "{what} prints {leaks:?} in: {line}");
    }

    /// Checks `Display`, `Debug`, `{:#?}` and every `source()` below the error.
    #[track_caller]
    pub(crate) fn assert_error_clean(&self, what: &str, error: &(dyn std::error::Error + 'static)) {
        self.assert_absent(what, &error_text(error));
    }

    fn credentials(&self) -> Credentials {
        Credentials::default()
            .with_cartesia_api_key(&self.cartesia)
            .with_mirai_public_key(&self.mirai_public)
            .with_mirai_private_key(&self.mirai_private)
            .with_mirai_api_key(&self.mirai_v2)
            .with_mirai_webhook_secret(&self.webhook_secret)
    }

    /// A simulator that accepts these keys.
    async fn sim(&self) -> Sim {
        Sim::builder()
            .credentials(self.credentials())
            .start()
            .await
            .unwrap()
    }

    fn cartesia_builder(
        &self,
        base_url: &str,
        retry: RetryConfig,
    ) -> calls_facade::cartesia::CartesiaClientBuilder {
        CartesiaClient::builder()
            .api_key(self.cartesia.as_str())
            .base_url(base_url)
            .retry(retry)
    }

    fn mirai_builder(
        &self,
        base_url: &str,
        retry: RetryConfig,
    ) -> calls_facade::mirai::MiraiLegacyClientBuilder {
        MiraiLegacyClient::builder()
            .public_key(self.mirai_public.as_str())
            .private_key(self.mirai_private.as_str())
            .workspace("6690a1b2c3d4e5f600000002")
            .base_url(base_url)
            .retry(retry)
    }

    fn mirai_v2_builder(
        &self,
        base_url: &str,
        retry: RetryConfig,
    ) -> calls_facade::mirai::MiraiV2ClientBuilder {
        MiraiV2Client::builder()
            .api_key(self.mirai_v2.as_str())
            .base_url(base_url)
            .retry(retry)
    }

    fn cartesia(&self, base_url: &str, retry: RetryConfig) -> CartesiaClient {
        self.cartesia_builder(base_url, retry).build().unwrap()
    }

    fn mirai(&self, base_url: &str, retry: RetryConfig) -> MiraiLegacyClient {
        self.mirai_builder(base_url, retry).build().unwrap()
    }

    fn mirai_v2(&self, base_url: &str, retry: RetryConfig) -> MiraiV2Client {
        self.mirai_v2_builder(base_url, retry).build().unwrap()
    }
}

/// An error's `Display`, `Debug` and `{:#?}`, then the same for each of its sources.
pub(crate) fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut next = Some(error);
    while let Some(error) = next {
        text.push_str(&format!("{error}\n{error:?}\n{error:#?}\n"));
        next = error.source();
    }
    text
}

/// Three attempts, millisecond backoffs, a second per attempt.
pub(crate) fn fast() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(4))
        .with_attempt_timeout(Duration::from_secs(1))
        .with_operation_timeout(Duration::from_secs(5))
        .with_jitter_seed(7)
}

/// One attempt of 150 ms: for hangs and resets that must not be retried here.
fn once() -> RetryConfig {
    fast()
        .with_max_attempts(1)
        .with_attempt_timeout(Duration::from_millis(150))
}

fn id(s: &str) -> CallId {
    CallId::new(s).unwrap()
}

/// The lowercase hex HMAC-SHA256 of `parts`, keyed with `key`.
pub(crate) fn hmac_hex(key: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

#[test]
fn the_canary_check_can_fail() {
    let c = Canaries::new();
    assert!(
        c.tag.starts_with("CANARY") && c.tag.len() == 22,
        "{}",
        c.tag
    );
    assert_ne!(c.tag, Canaries::new().tag, "each run has its own keys");
    for key in [
        &c.cartesia,
        &c.mirai_public,
        &c.mirai_private,
        &c.mirai_v2,
        &c.webhook_secret,
    ] {
        assert!(!c.leaks(&format!("header: Bearer {key}\n")).is_empty());
    }
    // A key printed cut short still carries the tag.
    assert_eq!(
        c.leaks(&c.cartesia[..c.cartesia.len() - 1]),
        vec![c.tag.clone()]
    );
    let planted =
        Error::new(ErrorKind::Transport, "x").with_source(io::Error::other(c.mirai_v2.clone()));
    assert!(
        !c.leaks(&error_text(&planted)).is_empty(),
        "sources are searched"
    );
    assert!(c.leaks("ApiKey([redacted])").is_empty());
}

#[tokio::test]
async fn builders_clients_keys_and_verifiers_never_print_a_canary() {
    let c = Canaries::new();
    let url = "http://127.0.0.1:9";
    let mut shown = Vec::new();

    for key in [
        &c.cartesia,
        &c.mirai_public,
        &c.mirai_private,
        &c.mirai_v2,
        &c.webhook_secret,
    ] {
        let key = ApiKey::new(key.as_str());
        shown.push(format!("{key:?} {key} {key:#?} {:?}", key.clone()));
        // The one way to read it on purpose: a header value marked sensitive, which `Debug` does not show.
        let header = key.to_header_value("Bearer ", "api key").unwrap();
        assert!(header.is_sensitive());
        shown.push(format!("{header:?}"));
    }

    let cartesia = c.cartesia_builder(url, fast());
    let mirai = c.mirai_builder(url, fast());
    let mirai_v2 = c.mirai_v2_builder(url, fast());
    shown.push(format!(
        "{cartesia:?} {cartesia:#?} {mirai:?} {mirai:#?} {mirai_v2:?} {mirai_v2:#?}"
    ));
    let cartesia = cartesia.clone().build().unwrap();
    let mirai = mirai.clone().build().unwrap();
    let mirai_v2 = mirai_v2.clone().build().unwrap();
    shown.push(format!(
        "{cartesia:?} {cartesia:#?} {mirai:?} {mirai:#?} {mirai_v2:?} {mirai_v2:#?}"
    ));
    shown.push(format!("{:?} {:?}", cartesia.clone(), mirai.base_url()));
    let search = cartesia.number_search(["agent_1", "agent_2"]);
    shown.push(format!("{search:?} {search:#?}"));
    let providers: Vec<Arc<dyn CallControl>> = vec![
        Arc::new(cartesia.clone()),
        Arc::new(mirai.clone()),
        Arc::new(mirai_v2.clone()),
        Arc::new(search),
    ];
    shown.push(format!("{providers:?}"));

    // Both webhook verifiers, each way they are made.
    let legacy_verifier = mirai.webhook_verifier();
    let legacy_rotating =
        legacy::WebhookVerifier::new(c.mirai_private.as_str()).with_key(c.cartesia.as_str());
    let v2_verifier = v2::WebhookVerifier::new(c.webhook_secret.as_str())
        .with_secret(c.mirai_v2.as_str())
        .with_tolerance(Duration::from_secs(60));
    shown.push(format!(
        "{legacy_verifier:?} {legacy_rotating:#?} {v2_verifier:?} {v2_verifier:#?} {:?}",
        v2_verifier.clone()
    ));

    // The core's HTTP types, which hold the auth headers.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        ApiKey::new(c.cartesia.as_str())
            .to_header_value("Bearer ", "api key")
            .unwrap(),
    );
    let config = HttpConfig {
        provider: Provider::Cartesia,
        base_url: call_core::provider_kit::BaseUrl::parse(url).unwrap(),
        headers: headers.clone(),
        retry: fast(),
        user_agent: "canary/1".into(),
        http_client: None,
    };
    shown.push(format!("{config:?}"));
    let http = call_core::provider_kit::HttpClient::new(config).unwrap();
    shown.push(format!("{http:?} {http:#?}"));
    let request = Request::new(reqwest::Method::POST, "cancel call")
        .segment("agents")
        .header(
            reqwest::header::HeaderName::from_static("x-private-key"),
            ApiKey::new(c.mirai_private.as_str())
                .to_header_value("", "key")
                .unwrap(),
        );
    shown.push(format!("{request:?} {request:#?}"));

    for text in &shown {
        c.assert_absent("a builder, client, key or verifier", text);
    }
}

#[test]
fn keys_a_header_cannot_carry_are_refused_without_being_quoted() {
    let c = Canaries::new();
    let url = "http://127.0.0.1:9";
    let hostile = [
        format!("{}\n", c.cartesia),
        format!(" {}", c.cartesia),
        format!("{}\r\nX-Evil: 1", c.cartesia),
        format!("{}\u{0}", c.cartesia),
        format!("{}\u{7f}", c.cartesia),
    ];
    for key in &hostile {
        let errors = [
            CartesiaClient::builder()
                .api_key(key.as_str())
                .base_url(url)
                .build()
                .unwrap_err(),
            MiraiV2Client::builder()
                .api_key(key.as_str())
                .base_url(url)
                .build()
                .unwrap_err(),
            MiraiLegacyClient::builder()
                .public_key(key.as_str())
                .private_key(c.mirai_private.as_str())
                .workspace("ws")
                .base_url(url)
                .build()
                .unwrap_err(),
            MiraiLegacyClient::builder()
                .public_key(c.mirai_public.as_str())
                .private_key(key.as_str())
                .workspace("ws")
                .base_url(url)
                .build()
                .unwrap_err(),
            ApiKey::new(key.as_str())
                .to_header_value("Bearer ", "api key")
                .unwrap_err(),
        ];
        for error in &errors {
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
            c.assert_error_clean("a refused key", error);
        }
    }
    // A key is refused before the base URL is even looked at, and a bad URL never quotes the key either.
    let error = c
        .cartesia_builder("http://api.cartesia.ai", fast())
        .build()
        .unwrap_err();
    c.assert_error_clean("a refused base url", &error);
}

/// Every answer type of a successful request, through the simulator with the canary keys.
#[tokio::test]
async fn requests_and_answers_never_print_a_canary() {
    let c = Canaries::new();
    let sim = c.sim().await;
    let cartesia = c.cartesia(sim.base_url(), fast());
    let mirai = c.mirai(sim.base_url(), fast());
    let mirai_v2 = c.mirai_v2(sim.base_url(), fast());
    let mut shown = Vec::new();

    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_live", "agent_1").status("started"));
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("ac_done", "agent_1")
            .status("completed")
            .end_reason("agent_hangup")
            .recording(true)
            .logs(["one log line"]),
    );
    sim.mirai().seed_call("68f0a1b2c3d4e5f600000900", None);
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_live", "agt_1").status("in_progress"));
    sim.mirai_v2().seed_call(
        MiraiV2CallSeed::new("call_done", "agt_1")
            .status("completed")
            .ended_reason("customer-ended-call")
            .recording(true)
            .transcript(vec![serde_json::json!({"role": "agent", "text": "hello"})]),
    );

    // Requests, before and after they are sent.
    let outbound = CreateOutboundCalls::new("agent_1", "ap_1").to("+14155550123");
    let batch = CreateBatch::new("canary batch", "agent_1", "ap_1").to("+14155550124");
    let initiate = legacy::InitiateCall::new("+919876543210", "asst_1").metadata_entry("k", "v");
    let create = v2::CreateCall::phone("agt_1", "+919876543211").metadata("k", "v");
    shown.push(format!(
        "{outbound:?} {batch:?} {initiate:?} {create:?} {:?} {:?} {:?} {:?} {:?}",
        ListCalls::new("agent_1"),
        ListBatches::new(),
        StopBatch::new(),
        v2::ListCalls::new(),
        PhoneNumber::new("+14155550123").unwrap(),
    ));

    // Answers.
    let done = cartesia.terminate(&id("ac_live")).await.unwrap();
    shown.push(format!("{done} {done:?}"));
    shown.push(format!(
        "{:?}",
        cartesia.get_call(&id("ac_done")).await.unwrap()
    ));
    shown.push(format!(
        "{:?}",
        cartesia.state(&id("ac_done")).await.unwrap()
    ));
    shown.push(format!(
        "{:?}",
        futures_util::TryStreamExt::try_next(
            &mut cartesia.list_calls(ListCalls::new("agent_1")).pages()
        )
        .await
        .unwrap()
    ));
    shown.push(format!(
        "{:?}",
        cartesia.get_call_logs(&id("ac_done")).await.unwrap()
    ));
    shown.push(format!(
        "{:?}",
        cartesia.create_outbound_calls(&outbound).await.unwrap()
    ));
    let created_batch = cartesia.create_batch(&batch).await.unwrap();
    shown.push(format!("{created_batch:?}"));
    let stopped = cartesia
        .stop_batch(&created_batch.id, StopBatch::new())
        .await
        .unwrap();
    shown.push(format!("{stopped:?}"));
    let mut audio = Vec::new();
    cartesia
        .download_audio(&id("ac_done"), &mut audio)
        .await
        .unwrap();

    let done = mirai
        .terminate(&id("68f0a1b2c3d4e5f600000900"))
        .await
        .unwrap();
    shown.push(format!("{done} {done:?}"));
    shown.push(format!(
        "{:?}",
        mirai.initiate_call(&initiate).await.unwrap()
    ));

    let done = mirai_v2.terminate(&id("call_live")).await.unwrap();
    shown.push(format!("{done} {done:?}"));
    shown.push(format!(
        "{:?}",
        mirai_v2.get_call(&id("call_done")).await.unwrap()
    ));
    shown.push(format!(
        "{:?}",
        mirai_v2.transcript(&id("call_done")).await.unwrap()
    ));
    shown.push(format!(
        "{:?}",
        mirai_v2.create_call(&create).await.unwrap()
    ));
    let pages = mirai_v2.list_calls(v2::ListCalls::new()).pages();
    futures_util::pin_mut!(pages);
    shown.push(format!(
        "{:?}",
        futures_util::StreamExt::next(&mut pages).await
    ));
    let mut recording = Vec::new();
    mirai_v2
        .download_recording(&id("call_done"), &mut recording)
        .await
        .unwrap();
    assert!(!recording.is_empty());

    // A bulk run's reports, one failing.
    let ids = futures_util::stream::iter(vec!["ac_done".to_owned(), "ac_missing".to_owned()]);
    let mut reports =
        bulk::terminate_all(Arc::new(cartesia.clone()), ids, bulk::BulkOptions::new());
    shown.push(format!("{reports:?}"));
    while let Some(report) = futures_util::StreamExt::next(&mut reports).await {
        shown.push(format!("{report:?} {}", report.outcome.as_str()));
    }

    for text in &shown {
        c.assert_absent("a request or answer", text);
    }
    sim.shutdown().await;
}

/// Records `error`'s kind after checking it prints no key.
#[track_caller]
fn seen(c: &Canaries, kinds: &mut HashSet<ErrorKind>, what: &str, error: &Error) {
    c.assert_error_clean(what, error);
    kinds.insert(error.kind());
}

#[tokio::test]
async fn every_error_kind_is_free_of_canaries() {
    let c = Canaries::new();
    let sim = c.sim().await;
    let base = sim.base_url().to_owned();
    let cartesia = c.cartesia(&base, fast());
    let mirai = c.mirai(&base, fast());
    let mirai_v2 = c.mirai_v2(&base, fast());
    let mut kinds = HashSet::new();
    let k = &mut kinds;

    // InvalidInput, refused before sending.
    seen(&c, k, "empty id", &CallId::new("").unwrap_err());
    seen(
        &c,
        k,
        "batches",
        &cartesia.get_call(&id("batches")).await.unwrap_err(),
    );
    let bad_call = v2::CreateCall::phone("agt_1", "not a number");
    seen(
        &c,
        k,
        "bad phone",
        &mirai_v2.create_call(&bad_call).await.unwrap_err(),
    );
    let error = c
        .mirai_v2_builder("http://10.0.0.1", fast())
        .build()
        .unwrap_err();
    seen(&c, k, "cleartext url", &error);

    // Unauthorized: every client against a simulator that knows other keys; and forged webhooks.
    let strangers = Sim::start().await.unwrap();
    let error = c
        .cartesia(strangers.base_url(), fast())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    seen(&c, k, "cartesia 401", &error);
    let error = c
        .mirai(strangers.base_url(), fast())
        .terminate(&id("q1"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    seen(&c, k, "mirai 401", &error);
    let error = c
        .mirai_v2(strangers.base_url(), fast())
        .terminate(&id("call_1"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    seen(&c, k, "mirai v2 401", &error);
    strangers.shutdown().await;
    let error = mirai
        .webhook_verifier()
        .verify_event("00", b"{}")
        .unwrap_err();
    seen(&c, k, "forged legacy webhook", &error);
    let error = v2::WebhookVerifier::new(c.webhook_secret.as_str())
        .verify_event("t=1,v1=00", b"{}")
        .unwrap_err();
    seen(&c, k, "stale v2 webhook", &error);

    // Forbidden, Rejected, Conflict, Upstream: scripted statuses.
    sim.faults()
        .on_route(Route::CartesiaGet, Fault::status(403), 1);
    seen(
        &c,
        k,
        "403",
        &cartesia.get_call(&id("ac_1")).await.unwrap_err(),
    );
    sim.faults()
        .on_route(Route::MiraiV2Get, Fault::status(402), 1);
    seen(
        &c,
        k,
        "402",
        &mirai_v2.get_call(&id("call_1")).await.unwrap_err(),
    );
    sim.faults()
        .on_route(Route::CartesiaGet, Fault::status(409), 1);
    seen(
        &c,
        k,
        "409",
        &cartesia.get_call(&id("ac_1")).await.unwrap_err(),
    );
    sim.faults()
        .on_route(Route::MiraiAbort, Fault::status(503), 3);
    seen(
        &c,
        k,
        "503 x3",
        &mirai.abort_call(&id("q1")).await.unwrap_err(),
    );

    // NotFound and NotTerminable: the providers' own answers.
    seen(
        &c,
        k,
        "404",
        &cartesia.terminate(&id("ac_missing")).await.unwrap_err(),
    );
    seen(
        &c,
        k,
        "404",
        &mirai.terminate(&id("q_missing")).await.unwrap_err(),
    );
    seen(
        &c,
        k,
        "404",
        &mirai_v2.get_call(&id("call_missing")).await.unwrap_err(),
    );
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_ringing", "agent_1").status("created"));
    seen(
        &c,
        k,
        "created",
        &cartesia.terminate(&id("ac_ringing")).await.unwrap_err(),
    );
    sim.mirai().seed_call("q_live", Some("in-progress"));
    seen(
        &c,
        k,
        "in progress",
        &mirai.terminate(&id("q_live")).await.unwrap_err(),
    );
    sim.mirai_v2().seed_call(
        MiraiV2CallSeed::new("call_over", "agt_1")
            .status("completed")
            .ended_reason("customer-ended-call"),
    );
    seen(
        &c,
        k,
        "409 abort",
        &mirai_v2.abort_call(&id("call_over")).await.unwrap_err(),
    );

    // Timeout, Transport (a reset), Decode (malformed, wrong shape, HTML, a signed non-event).
    let impatient = c.cartesia(&base, once());
    sim.faults().on_route(Route::CartesiaGet, Fault::Hang, 1);
    seen(
        &c,
        k,
        "hang",
        &impatient.get_call(&id("ac_1")).await.unwrap_err(),
    );
    sim.faults().on_route(Route::MiraiAbort, Fault::Reset, 1);
    seen(
        &c,
        k,
        "reset",
        &c.mirai(&base, once())
            .abort_call(&id("q1"))
            .await
            .unwrap_err(),
    );
    sim.faults().on_route(Route::MiraiV2Abort, Fault::Reset, 3);
    seen(
        &c,
        k,
        "reset x3",
        &mirai_v2.abort_call(&id("call_1")).await.unwrap_err(),
    );
    sim.faults()
        .on_route(Route::CartesiaGet, Fault::MalformedJson, 1);
    seen(
        &c,
        k,
        "malformed",
        &cartesia.get_call(&id("ac_1")).await.unwrap_err(),
    );
    sim.faults()
        .on_route(Route::MiraiAbort, Fault::WrongShape, 1);
    seen(
        &c,
        k,
        "wrong shape",
        &c.mirai(&base, once())
            .abort_call(&id("q1"))
            .await
            .unwrap_err(),
    );
    sim.faults()
        .on_route(Route::MiraiV2Get, Fault::Html { status: 200 }, 1);
    seen(
        &c,
        k,
        "html",
        &mirai_v2.get_call(&id("call_1")).await.unwrap_err(),
    );
    let body = br#"{"not":"an event"}"#;
    let signature = hmac_hex(&c.mirai_private, &[body]);
    let error = mirai
        .webhook_verifier()
        .verify_event(&signature, body)
        .unwrap_err();
    seen(&c, k, "signed non-event", &error);

    // Unsupported: the legacy API cannot read calls.
    seen(&c, k, "state", &mirai.state(&id("q1")).await.unwrap_err());

    // Io: a recording that cannot be saved.
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("ac_rec", "agent_1")
            .status("completed")
            .recording(true),
    );
    let nowhere = std::env::temp_dir()
        .join(format!("calls-canary-{}", c.tag))
        .join("missing")
        .join("a.wav");
    seen(
        &c,
        k,
        "io",
        &cartesia
            .download_audio_to_file(&id("ac_rec"), &nowhere)
            .await
            .unwrap_err(),
    );

    // RateLimited last: a 429 asking for more than the deadline closes this client's gate for a minute.
    sim.faults().on_route(
        Route::CartesiaGet,
        Fault::Status {
            code: 429,
            retry_after: Some("100".into()),
            body: None,
        },
        1,
    );
    seen(
        &c,
        k,
        "429",
        &cartesia.get_call(&id("ac_1")).await.unwrap_err(),
    );
    seen(
        &c,
        k,
        "gate closed",
        &cartesia.get_call(&id("ac_1")).await.unwrap_err(),
    );

    let expected = [
        ErrorKind::InvalidInput,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::NotTerminable,
        ErrorKind::Conflict,
        ErrorKind::RateLimited,
        ErrorKind::Upstream,
        ErrorKind::Timeout,
        ErrorKind::Transport,
        ErrorKind::Decode,
        ErrorKind::Unsupported,
        ErrorKind::Rejected,
        ErrorKind::Io,
    ];
    let missing: Vec<_> = expected
        .iter()
        .filter(|kind| !kinds.contains(kind))
        .collect();
    assert!(missing.is_empty(), "never provoked: {missing:?}");
    sim.shutdown().await;
}

/// A provider (or a proxy in front of it) that echoes the request's headers into its answer, as debugging gateways
/// and `httpbin`-style error pages do. The echo is quoted in the error (escaped, truncated), but the key in it must
/// not be: the client knows its keys and can redact them.
#[tokio::test]
async fn a_provider_echoing_the_key_does_not_get_it_printed() {
    let c = Canaries::new();
    let mut server = mockito::Server::new_async().await;
    let echo_cartesia = format!(
        r#"{{"message":"bad request","headers":{{"authorization":"Bearer {}"}}}}"#,
        c.cartesia
    );
    let echo_mirai = format!("<pre>x-private-key: {}</pre>", c.mirai_private);
    let echo_v2 = format!(r#"{{"echo":"Bearer {}"}}"#, c.mirai_v2);
    server
        .mock("POST", "/agents/calls/ac_1/cancel")
        .with_status(400)
        .with_body(&echo_cartesia)
        .create_async()
        .await;
    server
        .mock("GET", "/agents/calls/ac_1")
        .with_status(200)
        .with_body(&echo_cartesia)
        .create_async()
        .await;
    server
        .mock("POST", "/v2/call/abort")
        .with_status(403)
        .with_body(&echo_mirai)
        .create_async()
        .await;
    server
        .mock("POST", "/v2/calls/call_1/abort")
        .with_status(200)
        .with_body(&echo_v2)
        .create_async()
        .await;

    let errors = [
        c.cartesia(&server.url(), fast())
            .cancel_call(&id("ac_1"))
            .await
            .unwrap_err(),
        c.cartesia(&server.url(), fast())
            .get_call(&id("ac_1"))
            .await
            .unwrap_err(),
        c.mirai(&server.url(), fast())
            .abort_call(&id("q1"))
            .await
            .unwrap_err(),
        c.mirai_v2(&server.url(), fast())
            .abort_call(&id("call_1"))
            .await
            .unwrap_err(),
    ];
    let mut leaked = Vec::new();
    for error in &errors {
        let text = error_text(error);
        if !c.leaks(&text).is_empty() {
            leaked.push(format!(
                "{:?} {:?}: {error}",
                error.operation(),
                error.status()
            ));
        }
    }
    assert!(
        leaked.is_empty(),
        "the echoed key is printed by:\n{}",
        leaked.join("\n")
    );
}

/// A signed download link (Mirai's recording `Location`, a Cartesia audio redirect) is itself a credential: the
/// recording docs say it "is never logged, stored or put in an error". Here the storage host refuses connections,
/// so the error comes from the HTTP stack, which names the URL it failed to reach.
#[tokio::test]
async fn a_signed_download_link_never_appears_in_an_error() {
    let c = Canaries::new();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let signed = format!(
        "http://127.0.0.1:{closed}/rec/a.wav?X-Amz-Expires=900&X-Amz-Signature={}",
        c.tag
    );
    let mut api = mockito::Server::new_async().await;
    api.mock("GET", "/v2/calls/call_1/recording")
        .with_status(302)
        .with_header("location", &signed)
        .create_async()
        .await;
    api.mock("GET", "/agents/calls/ac_1/audio")
        .with_status(302)
        .with_header("location", &signed)
        .create_async()
        .await;

    let v2_error = c
        .mirai_v2(&api.url(), fast())
        .download_recording(&id("call_1"), &mut Vec::new())
        .await
        .unwrap_err();
    let cartesia_error = c
        .cartesia(&api.url(), fast())
        .download_audio(&id("ac_1"), &mut Vec::new())
        .await
        .unwrap_err();
    let mut leaked = Vec::new();
    for error in [&v2_error, &cartesia_error] {
        assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
        let text = error_text(error);
        if let Some(line) = text.lines().find(|line| line.contains(&c.tag)) {
            leaked.push(format!("{error}\n  in: {line}"));
        }
    }
    assert!(
        leaked.is_empty(),
        "the signed link is in:\n{}",
        leaked.join("\n")
    );
}

/// A `MakeWriter` over a shared in-memory buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

struct CapturedWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CapturedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = CapturedWriter;

    fn make_writer(&'a self) -> Self::Writer {
        CapturedWriter(Arc::clone(&self.0))
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Every client, with retries of every kind, logged at TRACE into a buffer: the retries are there, the keys are not.
///
/// The subscriber is this thread's default, and `#[tokio::test]` runs every task (the clients', hyper's, the
/// simulator's) on this one thread, so nothing logged escapes the buffer. (`log` records, which reqwest emits, are
/// not captured: reqwest logs URLs and statuses, never headers.)
#[tokio::test]
async fn trace_logs_of_retried_requests_never_hold_a_canary() {
    let c = Canaries::new();
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    // While exactly one dispatcher is registered, tracing-core caches a callsite's interest from whichever thread
    // reaches it first: a sibling test's thread, with no subscriber, would switch it off for everyone
    // (tokio-rs/tracing#3611). A second registered dispatcher makes every callsite ask the current thread's.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = c.sim().await;
    // Four attempts: a 502, a reset and a 429 in a row, then the answer.
    let retry = fast().with_max_attempts(4);
    let cartesia = c.cartesia(sim.base_url(), retry.clone());
    let mirai = c.mirai(sim.base_url(), retry.clone());
    let mirai_v2 = c.mirai_v2(sim.base_url(), retry);
    let limited = Fault::Status {
        code: 429,
        retry_after: Some("0.01".into()),
        body: None,
    };
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_live", "agent_1").status("started"));
    sim.mirai().seed_call("68f0a1b2c3d4e5f600000900", None);
    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_live", "agt_1").status("in_progress"));
    for route in [
        Route::CartesiaCancel,
        Route::MiraiAbort,
        Route::MiraiV2Abort,
    ] {
        sim.faults().on_route(route, Fault::status(502), 1);
        sim.faults().on_route(route, Fault::Reset, 1);
        sim.faults().on_route(route, limited.clone(), 1);
    }
    // Mirai v2's create waits on a 409 `duplicate_call` and asks again with the same key.
    sim.faults().on_route(
        Route::MiraiV2Create,
        Fault::Status {
            code: 409,
            retry_after: Some("0.01".into()),
            body: Some(
                r#"{"error":{"code":"duplicate_call","message":"still processing"}}"#.into(),
            ),
        },
        1,
    );

    cartesia.terminate(&id("ac_live")).await.unwrap();
    mirai
        .terminate(&id("68f0a1b2c3d4e5f600000900"))
        .await
        .unwrap();
    mirai_v2.terminate(&id("call_live")).await.unwrap();
    mirai_v2
        .create_call(&v2::CreateCall::phone("agt_1", "+919876543210"))
        .await
        .unwrap();
    // Failures are logged too: a 401 from a simulator that knows other keys.
    let strangers = Sim::start().await.unwrap();
    c.cartesia(strangers.base_url(), fast())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    strangers.shutdown().await;
    sim.shutdown().await;

    let logs = captured.text();
    for expected in [
        "retrying after a transient answer",
        "retrying after a failed attempt",
        "http attempt answered",
        "http attempt failed",
        "asking again",
        "cartesia",
        "mirai",
    ] {
        assert!(
            logs.contains(expected),
            "no {expected:?} in the logs:\n{logs}"
        );
    }
    c.assert_absent("the trace logs", &logs);
}

/// Sync APIs fed hostile input under `catch_unwind`: none panics, so no panic message (which a default hook prints
/// to stderr) can carry anything; and none quotes a key in its error.
#[test]
fn hostile_input_to_sync_apis_never_panics() {
    let c = Canaries::new();
    let long = "a".repeat(1 << 18);
    let deep = "[".repeat(100_000);
    let ids = [
        "",
        " ",
        ".",
        "..",
        "a\nb",
        "a\u{0}b",
        "\u{202e}gnp.exe",
        "é",
        "%2F",
        "../../x",
        &long,
    ];
    let urls = [
        "http://[::1",
        "https://\u{0}",
        "https://a b",
        "https://[fe80::1%25eth0]",
        "http://0x7f.1",
        "http://2130706433",
        "https://xn--",
        "//evil.example",
        &long,
    ];
    let headers = [
        "",
        "t=",
        "t=-1,v1=00",
        "t=9223372036854775807,v1=00",
        "t=-9223372036854775808,v1=00",
        "t=99999999999999999999,v1=00",
        "t=1,v1=é",
        &format!("t=1,v1={}", "é".repeat(32)),
        &",".repeat(1 << 16),
        &long,
    ];
    let bodies: [&[u8]; 5] = [
        b"",
        b"\xff\xfe",
        deep.as_bytes(),
        long.as_bytes(),
        b"{\"event\":{\"type\":1}}",
    ];

    let outcome = std::panic::catch_unwind(|| {
        let mut errors: Vec<Error> = Vec::new();
        for raw in ids {
            errors.extend(CallId::new(raw).err());
            errors.extend(PhoneNumber::new(raw).err());
            errors.extend(calls_facade::cartesia::BatchId::new(raw).err());
            errors.extend(v2::CampaignId::new(raw).err());
        }
        for url in urls {
            errors.extend(c.cartesia_builder(url, fast()).build().err());
            errors.extend(c.mirai_builder(url, fast()).build().err());
            errors.extend(c.mirai_v2_builder(url, fast()).build().err());
        }
        // A 256 KiB key is legal in a header: it builds or is refused, but never panics.
        let long_key = format!("{}{long}", c.cartesia);
        errors.extend(
            CartesiaClient::builder()
                .api_key(long_key.as_str())
                .build()
                .err(),
        );
        errors.extend(
            MiraiV2Client::builder()
                .api_key(long_key.as_str())
                .build()
                .err(),
        );
        let legacy_verifier = legacy::WebhookVerifier::new(c.mirai_private.as_str());
        let v2_verifier = v2::WebhookVerifier::new(c.webhook_secret.as_str());
        for header in headers {
            for body in bodies {
                errors.extend(legacy_verifier.verify_event(header, body).err());
                errors.extend(v2_verifier.verify_event(header, body).err());
            }
        }
        for body in bodies {
            // Correctly signed, so the body itself is decoded.
            let signature = hmac_hex(&c.mirai_private, &[body]);
            errors.extend(legacy_verifier.verify_event(&signature, body).err());
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                .to_string();
            let signature = hmac_hex(&c.webhook_secret, &[now.as_bytes(), b".", body]);
            errors.extend(
                v2_verifier
                    .verify_event(&format!("t={now},v1={signature}"), body)
                    .err(),
            );
            errors.extend(legacy::WebhookEvent::from_slice(body).err());
            errors.extend(v2::WebhookEvent::from_slice(body).err());
        }
        for value in [
            "99999999999999999999",
            "1e308",
            "NaN",
            "inf",
            "-0",
            "Sat, 31 Dec 9999 23:59:59 GMT",
        ] {
            let _ = call_core::provider_kit::parse_retry_after(value, SystemTime::now());
        }
        errors
    });
    let errors = match outcome {
        Ok(errors) => errors,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            c.assert_absent("a panic message", &message);
            panic!("a public API panicked on hostile input: {message}");
        }
    };
    assert!(
        errors.len() > 100,
        "the inputs were refused: {}",
        errors.len()
    );
    for error in &errors {
        c.assert_error_clean("an error about hostile input", error);
    }
}

/// Settings that pass `build()` must not panic when used: `RetryConfig`'s setters never fail, and `build()` is where
/// an unusable value is refused. A timeout or backoff of `Duration::MAX` (a "never give up" configuration, or a
/// parsed `--timeout` flag) overflows `Instant + Duration`.
#[tokio::test]
async fn extreme_retry_settings_are_refused_or_work_but_never_panic() {
    let c = Canaries::new();
    let sim = c.sim().await;
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("ac_live", "agent_1").status("started"));
    let settings = [
        (
            "operation timeout",
            fast().with_operation_timeout(Duration::MAX),
        ),
        (
            "attempt timeout",
            fast().with_attempt_timeout(Duration::MAX),
        ),
        (
            "backoff",
            fast()
                .with_initial_backoff(Duration::MAX)
                .with_max_backoff(Duration::MAX)
                .with_operation_timeout(Duration::from_millis(500)),
        ),
    ];
    let mut panics = Vec::new();
    for (what, retry) in settings {
        let client = match c.cartesia_builder(sim.base_url(), retry).build() {
            Ok(client) => client,
            Err(error) => {
                assert_eq!(error.kind(), ErrorKind::InvalidInput, "{what}: {error}");
                continue;
            }
        };
        // One 502 first, so the backoff is used.
        sim.faults()
            .on_route(Route::CartesiaGet, Fault::status(502), 1);
        let task =
            tokio::spawn(async move { client.get_call(&CallId::new("ac_live").unwrap()).await });
        match task.await {
            Ok(_) => {}
            Err(join) if join.is_panic() => panics.push(what),
            Err(join) => panic!("{what}: {join}"),
        }
    }
    assert!(
        panics.is_empty(),
        "a request panicked with a {panics:?} of Duration::MAX"
    );
    sim.shutdown().await;
}
