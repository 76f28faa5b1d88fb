//! The HTTP handlers of the Cartesia routes.

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::batch_api;
use super::call::{self, Record};
use super::page::{Options, Page};
use crate::app::{self, App, Request};
use crate::body::SimBody;
use crate::call_table::CallTable;
use crate::phone;
use crate::response::{self, Reply, cartesia_error};
use crate::route::Route;
use crate::wav;

/// The `Cartesia-Version` values accepted: every date in Cartesia's doc enums, plus the dates
/// the official SDKs send (Python 4.0.1: 2026-08-14, JS 3.5.0: 2025-11-04).
pub(crate) const VERSIONS: [&str; 6] = [
    "2024-06-10",
    "2024-11-13",
    "2025-04-16",
    "2025-11-04",
    "2026-03-01",
    "2026-08-14",
];

/// Frames of the streamed WAV.
const AUDIO_CHUNK: usize = 1024;

/// Answers a Cartesia route: authentication, then `Cartesia-Version`, then the operation.
pub(crate) fn handle(app: &App, route: Route, path_id: Option<&str>, req: &Request<'_>) -> Reply {
    if req.bearer() != Some(app.credentials.cartesia_api_key()) {
        return cartesia_error(
            StatusCode::UNAUTHORIZED,
            "Missing or invalid API key. Send it as `Authorization: Bearer <api_key>`.",
        );
    }
    let versions = req.headers.get_all("cartesia-version").iter().count();
    if versions != 1 {
        let message = if versions == 0 {
            "The Cartesia-Version header is required."
        } else {
            "Send the Cartesia-Version header exactly once."
        };
        return cartesia_error(StatusCode::BAD_REQUEST, message);
    }
    if !req
        .header("cartesia-version")
        .is_some_and(|v| VERSIONS.contains(&v))
    {
        return cartesia_error(
            StatusCode::BAD_REQUEST,
            "Unsupported Cartesia-Version. Use a date such as 2026-03-01.",
        );
    }
    let id = path_id.unwrap_or_default();
    match route {
        Route::CartesiaCancel => cancel(app, id),
        Route::CartesiaGet => get(app, id),
        Route::CartesiaList => list(app, req),
        Route::CartesiaDelete => delete(app, id),
        Route::CartesiaAudio => audio(app, id),
        Route::CartesiaCreate => create(app, req),
        Route::CartesiaLogs => logs(app, id),
        Route::CartesiaBatchCreate => batch_api::create(app, req),
        Route::CartesiaBatchList => batch_api::list(app, req),
        Route::CartesiaBatchGet => batch_api::get(app, id),
        Route::CartesiaBatchCancel => batch_api::cancel(app, id),
        Route::CartesiaBatchRetry => batch_api::retry(app, id),
        _ => cartesia_error(StatusCode::NOT_FOUND, "Not found."),
    }
}

fn not_found() -> Reply {
    cartesia_error(StatusCode::NOT_FOUND, "Call not found")
}

fn cancel(app: &App, id: &str) -> Reply {
    let mut calls = app.cartesia.lock();
    let Some(call) = calls.by_id.get_mut(id) else {
        return not_found();
    };
    if call.status != "started" {
        let message = format!(
            "Call is not active (status `{}`); only calls in the `started` status can be cancelled.",
            call.status
        );
        // A seeded race: the callee picks up just after the refused cancel.
        if call.answers_after_refused_cancel() {
            calls.transition(app, id, "started");
        }
        return cartesia_error(StatusCode::BAD_REQUEST, &message);
    }
    call.end_reason = Some("api_cancelled".to_owned());
    calls.transition(app, id, "completed");
    response::json(StatusCode::OK, &json!({ "cancelled": true }))
}

fn get(app: &App, id: &str) -> Reply {
    let mut calls = app.cartesia.lock();
    let Some(call) = calls.by_id.get_mut(id) else {
        return not_found();
    };
    // A seeded ringing call is answered after so many reads: this read sees it `started`.
    if call.answers_at_this_read() {
        calls.transition(app, id, "started");
    }
    match calls.by_id.get(id) {
        Some(call) => response::json(StatusCode::OK, &call.to_json(true)),
        None => not_found(),
    }
}

fn delete(app: &App, id: &str) -> Reply {
    let mut calls = app.cartesia.lock();
    let Some(call) = calls.by_id.get_mut(id) else {
        return not_found();
    };
    if !matches!(call.status.as_str(), "completed" | "failed") {
        return cartesia_error(
            StatusCode::BAD_REQUEST,
            "Only completed or failed calls can be deleted; cancel an active call first via POST /agents/calls/{call_id}/cancel.",
        );
    }
    call.redact();
    response::json(StatusCode::OK, &call.to_json(true))
}

fn audio(app: &App, id: &str) -> Reply {
    let calls = app.cartesia.lock();
    let Some(call) = calls.by_id.get(id) else {
        return not_found();
    };
    if !call.recording {
        return cartesia_error(
            StatusCode::NOT_FOUND,
            "No recording is available for this call.",
        );
    }
    response::with_body(
        StatusCode::OK,
        "audio/wav",
        SimBody::chunked(wav::for_call(id), AUDIO_CHUNK),
    )
}

fn logs(app: &App, id: &str) -> Reply {
    let calls = app.cartesia.lock();
    let Some(call) = calls.by_id.get(id) else {
        return not_found();
    };
    match &call.logs {
        Some(lines) => response::json(
            StatusCode::OK,
            &json!({
                "call_id": call.id,
                "logs": lines,
                "updated_at": call.logs_updated_at,
            }),
        ),
        None => cartesia_error(StatusCode::NOT_FOUND, "Call logs not available"),
    }
}

fn list(app: &App, req: &Request<'_>) -> Reply {
    let bad = |message: &str| cartesia_error(StatusCode::BAD_REQUEST, message);
    let q = &req.query;
    let agent_id = q.get("agent_id").filter(|a| !a.is_empty());
    let batch_id = q.get("batch_id").filter(|b| !b.is_empty());
    if agent_id.is_none() && batch_id.is_none() {
        return bad("One of agent_id or batch_id is required.");
    }
    let options = match Options::parse(q) {
        Ok(options) => options,
        Err(message) => return bad(message),
    };
    let with_transcript = match q.get("expand") {
        None | Some("") => false,
        Some("transcript") => true,
        Some(_) => return bad("expand supports only `transcript`."),
    };

    let calls = app.cartesia.lock();
    let all = match (agent_id, batch_id) {
        (_, Some(batch_id)) => {
            // One entry per call attempt: a retried recipient appears once per call.
            let Some(batch) = calls.batches.get(batch_id) else {
                return cartesia_error(StatusCode::NOT_FOUND, "Batch not found.");
            };
            if agent_id.is_some_and(|a| a != batch.agent_id) {
                return bad("agent_id does not match the batch's agent.");
            }
            calls.of_batch(batch_id)
        }
        (Some(agent_id), None) => {
            if !app::accepts(app.known.cartesia.as_ref(), agent_id) {
                return cartesia_error(StatusCode::NOT_FOUND, "Agent not found.");
            }
            calls.of_agent(agent_id)
        }
        (None, None) => Vec::new(),
    };
    let page: Page<'_, &Record> = match options.page(&all, |call| call.id.as_str()) {
        Ok(page) => page,
        Err(cursor) => return bad(&format!("{cursor} is not a call of this list.")),
    };
    let data: Vec<Value> = page
        .items
        .iter()
        .map(|c| c.to_json(with_transcript))
        .collect();
    response::json(
        StatusCode::OK,
        &json!({
            "data": data,
            "has_more": page.has_more,
            "next_page": page.next_page,
        }),
    )
}

fn create(app: &App, req: &Request<'_>) -> Reply {
    let bad = |message: &str| cartesia_error(StatusCode::BAD_REQUEST, message);
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return bad("The request body must be a JSON object.");
    };
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let Some(agent_id) = text("agent_id") else {
        return bad("agent_id is required.");
    };
    let Some(from_number_id) = text("from_number_id") else {
        return bad("from_number_id is required.");
    };
    let Some(items) = body
        .get("outbound_calls")
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
    else {
        return bad("outbound_calls must be a non-empty array.");
    };
    if let Some(value) = body.get("ringing_timeout_seconds").filter(|v| !v.is_null())
        && !value.as_u64().is_some_and(|s| (5..=80).contains(&s))
    {
        return bad("ringing_timeout_seconds must be an integer between 5 and 80.");
    }
    if let Some(value) = body
        .get("max_call_duration_minutes")
        .filter(|v| !v.is_null())
        && !value.as_u64().is_some_and(|m| (1..=480).contains(&m))
    {
        return bad("max_call_duration_minutes must be an integer between 1 and 480.");
    }
    let mut targets = Vec::with_capacity(items.len());
    for item in items {
        let Some(to) = item.get("to_number").and_then(Value::as_str) else {
            return bad("Each outbound_calls item needs a to_number string.");
        };
        let metadata = match item.get("metadata") {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(Value::Object(m.clone())),
            Some(_) => return bad("metadata must be an object."),
        };
        targets.push((to, metadata));
    }
    if !app::accepts(app.known.cartesia.as_ref(), agent_id) {
        return cartesia_error(StatusCode::NOT_FOUND, "Agent not found.");
    }
    // The phone number id is not checked: the simulator has no phone numbers to look it up in.
    let _ = from_number_id;

    let mut calls = app.cartesia.lock();
    let results: Vec<Value> = targets
        .into_iter()
        .map(|(to, metadata)| {
            if !phone::is_e164(to) {
                return json!({
                    "number": to,
                    "agent_call_id": Value::Null,
                    "error": {
                        "code": "invalid_phone_number",
                        "message": "to_number must be an E.164 phone number, e.g. +14155559876.",
                    },
                });
            }
            let id = format!("ac_{}", crate::id::base62(22));
            let mut record = Record::new(id.clone(), agent_id.to_owned());
            record.telephony_params = Some(call::outbound_telephony(to));
            record.metadata = Some(metadata.unwrap_or_else(|| Value::Object(Map::new())));
            calls.by_id.insert(record);
            json!({ "number": to, "agent_call_id": id, "error": Value::Null })
        })
        .collect();
    response::json(StatusCode::OK, &json!({ "calls": results }))
}
