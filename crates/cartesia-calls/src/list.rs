//! List Calls: every call of an agent, as a lazy listing.

use call_core::Listing;
use call_core::provider_kit::Request;
use reqwest::Method;

use crate::paging::{self, Position, Query};
use crate::{Call, CartesiaClient};

/// A List Calls request: whose calls, how many per page, and where to start.
///
/// Setters never fail; [`CartesiaClient::list_calls`] checks the values before anything is sent.
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
    position: Position,
}

impl ListCalls {
    /// The calls of `agent_id` (required, not blank), newest first, without transcripts, in pages of the server's
    /// default size.
    pub fn new(agent_id: impl Into<String>) -> Self {
        ListCalls {
            agent_id: agent_id.into(),
            expand_transcript: false,
            position: Position::default(),
        }
    }

    /// Whether each call carries its transcript (`expand=transcript`; default off, as Cartesia's).
    pub fn expand_transcript(mut self, expand: bool) -> Self {
        self.expand_transcript = expand;
        self
    }

    /// Calls per page, 1 to [`MAX_PAGE_LIMIT`](crate::MAX_PAGE_LIMIT) (default: not sent, so Cartesia's default applies).
    pub fn limit(mut self, limit: u32) -> Self {
        self.position.set_limit(limit);
        self
    }

    /// Starts after this cursor: a call id, or a page's [`next_cursor`](call_core::Page::next_cursor) (default: from the
    /// newest call). Pages then go towards older calls.
    pub fn starting_after(mut self, cursor: impl Into<String>) -> Self {
        self.position.set_starting_after(cursor.into());
        self
    }

    /// Ends before this cursor: pages then go towards newer calls (default: not set). Cannot be combined with
    /// [`starting_after`](Self::starting_after).
    pub fn ending_before(mut self, cursor: impl Into<String>) -> Self {
        self.position.set_ending_before(cursor.into());
        self
    }

    /// The agent whose calls are listed.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }
}

impl Query for ListCalls {
    type Item = Call;
    const OPERATION: &'static str = "list calls";
    const NOUN: &'static str = "calls";

    fn problem(&self) -> Option<&'static str> {
        let blank = self.agent_id.trim().is_empty();
        blank.then_some("agent_id is required and must not be blank")
    }

    fn to_request(&self) -> Request {
        let mut request = Request::new(Method::GET, "list calls")
            .segment("agents")
            .segment("calls")
            .query("agent_id", self.agent_id.as_str());
        if self.expand_transcript {
            request = request.query("expand", "transcript");
        }
        request
    }

    fn position(&self) -> &Position {
        &self.position
    }

    fn position_mut(&mut self) -> &mut Position {
        &mut self.position
    }

    fn id(call: &Call) -> &str {
        call.id.as_str()
    }
}

impl CartesiaClient {
    /// Every call the request selects, one at a time: [List
    /// Calls](https://docs.cartesia.ai/api-reference/agents/calls/list-calls), `GET /agents/calls?agent_id=...`,
    /// page after page, fetched lazily as the listing is read. [`Listing::pages`] gives the same walk a page at a
    /// time.
    ///
    /// The listing follows each page's [`next_cursor`](call_core::Page::next_cursor): `next_page` when Cartesia
    /// sends it (the docs describe it as the next page's cursor), else the last call's id while `has_more` is `true`
    /// (what the official SDKs send); a missing `has_more` is whether `next_page` is set. It ends at a page with no
    /// cursor. An empty page that carries a cursor does not end it. A cursor seen before (a server repeating itself)
    /// ends the listing with an [`ErrorKind::Decode`](call_core::ErrorKind::Decode) error instead of looping, after
    /// that page's calls; so does a page that says `has_more` but gives neither a cursor nor a call.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use cartesia_calls::ListCalls;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let mut calls = client.list_calls(ListCalls::new("agent_abc123").limit(100));
    /// while let Some(call) = calls.try_next().await? {
    ///     println!("{} {}", call.id, call.status);
    /// }
    /// // One page, and where the next starts.
    /// let mut pages = client.list_calls(ListCalls::new("agent_abc123").limit(20)).pages();
    /// if let Some(page) = pages.try_next().await? {
    ///     println!("{} calls, next page at {:?}", page.items.len(), page.next_cursor);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a [`call_core::Result`]. [`ErrorKind::InvalidInput`](call_core::ErrorKind::InvalidInput) first,
    /// with nothing sent, for a blank `agent_id`, a `limit` outside 1 to 100, a blank cursor, or both cursors;
    /// [`ErrorKind::InvalidInput`](call_core::ErrorKind::InvalidInput) for a 400 and
    /// [`ErrorKind::NotFound`](call_core::ErrorKind::NotFound) for a 404 (unknown agent);
    /// [`ErrorKind::Decode`](call_core::ErrorKind::Decode) for a body that is not a page; and the usual 401, 403,
    /// 429, 5xx, timeout and transport errors. After any error the listing ends.
    pub fn list_calls(&self, request: ListCalls) -> Listing<Call> {
        paging::listing(self, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use call_core::ErrorKind;

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
