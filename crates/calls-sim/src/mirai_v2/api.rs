//! The HTTP handlers of the Mirai v2 call routes.

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{HeaderValue, LOCATION};
use serde_json::{Map, Value, json};

use super::call::Record;
use super::campaign_api::{self, Action};
use super::{cursor, dnc_api};
use crate::app::{self, App, Request};
use crate::call_table::CallTable;
use crate::phone;
use crate::recording;
use crate::response::{self, Reply, mirai_v2_error};
use crate::route::Route;
use crate::webhook;

/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Answers a Mirai v2 route: the bearer key, then the operation.
pub(crate) fn handle(app: &App, route: Route, path_id: Option<&str>, req: &Request<'_>) -> Reply {
    if req.bearer() != Some(app.credentials.mirai_api_key()) {
        return mirai_v2_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or invalid API key: send `Authorization: Bearer sk_live_...`",
        );
    }
    let id = path_id.unwrap_or_default();
    match route {
        Route::MiraiV2Create => create(app, req),
        Route::MiraiV2Get => get(app, id),
        Route::MiraiV2List => list(app, req),
        Route::MiraiV2Transcript => transcript(app, id),
        Route::MiraiV2Recording => recording(app, id),
        Route::MiraiV2Abort => abort(app, id),
        _ => campaign_or_dnc(app, route, id, req),
    }
}

/// Answers a campaign or do-not-call route, when the workspace has campaigns.
fn campaign_or_dnc(app: &App, route: Route, id: &str, req: &Request<'_>) -> Reply {
    if !app.campaigns_enabled {
        // Checked after the key: the workspace, hence its features, is known only then.
        return mirai_v2_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "campaigns_unavailable",
            "campaigns are not enabled for this workspace",
        );
    }
    match route {
        Route::MiraiV2CampaignCreate => campaign_api::create(app, req),
        Route::MiraiV2CampaignList => campaign_api::list(app, req),
        Route::MiraiV2CampaignGet => campaign_api::get(app, id),
        Route::MiraiV2CampaignUpdate => campaign_api::update(app, id, req),
        Route::MiraiV2CampaignAddContacts => campaign_api::add_contacts(app, id, req),
        Route::MiraiV2CampaignListContacts => campaign_api::list_contacts(app, id, req),
        Route::MiraiV2CampaignStart => campaign_api::transition(app, id, Action::Start),
        Route::MiraiV2CampaignPause => campaign_api::transition(app, id, Action::Pause),
        Route::MiraiV2CampaignResume => campaign_api::transition(app, id, Action::Resume),
        Route::MiraiV2CampaignStop => campaign_api::transition(app, id, Action::Stop),
        Route::MiraiV2CampaignReport => campaign_api::report(app, id, req),
        Route::MiraiV2DncAdd => dnc_api::add(app, req),
        Route::MiraiV2DncList => dnc_api::list(app, req),
        Route::MiraiV2DncRemove => dnc_api::remove(app, id),
        _ => not_found("not found"),
    }
}

fn invalid(message: &str) -> Reply {
    mirai_v2_error(StatusCode::BAD_REQUEST, "invalid_request", message)
}

fn not_found(message: &str) -> Reply {
    mirai_v2_error(StatusCode::NOT_FOUND, "not_found", message)
}

fn call_not_found() -> Reply {
    not_found("call not found")
}

fn create(app: &App, req: &Request<'_>) -> Reply {
    let key = match req.headers.get_all("idempotency-key").iter().count() {
        0 => None,
        1 => match req.header("idempotency-key") {
            Some(k) if !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY => Some(k.to_owned()),
            _ => return invalid("Idempotency-Key must be 1 to 255 characters"),
        },
        _ => return invalid("send Idempotency-Key once"),
    };
    // A repeat replays the original response byte for byte, whatever the new body says.
    if let Some(key) = &key
        && let Some(original) = app.mirai_v2.lock().replay(key)
    {
        return response::json_bytes(StatusCode::ACCEPTED, original);
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return invalid("malformed JSON body: expected an object");
    };
    let record = match validate(&body) {
        Ok(record) => record,
        Err(message) => return invalid(&message),
    };
    if !app::accepts(app.known.mirai_v2.as_ref(), &record.agent_id) {
        return not_found("agent not found");
    }
    let mut calls = app.mirai_v2.lock();
    // Checked again under the lock, so two racing requests with one key create one call.
    if let Some(key) = &key
        && let Some(original) = calls.replay(key)
    {
        return response::json_bytes(StatusCode::ACCEPTED, original);
    }
    let response = Bytes::from(json!({ "id": record.id, "status": "queued" }).to_string());
    calls.by_id.insert(record);
    if let Some(key) = key {
        calls.remember(key, response.clone());
    }
    response::json_bytes(StatusCode::ACCEPTED, response)
}

/// Checks a create body against the documented limits and builds the new call.
fn validate(body: &Map<String, Value>) -> Result<Record, String> {
    let Some(agent_id) = body
        .get("agent_id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err("agent_id is required".into());
    };
    match present(body, "channel").map(Value::as_str) {
        None | Some(Some("phone")) => {}
        Some(Some("web" | "text")) => {
            return Err("channel: the simulator supports only \"phone\" calls".into());
        }
        Some(_) => return Err("channel must be \"phone\" or \"web\"".into()),
    }
    let Some(to) = body.get("to").and_then(Value::as_str) else {
        return Err("to is required for phone calls".into());
    };
    if !phone::is_e164(to) {
        return Err("to must be an E.164 phone number, e.g. +919876543210".into());
    }
    if let Some(variables) = present(body, "variables") {
        check_variables(variables)?;
    }
    let metadata = match present(body, "metadata") {
        None => None,
        Some(metadata) => Some(check_metadata(metadata)?),
    };
    if let Some(first) = present(body, "first_message")
        && first.as_str().is_none_or(|s| s.chars().count() > 500)
    {
        return Err("first_message must be a string of at most 500 characters".into());
    }
    let webhook_url = match present(body, "webhook_url") {
        None => None,
        Some(url) => {
            let Some(url) = url.as_str() else {
                return Err("webhook_url must be a string".into());
            };
            webhook::check_url(url).map_err(|reason| format!("webhook_url {reason}"))?;
            Some(url.to_owned())
        }
    };
    if let Some(max) = present(body, "max_duration_secs")
        && !max.as_u64().is_some_and(|s| (30..=1800).contains(&s))
    {
        return Err("max_duration_secs must be an integer between 30 and 1800".into());
    }
    if present(body, "timing").is_some_and(|t| !t.is_object()) {
        return Err("timing must be an object".into());
    }
    let recording_enabled = match present(body, "recording_enabled") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("recording_enabled must be a boolean".into()),
    };
    if present(body, "final_results").is_some_and(|f| !f.is_boolean()) {
        return Err("final_results must be a boolean".into());
    }
    let tier = match present(body, "tier") {
        None => "t1".to_owned(),
        Some(Value::String(t)) if matches!(t.as_str(), "t1" | "t3" | "t5") => t.clone(),
        Some(_) => return Err("tier must be one of t1, t3, t5".into()),
    };

    let mut record = Record::new(format!("call_{}", crate::id::ulid()), agent_id.to_owned());
    record.to = Some(to.to_owned());
    record.tier = tier;
    record.metadata = metadata;
    record.webhook_url = webhook_url;
    record.recording_enabled = recording_enabled;
    Ok(record)
}

/// The documented `variables` rules: a flat object of at most 32 keys whose values are strings
/// of at most 512 characters.
pub(crate) fn check_variables(variables: &Value) -> Result<(), String> {
    let Some(variables) = variables.as_object() else {
        return Err("variables must be an object".into());
    };
    if variables.len() > 32 {
        return Err("variables: at most 32 keys".into());
    }
    if !variables
        .values()
        .all(|v| v.as_str().is_some_and(|s| s.chars().count() <= 512))
    {
        return Err("variables: values must be strings of at most 512 characters".into());
    }
    Ok(())
}

/// The field, unless absent or null.
fn present<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.get(key).filter(|v| !v.is_null())
}

/// The documented `metadata` rules: at most 16 keys of 1–40 characters from letters, digits and
/// `_ . : -`, starting with a letter, digit or `_`; string values of at most 256 characters;
/// at most 4 KB serialised.
fn check_metadata(metadata: &Value) -> Result<Value, String> {
    let Some(map) = metadata.as_object() else {
        return Err("metadata must be an object".into());
    };
    if map.len() > 16 {
        return Err("metadata: at most 16 keys".into());
    }
    for (key, value) in map {
        let valid_key = (1..=40).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
            && key
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_key {
            return Err(format!(
                "metadata: invalid key {:?}",
                key.chars().take(48).collect::<String>()
            ));
        }
        if value.as_str().is_none_or(|s| s.chars().count() > 256) {
            return Err(format!(
                "metadata.{key}: values must be strings of at most 256 characters"
            ));
        }
    }
    if metadata.to_string().len() > 4096 {
        return Err("metadata: at most 4 KB".into());
    }
    Ok(metadata.clone())
}

fn get(app: &App, id: &str) -> Reply {
    match app.mirai_v2.lock().by_id.get(id) {
        Some(call) => response::json(StatusCode::OK, &call.to_json(false)),
        None => call_not_found(),
    }
}

fn list(app: &App, req: &Request<'_>) -> Reply {
    let q = &req.query;
    let limit = match q.get("limit") {
        None => 20,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return invalid("limit must be an integer between 1 and 100"),
        },
    };
    let bound = |name: &str| -> Result<Option<i64>, String> {
        match q.get(name) {
            None | Some("") => Ok(None),
            Some(text) => crate::clock::parse(text)
                .map(|t| Some(t.as_millisecond()))
                .ok_or_else(|| format!("{name} must be an RFC 3339 timestamp")),
        }
    };
    let (from, to) = match (bound("from"), bound("to")) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(message), _) | (_, Err(message)) => return invalid(&message),
    };
    let after = match q.get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => match cursor::decode(&app.signing_key, "calls", text) {
            Some(position) => Some(position),
            None => return invalid("cursor is not valid"),
        },
    };
    let agent_id = q.get("agent_id").filter(|a| !a.is_empty());
    let status = q.get("status").filter(|s| !s.is_empty());

    let calls = app.mirai_v2.lock();
    let mut matching: Vec<&Record> = calls
        .by_id
        .values()
        .filter(|call| agent_id.is_none_or(|a| call.agent_id == a))
        .filter(|call| status.is_none_or(|s| call.status == s))
        .filter(|call| {
            let created = call.order_key().0;
            from.is_none_or(|f| created >= f) && to.is_none_or(|t| created < t)
        })
        .filter(|call| after.is_none_or(|position| call.order_key() < position))
        .collect();
    matching.sort_by_key(|call| std::cmp::Reverse(call.order_key()));
    let has_more = matching.len() > limit;
    matching.truncate(limit);
    let next_cursor = match matching.last() {
        Some(last) if has_more => Some(cursor::encode(&app.signing_key, "calls", last.order_key())),
        _ => None,
    };
    let data: Vec<Value> = matching.iter().map(|call| call.to_json(true)).collect();
    response::json(
        StatusCode::OK,
        &json!({ "data": data, "has_more": has_more, "next_cursor": next_cursor }),
    )
}

fn transcript(app: &App, id: &str) -> Reply {
    let calls = app.mirai_v2.lock();
    let Some(call) = calls.by_id.get(id) else {
        return call_not_found();
    };
    match call.transcript() {
        Some(turns) => response::json(
            StatusCode::OK,
            &json!({ "call_id": call.id, "turns": turns }),
        ),
        None => {
            not_found("transcript not available (call still in progress or produced no speech)")
        }
    }
}

fn recording(app: &App, id: &str) -> Reply {
    let calls = app.mirai_v2.lock();
    let Some(call) = calls.by_id.get(id) else {
        return call_not_found();
    };
    if !call.has_recording() {
        return not_found(
            "recording not available (call still in progress, produced no audio, or recording disabled)",
        );
    }
    let location = recording::signed_url(app, &call.id);
    let mut response = response::empty(StatusCode::FOUND);
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            response.headers_mut().insert(LOCATION, value);
            response
        }
        Err(_) => mirai_v2_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "cannot build the recording URL",
        ),
    }
}

fn abort(app: &App, id: &str) -> Reply {
    let mut calls = app.mirai_v2.lock();
    let Some(call) = calls.by_id.get(id) else {
        return call_not_found();
    };
    if !call.is_running() {
        return mirai_v2_error(
            StatusCode::CONFLICT,
            "conflict",
            "call already ended, nothing to abort",
        );
    }
    if let Some(call) = calls.by_id.get_mut(id) {
        // The only reason an abort produces, whatever the call had before.
        call.ended_reason = Some("aborted-by-api".to_owned());
    }
    calls.transition(app, id, "aborted");
    response::json(
        StatusCode::ACCEPTED,
        &json!({ "id": id, "status": "aborted" }),
    )
}
