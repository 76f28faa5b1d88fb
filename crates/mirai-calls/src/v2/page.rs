//! Cursor pages, and the walk every list of the new API shares (calls, campaigns, contacts, the do-not-call list).

use call_core::provider_kit::{Pager, Request};
use call_core::{Error, ErrorKind, Listing, Page, Provider};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::calls::success_json;
use crate::MiraiV2Client;
use crate::null_as_default::null_as_default;

/// One page of a list: `{data, has_more, next_cursor}`, the envelope every list of the new API uses
/// ([pagination](https://docs.miraiminds.co/v2/overview#pagination)).
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct Envelope<T> {
    #[serde(deserialize_with = "null_as_default")]
    data: Vec<T>,
    has_more: bool,
    /// Opaque: it looks like an id but is not the last item's.
    #[serde(default)]
    next_cursor: Option<String>,
}

impl<T> Envelope<T> {
    /// The page: its cursor only while `has_more`, and an empty cursor is none.
    pub(crate) fn into_page(self) -> Page<T> {
        let next = self
            .next_cursor
            .filter(|cursor| self.has_more && !cursor.is_empty());
        Page::new(self.data, next, self.has_more)
    }
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

/// Every list of the new API as one listing through call-core's pager: `request(cursor)` builds the request of the
/// page after `cursor` (`None`: the first), or refuses the query before anything is sent.
///
/// Mirai's cursor is followed only while `has_more` (an empty one is no cursor), so a page that says more follow
/// without one, or gives a cursor it gave before, ends the listing with an error; that page is not trusted, and its
/// items are dropped with the error.
pub(crate) fn listing<T, F>(
    client: &MiraiV2Client,
    operation: &'static str,
    noun: &'static str,
    request: F,
) -> Listing<T>
where
    T: DeserializeOwned + Send + 'static,
    F: Fn(Option<&str>) -> call_core::Result<Request> + Send + 'static,
{
    let client = client.clone();
    Pager::new(Provider::MiraiV2, operation, noun).listing(move |cursor: Option<String>| {
        let client = client.clone();
        let request = request(cursor.as_deref());
        async move {
            let response = client.http.send(request?).await?;
            let envelope: Envelope<T> = success_json(&response)?;
            Ok(envelope.into_page())
        }
    })
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
