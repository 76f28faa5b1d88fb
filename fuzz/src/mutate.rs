//! Seeded mutations of inputs: byte flips, truncations, deletions, duplications, splices, JSON tokens, random
//! bytes, and structural edits of inputs that parse as JSON.

use fastrand::Rng;
use serde_json::{Map, Value};

/// Tokens worth inserting anywhere in a JSON body or a signature header.
const TOKENS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "-1",
    "1.5",
    "1e999",
    "-1e999",
    "1e-999",
    "18446744073709551616",
    "-9223372036854775809",
    "9007199254740993",
    "NaN",
    "\"\"",
    "\" \"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\udc00\"",
    "\"\\n\"",
    "\"é\"",
    "\"\u{202e}\"",
    "{}",
    "[]",
    "[{}]",
    "{\"\":null}",
    ",",
    ":",
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    "\"id\"",
    "\"status\"",
    "\"data\"",
    "\"call\"",
    "\"event\"",
    "\"type\"",
    "\"error\"",
    "\"message\"",
    "\"code\"",
    "\"next_page\"",
    "\"next_cursor\"",
    "\"has_more\"",
    "\"metadata\"",
    "\"details\"",
    "\"2026-07-26T09:16:38Z\"",
    "\"2026-07-26T09:16:38.123456789+05:30\"",
    "\"9999-12-31T23:59:59Z\"",
    "\"0000-01-01T00:00:00Z\"",
    "\"2026-02-30T25:61:61Z\"",
    "\"+14155550123\"",
    "\".\"",
    "\"..\"",
    "\"batches\"",
    "t=",
    ",v1=",
    "v1=",
    "t=-1",
    "t=9223372036854775807",
    "t=1785057398",
    " ",
    "\t",
    "\r\n",
    "\u{0}",
    "\u{ff}",
];

/// Bytes that often sit at a boundary.
const INTERESTING_BYTES: &[u8] = &[
    0, 1, 0x7f, 0x80, 0xff, 0xc3, 0xe2, 0xf0, b'"', b'\\', b'{', b'}', b'[', b']', b',', b':',
    b'0', b'9', b'-', b'.', b'e', b' ', b'\n', b'=',
];

/// Mutates inputs; the same seed and the same calls give the same mutants.
pub(crate) struct Mutator {
    rng: Rng,
    dictionary: Vec<Vec<u8>>,
    max_len: usize,
}

impl Mutator {
    /// A mutator seeded with `seed`, whose dictionary adds the JSON strings found in `corpus` (keys and enum
    /// values the seeds use) to [`TOKENS`].
    pub(crate) fn new(seed: u64, corpus: &[Vec<u8>], max_len: usize) -> Self {
        let mut dictionary: Vec<Vec<u8>> = TOKENS.iter().map(|t| t.as_bytes().to_vec()).collect();
        for input in corpus {
            for string in json_strings(input) {
                if !dictionary.contains(&string) {
                    dictionary.push(string);
                }
            }
        }
        Mutator {
            rng: Rng::with_seed(seed),
            dictionary,
            max_len,
        }
    }

    /// The random number generator, for the runner's own choices.
    pub(crate) fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// One to four stacked mutations of `base`; `other` is the partner of a splice.
    pub(crate) fn mutate(&mut self, base: &[u8], other: &[u8]) -> Vec<u8> {
        let mut input = base.to_vec();
        for _ in 0..self.rng.usize(1..=4) {
            self.once(&mut input, other);
        }
        input.truncate(self.max_len);
        input
    }

    fn once(&mut self, input: &mut Vec<u8>, other: &[u8]) {
        match self.rng.u8(0..12) {
            0 => self.flip_bit(input),
            1 => self.set_byte(input),
            2 => self.truncate(input),
            3 => self.delete_range(input),
            4 => self.duplicate_range(input),
            5 => self.insert_token(input),
            6 => self.overwrite_with_token(input),
            7 => self.splice(input, other),
            8 => self.random_bytes(input),
            9 | 10 => {
                if !self.edit_json(input) {
                    self.insert_token(input);
                }
            }
            _ => self.replace_all(input),
        }
    }

    fn flip_bit(&mut self, input: &mut [u8]) {
        if input.is_empty() {
            return;
        }
        let at = self.rng.usize(..input.len());
        input[at] ^= 1 << self.rng.u8(0..8);
    }

    fn set_byte(&mut self, input: &mut [u8]) {
        if input.is_empty() {
            return;
        }
        let at = self.rng.usize(..input.len());
        input[at] = INTERESTING_BYTES[self.rng.usize(..INTERESTING_BYTES.len())];
    }

    fn truncate(&mut self, input: &mut Vec<u8>) {
        let len = self.rng.usize(..=input.len());
        input.truncate(len);
    }

    fn range(&mut self, len: usize) -> (usize, usize) {
        let start = self.rng.usize(..=len);
        let end = self.rng.usize(start..=len.min(start + 64));
        (start, end)
    }

    fn delete_range(&mut self, input: &mut Vec<u8>) {
        let (start, end) = self.range(input.len());
        input.drain(start..end);
    }

    fn duplicate_range(&mut self, input: &mut Vec<u8>) {
        let (start, end) = self.range(input.len());
        let copy = input[start..end].to_vec();
        let at = self.rng.usize(..=input.len());
        input.splice(at..at, copy);
    }

    fn token(&mut self) -> Vec<u8> {
        self.dictionary[self.rng.usize(..self.dictionary.len())].clone()
    }

    fn insert_token(&mut self, input: &mut Vec<u8>) {
        let token = self.token();
        let at = self.rng.usize(..=input.len());
        input.splice(at..at, token);
    }

    fn overwrite_with_token(&mut self, input: &mut Vec<u8>) {
        let token = self.token();
        let (start, end) = self.range(input.len());
        input.splice(start..end, token);
    }

    fn splice(&mut self, input: &mut Vec<u8>, other: &[u8]) {
        let keep = self.rng.usize(..=input.len());
        let from = self.rng.usize(..=other.len());
        input.truncate(keep);
        input.extend_from_slice(&other[from..]);
    }

    fn random_bytes(&mut self, input: &mut Vec<u8>) {
        let (start, end) = self.range(input.len());
        let fresh: Vec<u8> = (0..self.rng.usize(0..16))
            .map(|_| self.rng.u8(..))
            .collect();
        input.splice(start..end, fresh);
    }

    fn replace_all(&mut self, input: &mut Vec<u8>) {
        let len = self.rng.usize(0..64);
        *input = (0..len).map(|_| self.rng.u8(..)).collect();
    }

    /// Parses `input` as JSON, edits one node and writes it back; `false` when it is not JSON.
    fn edit_json(&mut self, input: &mut Vec<u8>) -> bool {
        let Ok(mut root) = serde_json::from_slice::<Value>(input) else {
            return false;
        };
        let nodes = count_nodes(&root);
        let mut target = self.rng.usize(..nodes);
        let donor = self.random_node_copy(&root);
        let mut edit = |node: &mut Value, rng: &mut Rng| edit_node(node, rng, donor.clone());
        visit(&mut root, &mut target, &mut self.rng, &mut edit);
        let written = if self.rng.u8(0..4) == 0 {
            serde_json::to_vec_pretty(&root)
        } else {
            serde_json::to_vec(&root)
        };
        match written {
            Ok(bytes) => {
                *input = bytes;
                true
            }
            Err(_) => false,
        }
    }

    fn random_node_copy(&mut self, root: &Value) -> Value {
        let nodes = count_nodes(root);
        let mut target = self.rng.usize(..nodes);
        let mut found = Value::Null;
        let mut copy = |node: &mut Value, _: &mut Rng| found = node.clone();
        let mut root = root.clone();
        visit(&mut root, &mut target, &mut self.rng, &mut copy);
        found
    }
}

/// The JSON string literals in `input` (without quotes), up to 64 bytes each: the corpus's keys and values.
fn json_strings(input: &[u8]) -> Vec<Vec<u8>> {
    let mut strings = Vec::new();
    let mut rest = input;
    while let Some(open) = rest.iter().position(|&b| b == b'"') {
        let after = &rest[open + 1..];
        let Some(close) = after.iter().position(|&b| b == b'"' || b == b'\\') else {
            break;
        };
        if after[close] == b'"' && close <= 64 {
            let mut quoted = Vec::with_capacity(close + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(&after[..close]);
            quoted.push(b'"');
            strings.push(quoted);
        }
        rest = &after[close + 1..];
    }
    strings
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Calls `f` on the `target`-th node of `value` in pre-order; `true` once it was found.
fn visit(
    value: &mut Value,
    target: &mut usize,
    rng: &mut Rng,
    f: &mut dyn FnMut(&mut Value, &mut Rng),
) -> bool {
    if *target == 0 {
        f(value, rng);
        return true;
    }
    *target -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|item| visit(item, target, rng, f)),
        Value::Object(map) => map.values_mut().any(|item| visit(item, target, rng, f)),
        _ => false,
    }
}

/// One structural edit of `node`: a value of another type or an extreme one, a changed string, a removed or added
/// key, a copied node from elsewhere in the document.
fn edit_node(node: &mut Value, rng: &mut Rng, donor: Value) {
    match rng.u8(0..10) {
        0 => *node = donor,
        1 => *node = extreme_value(rng),
        2 => *node = Value::Array(vec![node.take()]),
        3 => {
            if let Value::Object(map) = node {
                if !map.is_empty() {
                    let at = rng.usize(..map.len());
                    if let Some(key) = map.keys().nth(at).cloned() {
                        map.remove(&key);
                    }
                }
            } else {
                *node = Value::Null;
            }
        }
        4 => {
            if let Value::Object(map) = node {
                map.insert(odd_string(rng), extreme_value(rng));
            } else {
                *node = Value::Object(Map::new());
            }
        }
        5 | 6 => match node {
            Value::String(text) => edit_string(text, rng),
            other => *other = Value::String(odd_string(rng)),
        },
        7 => {
            if let Value::Array(items) = node {
                if let Some(first) = items.first().cloned() {
                    for _ in 0..rng.usize(1..4) {
                        items.push(first.clone());
                    }
                } else {
                    items.push(donor);
                }
            } else {
                *node = Value::Array(Vec::new());
            }
        }
        _ => *node = extreme_value(rng),
    }
}

fn extreme_value(rng: &mut Rng) -> Value {
    match rng.u8(0..14) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => Value::from(0),
        3 => Value::from(-1),
        4 => Value::from(i64::MIN),
        5 => Value::from(u64::MAX),
        6 => Value::from(f64::MAX),
        7 => Value::from(-0.0),
        8 => Value::from(rng.f64() * 1e6),
        9 => Value::String(String::new()),
        10 => Value::String(odd_string(rng)),
        11 => Value::Array(Vec::new()),
        12 => Value::Object(Map::new()),
        _ => Value::String("x".repeat(rng.usize(256..4096))),
    }
}

/// Short strings that break naive code: blank, dots, controls, non-ASCII, dates, numbers as text.
fn odd_string(rng: &mut Rng) -> String {
    const ODD: &[&str] = &[
        "",
        " ",
        ".",
        "..",
        "\u{0}",
        "\n",
        "é",
        "日本",
        "🙂",
        "\u{202e}",
        "\u{fffd}",
        "batches",
        "a/b?c#d%",
        "2026-07-26T09:16:38Z",
        "2026-07-26",
        "1785057398",
        "-1",
        "+14155550123",
        "+0",
        "null",
        "completed",
        "api_cancelled",
        "aborted",
        "aborted-by-api",
        "call.completed",
        "action",
        "create_order",
        "id",
        "status",
    ];
    ODD[rng.usize(..ODD.len())].to_owned()
}

fn edit_string(text: &mut String, rng: &mut Rng) {
    match rng.u8(0..6) {
        0 => text.clear(),
        1 => text.push_str(&odd_string(rng)),
        2 => {
            let keep = text
                .char_indices()
                .map(|(i, _)| i)
                .nth(rng.usize(..=text.chars().count()));
            if let Some(keep) = keep {
                text.truncate(keep);
            }
        }
        3 => text.insert_str(0, &odd_string(rng)),
        4 => *text = text.repeat(rng.usize(2..40)),
        _ => *text = text.to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_mutants() {
        let corpus = vec![br#"{"id":"a","status":"completed","data":[1,2]}"#.to_vec()];
        let mut a = Mutator::new(7, &corpus, 4096);
        let mut b = Mutator::new(7, &corpus, 4096);
        for _ in 0..500 {
            assert_eq!(
                a.mutate(&corpus[0], &corpus[0]),
                b.mutate(&corpus[0], &corpus[0])
            );
        }
    }

    #[test]
    fn finds_the_corpus_strings() {
        let strings = json_strings(br#"{"id":"a\"b","k":"v"}"#);
        assert!(strings.contains(&b"\"id\"".to_vec()));
        assert!(strings.contains(&b"\"v\"".to_vec()));
    }
}
