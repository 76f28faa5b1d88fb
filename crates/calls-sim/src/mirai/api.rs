//! The HTTP handlers of the Mirai legacy routes.

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::call::{AbortCheck, Record};
use crate::app::{self, App, Request};
use crate::call_table::CallTable;
use crate::id;
use crate::response::{self, Reply, mirai_error};
use crate::route::Route;
use crate::webhook;

/// Answers a Mirai legacy route: the three key headers, then the operation.
pub(crate) fn handle(app: &App, route: Route, path_id: Option<&str>, req: &Request<'_>) -> Reply {
    let creds = &app.credentials;
    let authorized = req.header("x-public-key") == Some(creds.mirai_public_key())
        && req.header("x-private-key") == Some(creds.mirai_private_key())
        && req.header("workspace") == Some(creds.mirai_workspace());
    if !authorized {
        return mirai_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: missing or invalid x-public-key, x-private-key or workspace header",
        );
    }
    match route {
        Route::MiraiInitiate => initiate(app, req),
        Route::MiraiAbort => abort(app, req),
        Route::MiraiUpdate => update(app, path_id.unwrap_or_default(), req),
        _ => mirai_error(StatusCode::NOT_FOUND, "Not found"),
    }
}

fn body_object(req: &Request<'_>) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(req.body) {
        Ok(Value::Object(body)) => Some(body),
        _ => None,
    }
}

fn not_an_object() -> Reply {
    mirai_error(
        StatusCode::BAD_REQUEST,
        "Validation Error: the request body must be a JSON object",
    )
}

fn initiate(app: &App, req: &Request<'_>) -> Reply {
    let bad = |message: &str| mirai_error(StatusCode::BAD_REQUEST, message);
    let Some(mut body) = body_object(req) else {
        return not_an_object();
    };
    let text = |body: &Map<String, Value>, key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
    };
    let Some(phone_number) = text(&body, "phoneNumber") else {
        return bad("Validation Error: phoneNumber is required");
    };
    let Some(assistant) = text(&body, "assistant") else {
        return bad("Validation Error: assistant is required");
    };
    let payload = match body.remove("payload") {
        None | Some(Value::Null) => None,
        Some(value @ Value::Object(_)) => Some(value),
        Some(_) => return bad("Validation Error: payload must be an object"),
    };
    let callback_url = match body.remove("callbackUrl") {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) => {
            if let Err(reason) = webhook::check_url(&url) {
                return bad(&format!("Validation Error: callbackUrl {reason}"));
            }
            Some(url)
        }
        Some(_) => return bad("Validation Error: callbackUrl must be a string"),
    };
    let priority = match body.remove("priority") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => return bad("Validation Error: priority must be a boolean"),
    };
    let metadata = match body.remove("metadata") {
        None | Some(Value::Null) => None,
        Some(value @ Value::Object(_)) => Some(value),
        Some(_) => return bad("Validation Error: metadata must be an object"),
    };
    if !app::accepts(app.known.mirai_assistants.as_ref(), &assistant) {
        return mirai_error(StatusCode::NOT_FOUND, "Assistant not found");
    }

    let call_id = id::object_id();
    let mut record = Record::new(call_id.clone(), None);
    record.assistant = Some(assistant);
    record.phone_number = Some(phone_number);
    record.payload = payload;
    record.callback_url = callback_url;
    record.metadata = metadata;
    record.priority = priority;
    let mut calls = app.mirai.lock();
    calls.insert(record);
    calls.transition(app, &call_id, "initiate");
    response::json(
        StatusCode::OK,
        &json!({ "callId": call_id, "status": "initiate" }),
    )
}

fn abort(app: &App, req: &Request<'_>) -> Reply {
    let Some(body) = body_object(req) else {
        return not_an_object();
    };
    let Some(call_id) = body.get("callId").and_then(Value::as_str) else {
        return mirai_error(
            StatusCode::BAD_REQUEST,
            "Validation Error: callId is required",
        );
    };
    let mut calls = app.mirai.lock();
    let Some(call) = calls.get(call_id) else {
        return mirai_error(StatusCode::NOT_FOUND, "Call not found");
    };
    let refusal = match call.abort_check() {
        AbortCheck::Allowed => None,
        AbortCheck::AlreadyAborted => Some("Call already aborted"),
        AbortCheck::InProgress => Some("Call already in progress"),
        AbortCheck::Completed => Some("Call already completed"),
        AbortCheck::Other => Some("Call cannot be aborted in its current status"),
    };
    if let Some(message) = refusal {
        return mirai_error(StatusCode::BAD_REQUEST, message);
    }
    calls.transition(app, call_id, "aborted");
    response::json(
        StatusCode::OK,
        &json!({ "message": "Call aborted successfully" }),
    )
}

fn update(app: &App, call_id: &str, req: &Request<'_>) -> Reply {
    let mut calls = app.mirai.lock();
    let Some(call) = calls.get_mut(call_id) else {
        return mirai_error(StatusCode::NOT_FOUND, "Call not found.");
    };
    let Some(mut body) = body_object(req) else {
        return not_an_object();
    };
    let Some(payload @ Value::Object(_)) = body.remove("payload") else {
        return mirai_error(
            StatusCode::BAD_REQUEST,
            "Validation Error: payload is required and must be an object",
        );
    };
    if !call.payload_replaceable() {
        return mirai_error(
            StatusCode::BAD_REQUEST,
            "Call already in progress or completed",
        );
    }
    call.payload = Some(payload);
    response::json(
        StatusCode::OK,
        &json!({ "status_code": 200, "message": "Call payload updated successfully." }),
    )
}
