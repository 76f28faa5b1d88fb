//! The request pipeline: route, read, journal, fault, then the provider handler.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue, RETRY_AFTER};
use hyper::{HeaderMap, StatusCode};

use crate::app::{App, Request};
use crate::body::{self, RequestBody, SimBody};
use crate::fault::Fault;
use crate::query::Query;
use crate::response::{self, Reply};
use crate::route::{self, Family, Route, Target};
use crate::{cartesia, control, mirai, mirai_v2, recording};

/// Largest request body read (Mirai v2's documented 1 MB limit); larger ones get 413.
const BODY_LIMIT: usize = 1024 * 1024;

/// What to do with a request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Send this response.
    Respond(Reply),
    /// Close the connection with a TCP reset and send nothing.
    Reset,
}

/// Handles one request.
pub(crate) async fn handle(app: &Arc<App>, request: hyper::Request<Incoming>) -> Outcome {
    let (parts, incoming) = request.into_parts();
    let target = route::resolve(&parts.method, parts.uri.path());
    let (route, path_id) = match target {
        Target::Api { route, path_id } => (route, path_id),
        Target::Control(segments) => {
            let body = body::read(incoming, BODY_LIMIT).await;
            return Outcome::Respond(control::handle(
                app,
                &parts.method,
                &segments,
                parts.uri.query(),
                body,
            ));
        }
        Target::NotFound(family) => {
            app.journal.record_unmatched();
            return Outcome::Respond(response::error(family, StatusCode::NOT_FOUND, "Not found"));
        }
        Target::MethodNotAllowed { family, allow } => {
            app.journal.record_unmatched();
            let mut response =
                response::error(family, StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static(allow));
            return Outcome::Respond(response);
        }
    };

    let body = body::read(incoming, BODY_LIMIT).await;
    let call_id = match (&path_id, &body) {
        (Some(id), _) => Some(id.clone()),
        // The legacy abort names its call in the body.
        (None, RequestBody::Complete(bytes)) if route == Route::MiraiAbort => body_call_id(bytes),
        _ => None,
    };
    let fault = app.faults.take(route, call_id.as_deref());
    app.journal.record(
        route,
        call_id.as_deref(),
        carries_credentials(&parts.headers),
        fault.as_ref(),
    );

    let normal = |app: &App| {
        let request = Request {
            headers: &parts.headers,
            query: Query::parse(parts.uri.query()),
            body: match &body {
                RequestBody::Complete(bytes) => bytes,
                _ => &[],
            },
        };
        match &body {
            RequestBody::Complete(_) => answer(app, route, path_id.as_deref(), &request),
            RequestBody::TooLarge => response::error(
                route.family(),
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body is larger than 1 MB",
            ),
            RequestBody::Broken => response::error(
                route.family(),
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            ),
        }
    };

    let Some(fault) = fault else {
        return Outcome::Respond(normal(app));
    };
    match fault {
        Fault::Status {
            code,
            retry_after,
            body,
        } => Outcome::Respond(status_fault(route.family(), code, retry_after, body)),
        Fault::Latency(delay) => {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = app.shutdown.cancelled() => {}
            }
            Outcome::Respond(normal(app))
        }
        Fault::Reset => Outcome::Reset,
        Fault::LostReply => {
            drop(normal(app));
            Outcome::Reset
        }
        Fault::Hang => {
            app.shutdown.cancelled().await;
            Outcome::Reset
        }
        Fault::MalformedJson => Outcome::Respond(response::json_bytes(
            StatusCode::OK,
            Bytes::from_static(b"{\"cancelled\": tru"),
        )),
        Fault::WrongShape => Outcome::Respond(response::json_bytes(
            StatusCode::OK,
            Bytes::from_static(b"{\"ok\":1}"),
        )),
        Fault::HugeBody { bytes } => Outcome::Respond(response::with_body(
            StatusCode::OK,
            "application/json",
            SimBody::huge_json(bytes),
        )),
        Fault::Html { status } => Outcome::Respond(html_fault(status)),
    }
}

/// Runs the provider handler of `route`.
fn answer(app: &App, route: Route, path_id: Option<&str>, request: &Request<'_>) -> Reply {
    match route.family() {
        Family::Cartesia => cartesia::handle(app, route, path_id, request),
        Family::Mirai => mirai::handle(app, route, path_id, request),
        Family::MiraiV2 => mirai_v2::handle(app, route, path_id, request),
        Family::Sim => recording::download(app, path_id.unwrap_or_default(), request),
    }
}

/// The `callId` of a legacy abort body, for the journal and fault matching.
fn body_call_id(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("callId")?.as_str().map(str::to_owned)
}

/// Whether a request carried any credential header, valid or not.
fn carries_credentials(headers: &HeaderMap) -> bool {
    [
        "authorization",
        "x-api-key",
        "x-public-key",
        "x-private-key",
    ]
    .iter()
    .any(|name| headers.contains_key(*name))
}

fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn status_fault(
    family: Family,
    code: u16,
    retry_after: Option<String>,
    body: Option<String>,
) -> Reply {
    let status = status_code(code);
    let mut response = match body {
        Some(body) => {
            let content_type = if body.trim_start().starts_with(['{', '[']) {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            };
            response::with_body(status, content_type, SimBody::full(body))
        }
        None => response::error(
            family,
            status,
            &format!("simulated {} response", status.as_u16()),
        ),
    };
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

fn html_fault(code: u16) -> Reply {
    let status = status_code(code);
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    response::with_body(status, "text/html", SimBody::full(page))
}
