//! The Mirai v2 do-not-call list: numbers campaigns will not dial.
//!
//! Reference: Mirai's v2 docs, page "Do-not-call list" (revision 4cad18a).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::clock;

/// The workspace's do-not-call list.
#[derive(Debug, Default)]
pub(crate) struct Dnc {
    by_phone: HashMap<String, Entry>,
    seq: u64,
}

/// One listed number.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) phone: String,
    pub(crate) created_at: String,
    seq: u64,
}

impl Dnc {
    /// Lists `phone`; `true` when it was not listed yet (an existing entry keeps its date).
    pub(crate) fn add(&mut self, phone: &str) -> bool {
        if self.by_phone.contains_key(phone) {
            return false;
        }
        self.seq += 1;
        self.by_phone.insert(
            phone.to_owned(),
            Entry {
                phone: phone.to_owned(),
                created_at: clock::seconds(clock::now()),
                seq: self.seq,
            },
        );
        true
    }

    /// Unlists `phone`; `false` when it was not listed.
    pub(crate) fn remove(&mut self, phone: &str) -> bool {
        self.by_phone.remove(phone).is_some()
    }

    pub(crate) fn contains(&self, phone: &str) -> bool {
        self.by_phone.contains_key(phone)
    }

    /// The entries, newest first.
    pub(crate) fn newest_first(&self) -> Vec<&Entry> {
        let mut entries: Vec<&Entry> = self.by_phone.values().collect();
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.order_key()));
        entries
    }
}

impl Entry {
    /// The list order key: newest `created_at` first, then newest addition.
    pub(crate) fn order_key(&self) -> (i64, u64) {
        let created = clock::parse(&self.created_at).map_or(i64::MIN, |t| t.as_millisecond());
        (created, self.seq)
    }

    /// A `dnc_entry` list item.
    pub(crate) fn to_json(&self) -> Value {
        json!({ "object": "dnc_entry", "phone": self.phone, "created_at": self.created_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_is_idempotent_and_remove_reports() {
        let mut dnc = Dnc::default();
        assert!(dnc.add("+919876543210"));
        assert!(!dnc.add("+919876543210"));
        assert!(dnc.add("+919876543211"));
        assert!(dnc.contains("+919876543210"));
        assert_eq!(dnc.newest_first()[0].phone, "+919876543211");
        assert!(dnc.remove("+919876543210"));
        assert!(!dnc.remove("+919876543210"));
        assert!(!dnc.contains("+919876543210"));
    }
}
