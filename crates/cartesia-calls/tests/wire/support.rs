//! Shared helpers: clients pointed at a local server with millisecond retry settings, mocks that match every header
//! we send, a table of error statuses, and raw TCP servers for what mockito cannot do (hang, reset, break midway).

use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cartesia_calls::{CallId, CartesiaClient, Error, ErrorKind, Listing, Page, RetryConfig};
use futures_util::TryStreamExt;
use mockito::{Matcher, Mock, Server, ServerGuard};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The key every test uses; no output may ever contain it.
pub const KEY: &str = "sk_car_canary_7f3a9";

/// The `Cartesia-Version` every request must carry.
pub const VERSION: &str = "2026-03-01";

/// The first page of a listing: what one List request reads (or its error).
pub async fn first_page<T>(listing: Listing<T>) -> Result<Page<T>, Error> {
    let page = listing.pages().try_next().await?;
    Ok(page.expect("a listing answers a first page or an error"))
}

/// Fast retries: three attempts, 1 ms backoff, short timeouts, a fixed jitter seed.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
        .with_attempt_timeout(Duration::from_millis(500))
        .with_operation_timeout(Duration::from_secs(5))
        .with_jitter_seed(7)
}

/// [`fast_retry`] with a 100 ms attempt timeout, for servers that hang (long enough for a loaded machine to answer
/// what does not hang).
pub fn impatient_retry() -> RetryConfig {
    fast_retry().with_attempt_timeout(Duration::from_millis(100))
}

/// A client for `base_url` with [`fast_retry`].
pub fn client(base_url: &str) -> CartesiaClient {
    client_with(base_url, fast_retry())
}

/// A client for `base_url` with `retry`.
pub fn client_with(base_url: &str, retry: RetryConfig) -> CartesiaClient {
    CartesiaClient::builder()
        .api_key(KEY)
        .base_url(base_url)
        .retry(retry)
        .build()
        .unwrap()
}

/// A call id known to be valid.
pub fn id(s: &str) -> CallId {
    CallId::new(s).unwrap()
}

/// Asserts the key appears nowhere in `text`.
pub fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "key leaked: {text}");
    assert!(!text.contains("canary"), "key leaked: {text}");
}

/// Asserts the key appears nowhere in the error's `Display` and `Debug`, nor in its sources'.
pub fn assert_error_has_no_key(err: &Error) {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert_no_key(&text);
}

/// A mock of `method path` that matches the headers every request carries: the key, the version, the user agent.
pub fn api_mock(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    server
        .mock(method, path)
        .match_header("authorization", format!("Bearer {KEY}").as_str())
        .match_header("cartesia-version", VERSION)
        .match_header(
            "user-agent",
            Matcher::Regex(r"^cartesia-calls/\d+\.\d+\.\d+ call-core/\d+\.\d+\.\d+$".into()),
        )
}

/// An [`api_mock`] of a bodiless JSON request (`GET`, `DELETE`, cancel's `POST`).
pub fn json_mock(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    api_mock(server, method, path)
        .match_header("accept", "application/json")
        .match_header("content-type", Matcher::Missing)
        .match_body(Matcher::Missing)
}

/// Mocks no request may reach, whatever its method or path: they prove nothing was sent.
pub struct NothingSent(Vec<Mock>);

impl NothingSent {
    pub async fn assert_async(&self) {
        for mock in &self.0 {
            mock.assert_async().await;
        }
    }
}

/// Listens for any request on `server`, expecting none.
pub async fn nothing_sent(server: &mut ServerGuard) -> NothingSent {
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "DELETE", "PUT", "PATCH"] {
        mocks.push(
            server
                .mock(method, Matcher::Any)
                .expect(0)
                .create_async()
                .await,
        );
    }
    NothingSent(mocks)
}

/// A call record as Cartesia sends it.
pub fn call_json(id: &str, status: &str, end_reason: Option<&str>) -> String {
    serde_json::json!({
        "id": id,
        "agent_id": "agent_1",
        "status": status,
        "end_reason": end_reason,
        "start_time": "2026-03-01T12:00:00Z",
    })
    .to_string()
}

/// A batch as Cartesia sends it (the batch-calling guide's example), with `status`, and `extra` fields merged in.
pub fn batch_json(id: &str, status: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut batch = serde_json::json!({
        "id": id,
        "name": "March outreach",
        "agent_id": "agent_1",
        "from_number_id": "ap_1",
        "region": "US",
        "target_concurrency_limit": 10,
        "status": status,
        "total_calls_scheduled": 2,
        "total_calls_dispatched": 0,
        "total_calls_finished": 0,
        "retry_count": 0,
        "created_at": "2026-03-01T12:00:00Z",
        "last_updated_at": "2026-03-01T12:00:00Z",
    });
    if let (Some(batch), Some(extra)) = (batch.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            batch.insert(key.clone(), value.clone());
        }
    }
    batch
}

/// Cartesia's structured error body.
pub fn error_json(message: &str) -> String {
    serde_json::json!({
        "error_code": "test_code",
        "title": "Test title",
        "message": message,
        "request_id": "req_550e8400",
    })
    .to_string()
}

/// One row of an error-status table: the status served, the kind expected, and how many requests it takes.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub status: u16,
    pub kind: ErrorKind,
    pub hits: usize,
}

/// The documented and generic error answers of a request that is safe to repeat: 4xx once, 429 and 5xx until the
/// three attempts are spent.
pub fn retried_cases() -> Vec<Case> {
    [
        (400, ErrorKind::InvalidInput, 1),
        (401, ErrorKind::Unauthorized, 1),
        (403, ErrorKind::Forbidden, 1),
        (404, ErrorKind::NotFound, 1),
        (429, ErrorKind::RateLimited, 3),
        (500, ErrorKind::Upstream, 3),
        (502, ErrorKind::Upstream, 3),
        (503, ErrorKind::Upstream, 3),
    ]
    .into_iter()
    .map(|(status, kind, hits)| Case { status, kind, hits })
    .collect()
}

/// Replaces the row for `status`.
pub fn with_case(mut cases: Vec<Case>, status: u16, kind: ErrorKind, hits: usize) -> Vec<Case> {
    for case in &mut cases {
        if case.status == status {
            *case = Case { status, kind, hits };
        }
    }
    cases
}

/// For each case, the server answers `mock` with the status and a structured error body; `op` must fail with the
/// expected kind and status after exactly the expected number of requests, keep Cartesia's `error_code`, `request_id`
/// and message, and print no key.
pub async fn check_error_statuses<T, F, Fut>(
    cases: &[Case],
    mock: impl Fn(&mut ServerGuard) -> Mock,
    op: F,
) where
    T: Debug,
    F: Fn(CartesiaClient) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for case in cases {
        server.reset();
        let served = mock(&mut server)
            .with_status(usize::from(case.status))
            .with_header("content-type", "application/json")
            .with_body(error_json("something went wrong"))
            .expect(case.hits)
            .create_async()
            .await;
        let err = op(client.clone()).await.unwrap_err();
        assert_eq!(err.kind(), case.kind, "{case:?}: {err}");
        assert_eq!(err.status(), Some(case.status), "{case:?}");
        assert_eq!(err.provider_code(), Some("test_code"), "{case:?}");
        assert_eq!(err.request_id(), Some("req_550e8400"), "{case:?}");
        assert_eq!(
            err.provider_message(),
            Some("something went wrong"),
            "{case:?}"
        );
        assert_eq!(
            err.attempts(),
            u32::try_from(case.hits).unwrap(),
            "{case:?}"
        );
        assert_error_has_no_key(&err);
        served.assert_async().await;
    }
}

/// What a [`RawServer`] does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Reads the request and never answers.
    Hang,
    /// Reads the request, then resets the connection.
    Reset,
    /// Answers `status` with a JSON body and closes.
    Json(u16, String),
    /// Writes these bytes (a status line, headers, part of a body), then closes the connection: a body shorter than
    /// its `content-length` breaks midway, deterministically (a reset could discard what was sent before it).
    PartialThenClose(Vec<u8>),
    /// Writes these bytes, then holds the connection open without another byte.
    PartialThenHang(Vec<u8>),
}

/// A raw HTTP/1.1 server on 127.0.0.1 whose answer to each request `script` decides from its request line
/// (`"POST /agents/calls/ac_1/cancel HTTP/1.1"`); it records every request line.
pub struct RawServer {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    pub async fn start(script: impl Fn(&str) -> Reply + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let script = Arc::new(script);
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen.clone();
                let script = script.clone();
                tokio::spawn(async move {
                    serve(socket, seen, script).await;
                });
            }
        });
        RawServer {
            url,
            requests,
            task,
        }
    }

    /// A server that hangs on every request.
    pub async fn hanging() -> RawServer {
        RawServer::start(|_| Reply::Hang).await
    }

    /// A server that resets every connection after reading the request.
    pub async fn resetting() -> RawServer {
        RawServer::start(|_| Reply::Reset).await
    }

    /// How many requests have a request line starting with `prefix` (`"POST /agents/calls"`).
    pub fn count(&self, prefix: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.starts_with(prefix))
            .count()
    }

    /// Every request line, in the order they came.
    pub fn lines(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests came in all.
    pub fn total(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut socket: TcpStream,
    seen: Arc<Mutex<Vec<String>>>,
    script: Arc<dyn Fn(&str) -> Reply + Send + Sync>,
) {
    let Some(request_line) = read_request(&mut socket).await else {
        return;
    };
    seen.lock().unwrap().push(request_line.clone());
    match script(&request_line) {
        Reply::Hang => std::future::pending::<()>().await,
        Reply::Reset => reset(socket),
        Reply::Json(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} Test\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(body.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
        Reply::PartialThenClose(bytes) => {
            let _ = socket.write_all(&bytes).await;
            let _ = socket.shutdown().await;
        }
        Reply::PartialThenHang(bytes) => {
            let _ = socket.write_all(&bytes).await;
            let _ = socket.flush().await;
            std::future::pending::<()>().await;
        }
    }
}

/// Drops the socket with `SO_LINGER` 0, so the peer gets a reset instead of a clean close.
fn reset(socket: TcpStream) {
    let _ = socket.set_zero_linger();
    drop(socket);
}

/// Reads one request (head and `content-length` body) and answers its request line.
async fn read_request(socket: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    head.lines().next().map(str::to_owned)
}

/// A URL where nothing listens: connecting is refused.
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// Odd but valid call ids and the one path segment each must become.
pub const ODD_IDS: &[(&str, &str)] = &[
    ("a/b", "a%2Fb"),
    ("../agents", "..%2Fagents"),
    ("x?y=1", "x%3Fy%3D1"),
    ("%2F", "%252F"),
    ("é", "%C3%A9"),
    ("a b#c", "a%20b%23c"),
];

/// Ids that must be refused before anything is sent.
pub const INVALID_IDS: &[&str] = &["", " ", ".", "..", "a\nb", "a\u{0}b"];
