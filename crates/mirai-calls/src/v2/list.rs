//! List Calls (new API): cursor pages, read lazily; and the calls still ringing or live to one number.

use std::collections::HashSet;

use call_core::provider_kit::Request;
use call_core::{Error, ErrorKind, Listing, PhoneNumber, Timestamp};
use futures_util::future;
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::Method;

use super::call::Call;
use super::error_body::is_final_answer;
use super::page::{check_limit, listing, until_error};
use super::status::MiraiV2CallStatus;
use crate::MiraiV2Client;

/// Which calls [`MiraiV2Client::list_calls`] reads: `GET /v2/calls?agent_id=&status=&from=&to=&limit=`.
///
/// Every filter is optional; calls come newest first.
///
/// ```
/// use mirai_calls::v2::{ListCalls, MiraiV2CallStatus};
///
/// let query = ListCalls::new().agent_id("agt_01K7Q9").status(MiraiV2CallStatus::InProgress).limit(100);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListCalls {
    agent_id: Option<String>,
    status: Option<MiraiV2CallStatus>,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    limit: Option<u32>,
}

impl ListCalls {
    /// Every call.
    pub fn new() -> Self {
        ListCalls::default()
    }

    /// Only this agent's calls.
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// Only calls in this status.
    pub fn status(mut self, status: MiraiV2CallStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only calls created at or after `from` (the `from` query parameter, inclusive).
    pub fn created_from(mut self, from: Timestamp) -> Self {
        self.from = Some(from);
        self
    }

    /// Only calls created before `to` (the `to` query parameter, exclusive).
    pub fn created_before(mut self, to: Timestamp) -> Self {
        self.to = Some(to);
        self
    }

    /// The page size, 1 to 100 (default: Mirai's, 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn validate(&self) -> call_core::Result<()> {
        check_limit(self.limit)?;
        if self
            .agent_id
            .as_deref()
            .is_some_and(|id| id.trim().is_empty())
        {
            return Err(Error::new(ErrorKind::InvalidInput, "agent_id is empty"));
        }
        Ok(())
    }

    fn request(&self, cursor: Option<&str>) -> Request {
        let mut request = Request::new(Method::GET, "list calls")
            .segment("v2")
            .segment("calls")
            .final_when(is_final_answer);
        if let Some(agent_id) = &self.agent_id {
            request = request.query("agent_id", agent_id.clone());
        }
        if let Some(status) = &self.status {
            request = request.query("status", status.as_str());
        }
        if let Some(from) = &self.from {
            request = request.query("from", from.to_string());
        }
        if let Some(to) = &self.to {
            request = request.query("to", to.to_string());
        }
        if let Some(limit) = self.limit {
            request = request.query("limit", limit.to_string());
        }
        if let Some(cursor) = cursor {
            request = request.query("cursor", cursor);
        }
        request
    }
}

/// The statuses of a call that may still ring or talk, in the order calls move through them.
const ACTIVE_STATUSES: [MiraiV2CallStatus; 3] = [
    MiraiV2CallStatus::Queued,
    MiraiV2CallStatus::Dialing,
    MiraiV2CallStatus::InProgress,
];

impl MiraiV2Client {
    /// Lists calls, newest first, one call at a time: `GET /v2/calls`, following `next_cursor` while `has_more`.
    /// [`Listing::pages`] gives the same walk a page at a time.
    ///
    /// Lazy: a page is requested only when the listing is polled past the previous one, so stopping early sends
    /// nothing more. It ends after the last page, or with one error: a failed request, a page that says more follow
    /// without a cursor, or a cursor given twice (which would loop for ever); the items of such a page are dropped
    /// with the error.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use mirai_calls::v2::{ListCalls, MiraiV2CallStatus};
    ///
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let mut calls = client.list_calls(ListCalls::new().status(MiraiV2CallStatus::InProgress));
    /// while let Some(call) = calls.try_next().await? {
    ///     println!("{} is live", call.id);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a [`call_core::Result`]: [`ErrorKind::InvalidInput`] first (and nothing sent) for an invalid
    /// query, else the errors of [`get_call`](Self::get_call), and [`ErrorKind::Decode`] for a broken cursor chain.
    pub fn list_calls(&self, query: ListCalls) -> Listing<Call> {
        listing(self, "list calls", "calls", move |cursor| {
            query.validate()?;
            Ok(query.request(cursor))
        })
    }

    /// The calls to `to` that may still ring or talk: `queued`, `dialing` or `in_progress`, each once.
    ///
    /// Made for "stop calling this number": abort each call it yields ([`abort_call`](Self::abort_call) or
    /// [`terminate`](call_core::CallControl::terminate)). It reads [`list_calls`](Self::list_calls) three times, with
    /// `status=queued`, then `dialing`, then `in_progress` (100 calls a page), and keeps the calls whose `to` is
    /// `to`. Filtering by status is far cheaper than reading the whole call history (kept 90 days) unfiltered: a
    /// workspace has at most 500 calls accepted and not yet ended (Mirai's queue depth), so the walk reads at most
    /// about 500 calls in about 8 requests. The statuses are read in the order calls move through them, so a call
    /// that moves on during the walk is met again in a later status (and yielded once).
    ///
    /// What it cannot guarantee:
    /// - A call created after the walk has read past its place (a new call lands on the first page, already read)
    ///   is not seen: run it again after aborting, until it yields nothing, or stop the source of new calls first.
    /// - Mirai does not filter by number, so every active call of the workspace is read, up to the 500 of the queue
    ///   depth (more if Mirai raised that limit for you).
    /// - A call yielded may have ended by the time you act on it (abort then answers 409, which `terminate` maps to
    ///   "already ended").
    /// - Calls placed by a [campaign](Self::create_campaign) are found too (they are ordinary calls), but the
    ///   campaign will dial again: pause or stop it, or add the number to the [do-not-call list](Self::add_to_dnc).
    ///
    /// Lazy like [`list_calls`](Self::list_calls), and ends with the first error.
    ///
    /// ```no_run
    /// use call_core::{CallControl, PhoneNumber};
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let calls = client.find_active_calls_to(&PhoneNumber::new("+919876543210")?);
    /// futures_util::pin_mut!(calls);
    /// while let Some(call) = calls.try_next().await? {
    ///     client.terminate(&call.id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`list_calls`](Self::list_calls).
    pub fn find_active_calls_to(
        &self,
        to: &PhoneNumber,
    ) -> impl Stream<Item = call_core::Result<Call>> + Send + 'static + use<> {
        let client = self.clone();
        let walks = stream::iter(ACTIVE_STATUSES)
            .flat_map(move |status| client.list_calls(ListCalls::new().status(status).limit(100)));
        let to = to.clone();
        let mut yielded = HashSet::new();
        until_error(walks).try_filter(move |call| {
            let wanted = call.to.as_deref() == Some(to.as_str()) && yielded.insert(call.id.clone());
            future::ready(wanted)
        })
    }
}
