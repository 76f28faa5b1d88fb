//! Reading `Retry-After`.

use std::time::{Duration, SystemTime};

/// The delay a `Retry-After` header value asks for, at time `now`.
///
/// Accepts delay-seconds (`"5"`; a fraction such as `"0.4"` too, as some providers send) and HTTP dates in all three
/// formats of RFC 9110 (parsed by `httpdate`); a date in the past is a zero delay. Anything else (negative, NaN,
/// garbage) is `None`: the caller then uses its own backoff. Never panics; absurd values saturate at one day.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use call_core::provider_kit::parse_retry_after;
///
/// assert_eq!(parse_retry_after("5", SystemTime::now()), Some(Duration::from_secs(5)));
/// assert_eq!(parse_retry_after("soon", SystemTime::now()), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    const MAX: Duration = Duration::from_secs(24 * 60 * 60);
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX));
    }
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let secs = value
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)?;
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(MAX).min(MAX));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO).min(MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_dates_and_garbage() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(" 30 ", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("0.4", now),
            Some(Duration::from_millis(400))
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(86_400))
        );
        // 1994-11-06T08:49:37Z is 784111777; the three formats of RFC 9110.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:47 1994", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for garbage in ["", "-1", "soon", "1e3", "NaN", "1.2.3", "Tue, 99 Foo 2024"] {
            assert_eq!(parse_retry_after(garbage, now), None, "{garbage}");
        }
    }
}
