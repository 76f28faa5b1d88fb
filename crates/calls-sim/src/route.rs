//! Route names and the mapping of a request's method and path to them.

use std::fmt;
use std::str::FromStr;

use hyper::Method;
use percent_encoding::percent_decode_str;

/// One provider operation served by the simulator.
///
/// Each route has a stable name, returned by [`Route::as_str`] and accepted by [`str::parse`];
/// the names are used by the journal, by fault scripts and by the `/_sim` control API.
/// The id in a route's path (a call, batch or campaign id, or the phone of `mirai_v2.dnc_remove`)
/// is what the journal counts per id and what [`crate::Faults::on_call`] matches.
///
/// | name | request |
/// | --- | --- |
/// | `cartesia.cancel` | `POST /agents/calls/{call_id}/cancel` |
/// | `cartesia.get` | `GET /agents/calls/{call_id}` |
/// | `cartesia.list` | `GET /agents/calls` |
/// | `cartesia.delete` | `DELETE /agents/calls/{call_id}` |
/// | `cartesia.audio` | `GET /agents/calls/{call_id}/audio` |
/// | `cartesia.create` | `POST /agents/calls` |
/// | `cartesia.logs` | `GET /agents/calls/{call_id}/logs` |
/// | `cartesia.batch_create` | `POST /agents/calls/batches` |
/// | `cartesia.batch_list` | `GET /agents/calls/batches` |
/// | `cartesia.batch_get` | `GET /agents/calls/batches/{batch_id}` |
/// | `cartesia.batch_cancel` | `POST /agents/calls/batches/{batch_id}/cancel` |
/// | `cartesia.batch_retry` | `POST /agents/calls/batches/{batch_id}/retry` |
/// | `mirai.initiate` | `POST /v2/call/initiate` |
/// | `mirai.abort` | `POST /v2/call/abort` (the call id is read from the body) |
/// | `mirai.update` | `PUT /v2/call/{callId}` |
/// | `mirai_v2.create` | `POST /v2/calls` |
/// | `mirai_v2.get` | `GET /v2/calls/{id}` |
/// | `mirai_v2.list` | `GET /v2/calls` |
/// | `mirai_v2.transcript` | `GET /v2/calls/{id}/transcript` |
/// | `mirai_v2.recording` | `GET /v2/calls/{id}/recording` |
/// | `mirai_v2.abort` | `POST /v2/calls/{id}/abort` |
/// | `mirai_v2.campaign_create` | `POST /v2/campaigns` |
/// | `mirai_v2.campaign_list` | `GET /v2/campaigns` |
/// | `mirai_v2.campaign_get` | `GET /v2/campaigns/{id}` |
/// | `mirai_v2.campaign_update` | `PATCH /v2/campaigns/{id}` |
/// | `mirai_v2.campaign_add_contacts` | `POST /v2/campaigns/{id}/contacts` |
/// | `mirai_v2.campaign_list_contacts` | `GET /v2/campaigns/{id}/contacts` |
/// | `mirai_v2.campaign_start` | `POST /v2/campaigns/{id}/start` |
/// | `mirai_v2.campaign_pause` | `POST /v2/campaigns/{id}/pause` |
/// | `mirai_v2.campaign_resume` | `POST /v2/campaigns/{id}/resume` |
/// | `mirai_v2.campaign_stop` | `POST /v2/campaigns/{id}/stop` |
/// | `mirai_v2.campaign_report` | `GET /v2/campaigns/{id}/report` (JSON, or CSV with `format=csv`) |
/// | `mirai_v2.dnc_add` | `POST /v2/dnc` |
/// | `mirai_v2.dnc_list` | `GET /v2/dnc` |
/// | `mirai_v2.dnc_remove` | `DELETE /v2/dnc/{phone}` |
/// | `sim.recording_download` | `GET /_sim/recordings/{id}.wav` (where `mirai_v2.recording` redirects) |
///
/// ```
/// use calls_sim::Route;
///
/// let route: Route = "cartesia.cancel".parse()?;
/// assert_eq!(route, Route::CartesiaCancel);
/// assert_eq!(route.as_str(), "cartesia.cancel");
/// # Ok::<(), calls_sim::UnknownRoute>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Route {
    /// `cartesia.cancel`: `POST /agents/calls/{call_id}/cancel`.
    CartesiaCancel,
    /// `cartesia.get`: `GET /agents/calls/{call_id}`.
    CartesiaGet,
    /// `cartesia.list`: `GET /agents/calls`.
    CartesiaList,
    /// `cartesia.delete`: `DELETE /agents/calls/{call_id}`.
    CartesiaDelete,
    /// `cartesia.audio`: `GET /agents/calls/{call_id}/audio`.
    CartesiaAudio,
    /// `cartesia.create`: `POST /agents/calls`.
    CartesiaCreate,
    /// `cartesia.logs`: `GET /agents/calls/{call_id}/logs`.
    CartesiaLogs,
    /// `cartesia.batch_create`: `POST /agents/calls/batches`.
    CartesiaBatchCreate,
    /// `cartesia.batch_list`: `GET /agents/calls/batches`.
    CartesiaBatchList,
    /// `cartesia.batch_get`: `GET /agents/calls/batches/{batch_id}`.
    CartesiaBatchGet,
    /// `cartesia.batch_cancel`: `POST /agents/calls/batches/{batch_id}/cancel`.
    CartesiaBatchCancel,
    /// `cartesia.batch_retry`: `POST /agents/calls/batches/{batch_id}/retry`.
    CartesiaBatchRetry,
    /// `mirai.initiate`: `POST /v2/call/initiate` (legacy API).
    MiraiInitiate,
    /// `mirai.abort`: `POST /v2/call/abort` (legacy API).
    MiraiAbort,
    /// `mirai.update`: `PUT /v2/call/{callId}` (legacy API).
    MiraiUpdate,
    /// `mirai_v2.create`: `POST /v2/calls`.
    MiraiV2Create,
    /// `mirai_v2.get`: `GET /v2/calls/{id}`.
    MiraiV2Get,
    /// `mirai_v2.list`: `GET /v2/calls`.
    MiraiV2List,
    /// `mirai_v2.transcript`: `GET /v2/calls/{id}/transcript`.
    MiraiV2Transcript,
    /// `mirai_v2.recording`: `GET /v2/calls/{id}/recording`.
    MiraiV2Recording,
    /// `mirai_v2.abort`: `POST /v2/calls/{id}/abort`.
    MiraiV2Abort,
    /// `mirai_v2.campaign_create`: `POST /v2/campaigns`.
    MiraiV2CampaignCreate,
    /// `mirai_v2.campaign_list`: `GET /v2/campaigns`.
    MiraiV2CampaignList,
    /// `mirai_v2.campaign_get`: `GET /v2/campaigns/{id}`.
    MiraiV2CampaignGet,
    /// `mirai_v2.campaign_update`: `PATCH /v2/campaigns/{id}`.
    MiraiV2CampaignUpdate,
    /// `mirai_v2.campaign_add_contacts`: `POST /v2/campaigns/{id}/contacts`.
    MiraiV2CampaignAddContacts,
    /// `mirai_v2.campaign_list_contacts`: `GET /v2/campaigns/{id}/contacts`.
    MiraiV2CampaignListContacts,
    /// `mirai_v2.campaign_start`: `POST /v2/campaigns/{id}/start`.
    MiraiV2CampaignStart,
    /// `mirai_v2.campaign_pause`: `POST /v2/campaigns/{id}/pause`.
    MiraiV2CampaignPause,
    /// `mirai_v2.campaign_resume`: `POST /v2/campaigns/{id}/resume`.
    MiraiV2CampaignResume,
    /// `mirai_v2.campaign_stop`: `POST /v2/campaigns/{id}/stop`.
    MiraiV2CampaignStop,
    /// `mirai_v2.campaign_report`: `GET /v2/campaigns/{id}/report`.
    MiraiV2CampaignReport,
    /// `mirai_v2.dnc_add`: `POST /v2/dnc`.
    MiraiV2DncAdd,
    /// `mirai_v2.dnc_list`: `GET /v2/dnc`.
    MiraiV2DncList,
    /// `mirai_v2.dnc_remove`: `DELETE /v2/dnc/{phone}`.
    MiraiV2DncRemove,
    /// `sim.recording_download`: `GET /_sim/recordings/{id}.wav`, the signed URL a recording redirect points to.
    SimRecordingDownload,
}

impl Route {
    /// Every route, in the order of the table above.
    pub const ALL: [Route; 36] = [
        Route::CartesiaCancel,
        Route::CartesiaGet,
        Route::CartesiaList,
        Route::CartesiaDelete,
        Route::CartesiaAudio,
        Route::CartesiaCreate,
        Route::CartesiaLogs,
        Route::CartesiaBatchCreate,
        Route::CartesiaBatchList,
        Route::CartesiaBatchGet,
        Route::CartesiaBatchCancel,
        Route::CartesiaBatchRetry,
        Route::MiraiInitiate,
        Route::MiraiAbort,
        Route::MiraiUpdate,
        Route::MiraiV2Create,
        Route::MiraiV2Get,
        Route::MiraiV2List,
        Route::MiraiV2Transcript,
        Route::MiraiV2Recording,
        Route::MiraiV2Abort,
        Route::MiraiV2CampaignCreate,
        Route::MiraiV2CampaignList,
        Route::MiraiV2CampaignGet,
        Route::MiraiV2CampaignUpdate,
        Route::MiraiV2CampaignAddContacts,
        Route::MiraiV2CampaignListContacts,
        Route::MiraiV2CampaignStart,
        Route::MiraiV2CampaignPause,
        Route::MiraiV2CampaignResume,
        Route::MiraiV2CampaignStop,
        Route::MiraiV2CampaignReport,
        Route::MiraiV2DncAdd,
        Route::MiraiV2DncList,
        Route::MiraiV2DncRemove,
        Route::SimRecordingDownload,
    ];

    /// The number of routes.
    pub(crate) const COUNT: usize = Route::ALL.len();

    /// The route's stable name, e.g. `"cartesia.cancel"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Route::CartesiaCancel => "cartesia.cancel",
            Route::CartesiaGet => "cartesia.get",
            Route::CartesiaList => "cartesia.list",
            Route::CartesiaDelete => "cartesia.delete",
            Route::CartesiaAudio => "cartesia.audio",
            Route::CartesiaCreate => "cartesia.create",
            Route::CartesiaLogs => "cartesia.logs",
            Route::CartesiaBatchCreate => "cartesia.batch_create",
            Route::CartesiaBatchList => "cartesia.batch_list",
            Route::CartesiaBatchGet => "cartesia.batch_get",
            Route::CartesiaBatchCancel => "cartesia.batch_cancel",
            Route::CartesiaBatchRetry => "cartesia.batch_retry",
            Route::MiraiInitiate => "mirai.initiate",
            Route::MiraiAbort => "mirai.abort",
            Route::MiraiUpdate => "mirai.update",
            Route::MiraiV2Create => "mirai_v2.create",
            Route::MiraiV2Get => "mirai_v2.get",
            Route::MiraiV2List => "mirai_v2.list",
            Route::MiraiV2Transcript => "mirai_v2.transcript",
            Route::MiraiV2Recording => "mirai_v2.recording",
            Route::MiraiV2Abort => "mirai_v2.abort",
            Route::MiraiV2CampaignCreate => "mirai_v2.campaign_create",
            Route::MiraiV2CampaignList => "mirai_v2.campaign_list",
            Route::MiraiV2CampaignGet => "mirai_v2.campaign_get",
            Route::MiraiV2CampaignUpdate => "mirai_v2.campaign_update",
            Route::MiraiV2CampaignAddContacts => "mirai_v2.campaign_add_contacts",
            Route::MiraiV2CampaignListContacts => "mirai_v2.campaign_list_contacts",
            Route::MiraiV2CampaignStart => "mirai_v2.campaign_start",
            Route::MiraiV2CampaignPause => "mirai_v2.campaign_pause",
            Route::MiraiV2CampaignResume => "mirai_v2.campaign_resume",
            Route::MiraiV2CampaignStop => "mirai_v2.campaign_stop",
            Route::MiraiV2CampaignReport => "mirai_v2.campaign_report",
            Route::MiraiV2DncAdd => "mirai_v2.dnc_add",
            Route::MiraiV2DncList => "mirai_v2.dnc_list",
            Route::MiraiV2DncRemove => "mirai_v2.dnc_remove",
            Route::SimRecordingDownload => "sim.recording_download",
        }
    }

    /// The position of the route in [`Route::ALL`], for per-route counters.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// Which API family answers this route, which decides the shape of error bodies.
    pub(crate) const fn family(self) -> Family {
        match self {
            Route::CartesiaCancel
            | Route::CartesiaGet
            | Route::CartesiaList
            | Route::CartesiaDelete
            | Route::CartesiaAudio
            | Route::CartesiaCreate
            | Route::CartesiaLogs
            | Route::CartesiaBatchCreate
            | Route::CartesiaBatchList
            | Route::CartesiaBatchGet
            | Route::CartesiaBatchCancel
            | Route::CartesiaBatchRetry => Family::Cartesia,
            Route::MiraiInitiate | Route::MiraiAbort | Route::MiraiUpdate => Family::Mirai,
            Route::MiraiV2Create
            | Route::MiraiV2Get
            | Route::MiraiV2List
            | Route::MiraiV2Transcript
            | Route::MiraiV2Recording
            | Route::MiraiV2Abort
            | Route::MiraiV2CampaignCreate
            | Route::MiraiV2CampaignList
            | Route::MiraiV2CampaignGet
            | Route::MiraiV2CampaignUpdate
            | Route::MiraiV2CampaignAddContacts
            | Route::MiraiV2CampaignListContacts
            | Route::MiraiV2CampaignStart
            | Route::MiraiV2CampaignPause
            | Route::MiraiV2CampaignResume
            | Route::MiraiV2CampaignStop
            | Route::MiraiV2CampaignReport
            | Route::MiraiV2DncAdd
            | Route::MiraiV2DncList
            | Route::MiraiV2DncRemove => Family::MiraiV2,
            Route::SimRecordingDownload => Family::Sim,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Route {
    type Err = UnknownRoute;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Route::ALL
            .into_iter()
            .find(|route| route.as_str() == name)
            .ok_or_else(|| UnknownRoute {
                name: name.chars().take(64).collect(),
            })
    }
}

/// The error returned when a string is not the name of a [`Route`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRoute {
    name: String,
}

impl fmt::Display for UnknownRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown simulator route name {:?}", self.name)
    }
}

impl std::error::Error for UnknownRoute {}

/// The API family a path belongs to; it decides the shape of error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/agents/...`
    Cartesia,
    /// `/v2/call/...`
    Mirai,
    /// `/v2/calls...`, `/v2/campaigns...`, `/v2/dnc...`
    MiraiV2,
    /// `/_sim/...` and anything else.
    Sim,
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A provider route, with the call id taken from the path when the path has one.
    Api {
        route: Route,
        path_id: Option<String>,
    },
    /// The `/_sim/...` control API; the segments after `_sim`.
    Control(Vec<String>),
    /// No such path.
    NotFound(Family),
    /// The path exists, the method does not; `allow` lists the methods that do.
    MethodNotAllowed { family: Family, allow: &'static str },
}

/// Maps a method and a path (without the query) to a [`Target`].
pub(crate) fn resolve(method: &Method, path: &str) -> Target {
    let Some(segments) = decode_segments(path) else {
        return Target::NotFound(family_of(path));
    };
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["agents", "calls"] => pick(
            method,
            Family::Cartesia,
            "GET, POST",
            &[
                (Method::GET, Route::CartesiaList),
                (Method::POST, Route::CartesiaCreate),
            ],
            None,
        ),
        // Batches share the prefix of `{call_id}`: the literal segment wins (a call id is never `batches`).
        ["agents", "calls", "batches"] => pick(
            method,
            Family::Cartesia,
            "GET, POST",
            &[
                (Method::GET, Route::CartesiaBatchList),
                (Method::POST, Route::CartesiaBatchCreate),
            ],
            None,
        ),
        ["agents", "calls", "batches", id] => pick(
            method,
            Family::Cartesia,
            "GET",
            &[(Method::GET, Route::CartesiaBatchGet)],
            Some(id),
        ),
        ["agents", "calls", "batches", id, "cancel"] => pick(
            method,
            Family::Cartesia,
            "POST",
            &[(Method::POST, Route::CartesiaBatchCancel)],
            Some(id),
        ),
        ["agents", "calls", "batches", id, "retry"] => pick(
            method,
            Family::Cartesia,
            "POST",
            &[(Method::POST, Route::CartesiaBatchRetry)],
            Some(id),
        ),
        ["agents", "calls", "batches", ..] => Target::NotFound(Family::Cartesia),
        ["agents", "calls", id] => pick(
            method,
            Family::Cartesia,
            "GET, DELETE",
            &[
                (Method::GET, Route::CartesiaGet),
                (Method::DELETE, Route::CartesiaDelete),
            ],
            Some(id),
        ),
        ["agents", "calls", id, "cancel"] => pick(
            method,
            Family::Cartesia,
            "POST",
            &[(Method::POST, Route::CartesiaCancel)],
            Some(id),
        ),
        ["agents", "calls", id, "audio"] => pick(
            method,
            Family::Cartesia,
            "GET",
            &[(Method::GET, Route::CartesiaAudio)],
            Some(id),
        ),
        ["agents", "calls", id, "logs"] => pick(
            method,
            Family::Cartesia,
            "GET",
            &[(Method::GET, Route::CartesiaLogs)],
            Some(id),
        ),
        ["v2", "call", "initiate"] if method == Method::POST => api(Route::MiraiInitiate, None),
        ["v2", "call", "abort"] if method == Method::POST => api(Route::MiraiAbort, None),
        ["v2", "call", id] => pick(
            method,
            Family::Mirai,
            "PUT",
            &[(Method::PUT, Route::MiraiUpdate)],
            Some(id),
        ),
        ["v2", "calls"] => pick(
            method,
            Family::MiraiV2,
            "GET, POST",
            &[
                (Method::GET, Route::MiraiV2List),
                (Method::POST, Route::MiraiV2Create),
            ],
            None,
        ),
        ["v2", "calls", id] => pick(
            method,
            Family::MiraiV2,
            "GET",
            &[(Method::GET, Route::MiraiV2Get)],
            Some(id),
        ),
        ["v2", "calls", id, "transcript"] => pick(
            method,
            Family::MiraiV2,
            "GET",
            &[(Method::GET, Route::MiraiV2Transcript)],
            Some(id),
        ),
        ["v2", "calls", id, "recording"] => pick(
            method,
            Family::MiraiV2,
            "GET",
            &[(Method::GET, Route::MiraiV2Recording)],
            Some(id),
        ),
        ["v2", "calls", id, "abort"] => pick(
            method,
            Family::MiraiV2,
            "POST",
            &[(Method::POST, Route::MiraiV2Abort)],
            Some(id),
        ),
        ["v2", "campaigns"] => pick(
            method,
            Family::MiraiV2,
            "GET, POST",
            &[
                (Method::GET, Route::MiraiV2CampaignList),
                (Method::POST, Route::MiraiV2CampaignCreate),
            ],
            None,
        ),
        ["v2", "campaigns", id] => pick(
            method,
            Family::MiraiV2,
            "GET, PATCH",
            &[
                (Method::GET, Route::MiraiV2CampaignGet),
                (Method::PATCH, Route::MiraiV2CampaignUpdate),
            ],
            Some(id),
        ),
        ["v2", "campaigns", id, "contacts"] => pick(
            method,
            Family::MiraiV2,
            "GET, POST",
            &[
                (Method::GET, Route::MiraiV2CampaignListContacts),
                (Method::POST, Route::MiraiV2CampaignAddContacts),
            ],
            Some(id),
        ),
        [
            "v2",
            "campaigns",
            id,
            action @ ("start" | "pause" | "resume" | "stop"),
        ] => {
            let route = match *action {
                "start" => Route::MiraiV2CampaignStart,
                "pause" => Route::MiraiV2CampaignPause,
                "resume" => Route::MiraiV2CampaignResume,
                _ => Route::MiraiV2CampaignStop,
            };
            pick(
                method,
                Family::MiraiV2,
                "POST",
                &[(Method::POST, route)],
                Some(id),
            )
        }
        ["v2", "campaigns", id, "report"] => pick(
            method,
            Family::MiraiV2,
            "GET",
            &[(Method::GET, Route::MiraiV2CampaignReport)],
            Some(id),
        ),
        ["v2", "dnc"] => pick(
            method,
            Family::MiraiV2,
            "GET, POST",
            &[
                (Method::GET, Route::MiraiV2DncList),
                (Method::POST, Route::MiraiV2DncAdd),
            ],
            None,
        ),
        ["v2", "dnc", phone] => pick(
            method,
            Family::MiraiV2,
            "DELETE",
            &[(Method::DELETE, Route::MiraiV2DncRemove)],
            Some(phone),
        ),
        ["_sim", "recordings", file] => match file.strip_suffix(".wav") {
            Some(id) if !id.is_empty() => pick(
                method,
                Family::Sim,
                "GET",
                &[(Method::GET, Route::SimRecordingDownload)],
                Some(id),
            ),
            _ => Target::NotFound(Family::Sim),
        },
        ["_sim", rest @ ..] => Target::Control(rest.iter().map(|s| (*s).to_owned()).collect()),
        _ => Target::NotFound(family_of(path)),
    }
}

fn api(route: Route, path_id: Option<&str>) -> Target {
    Target::Api {
        route,
        path_id: path_id.map(str::to_owned),
    }
}

fn pick(
    method: &Method,
    family: Family,
    allow: &'static str,
    table: &[(Method, Route)],
    path_id: Option<&str>,
) -> Target {
    table
        .iter()
        .find(|(m, _)| m == method)
        .map(|(_, route)| api(*route, path_id))
        .unwrap_or(Target::MethodNotAllowed { family, allow })
}

/// Splits a path into percent-decoded segments; `None` for a path that is not absolute, has an
/// empty segment (`//`, a trailing `/`) or does not decode to UTF-8.
fn decode_segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix('/')?;
    rest.split('/')
        .map(|segment| {
            if segment.is_empty() {
                return None;
            }
            percent_decode_str(segment)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        })
        .collect()
}

fn family_of(path: &str) -> Family {
    if path.starts_with("/agents") {
        Family::Cartesia
    } else if ["/v2/calls", "/v2/campaigns", "/v2/dnc"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
    {
        Family::MiraiV2
    } else if path.starts_with("/v2/") {
        Family::Mirai
    } else {
        Family::Sim
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route_of(method: Method, path: &str) -> Option<(Route, Option<String>)> {
        match resolve(&method, path) {
            Target::Api { route, path_id } => Some((route, path_id)),
            _ => None,
        }
    }

    #[test]
    fn names_round_trip() {
        for route in Route::ALL {
            assert_eq!(route.as_str().parse::<Route>(), Ok(route));
            assert_eq!(Route::ALL[route.index()], route);
        }
        assert!("cartesia.cancle".parse::<Route>().is_err());
    }

    #[test]
    fn resolves_paths() {
        assert_eq!(
            route_of(Method::POST, "/agents/calls/ac_1/cancel"),
            Some((Route::CartesiaCancel, Some("ac_1".into())))
        );
        assert_eq!(
            route_of(Method::GET, "/agents/calls/a%2Fb"),
            Some((Route::CartesiaGet, Some("a/b".into())))
        );
        assert_eq!(
            route_of(Method::GET, "/agents/calls/batches"),
            Some((Route::CartesiaBatchList, None))
        );
        assert_eq!(
            route_of(Method::POST, "/agents/calls/batches/b1/cancel"),
            Some((Route::CartesiaBatchCancel, Some("b1".into())))
        );
        assert_eq!(
            route_of(Method::GET, "/agents/calls/batches/b1"),
            Some((Route::CartesiaBatchGet, Some("b1".into())))
        );
        assert_eq!(
            resolve(&Method::GET, "/agents/calls/batches/b1/recipients"),
            Target::NotFound(Family::Cartesia)
        );
        assert_eq!(
            route_of(Method::POST, "/v2/campaigns/cmp_1/stop"),
            Some((Route::MiraiV2CampaignStop, Some("cmp_1".into())))
        );
        assert_eq!(
            route_of(Method::PATCH, "/v2/campaigns/cmp_1"),
            Some((Route::MiraiV2CampaignUpdate, Some("cmp_1".into())))
        );
        assert_eq!(
            route_of(Method::DELETE, "/v2/dnc/%2B919876543210"),
            Some((Route::MiraiV2DncRemove, Some("+919876543210".into())))
        );
        assert!(matches!(
            resolve(&Method::PUT, "/v2/dnc"),
            Target::MethodNotAllowed {
                family: Family::MiraiV2,
                ..
            }
        ));
        assert_eq!(
            resolve(&Method::GET, "/v2/campaigns/cmp_1/explode"),
            Target::NotFound(Family::MiraiV2)
        );
        assert_eq!(
            route_of(Method::PUT, "/v2/call/abc"),
            Some((Route::MiraiUpdate, Some("abc".into())))
        );
        assert_eq!(
            route_of(Method::POST, "/v2/call/abort"),
            Some((Route::MiraiAbort, None))
        );
        assert_eq!(
            route_of(Method::GET, "/_sim/recordings/call_1.wav"),
            Some((Route::SimRecordingDownload, Some("call_1".into())))
        );
        assert!(matches!(
            resolve(&Method::PATCH, "/v2/calls/x"),
            Target::MethodNotAllowed {
                family: Family::MiraiV2,
                ..
            }
        ));
        assert_eq!(
            resolve(&Method::GET, "/agents/calls/"),
            Target::NotFound(Family::Cartesia)
        );
        assert_eq!(
            resolve(&Method::GET, "/_sim/journal"),
            Target::Control(vec!["journal".into()])
        );
    }
}
