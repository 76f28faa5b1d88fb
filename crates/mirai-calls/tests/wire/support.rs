//! Shared helpers: clients of both APIs pointed at a local server with millisecond retry settings, mocks that match
//! every header each API sends, and a raw TCP server for what mockito cannot do (hang, reset).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mirai_calls::{CallId, Error, MiraiLegacyClient, MiraiV2Client, RetryConfig};
use mockito::{Matcher, Mock, ServerGuard};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The legacy public key every test uses.
pub const PUBLIC_KEY: &str = "pk_canary_pub_11aa";
/// The legacy private key every test uses; no output may ever contain it.
pub const PRIVATE_KEY: &str = "sk_canary_priv_22bb";
/// The legacy workspace every test uses.
pub const WORKSPACE: &str = "6690a1b2c3d4e5f600000002";
/// The new API's key every test uses; no output may ever contain it.
pub const API_KEY: &str = "sk_live_canary_33cc";

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

/// [`fast_retry`] with a 50 ms attempt timeout, for servers that hang.
pub fn impatient_retry() -> RetryConfig {
    fast_retry().with_attempt_timeout(Duration::from_millis(50))
}

/// A legacy client for `base_url` with [`fast_retry`].
pub fn legacy(base_url: &str) -> MiraiLegacyClient {
    legacy_with(base_url, fast_retry())
}

/// A legacy client for `base_url` with `retry`.
pub fn legacy_with(base_url: &str, retry: RetryConfig) -> MiraiLegacyClient {
    MiraiLegacyClient::builder()
        .public_key(PUBLIC_KEY)
        .private_key(PRIVATE_KEY)
        .workspace(WORKSPACE)
        .base_url(base_url)
        .retry(retry)
        .build()
        .unwrap()
}

/// A new-API client for `base_url` with [`fast_retry`].
pub fn v2(base_url: &str) -> MiraiV2Client {
    v2_with(base_url, fast_retry())
}

/// A new-API client for `base_url` with `retry`.
pub fn v2_with(base_url: &str, retry: RetryConfig) -> MiraiV2Client {
    MiraiV2Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .retry(retry)
        .build()
        .unwrap()
}

/// A call id known to be valid.
pub fn id(s: &str) -> CallId {
    CallId::new(s).unwrap()
}

/// Asserts no key appears in `text`.
pub fn assert_no_key(text: &str) {
    for key in [PRIVATE_KEY, PUBLIC_KEY, API_KEY, "canary"] {
        assert!(!text.contains(key), "key leaked: {text}");
    }
}

/// Asserts no key appears in the error's `Display` and `Debug`, nor in its sources'.
pub fn assert_error_has_no_key(err: &Error) {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert_no_key(&text);
}

fn user_agent() -> Matcher {
    Matcher::Regex(r"^mirai-calls/\d+\.\d+\.\d+ call-core/\d+\.\d+\.\d+$".into())
}

/// A legacy mock of `method path` that matches the three key headers, the user agent and a JSON body `body`.
pub fn legacy_mock(
    server: &mut ServerGuard,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> Mock {
    server
        .mock(method, path)
        .match_header("x-public-key", PUBLIC_KEY)
        .match_header("x-private-key", PRIVATE_KEY)
        .match_header("workspace", WORKSPACE)
        .match_header("authorization", Matcher::Missing)
        .match_header("user-agent", user_agent())
        .match_header("accept", "application/json")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(body))
}

/// A new-API mock of `method path` that matches the key and the user agent, and no legacy headers.
pub fn v2_mock(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    server
        .mock(method, path)
        .match_header("authorization", format!("Bearer {API_KEY}").as_str())
        .match_header("x-private-key", Matcher::Missing)
        .match_header("user-agent", user_agent())
        .match_header("accept", "application/json")
}

/// A [`v2_mock`] of a bodiless request with no idempotency key (reads, abort).
pub fn v2_bodiless_mock(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    v2_mock(server, method, path)
        .match_header("idempotency-key", Matcher::Missing)
        .match_header("content-type", Matcher::Missing)
        .match_body(Matcher::Missing)
}

/// A [`v2_mock`] of a request whose body is exactly the JSON `body`, with no idempotency key (campaigns, DNC).
pub fn v2_json_mock(
    server: &mut ServerGuard,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> Mock {
    v2_mock(server, method, path)
        .match_header("idempotency-key", Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(body))
}

/// A campaign object as Mirai's docs show it, in `status`.
pub fn v2_campaign(id: &str, status: &str) -> String {
    serde_json::json!({
        "id": id,
        "object": "campaign",
        "name": "Order confirmations",
        "agent_id": "agt_1",
        "tier": "t3",
        "status": status,
        "pause_reason": null,
        "timezone": "Asia/Kolkata",
        "start_date": "2026-08-11",
        "end_date": "2026-08-18",
        "slots": [{"start": "10:00", "end": "19:00"}],
        "max_concurrent": 2,
        "retry_count": 1,
        "re_attempt_period_secs": 900,
        "max_duration_secs": 300,
        "budget_paise": 50000,
        "spent_paise": 12900,
        "webhook_url": "https://example.com/mirai/webhook",
        "created_at": "2026-08-10T09:21:44Z",
        "updated_at": "2026-08-10T11:04:02Z",
        "counters": {"pending": 812, "dialing": 2, "completed": 174},
    })
    .to_string()
}

/// A campaign id known to be valid.
pub fn cmp(s: &str) -> mirai_calls::v2::CampaignId {
    mirai_calls::v2::CampaignId::new(s).unwrap()
}

/// A phone number known to be valid.
pub fn phone(s: &str) -> mirai_calls::call_core::PhoneNumber {
    mirai_calls::call_core::PhoneNumber::new(s).unwrap()
}

/// A list page of `items`, with `next` as its cursor when more follow.
pub fn v2_page(items: Vec<serde_json::Value>, next: Option<&str>) -> String {
    serde_json::json!({"data": items, "has_more": next.is_some(), "next_cursor": next}).to_string()
}

/// Mocks no request may reach: they prove nothing was sent.
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

/// The new API's error body.
pub fn v2_error(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

/// A new-API call object.
pub fn v2_call(id: &str, status: &str, ended_reason: Option<&str>) -> String {
    serde_json::json!({
        "id": id,
        "object": "call",
        "agent_id": "agt_1",
        "to": "+919876543210",
        "status": status,
        "ended_reason": ended_reason,
        "created_at": "2026-07-26T09:14:02Z",
    })
    .to_string()
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
}

/// One request a [`RawServer`] read: its request line and head.
#[derive(Debug, Clone)]
pub struct Seen {
    pub line: String,
    pub head: String,
}

impl Seen {
    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

/// A raw HTTP/1.1 server on 127.0.0.1 whose answer to each request `script` decides from its request line and the
/// number of requests seen before it; it records every request.
pub struct RawServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

type Script = dyn Fn(&str, usize) -> Reply + Send + Sync;

impl RawServer {
    pub async fn start(script: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let script: Arc<Script> = Arc::new(script);
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

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests have a request line starting with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|s| s.line.starts_with(prefix))
            .count()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut socket: TcpStream, seen: Arc<Mutex<Vec<Seen>>>, script: Arc<Script>) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let before = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    match script(&request.line, before) {
        Reply::Hang => std::future::pending::<()>().await,
        Reply::Reset => {
            let _ = socket.set_zero_linger();
            drop(socket);
        }
        Reply::Json(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} Test\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(body.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<Seen> {
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
    let line = head.lines().next()?.to_owned();
    Some(Seen { line, head })
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
    ("../calls", "..%2Fcalls"),
    ("x?y=1", "x%3Fy%3D1"),
    ("%2F", "%252F"),
    ("é", "%C3%A9"),
    ("a b#c", "a%20b%23c"),
    ("q\"uote", "q%22uote"),
];

/// Ids that must be refused before anything is sent.
pub const INVALID_IDS: &[&str] = &["", " ", ".", "..", "a\nb", "a\u{0}b"];
