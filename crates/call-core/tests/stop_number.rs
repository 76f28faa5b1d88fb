//! "Stop calling this number" against scripted in-memory providers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use call_core::provider_kit::ErrorExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use call_core::bulk::{BulkOptions, BulkOutcome};
use call_core::stop_number::{
    NumberControl, NumberTarget, StopNumberEvent, Suppression, stop_number,
};
use call_core::{
    CallControl, CallId, Error, ErrorKind, PhoneNumber, Provider, TerminateOutcome, Termination,
    async_trait,
};
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};

/// A provider with a do-not-call list and a search, or neither.
#[derive(Debug)]
struct Scripted {
    provider: Provider,
    searchable: bool,
    /// Calls by number: (id, already over).
    calls: HashMap<String, Vec<(String, bool)>>,
    /// The search fails after this many results.
    fail_after: Option<usize>,
    dnc: Mutex<Vec<String>>,
    terminated: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(provider: Provider, searchable: bool) -> Self {
        Scripted {
            provider,
            searchable,
            calls: HashMap::new(),
            fail_after: None,
            dnc: Mutex::new(Vec::new()),
            terminated: Mutex::new(Vec::new()),
        }
    }
}

#[async_trait]
impl CallControl for Scripted {
    fn provider(&self) -> Provider {
        self.provider
    }

    async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
        self.terminated.lock().unwrap().push(call_id.to_string());
        let over = self
            .calls
            .values()
            .flatten()
            .any(|(id, over)| id == call_id.as_str() && *over);
        let outcome = if over {
            TerminateOutcome::AlreadyEnded
        } else {
            TerminateOutcome::Terminated
        };
        Ok(Termination::new(self.provider, call_id.clone(), outcome, 1))
    }
}

#[async_trait]
impl NumberControl for Scripted {
    async fn suppress_number(&self, number: &PhoneNumber) -> call_core::Result<Suppression> {
        if !self.searchable {
            return Err(Error::new(ErrorKind::Unsupported, "no list"));
        }
        let mut dnc = self.dnc.lock().unwrap();
        if dnc.iter().any(|n| n == number.as_str()) {
            return Ok(Suppression::AlreadyListed);
        }
        dnc.push(number.to_string());
        Ok(Suppression::Added)
    }

    fn find_calls_to(&self, number: &PhoneNumber) -> BoxStream<'static, call_core::Result<CallId>> {
        if !self.searchable {
            return stream::once(async { Err(Error::new(ErrorKind::Unsupported, "no search")) })
                .boxed();
        }
        let mut found: Vec<call_core::Result<CallId>> = self
            .calls
            .get(number.as_str())
            .into_iter()
            .flatten()
            .map(|(id, _)| Ok(CallId::new(id.clone()).unwrap()))
            .collect();
        if let Some(n) = self.fail_after {
            found.truncate(n);
            found.push(Err(Error::from_status(503)));
        }
        stream::iter(found).boxed()
    }
}

fn number() -> PhoneNumber {
    PhoneNumber::new("+919876543210").unwrap()
}

#[tokio::test]
async fn suppresses_finds_and_terminates_each_call_once() {
    let mut provider = Scripted::new(Provider::MiraiV2, true);
    provider.calls.insert(
        number().to_string(),
        vec![
            ("call_a".into(), false),
            ("call_b".into(), true),
            ("call_c".into(), false),
        ],
    );
    provider
        .calls
        .insert("+14155550123".into(), vec![("other".into(), false)]);
    let provider = Arc::new(provider);
    let target =
        NumberTarget::new(provider.clone()).with_known_call_ids([CallId::new("call_a").unwrap()]);
    let events: Vec<_> = stop_number(vec![target], number(), BulkOptions::new())
        .collect()
        .await;

    assert!(events.iter().any(|event| matches!(
        event,
        StopNumberEvent::Suppressed {
            provider: Provider::MiraiV2,
            suppression: Suppression::Added
        }
    )));
    let mut outcomes: Vec<(String, &str)> = events
        .iter()
        .filter_map(|event| match event {
            StopNumberEvent::Call(report) => {
                Some((report.call_id.clone(), report.outcome.as_str()))
            }
            _ => None,
        })
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            ("call_a".into(), "terminated"),
            ("call_b".into(), "already_ended"),
            ("call_c".into(), "terminated")
        ]
    );
    assert_eq!(events.len(), 4, "{events:?}");
    let mut sent = provider.terminated.lock().unwrap().clone();
    sent.sort();
    assert_eq!(
        sent,
        ["call_a", "call_b", "call_c"],
        "each call once, the other number's call untouched"
    );
    assert_eq!(*provider.dnc.lock().unwrap(), [number().to_string()]);
}

#[tokio::test]
async fn a_provider_that_cannot_search_says_so_and_stops_the_known_ids() {
    let provider = Arc::new(Scripted::new(Provider::Mirai, false));
    let known = [CallId::new("68f0a1b2c3d4e5f600000900").unwrap()];
    let target = NumberTarget::new(provider.clone()).with_known_call_ids(known);
    let events: Vec<_> = stop_number(vec![target], number(), BulkOptions::new())
        .collect()
        .await;
    assert!(events.iter().any(|event| matches!(
        event,
        StopNumberEvent::SuppressionUnsupported {
            provider: Provider::Mirai
        }
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        StopNumberEvent::SearchUnsupported {
            provider: Provider::Mirai
        }
    )));
    let calls: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            StopNumberEvent::Call(report) => Some(report),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 1);
    assert!(matches!(calls[0].outcome, BulkOutcome::Done(_)));
}

#[tokio::test]
async fn a_failing_search_is_reported_and_what_it_found_is_still_stopped() {
    let mut searchable = Scripted::new(Provider::MiraiV2, true);
    searchable.calls.insert(
        number().to_string(),
        vec![("call_a".into(), false), ("call_b".into(), false)],
    );
    searchable.fail_after = Some(1);
    let searchable = Arc::new(searchable);
    let legacy = Arc::new(Scripted::new(Provider::Mirai, false));
    let targets = vec![
        NumberTarget::new(searchable.clone()),
        NumberTarget::new(legacy),
    ];
    let events: Vec<_> = stop_number(targets, number(), BulkOptions::new())
        .collect()
        .await;
    let failed = events.iter().find_map(|e| match e {
        StopNumberEvent::SearchFailed { provider, error } => Some((*provider, error.status())),
        _ => None,
    });
    assert_eq!(failed, Some((Provider::MiraiV2, Some(503))));
    assert_eq!(*searchable.terminated.lock().unwrap(), ["call_a"]);
    // Both providers were worked through.
    let providers: Vec<Provider> = events
        .iter()
        .filter_map(|e| match e {
            StopNumberEvent::Suppressed { provider, .. }
            | StopNumberEvent::SuppressionUnsupported { provider } => Some(*provider),
            _ => None,
        })
        .collect();
    assert_eq!(providers.len(), 2);
    assert!(providers.contains(&Provider::Mirai) && providers.contains(&Provider::MiraiV2));
}

/// A provider whose search fails part way and goes on (Cartesia: one agent's listing fails, the next is listed).
#[tokio::test]
async fn a_search_error_is_reported_and_the_search_goes_on() {
    #[derive(Debug)]
    struct Patchy(Scripted);

    #[async_trait]
    impl CallControl for Patchy {
        fn provider(&self) -> Provider {
            self.0.provider()
        }

        async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
            self.0.terminate(call_id).await
        }
    }

    #[async_trait]
    impl NumberControl for Patchy {
        fn find_calls_to(&self, _: &PhoneNumber) -> BoxStream<'static, call_core::Result<CallId>> {
            let found = vec![
                Err(Error::from_status(404)),
                Ok(CallId::new("call_a").unwrap()),
                Err(Error::from_status(503)),
                Ok(CallId::new("call_b").unwrap()),
            ];
            stream::iter(found).boxed()
        }
    }

    let provider = Arc::new(Patchy(Scripted::new(Provider::Cartesia, true)));
    let events: Vec<_> = stop_number(
        vec![NumberTarget::new(provider.clone())],
        number(),
        BulkOptions::new(),
    )
    .collect()
    .await;
    let mut failures: Vec<Option<u16>> = events
        .iter()
        .filter_map(|e| match e {
            StopNumberEvent::SearchFailed { error, .. } => Some(error.status()),
            _ => None,
        })
        .collect();
    failures.sort();
    assert_eq!(failures, [Some(404), Some(503)]);
    let mut sent = provider.0.terminated.lock().unwrap().clone();
    sent.sort();
    assert_eq!(sent, ["call_a", "call_b"]);
}

/// A stop ends the search at once: what it had not found is not searched for, and nothing more is sent.
#[tokio::test]
async fn a_stop_ends_the_search_and_starts_no_termination() {
    #[derive(Debug)]
    struct Endless(Scripted);

    #[async_trait]
    impl CallControl for Endless {
        fn provider(&self) -> Provider {
            self.0.provider()
        }

        async fn terminate(&self, call_id: &CallId) -> call_core::Result<Termination> {
            self.0.terminate(call_id).await
        }
    }

    #[async_trait]
    impl NumberControl for Endless {
        fn find_calls_to(&self, _: &PhoneNumber) -> BoxStream<'static, call_core::Result<CallId>> {
            // One call, then a search that never finds another.
            stream::iter([Ok(CallId::new("call_a").unwrap())])
                .chain(stream::pending())
                .boxed()
        }
    }

    let provider = Arc::new(Endless(Scripted::new(Provider::MiraiV2, true)));
    let mut run = stop_number(
        vec![NumberTarget::new(provider.clone())],
        number(),
        BulkOptions::new(),
    );
    let stop = run.stop_handle();
    let mut calls = 0;
    while let Some(event) = run.next().await {
        if let StopNumberEvent::Call(report) = event {
            assert_eq!(report.call_id, "call_a");
            calls += 1;
            stop.stop();
        }
    }
    assert_eq!(
        calls, 1,
        "the run ended after the stop, though the search never did"
    );
    assert_eq!(*provider.0.terminated.lock().unwrap(), ["call_a"]);
}
