//! List Call Batches: one page at a time, or every batch as a lazy stream.

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
use crate::{Batch, CartesiaClient, path};

const OPERATION: &str = "list call batches";

/// A List Call Batches request: whose batches, how many per page, and where to start.
///
/// Setters never fail; [`CartesiaClient::list_batches`] and [`CartesiaClient::list_batches_stream`] check the values
/// before anything is sent.
///
/// ```
/// use cartesia_calls::ListBatches;
///
/// let request = ListBatches::new().agent_id("agent_abc123").limit(50);
/// assert_ne!(request, ListBatches::new());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[must_use]
pub struct ListBatches {
    agent_id: Option<String>,
    limit: Option<u32>,
    cursor: Cursor,
}

impl ListBatches {
    /// Every batch of the organization, newest first, in pages of the server's default size.
    pub fn new() -> Self {
        ListBatches::default()
    }

    /// Only the batches of this agent (default: all agents). Must not be blank.
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// Batches per page, 1 to [`MAX_PAGE_LIMIT`](crate::MAX_PAGE_LIMIT) (default: not sent, so Cartesia's default
    /// applies).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after this cursor: a batch id, or a page's [`next_page`](BatchPage::next_page) (default: from the
    /// newest batch). Pages then go towards older batches.
    pub fn starting_after(mut self, cursor: impl Into<String>) -> Self {
        self.cursor.set_starting_after(cursor.into());
        self
    }

    /// Ends before this cursor: pages then go towards newer batches (default: not set). Cannot be combined with
    /// [`starting_after`](Self::starting_after).
    pub fn ending_before(mut self, cursor: impl Into<String>) -> Self {
        self.cursor.set_ending_before(cursor.into());
        self
    }

    /// Checks the request; nothing is sent when this fails.
    fn validate(&self) -> call_core::Result<()> {
        let problem = if self.agent_id.as_ref().is_some_and(|a| a.trim().is_empty()) {
            Some("agent_id must not be blank")
        } else {
            paging::limit_problem(self.limit).or(self.cursor.problem())
        };
        match problem {
            Some(why) => Err(Error::new(ErrorKind::InvalidInput, why)
                .with_provider(Provider::Cartesia)
                .with_operation(OPERATION)),
            None => Ok(()),
        }
    }

    fn to_request(&self) -> Request {
        let mut request = path::batches(Request::new(Method::GET, OPERATION));
        if let Some(agent_id) = &self.agent_id {
            request = request.query("agent_id", agent_id.as_str());
        }
        if let Some(limit) = self.limit {
            request = request.query("limit", limit.to_string());
        }
        self.cursor.to_query(request)
    }
}

impl Listing for ListBatches {
    type Item = Batch;
    const OPERATION: &'static str = OPERATION;
    const NOUN: &'static str = "batches";

    fn cursor(&self) -> &Cursor {
        &self.cursor
    }

    fn with_cursor(&self, cursor: Cursor) -> Self {
        ListBatches {
            cursor,
            ..self.clone()
        }
    }

    async fn fetch(&self, client: &CartesiaClient) -> call_core::Result<Fetched<Batch>> {
        let page = client.list_batches(self).await?;
        Ok(Fetched {
            next_cursor: page.next_cursor().map(str::to_owned),
            has_more: page.has_more,
            items: page.data,
        })
    }
}

/// One page of [List Call Batches](https://docs.cartesia.ai/api-reference/agents/call-batches/list-call-batches).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BatchPage {
    /// The batches, newest first when paging forward, without their recipients.
    pub data: Vec<Batch>,
    /// The cursor of the next page, as Cartesia sent it (`null` on the last page).
    pub next_page: Option<String>,
    /// Whether more batches follow (`has_more`, required by the schema; when missing, `next_page.is_some()`).
    pub has_more: bool,
}

impl BatchPage {
    /// The cursor to pass as `starting_after` (or `ending_before`, in that direction) for the next page, or `None`
    /// when this is the last page: `next_page` when Cartesia sent one, else the last batch's id while `has_more`.
    pub fn next_cursor(&self) -> Option<&str> {
        paging::next_cursor(
            self.next_page.as_deref(),
            self.has_more,
            self.data.last().map(|batch| batch.id.as_str()),
        )
    }
}

impl CartesiaClient {
    /// Reads one page of batches: [List Call
    /// Batches](https://docs.cartesia.ai/api-reference/agents/call-batches/list-call-batches),
    /// `GET /agents/calls/batches`.
    ///
    /// The batches come without their recipients; read one with [`get_batch`](Self::get_batch) for them. To read
    /// every batch, use [`list_batches_stream`](Self::list_batches_stream).
    ///
    /// ```no_run
    /// use cartesia_calls::ListBatches;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let page = client.list_batches(&ListBatches::new().agent_id("agent_abc123")).await?;
    /// for batch in &page.data {
    ///     println!("{} {} {}/{}", batch.id, batch.status, batch.total_calls_finished, batch.total_calls_scheduled);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] before sending for a blank `agent_id`, a `limit` outside 1 to 100, a blank cursor,
    /// or both cursors; [`ErrorKind::InvalidInput`] for a 400; [`ErrorKind::Decode`] for a body that is not a page;
    /// and the usual 401, 403, 404, 429, 5xx, timeout and transport errors.
    pub async fn list_batches(&self, request: &ListBatches) -> call_core::Result<BatchPage> {
        request.validate()?;
        let response = self.http.send(request.to_request()).await?;
        if !response.is_success() {
            return Err(error_from(&response));
        }
        let body: PageBody<Batch> = response.json()?;
        let has_more = body.has_more.unwrap_or(body.next_page.is_some());
        Ok(BatchPage {
            data: body.data,
            next_page: body.next_page,
            has_more,
        })
    }

    /// Every batch the request selects, one at a time, fetching pages lazily as the stream is read.
    ///
    /// Pages are followed as [`list_calls_stream`](Self::list_calls_stream) follows them: by each page's
    /// [`next_cursor`](BatchPage::next_cursor), through empty pages that carry a cursor, to a page with none. A
    /// cursor seen before ends the stream with an [`ErrorKind::Decode`] error instead of looping, after that page's
    /// batches; so does a page that says `has_more` but gives neither a cursor nor a batch. The request is checked
    /// before anything is sent; a failure is the stream's first and only item. After any error the stream ends.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use cartesia_calls::ListBatches;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let mut batches = client.list_batches_stream(ListBatches::new().limit(100));
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{} {}", batch.id, batch.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_batches_stream(&self, request: ListBatches) -> BatchStream {
        BatchStream {
            inner: paging::stream(self.clone(), request),
        }
    }
}

/// The batches of a [`ListBatches`] request, as a [`Stream`] of `call_core::Result<Batch>`: see
/// [`CartesiaClient::list_batches_stream`].
///
/// `Send` and `'static`, so it can move into a spawned task.
#[must_use = "a stream does nothing unless polled"]
pub struct BatchStream {
    inner: Pin<Box<dyn Stream<Item = call_core::Result<Batch>> + Send>>,
}

impl Stream for BatchStream {
    type Item = call_core::Result<Batch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for BatchStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchStream").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_refuses_what_the_api_would() {
        for ok in [
            ListBatches::new(),
            ListBatches::new().agent_id("agent_1").limit(100),
            ListBatches::new().ending_before("acb_1"),
        ] {
            assert!(ok.validate().is_ok(), "{ok:?}");
        }
        for bad in [
            ListBatches::new().agent_id(" "),
            ListBatches::new().limit(0),
            ListBatches::new().limit(101),
            ListBatches::new().starting_after(""),
            ListBatches::new().starting_after("a").ending_before("b"),
        ] {
            assert_eq!(
                bad.validate().unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
    }
}
