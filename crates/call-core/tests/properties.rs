//! Properties of what call-core checks and computes from untrusted input: call ids, `Retry-After`, the backoff
//! schedule and E.164 numbers, over generated inputs (proptest).
//!
//! Each property states a documented rule; the strategies aim at the edges (`/ ? # %`, `.` and `..`, control and
//! non-ASCII characters, the 256-byte limit, huge numbers, NaN). The few that send HTTP use a mockito server and few
//! cases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::{Duration, SystemTime};

use call_core::provider_kit::{
    BaseUrl, HttpClient, HttpConfig, Request, backoff_delay, parse_retry_after,
};
use call_core::{CallId, ErrorKind, MAX_CALL_ID_LEN, PhoneNumber, Provider, RetryConfig};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use reqwest::Method;
use reqwest::header::HeaderMap;

/// `cases` cases, with failures reported rather than saved into the source tree (the minimal failing case of a
/// known failure is in its property's comment).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The most `Retry-After` can ask for: one day.
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

// ---------------------------------------------------------------------------------------------------------------
// Call ids
// ---------------------------------------------------------------------------------------------------------------

/// The characters that matter for a path segment, plus letters, whitespace and a few non-ASCII ones.
const ID_ALPHABET: &[char] = &[
    'a', 'Z', '0', '9', '_', '-', '~', '.', '/', '?', '#', '%', '&', '=', '+', ';', ':', '@', '!',
    '$', '\'', '(', ')', '*', ',', '[', ']', ' ', '\t', '\n', '\u{0}', '\u{7f}', '\u{85}',
    '\u{a0}', '\u{2028}', '\u{3000}', 'é', '日', '🙂', '\u{202e}', '\u{fffd}', '\\', '"', '<', '>',
];

/// Strings that look like ids, odd ids, and arbitrary text, from empty to over the 256-byte limit.
fn any_id_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(ID_ALPHABET), 0..24)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
        2 => any::<String>(),
        1 => "\\PC{0,80}",
        1 => prop::sample::select(vec![
            "", ".", "..", "...", " ", " . ", "./", "%2e", "%2E%2E", "%", "%zz", "a%2Fb", "batches",
        ])
        .prop_map(str::to_owned),
        1 => (prop::sample::select(vec!["x", "é", "🙂", " "]), 60usize..70).prop_map(|(unit, n)| unit.repeat(n)),
        1 => (250usize..262).prop_map(|n| "a".repeat(n)),
    ]
}

/// What the `CallId` documentation says is refused.
fn documented_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("empty")
    } else if id.len() > MAX_CALL_ID_LEN {
        Some("too long")
    } else if id.chars().all(char::is_whitespace) {
        Some("whitespace")
    } else if id.chars().any(char::is_control) {
        Some("control character")
    } else if id == "." || id == ".." {
        Some("dot segment")
    } else {
        None
    }
}

/// Whether every byte of `segment` is an RFC 3986 unreserved character or part of a `%XX` escape.
fn only_unreserved_or_escapes(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |b: Option<&u8>| b.is_some_and(u8::is_ascii_hexdigit);
                if !(hex(bytes.get(i + 1)) && hex(bytes.get(i + 2))) {
                    return false;
                }
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => i += 1,
            _ => return false,
        }
    }
    true
}

proptest! {
    #![proptest_config(config(512))]

    /// An id is refused exactly when the documented rules say so, and always as `InvalidInput`.
    #[test]
    fn call_id_is_refused_exactly_by_the_documented_rules(text in any_id_text()) {
        let result = CallId::new(text.clone());
        match documented_problem(&text) {
            Some(why) => {
                let error = result.expect_err(why);
                prop_assert_eq!(error.kind(), ErrorKind::InvalidInput);
            }
            None => {
                let id = result.unwrap();
                prop_assert_eq!(id.as_str(), text.as_str());
            }
        }
    }

    /// An accepted id is exactly one path segment: nothing but unreserved characters and escapes, never `.` or
    /// `..`, and it decodes back to the id.
    #[test]
    fn accepted_ids_encode_to_one_segment_that_decodes_back(text in any_id_text()) {
        let Ok(id) = CallId::new(text.clone()) else { return Ok(()); };
        let segment = id.to_path_segment();
        prop_assert!(only_unreserved_or_escapes(&segment), "{segment:?}");
        for reserved in ['/', '?', '#', ' '] {
            prop_assert!(!segment.contains(reserved), "{segment:?}");
        }
        prop_assert!(segment != "." && segment != "..", "{segment:?}");
        prop_assert_eq!(percent_decode_str(&segment).decode_utf8().unwrap(), text.as_str());
        // Encoding only grows an id: every byte is one character or three.
        prop_assert!(segment.len() >= text.len() && segment.len() <= 3 * text.len());
    }

    /// Through a request and a URL parser (what reqwest does with it), the id stays one segment of the path and
    /// adds no query or fragment.
    #[test]
    fn accepted_ids_stay_one_segment_in_a_url(text in any_id_text()) {
        let Ok(id) = CallId::new(text.clone()) else { return Ok(()); };
        let request = Request::new(Method::POST, "cancel call")
            .segment("agents")
            .segment("calls")
            .call_id_segment(&id)
            .segment("cancel");
        prop_assert_eq!(request.call_id(), Some(&id));
        let url = url::Url::parse(&format!("http://127.0.0.1:9{}", request.path())).unwrap();
        prop_assert_eq!(url.query(), None);
        prop_assert_eq!(url.fragment(), None);
        let segments: Vec<&str> = url.path_segments().unwrap().collect();
        prop_assert_eq!(segments.len(), 4, "{}", url);
        prop_assert_eq!(segments[0], "agents");
        prop_assert_eq!(segments[3], "cancel");
        prop_assert_eq!(percent_decode_str(segments[2]).decode_utf8().unwrap(), text.as_str());
    }

    /// Every way in (`new`, `parse`, `TryFrom`, serde) agrees.
    #[test]
    fn every_constructor_agrees(text in any_id_text()) {
        let accepted = CallId::new(text.clone()).is_ok();
        prop_assert_eq!(text.parse::<CallId>().is_ok(), accepted);
        prop_assert_eq!(CallId::try_from(text.as_str()).is_ok(), accepted);
        prop_assert_eq!(CallId::try_from(text.clone()).is_ok(), accepted);
        let json = serde_json::to_string(&text).unwrap();
        prop_assert_eq!(serde_json::from_str::<CallId>(&json).is_ok(), accepted);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Retry-After
// ---------------------------------------------------------------------------------------------------------------

/// A moment between 1970 and 2200, to the nanosecond.
fn any_now() -> impl Strategy<Value = SystemTime> {
    (0u64..7_258_118_400, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| SystemTime::UNIX_EPOCH + Duration::new(secs, nanos))
}

/// Header values: numbers, dates, near misses and garbage.
fn any_retry_after() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        2 => "[0-9 .eE+-]{0,30}",
        1 => "[ \t]{0,2}[0-9]{1,40}[ \t]{0,2}",
        1 => "[0-9]{0,12}\\.[0-9]{0,12}",
        1 => "(Mon|Tue|Sun|Sunday|Foo), [0-9]{1,2} (Jan|Nov|Xyz) [0-9]{1,5} [0-9]{2}:[0-9]{2}:[0-9]{2} (GMT|UTC|)",
        1 => "(Sunday|Monday), [0-9]{2}-(Nov|Jan)-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        1 => "(Sun|Mon) (Nov|Jan) [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}",
    ]
}

proptest! {
    #![proptest_config(config(512))]

    /// Whatever the header says, parsing never panics and never asks for more than a day.
    #[test]
    fn retry_after_never_panics_and_never_exceeds_a_day(value in any_retry_after(), now in any_now()) {
        if let Some(delay) = parse_retry_after(&value, now) {
            prop_assert!(delay <= DAY, "{value:?} gave {delay:?}");
        }
    }

    /// Delay-seconds are that many seconds, capped at a day, however many digits and whatever the surrounding
    /// whitespace.
    #[test]
    fn retry_after_digits_are_seconds_capped_at_a_day(
        digits in "[0-9]{1,40}",
        before in "[ \t]{0,3}",
        after in "[ \t]{0,3}",
        now in any_now(),
    ) {
        let expected = match digits.parse::<u128>() {
            Ok(secs) if secs < u128::from(DAY.as_secs()) => Duration::from_secs(u64::try_from(secs).unwrap()),
            _ => DAY,
        };
        prop_assert_eq!(parse_retry_after(&format!("{before}{digits}{after}"), now), Some(expected));
    }

    /// Any `u64` of seconds, written plainly.
    #[test]
    fn retry_after_u64_seconds(secs in any::<u64>(), now in any_now()) {
        prop_assert_eq!(
            parse_retry_after(&secs.to_string(), now),
            Some(Duration::from_secs(secs).min(DAY))
        );
    }

    /// Fractional seconds are accepted, capped at a day, and close to the number written.
    #[test]
    fn retry_after_fractions_are_seconds(whole in 0u64..200_000, frac in "[0-9]{1,9}", now in any_now()) {
        let value = format!("{whole}.{frac}");
        let expected: f64 = value.parse().unwrap();
        let delay = parse_retry_after(&value, now).unwrap();
        prop_assert!(delay <= DAY);
        if expected < DAY.as_secs_f64() {
            prop_assert!((delay.as_secs_f64() - expected).abs() < 1e-6, "{value} gave {delay:?}");
        } else {
            prop_assert_eq!(delay, DAY);
        }
    }

    /// An HTTP date N seconds ahead (as `httpdate` formats it, whole seconds) is N seconds away, within the
    /// second `now` has already started; a date in the past is no wait; neither is over a day.
    #[test]
    fn retry_after_http_dates_are_the_time_until_them(now in any_now(), ahead in 0u64..300_000, behind in 1u64..1_000_000) {
        let whole_now = SystemTime::UNIX_EPOCH
            + Duration::from_secs(now.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs());
        let date = httpdate::fmt_http_date(whole_now + Duration::from_secs(ahead));
        let expected = Duration::from_secs(ahead).min(DAY);
        // With `now` at a whole second the answer is exact.
        prop_assert_eq!(parse_retry_after(&date, whole_now), Some(expected));
        // Later within that second, it is at most one second shorter.
        let delay = parse_retry_after(&date, now).unwrap();
        prop_assert!(delay <= expected && expected - delay < Duration::from_secs(1), "{date} at {now:?}: {delay:?}");
        if let Some(past) = whole_now.checked_sub(Duration::from_secs(behind))
            && past >= SystemTime::UNIX_EPOCH
        {
            prop_assert_eq!(parse_retry_after(&httpdate::fmt_http_date(past), now), Some(Duration::ZERO));
        }
    }
}

/// A client of `url` with `retry`, no key.
fn client(url: &str, retry: RetryConfig) -> HttpClient {
    HttpClient::new(HttpConfig {
        provider: Provider::Cartesia,
        base_url: BaseUrl::parse(url).unwrap(),
        headers: HeaderMap::new(),
        retry,
        user_agent: "properties/1".into(),
        http_client: None,
    })
    .unwrap()
}

/// `Retry-After` values at or past a 1.5 s deadline, in every format.
fn retry_after_past_the_deadline() -> impl Strategy<Value = String> {
    prop_oneof![
        (2u64..=u64::MAX).prop_map(|secs| secs.to_string()),
        "[1-9][0-9]{20,40}",
        (2u64..100_000).prop_map(|secs| format!("{secs}.5")),
        // Dates are whole seconds, so one a few seconds ahead may be a second nearer by the time it is read.
        (5u64..10_000_000).prop_map(|secs| httpdate::fmt_http_date(
            SystemTime::now() + Duration::from_secs(secs)
        )),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
    ]
}

proptest! {
    #![proptest_config(config(8))]

    /// A 429 whose `Retry-After` reaches past the operation's deadline is answered at once: one request, no
    /// sleep, the asked delay (capped at a day) kept for the caller.
    #[test]
    fn a_retry_after_past_the_deadline_is_answered_at_once(value in retry_after_past_the_deadline()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let mut server = mockito::Server::new_async().await;
            let mock = server
                .mock("GET", "/x")
                .with_status(429)
                .with_header("retry-after", &value)
                .expect(1)
                .create_async()
                .await;
            let operation_timeout = Duration::from_millis(1500);
            let retry = RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(1))
                .with_attempt_timeout(Duration::from_millis(500))
                .with_operation_timeout(operation_timeout);
            let started = std::time::Instant::now();
            let response = tokio::time::timeout(
                operation_timeout * 4,
                client(&server.url(), retry).send(Request::new(Method::GET, "read").segment("x")),
            )
            .await
            .expect("the client waited far past its deadline")
            .unwrap();
            // The contract, not a speed goal: the answer comes within the operation's deadline.
            prop_assert!(started.elapsed() < operation_timeout, "{:?} for {value:?}", started.elapsed());
            prop_assert_eq!(response.status(), 429);
            prop_assert_eq!(response.attempts(), 1);
            let error = response.error();
            prop_assert_eq!(error.kind(), ErrorKind::RateLimited);
            let asked = error.retry_after().unwrap();
            prop_assert!(asked >= operation_timeout && asked <= DAY, "{asked:?} for {value:?}");
            mock.assert_async().await;
            Ok(())
        })?;
    }
}

/// Timeouts and backoffs from a millisecond to `Duration::MAX`: "no deadline" is a value a user may well set.
fn any_setting() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => (1u64..300).prop_map(Duration::from_millis),
        1 => (1u64..=u64::MAX).prop_map(Duration::from_secs),
        1 => Just(Duration::MAX),
    ]
}

proptest! {
    #![proptest_config(config(16))]

    /// Every retry configuration that `validate()` accepts can be used: a request to a server that answers 503
    /// returns or keeps waiting, and never panics. Durations over one day are refused by `validate()` (they used to
    /// overflow the deadline's `Instant`: `operation_timeout = Duration::MAX` panicked before the first request).
    #[test]
    fn every_validated_retry_config_is_usable(
        attempts in 1u32..4,
        attempt_timeout in any_setting(),
        operation_timeout in any_setting(),
        initial in any_setting(),
        max in any_setting(),
    ) {
        let retry = RetryConfig::standard()
            .with_max_attempts(attempts)
            .with_attempt_timeout(attempt_timeout)
            .with_operation_timeout(operation_timeout)
            .with_initial_backoff(initial)
            .with_max_backoff(max);
        let day = Duration::from_secs(86_400);
        let within_a_day = [attempt_timeout, operation_timeout, initial, max].iter().all(|d| *d <= day);
        prop_assert_eq!(retry.validate().is_ok(), within_a_day && !attempt_timeout.is_zero() && !operation_timeout.is_zero());
        if retry.validate().is_err() {
            return Ok(());
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let mut server = mockito::Server::new_async().await;
            server.mock("GET", "/x").with_status(503).create_async().await;
            let client = client(&server.url(), retry);
            // A long backoff or deadline may keep the client waiting: that is its right, only a panic fails.
            let answer = tokio::time::timeout(
                Duration::from_millis(500),
                client.send(Request::new(Method::GET, "read").segment("x")),
            )
            .await;
            if let Ok(Ok(response)) = answer {
                prop_assert_eq!(response.status(), 503);
            }
            Ok(())
        })?;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Backoff
// ---------------------------------------------------------------------------------------------------------------

/// Durations from zero to absurd, weighted towards the plausible.
fn any_backoff() -> impl Strategy<Value = Duration> {
    prop_oneof![
        4 => (0u64..60_000).prop_map(Duration::from_millis),
        1 => (0u64..=u64::MAX, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        1 => Just(Duration::ZERO),
        1 => Just(Duration::MAX),
    ]
}

/// Any `f64` the caller might pass, NaN and the infinities included.
fn any_random() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0f64..1.0,
        2 => any::<f64>(),
        1 => prop::sample::select(vec![
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, 1.0, 1.0 - f64::EPSILON, -1.0, 2.0,
            f64::MIN_POSITIVE, f64::MAX,
        ]),
    ]
}

/// Durations within a few thousand seconds of `Duration::MAX`.
fn huge_duration() -> impl Strategy<Value = Duration> {
    (u64::MAX - 4096..=u64::MAX, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n))
}

fn any_retry_number() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..40, 1 => any::<u32>()]
}

/// The cap of retry `retry` as documented: `min(max_backoff, initial_backoff * 2^(retry-1))`, in exact arithmetic.
fn documented_cap(initial: Duration, max: Duration, retry: u32) -> Duration {
    let doublings = retry.saturating_sub(1);
    let cap_nanos = if initial.is_zero() {
        0
    } else if doublings >= 128 {
        u128::MAX
    } else {
        initial
            .as_nanos()
            .checked_shl(doublings)
            .filter(|n| n >> doublings == initial.as_nanos())
            .unwrap_or(u128::MAX)
    };
    if cap_nanos >= max.as_nanos() {
        max
    } else {
        Duration::new(
            u64::try_from(cap_nanos / 1_000_000_000).unwrap(),
            u32::try_from(cap_nanos % 1_000_000_000).unwrap(),
        )
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// Without jitter the delay is the cap, and the cap never exceeds `max_backoff`.
    #[test]
    fn backoff_without_jitter_is_the_cap_within_max(
        initial in any_backoff(),
        max in any_backoff(),
        retry in any_retry_number(),
        random in any_random(),
    ) {
        let config = RetryConfig::standard()
            .with_initial_backoff(initial)
            .with_max_backoff(max)
            .with_jitter(false);
        let cap = backoff_delay(&config, retry, random);
        prop_assert!(cap <= max, "cap {cap:?} > max {max:?}");
        prop_assert_eq!(cap, backoff_delay(&config, retry, 0.0));
    }

    /// With jitter the delay never exceeds the cap (so never `max_backoff`), whatever the random number.
    ///
    /// Found by this property and fixed: `cap.mul_f64(random)` went through `f64` seconds and could round up past
    /// the cap by a nanosecond. Minimal failing case: `initial = 7.562s, max = 134217728.348213777s, retry = 22,
    /// random = 1e47` (clamped to 1.0) gives 15858663.424000001s for a cap of 15858663.424s.
    #[test]
    fn jittered_backoff_never_exceeds_its_cap(
        initial in any_backoff(),
        max in any_backoff(),
        retry in any_retry_number(),
        random in any_random(),
    ) {
        let config = RetryConfig::standard()
            .with_initial_backoff(initial)
            .with_max_backoff(max)
            .with_jitter(true);
        let cap = backoff_delay(&config.clone().with_jitter(false), retry, random);
        let delay = backoff_delay(&config, retry, random);
        prop_assert!(delay <= cap, "{delay:?} > {cap:?}");
    }

    /// No configuration the setters accept and no random number panics, durations near `Duration::MAX` included.
    ///
    /// Found by this property and fixed: `cap.mul_f64(random)` converted through `f64` seconds, and a cap within
    /// about 1,000 s of `Duration::MAX` rounds to 2^64 s, which `Duration::from_secs_f64` refuses with a panic
    /// ("cannot convert float seconds to Duration"). Minimal failing case: `initial = 8589934592s,
    /// max = 18446744073709550592s, jitter = true, retry = 32, random = 1.0` (or anything above 1, clamped to it).
    #[test]
    fn backoff_never_panics(
        initial in prop_oneof![any_backoff(), huge_duration()],
        max in prop_oneof![any_backoff(), huge_duration()],
        jitter in any::<bool>(),
        retry in any_retry_number(),
        random in prop_oneof![any_random(), 0.999_999f64..=1.0],
    ) {
        let config = RetryConfig::standard()
            .with_initial_backoff(initial)
            .with_max_backoff(max)
            .with_jitter(jitter);
        let _ = backoff_delay(&config, retry, random);
    }

    /// The caps start at `min(initial, max)` and never shrink from one retry to the next.
    #[test]
    fn backoff_caps_are_monotone(
        initial in any_backoff(),
        max in any_backoff(),
        retry in any_retry_number(),
        random in any_random(),
    ) {
        let config = RetryConfig::standard()
            .with_initial_backoff(initial)
            .with_max_backoff(max)
            .with_jitter(false);
        prop_assert_eq!(backoff_delay(&config, 1, random), initial.min(max));
        prop_assert_eq!(backoff_delay(&config, 0, random), initial.min(max));
        let this = backoff_delay(&config, retry, random);
        let next = backoff_delay(&config, retry.saturating_add(1), random);
        prop_assert!(this <= next, "retry {retry}: {this:?} then {next:?}");
    }

    /// The caps are what `backoff_delay`'s documentation says: "the cap doubles from `initial_backoff` at each
    /// retry and stops at `max_backoff`", that is `min(max_backoff, initial_backoff * 2^(retry-1))`.
    ///
    /// Found by this property and fixed: the doubling stopped after 31 doublings (`.min(31)` in `backoff.rs`), so
    /// when `max_backoff` was more than 2^31 times `initial_backoff` the cap never reached `max_backoff`.
    /// Minimal failing case: `initial = 1ms, max = 2147484s, retry = 33` gives 2147483.648s, not 2147484s; and
    /// plausibly `initial = 1µs, max = 1h` never waits more than 35m47s.
    #[test]
    fn backoff_caps_follow_the_documented_formula(
        initial in any_backoff(),
        max in any_backoff(),
        retry in any_retry_number(),
    ) {
        let config = RetryConfig::standard()
            .with_initial_backoff(initial)
            .with_max_backoff(max)
            .with_jitter(false);
        prop_assert_eq!(backoff_delay(&config, retry, 0.5), documented_cap(initial, max, retry));
    }

    /// With jitter, the delay is the random fraction of the cap (to rounding); out-of-range numbers are clamped
    /// and NaN and the infinities count as zero.
    #[test]
    fn jitter_scales_the_cap(
        initial in (0u64..60_000).prop_map(Duration::from_millis),
        max in (0u64..60_000).prop_map(Duration::from_millis),
        retry in any_retry_number(),
        random in any_random(),
    ) {
        let config = RetryConfig::standard().with_initial_backoff(initial).with_max_backoff(max);
        let cap = documented_cap(initial, max, retry);
        let fraction = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.0 };
        let delay = backoff_delay(&config, retry, random);
        let expected = cap.as_secs_f64() * fraction;
        prop_assert!((delay.as_secs_f64() - expected).abs() < 1e-6, "{delay:?} vs {expected}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// E.164 phone numbers
// ---------------------------------------------------------------------------------------------------------------

/// A valid E.164 number's digits: 8 to 15, the first not 0.
fn e164_digits() -> impl Strategy<Value = String> {
    ("[1-9]", "[0-9]{7,14}").prop_map(|(first, rest)| format!("{first}{rest}"))
}

/// A character that is not an ASCII digit, including other scripts' digits.
fn not_a_digit() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            ' ', '-', '.', '(', ')', '+', 'O', 'l', '\u{0}', '\n', '٣', '３', '０', '\u{a0}', '#', '*', 'é',
        ]),
        1 => any::<char>().prop_filter("not an ASCII digit", |c| !c.is_ascii_digit()),
    ]
}

/// What the `PhoneNumber` documentation says is E.164.
fn documented_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        digits.bytes().all(|b| b.is_ascii_digit())
            && (8..=15).contains(&digits.len())
            && !digits.starts_with('0')
    })
}

/// Checks that `error` (from refusing `number`) never quotes the number's digits.
fn never_quotes(error: &call_core::Error, digits: &str) -> Result<(), TestCaseError> {
    // Short runs ("8", "15") appear in the rule itself; four digits or more would be the number.
    if digits.len() >= 4 {
        for text in [error.to_string(), format!("{error:?}")] {
            prop_assert!(!text.contains(digits), "{text}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    /// Every valid E.164 number is accepted as given; `Debug` shows at most its last two digits.
    #[test]
    fn valid_e164_is_accepted(digits in e164_digits()) {
        let number = format!("+{digits}");
        let phone = PhoneNumber::new(number.clone()).unwrap();
        prop_assert_eq!(phone.as_str(), number.as_str());
        let debug = format!("{phone:?}");
        prop_assert!(!debug.contains(&digits[..digits.len() - 2]), "{debug}");
    }

    /// Any character other than an ASCII digit after the `+` is refused, wherever it is.
    #[test]
    fn a_non_digit_is_refused(digits in e164_digits(), bad in not_a_digit(), at in any::<prop::sample::Index>()) {
        let mut chars: Vec<char> = digits.chars().collect();
        let position = at.index(chars.len() + 1);
        chars.insert(position, bad);
        let number = format!("+{}", chars.iter().collect::<String>());
        let error = PhoneNumber::new(number).unwrap_err();
        prop_assert_eq!(error.kind(), ErrorKind::InvalidInput);
        never_quotes(&error, &digits[..position.min(digits.len())])?;
        never_quotes(&error, &digits[position.min(digits.len())..])?;
    }

    /// Too few or too many digits, a leading 0, or no `+` are refused, without quoting the number.
    #[test]
    fn wrong_shapes_are_refused(
        short in "[1-9][0-9]{0,6}",
        long in "[1-9][0-9]{15,30}",
        zero in "0[0-9]{7,14}",
        digits in e164_digits(),
    ) {
        for number in [format!("+{short}"), format!("+{long}"), format!("+{zero}"), digits.clone(), format!("++{digits}"), String::from("+")] {
            let error = PhoneNumber::new(number.clone()).unwrap_err();
            prop_assert_eq!(error.kind(), ErrorKind::InvalidInput, "{}", number);
            never_quotes(&error, number.trim_start_matches('+'))?;
        }
    }

    /// Any text is accepted exactly when it is `+` and 8 to 15 ASCII digits, the first not 0.
    #[test]
    fn acceptance_is_exactly_the_documented_rule(
        text in prop_oneof![any::<String>(), "\\+?[0-9 +٣-]{0,18}", e164_digits().prop_map(|d| format!("+{d}"))],
    ) {
        let result = PhoneNumber::new(text.clone());
        prop_assert_eq!(result.is_ok(), documented_e164(&text), "{:?}", text);
        if let Err(error) = result {
            prop_assert_eq!(error.kind(), ErrorKind::InvalidInput);
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            never_quotes(&error, &digits)?;
        }
    }
}
