//! List Calls (new API): cursor pages, read lazily.

use std::collections::{HashSet, VecDeque};

use call_core::http::Request;
use call_core::{Error, ErrorKind, Provider, Timestamp};
use futures_util::stream::{self, Stream};
use reqwest::Method;

use super::call::{Call, CallPage};
use super::calls::success_json;
use super::error_body::is_final_answer;
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
        if self.limit.is_some_and(|limit| !(1..=100).contains(&limit)) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "limit must be 1 to 100",
            ));
        }
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

/// Where a page walk is.
struct Walk {
    client: MiraiV2Client,
    query: ListCalls,
    /// The cursor of the next page; `None` before the first page.
    cursor: Option<String>,
    /// Every cursor followed so far: a repeat would loop for ever.
    seen: HashSet<String>,
    done: bool,
}

impl Walk {
    /// The next page, or `None` when the last one was read.
    async fn next_page(&mut self) -> call_core::Result<Option<CallPage>> {
        if self.done {
            return Ok(None);
        }
        let request = self.query.request(self.cursor.as_deref());
        let response = self.client.http.send(request).await?;
        let page: CallPage = success_json(&response)?;
        if page.has_more {
            match &page.next_cursor {
                Some(next) if !next.is_empty() => {
                    if !self.seen.insert(next.clone()) {
                        return Err(broken_pagination(
                            "the provider gave a cursor it gave before; stopping instead of looping",
                        ));
                    }
                    self.cursor = Some(next.clone());
                }
                // Stopping here would silently drop the rest of the list.
                _ => {
                    return Err(broken_pagination(
                        "the provider said more pages follow but gave no cursor",
                    ));
                }
            }
        } else {
            self.done = true;
        }
        Ok(Some(page))
    }
}

fn broken_pagination(detail: &'static str) -> Error {
    Error::new(ErrorKind::Decode, detail)
        .with_provider(Provider::MiraiV2)
        .with_operation("list calls")
        .with_request_sent(true)
}

impl MiraiV2Client {
    /// Lists calls, newest first, as a stream of pages: `GET /v2/calls`, following `next_cursor` while `has_more`.
    ///
    /// Lazy: a page is requested only when the stream is polled past the previous one, so stopping early sends
    /// nothing more. The stream ends after the last page, or with one error: a failed request, a page that says
    /// more follow without a cursor, or a cursor given twice (which would loop for ever).
    ///
    /// # Errors
    ///
    /// Each item is a [`call_core::Result`]: [`ErrorKind::InvalidInput`] first (and nothing sent) for an invalid
    /// query, else the errors of [`get_call`](Self::get_call), and [`ErrorKind::Decode`] for a broken cursor chain.
    pub fn list_call_pages(
        &self,
        query: ListCalls,
    ) -> impl Stream<Item = call_core::Result<CallPage>> + Send + 'static {
        let invalid = query.validate().err();
        let walk = Walk {
            client: self.clone(),
            query,
            cursor: None,
            seen: HashSet::new(),
            done: false,
        };
        stream::try_unfold((walk, invalid), |(mut walk, invalid)| async move {
            if let Some(error) = invalid {
                return Err(error);
            }
            Ok(walk.next_page().await?.map(|page| (page, (walk, None))))
        })
    }

    /// Lists calls, newest first, one call at a time: [`list_call_pages`](Self::list_call_pages), flattened.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use mirai_calls::v2::{ListCalls, MiraiV2CallStatus};
    ///
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let calls = client.list_calls(ListCalls::new().status(MiraiV2CallStatus::InProgress));
    /// futures_util::pin_mut!(calls);
    /// while let Some(call) = calls.try_next().await? {
    ///     println!("{} is live", call.id);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`list_call_pages`](Self::list_call_pages).
    pub fn list_calls(
        &self,
        query: ListCalls,
    ) -> impl Stream<Item = call_core::Result<Call>> + Send + 'static {
        let invalid = query.validate().err();
        let walk = Walk {
            client: self.clone(),
            query,
            cursor: None,
            seen: HashSet::new(),
            done: false,
        };
        let state = (walk, VecDeque::<Call>::new(), invalid);
        stream::try_unfold(state, |(mut walk, mut buffered, invalid)| async move {
            if let Some(error) = invalid {
                return Err(error);
            }
            loop {
                if let Some(call) = buffered.pop_front() {
                    return Ok(Some((call, (walk, buffered, None))));
                }
                match walk.next_page().await? {
                    Some(page) => buffered.extend(page.data),
                    None => return Ok(None),
                }
            }
        })
    }
}
