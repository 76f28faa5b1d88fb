//! Cursor pagination, shared by List Calls and List Call Batches: where a listing starts, which cursor comes next,
//! and the read of one page that call-core's pager follows.

use call_core::provider_kit::{ErrorExt, Pager, Request};
use call_core::{Error, ErrorKind, Listing, Page, Provider};
use serde::de::DeserializeOwned;

use crate::CartesiaClient;
use crate::error_body::error_from;
use crate::json::PageBody;

/// The largest page Cartesia serves (List Calls and List Call Batches both take `limit` 1 to 100).
pub const MAX_PAGE_LIMIT: u32 = 100;

/// How many items a page holds and where a listing starts, and so which way it pages: `starting_after` goes towards
/// older items, `ending_before` towards newer ones. Neither set: from the newest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Position {
    limit: Option<u32>,
    starting_after: Option<String>,
    ending_before: Option<String>,
}

impl Position {
    pub(crate) fn set_limit(&mut self, limit: u32) {
        self.limit = Some(limit);
    }

    pub(crate) fn set_starting_after(&mut self, cursor: String) {
        self.starting_after = Some(cursor);
    }

    pub(crate) fn set_ending_before(&mut self, cursor: String) {
        self.ending_before = Some(cursor);
    }

    /// What is wrong with the page size or the cursors, if anything: nothing is sent when this is `Some`.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        if self
            .limit
            .is_some_and(|limit| !(1..=MAX_PAGE_LIMIT).contains(&limit))
        {
            return Some("limit must be between 1 and 100");
        }
        if self.starting_after.is_some() && self.ending_before.is_some() {
            return Some("set starting_after or ending_before, not both");
        }
        let blank = [&self.starting_after, &self.ending_before]
            .into_iter()
            .flatten()
            .any(|cursor| cursor.trim().is_empty());
        blank.then_some("a pagination cursor must not be blank")
    }

    /// Moves to `cursor`, in the same direction.
    pub(crate) fn move_to(&mut self, cursor: String) {
        if self.ending_before.is_some() {
            self.ending_before = Some(cursor);
        } else {
            self.starting_after = Some(cursor);
        }
    }

    /// The cursor this position starts from, if any.
    pub(crate) fn current(&self) -> Option<&str> {
        self.starting_after
            .as_deref()
            .or(self.ending_before.as_deref())
    }

    /// Adds `limit`, then `starting_after` or `ending_before`, to the query.
    pub(crate) fn to_query(&self, mut request: Request) -> Request {
        if let Some(limit) = self.limit {
            request = request.query("limit", limit.to_string());
        }
        if let Some(cursor) = &self.starting_after {
            request = request.query("starting_after", cursor.as_str());
        }
        if let Some(cursor) = &self.ending_before {
            request = request.query("ending_before", cursor.as_str());
        }
        request
    }
}

/// The cursor of the page after one: `next_page` when Cartesia sent one (the docs call it the next page's cursor);
/// else, while `has_more`, the last item's id, as the official SDKs send (`starting_after=<last id>`); else none.
pub(crate) fn next_cursor<'a>(
    next_page: Option<&'a str>,
    has_more: bool,
    last_id: Option<&'a str>,
) -> Option<&'a str> {
    match next_page {
        Some(cursor) => Some(cursor),
        None if has_more => last_id,
        None => None,
    }
}

/// A Cartesia list request: List Calls or List Call Batches, which page the same way.
pub(crate) trait Query: Clone + Send + Sync + 'static {
    /// What the pages hold.
    type Item: DeserializeOwned + Send + 'static;
    /// The operation's name in errors (`"list calls"`).
    const OPERATION: &'static str;
    /// What the items are called in errors (`"calls"`).
    const NOUN: &'static str;

    /// What is wrong with the request's own filters, if anything: nothing is sent when this is `Some`.
    fn problem(&self) -> Option<&'static str>;

    /// The request with its own filters; the page size and cursor follow from [`position`](Self::position).
    fn to_request(&self) -> Request;

    /// The page size and where the request starts.
    fn position(&self) -> &Position;

    /// The same, to move it.
    fn position_mut(&mut self) -> &mut Position;

    /// An item's id: the cursor after it.
    fn id(item: &Self::Item) -> &str;

    /// Checks the request; nothing is sent when this fails.
    fn validate(&self) -> call_core::Result<()> {
        match self.problem().or(self.position().problem()) {
            Some(why) => Err(Error::new(ErrorKind::InvalidInput, why)
                .with_provider(Provider::Cartesia)
                .with_operation(Self::OPERATION)),
            None => Ok(()),
        }
    }
}

/// The items of `query`, page after page, through call-core's one pager: each page's cursor is the
/// [`next_cursor`] of its answer, moved in the query's direction; the start cursor counts as followed. A page that
/// breaks the cursor chain gives its items before the error (they were read, and the docs promise nothing else).
pub(crate) fn listing<Q: Query>(client: &CartesiaClient, query: Q) -> Listing<Q::Item> {
    let client = client.clone();
    Pager::new(Provider::Cartesia, Q::OPERATION, Q::NOUN)
        .start(query.position().current())
        .keep_breaking_page()
        .listing(move |cursor: Option<String>| {
            let client = client.clone();
            let mut query = query.clone();
            if let Some(cursor) = cursor {
                query.position_mut().move_to(cursor);
            }
            async move { fetch(&client, &query).await }
        })
}

/// Reads the page `query` selects, checking the request first.
async fn fetch<Q: Query>(client: &CartesiaClient, query: &Q) -> call_core::Result<Page<Q::Item>> {
    query.validate()?;
    let response = client
        .http
        .send(query.position().to_query(query.to_request()))
        .await?;
    if !response.is_success() {
        return Err(error_from(&response));
    }
    let body: PageBody<Q::Item> = response.json()?;
    // The schema requires `has_more` but the docs' examples omit it: missing, it is whether `next_page` is set.
    let has_more = body.has_more.unwrap_or(body.next_page.is_some());
    let next = next_cursor(
        body.next_page.as_deref(),
        has_more,
        body.data.last().map(Q::id),
    )
    .map(str::to_owned);
    Ok(Page::new(body.data, next, has_more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_cursor_prefers_next_page_then_last_id() {
        assert_eq!(next_cursor(Some("cur"), true, Some("b")), Some("cur"));
        assert_eq!(next_cursor(None, true, Some("b")), Some("b"));
        assert_eq!(next_cursor(None, false, Some("b")), None);
        assert_eq!(next_cursor(Some("cur"), false, None), Some("cur"));
        assert_eq!(next_cursor(None, true, None), None);
    }

    #[test]
    fn positions_are_checked() {
        let mut both = Position::default();
        both.set_starting_after("a".into());
        both.set_ending_before("b".into());
        assert!(both.problem().is_some());
        let mut blank = Position::default();
        blank.set_ending_before(" ".into());
        assert!(blank.problem().is_some());
        assert!(Position::default().problem().is_none());
        for (limit, ok) in [(0, false), (1, true), (100, true), (101, false)] {
            let mut position = Position::default();
            position.set_limit(limit);
            assert_eq!(position.problem().is_none(), ok, "{limit}");
        }
    }

    #[test]
    fn moving_keeps_the_direction() {
        let mut forward = Position::default();
        forward.move_to("c1".into());
        assert_eq!(forward.starting_after.as_deref(), Some("c1"));
        let mut backward = Position::default();
        backward.set_ending_before("c0".into());
        backward.move_to("c1".into());
        assert_eq!(backward.ending_before.as_deref(), Some("c1"));
        assert_eq!(backward.starting_after, None);
    }
}
