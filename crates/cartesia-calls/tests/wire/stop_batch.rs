//! Stopping a batch: exact hits on the batch cancel, the batch read, and each recipient call's cancel (and Get Call
//! when in doubt), one report per call, none for recipients that have no call.

use std::collections::BTreeMap;

use cartesia_calls::call_core::bulk::{BulkOutcome, BulkReport};
use cartesia_calls::{BatchId, BatchStop, ErrorKind, StopBatch};
use futures_util::StreamExt;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;

use crate::support::{batch_json, call_json, client, error_json, json_mock};

const CANCEL: &str = "/agents/calls/batches/acb_1/cancel";
const GET: &str = "/agents/calls/batches/acb_1";

fn acb_1() -> BatchId {
    BatchId::new("acb_1").unwrap()
}

/// Cancel Call Batch answering the batch, cancelled with 9 scheduled and 5 dispatched, `hits` times.
async fn batch_cancel(server: &mut ServerGuard, hits: usize) -> Mock {
    let cancelled = batch_json(
        "acb_1",
        "cancelled",
        json!({"total_calls_scheduled": 9, "total_calls_dispatched": 5, "total_calls_finished": 1}),
    );
    json_mock(server, "POST", CANCEL)
        .with_body(cancelled.to_string())
        .expect(hits)
        .create_async()
        .await
}

/// Get Call Batch answering `recipients`, `hits` times.
async fn batch_get(server: &mut ServerGuard, recipients: serde_json::Value, hits: usize) -> Mock {
    let batch = batch_json("acb_1", "cancelled", json!({"recipients": recipients}));
    json_mock(server, "GET", GET)
        .with_body(batch.to_string())
        .expect(hits)
        .create_async()
        .await
}

fn recipient(n: u32, status: &str, call: Option<&str>) -> serde_json::Value {
    let mut recipient = json!({
        "id": format!("rcp_{n}"),
        "to_number": format!("+1415555{n:04}"),
        "status": status,
        "created_at": "2026-03-01T12:00:00Z",
    });
    if let Some(call) = call {
        recipient["agent_call_id"] = json!(call);
    }
    recipient
}

/// Cancel Call of `call` answering `status` with `body`, `hits` times.
async fn call_cancel(
    server: &mut ServerGuard,
    call: &str,
    status: usize,
    body: &str,
    hits: usize,
) -> Mock {
    json_mock(
        server,
        "POST",
        format!("/agents/calls/{call}/cancel").as_str(),
    )
    .with_status(status)
    .with_body(body)
    .expect(hits)
    .create_async()
    .await
}

/// Get Call of `call` answering it in `status` (with `end_reason`), `hits` times.
async fn call_get(
    server: &mut ServerGuard,
    call: &str,
    status: &str,
    end_reason: Option<&str>,
    hits: usize,
) -> Mock {
    json_mock(server, "GET", format!("/agents/calls/{call}").as_str())
        .with_body(call_json(call, status, end_reason))
        .expect(hits)
        .create_async()
        .await
}

async fn reports(stop: &mut BatchStop) -> BTreeMap<String, BulkReport> {
    let mut reports = BTreeMap::new();
    while let Some(report) = stop.next().await {
        let previous = reports.insert(report.call_id.clone(), report);
        assert!(previous.is_none(), "two reports for one call");
    }
    reports
}

#[tokio::test]
async fn cancelling_live_calls_reports_each_call_once_and_counts_the_rest() {
    let mut server = Server::new_async().await;
    let recipients = json!([
        recipient(1, "started", Some("ac_1")),
        recipient(2, "completed", Some("ac_2")),
        recipient(3, "dispatched", Some("ac_3")),
        recipient(4, "started", Some("ac_4")),
        recipient(5, "cancelled", None),
        recipient(6, "queued", None),
        recipient(7, "failed", None),
        recipient(8, "dispatched", None),
        // The same call twice (after a retry, say) is cancelled and reported once.
        recipient(9, "started", Some("ac_1")),
    ]);
    let mocks = [
        batch_cancel(&mut server, 1).await,
        batch_get(&mut server, recipients, 1).await,
        // Live: cancelled at once, not read.
        call_cancel(&mut server, "ac_1", 200, r#"{"cancelled":true}"#, 1).await,
        call_get(&mut server, "ac_1", "completed", Some("api_cancelled"), 0).await,
        // Over already: the 400 is checked with Get Call.
        call_cancel(
            &mut server,
            "ac_2",
            400,
            &error_json("Call is not active"),
            1,
        )
        .await,
        call_get(&mut server, "ac_2", "completed", Some("dial_no_answer"), 1).await,
        // Still ringing (`created`): Cartesia cannot cancel it.
        call_cancel(
            &mut server,
            "ac_3",
            400,
            &error_json("Call is not active"),
            1,
        )
        .await,
        call_get(&mut server, "ac_3", "created", None, 1).await,
        // A bad gateway, then the read shows our cancel landed: not sent again.
        call_cancel(&mut server, "ac_4", 502, "", 1).await,
        call_get(&mut server, "ac_4", "completed", Some("api_cancelled"), 1).await,
    ];
    let mut stop = client(&server.url())
        .stop_batch(&acb_1(), StopBatch::new().cancel_live_calls(true))
        .await
        .unwrap();
    assert_eq!(stop.batch().id, acb_1());
    assert_eq!(stop.calls(), 4);
    assert_eq!(stop.withdrawn_recipients(), 2);
    assert_eq!(stop.failed_before_dial(), Some(1));
    assert_eq!(stop.unaccounted_recipients(), Some(1));
    assert_eq!(stop.recipients().map(<[_]>::len), Some(9));
    let text = format!("{stop:?}");
    assert!(!text.contains("4155550001"), "{text}");

    let reports = reports(&mut stop).await;
    let outcomes: Vec<(&str, &str)> = reports
        .iter()
        .map(|(id, report)| (id.as_str(), report.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("ac_1", "terminated"),
            ("ac_2", "already_ended"),
            ("ac_3", "failed"),
            ("ac_4", "terminated"),
        ]
    );
    match &reports["ac_3"].outcome {
        BulkOutcome::Failed(error) => assert_eq!(error.kind(), ErrorKind::NotTerminable),
        other => panic!("{other:?}"),
    }
    assert_eq!(reports["ac_4"].outcome.attempts(), 2);
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn without_cancel_live_calls_only_the_batch_is_cancelled() {
    let mut server = Server::new_async().await;
    let cancel = batch_cancel(&mut server, 1).await;
    let get = json_mock(&mut server, "GET", GET)
        .expect(0)
        .create_async()
        .await;
    let no_call = server
        .mock("POST", Matcher::Regex(r"^/agents/calls/ac_".into()))
        .expect(0)
        .create_async()
        .await;
    let mut stop = client(&server.url())
        .stop_batch(&acb_1(), StopBatch::new())
        .await
        .unwrap();
    assert_eq!(stop.withdrawn_recipients(), 4);
    assert_eq!(stop.failed_before_dial(), None);
    assert_eq!(stop.unaccounted_recipients(), None);
    assert_eq!(stop.recipients(), None);
    assert_eq!(stop.calls(), 0);
    assert!(stop.stop_handle().is_none());
    assert!(stop.next().await.is_none());
    cancel.assert_async().await;
    get.assert_async().await;
    no_call.assert_async().await;
}

#[tokio::test]
async fn a_batch_with_no_calls_yields_no_report() {
    let mut server = Server::new_async().await;
    let cancel = batch_cancel(&mut server, 1).await;
    let get = batch_get(
        &mut server,
        json!([
            recipient(1, "cancelled", None),
            recipient(2, "cancelled", None)
        ]),
        1,
    )
    .await;
    let mut stop = client(&server.url())
        .stop_batch(&acb_1(), StopBatch::new().cancel_live_calls(true))
        .await
        .unwrap();
    assert_eq!(stop.calls(), 0);
    assert_eq!(stop.withdrawn_recipients(), 2);
    assert!(reports(&mut stop).await.is_empty());
    cancel.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn an_unknown_batch_stops_before_anything_else() {
    let mut server = Server::new_async().await;
    let cancel = json_mock(&mut server, "POST", CANCEL)
        .with_status(404)
        .with_body(error_json("Batch not found."))
        .expect(1)
        .create_async()
        .await;
    let get = json_mock(&mut server, "GET", GET)
        .expect(0)
        .create_async()
        .await;
    let err = client(&server.url())
        .stop_batch(&acb_1(), StopBatch::new().cancel_live_calls(true))
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)));
    cancel.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn a_failed_read_after_the_cancel_is_an_error_and_cancels_no_call() {
    let mut server = Server::new_async().await;
    let cancel = batch_cancel(&mut server, 1).await;
    let get = json_mock(&mut server, "GET", GET)
        .with_status(503)
        .expect(3)
        .create_async()
        .await;
    let err = client(&server.url())
        .stop_batch(&acb_1(), StopBatch::new().cancel_live_calls(true))
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Upstream, Some(503)));
    assert_eq!(err.attempts(), 3);
    cancel.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn a_read_without_recipients_is_an_error_not_zero_calls() {
    let mut server = Server::new_async().await;
    let cancel = batch_cancel(&mut server, 1).await;
    let get = json_mock(&mut server, "GET", GET)
        .with_body(batch_json("acb_1", "cancelled", json!({})).to_string())
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .stop_batch(&acb_1(), StopBatch::new().cancel_live_calls(true))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    cancel.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn stopping_the_cancellations_reports_the_rest_not_attempted() {
    let mut server = Server::new_async().await;
    let cancel = batch_cancel(&mut server, 1).await;
    let get = batch_get(
        &mut server,
        json!([
            recipient(1, "started", Some("ac_1")),
            recipient(2, "started", Some("ac_2")),
            recipient(3, "started", Some("ac_3")),
        ]),
        1,
    )
    .await;
    // At most the one cancellation already started before the stop is sent.
    let calls = server
        .mock(
            "POST",
            Matcher::Regex(r"^/agents/calls/ac_\d/cancel$".into()),
        )
        .with_body(r#"{"cancelled":true}"#)
        .expect_at_most(1)
        .create_async()
        .await;
    let mut stop = client(&server.url())
        .stop_batch(
            &acb_1(),
            StopBatch::new().cancel_live_calls(true).max_concurrency(1),
        )
        .await
        .unwrap();
    stop.stop_handle().unwrap().stop();
    let reports = reports(&mut stop).await;
    assert_eq!(reports.len(), 3);
    let not_attempted = reports
        .values()
        .filter(|r| matches!(r.outcome, BulkOutcome::NotAttempted))
        .count();
    assert!(not_attempted >= 2, "{reports:?}");
    cancel.assert_async().await;
    get.assert_async().await;
    calls.assert_async().await;
}
