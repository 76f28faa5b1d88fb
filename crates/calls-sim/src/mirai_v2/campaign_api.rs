//! The HTTP handlers of the Mirai v2 campaign routes (`/v2/campaigns…`).

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::campaign::{Added, Campaign, MAX_CONTACT_ROWS, Mode};
use super::cursor;
use super::lifecycle::{self, Refusal};
use super::{Calls, campaign_order, dialler};
use crate::app::{self, App, Request};
use crate::body::SimBody;
use crate::response::{self, Reply, mirai_v2_error};

fn invalid(message: &str) -> Reply {
    mirai_v2_error(StatusCode::BAD_REQUEST, "invalid_request", message)
}

fn not_found() -> Reply {
    mirai_v2_error(StatusCode::NOT_FOUND, "not_found", "campaign not found")
}

fn conflict(message: &str) -> Reply {
    mirai_v2_error(StatusCode::CONFLICT, "conflict", message)
}

fn body_object(req: &Request<'_>) -> Result<Map<String, Value>, &'static str> {
    match serde_json::from_slice::<Value>(req.body) {
        Ok(Value::Object(body)) => Ok(body),
        _ => Err("malformed JSON body: expected an object"),
    }
}

/// The `contacts` rows of a body (absent is none unless `required`); more than 1,000 rows or
/// anything but an array fails the whole request.
fn contact_rows(body: &Map<String, Value>, required: bool) -> Result<&[Value], &'static str> {
    match body.get("contacts") {
        None | Some(Value::Null) if !required => Ok(&[]),
        Some(Value::Array(rows)) if rows.len() <= MAX_CONTACT_ROWS => Ok(rows),
        Some(Value::Array(_)) => Err("contacts: at most 1000 rows per request"),
        _ => Err("contacts must be an array of {phone, variables?, id?}"),
    }
}

fn added_json(added: &Added) -> [(&'static str, Value); 3] {
    [
        ("contacts_accepted", json!(added.accepted)),
        ("contacts_duplicate", json!(added.duplicate)),
        ("contacts_rejected", json!(added.rejected)),
    ]
}

/// `POST /v2/campaigns`: 201 with the `draft` campaign plus `contacts_accepted`,
/// `contacts_duplicate` and `contacts_rejected` at the top level.
pub(crate) fn create(app: &App, req: &Request<'_>) -> Reply {
    let body = match body_object(req) {
        Ok(body) => body,
        Err(message) => return invalid(message),
    };
    let (campaign, added) = match build(&body, None, Mode::Create) {
        Ok(built) => built,
        Err(message) => return invalid(&message),
    };
    if !app::accepts(app.known.mirai_v2.as_ref(), &campaign.agent_id) {
        return mirai_v2_error(StatusCode::NOT_FOUND, "not_found", "agent not found");
    }
    let id = campaign.id.clone();
    let mut calls = app.mirai_v2.lock();
    calls.campaigns.insert(campaign);
    let Some(campaign) = calls.campaigns.get(&id) else {
        return not_found();
    };
    let mut value = campaign.to_json(&calls.by_id, false);
    if let Value::Object(map) = &mut value {
        for (key, field) in added_json(&added) {
            map.insert(key.into(), field);
        }
    }
    response::json(StatusCode::CREATED, &value)
}

/// Builds a campaign from a create body (or, in [`Mode::Seed`], a `/_sim` seed body, which may
/// also name its `id`), with its contacts judged row by row.
pub(crate) fn build(
    body: &Map<String, Value>,
    id: Option<String>,
    mode: Mode,
) -> Result<(Campaign, Added), String> {
    let Some(agent_id) = body
        .get("agent_id")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
    else {
        return Err("agent_id is required".into());
    };
    let id = id.unwrap_or_else(|| format!("cmp_{}", crate::id::ulid()));
    let mut campaign = Campaign::new(id, agent_id.to_owned());
    campaign.apply(body, mode)?;
    let rows = contact_rows(body, false)?;
    let added = campaign.add_contacts(rows);
    Ok((campaign, added))
}

/// `GET /v2/campaigns`: newest first, no `counters`.
pub(crate) fn list(app: &App, req: &Request<'_>) -> Reply {
    let params = match cursor::params(&app.signing_key, "campaigns", &req.query) {
        Ok(params) => params,
        Err(message) => return invalid(message),
    };
    let calls = app.mirai_v2.lock();
    let mut matching: Vec<&Campaign> = calls
        .campaigns_newest_first()
        .into_iter()
        .filter(|c| params.after.is_none_or(|after| campaign_order(c) < after))
        .collect();
    let has_more = matching.len() > params.limit;
    matching.truncate(params.limit);
    let next_cursor = match matching.last() {
        Some(last) if has_more => Some(cursor::encode(
            &app.signing_key,
            "campaigns",
            campaign_order(last),
        )),
        _ => None,
    };
    let data: Vec<Value> = matching
        .iter()
        .map(|c| c.to_json(&calls.by_id, false))
        .collect();
    response::json(
        StatusCode::OK,
        &json!({ "data": data, "has_more": has_more, "next_cursor": next_cursor }),
    )
}

/// `GET /v2/campaigns/{id}`: the campaign with `counters`.
pub(crate) fn get(app: &App, id: &str) -> Reply {
    let calls = app.mirai_v2.lock();
    match calls.campaigns.get(id) {
        Some(c) => response::json(StatusCode::OK, &c.to_json(&calls.by_id, true)),
        None => not_found(),
    }
}

/// `PATCH /v2/campaigns/{id}`: only while `draft` or `paused`.
pub(crate) fn update(app: &App, id: &str, req: &Request<'_>) -> Reply {
    let body = match body_object(req) {
        Ok(body) => body,
        Err(message) => return invalid(message),
    };
    let mut calls = app.mirai_v2.lock();
    let Calls {
        by_id, campaigns, ..
    } = &mut *calls;
    let Some(campaign) = campaigns.get_mut(id) else {
        return not_found();
    };
    if !matches!(campaign.status.as_str(), "draft" | "paused") {
        return conflict(&format!(
            "a campaign can be edited only while draft or paused; this one is {}",
            campaign.status
        ));
    }
    if let Err(message) = campaign.apply(&body, Mode::Patch) {
        return invalid(&message);
    }
    campaign.touch();
    response::json(StatusCode::OK, &campaign.to_json(by_id, false))
}

/// `POST /v2/campaigns/{id}/contacts`: 200 with the counts; refused once `stopped` or
/// `completed`. A running campaign picks the new rows up at its next dial.
pub(crate) fn add_contacts(app: &App, id: &str, req: &Request<'_>) -> Reply {
    let body = match body_object(req) {
        Ok(body) => body,
        Err(message) => return invalid(message),
    };
    let rows = match contact_rows(&body, true) {
        Ok(rows) => rows,
        Err(message) => return invalid(message),
    };
    let mut calls = app.mirai_v2.lock();
    let Some(campaign) = calls.campaigns.get_mut(id) else {
        return not_found();
    };
    if campaign.is_final() {
        return conflict(&format!(
            "campaign is {}: it accepts no new contacts",
            campaign.status
        ));
    }
    let added = campaign.add_contacts(rows);
    if added.accepted > 0 {
        campaign.touch();
    }
    let mut value = json!({ "id": campaign.id, "object": "campaign", "status": campaign.status });
    if let Value::Object(map) = &mut value {
        for (key, field) in added_json(&added) {
            map.insert(key.into(), field);
        }
    }
    dialler::refill(app, &mut calls, id);
    response::json(StatusCode::OK, &value)
}

/// `GET /v2/campaigns/{id}/contacts`: upload order, `status` filters.
pub(crate) fn list_contacts(app: &App, id: &str, req: &Request<'_>) -> Reply {
    let scope = format!("contacts/{id}");
    let params = match cursor::params(&app.signing_key, &scope, &req.query) {
        Ok(params) => params,
        Err(message) => return invalid(message),
    };
    let status = req.query.get("status").filter(|s| !s.is_empty());
    let calls = app.mirai_v2.lock();
    let Some(campaign) = calls.campaigns.get(id) else {
        return not_found();
    };
    // A contact cursor holds the index of the first contact of the next page.
    let start = params
        .after
        .map_or(0, |(_, next)| usize::try_from(next).unwrap_or(usize::MAX));
    let mut rows = campaign
        .contacts
        .iter()
        .enumerate()
        .skip(start)
        .filter(|(_, c)| status.is_none_or(|s| c.status == s));
    let page: Vec<(usize, &super::campaign::Contact)> = rows.by_ref().take(params.limit).collect();
    let has_more = rows.next().is_some();
    let next_cursor = match page.last() {
        Some((index, _)) if has_more => Some(cursor::encode(
            &app.signing_key,
            &scope,
            (0, u64::try_from(index + 1).unwrap_or(u64::MAX)),
        )),
        _ => None,
    };
    let data: Vec<Value> = page.iter().map(|(_, c)| c.to_json()).collect();
    response::json(
        StatusCode::OK,
        &json!({ "data": data, "has_more": has_more, "next_cursor": next_cursor }),
    )
}

/// `POST /v2/campaigns/{id}/start|pause|resume|stop`: 202 `{id, status}`.
pub(crate) fn transition(app: &App, id: &str, action: Action) -> Reply {
    let mut calls = app.mirai_v2.lock();
    let (result, status) = match action {
        Action::Start => (lifecycle::start(app, &mut calls, id), "play"),
        Action::Pause => (lifecycle::pause(app, &mut calls, id, None), "paused"),
        Action::Resume => (lifecycle::resume(app, &mut calls, id), "play"),
        Action::Stop => (lifecycle::stop(app, &mut calls, id), "stopped"),
    };
    match result {
        Ok(()) => response::json(StatusCode::ACCEPTED, &json!({ "id": id, "status": status })),
        Err(Refusal::NotFound) => not_found(),
        Err(Refusal::Conflict(message)) => conflict(&message),
        Err(Refusal::WindowClosed(message)) => {
            mirai_v2_error(StatusCode::CONFLICT, "window_closed", &message)
        }
    }
}

/// A lifecycle request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Start,
    Pause,
    Resume,
    Stop,
}

/// `GET /v2/campaigns/{id}/report`: JSON, or with `format=csv` a streamed CSV.
pub(crate) fn report(app: &App, id: &str, req: &Request<'_>) -> Reply {
    let csv = match req.query.get("format") {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => return invalid("format must be json or csv"),
    };
    let calls = app.mirai_v2.lock();
    let Some(campaign) = calls.campaigns.get(id) else {
        return not_found();
    };
    if csv {
        response::with_body(
            StatusCode::OK,
            "text/csv; charset=utf-8",
            SimBody::chunked(campaign.report_csv().into(), 16 * 1024),
        )
    } else {
        response::json(StatusCode::OK, &campaign.report_json(&calls.by_id))
    }
}
