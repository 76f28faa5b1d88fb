//! The do-not-call list (new API): `POST /v2/dnc`, `GET /v2/dnc`, `DELETE /v2/dnc/{phone}`.

use call_core::provider_kit::ErrorExt;
use std::fmt;

use call_core::provider_kit::{Idempotency, Request};
use call_core::{Listing, PhoneNumber, Timestamp};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::calls::success_json;
use super::error_body::{self, error_from, is_final_answer};
use super::page::{check_limit, listing};
use crate::MiraiV2Client;

/// What [`add_to_dnc`](MiraiV2Client::add_to_dnc) found: both mean the number will not be dialled by campaigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DncAdded {
    /// 201, `"added": true`: the number is now on the list.
    Added,
    /// 200, `"added": false`: it was on the list already (not an error). After a retry, perhaps put there by our
    /// own earlier attempt whose answer was lost.
    AlreadyListed,
}

impl DncAdded {
    /// The outcome's stable name: `added` or `already_listed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DncAdded::Added => "added",
            DncAdded::AlreadyListed => "already_listed",
        }
    }
}

impl fmt::Display for DncAdded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What [`remove_from_dnc`](MiraiV2Client::remove_from_dnc) found: both mean the number is not on the list now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DncRemoved {
    /// 204: the number was on the list and is now removed.
    Removed,
    /// 404 `not_found`: the number was not on the list. After a retry, perhaps removed by our own earlier attempt
    /// whose answer was lost.
    NotListed,
}

impl DncRemoved {
    /// The outcome's stable name: `removed` or `not_listed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DncRemoved::Removed => "removed",
            DncRemoved::NotListed => "not_listed",
        }
    }
}

impl fmt::Display for DncRemoved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A number on the do-not-call list, from [`list_dnc`](MiraiV2Client::list_dnc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DncEntry {
    /// The number, as Mirai stored it (E.164).
    pub phone: String,
    /// When it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The object's type, `"dnc_entry"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How [`list_dnc`](MiraiV2Client::list_dnc) reads the list: `GET /v2/dnc?limit=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListDnc {
    limit: Option<u32>,
}

impl ListDnc {
    /// The whole list.
    pub fn new() -> Self {
        ListDnc::default()
    }

    /// The page size, 1 to 100 (default: Mirai's, 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

#[derive(Serialize)]
struct AddBody<'a> {
    phone: &'a str,
}

#[derive(Deserialize)]
struct AddedBody {
    #[serde(default)]
    added: Option<bool>,
}

fn dnc_request(method: Method, operation: &'static str) -> Request {
    Request::new(method, operation)
        .segment("v2")
        .segment("dnc")
        // Every `/v2/dnc` route answers 503 `campaigns_unavailable` when campaigns are off: final.
        .final_when(is_final_answer)
}

impl MiraiV2Client {
    /// Puts a number on the workspace's [do-not-call list](https://docs.miraiminds.co/v2/dnc): `POST /v2/dnc`,
    /// `{"phone": "+91..."}`.
    ///
    /// Campaigns check the list **at dial time**, so a number added mid-campaign is suppressed from that moment
    /// (its contact ends `suppressed`, never dialled or billed). The list does **not** apply to
    /// [`create_call`](Self::create_call): a single call is an explicit instruction, so check the list yourself, and
    /// use [`find_active_calls_to`](Self::find_active_calls_to) to find calls already placed. It is the workspace's
    /// own list, not TRAI's DND/NCPR register.
    ///
    /// Idempotent by Mirai's own pattern ("POST on every opt-out, no read-modify-write"), so it is retried on
    /// connection failures, timeouts, 429 and 5xx; a repeat answers [`DncAdded::AlreadyListed`]. Mirai's body has
    /// only `phone`: there is no field for a reason, so keep your own audit trail of who asked and why.
    ///
    /// ```no_run
    /// use call_core::PhoneNumber;
    ///
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let outcome = client.add_to_dnc(&PhoneNumber::new("+919876543210")?).await?;
    /// println!("{outcome}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](call_core::ErrorKind::InvalidInput) for 400 `invalid_request` (the number is a
    /// [`PhoneNumber`], so E.164 already); 503 `campaigns_unavailable`
    /// ([`ErrorKind::Upstream`](call_core::ErrorKind::Upstream), not retryable): campaigns, and with them the list,
    /// are not enabled; [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a 2xx that is not a DNC entry; and
    /// the usual 401, 403, 429, 5xx, timeout and transport errors.
    pub async fn add_to_dnc(&self, phone: &PhoneNumber) -> call_core::Result<DncAdded> {
        let body = serde_json::to_vec(&AddBody {
            phone: phone.as_str(),
        })
        .map_err(|e| {
            call_core::Error::new(
                call_core::ErrorKind::InvalidInput,
                "could not encode the request",
            )
            .with_source(e)
        })?;
        let request = dnc_request(Method::POST, "add to dnc list")
            .json_body(body)
            // Adding a listed number is "not an error": a repeat answers 200 `added: false`.
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        let body: AddedBody = success_json(&response)?;
        // Mirai says to branch on `added`; the status (201 new, 200 listed) decides when it is missing.
        let added = body.added.unwrap_or(response.status() == 201);
        Ok(if added {
            DncAdded::Added
        } else {
            DncAdded::AlreadyListed
        })
    }

    /// Takes a number off the do-not-call list: `DELETE /v2/dnc/{phone}` (the number percent-encoded, `+` as
    /// `%2B`).
    ///
    /// Removal un-suppresses the number at once for future campaigns and for contacts not yet claimed; contacts
    /// already `suppressed` stay so. Mirai advises removing numbers one by one, deliberately, with a logged reason.
    ///
    /// Retried on connection failures, timeouts, 429 and 5xx: a repeat answers 404 `not_found`, which is
    /// [`DncRemoved::NotListed`], so the number is off the list either way.
    ///
    /// # Errors
    ///
    /// 503 `campaigns_unavailable` (not retryable); a 404 without Mirai's `not_found` code (a proxy's page, a wrong
    /// base URL) is [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound); and the usual 401, 403, 429, 5xx,
    /// timeout and transport errors.
    pub async fn remove_from_dnc(&self, phone: &PhoneNumber) -> call_core::Result<DncRemoved> {
        let request = dnc_request(Method::DELETE, "remove from dnc list")
            .segment(phone.as_str())
            // A repeat answers 404 `not_found`: the number is off the list either way.
            .idempotency(Idempotency::Idempotent);
        let response = self.http.send(request).await?;
        if response.is_success() {
            return Ok(DncRemoved::Removed);
        }
        if response.status() == 404
            && error_body::read(response.body()).code.as_deref() == Some("not_found")
        {
            return Ok(DncRemoved::NotListed);
        }
        Err(error_from(&response))
    }

    /// Lists the do-not-call list, one number at a time: `GET /v2/dnc`, lazily, following `next_cursor` like
    /// [`list_calls`](Self::list_calls).
    ///
    /// # Errors
    ///
    /// Each item is a [`call_core::Result`]: [`ErrorKind::InvalidInput`](call_core::ErrorKind::InvalidInput) first
    /// (nothing sent) for a limit outside 1 to 100, else the errors of [`add_to_dnc`](Self::add_to_dnc), and
    /// [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a broken cursor chain.
    pub fn list_dnc(&self, query: ListDnc) -> Listing<DncEntry> {
        listing(self, "list dnc", "numbers", move |cursor| {
            check_limit(query.limit)?;
            let mut request = dnc_request(Method::GET, "list dnc");
            if let Some(limit) = query.limit {
                request = request.query("limit", limit.to_string());
            }
            if let Some(cursor) = cursor {
                request = request.query("cursor", cursor);
            }
            Ok(request)
        })
    }
}
