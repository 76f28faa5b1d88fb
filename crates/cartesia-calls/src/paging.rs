//! Cursor pagination, shared by List Calls and List Call Batches: where a listing starts, which cursor comes next,
//! and the lazy stream that follows the cursors without ever looping.

use call_core::provider_kit::ErrorExt;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use call_core::provider_kit::Request;
use call_core::{Error, ErrorKind, Provider};
use futures_util::Stream;
use futures_util::stream::try_unfold;

use crate::CartesiaClient;

/// The largest page Cartesia serves (List Calls and List Call Batches both take `limit` 1 to 100).
pub const MAX_PAGE_LIMIT: u32 = 100;

/// Where a listing starts, and so which way it pages: `starting_after` goes towards older items, `ending_before`
/// towards newer ones. Neither set: from the newest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Cursor {
    starting_after: Option<String>,
    ending_before: Option<String>,
}

impl Cursor {
    pub(crate) fn set_starting_after(&mut self, cursor: String) {
        self.starting_after = Some(cursor);
    }

    pub(crate) fn set_ending_before(&mut self, cursor: String) {
        self.ending_before = Some(cursor);
    }

    /// What is wrong with the cursors, if anything: nothing is sent when this is `Some`.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        if self.starting_after.is_some() && self.ending_before.is_some() {
            return Some("set starting_after or ending_before, not both");
        }
        let blank = [&self.starting_after, &self.ending_before]
            .into_iter()
            .flatten()
            .any(|cursor| cursor.trim().is_empty());
        blank.then_some("a pagination cursor must not be blank")
    }

    /// The same position moved to `cursor`, in the same direction.
    pub(crate) fn at(&self, cursor: String) -> Self {
        if self.ending_before.is_some() {
            Cursor {
                starting_after: None,
                ending_before: Some(cursor),
            }
        } else {
            Cursor {
                starting_after: Some(cursor),
                ending_before: None,
            }
        }
    }

    /// The cursor this position starts from, if any.
    pub(crate) fn current(&self) -> Option<&str> {
        self.starting_after
            .as_deref()
            .or(self.ending_before.as_deref())
    }

    /// Adds `starting_after` or `ending_before` to the query.
    pub(crate) fn to_query(&self, mut request: Request) -> Request {
        if let Some(cursor) = &self.starting_after {
            request = request.query("starting_after", cursor.as_str());
        }
        if let Some(cursor) = &self.ending_before {
            request = request.query("ending_before", cursor.as_str());
        }
        request
    }
}

/// What is wrong with a page size, if anything.
pub(crate) fn limit_problem(limit: Option<u32>) -> Option<&'static str> {
    limit
        .filter(|limit| !(1..=MAX_PAGE_LIMIT).contains(limit))
        .map(|_| "limit must be between 1 and 100")
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

/// One page, as the stream needs it.
pub(crate) struct Fetched<T> {
    pub(crate) items: Vec<T>,
    /// The page's [`next_cursor`].
    pub(crate) next_cursor: Option<String>,
    pub(crate) has_more: bool,
}

/// A list request the stream can page through.
pub(crate) trait Listing: Clone + Send + Sync + 'static {
    /// What the pages hold.
    type Item: Send + 'static;
    /// The operation's name in errors (`"list calls"`).
    const OPERATION: &'static str;
    /// What the items are called in errors (`"calls"`).
    const NOUN: &'static str;

    /// Where the request starts.
    fn cursor(&self) -> &Cursor;

    /// The same request, at `cursor`.
    fn with_cursor(&self, cursor: Cursor) -> Self;

    /// Fetches the page the request selects (checking the request first).
    fn fetch(
        &self,
        client: &CartesiaClient,
    ) -> impl Future<Output = call_core::Result<Fetched<Self::Item>>> + Send;
}

/// The items of `request`, page after page, fetched lazily: never more than one page in memory.
///
/// It follows each page's cursor and ends at a page with none. An empty page that carries a cursor does not end it.
/// A cursor seen before (a server repeating itself) ends it with an [`ErrorKind::Decode`] error, after that page's
/// items, instead of looping; so does a page that says `has_more` but gives neither a cursor nor an item. After any
/// error the stream ends.
pub(crate) fn stream<L: Listing>(
    client: CartesiaClient,
    request: L,
) -> Pin<Box<dyn Stream<Item = call_core::Result<L::Item>> + Send>> {
    let mut seen = HashSet::new();
    if let Some(cursor) = request.cursor().current() {
        seen.insert(cursor.to_owned());
    }
    let state = Pager {
        client,
        next: Next::Fetch(request),
        page: Vec::new().into_iter(),
        seen,
    };
    Box::pin(try_unfold(state, Pager::next_item))
}

/// The stream's state between items.
struct Pager<L: Listing> {
    client: CartesiaClient,
    /// What comes after the current page.
    next: Next<L>,
    /// The rest of the current page.
    page: std::vec::IntoIter<L::Item>,
    /// Every cursor followed so far (a few bytes per page), to stop a server that repeats one.
    seen: HashSet<String>,
}

/// What comes after the current page.
enum Next<L> {
    /// Fetch the page this request selects.
    Fetch(L),
    /// The stream is done.
    End,
    /// The stream ends with this error, once the current page's items are out.
    Fail(Error),
}

impl<L: Listing> Pager<L> {
    async fn next_item(mut self) -> call_core::Result<Option<(L::Item, Self)>> {
        loop {
            if let Some(item) = self.page.next() {
                return Ok(Some((item, self)));
            }
            let request = match std::mem::replace(&mut self.next, Next::End) {
                Next::Fetch(request) => request,
                Next::End => return Ok(None),
                Next::Fail(error) => return Err(error),
            };
            let page = request.fetch(&self.client).await?;
            self.next = match page.next_cursor {
                Some(cursor) if self.seen.contains(&cursor) => {
                    Next::Fail(pagination_error::<L>(format!(
                        "the server repeated a page cursor; stopping instead of listing the same {} again",
                        L::NOUN
                    )))
                }
                Some(cursor) => {
                    self.seen.insert(cursor.clone());
                    Next::Fetch(request.with_cursor(request.cursor().at(cursor)))
                }
                None if page.has_more => Next::Fail(pagination_error::<L>(format!(
                    "the page says more {} follow but gives no cursor and nothing to continue from",
                    L::NOUN
                ))),
                None => Next::End,
            };
            self.page = page.items.into_iter();
        }
    }
}

fn pagination_error<L: Listing>(detail: String) -> Error {
    Error::new(ErrorKind::Decode, detail)
        .with_provider(Provider::Cartesia)
        .with_operation(L::OPERATION)
        .with_request_sent(true)
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
    fn cursors_are_checked() {
        let mut both = Cursor::default();
        both.set_starting_after("a".into());
        both.set_ending_before("b".into());
        assert!(both.problem().is_some());
        let mut blank = Cursor::default();
        blank.set_ending_before(" ".into());
        assert!(blank.problem().is_some());
        assert!(Cursor::default().problem().is_none());
        assert!(limit_problem(Some(0)).is_some());
        assert!(limit_problem(Some(101)).is_some());
        assert!(limit_problem(Some(100)).is_none());
        assert!(limit_problem(None).is_none());
    }

    #[test]
    fn moving_keeps_the_direction() {
        let forward = Cursor::default().at("c1".into());
        assert_eq!(forward.starting_after.as_deref(), Some("c1"));
        let mut backward = Cursor::default();
        backward.set_ending_before("c0".into());
        let backward = backward.at("c1".into());
        assert_eq!(backward.ending_before.as_deref(), Some("c1"));
        assert_eq!(backward.starting_after, None);
    }
}
