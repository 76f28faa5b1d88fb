//! Cursor pages, and the walk every list of the new API shares (calls, campaigns, contacts, the do-not-call list).

use call_core::provider_kit::ErrorExt;
use std::collections::{HashSet, VecDeque};

use call_core::provider_kit::Request;
use call_core::{Error, ErrorKind, Provider};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::calls::success_json;
use crate::MiraiV2Client;
use crate::null_as_default::null_as_default;

/// One page of a list: `{data, has_more, next_cursor}`, the envelope every list of the new API uses
/// ([pagination](https://docs.miraiminds.co/v2/overview#pagination)).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct Page<T> {
    /// The items, in the list's order.
    #[serde(deserialize_with = "null_as_default")]
    pub data: Vec<T>,
    /// Whether another page follows.
    pub has_more: bool,
    /// The cursor of the next page (opaque: it looks like an id but is not the last item's).
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Checks a page size: Mirai takes 1 to 100 (default 20).
pub(crate) fn check_limit(limit: Option<u32>) -> call_core::Result<()> {
    if limit.is_some_and(|limit| !(1..=100).contains(&limit)) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "limit must be 1 to 100",
        ));
    }
    Ok(())
}

/// Where a page walk is. `request(cursor)` builds the request of the page after `cursor` (`None`: the first).
struct Walk<F> {
    client: MiraiV2Client,
    operation: &'static str,
    request: F,
    /// The cursor of the next page; `None` before the first page.
    cursor: Option<String>,
    /// Every cursor followed so far: a repeat would loop for ever.
    seen: HashSet<String>,
    /// Refused before sending: the first poll answers it, and nothing is sent.
    invalid: Option<Error>,
    done: bool,
}

impl<F> Walk<F>
where
    F: Fn(Option<&str>) -> Request,
{
    /// The next page, or `None` when the last one was read.
    async fn next_page<T: DeserializeOwned>(&mut self) -> call_core::Result<Option<Page<T>>> {
        if let Some(error) = self.invalid.take() {
            self.done = true;
            return Err(error);
        }
        if self.done {
            return Ok(None);
        }
        let request = (self.request)(self.cursor.as_deref());
        let response = self.client.http.send(request).await?;
        let page: Page<T> = success_json(&response)?;
        if page.has_more {
            match &page.next_cursor {
                Some(next) if !next.is_empty() => {
                    if !self.seen.insert(next.clone()) {
                        return Err(self.broken(
                            "the provider gave a cursor it gave before; stopping instead of looping",
                        ));
                    }
                    self.cursor = Some(next.clone());
                }
                // Stopping here would silently drop the rest of the list.
                _ => {
                    return Err(
                        self.broken("the provider said more pages follow but gave no cursor")
                    );
                }
            }
        } else {
            self.done = true;
        }
        Ok(Some(page))
    }

    fn broken(&self, detail: &'static str) -> Error {
        Error::new(ErrorKind::Decode, detail)
            .with_provider(Provider::MiraiV2)
            .with_operation(self.operation)
            .with_request_sent(true)
    }
}

/// A lazy stream of pages: a page is requested only when the stream is polled past the previous one. It ends after
/// the last page, or with one error (`invalid` first, with nothing sent; a failed request; a page that says more
/// follow without a cursor; a cursor given twice).
pub(crate) fn pages<T, F>(
    client: &MiraiV2Client,
    operation: &'static str,
    invalid: Option<Error>,
    request: F,
) -> impl Stream<Item = call_core::Result<Page<T>>> + Send + 'static + use<T, F>
where
    T: DeserializeOwned + Send + 'static,
    F: Fn(Option<&str>) -> Request + Send + 'static,
{
    let walk = Walk {
        client: client.clone(),
        operation,
        request,
        cursor: None,
        seen: HashSet::new(),
        invalid,
        done: false,
    };
    stream::try_unfold(walk, |mut walk| async move {
        Ok(walk.next_page().await?.map(|page| (page, walk)))
    })
}

/// [`pages`], one item at a time.
pub(crate) fn items<T, F>(
    client: &MiraiV2Client,
    operation: &'static str,
    invalid: Option<Error>,
    request: F,
) -> impl Stream<Item = call_core::Result<T>> + Send + 'static + use<T, F>
where
    T: DeserializeOwned + Send + 'static,
    F: Fn(Option<&str>) -> Request + Send + 'static,
{
    let walk = Walk {
        client: client.clone(),
        operation,
        request,
        cursor: None,
        seen: HashSet::new(),
        invalid,
        done: false,
    };
    stream::try_unfold(
        (walk, VecDeque::<T>::new()),
        |(mut walk, mut buffered)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Ok(Some((item, (walk, buffered))));
                }
                match walk.next_page().await? {
                    Some(page) => buffered.extend(page.data),
                    None => return Ok(None),
                }
            }
        },
    )
}

/// Ends `stream` after its first error, as every list stream here does: chaining walks must not go on past a
/// failed one. The stream is not polled again after the error, so nothing more is sent.
pub(crate) fn until_error<T, S>(
    stream: S,
) -> impl Stream<Item = call_core::Result<T>> + Send + 'static + use<T, S>
where
    S: Stream<Item = call_core::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    stream::unfold(Some(Box::pin(stream)), |stream| async move {
        let mut stream = stream?;
        let item = stream.next().await?;
        let rest = item.is_ok().then_some(stream);
        Some((item, rest))
    })
}
