//! Helpers shared by the test modules.

use std::time::Duration;

use calls_sim::Sim;
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub const VERSION: &str = "2026-03-01";

/// A client that does not follow redirects, with a timeout that only a bug can reach.
pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A request to a Cartesia route with valid auth and version.
pub fn cartesia(http: &Client, sim: &Sim, method: Method, path: &str) -> RequestBuilder {
    http.request(method, format!("{}{path}", sim.base_url()))
        .bearer_auth(sim.credentials().cartesia_api_key())
        .header("Cartesia-Version", VERSION)
}

/// A request to a Mirai legacy route with valid keys.
pub fn mirai(http: &Client, sim: &Sim, method: Method, path: &str) -> RequestBuilder {
    let c = sim.credentials();
    http.request(method, format!("{}{path}", sim.base_url()))
        .header("x-public-key", c.mirai_public_key())
        .header("x-private-key", c.mirai_private_key())
        .header("workspace", c.mirai_workspace())
}

/// A request to a Mirai v2 route with a valid key.
pub fn v2(http: &Client, sim: &Sim, method: Method, path: &str) -> RequestBuilder {
    http.request(method, format!("{}{path}", sim.base_url()))
        .bearer_auth(sim.credentials().mirai_api_key())
}

/// A JSON request body.
pub fn json_body(builder: RequestBuilder, body: &Value) -> RequestBuilder {
    builder
        .header("content-type", "application/json")
        .body(body.to_string())
}

/// Sends and returns the status and the body as JSON (`Null` when it is not JSON).
pub async fn send(builder: RequestBuilder) -> (u16, Value) {
    let response = builder.send().await.unwrap();
    let status = response.status().as_u16();
    (status, json_of(response).await)
}

pub async fn json_of(response: Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// One webhook delivery as received.
#[derive(Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A minimal HTTP receiver on loopback: each POST is parsed by hand, answered 200 and sent to
/// the channel. Returns its URL.
pub async fn receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, content_length) = loop {
                    let n = stream.read(&mut chunk).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..pos]).to_string();
                        let length = head
                            .lines()
                            .filter_map(|l| l.split_once(':'))
                            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                            .map(|(_, v)| v.trim().parse::<usize>().unwrap())
                            .unwrap_or(0);
                        break (pos + 4, length);
                    }
                };
                while buf.len() < head_end + content_length {
                    let n = stream.read(&mut chunk).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let headers = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                    .collect();
                let body = buf[head_end..head_end + content_length].to_vec();
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await
                    .unwrap();
                let _ = tx.send(Received { headers, body });
            });
        }
    });
    (url, rx)
}

/// The next delivery, failing the test after a generous bound.
pub async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("no webhook arrived")
        .expect("receiver closed")
}

/// Waits until `condition` holds, failing the test after a generous bound. For effects that land
/// in a background task just after the client has seen the response.
pub async fn eventually(mut condition: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("condition not reached");
}
