//! The shared HTTP path against local servers: what is retried, what is not, and what is sent where.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use call_core::provider_kit::{BaseUrl, HttpClient, HttpConfig, Idempotency, Request};
use call_core::{ApiKey, CallId, ErrorKind, Provider, RetryConfig};
use mockito::{Matcher, Server};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap};

fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
        .with_attempt_timeout(Duration::from_millis(300))
        .with_operation_timeout(Duration::from_secs(3))
}

fn client(url: &str, retry: RetryConfig) -> HttpClient {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        ApiKey::new("sk_secret_1")
            .to_header_value("Bearer ", "key")
            .unwrap(),
    );
    HttpClient::new(HttpConfig {
        provider: Provider::Cartesia,
        base_url: BaseUrl::parse(url).unwrap(),
        headers,
        retry,
        user_agent: "test/1".into(),
        http_client: None,
    })
    .unwrap()
}

/// A mock answering `method path` with `status` and `headers`, expected `times` times.
async fn answers(
    server: &mut mockito::ServerGuard,
    method: &str,
    path: &str,
    status: usize,
    headers: &[(&str, &str)],
    times: usize,
) -> mockito::Mock {
    let mut mock = server.mock(method, path).with_status(status);
    for &(name, value) in headers {
        mock = mock.with_header(name, value);
    }
    mock.expect(times).create_async().await
}

#[tokio::test]
async fn a_request_that_is_not_idempotent_is_never_sent_twice() {
    let mut server = Server::new_async().await;
    let mock = answers(&mut server, "POST", "/create", 502, &[], 1).await;
    let request = Request::new(Method::POST, "create call")
        .segment("create")
        .idempotency(Idempotency::NotIdempotent);
    let response = client(&server.url(), retry()).send(request).await.unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.attempts(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_request_that_is_not_idempotent_and_times_out_has_an_unknown_outcome() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        loop {
            sockets.push(listener.accept().await.unwrap().0);
        }
    });
    let request = Request::new(Method::POST, "create call")
        .segment("create")
        .idempotency(Idempotency::NotIdempotent);
    let error = client(
        &url,
        retry().with_attempt_timeout(Duration::from_millis(30)),
    )
    .send(request)
    .await
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.is_outcome_unknown());
    assert_eq!(error.attempts(), 1);
    assert!(error.to_string().contains("outcome unknown"), "{error}");
    held.abort();
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_when_not_idempotent_and_says_nothing_was_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let request = Request::new(Method::POST, "create call")
        .segment("create")
        .idempotency(Idempotency::NotIdempotent);
    let error = client(&url, retry()).send(request).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(!error.request_may_have_been_sent());
    assert!(!error.is_outcome_unknown());
    assert_eq!(error.attempts(), 3);
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_answers_at_once() {
    let mut server = Server::new_async().await;
    let mock = answers(&mut server, "GET", "/x", 429, &[("retry-after", "120")], 1).await;
    let started = std::time::Instant::now();
    let response = client(&server.url(), retry())
        .send(Request::new(Method::GET, "read").segment("x"))
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(started.elapsed() < Duration::from_secs(2));
    let error = response.error();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    mock.assert_async().await;
}

#[tokio::test]
async fn retry_after_within_the_deadline_is_honoured_then_retried() {
    let mut server = Server::new_async().await;
    let limited = answers(&mut server, "GET", "/x", 429, &[("retry-after", "0")], 2).await;
    let ok = server
        .mock("GET", "/x")
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create_async()
        .await;
    let response = client(&server.url(), retry())
        .send(Request::new(Method::GET, "read").segment("x"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 3);
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn final_when_stops_retrying_a_permanent_503() {
    let mut server = Server::new_async().await;
    let mock = server
        .mock("GET", "/x")
        .with_status(503)
        .with_body(r#"{"error":{"code":"campaigns_unavailable"}}"#)
        .expect(1)
        .create_async()
        .await;
    let request = Request::new(Method::GET, "read")
        .segment("x")
        .final_when(|_, body| body.windows(21).any(|w| w == b"campaigns_unavailable"));
    let response = client(&server.url(), retry()).send(request).await.unwrap();
    assert_eq!((response.status(), response.attempts()), (503, 1));
    mock.assert_async().await;
}

#[tokio::test]
async fn other_4xx_are_never_retried() {
    let mut server = Server::new_async().await;
    for status in [400, 401, 403, 404, 409, 422] {
        let mock = server
            .mock("GET", "/x")
            .with_status(status)
            .expect(1)
            .create_async()
            .await;
        let response = client(&server.url(), retry())
            .send(Request::new(Method::GET, "read").segment("x"))
            .await
            .unwrap();
        assert_eq!((response.status(), response.attempts()), (status as u16, 1));
        mock.assert_async().await;
        mock.remove_async().await;
    }
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let mut server = Server::new_async().await;
    let mock = answers(&mut server, "GET", "/x", 503, &[], 3).await;
    let response = client(&server.url(), retry())
        .send(Request::new(Method::GET, "read").segment("x"))
        .await
        .unwrap();
    assert_eq!((response.status(), response.attempts()), (503, 3));
    assert_eq!(response.error().kind(), ErrorKind::Upstream);
    mock.assert_async().await;
    let mock = answers(&mut server, "GET", "/y", 503, &[], 1).await;
    let response = client(&server.url(), RetryConfig::disabled())
        .send(Request::new(Method::GET, "read").segment("y"))
        .await
        .unwrap();
    assert_eq!(response.attempts(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn an_external_url_gets_no_key() {
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let download = storage
        .mock("GET", "/rec.wav")
        .match_query(Matcher::UrlEncoded("X-Amz-Expires".into(), "900".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("user-agent", "test/1")
        .with_body("RIFF")
        .expect(1)
        .create_async()
        .await;
    let url = format!("{}/rec.wav?X-Amz-Expires=900", storage.url());
    let request = Request::external_get(&url, "download recording").unwrap();
    let response = client(&api.url(), retry()).send(request).await.unwrap();
    assert_eq!(response.body().as_ref(), b"RIFF");
    download.assert_async().await;
    api.mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await
        .assert_async()
        .await;
}

#[tokio::test]
async fn a_success_body_over_the_cap_is_a_decode_error_not_a_retry() {
    let mut server = Server::new_async().await;
    let mock = server
        .mock("GET", "/x")
        .with_status(200)
        .with_body("x".repeat(2048))
        .expect(1)
        .create_async()
        .await;
    let request = Request::new(Method::GET, "read")
        .segment("x")
        .max_body_bytes(1024);
    let error = client(&server.url(), retry())
        .send(request)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    mock.assert_async().await;
}

#[tokio::test]
async fn redirects_are_not_followed_by_the_client_we_build() {
    let mut server = Server::new_async().await;
    let mock = answers(
        &mut server,
        "GET",
        "/x",
        302,
        &[("location", "http://127.0.0.1:1/steal")],
        1,
    )
    .await;
    let response = client(&server.url(), retry())
        .send(Request::new(Method::GET, "read").segment("x"))
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    mock.assert_async().await;
}

#[tokio::test]
async fn the_call_id_is_one_encoded_segment_and_named_in_errors() {
    let mut server = Server::new_async().await;
    let mock = answers(
        &mut server,
        "POST",
        "/calls/..%2Fagents%3Fx%3D1/cancel",
        404,
        &[],
        1,
    )
    .await;
    let id = CallId::new("../agents?x=1").unwrap();
    let request = Request::new(Method::POST, "cancel call")
        .segment("calls")
        .call_id_segment(&id)
        .segment("cancel");
    let response = client(&server.url(), retry()).send(request).await.unwrap();
    let error = response.error();
    assert_eq!(error.call_id(), Some(&id));
    assert!(!format!("{error} {error:?}").contains("sk_secret_1"));
    mock.assert_async().await;
}

#[tokio::test]
async fn one_rate_limit_pauses_the_whole_client() {
    let mut server = Server::new_async().await;
    let limited = answers(&mut server, "GET", "/a", 429, &[("retry-after", "100")], 1).await;
    let other = answers(&mut server, "GET", "/b", 200, &[], 0).await;
    let client = client(&server.url(), retry());
    let response = client
        .send(Request::new(Method::GET, "read").segment("a"))
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(client.rate_limit().events(), 1);
    // Another request of the same client is not sent while the provider asked us to wait past its deadline.
    let error = client
        .send(Request::new(Method::GET, "read").segment("b"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.attempts(), 0);
    assert!(!error.request_may_have_been_sent());
    assert!(error.retry_after().unwrap() > Duration::from_secs(50));
    limited.assert_async().await;
    other.assert_async().await;
}

#[tokio::test]
async fn a_short_rate_limit_delays_other_requests_then_lets_them_through() {
    let mut server = Server::new_async().await;
    let limited = answers(&mut server, "GET", "/a", 429, &[("retry-after", "0.2")], 1).await;
    let ok_a = answers(&mut server, "GET", "/a", 200, &[], 1).await;
    let ok_b = answers(&mut server, "GET", "/b", 200, &[], 1).await;
    let client = client(&server.url(), retry());
    let first = client.send(Request::new(Method::GET, "read").segment("a"));
    let second = async {
        while client.rate_limit().events() == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Taken before the pause is read, so the gate opens no earlier than `started + pause`.
        let started = std::time::Instant::now();
        let pause = client.rate_limit().remaining();
        let response = client
            .send(Request::new(Method::GET, "read").segment("b"))
            .await
            .unwrap();
        (response, pause, started.elapsed())
    };
    let (first, (second, pause, waited)) = tokio::join!(first, second);
    assert_eq!(first.unwrap().status(), 200);
    assert_eq!(second.status(), 200);
    // The second request was held until the gate opened: it waited at least the pause it saw.
    assert!(!pause.is_zero());
    assert!(
        waited >= pause,
        "the second request did not wait: {waited:?} < {pause:?}"
    );
    limited.assert_async().await;
    ok_a.assert_async().await;
    ok_b.assert_async().await;
}

#[tokio::test]
async fn a_shared_deadline_that_has_passed_sends_nothing() {
    let mut server = Server::new_async().await;
    let mock = server.mock("GET", "/a").expect(0).create_async().await;
    let bounded = client(&server.url(), retry()).with_deadline(std::time::Instant::now());
    let error = bounded
        .send(Request::new(Method::GET, "read").segment("a"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 0);
    assert!(!error.request_may_have_been_sent());
    assert!(!error.may_have_taken_effect());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_shared_deadline_caps_the_operation_timeout_and_its_retries() {
    // Every attempt hangs. Alone, the read would be tried three times (300 ms each, within its 3 s); bounded by a
    // deadline 100 ms away, it is tried once.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = accepted.clone();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        loop {
            sockets.push(listener.accept().await.unwrap().0);
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let client = client(&url, retry());
    let bounded = client.with_deadline(std::time::Instant::now() + Duration::from_millis(100));
    assert!(bounded.deadline().is_some());
    let error = bounded
        .send(Request::new(Method::GET, "read").segment("a"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 1);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The client it came from keeps its own, per-request timeouts.
    assert!(client.deadline().is_none());
    held.abort();
}

#[tokio::test]
async fn attempts_refused_before_the_answer_are_not_taken_as_acted_on() {
    let mut server = Server::new_async().await;
    let client = client(&server.url(), retry());
    // A 429 reached the provider but was refused: the 400 after it leaves nothing that may have been acted on.
    let limited = answers(&mut server, "POST", "/a", 429, &[("retry-after", "0")], 1).await;
    let refused = answers(&mut server, "POST", "/a", 400, &[], 1).await;
    let request = || {
        Request::new(Method::POST, "cancel call")
            .segment("a")
            .idempotency(Idempotency::ReadFirst)
    };
    let response = client.send(request()).await.unwrap();
    assert_eq!((response.status(), response.attempts()), (400, 2));
    assert!(!response.earlier_attempt_may_have_taken_effect());
    assert!(!response.error().may_have_taken_effect());
    limited.assert_async().await;
    refused.assert_async().await;

    // A 502 may have been acted on: the 400 after it carries that.
    server.reset();
    let failed = answers(&mut server, "POST", "/a", 502, &[], 1).await;
    let refused = answers(&mut server, "POST", "/a", 400, &[], 1).await;
    let response = client
        .send(request().idempotency(Idempotency::Idempotent))
        .await
        .unwrap();
    assert_eq!((response.status(), response.attempts()), (400, 2));
    assert!(response.earlier_attempt_may_have_taken_effect());
    assert!(response.error().may_have_taken_effect());
    failed.assert_async().await;
    refused.assert_async().await;
}

/// A clock whose sleeps take no time: each is recorded, and `now()` moves on by it.
#[derive(Debug, Default)]
struct RecordingClock {
    slept: std::sync::Mutex<Vec<Duration>>,
}

impl RecordingClock {
    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl call_core::Clock for RecordingClock {
    fn now(&self) -> std::time::Instant {
        std::time::Instant::now() + self.slept().iter().sum::<Duration>()
    }

    fn sleep(
        &self,
        duration: Duration,
    ) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.slept.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

#[tokio::test]
async fn a_retry_after_within_the_deadline_is_slept_once_through_the_clients_clock() {
    let mut server = Server::new_async().await;
    let limited = answers(
        &mut server,
        "POST",
        "/cancel",
        429,
        &[("retry-after", "50")],
        1,
    )
    .await;
    let ok = answers(&mut server, "POST", "/cancel", 200, &[], 1).await;
    let clock = std::sync::Arc::new(RecordingClock::default());
    let retry = retry()
        .with_operation_timeout(Duration::from_secs(60))
        .with_attempt_timeout(Duration::from_secs(5))
        .with_clock(clock.clone());
    let started = std::time::Instant::now();
    let request = Request::new(Method::POST, "cancel call").segment("cancel");
    let response = client(&server.url(), retry).send(request).await.unwrap();
    assert_eq!((response.status(), response.attempts()), (200, 2));
    // Slept once, for what the provider asked, and not for real; the client's gate, closed by the 429, did not hold
    // the request that had already slept it out.
    assert_eq!(clock.slept(), [Duration::from_secs(50)]);
    assert!(started.elapsed() < Duration::from_secs(10));
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_slept() {
    let mut server = Server::new_async().await;
    let limited = answers(
        &mut server,
        "POST",
        "/cancel",
        429,
        &[("retry-after", "61")],
        1,
    )
    .await;
    let clock = std::sync::Arc::new(RecordingClock::default());
    let retry = retry()
        .with_operation_timeout(Duration::from_secs(60))
        .with_clock(clock.clone());
    let request = Request::new(Method::POST, "cancel call").segment("cancel");
    let response = client(&server.url(), retry).send(request).await.unwrap();
    assert_eq!((response.status(), response.attempts()), (429, 1));
    assert!(clock.slept().is_empty());
    limited.assert_async().await;
}

/// Spans and events of `call_core`, with their fields as text.
mod recorded {
    use std::fmt;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    pub(crate) type Fields = Vec<(String, String)>;

    #[derive(Debug, Default, Clone)]
    pub(crate) struct Recorder {
        pub(crate) spans: Arc<Mutex<Vec<(String, Fields)>>>,
        pub(crate) events: Arc<Mutex<Vec<Fields>>>,
    }

    struct Collect<'a>(&'a mut Fields);

    impl Visit for Collect<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push((field.name().to_owned(), value.to_owned()));
        }

        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.push((field.name().to_owned(), format!("{value:?}")));
        }
    }

    fn ours(metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("call_core")
    }

    impl Subscriber for Recorder {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }

        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut spans = self.spans.lock().unwrap();
            if ours(span.metadata()) {
                let mut fields = Fields::new();
                span.record(&mut Collect(&mut fields));
                spans.push((span.metadata().name().to_owned(), fields));
            }
            Id::from_u64(u64::try_from(spans.len()).unwrap() + 1)
        }

        fn record(&self, _: &Id, _: &Record<'_>) {}

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            if ours(event.metadata()) {
                let mut fields = Fields::new();
                event.record(&mut Collect(&mut fields));
                self.events.lock().unwrap().push(fields);
            }
        }

        fn enter(&self, _: &Id) {}

        fn exit(&self, _: &Id) {}
    }

    pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One span per request and one event per attempt, from the one place that decides; no key or body in either.
///
/// The subscriber is this thread's default, and `#[tokio::test]` runs the client on this one thread.
#[tokio::test]
async fn a_retried_cancel_is_one_span_and_an_event_per_attempt_with_its_decision() {
    let recorder = recorded::Recorder::default();
    // While exactly one dispatcher is registered, tracing-core caches a callsite's interest from whichever thread
    // reaches it first (tokio-rs/tracing#3611); a second one makes every callsite ask the current thread's.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(recorder.clone());

    let mut server = Server::new_async().await;
    let body = r#"{"reason":"body-canary-4417"}"#;
    let unavailable = server
        .mock("POST", "/agents/calls/ac_1/cancel")
        .match_body(body)
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let cancelled = server
        .mock("POST", "/agents/calls/ac_1/cancel")
        .match_body(body)
        .with_status(200)
        .with_body(r#"{"cancelled":true}"#)
        .expect(1)
        .create_async()
        .await;
    let call: CallId = "ac_1".parse().unwrap();
    let request = Request::new(Method::POST, "cancel call")
        .segment("agents")
        .segment("calls")
        .call_id_segment(&call)
        .segment("cancel")
        .json_body(body.as_bytes().to_vec())
        .idempotency(Idempotency::Idempotent);
    let response = client(&server.url(), retry()).send(request).await.unwrap();
    assert_eq!((response.status(), response.attempts()), (200, 2));
    unavailable.assert_async().await;
    cancelled.assert_async().await;

    let spans = recorder.spans.lock().unwrap().clone();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = &spans[0].1;
    assert_eq!(recorded::field(span, "provider"), Some("cartesia"));
    assert_eq!(recorded::field(span, "operation"), Some("cancel call"));
    assert_eq!(recorded::field(span, "call_id"), Some("ac_1"));
    let events = recorder.events.lock().unwrap().clone();
    let attempts: Vec<_> = events
        .iter()
        .map(|event| {
            (
                recorded::field(event, "attempt"),
                recorded::field(event, "status"),
                recorded::field(event, "decision"),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (Some("1"), Some("503"), Some("resend")),
            (Some("2"), Some("200"), Some("done")),
        ]
    );
    for event in &events {
        assert!(recorded::field(event, "latency_ms").is_some(), "{event:?}");
        assert!(recorded::field(event, "reason").is_some(), "{event:?}");
    }
    for (name, value) in spans
        .iter()
        .flat_map(|(_, f)| f)
        .chain(events.iter().flatten())
    {
        for secret in ["sk_secret_1", "body-canary-4417", "reason\""] {
            assert!(
                !value.contains(secret),
                "{name} = {value:?} holds {secret:?}"
            );
        }
    }
}
