//! Cartesia's decoders: call records, batch records, list pages and error bodies.

use call_core::{CallId, Error, ErrorKind, Provider};
use cartesia_calls::{Batch, Call};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Outcome;
use crate::check;

/// A call record (`AgentCall`), as `get_call`, `delete_call` and list items decode it: `serde_json` into the public
/// [`Call`]. An accepted record answers its accessors and re-encodes to JSON that decodes to the same record.
pub fn cartesia_call(data: &[u8]) -> Outcome {
    let result = serde_json::from_slice::<Call>(data);
    if let Ok(call) = &result {
        let _ = call.state();
        let _ = call.status.is_terminable();
        let _ = call.was_cancelled_by_api();
        check::reencodes(call);
    }
    Outcome::of(&result)
}

/// A batch record (`AgentCallBatch`) with its recipients, as `get_batch` and the other batch endpoints decode it.
pub fn cartesia_batch(data: &[u8]) -> Outcome {
    let result = serde_json::from_slice::<Batch>(data);
    if let Ok(batch) = &result {
        let _ = batch.is_dispatch_complete();
        let _ = batch.all_calls_finished();
        assert!(batch.undispatched_recipients() <= batch.total_calls_scheduled);
        check::reencodes(batch);
    }
    Outcome::of(&result)
}

/// List Calls' and List Call Batches' envelope: a copy of the private `json::PageBody` (not public: the client
/// converts it to `CallPage` and `BatchPage`, which cannot be built outside the crate), with the public [`Call`] and
/// [`Batch`] as items.
#[derive(Deserialize)]
struct PageBody<T> {
    data: Vec<T>,
    #[serde(default)]
    next_page: Option<String>,
    #[serde(default)]
    has_more: Option<bool>,
}

/// A list page of calls or of batches (one input is tried as both).
pub fn cartesia_page(data: &[u8]) -> Outcome {
    let calls = page::<Call>(data);
    let batches = page::<Batch>(data);
    calls.or(batches)
}

fn page<T>(data: &[u8]) -> Outcome
where
    T: serde::Serialize + DeserializeOwned + std::fmt::Debug,
{
    let result = serde_json::from_slice::<PageBody<T>>(data);
    if let Ok(page) = &result {
        for item in &page.data {
            check::reencodes(item);
        }
        // `has_more` defaults to whether a cursor came, as `list_calls` reads it.
        let _ = page.has_more.unwrap_or(page.next_page.is_some());
    }
    Outcome::of(&result)
}

/// A copy of the private `error_body::ErrorBody` (Cartesia-Version 2026-03-01), every field optional.
#[derive(Deserialize)]
struct ErrorBody {
    error_code: Option<String>,
    title: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    detail: Option<String>,
}

/// The statuses an error body comes with; the input's first byte picks one.
const STATUSES: [u16; 12] = [400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503];

/// The status an error-body target uses for `data`.
pub(crate) fn status_for(data: &[u8]) -> u16 {
    let pick = usize::from(data.first().copied().unwrap_or(0)) % STATUSES.len();
    STATUSES[pick]
}

/// An error body, read as `error_body::error_from` reads it, into the public [`Error`]: the structured body's code,
/// request id and message, else the body as text. The error must keep its status's kind and display on one
/// bounded line whatever the provider wrote.
pub fn cartesia_error_body(data: &[u8]) -> Outcome {
    let status = status_for(data);
    let mut error = Error::from_status(status)
        .with_provider(Provider::Cartesia)
        .with_operation("cancel call")
        .with_status(status)
        .with_request_sent(true);
    if let Ok(id) = CallId::new("ac_fuzz") {
        error = error.with_call_id(id);
    }
    let parsed = serde_json::from_slice::<ErrorBody>(data);
    let message = match &parsed {
        Ok(body) => {
            if let Some(code) = &body.error_code {
                error = error.with_provider_code(code);
            }
            if let Some(id) = &body.request_id {
                error = error.with_request_id(id);
            }
            body.message
                .clone()
                .or_else(|| body.title.clone())
                .or_else(|| body.detail.clone())
        }
        Err(_) => {
            let text = String::from_utf8_lossy(data);
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        }
    };
    if let Some(message) = &message {
        error = error.with_provider_message(message);
        assert!(error.provider_message().is_some());
    }
    check::error_is(&error, ErrorKind::from_status(status));
    Outcome::of(&parsed)
}
