//! Webhook signing and fire-and-forget delivery.
//!
//! Deliveries go through one background task in the order they were queued, one attempt each,
//! with a short timeout; the outcome is counted in the journal. The simulator speaks plain HTTP
//! only: an `https://` URL is accepted by the API (the real providers require it) but its
//! deliveries fail and are counted as failed.

use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::clock;
use crate::id;
use crate::journal::Journal;

/// Deliveries waiting at most; more are dropped and counted as failed.
const QUEUE: usize = 4_096;

/// Longest webhook URL accepted (Mirai v2's documented limit).
pub(crate) const MAX_URL_LEN: usize = 2_048;

/// One POST to make.
#[derive(Debug)]
struct Delivery {
    url: String,
    body: Bytes,
    headers: Vec<(&'static str, String)>,
}

/// The queue of webhook deliveries.
#[derive(Debug, Clone)]
pub(crate) struct Webhooks {
    tx: mpsc::Sender<Delivery>,
    journal: Journal,
}

impl Webhooks {
    /// Starts the delivery task; it stops when `shutdown` is cancelled.
    pub(crate) fn start(
        journal: Journal,
        timeout: Duration,
        shutdown: CancellationToken,
    ) -> Webhooks {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(deliver(rx, journal.clone(), timeout, shutdown));
        Webhooks { tx, journal }
    }

    /// Queues a Mirai legacy event: `{"event":{"type","data":{"call":…}},"metadata":…}`, signed
    /// with `x-signature` = hex HMAC-SHA256 of the raw body keyed with the private key.
    pub(crate) fn mirai(
        &self,
        url: &str,
        public_key: &str,
        private_key: &str,
        event_type: &str,
        call: Value,
        metadata: Value,
    ) {
        let body = json!({
            "event": { "type": event_type, "data": { "call": call } },
            "metadata": metadata,
        });
        let body = Bytes::from(body.to_string());
        let signature = sign_mirai(private_key, &body);
        self.queue(Delivery {
            url: url.to_owned(),
            body,
            headers: vec![
                ("x-signature", signature),
                ("x-public-key", public_key.to_owned()),
            ],
        });
    }

    /// Queues a Mirai v2 call event: `{"id":"evt_…","type","created_at","data":{"call":…}}`,
    /// signed with `X-Mirai-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
    pub(crate) fn mirai_v2(&self, url: &str, secret: &str, event_type: &str, call: Value) {
        self.mirai_v2_event(url, secret, event_type, "call", call);
    }

    /// Queues a Mirai v2 `campaign.*` event: the call event's envelope and signature, with
    /// `data.campaign` where `data.call` would be.
    pub(crate) fn mirai_v2_campaign(
        &self,
        url: &str,
        secret: &str,
        event_type: &str,
        campaign: Value,
    ) {
        self.mirai_v2_event(url, secret, event_type, "campaign", campaign);
    }

    fn mirai_v2_event(
        &self,
        url: &str,
        secret: &str,
        event_type: &str,
        data_key: &str,
        object: Value,
    ) {
        let now = clock::now();
        let mut data = serde_json::Map::new();
        data.insert(data_key.to_owned(), object);
        let body = json!({
            "id": format!("evt_{}", id::ulid()),
            "type": event_type,
            "created_at": clock::seconds(now),
            "data": data,
        });
        let body = Bytes::from(body.to_string());
        let header = sign_mirai_v2(secret, now.as_second(), &body);
        self.queue(Delivery {
            url: url.to_owned(),
            body,
            headers: vec![("x-mirai-signature", header)],
        });
    }

    fn queue(&self, delivery: Delivery) {
        if self.tx.try_send(delivery).is_err() {
            tracing::warn!("webhook queue full or closed; delivery dropped");
            self.journal.record_webhook(false);
        }
    }
}

async fn deliver(
    mut rx: mpsc::Receiver<Delivery>,
    journal: Journal,
    timeout: Duration,
    shutdown: CancellationToken,
) {
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook client; webhooks disabled");
            return;
        }
    };
    loop {
        let delivery = tokio::select! {
            () = shutdown.cancelled() => return,
            next = rx.recv() => match next {
                Some(delivery) => delivery,
                None => return,
            },
        };
        let mut request = client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .body(delivery.body);
        for (name, value) in delivery.headers {
            request = request.header(name, value);
        }
        let delivered = tokio::select! {
            () = shutdown.cancelled() => return,
            result = request.send() => match result {
                Ok(response) if response.status().is_success() => true,
                Ok(response) => {
                    tracing::warn!(url = %delivery.url, status = %response.status(), "webhook refused");
                    false
                }
                Err(error) => {
                    tracing::warn!(url = %delivery.url, %error, "webhook delivery failed");
                    false
                }
            },
        };
        journal.record_webhook(delivered);
    }
}

/// The legacy `x-signature`: lowercase hex HMAC-SHA256 of `body` keyed with the private key.
pub(crate) fn sign_mirai(private_key: &str, body: &[u8]) -> String {
    hex::encode(hmac(private_key.as_bytes(), &[body]))
}

/// The v2 `X-Mirai-Signature` value for `body` sent at unix second `t`.
pub(crate) fn sign_mirai_v2(secret: &str, t: i64, body: &[u8]) -> String {
    let t = t.to_string();
    let mac = hmac(secret.as_bytes(), &[t.as_bytes(), b".", body]);
    format!("t={t},v1={}", hex::encode(mac))
}

/// HMAC-SHA256 of the concatenated `parts`.
pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this constructor cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Checks a webhook URL: `https`, or plain `http` to a loopback host (a simulator allowance:
/// the real providers require HTTPS). Returns the reason it is refused.
pub(crate) fn check_url(url: &str) -> Result<(), &'static str> {
    if url.len() > MAX_URL_LEN {
        return Err("is longer than 2048 characters");
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| "is not an absolute URL")?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = parsed.host_str().unwrap_or("");
            let ip = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>();
            if host == "localhost" || ip.is_ok_and(|ip| ip.is_loopback()) {
                Ok(())
            } else {
                Err("must use https (the simulator also accepts http to a loopback host)")
            }
        }
        _ => Err("must use https"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirai_v2_signature_matches_the_documented_vector() {
        let body = r#"{"id":"evt_01JZQ9C5N9P4R7S3T6V8W2X4YB","type":"call.completed","created_at":"2026-07-26T09:16:38Z","data":{"call":{"id":"call_01JZQ9B4M8N3P6R2S5T7V9W1YA","status":"completed"}}}"#;
        assert_eq!(body.len(), 177);
        assert_eq!(
            sign_mirai_v2(
                "whsec_7d4f1a09c2e58b36a1f0d7c93b2e64a8",
                1_785_057_398,
                body.as_bytes()
            ),
            "t=1785057398,v1=771bca27e1647dfbe59ff5d8f32d9de69be246f6e604c05bddcbaefd8604ccb3"
        );
    }

    #[test]
    fn urls() {
        assert!(check_url("https://example.com/hook").is_ok());
        assert!(check_url("http://127.0.0.1:9/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        assert!(check_url("http://[::1]:80/").is_ok());
        assert!(check_url("http://example.com/hook").is_err());
        assert!(check_url("ftp://localhost/").is_err());
        assert!(check_url("/relative").is_err());
    }
}
