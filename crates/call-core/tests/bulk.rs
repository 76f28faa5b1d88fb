//! Bulk termination against a scripted in-memory provider: one report per distinct id, bounded concurrency,
//! slowing down on rate limits, and stopping without losing an id.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use call_core::provider_kit::ErrorExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use call_core::RateLimit;
use call_core::bulk::{BulkOptions, BulkOutcome, terminate_all};
use call_core::{
    CallControl, CallId, Error, ErrorKind, Provider, TerminateOutcome, Termination, async_trait,
};
use futures_util::StreamExt;
use futures_util::stream;

/// A provider that answers from a script and records what it was asked.
#[derive(Debug, Default)]
struct Scripted {
    calls: Mutex<HashMap<String, usize>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    delay: Duration,
    rate_limit: RateLimit,
    /// Ids that get a rate-limit answer (and close the gate briefly).
    rate_limited: Vec<String>,
}

#[async_trait]
impl CallControl for Scripted {
    fn provider(&self) -> Provider {
        Provider::Cartesia
    }

    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        *self
            .calls
            .lock()
            .unwrap()
            .entry(call_id.to_string())
            .or_default() += 1;
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if self.rate_limited.iter().any(|id| id == call_id.as_str()) {
            self.rate_limit.pause_for(Duration::from_millis(1));
            return Err(Error::from_status(429)
                .with_call_id(call_id.clone())
                .with_attempts(1));
        }
        match call_id.as_str() {
            id if id.starts_with("over") => Ok(Termination::new(
                Provider::Cartesia,
                call_id.clone(),
                TerminateOutcome::AlreadyEnded,
                1,
            )),
            id if id.starts_with("gone") => Err(Error::from_status(404)
                .with_call_id(call_id.clone())
                .with_attempts(1)),
            _ => Ok(Termination::new(
                Provider::Cartesia,
                call_id.clone(),
                TerminateOutcome::Terminated,
                1,
            )),
        }
    }

    fn rate_limit(&self) -> Option<&RateLimit> {
        Some(&self.rate_limit)
    }
}

fn ids(list: &[&str]) -> stream::Iter<std::vec::IntoIter<String>> {
    stream::iter(list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
}

#[tokio::test]
async fn every_distinct_id_gets_exactly_one_report_and_one_request() {
    let provider = Arc::new(Scripted::default());
    let input = ["a", "over_1", "gone_1", "a", "", "b", "bad\nid", "b", "c"];
    let reports: Vec<_> = terminate_all(
        provider.clone(),
        ids(&input),
        BulkOptions::new().with_max_concurrency(2),
    )
    .collect()
    .await;
    let mut by_id: HashMap<String, &'static str> = HashMap::new();
    for report in &reports {
        assert!(
            by_id
                .insert(report.call_id.clone(), report.outcome.as_str())
                .is_none(),
            "two reports for {}",
            report.call_id
        );
    }
    let expected = [
        ("a", "terminated"),
        ("over_1", "already_ended"),
        ("gone_1", "failed"),
        ("", "failed"),
        ("b", "terminated"),
        ("bad\nid", "failed"),
        ("c", "terminated"),
    ];
    assert_eq!(by_id.len(), expected.len());
    for (id, outcome) in expected {
        assert_eq!(by_id[id], outcome, "{id:?}");
    }
    let calls = provider.calls.lock().unwrap();
    assert_eq!(calls.values().sum::<usize>(), 5, "{calls:?}");
    assert!(calls.values().all(|n| *n == 1));
    for report in &reports {
        if let BulkOutcome::Failed(error) = &report.outcome
            && (report.call_id.is_empty() || report.call_id.contains('\n'))
        {
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert_eq!(report.outcome.attempts(), 0);
        }
    }
}

#[tokio::test]
async fn without_deduplication_a_repeated_id_is_terminated_and_reported_again() {
    // What `without_deduplication` documents: nothing remembered, so a repeat is sent and reported a second time.
    let provider = Arc::new(Scripted::default());
    let reports: Vec<_> = terminate_all(
        provider.clone(),
        ids(&["a", "b", "a", ""]),
        BulkOptions::new().without_deduplication(),
    )
    .collect()
    .await;
    let mut reported: Vec<&str> = reports.iter().map(|r| r.call_id.as_str()).collect();
    reported.sort_unstable();
    assert_eq!(reported, ["", "a", "a", "b"]);
    let calls = provider.calls.lock().unwrap();
    assert_eq!((calls["a"], calls["b"]), (2, 1));
}

#[tokio::test]
async fn concurrency_never_exceeds_the_maximum() {
    let provider = Arc::new(Scripted {
        delay: Duration::from_millis(2),
        ..Scripted::default()
    });
    let list: Vec<String> = (0..200).map(|n| format!("call_{n}")).collect();
    let count = terminate_all(
        provider.clone(),
        stream::iter(list),
        BulkOptions::new().with_max_concurrency(8),
    )
    .filter(|r| std::future::ready(r.outcome.is_success()))
    .count()
    .await;
    assert_eq!(count, 200);
    let peak = provider.peak.load(Ordering::SeqCst);
    assert!((2..=8).contains(&peak), "peak {peak}");
}

#[tokio::test]
async fn rate_limits_lower_the_concurrency() {
    let limited: Vec<String> = (0..10).map(|n| format!("call_{n}")).collect();
    let provider = Arc::new(Scripted {
        delay: Duration::from_millis(1),
        rate_limited: limited,
        ..Scripted::default()
    });
    let list: Vec<String> = (0..60).map(|n| format!("call_{n}")).collect();
    let reports: Vec<_> = terminate_all(
        provider.clone(),
        stream::iter(list),
        BulkOptions::new().with_max_concurrency(16),
    )
    .collect()
    .await;
    assert_eq!(reports.len(), 60);
    let failed = reports.iter().filter(|r| !r.outcome.is_success()).count();
    assert_eq!(failed, 10);
    assert!(provider.rate_limit.events() >= 10);
}

#[tokio::test]
async fn a_stop_lets_in_flight_finish_and_reports_the_rest_as_not_attempted() {
    let provider = Arc::new(Scripted {
        delay: Duration::from_millis(20),
        ..Scripted::default()
    });
    let list: Vec<String> = (0..100).map(|n| format!("call_{n}")).collect();
    let mut reports = terminate_all(
        provider.clone(),
        stream::iter(list),
        BulkOptions::new().with_max_concurrency(4),
    );
    let stop = reports.stop_handle();
    let first = reports.next().await.unwrap();
    assert!(first.outcome.is_success());
    stop.stop();
    let mut rest = Vec::new();
    while let Some(report) = reports.next().await {
        rest.push(report);
    }
    assert_eq!(rest.len() + 1, 100, "every id is reported");
    let sent: usize = provider.calls.lock().unwrap().values().sum();
    let done = rest.iter().filter(|r| r.outcome.is_success()).count() + 1;
    let not_attempted = rest
        .iter()
        .filter(|r| matches!(r.outcome, BulkOutcome::NotAttempted))
        .count();
    assert_eq!(done, sent, "every request sent finished and was reported");
    assert_eq!(done + not_attempted, 100);
    assert!(not_attempted >= 90, "stopped early: {not_attempted}");
}

#[tokio::test]
async fn dropping_the_stream_stops_new_work_but_not_requests_in_flight() {
    let provider = Arc::new(Scripted {
        delay: Duration::from_millis(30),
        ..Scripted::default()
    });
    let list: Vec<String> = (0..1000).map(|n| format!("call_{n}")).collect();
    let mut reports = terminate_all(
        provider.clone(),
        stream::iter(list),
        BulkOptions::new().with_max_concurrency(4),
    );
    let _ = reports.next().await;
    drop(reports);
    // Wait for the requests in flight to end on their own.
    while provider.in_flight.load(Ordering::SeqCst) > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sent: usize = provider.calls.lock().unwrap().values().sum();
    assert!(sent < 20, "new work kept starting after the drop: {sent}");
}
