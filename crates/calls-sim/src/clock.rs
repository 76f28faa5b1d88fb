//! Wall-clock timestamps in the formats the providers use.

use jiff::Timestamp;

/// The current time.
pub(crate) fn now() -> Timestamp {
    Timestamp::now()
}

/// RFC 3339 in UTC with whole seconds, as Cartesia and Mirai v2 print them (`2026-03-01T12:00:00Z`).
pub(crate) fn seconds(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 3339 in UTC with milliseconds, as the Mirai legacy webhooks print them (`2026-07-26T09:15:02.000Z`).
pub(crate) fn millis(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses an RFC 3339 timestamp, if it is one.
pub(crate) fn parse(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let ts = Timestamp::from_second(1_785_057_398).unwrap();
        assert_eq!(seconds(ts), "2026-07-26T09:16:38Z");
        assert_eq!(millis(ts), "2026-07-26T09:16:38.000Z");
        assert_eq!(parse("2026-07-26T09:16:38Z"), Some(ts));
        assert_eq!(parse("yesterday"), None);
    }
}
