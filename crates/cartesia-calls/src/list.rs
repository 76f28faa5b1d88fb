//! List Calls: one page at a time, or every call as a lazy stream.

use call_core::provider_kit::ErrorExt;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use call_core::provider_kit::Request;
use call_core::{Error, ErrorKind, Provider};
use futures_util::Stream;
use reqwest::Method;

use crate::error_body::error_from;
use crate::json::PageBody;
use crate::paging::{self, Cursor, Fetched, Listing};
use crate::{Call, CartesiaClient};

/// A List Calls request: whose calls, how many per page, and where to start.
///
/// Setters never fail; [`CartesiaClient::list_calls`] and [`CartesiaClient::list_calls_stream`] check the values
/// before anything is sent.
///
/// ```
/// use cartesia_calls::ListCalls;
///
/// let request = ListCalls::new("agent_abc123").limit(50).expand_transcript(true);
/// assert_eq!(request.agent_id(), "agent_abc123");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListCalls {
    agent_id: String,
    expand_transcript: bool,
    limit: Option<u32>,
    cursor: Cursor,
}

impl ListCalls {
    /// The calls of `agent_id` (required, not blank), newest first, without transcripts, in pages of the server's
    /// default size.
    pub fn new(agent_id: impl Into<String>) -> Self {
        ListCalls {
            agent_id: agent_id.into(),
            expand_transcript: false,
            limit: None,
            cursor: Cursor::default(),
        }
    }

    /// Whether each call carries its transcript (`expand=transcript`; default off, as Cartesia's).
    pub fn expand_transcript(mut self, expand: bool) -> Self {
        self.expand_transcript = expand;
        self
    }

    /// Calls per page, 1 to [`MAX_PAGE_LIMIT`](crate::MAX_PAGE_LIMIT) (default: not sent, so Cartesia's default applies).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after this cursor: a call id, or a page's [`next_page`](CallPage::next_page) (default: from the
    /// newest call). Pages then go towards older calls.
    pub fn starting_after(mut self, cursor: impl Into<String>) -> Self {
        self.cursor.set_starting_after(cursor.into());
        self
    }

    /// Ends before this cursor: pages then go towards newer calls (default: not set). Cannot be combined with
    /// [`starting_after`](Self::starting_after).
    pub fn ending_before(mut self, cursor: impl Into<String>) -> Self {
        self.cursor.set_ending_before(cursor.into());
        self
    }

    /// The agent whose calls are listed.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// Checks the request; nothing is sent when this fails.
    fn validate(&self) -> call_core::Result<()> {
        let problem = if self.agent_id.trim().is_empty() {
            Some("agent_id is required and must not be blank")
        } else {
            paging::limit_problem(self.limit).or(self.cursor.problem())
        };
        match problem {
            Some(why) => Err(Error::new(ErrorKind::InvalidInput, why)
                .with_provider(Provider::Cartesia)
                .with_operation("list calls")),
            None => Ok(()),
        }
    }

    fn to_request(&self) -> Request {
        let mut request = Request::new(Method::GET, "list calls")
            .segment("agents")
            .segment("calls")
            .query("agent_id", self.agent_id.as_str());
        if self.expand_transcript {
            request = request.query("expand", "transcript");
        }
        if let Some(limit) = self.limit {
            request = request.query("limit", limit.to_string());
        }
        self.cursor.to_query(request)
    }
}

impl Listing for ListCalls {
    type Item = Call;
    const OPERATION: &'static str = "list calls";
    const NOUN: &'static str = "calls";

    fn cursor(&self) -> &Cursor {
        &self.cursor
    }

    fn with_cursor(&self, cursor: Cursor) -> Self {
        ListCalls {
            cursor,
            ..self.clone()
        }
    }

    async fn fetch(&self, client: &CartesiaClient) -> call_core::Result<Fetched<Call>> {
        let page = client.list_calls(self).await?;
        Ok(Fetched {
            next_cursor: page.next_cursor().map(str::to_owned),
            has_more: page.has_more,
            items: page.data,
        })
    }
}

/// One page of [List Calls](https://docs.cartesia.ai/api-reference/agents/calls/list-calls).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallPage {
    /// The calls, newest first (by start time) when paging forward.
    pub data: Vec<Call>,
    /// The cursor of the next page, as Cartesia sent it (`null` on the last page).
    pub next_page: Option<String>,
    /// Whether more calls follow. The schema requires `has_more` but the docs' examples omit it; when it is missing
    /// this is `next_page.is_some()`.
    pub has_more: bool,
}

impl CallPage {
    /// The cursor to pass as `starting_after` (or `ending_before`, in that direction) for the next page, or `None`
    /// when this is the last page.
    ///
    /// `next_page` when Cartesia sent one. When it did not but `has_more` is `true`, the id of the last call on the
    /// page, as the official SDKs send (`starting_after=<last id>`).
    pub fn next_cursor(&self) -> Option<&str> {
        paging::next_cursor(
            self.next_page.as_deref(),
            self.has_more,
            self.data.last().map(|call| call.id.as_str()),
        )
    }
}

impl CartesiaClient {
    /// Reads one page of calls: [List Calls](https://docs.cartesia.ai/api-reference/agents/calls/list-calls),
    /// `GET /agents/calls?agent_id=...`.
    ///
    /// To read every call, use [`list_calls_stream`](Self::list_calls_stream), which follows the cursor for you.
    ///
    /// ```no_run
    /// use cartesia_calls::ListCalls;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let page = client.list_calls(&ListCalls::new("agent_abc123").limit(20)).await?;
    /// for call in &page.data {
    ///     println!("{} {}", call.id, call.status);
    /// }
    /// if let Some(cursor) = page.next_cursor() {
    ///     let older = client.list_calls(&ListCalls::new("agent_abc123").starting_after(cursor)).await?;
    ///     println!("{} more", older.data.len());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] before sending for a blank `agent_id`, a `limit` outside 1 to 100, a blank cursor,
    /// or both cursors; [`ErrorKind::InvalidInput`] for a 400 and [`ErrorKind::NotFound`] for a 404 (unknown agent);
    /// [`ErrorKind::Decode`] for a body that is not a page; and the usual 401, 403, 429, 5xx, timeout and transport
    /// errors.
    pub async fn list_calls(&self, request: &ListCalls) -> call_core::Result<CallPage> {
        request.validate()?;
        let response = self.http.send(request.to_request()).await?;
        if !response.is_success() {
            return Err(error_from(&response));
        }
        let body: PageBody<Call> = response.json()?;
        let has_more = body.has_more.unwrap_or(body.next_page.is_some());
        Ok(CallPage {
            data: body.data,
            next_page: body.next_page,
            has_more,
        })
    }

    /// Every call the request selects, one at a time, fetching pages lazily as the stream is read: listing 100,000
    /// calls never holds more than one page in memory.
    ///
    /// The stream follows each page's [`next_cursor`](CallPage::next_cursor): `next_page` when Cartesia sends it
    /// (the docs describe it as the next page's cursor), else the last call's id while `has_more` is `true` (what
    /// the official SDKs send). It ends at a page with no cursor. An empty page that carries a cursor does not end
    /// it. A cursor seen before (a server repeating itself) ends the stream with an [`ErrorKind::Decode`] error
    /// instead of looping, after that page's calls; so does a page that says `has_more` but gives neither a cursor
    /// nor a call.
    ///
    /// The request is checked before anything is sent; a failure is the stream's first and only item. After any
    /// error the stream ends.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use cartesia_calls::ListCalls;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let mut calls = client.list_calls_stream(ListCalls::new("agent_abc123").limit(100));
    /// while let Some(call) = calls.try_next().await? {
    ///     println!("{} {}", call.id, call.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_calls_stream(&self, request: ListCalls) -> CallStream {
        CallStream {
            inner: paging::stream(self.clone(), request),
        }
    }
}

/// The calls of a [`ListCalls`] request, as a [`Stream`] of `call_core::Result<Call>`: see
/// [`CartesiaClient::list_calls_stream`].
///
/// Read it with `futures_util::TryStreamExt` (`try_next`, `try_for_each`) or `StreamExt`. It is `Send` and
/// `'static`, so it can move into a spawned task.
#[must_use = "a stream does nothing unless polled"]
pub struct CallStream {
    inner: Pin<Box<dyn Stream<Item = call_core::Result<Call>> + Send>>,
}

impl Stream for CallStream {
    type Item = call_core::Result<Call>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for CallStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallStream").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str], next_page: Option<&str>, has_more: bool) -> CallPage {
        let data = ids
            .iter()
            .map(|id| {
                serde_json::from_value(serde_json::json!({
                    "id": id, "agent_id": "agent_1", "status": "completed"
                }))
                .unwrap()
            })
            .collect();
        CallPage {
            data,
            next_page: next_page.map(str::to_owned),
            has_more,
        }
    }

    #[test]
    fn next_cursor_prefers_next_page_then_last_id() {
        assert_eq!(
            page(&["a", "b"], Some("cur"), true).next_cursor(),
            Some("cur")
        );
        assert_eq!(page(&["a", "b"], None, true).next_cursor(), Some("b"));
        assert_eq!(page(&["a", "b"], None, false).next_cursor(), None);
        assert_eq!(page(&[], None, true).next_cursor(), None);
    }

    #[test]
    fn validation_refuses_what_the_api_would() {
        let ok = [
            ListCalls::new("agent_1"),
            ListCalls::new("agent_1").limit(1),
            ListCalls::new("agent_1").limit(100),
            ListCalls::new("agent_1").ending_before("ac_1"),
        ];
        for request in ok {
            assert!(request.validate().is_ok(), "{request:?}");
        }
        let bad = [
            ListCalls::new(""),
            ListCalls::new("  "),
            ListCalls::new("agent_1").limit(0),
            ListCalls::new("agent_1").limit(101),
            ListCalls::new("agent_1").starting_after(""),
            ListCalls::new("agent_1")
                .starting_after("a")
                .ending_before("b"),
        ];
        for request in bad {
            let err = request.validate().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{request:?}");
        }
    }
}
