//! List Call Batches: every batch, as a lazy listing.

use call_core::Listing;
use call_core::provider_kit::Request;
use reqwest::Method;

use crate::paging::{self, Position, Query};
use crate::{Batch, CartesiaClient, path};

/// A List Call Batches request: whose batches, how many per page, and where to start.
///
/// Setters never fail; [`CartesiaClient::list_batches`] checks the values before anything is sent.
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
    position: Position,
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
        self.position.set_limit(limit);
        self
    }

    /// Starts after this cursor: a batch id, or a page's [`next_cursor`](call_core::Page::next_cursor) (default: from the
    /// newest batch). Pages then go towards older batches.
    pub fn starting_after(mut self, cursor: impl Into<String>) -> Self {
        self.position.set_starting_after(cursor.into());
        self
    }

    /// Ends before this cursor: pages then go towards newer batches (default: not set). Cannot be combined with
    /// [`starting_after`](Self::starting_after).
    pub fn ending_before(mut self, cursor: impl Into<String>) -> Self {
        self.position.set_ending_before(cursor.into());
        self
    }
}

impl Query for ListBatches {
    type Item = Batch;
    const OPERATION: &'static str = "list call batches";
    const NOUN: &'static str = "batches";

    fn problem(&self) -> Option<&'static str> {
        let blank = self.agent_id.as_ref().is_some_and(|a| a.trim().is_empty());
        blank.then_some("agent_id must not be blank")
    }

    fn to_request(&self) -> Request {
        let mut request = path::batches(Request::new(Method::GET, Self::OPERATION));
        if let Some(agent_id) = &self.agent_id {
            request = request.query("agent_id", agent_id.as_str());
        }
        request
    }

    fn position(&self) -> &Position {
        &self.position
    }

    fn position_mut(&mut self) -> &mut Position {
        &mut self.position
    }

    fn id(batch: &Batch) -> &str {
        batch.id.as_str()
    }
}

impl CartesiaClient {
    /// Every batch the request selects, one at a time: [List Call
    /// Batches](https://docs.cartesia.ai/api-reference/agents/call-batches/list-call-batches),
    /// `GET /agents/calls/batches`, page after page, fetched lazily as the listing is read. [`Listing::pages`] gives
    /// the same walk a page at a time.
    ///
    /// The batches come without their recipients; read one with [`get_batch`](Self::get_batch) for them. Pages are
    /// followed, and a broken cursor chain refused, exactly as [`list_calls`](Self::list_calls) does.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use cartesia_calls::ListBatches;
    ///
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let mut batches = client.list_batches(ListBatches::new().agent_id("agent_abc123").limit(100));
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{} {} {}/{}", batch.id, batch.status, batch.total_calls_finished, batch.total_calls_scheduled);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`list_calls`](Self::list_calls), `agent_id` being optional here (but not blank when set), and a 404
    /// meaning no more than any other status.
    pub fn list_batches(&self, request: ListBatches) -> Listing<Batch> {
        paging::listing(self, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use call_core::ErrorKind;

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
