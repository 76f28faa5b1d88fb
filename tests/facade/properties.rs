//! Properties end to end, over generated inputs (proptest): call ids reach the simulator as exactly the segment
//! that was meant, rejected ids send nothing, and list streams yield every call once and always end.
//!
//! Each property starts one runtime and one `Sim` and reuses them across its cases, so the journal is read as
//! differences before and after each case.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use calls_facade::bulk::{BulkOptions, BulkOutcome, terminate_all};
use calls_facade::cartesia::{CartesiaClient, ListCalls};
use calls_facade::mirai::MiraiV2Client;
use calls_facade::mirai::v2::ListCalls as V2ListCalls;
use calls_facade::{CallControl, CallId, ErrorKind, RetryConfig};
use calls_sim::{Route, Sim};
use futures_util::{StreamExt, TryStreamExt};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use tokio::runtime::Runtime;

/// `cases` cases, failures reported, not saved into the source tree.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Three attempts with millisecond backoffs, so an unexpected retry would show in the journal without slowing
/// anything down.
fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(4))
        .with_attempt_timeout(Duration::from_secs(2))
        .with_operation_timeout(Duration::from_secs(5))
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn cartesia(url: &str, key: &str) -> CartesiaClient {
    CartesiaClient::builder()
        .api_key(key)
        .base_url(url)
        .retry(retry())
        .build()
        .unwrap()
}

fn mirai_v2(url: &str, key: &str) -> MiraiV2Client {
    MiraiV2Client::builder()
        .api_key(key)
        .base_url(url)
        .retry(retry())
        .build()
        .unwrap()
}

/// Characters that matter in a path, plus a few non-ASCII and invisible ones.
const ID_ALPHABET: &[char] = &[
    'a', 'Z', '0', '_', '-', '~', '.', '/', '?', '#', '%', ' ', '&', '=', '+', ';', ':', '@', '\\',
    '"', '\'', 'é', '日', '🙂', '\u{a0}', '\u{202e}', '\u{2028}',
];

/// Printable ids a `CallId` accepts, up to 256 bytes: `/ ? # % .` and spaces included.
fn accepted_id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(prop::sample::select(ID_ALPHABET), 1..40)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
        2 => "\\PC{1,60}",
        1 => (1usize..=64).prop_map(|n| "🙂".repeat(n)),
        1 => (250usize..=256).prop_map(|n| "%".repeat(n)),
        1 => prop::sample::select(vec![
            "...", "a/b", "../agents", "./x", "x?y=1", "%2F", "%2e%2e", "%", "a#b", " a ", "batches", "calls",
            "abort", "..%2F",
        ])
        .prop_map(str::to_owned),
    ]
    .prop_filter("a CallId must accept it", |id| CallId::new(id.clone()).is_ok())
}

/// Strings a `CallId` refuses: empty, blank, control characters, `.` and `..`, over 256 bytes.
fn rejected_id() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["", " ", "\t", ".", ".."]).prop_map(str::to_owned),
        "[ \t\u{a0}\u{3000}]{1,8}",
        (
            "[a-z/.]{0,8}",
            "[\u{0}-\u{1f}\u{7f}\u{80}-\u{9f}]",
            "[a-z/.]{0,8}"
        )
            .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
        (257usize..400).prop_map(|n| "x".repeat(n)),
        (65usize..100).prop_map(|n| "🙂".repeat(n)),
    ]
    .prop_filter("a CallId must refuse it", |id| {
        CallId::new(id.clone()).is_err()
    })
}

/// An accepted id reaches the simulator's cancel and abort routes as one segment that decodes to the same id: the
/// journal counts exactly one request for exactly that id on the right route, and nothing anywhere else.
#[test]
fn accepted_ids_reach_the_simulator_as_themselves() {
    let runtime = runtime();
    let sim = runtime.block_on(Sim::start()).unwrap();
    let creds = sim.credentials();
    let cartesia = cartesia(sim.base_url(), creds.cartesia_api_key());
    let mirai_v2 = mirai_v2(sim.base_url(), creds.mirai_api_key());
    let journal = sim.journal();

    let mut runner = TestRunner::new(config(64));
    let result = runner.run(&accepted_id(), |text| {
        let id = CallId::new(text.clone()).unwrap();
        runtime.block_on(async {
            // Cartesia refuses the one id that would address the batches (`/agents/calls/batches`), unsent.
            let total = journal.total();
            let cancel_before = journal.count(Route::CartesiaCancel, Some(&text));
            let error = cartesia.cancel_call(&id).await.unwrap_err();
            if text == "batches" {
                prop_assert_eq!(error.kind(), ErrorKind::InvalidInput);
                prop_assert_eq!(journal.total(), total);
            } else {
                prop_assert_eq!(error.kind(), ErrorKind::NotFound, "{}", error);
                prop_assert_eq!(
                    journal.count(Route::CartesiaCancel, Some(&text)),
                    cancel_before + 1
                );
                prop_assert_eq!(journal.total(), total + 1);
            }

            let total = journal.total();
            let abort_before = journal.count(Route::MiraiV2Abort, Some(&text));
            let error = mirai_v2.abort_call(&id).await.unwrap_err();
            prop_assert_eq!(error.kind(), ErrorKind::NotFound, "{}", error);
            prop_assert_eq!(
                journal.count(Route::MiraiV2Abort, Some(&text)),
                abort_before + 1
            );
            prop_assert_eq!(journal.total(), total + 1);
            prop_assert_eq!(journal.unmatched(), 0);
            Ok(())
        })
    });
    runtime.block_on(sim.shutdown());
    result.unwrap();
}

/// A refused id never becomes a request: `CallId` refuses it as `InvalidInput`, and the bulk engine, which takes
/// raw strings, reports each one failed without sending anything to either provider.
#[test]
fn rejected_ids_send_nothing() {
    let runtime = runtime();
    let sim = runtime.block_on(Sim::start()).unwrap();
    let creds = sim.credentials();
    let clients: [Arc<dyn CallControl>; 2] = [
        Arc::new(cartesia(sim.base_url(), creds.cartesia_api_key())),
        Arc::new(mirai_v2(sim.base_url(), creds.mirai_api_key())),
    ];
    let journal = sim.journal();

    let mut runner = TestRunner::new(config(32));
    let ids = prop::collection::hash_set(rejected_id(), 1..8);
    let result = runner.run(&ids, |ids| {
        for id in &ids {
            prop_assert_eq!(
                CallId::new(id.clone()).unwrap_err().kind(),
                ErrorKind::InvalidInput
            );
        }
        runtime.block_on(async {
            for client in &clients {
                let mut reports = terminate_all(
                    Arc::clone(client),
                    futures_util::stream::iter(ids.clone()),
                    BulkOptions::new(),
                );
                let mut reported = 0;
                while let Some(report) = reports.next().await {
                    reported += 1;
                    match report.outcome {
                        BulkOutcome::Failed(error) => {
                            prop_assert_eq!(error.kind(), ErrorKind::InvalidInput);
                            prop_assert!(!error.request_may_have_been_sent());
                        }
                        other => prop_assert!(false, "{:?}: {:?}", report.call_id, other),
                    }
                }
                prop_assert_eq!(reported, ids.len());
            }
            prop_assert_eq!(journal.total(), 0);
            Ok(())
        })
    });
    runtime.block_on(sim.shutdown());
    result.unwrap();
}

/// The pages a list of `calls` calls takes at `limit` per page: at least one, even when empty.
fn pages(calls: usize, limit: u32) -> u64 {
    u64::try_from(calls.div_ceil(usize::try_from(limit).unwrap()).max(1)).unwrap()
}

/// For any number of calls and page size, each list stream yields every call of the agent exactly once, newest
/// first, and ends after reading each page once.
#[test]
fn list_streams_yield_every_call_once_in_order() {
    let runtime = runtime();
    let sim = runtime.block_on(Sim::start()).unwrap();
    let creds = sim.credentials();
    let cartesia = cartesia(sim.base_url(), creds.cartesia_api_key());
    let mirai_v2 = mirai_v2(sim.base_url(), creds.mirai_api_key());
    let journal = sim.journal();
    // A fresh agent per case, so cases never see each other's calls.
    let agents = AtomicUsize::new(0);

    let mut runner = TestRunner::new(config(24));
    let result = runner.run(&(0usize..=45, 1u32..=20), |(calls, limit)| {
        let agent = format!("agent_prop_{}", agents.fetch_add(1, Ordering::Relaxed));
        runtime.block_on(async {
            let seeded = sim.cartesia().seed_agent_calls(&agent, calls);
            let before = journal.route_count(Route::CartesiaList);
            let listed: Vec<String> = cartesia
                .list_calls(ListCalls::new(agent.as_str()).limit(limit))
                .map_ok(|call| call.id.as_str().to_owned())
                .try_collect()
                .await
                .unwrap();
            prop_assert_eq!(&listed, &seeded);
            prop_assert_eq!(
                journal.route_count(Route::CartesiaList) - before,
                pages(calls, limit)
            );

            let seeded = sim.mirai_v2().seed_agent_calls(&agent, calls);
            let before = journal.route_count(Route::MiraiV2List);
            let listed: Vec<String> = mirai_v2
                .list_calls(V2ListCalls::new().agent_id(agent.as_str()).limit(limit))
                .map_ok(|call| call.id.as_str().to_owned())
                .try_collect()
                .await
                .unwrap();
            prop_assert_eq!(&listed, &seeded);
            prop_assert_eq!(
                journal.route_count(Route::MiraiV2List) - before,
                pages(calls, limit)
            );
            Ok(())
        })
    });
    runtime.block_on(sim.shutdown());
    result.unwrap();
}

/// A chain of pages whose last page hands back a cursor given before: page `i` holds `sizes[i]` calls, pages
/// before the last point to the next one, and the last points back to page `back_to` (1 or later; the first page
/// has no cursor).
#[derive(Debug, Clone)]
struct LoopingPages {
    sizes: Vec<usize>,
    cursors: Vec<String>,
    back_to: usize,
}

impl LoopingPages {
    /// The cursor that asks for page `i` (`i >= 1`).
    fn cursor(&self, i: usize) -> &str {
        &self.cursors[i - 1]
    }

    /// The cursor page `i` hands out.
    fn next_of(&self, i: usize) -> &str {
        if i + 1 < self.sizes.len() {
            self.cursor(i + 1)
        } else {
            self.cursor(self.back_to)
        }
    }

    /// The ids on page `i`.
    fn ids(&self, i: usize) -> Vec<String> {
        (0..self.sizes[i])
            .map(|k| format!("call_{i}_{k}"))
            .collect()
    }

    /// Every id, in order, before the stream must stop.
    fn all_ids(&self) -> Vec<String> {
        (0..self.sizes.len()).flat_map(|i| self.ids(i)).collect()
    }
}

fn looping_pages() -> impl Strategy<Value = LoopingPages> {
    (2usize..6)
        .prop_flat_map(|pages| {
            (
                prop::collection::vec(0usize..4, pages),
                prop::collection::vec("[a-zA-Z0-9_ /?&=%#+é-]{1,12}", pages - 1),
                1..pages,
            )
        })
        .prop_map(|(sizes, cursors, back_to)| LoopingPages {
            sizes,
            // Distinct whatever was drawn, and never blank: the stream refuses blank cursors before sending.
            cursors: cursors
                .into_iter()
                .enumerate()
                .map(|(i, c)| format!("{i}:{c}"))
                .collect(),
            back_to,
        })
}

/// Serves `pages` for one provider: page 0 to a request without a cursor, page `i` to the one with cursor `i`.
async fn serve(
    server: &mut mockito::Server,
    pages: &LoopingPages,
    cursor_param: &str,
    path: &str,
    body: impl Fn(&[String], &str) -> String,
) -> Vec<mockito::Mock> {
    let mut mocks = Vec::new();
    // The specific cursors first: mockito serves the first mock that matches.
    for i in 1..pages.sizes.len() {
        mocks.push(
            server
                .mock("GET", path)
                .match_query(mockito::Matcher::UrlEncoded(
                    cursor_param.to_owned(),
                    pages.cursor(i).to_owned(),
                ))
                .with_status(200)
                .with_header("content-type", "application/json")
                .with_body(body(&pages.ids(i), pages.next_of(i)))
                .expect(1)
                .create_async()
                .await,
        );
    }
    mocks.push(
        server
            .mock("GET", path)
            .match_query(mockito::Matcher::Any)
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_body(body(&pages.ids(0), pages.next_of(0)))
            .expect(1)
            .create_async()
            .await,
    );
    mocks
}

/// A server that repeats a cursor ends each stream with a `Decode` error after finitely many calls, having asked
/// for each page once: the stream neither loops nor stops silently. Cartesia's stream yields every call listed,
/// as documented ("after that page's calls").
#[test]
fn a_repeated_cursor_ends_the_stream_with_an_error() {
    let runtime = runtime();
    let mut runner = TestRunner::new(config(32));
    let result = runner.run(&looping_pages(), |pages| {
        runtime.block_on(async {
            // Cartesia: `next_page` and `starting_after`.
            let mut server = mockito::Server::new_async().await;
            let mocks = serve(&mut server, &pages, "starting_after", "/agents/calls", |ids, next| {
                let data: Vec<_> = ids
                    .iter()
                    .map(|id| serde_json::json!({"id": id, "agent_id": "agent_1", "status": "completed"}))
                    .collect();
                serde_json::json!({"data": data, "next_page": next, "has_more": true}).to_string()
            })
            .await;
            let stream = cartesia(&server.url(), "sk_test").list_calls(ListCalls::new("agent_1"));
            let (listed, error) = drain(stream.map_ok(|call| call.id.as_str().to_owned())).await;
            prop_assert_eq!(&listed, &pages.all_ids());
            prop_assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Decode));
            for mock in &mocks {
                mock.assert_async().await;
            }

            // Mirai v2: `next_cursor` and `cursor`.
            let mut server = mockito::Server::new_async().await;
            let mocks = serve(&mut server, &pages, "cursor", "/v2/calls", |ids, next| {
                let data: Vec<_> = ids.iter().map(|id| serde_json::json!({"id": id, "status": "completed"})).collect();
                serde_json::json!({"data": data, "next_cursor": next, "has_more": true}).to_string()
            })
            .await;
            let stream = mirai_v2(&server.url(), "sk_live_test").list_calls(V2ListCalls::new());
            let (listed, error) = drain(stream.map_ok(|call| call.id.as_str().to_owned())).await;
            // Unlike Cartesia's, this stream drops the calls of the page whose cursor repeats (it fails that page
            // instead of yielding it); its documentation promises only the error, so only a prefix is asserted.
            let all = pages.all_ids();
            let last_page = pages.sizes.last().copied().unwrap_or(0);
            prop_assert!(all.starts_with(&listed) && listed.len() + last_page >= all.len(), "{listed:?} of {all:?}");
            prop_assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Decode));
            for mock in &mocks {
                mock.assert_async().await;
            }
            Ok(())
        })
    });
    result.unwrap();
}

/// Reads `stream` to its end (at most 1,000 items, so a looping stream fails the test instead of hanging): the ids
/// before the first error, and that error. Nothing may follow an error.
async fn drain(
    stream: impl futures_util::Stream<Item = calls_facade::Result<String>>,
) -> (Vec<String>, Option<calls_facade::Error>) {
    let mut stream = std::pin::pin!(stream.take(1_000));
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(id) => ids.push(id),
            Err(error) => {
                assert!(stream.next().await.is_none(), "an item followed the error");
                return (ids, Some(error));
            }
        }
    }
    (ids, None)
}
