//! A webhook receiver for both Mirai APIs, in axum: verify the signature over the raw body, then decode the event.
//!
//! ```text
//! MIRAI_PRIVATE_KEY=sk_... MIRAI_WEBHOOK_SECRET=whsec_... cargo run -p mirai-calls --example webhook_server
//! ```
//!
//! It listens on 127.0.0.1:3000: point a legacy call's `callbackUrl` at `/mirai/legacy` and a new-API
//! `webhook_url` at `/mirai/v2` (through a tunnel: Mirai needs a public HTTPS URL). Each handler answers 401 to a
//! bad signature (Mirai retries new-API deliveries), 400 to a signed body that is not an event, and 200 fast
//! otherwise; slow work belongs on a queue, not in the handler.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use mirai_calls::{ErrorKind, legacy, v2};

/// The environment variable holding the new API's webhook signing secret (`whsec_...`).
const WEBHOOK_SECRET_ENV: &str = "MIRAI_WEBHOOK_SECRET";

struct Verifiers {
    legacy: legacy::WebhookVerifier,
    v2: v2::WebhookVerifier,
    /// Event ids already handled. A real service keeps them in a shared store with a TTL longer than Mirai's retry
    /// window (the docs use 24 hours); a set in memory shows the idea.
    seen: Mutex<HashSet<String>>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let legacy = legacy::WebhookVerifier::from_env()?;
    let secret = std::env::var(WEBHOOK_SECRET_ENV)
        .map_err(|_| format!("environment variable {WEBHOOK_SECRET_ENV} is not set"))?;
    let state = Arc::new(Verifiers {
        legacy,
        v2: v2::WebhookVerifier::new(secret),
        seen: Mutex::new(HashSet::new()),
    });
    let app = Router::new()
        .route("/mirai/legacy", post(legacy_events))
        .route("/mirai/v2", post(v2_events))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Legacy deliveries: `x-signature` is the hex HMAC-SHA256 of the raw body, keyed with the private key.
async fn legacy_events(
    State(state): State<Arc<Verifiers>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = header(&headers, legacy::SIGNATURE_HEADER);
    match state.legacy.verify_event(signature, &body) {
        Ok(event) => {
            // No event id in the legacy API: `dedup_key` is the event type and the call id.
            eprintln!(
                "legacy {} for {:?} (final: {})",
                event.event_type,
                event.dedup_key(),
                event.event_type.is_final()
            );
            StatusCode::OK
        }
        Err(error) => refuse(&error),
    }
}

/// New-API deliveries: `X-Mirai-Signature: t=...,v1=...`, checked within 300 seconds.
async fn v2_events(
    State(state): State<Arc<Verifiers>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = header(&headers, v2::SIGNATURE_HEADER);
    match state.v2.verify_event(signature, &body) {
        Ok(event) => {
            let first_time = match state.seen.lock() {
                Ok(mut seen) => seen.insert(event.id.clone()),
                Err(_) => return StatusCode::INTERNAL_SERVER_ERROR,
            };
            if first_time {
                eprintln!(
                    "v2 {} {} for {:?}",
                    event.id,
                    event.event_type,
                    event.call_id().map(|id| id.as_str())
                );
            }
            // A duplicate gets 200 too: Mirai must stop retrying it.
            StatusCode::OK
        }
        Err(error) => refuse(&error),
    }
}

/// A header's value, or `""` when it is missing or not text (the verifiers then refuse it).
fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

fn refuse(error: &mirai_calls::Error) -> StatusCode {
    eprintln!("refused a delivery: {error}");
    match error.kind() {
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Decode => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
