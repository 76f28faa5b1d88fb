//! Query string parsing.

use percent_encoding::percent_decode_str;

/// The decoded `name=value` pairs of a query string, in order (`+` is a space).
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let pairs = query
            .unwrap_or("")
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (name, value) = part.split_once('=').unwrap_or((part, ""));
                (decode(name), decode(value))
            })
            .collect();
        Query { pairs }
    }

    /// The first value of `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let q = Query::parse(Some("agent_id=a%2Fb&limit=5&expand=transcript&x&y=a+b"));
        assert_eq!(q.get("agent_id"), Some("a/b"));
        assert_eq!(q.get("limit"), Some("5"));
        assert_eq!(q.get("x"), Some(""));
        assert_eq!(q.get("y"), Some("a b"));
        assert_eq!(q.get("z"), None);
        assert_eq!(Query::parse(None).get("a"), None);
    }
}
