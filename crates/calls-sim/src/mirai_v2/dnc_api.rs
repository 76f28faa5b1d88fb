//! The HTTP handlers of the Mirai v2 do-not-call routes (`/v2/dnc…`).

use hyper::StatusCode;
use serde_json::{Value, json};

use super::cursor;
use crate::app::{App, Request};
use crate::phone;
use crate::response::{self, Reply, mirai_v2_error};

fn invalid(message: &str) -> Reply {
    mirai_v2_error(StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// `POST /v2/dnc`: 201 `added: true` when new, 200 `added: false` when already listed (both mean
/// "will not be dialled").
pub(crate) fn add(app: &App, req: &Request<'_>) -> Reply {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return invalid("malformed JSON body: expected an object");
    };
    let Some(phone) = body.get("phone").and_then(Value::as_str) else {
        return invalid("phone is required");
    };
    if !phone::is_e164(phone) {
        return invalid("phone must be an E.164 phone number, e.g. +919876543210");
    }
    let added = app.mirai_v2.lock().dnc.add(phone);
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    response::json(
        status,
        &json!({ "object": "dnc_entry", "phone": phone, "added": added }),
    )
}

/// `GET /v2/dnc`: newest first, cursor pagination.
pub(crate) fn list(app: &App, req: &Request<'_>) -> Reply {
    let params = match cursor::params(&app.signing_key, "dnc", &req.query) {
        Ok(params) => params,
        Err(message) => return invalid(message),
    };
    let calls = app.mirai_v2.lock();
    let mut matching: Vec<_> = calls
        .dnc
        .newest_first()
        .into_iter()
        .filter(|e| params.after.is_none_or(|after| e.order_key() < after))
        .collect();
    let has_more = matching.len() > params.limit;
    matching.truncate(params.limit);
    let next_cursor = match matching.last() {
        Some(last) if has_more => Some(cursor::encode(&app.signing_key, "dnc", last.order_key())),
        _ => None,
    };
    let data: Vec<Value> = matching.iter().map(|e| e.to_json()).collect();
    response::json(
        StatusCode::OK,
        &json!({ "data": data, "has_more": has_more, "next_cursor": next_cursor }),
    )
}

/// `DELETE /v2/dnc/{phone}` (the path decoded, `%2B` → `+`): 204, or 404 when not listed.
pub(crate) fn remove(app: &App, phone: &str) -> Reply {
    if app.mirai_v2.lock().dnc.remove(phone) {
        response::empty(StatusCode::NO_CONTENT)
    } else {
        mirai_v2_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "number is not on the do-not-call list",
        )
    }
}
