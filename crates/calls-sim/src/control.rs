//! The `/_sim` HTTP control API: seeding, transitions, faults and the journal over HTTP, for
//! tests and tools that do not link the crate (see the crate docs for the route table).

use std::sync::Arc;
use std::time::Duration;

use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::app::App;
use crate::body::{RequestBody, SimBody};
use crate::calling_window::CallingWindow;
use crate::cartesia::{CartesiaBatchSeed, CartesiaCallSeed, CartesiaControl};
use crate::fault::Fault;
use crate::mirai::{MiraiCall, MiraiCallSeed, MiraiControl};
use crate::mirai_v2::{MiraiV2CallSeed, MiraiV2CampaignSeed, MiraiV2Control};
use crate::query::Query;
use crate::response::{self, Reply};
use crate::route::Route;
use crate::sim::env_lines;

/// Most calls one `/_sim/…/agents/{id}/calls` request may seed.
const MAX_SEED: usize = 100_000;

/// Answers a `/_sim/…` request; `segments` are the path segments after `_sim`.
pub(crate) fn handle(
    app: &Arc<App>,
    method: &Method,
    segments: &[String],
    query: Option<&str>,
    body: RequestBody,
) -> Reply {
    let body = match body {
        RequestBody::Complete(bytes) => bytes,
        RequestBody::TooLarge => return error(StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
        RequestBody::Broken => return error(StatusCode::BAD_REQUEST, "unreadable body"),
    };
    let query = Query::parse(query);
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    let cartesia = || CartesiaControl::new(Arc::clone(app));
    let mirai = || MiraiControl::new(Arc::clone(app));
    let v2 = || MiraiV2Control::new(Arc::clone(app));
    let m = method.clone();
    match (m, path.as_slice()) {
        (Method::GET, ["health"]) => response::json(StatusCode::OK, &json!({ "ok": true })),
        (Method::GET, ["env"]) => {
            let mut text = env_lines(app).join("\n");
            text.push('\n');
            response::with_body(
                StatusCode::OK,
                "text/plain; charset=utf-8",
                SimBody::full(text),
            )
        }

        (Method::POST, ["cartesia", "calls"]) => {
            match object(&body).and_then(CartesiaCallSeed::from_json) {
                Ok(seed) => {
                    let id = seed.record.id.clone();
                    cartesia().seed_call(seed);
                    cartesia_call(app, &id, StatusCode::CREATED)
                }
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            }
        }
        (Method::POST, ["cartesia", "agents", agent, "calls"]) => match count(&query) {
            Ok(n) => ids_reply(cartesia().seed_agent_calls(agent, n)),
            Err(message) => error(StatusCode::BAD_REQUEST, message),
        },
        (Method::GET, ["cartesia", "calls", id]) => cartesia_call(app, id, StatusCode::OK),
        (Method::GET, ["cartesia", "summary"]) => {
            response::json(StatusCode::OK, &cartesia().summary().to_json())
        }
        (Method::POST, ["cartesia", "calls", id, "status"]) => match status_of(&body) {
            Ok(status) => match cartesia().set_status(id, &status) {
                Ok(()) => cartesia_call(app, id, StatusCode::OK),
                Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
            },
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        (Method::POST, ["cartesia", "calls", id, "advance"]) => match cartesia().advance(id) {
            Ok(_) => cartesia_call(app, id, StatusCode::OK),
            Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
        },

        (Method::POST, ["mirai", "calls"]) => {
            match object(&body).and_then(MiraiCallSeed::from_json) {
                Ok(seed) => {
                    let id = seed.id().to_owned();
                    mirai().seed(seed);
                    mirai_call(&mirai(), &id, StatusCode::CREATED)
                }
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            }
        }
        (Method::GET, ["mirai", "calls", id]) => mirai_call(&mirai(), id, StatusCode::OK),
        (Method::POST, ["mirai", "calls", id, "status"]) => match status_of(&body) {
            Ok(status) => match mirai().set_status(id, &status) {
                Ok(()) => mirai_call(&mirai(), id, StatusCode::OK),
                Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
            },
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        (Method::POST, ["mirai", "calls", id, "advance"]) => match mirai().advance(id) {
            Ok(_) => mirai_call(&mirai(), id, StatusCode::OK),
            Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
        },

        (Method::POST, ["mirai_v2", "calls"]) => {
            match object(&body).and_then(MiraiV2CallSeed::from_json) {
                Ok(seed) => {
                    let id = seed.id().to_owned();
                    v2().seed_call(seed);
                    v2_call(&v2(), &id, StatusCode::CREATED)
                }
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            }
        }
        (Method::POST, ["mirai_v2", "agents", agent, "calls"]) => match count(&query) {
            Ok(n) => ids_reply(v2().seed_agent_calls(agent, n)),
            Err(message) => error(StatusCode::BAD_REQUEST, message),
        },
        (Method::GET, ["mirai_v2", "calls", id]) => v2_call(&v2(), id, StatusCode::OK),
        (Method::POST, ["mirai_v2", "calls", id, "status"]) => match status_of(&body) {
            Ok(status) => match v2().set_status(id, &status) {
                Ok(()) => v2_call(&v2(), id, StatusCode::OK),
                Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
            },
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        (Method::POST, ["mirai_v2", "calls", id, "advance"]) => match v2().advance(id) {
            Ok(_) => v2_call(&v2(), id, StatusCode::OK),
            Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
        },

        (Method::POST, ["cartesia", "batches"]) => {
            match object(&body).and_then(CartesiaBatchSeed::from_json) {
                Ok(seed) => {
                    let id = seed.id().to_owned();
                    cartesia().seed_batch(seed);
                    batch_reply(&cartesia(), &id, StatusCode::CREATED)
                }
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            }
        }
        (Method::GET, ["cartesia", "batches", id]) => batch_reply(&cartesia(), id, StatusCode::OK),
        (Method::POST, ["cartesia", "batches", id, "dispatch"]) => match count(&query) {
            Ok(n) => match cartesia().dispatch_batch(id, n) {
                Ok(ids) => response::json(StatusCode::OK, &json!({ "ids": ids })),
                Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
            },
            Err(message) => error(StatusCode::BAD_REQUEST, message),
        },
        (Method::POST, ["cartesia", "batches", id, "fail"]) => {
            let message = match optional_object(&body) {
                Ok(mut map) => match map.remove("message") {
                    None => Ok("The call could not be placed.".to_owned()),
                    Some(Value::String(text)) => Ok(text),
                    Some(_) => Err("message must be a string".to_owned()),
                },
                Err(message) => Err(message),
            };
            match (count(&query), message) {
                (Ok(n), Ok(message)) => match cartesia().fail_batch_recipients(id, n, &message) {
                    Ok(failed) => response::json(StatusCode::OK, &json!({ "failed": failed })),
                    Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
                },
                (Err(message), _) => error(StatusCode::BAD_REQUEST, message),
                (_, Err(message)) => error(StatusCode::BAD_REQUEST, &message),
            }
        }

        (Method::POST, ["mirai_v2", "campaigns"]) => {
            match object(&body).and_then(MiraiV2CampaignSeed::from_json) {
                Ok((seed, counts)) => {
                    let id = seed.id().to_owned();
                    v2().seed_campaign(seed);
                    match v2().campaign(&id) {
                        Some(campaign) => {
                            let mut value = campaign.control_json();
                            if let (Value::Object(map), Value::Object(counts)) =
                                (&mut value, counts)
                            {
                                map.extend(counts);
                            }
                            response::json(StatusCode::CREATED, &value)
                        }
                        None => error(StatusCode::NOT_FOUND, "no such campaign"),
                    }
                }
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            }
        }
        (Method::GET, ["mirai_v2", "campaigns", id]) => match v2().campaign(id) {
            Some(campaign) => response::json(StatusCode::OK, &campaign.control_json()),
            None => error(StatusCode::NOT_FOUND, "no such campaign"),
        },
        (Method::POST, ["mirai_v2", "campaigns", id, "dial"]) => match count(&query) {
            Ok(n) => match v2().dial_campaign(id, n) {
                Ok(ids) => response::json(StatusCode::OK, &json!({ "ids": ids })),
                Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
            },
            Err(message) => error(StatusCode::BAD_REQUEST, message),
        },
        (Method::GET, ["mirai_v2", "dnc"]) => {
            response::json(StatusCode::OK, &json!({ "phones": v2().dnc_numbers() }))
        }
        (Method::POST, ["mirai_v2", "dnc"]) => {
            match object(&body).map(|mut map| map.remove("phone")) {
                Ok(Some(Value::String(phone))) => response::json(
                    StatusCode::OK,
                    &json!({ "added": v2().add_dnc_number(&phone) }),
                ),
                Ok(_) => error(StatusCode::BAD_REQUEST, "phone (a string) is required"),
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            }
        }
        (Method::DELETE, ["mirai_v2", "dnc", phone]) => response::json(
            StatusCode::OK,
            &json!({ "removed": v2().remove_dnc_number(phone) }),
        ),
        (Method::GET, ["mirai_v2", "calling_window"]) => {
            response::json(StatusCode::OK, &v2().calling_window().to_json())
        }
        (Method::PUT, ["mirai_v2", "calling_window"]) => {
            match object(&body).and_then(|map| CallingWindow::from_json(&map)) {
                Ok(window) => {
                    v2().set_calling_window(window);
                    response::json(StatusCode::OK, &window.to_json())
                }
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            }
        }

        (Method::POST, ["faults"]) => match object(&body).and_then(|o| script_fault(app, o)) {
            Ok(()) => response::json(
                StatusCode::CREATED,
                &json!({ "pending": app.faults.pending() }),
            ),
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        (Method::GET, ["faults"]) => {
            response::json(StatusCode::OK, &json!({ "pending": app.faults.pending() }))
        }
        (Method::DELETE, ["faults"]) => {
            app.faults.clear();
            response::json(StatusCode::OK, &json!({ "pending": 0 }))
        }

        (Method::GET, ["journal"]) => journal_summary(app),
        (Method::GET, ["journal", "count"]) => journal_count(app, &query),
        (Method::DELETE, ["journal"]) => {
            app.journal.clear();
            response::json(StatusCode::OK, &json!({ "total": 0 }))
        }

        _ => error(StatusCode::NOT_FOUND, "no such control route"),
    }
}

fn error(status: StatusCode, message: &str) -> Reply {
    response::json(status, &json!({ "error": message }))
}

fn object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err("the body must be a JSON object".to_owned()),
    }
}

/// A JSON object, or an empty one for an empty body.
fn optional_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Map::new())
    } else {
        object(body)
    }
}

fn batch_reply(control: &CartesiaControl, id: &str, status: StatusCode) -> Reply {
    match control.batch(id) {
        Some(batch) => response::json(status, &batch.to_json()),
        None => error(StatusCode::NOT_FOUND, "no such batch"),
    }
}

fn status_of(body: &[u8]) -> Result<String, String> {
    let mut map = object(body)?;
    match map.remove("status") {
        Some(Value::String(s)) => Ok(s),
        _ => Err("status (a string) is required".to_owned()),
    }
}

fn count(query: &Query) -> Result<usize, &'static str> {
    match query.get("count").map(str::parse::<usize>) {
        Some(Ok(n)) if n <= MAX_SEED => Ok(n),
        _ => Err("count must be an integer from 0 to 100000"),
    }
}

fn ids_reply(ids: Vec<String>) -> Reply {
    response::json(StatusCode::CREATED, &json!({ "ids": ids }))
}

fn cartesia_call(app: &Arc<App>, id: &str, status: StatusCode) -> Reply {
    match CartesiaControl::new(Arc::clone(app)).call(id) {
        Some(call) => response::json(status, &call.to_json()),
        None => error(StatusCode::NOT_FOUND, "no such call"),
    }
}

fn mirai_call(control: &MiraiControl, id: &str, status: StatusCode) -> Reply {
    match control.call(id) {
        Some(call) => response::json(status, &mirai_json(&call)),
        None => error(StatusCode::NOT_FOUND, "no such call"),
    }
}

fn mirai_json(call: &MiraiCall) -> Value {
    json!({
        "id": call.id(),
        "status": call.status(),
        "assistant": call.assistant(),
        "phoneNumber": call.phone_number(),
        "payload": call.payload(),
        "callbackUrl": call.callback_url(),
        "metadata": call.metadata(),
        "priority": call.priority(),
    })
}

fn v2_call(control: &MiraiV2Control, id: &str, status: StatusCode) -> Reply {
    match control.call(id) {
        Some(call) => response::json(status, &call.to_json()),
        None => error(StatusCode::NOT_FOUND, "no such call"),
    }
}

/// `{"call_id" | "route", "times"?, "fault": {"kind", …}}`.
fn script_fault(app: &App, mut object: Map<String, Value>) -> Result<(), String> {
    let times = match object.remove("times") {
        None => 1,
        Some(value) => value
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or("times must be a non-negative integer")?,
    };
    let fault = match object.remove("fault") {
        Some(Value::Object(spec)) => parse_fault(&spec)?,
        _ => return Err("fault (an object with a kind) is required".to_owned()),
    };
    match (object.remove("call_id"), object.remove("route")) {
        (Some(Value::String(id)), None) => app.faults.on_call(id, fault, times),
        (None, Some(Value::String(name))) => {
            let route: Route = name
                .parse()
                .map_err(|e: crate::UnknownRoute| e.to_string())?;
            app.faults.on_route(route, fault, times);
        }
        _ => return Err("give exactly one of call_id and route (strings)".to_owned()),
    }
    Ok(())
}

fn parse_fault(spec: &Map<String, Value>) -> Result<Fault, String> {
    let number = |key: &str| spec.get(key).and_then(Value::as_u64);
    let code = |key: &str| {
        number(key)
            .and_then(|c| u16::try_from(c).ok())
            .ok_or(format!("{key} must be an HTTP status code"))
    };
    let text = |key: &str| spec.get(key).and_then(Value::as_str).map(str::to_owned);
    match spec.get("kind").and_then(Value::as_str) {
        Some("status") => Ok(Fault::Status {
            code: code("code")?,
            retry_after: text("retry_after"),
            body: text("body"),
        }),
        Some("latency") => Ok(Fault::Latency(Duration::from_millis(
            number("ms").ok_or("ms must be a number of milliseconds")?,
        ))),
        Some("reset") => Ok(Fault::Reset),
        Some("lost_reply") => Ok(Fault::LostReply),
        Some("hang") => Ok(Fault::Hang),
        Some("malformed_json") => Ok(Fault::MalformedJson),
        Some("wrong_shape") => Ok(Fault::WrongShape),
        Some("huge_body") => Ok(Fault::HugeBody {
            bytes: number("bytes").ok_or("bytes must be a number")?,
        }),
        Some("html") => Ok(Fault::Html {
            status: code("status")?,
        }),
        _ => Err("fault.kind must be one of status, latency, reset, lost_reply, hang, malformed_json, wrong_shape, huge_body, html".to_owned()),
    }
}

fn journal_summary(app: &App) -> Reply {
    let journal = &app.journal;
    let per_route = |count: &dyn Fn(Route) -> u64| -> Map<String, Value> {
        Route::ALL
            .iter()
            .map(|route| (route.as_str().to_owned(), json!(count(*route))))
            .collect()
    };
    let routes = per_route(&|route| journal.route_count(route));
    let handled = per_route(&|route| journal.route_handled(route));
    response::json(
        StatusCode::OK,
        &json!({
            "total": journal.total(),
            "unmatched": journal.unmatched(),
            "untracked": journal.untracked(),
            "routes": routes,
            "handled": handled,
            "webhooks": {
                "delivered": journal.webhooks_delivered(),
                "failed": journal.webhooks_failed(),
            },
        }),
    )
}

fn journal_count(app: &App, query: &Query) -> Reply {
    let Some(route) = query.get("route").and_then(|r| r.parse::<Route>().ok()) else {
        return error(StatusCode::BAD_REQUEST, "route must be a route name");
    };
    let call_id = query.get("call_id");
    response::json(
        StatusCode::OK,
        &json!({
            "route": route.as_str(),
            "call_id": call_id,
            "count": app.journal.count(route, call_id),
            "auth_count": app.journal.auth_count(route, call_id),
            "handled": app.journal.handled(route, call_id),
        }),
    )
}
