//! Listing: one [`Page`] type, one item stream ([`Listing`]) and its page stream ([`Pages`]) for every provider and
//! every listed thing, driven by the one paging loop ([`Pager`]).
//!
//! # The naming rule
//!
//! Every provider lists every thing (calls, batches, campaigns, contacts, the do-not-call list) the same way:
//!
//! - `list_<things>(query)` returns a [`Listing<T>`]: the items, one at a time, fetching pages lazily.
//! - [`Listing::pages`] turns it into [`Pages<T>`]: the same walk a [`Page<T>`] at a time, for a program that keeps
//!   the cursor or wants only the first page.
//!
//! There is no `list_<thing>_pages` or `list_<things>_stream` method, and no method that returns one page.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{Stream, try_unfold};

use crate::error::ErrorExt;
use crate::{Error, ErrorKind, Provider};

/// One page of a listing: its items, and the cursor of the page after it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items, in the listing's order.
    pub items: Vec<T>,
    /// What the next page takes: the cursor to start after, as the provider's listing reads it; `None` when the
    /// provider gave none.
    pub next_cursor: Option<String>,
    /// Whether the provider says more items follow.
    pub has_more: bool,
}

impl<T> Page<T> {
    /// A page of `items`; `next_cursor` is where the next page starts, `has_more` whether the provider says there
    /// is one. Provider crates build pages; programs read them.
    pub fn new(items: Vec<T>, next_cursor: Option<String>, has_more: bool) -> Self {
        Page {
            items,
            next_cursor,
            has_more,
        }
    }
}

/// The items of a listing, as a [`Stream`] of `call_core::Result<T>`: pages are fetched lazily as the stream is
/// read, so listing 100,000 items never holds more than one page in memory.
///
/// It ends after the last page, or with one error: a request that failed, or a page that breaks the cursor chain (a
/// cursor given before, or more items said to follow with no cursor) as a [`ErrorKind::Decode`] error instead of a
/// loop or a silent stop. A query refused before sending is the first and only item. After an error the stream
/// ends and sends nothing more.
///
/// Read it with `futures_util::TryStreamExt` (`try_next`, `try_for_each`) or `StreamExt`. It is `Unpin`, `Send` and
/// `'static`, so it can move into a spawned task.
#[must_use = "a stream does nothing unless polled"]
pub struct Listing<T> {
    pages: Pages<T>,
    /// The rest of the page being read.
    page: std::vec::IntoIter<T>,
}

impl<T> Listing<T> {
    /// The same listing a [`Page`] at a time: call it before reading any item (the items of a page already started
    /// are not in the pages that follow).
    pub fn pages(self) -> Pages<T> {
        self.pages
    }
}

// Nothing in a `Listing` is pinned structurally: the page stream is boxed and the items are moved out by value.
impl<T> Unpin for Listing<T> {}

impl<T> Stream for Listing<T> {
    type Item = crate::Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(item) = self.page.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut self.pages).poll_next(cx) {
                Poll::Ready(Some(Ok(page))) => self.page = page.items.into_iter(),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> fmt::Debug for Listing<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listing")
            .field("operation", &self.pages.operation)
            .finish_non_exhaustive()
    }
}

/// The pages of a [`Listing`], as a [`Stream`] of `call_core::Result<Page<T>>`: see [`Listing::pages`].
///
/// Lazy like the listing: a page is requested only when the stream is polled past the previous one, so taking the
/// first page sends one request. It ends as the listing ends.
#[must_use = "a stream does nothing unless polled"]
pub struct Pages<T> {
    operation: &'static str,
    inner: Pin<Box<dyn Stream<Item = crate::Result<Page<T>>> + Send>>,
}

impl<T> Stream for Pages<T> {
    type Item = crate::Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

/// The one paging loop, for provider crates: a provider names its listing and gives a `fetch` that reads the page at
/// a cursor; the pager follows [`Page::next_cursor`] and refuses to loop or to stop silently.
///
/// The rule every listing follows: a page with a `next_cursor` is followed by the page at it (an empty page with a
/// cursor does not end the listing); a page without one ends it, unless it says `has_more`, which is an
/// [`ErrorKind::Decode`] error; so is a cursor followed before (a server repeating itself), the start cursor
/// included.
#[derive(Debug, Clone)]
#[must_use]
pub struct Pager {
    provider: Provider,
    operation: &'static str,
    noun: &'static str,
    start: Option<String>,
    keep_breaking_page: bool,
}

impl Pager {
    /// The pager of `provider`'s `operation` (`"list calls"`, in errors), whose items are `noun` (`"calls"`).
    pub fn new(provider: Provider, operation: &'static str, noun: &'static str) -> Self {
        Pager {
            provider,
            operation,
            noun,
            start: None,
            keep_breaking_page: false,
        }
    }

    /// The cursor the query starts from (default: none): coming back to it is a loop.
    pub fn start(mut self, cursor: Option<&str>) -> Self {
        self.start = cursor.map(str::to_owned);
        self
    }

    /// Yields the items of a page that breaks the cursor chain before the error (default: the page is dropped with
    /// the error, as not to be trusted).
    pub fn keep_breaking_page(mut self) -> Self {
        self.keep_breaking_page = true;
        self
    }

    /// The listing whose pages `fetch` reads: `fetch(None)` the first, `fetch(Some(cursor))` the one at a page's
    /// [`next_cursor`](Page::next_cursor). Nothing is sent until the listing is read.
    pub fn listing<T, F, Fut>(self, fetch: F) -> Listing<T>
    where
        T: Send + 'static,
        F: Fn(Option<String>) -> Fut + Send + 'static,
        Fut: Future<Output = crate::Result<Page<T>>> + Send + 'static,
    {
        let operation = self.operation;
        let mut seen = HashSet::new();
        if let Some(start) = &self.start {
            seen.insert(start.clone());
        }
        let walk = Walk {
            pager: self,
            fetch,
            next: Next::Fetch(None),
            seen,
        };
        let inner = Box::pin(try_unfold(walk, Walk::next_page));
        Listing {
            pages: Pages { operation, inner },
            page: Vec::new().into_iter(),
        }
    }

    fn broken(&self, detail: String) -> Error {
        Error::new(ErrorKind::Decode, detail)
            .with_provider(self.provider)
            .with_operation(self.operation)
            .with_request_sent(true)
    }
}

/// The page stream's state between pages.
struct Walk<F> {
    pager: Pager,
    fetch: F,
    next: Next,
    /// Every cursor followed so far (a few bytes per page), to stop a server that repeats one.
    seen: HashSet<String>,
}

/// What comes after the current page.
enum Next {
    /// Fetch the page at this cursor (`None`: the first).
    Fetch(Option<String>),
    /// The listing is done.
    End,
    /// The listing ends with this error.
    Fail(Error),
}

impl<F> Walk<F> {
    async fn next_page<T, Fut>(mut self) -> crate::Result<Option<(Page<T>, Self)>>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: Future<Output = crate::Result<Page<T>>>,
    {
        let cursor = match std::mem::replace(&mut self.next, Next::End) {
            Next::Fetch(cursor) => cursor,
            Next::End => return Ok(None),
            Next::Fail(error) => return Err(error),
        };
        let page = (self.fetch)(cursor).await?;
        let noun = self.pager.noun;
        self.next = match &page.next_cursor {
            Some(cursor) if !self.seen.insert(cursor.clone()) => Next::Fail(self.pager.broken(
                format!("the server repeated a page cursor; stopping instead of listing the same {noun} again"),
            )),
            Some(cursor) => Next::Fetch(Some(cursor.clone())),
            None if page.has_more => Next::Fail(self.pager.broken(format!(
                "the page says more {noun} follow but gives no cursor and nothing to continue from"
            ))),
            None => Next::End,
        };
        self.next = match std::mem::replace(&mut self.next, Next::End) {
            Next::Fail(error) if !self.pager.keep_breaking_page => return Err(error),
            next => next,
        };
        Ok(Some((page, self)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::{Arc, Mutex};

    /// The cursors a listing asked for, in order.
    type Asked = Arc<Mutex<Vec<Option<String>>>>;

    /// A listing over canned pages, keyed by cursor, recording the cursors asked for.
    fn canned(
        pager: Pager,
        pages: Vec<(Option<&'static str>, Page<u32>)>,
    ) -> (Listing<u32>, Asked) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&asked);
        let listing = pager.listing(move |cursor: Option<String>| {
            log.lock().unwrap().push(cursor.clone());
            let page = pages
                .iter()
                .find(|(at, _)| at.map(str::to_owned) == cursor)
                .map(|(_, page)| page.clone());
            async move { page.ok_or_else(|| Error::new(ErrorKind::NotFound, "no such page")) }
        });
        (listing, asked)
    }

    fn page(items: &[u32], next: Option<&str>, has_more: bool) -> Page<u32> {
        Page::new(items.to_vec(), next.map(str::to_owned), has_more)
    }

    fn pager() -> Pager {
        Pager::new(Provider::Cartesia, "list things", "things")
    }

    #[tokio::test]
    async fn follows_cursors_through_empty_pages_to_the_end() {
        let (listing, asked) = canned(
            pager(),
            vec![
                (None, page(&[1, 2], Some("a"), true)),
                (Some("a"), page(&[], Some("b"), true)),
                (Some("b"), page(&[3], None, false)),
            ],
        );
        let items: Vec<_> = listing.map(Result::unwrap).collect().await;
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(asked.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_breaking_page_is_dropped_or_kept_as_asked() {
        for (pager, expected) in [
            (pager(), vec![1]),
            (pager().keep_breaking_page(), vec![1, 2]),
        ] {
            let (listing, _) = canned(
                pager,
                vec![
                    (None, page(&[1], Some("a"), true)),
                    (Some("a"), page(&[2], Some("a"), true)),
                ],
            );
            let results: Vec<_> = listing.collect().await;
            let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
            let ok: Vec<_> = ok.into_iter().map(Result::unwrap).collect();
            assert_eq!(ok, expected);
            assert_eq!(err.len(), 1);
            assert_eq!(err[0].as_ref().unwrap_err().kind(), ErrorKind::Decode);
        }
    }

    #[tokio::test]
    async fn more_without_a_cursor_and_the_start_cursor_again_are_errors() {
        let (listing, _) = canned(pager(), vec![(None, page(&[], None, true))]);
        let results: Vec<_> = listing.collect().await;
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].as_ref().unwrap_err().kind(), ErrorKind::Decode);

        let (listing, asked) = canned(
            pager().start(Some("s")),
            vec![(None, page(&[1], Some("s"), true))],
        );
        let results: Vec<_> = listing.collect().await;
        assert_eq!(results.len(), 1);
        assert_eq!(asked.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn pages_are_lazy_and_an_error_ends_the_walk() {
        let (listing, asked) = canned(pager(), vec![(None, page(&[1], Some("missing"), true))]);
        let mut pages = listing.pages();
        let first = pages.next().await.unwrap().unwrap();
        assert_eq!(first.next_cursor.as_deref(), Some("missing"));
        assert_eq!(asked.lock().unwrap().len(), 1);
        assert_eq!(
            pages.next().await.unwrap().unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert!(pages.next().await.is_none());
        assert_eq!(asked.lock().unwrap().len(), 2);
    }
}
