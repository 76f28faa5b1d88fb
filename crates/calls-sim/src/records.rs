//! Records (calls, batches, campaigns) keyed by id and numbered in the order they were added.

use std::collections::HashMap;

/// What a [`Records`] table needs of a record.
pub(crate) trait Keyed {
    /// The id the record is found by.
    fn id(&self) -> &str;

    /// Stores the record's number, the order it was added in: the tie-breaker of "newest first"
    /// lists. Records that are never listed need not keep it.
    fn set_seq(&mut self, _seq: u64) {}
}

/// Implements [`Keyed`] for a record type with the fields `id: String` and `seq: u64`.
macro_rules! keyed_by_id_field {
    ($record:ty) => {
        impl $crate::records::Keyed for $record {
            fn id(&self) -> &str {
                &self.id
            }

            fn set_seq(&mut self, seq: u64) {
                self.seq = seq;
            }
        }
    };
}
pub(crate) use keyed_by_id_field;

/// Records keyed by id. Adding one numbers it after every one added before, replacing one
/// included, so a list of records sorted by number shows a replaced record as the newest.
#[derive(Debug)]
pub(crate) struct Records<R> {
    by_id: HashMap<String, R>,
    seq: u64,
}

impl<R> Default for Records<R> {
    fn default() -> Self {
        Records {
            by_id: HashMap::new(),
            seq: 0,
        }
    }
}

impl<R: Keyed> Records<R> {
    /// Adds or replaces a record.
    pub(crate) fn insert(&mut self, mut record: R) {
        self.seq += 1;
        record.set_seq(self.seq);
        self.by_id.insert(record.id().to_owned(), record);
    }

    pub(crate) fn get(&self, id: &str) -> Option<&R> {
        self.by_id.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut R> {
        self.by_id.get_mut(id)
    }

    /// Every record, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &R> {
        self.by_id.values()
    }

    /// The records `keep` selects, the greatest `order` first.
    pub(crate) fn newest_first<K: Ord>(
        &self,
        keep: impl Fn(&R) -> bool,
        order: impl Fn(&R) -> K,
    ) -> Vec<&R> {
        let mut records: Vec<&R> = self.by_id.values().filter(|r| keep(r)).collect();
        records.sort_by_key(|r| std::cmp::Reverse(order(r)));
        records
    }
}
