//! Cartesia's id-cursor pagination (`limit`, `starting_after`, `ending_before`), shared by the
//! calls and the call batches lists.

use crate::query::Query;

/// A page of a list, and whether more items follow it.
#[derive(Debug)]
pub(crate) struct Page<'a, T> {
    pub(crate) items: &'a [T],
    pub(crate) has_more: bool,
    /// The id to pass as `starting_after` (or, paging backwards, `ending_before`) for the next
    /// page; `None` when there is no more.
    pub(crate) next_page: Option<String>,
}

/// The paging options of a list request.
#[derive(Debug)]
pub(crate) struct Options<'q> {
    limit: usize,
    after: Option<&'q str>,
    before: Option<&'q str>,
}

impl<'q> Options<'q> {
    /// Reads `limit` (1–100, default 10), `starting_after` and `ending_before`.
    pub(crate) fn parse(q: &'q Query) -> Result<Options<'q>, &'static str> {
        let limit = match q.get("limit") {
            None => 10,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => return Err("limit must be an integer between 1 and 100."),
            },
        };
        let after = q.get("starting_after").filter(|s| !s.is_empty());
        let before = q.get("ending_before").filter(|s| !s.is_empty());
        if after.is_some() && before.is_some() {
            return Err("Pass at most one of starting_after and ending_before.");
        }
        Ok(Options {
            limit,
            after,
            before,
        })
    }

    /// Cuts the page out of `all` (in list order); `id` names an item. `Err` names the cursor
    /// parameter whose id is not in the list.
    pub(crate) fn page<'a, T>(
        &self,
        all: &'a [T],
        id: impl Fn(&T) -> &str,
    ) -> Result<Page<'a, T>, &'static str> {
        let position = |cursor: &str| all.iter().position(|item| id(item) == cursor);
        let (start, end, has_more, forward) = match (self.after, self.before) {
            (Some(cursor), _) => {
                let at = position(cursor).ok_or("starting_after")?;
                let start = at + 1;
                let end = (start + self.limit).min(all.len());
                (start, end, end < all.len(), true)
            }
            (None, Some(cursor)) => {
                let end = position(cursor).ok_or("ending_before")?;
                let start = end.saturating_sub(self.limit);
                (start, end, start > 0, false)
            }
            (None, None) => {
                let end = self.limit.min(all.len());
                (0, end, end < all.len(), true)
            }
        };
        let items = &all[start..end];
        let edge = if forward { items.last() } else { items.first() };
        let next_page = edge.filter(|_| has_more).map(|item| id(item).to_owned());
        Ok(Page {
            items,
            has_more,
            next_page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_both_ways() {
        let all: Vec<String> = (0..5).map(|i| format!("id{i}")).collect();
        let id = String::as_str;
        let q = Query::parse(Some("limit=2"));
        let page = Options::parse(&q).unwrap().page(&all, id).unwrap();
        assert_eq!(page.items, &all[..2]);
        assert_eq!(page.next_page.as_deref(), Some("id1"));
        let q = Query::parse(Some("limit=2&starting_after=id3"));
        let page = Options::parse(&q).unwrap().page(&all, id).unwrap();
        assert_eq!(page.items, &all[4..]);
        assert!(!page.has_more && page.next_page.is_none());
        let q = Query::parse(Some("limit=2&ending_before=id3"));
        let page = Options::parse(&q).unwrap().page(&all, id).unwrap();
        assert_eq!(page.items, &all[1..3]);
        assert_eq!(page.next_page.as_deref(), Some("id1"));
        let q = Query::parse(Some("starting_after=nope"));
        assert_eq!(
            Options::parse(&q).unwrap().page(&all, id).err(),
            Some("starting_after")
        );
        assert!(Options::parse(&Query::parse(Some("limit=0"))).is_err());
        assert!(Options::parse(&Query::parse(Some("starting_after=a&ending_before=b"))).is_err());
    }
}
