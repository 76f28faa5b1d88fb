//! The HTTP handlers of the Cartesia call batch routes (`/agents/calls/batches…`).

use hyper::StatusCode;
use serde_json::{Map, Value};

use super::batch::{self, Batch, MAX_RECIPIENTS, ORG_CONCURRENCY_LIMIT, Retry};
use super::page::Options;
use crate::app::{self, App, Request};
use crate::clock;
use crate::json_field;
use crate::phone;
use crate::response::{self, Reply, cartesia_error};

/// How far ahead `scheduled_at` may be: "within 30 days".
const MAX_SCHEDULE_SECS: i64 = 30 * 24 * 3600;

fn bad(message: &str) -> Reply {
    cartesia_error(StatusCode::BAD_REQUEST, message)
}

fn not_found() -> Reply {
    cartesia_error(StatusCode::NOT_FOUND, "Batch not found.")
}

/// `POST /agents/calls/batches`: 201 with the batch, every recipient queued. With auto-dial, an
/// unscheduled batch dispatches its first recipients at once.
pub(crate) fn create(app: &App, req: &Request<'_>) -> Reply {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return bad("The request body must be a JSON object.");
    };
    let batch = match parse(&body, format!("acb_{}", crate::id::base62(22))) {
        Ok(batch) => batch,
        Err(message) => return bad(&message),
    };
    if !app::accepts(app.known.cartesia.as_ref(), &batch.agent_id) {
        return cartesia_error(StatusCode::NOT_FOUND, "Agent not found.");
    }
    let id = batch.id.clone();
    let mut calls = app.cartesia.lock();
    calls.batches.insert(batch);
    if app.auto_dial {
        batch::refill(&mut calls, &id);
    }
    match calls.batches.get(&id) {
        Some(batch) => response::json(StatusCode::CREATED, &batch.to_json(&calls.by_id, false)),
        None => not_found(),
    }
}

/// Checks a create body (`AgentCallBatchRequest`) and builds the batch it asks for, with id `id`.
pub(crate) fn parse(body: &Map<String, Value>, id: String) -> Result<Batch, String> {
    let text = |key: &str| -> Result<String, String> {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or(format!("{key} is required."))
    };
    let name = text("name")?;
    let agent_id = text("agent_id")?;
    let from_number_id = text("from_number_id")?;
    let Some(recipients) = body.get("recipients").and_then(Value::as_array) else {
        return Err("recipients must be an array of 1 to 5000 items.".into());
    };
    if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
        return Err("recipients must be an array of 1 to 5000 items.".into());
    }
    // Cartesia's messages end with a full stop.
    let limit = |key: &str, range| {
        json_field::integer_in(body, key, range).map_err(|message| format!("{message}."))
    };
    let target = limit("target_concurrency_limit", 1..=ORG_CONCURRENCY_LIMIT).map_err(|_| {
        format!(
            "target_concurrency_limit must be an integer of at least 1 and at most the organization's concurrency limit ({ORG_CONCURRENCY_LIMIT})."
        )
    })?;
    limit("ringing_timeout_seconds", 5..=80)?;
    limit("max_call_duration_minutes", 1..=480)?;
    let region = match body.get("region").filter(|v| !v.is_null()) {
        None => "US".to_owned(),
        Some(Value::String(r)) if matches!(r.as_str(), "US" | "EU" | "APAC") => r.clone(),
        Some(_) => return Err("region must be one of US, EU, APAC.".into()),
    };
    let scheduled_at = match body.get("scheduled_at").filter(|v| !v.is_null()) {
        None => None,
        Some(value) => Some(check_schedule(value)?),
    };

    let mut batch = Batch::new(id, agent_id);
    batch.name = name;
    batch.from_number_id = from_number_id;
    batch.region = region;
    if let Some(target) = target {
        batch.target_concurrency_limit = target;
    }
    batch.scheduled_at = scheduled_at;
    for (index, item) in recipients.iter().enumerate() {
        let Some(to) = item.get("to_number").and_then(Value::as_str) else {
            return Err(format!("recipients[{index}].to_number is required."));
        };
        if !phone::is_e164(to) {
            return Err(format!(
                "recipients[{index}].to_number must be an E.164 phone number, e.g. +14155559876."
            ));
        }
        let metadata = match item.get("metadata") {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(Value::Object(m.clone())),
            Some(_) => return Err(format!("recipients[{index}].metadata must be an object.")),
        };
        batch.push_recipient(to.to_owned(), metadata);
    }
    Ok(batch)
}

/// `scheduled_at`: RFC 3339 with an offset, in the future and within 30 days; kept in UTC.
fn check_schedule(value: &Value) -> Result<String, String> {
    let invalid = || {
        "scheduled_at must be an RFC 3339 timestamp with a time zone offset, in the future and within 30 days."
            .to_owned()
    };
    let at = value.as_str().and_then(clock::parse).ok_or_else(invalid)?;
    let ahead = at.as_second() - clock::now().as_second();
    if ahead <= 0 || ahead > MAX_SCHEDULE_SECS {
        return Err(invalid());
    }
    Ok(clock::seconds(at))
}

/// `GET /agents/calls/batches`: newest first, without recipients; `agent_id` filters.
pub(crate) fn list(app: &App, req: &Request<'_>) -> Reply {
    let q = &req.query;
    let options = match Options::parse(q) {
        Ok(options) => options,
        Err(message) => return bad(message),
    };
    let agent_id = q.get("agent_id").filter(|a| !a.is_empty());
    let calls = app.cartesia.lock();
    let all = calls.batches_newest_first(agent_id);
    let page = match options.page(&all, |batch| batch.id.as_str()) {
        Ok(page) => page,
        Err(cursor) => return bad(&format!("{cursor} is not a batch of this list.")),
    };
    let data: Vec<Value> = page
        .items
        .iter()
        .map(|batch| batch.to_json(&calls.by_id, false))
        .collect();
    response::json(
        StatusCode::OK,
        &serde_json::json!({
            "data": data,
            "has_more": page.has_more,
            "next_page": page.next_page,
        }),
    )
}

/// `GET /agents/calls/batches/{id}`: the batch with its recipients.
pub(crate) fn get(app: &App, id: &str) -> Reply {
    let calls = app.cartesia.lock();
    match calls.batches.get(id) {
        Some(batch) => response::json(StatusCode::OK, &batch.to_json(&calls.by_id, true)),
        None => not_found(),
    }
}

/// `POST /agents/calls/batches/{id}/cancel`: stops dispatch; calls in flight are left to finish.
/// Idempotent: a repeat answers the same 200.
pub(crate) fn cancel(app: &App, id: &str) -> Reply {
    let mut calls = app.cartesia.lock();
    if !batch::cancel(&mut calls, id) {
        return not_found();
    }
    match calls.batches.get(id) {
        Some(batch) => response::json(StatusCode::OK, &batch.to_json(&calls.by_id, false)),
        None => not_found(),
    }
}

/// `POST /agents/calls/batches/{id}/retry`: re-queues failed and unanswered recipients; 400 for
/// a cancelled batch (the status the OpenAPI document gives).
pub(crate) fn retry(app: &App, id: &str) -> Reply {
    let mut calls = app.cartesia.lock();
    match batch::retry(&mut calls, id) {
        Retry::NotFound => return not_found(),
        Retry::Cancelled => return bad("Batch is cancelled and cannot be retried."),
        Retry::Requeued(_) => {}
    }
    if app.auto_dial {
        batch::refill(&mut calls, id);
    }
    match calls.batches.get(id) {
        Some(batch) => response::json(StatusCode::OK, &batch.to_json(&calls.by_id, false)),
        None => not_found(),
    }
}
