//! Shared helpers: clients pointed at a local server with millisecond retry settings.

use std::time::Duration;

use cartesia_calls::{CartesiaClient, RetryConfig};

/// The key every test uses; no output may ever contain it.
pub const KEY: &str = "sk_car_canary_7f3a9";

/// Fast retries: three attempts, 1 ms backoff, short timeouts, a fixed jitter seed.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
        .with_attempt_timeout(Duration::from_millis(500))
        .with_operation_timeout(Duration::from_secs(5))
        .with_jitter_seed(7)
}

/// A client for `base_url` with [`fast_retry`].
pub fn client(base_url: &str) -> CartesiaClient {
    CartesiaClient::builder()
        .api_key(KEY)
        .base_url(base_url)
        .retry(fast_retry())
        .build()
        .unwrap()
}

/// Asserts the key appears nowhere in `text`.
pub fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "key leaked: {text}");
    assert!(!text.contains("canary"), "key leaked: {text}");
}
