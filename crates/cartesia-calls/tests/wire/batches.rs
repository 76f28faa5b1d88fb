//! Call batches: create (the exact body, never a second send), get with recipients, list and its stream, cancel,
//! retry, ids in paths, and the call id `batches`.

use cartesia_calls::call_core::Timestamp;
use cartesia_calls::{
    BatchId, BatchStatus, CallControl, CreateBatch, EndReason, ErrorKind, ListBatches,
    RecipientStatus, Region,
};
use futures_util::{StreamExt, TryStreamExt};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;

use crate::support::{
    Case, INVALID_IDS, RawServer, api_mock, assert_error_has_no_key, batch_json,
    check_error_statuses, client, client_with, closed_port_url, error_json, first_page, id,
    impatient_retry, json_mock, nothing_sent, retried_cases,
};

const BATCHES: &str = "/agents/calls/batches";

fn batch_id(s: &str) -> BatchId {
    BatchId::new(s).unwrap()
}

fn create_mock(server: &mut ServerGuard, body: serde_json::Value) -> Mock {
    api_mock(server, "POST", BATCHES)
        .match_header("accept", "application/json")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(body))
}

fn request() -> CreateBatch {
    CreateBatch::new("March outreach", "agent_1", "ap_1").to("+14155559876")
}

fn request_json() -> serde_json::Value {
    json!({"name": "March outreach", "agent_id": "agent_1", "from_number_id": "ap_1",
           "recipients": [{"to_number": "+14155559876"}]})
}

fn in_an_hour() -> Timestamp {
    Timestamp::from_unix_seconds(Timestamp::now().as_unix_seconds() + 3600).unwrap()
}

// Create.

#[tokio::test]
async fn create_sends_the_exact_body_and_reads_the_201() {
    let mut server = Server::new_async().await;
    let at = in_an_hour();
    let mut metadata = serde_json::Map::new();
    metadata.insert("customer_id".into(), json!("cus_42"));
    let request = CreateBatch::new("March outreach", "agent_1", "ap_1")
        .to("+14155559876")
        .to_with_metadata("+442071838750", metadata)
        .target_concurrency_limit(10)
        .ringing_timeout_seconds(30)
        .max_call_duration_minutes(15)
        .scheduled_at(at)
        .region(Region::Eu);
    let body = json!({
        "name": "March outreach",
        "agent_id": "agent_1",
        "from_number_id": "ap_1",
        "recipients": [
            {"to_number": "+14155559876"},
            {"to_number": "+442071838750", "metadata": {"customer_id": "cus_42"}}
        ],
        "target_concurrency_limit": 10,
        "ringing_timeout_seconds": 30,
        "max_call_duration_minutes": 15,
        "scheduled_at": at.to_string(),
        "region": "EU"
    });
    let answer = batch_json(
        "acb_PDWFN995PzAudChwFDqVZ2",
        "pending",
        json!({"scheduled_at": at.to_string(), "future_field": 1}),
    );
    let mock = create_mock(&mut server, body)
        .with_status(201)
        .with_body(answer.to_string())
        .expect(1)
        .create_async()
        .await;
    let batch = client(&server.url()).create_batch(&request).await.unwrap();
    assert_eq!(batch.id.as_str(), "acb_PDWFN995PzAudChwFDqVZ2");
    assert_eq!(batch.status, BatchStatus::Pending);
    assert_eq!(batch.region, Region::Us);
    assert_eq!(batch.target_concurrency_limit, 10);
    assert_eq!(batch.total_calls_scheduled, 2);
    assert_eq!(batch.scheduled_at, Some(at));
    assert_eq!(batch.admitted_at, None);
    assert_eq!(batch.recipients, None);
    assert!(!batch.is_dispatch_complete());
    mock.assert_async().await;
}

#[tokio::test]
async fn create_sends_only_what_was_set_and_reads_the_older_shape() {
    let mut server = Server::new_async().await;
    let mut older = batch_json("acb_1", "pending", json!({}));
    older.as_object_mut().unwrap().remove("retry_count");
    let mock = create_mock(&mut server, request_json())
        .with_status(201)
        .with_body(older.to_string())
        .expect(1)
        .create_async()
        .await;
    let batch = client(&server.url())
        .create_batch(&request())
        .await
        .unwrap();
    assert_eq!(batch.retry_count, 0);
    mock.assert_async().await;
}

#[tokio::test]
async fn invalid_create_requests_send_nothing() {
    let mut server = Server::new_async().await;
    let none = nothing_sent(&mut server).await;
    let client = client(&server.url());
    let past = Timestamp::from_unix_seconds(Timestamp::now().as_unix_seconds() - 60).unwrap();
    let too_far =
        Timestamp::from_unix_seconds(Timestamp::now().as_unix_seconds() + 31 * 24 * 3600).unwrap();
    let mut too_many = CreateBatch::new("March outreach", "agent_1", "ap_1");
    for _ in 0..=cartesia_calls::MAX_BATCH_RECIPIENTS {
        too_many = too_many.to("+14155559876");
    }
    let bad = [
        CreateBatch::new("March outreach", "agent_1", "ap_1"),
        CreateBatch::new(" ", "agent_1", "ap_1").to("+14155559876"),
        CreateBatch::new("March outreach", "", "ap_1").to("+14155559876"),
        CreateBatch::new("March outreach", "agent_1", "").to("+14155559876"),
        too_many,
        request().to("14155559876"),
        request().to("+1 415 555 9876"),
        request().target_concurrency_limit(0),
        request().ringing_timeout_seconds(4),
        request().ringing_timeout_seconds(81),
        request().max_call_duration_minutes(0),
        request().max_call_duration_minutes(481),
        request().scheduled_at(past),
        request().scheduled_at(too_far),
    ];
    for request in bad {
        let err = client.create_batch(&request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", request.name());
        assert!(!err.request_may_have_been_sent());
        assert!(!err.is_outcome_unknown());
        assert_eq!(err.attempts(), 0);
    }
    none.assert_async().await;
}

#[tokio::test]
async fn a_full_batch_of_5000_is_sent() {
    let mut server = Server::new_async().await;
    let mut request = CreateBatch::new("March outreach", "agent_1", "ap_1");
    for _ in 0..cartesia_calls::MAX_BATCH_RECIPIENTS {
        request = request.to("+14155559876");
    }
    let mock = api_mock(&mut server, "POST", BATCHES)
        .match_body(Matcher::PartialJson(json!({"name": "March outreach"})))
        .with_status(201)
        .with_body(
            batch_json("acb_1", "pending", json!({"total_calls_scheduled": 5000})).to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let batch = client(&server.url()).create_batch(&request).await.unwrap();
    assert_eq!(batch.total_calls_scheduled, 5000);
    mock.assert_async().await;
}

#[tokio::test]
async fn create_refusals_are_sent_once_and_nothing_was_created() {
    let cases: Vec<Case> = [
        (400, ErrorKind::InvalidInput),
        (401, ErrorKind::Unauthorized),
        (402, ErrorKind::Rejected),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (429, ErrorKind::RateLimited),
    ]
    .into_iter()
    .map(|(status, kind)| Case {
        status,
        kind,
        hits: 1,
    })
    .collect();
    check_error_statuses(
        &cases,
        |server| create_mock(server, request_json()),
        |client| async move {
            let result = client.create_batch(&request()).await;
            if let Err(err) = &result {
                assert!(!err.is_outcome_unknown(), "{err}");
            }
            result
        },
    )
    .await;
}

#[tokio::test]
async fn an_invalid_recipient_is_cartesias_400() {
    let mut server = Server::new_async().await;
    let mock = create_mock(&mut server, request_json())
        .with_status(400)
        .with_body(error_json(
            "Invalid recipient: to_number must be in E.164 format",
        ))
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .create_batch(&request())
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::InvalidInput, Some(400))
    );
    assert_eq!(
        err.provider_message(),
        Some("Invalid recipient: to_number must be in E.164 format")
    );
    assert!(!err.is_outcome_unknown());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_5xx_is_never_retried_and_the_outcome_is_unknown() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for status in [500, 502, 503, 504] {
        server.reset();
        let mock = create_mock(&mut server, request_json())
            .with_status(status)
            .with_body(error_json("The batch could not be created."))
            .expect(1)
            .create_async()
            .await;
        let err = client.create_batch(&request()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Upstream);
        assert_eq!(err.status(), Some(u16::try_from(status).unwrap()));
        assert!(err.is_outcome_unknown());
        assert!(!err.is_retryable());
        assert_eq!(err.attempts(), 1);
        assert!(err.to_string().contains("list_batches"), "{err}");
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_timeout_after_sending_is_outcome_unknown_and_not_retried() {
    let server = RawServer::hanging().await;
    let err = client_with(&server.url, impatient_retry())
        .create_batch(&request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_outcome_unknown());
    assert!(!err.is_retryable());
    assert_eq!(server.count("POST /agents/calls/batches "), 1);
    assert_eq!(server.total(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_known_not_sent() {
    let url = closed_port_url().await;
    let err = client(&url).create_batch(&request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.request_may_have_been_sent());
    assert!(!err.is_outcome_unknown());
    assert_eq!(err.attempts(), 3);
}

#[tokio::test]
async fn a_malformed_201_is_outcome_unknown() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in ["<html>", r#"{"id":"acb_1"}"#, r#"{"calls":[]}"#] {
        server.reset();
        let mock = create_mock(&mut server, request_json())
            .with_status(201)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = client.create_batch(&request()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert!(err.is_outcome_unknown());
        mock.assert_async().await;
    }
}

// Get.

#[tokio::test]
async fn get_reads_recipients_with_and_without_a_call() {
    let mut server = Server::new_async().await;
    let recipients = json!([
        {"id": "rcp_1", "to_number": "+14155559876", "status": "started", "created_at": "2026-03-01T12:00:00Z",
         "agent_call_id": "ac_1", "metadata": {"customer_id": "cus_42"}},
        {"id": "rcp_2", "to_number": "+14155550000", "status": "completed", "created_at": "2026-03-01T12:00:00Z",
         "agent_call_id": "ac_2", "end_reason": "dial_no_answer"},
        {"id": "rcp_3", "to_number": "+14155550001", "status": "failed", "created_at": "2026-03-01T12:00:00Z",
         "error_message": "Number cannot be dialed"},
        {"id": "rcp_4", "to_number": "+14155550002", "status": "cancelled", "created_at": "2026-03-01T12:00:00Z"},
        {"id": "rcp_5", "to_number": "+14155550003", "status": "voicemail", "created_at": "2026-03-01T12:00:00Z",
         "agent_call_id": "ac_5", "metadata": null}
    ]);
    let body = batch_json(
        "acb_1",
        "in_progress",
        json!({"total_calls_scheduled": 5, "total_calls_dispatched": 4, "total_calls_finished": 2,
               "admitted_at": "2026-03-01T12:00:05Z", "recipients": recipients}),
    );
    let mock = json_mock(&mut server, "GET", "/agents/calls/batches/acb_1")
        .with_body(body.to_string())
        .expect(1)
        .create_async()
        .await;
    let batch = client(&server.url())
        .get_batch(&batch_id("acb_1"))
        .await
        .unwrap();
    assert_eq!(batch.status, BatchStatus::InProgress);
    assert!(batch.admitted_at.is_some());
    assert!(!batch.is_dispatch_complete());
    assert!(!batch.all_calls_finished());
    let recipients = batch.recipients.as_ref().unwrap();
    assert_eq!(recipients.len(), 5);
    assert_eq!(recipients[0].agent_call_id, Some(id("ac_1")));
    assert_eq!(recipients[0].status, RecipientStatus::Started);
    assert!(recipients[0].metadata.is_some());
    assert_eq!(recipients[1].end_reason, Some(EndReason::DialNoAnswer));
    assert!(!recipients[2].has_call());
    assert_eq!(
        recipients[2].error_message.as_deref(),
        Some("Number cannot be dialed")
    );
    assert_eq!(recipients[3].status, RecipientStatus::Cancelled);
    assert_eq!(recipients[3].agent_call_id, None);
    assert_eq!(
        recipients[4].status,
        RecipientStatus::Unknown("voicemail".into())
    );
    assert_eq!(recipients[4].metadata, None);
    // Phone numbers are personal data: `Debug` shows the last two digits only.
    let text = format!("{batch:?}");
    assert!(!text.contains("4155559876"), "{text}");
    mock.assert_async().await;
}

#[tokio::test]
async fn an_unknown_batch_status_is_kept() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "GET", "/agents/calls/batches/acb_1")
        .with_body(batch_json("acb_1", "paused", json!({})).to_string())
        .expect(1)
        .create_async()
        .await;
    let batch = client(&server.url())
        .get_batch(&batch_id("acb_1"))
        .await
        .unwrap();
    assert_eq!(batch.status, BatchStatus::Unknown("paused".into()));
    assert_eq!(batch.status.as_str(), "paused");
    mock.assert_async().await;
}

#[tokio::test]
async fn batch_not_found_is_not_found() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (method, path) in [
        ("GET", "/agents/calls/batches/acb_404"),
        ("POST", "/agents/calls/batches/acb_404/cancel"),
        ("POST", "/agents/calls/batches/acb_404/retry"),
    ] {
        server.reset();
        let mock = json_mock(&mut server, method, path)
            .with_status(404)
            .with_body(error_json("Batch not found."))
            .expect(1)
            .create_async()
            .await;
        let id = batch_id("acb_404");
        let err = match path.rsplit('/').next() {
            Some("cancel") => client.cancel_batch(&id).await.unwrap_err(),
            Some("retry") => client.retry_batch(&id).await.unwrap_err(),
            _ => client.get_batch(&id).await.unwrap_err(),
        };
        assert_eq!(
            (err.kind(), err.status()),
            (ErrorKind::NotFound, Some(404)),
            "{path}"
        );
        assert_eq!(err.provider_message(), Some("Batch not found."));
        assert_eq!(err.attempts(), 1);
        assert!(!err.is_outcome_unknown());
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn get_maps_every_error_status() {
    check_error_statuses(
        &retried_cases(),
        |server| json_mock(server, "GET", "/agents/calls/batches/acb_1"),
        |client| async move { client.get_batch(&batch_id("acb_1")).await },
    )
    .await;
}

#[tokio::test]
async fn a_malformed_batch_is_a_decode_error() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        "<html>",
        r#"{"id":"acb_1"}"#,
        r#"{"data":[],"has_more":false}"#,
    ] {
        server.reset();
        let mock = json_mock(&mut server, "GET", "/agents/calls/batches/acb_1")
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = client.get_batch(&batch_id("acb_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        mock.assert_async().await;
    }
}

// Cancel and retry.

#[tokio::test]
async fn cancelling_twice_answers_the_same_200() {
    let mut server = Server::new_async().await;
    let cancelled = batch_json(
        "acb_1",
        "cancelled",
        json!({"total_calls_scheduled": 5, "total_calls_dispatched": 2}),
    );
    let mock = json_mock(&mut server, "POST", "/agents/calls/batches/acb_1/cancel")
        .with_body(cancelled.to_string())
        .expect(2)
        .create_async()
        .await;
    let client = client(&server.url());
    let first = client.cancel_batch(&batch_id("acb_1")).await.unwrap();
    let second = client.cancel_batch(&batch_id("acb_1")).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.status, BatchStatus::Cancelled);
    assert_eq!(first.undispatched_recipients(), 3);
    mock.assert_async().await;
}

#[tokio::test]
async fn cancel_is_retried_after_a_bad_gateway() {
    let mut server = Server::new_async().await;
    let path = "/agents/calls/batches/acb_1/cancel";
    let failing = json_mock(&mut server, "POST", path)
        .with_status(502)
        .expect(2)
        .create_async()
        .await;
    let ok = json_mock(&mut server, "POST", path)
        .with_body(batch_json("acb_1", "cancelled", json!({})).to_string())
        .expect(1)
        .create_async()
        .await;
    let batch = client(&server.url())
        .cancel_batch(&batch_id("acb_1"))
        .await
        .unwrap();
    assert_eq!(batch.status, BatchStatus::Cancelled);
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn cancel_maps_every_error_status() {
    check_error_statuses(
        &retried_cases(),
        |server| json_mock(server, "POST", "/agents/calls/batches/acb_1/cancel"),
        |client| async move { client.cancel_batch(&batch_id("acb_1")).await },
    )
    .await;
}

#[tokio::test]
async fn retry_requeues_and_reads_the_batch() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "POST", "/agents/calls/batches/acb_1/retry")
        .with_body(batch_json("acb_1", "in_progress", json!({"retry_count": 1})).to_string())
        .expect(1)
        .create_async()
        .await;
    let batch = client(&server.url())
        .retry_batch(&batch_id("acb_1"))
        .await
        .unwrap();
    assert_eq!(batch.retry_count, 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn retrying_a_cancelled_batch_is_a_conflict() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "POST", "/agents/calls/batches/acb_1/retry")
        .with_status(400)
        .with_body(error_json("Batch is cancelled and cannot be retried."))
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .retry_batch(&batch_id("acb_1"))
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Conflict, Some(400)));
    assert!(!err.is_outcome_unknown());
    mock.assert_async().await;
}

#[tokio::test]
async fn retry_is_never_repeated_after_a_5xx() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "POST", "/agents/calls/batches/acb_1/retry")
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .retry_batch(&batch_id("acb_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Upstream);
    assert!(err.is_outcome_unknown());
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("retry_count"), "{err}");
    mock.assert_async().await;
}

// List.

fn list_mock(server: &mut ServerGuard, query: &str) -> Mock {
    json_mock(server, "GET", BATCHES).match_query(Matcher::Exact(query.into()))
}

fn page(ids: &[&str], next_page: Option<&str>, has_more: bool) -> String {
    let data: Vec<_> = ids
        .iter()
        .map(|id| batch_json(id, "completed", json!({})))
        .collect();
    json!({"data": data, "next_page": next_page, "has_more": has_more}).to_string()
}

async fn served(server: &mut ServerGuard, query: &str, body: String) -> Mock {
    list_mock(server, query)
        .with_body(body)
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn one_page_sends_every_parameter() {
    let mut server = Server::new_async().await;
    let mock = served(
        &mut server,
        "agent_id=agent_1&limit=2&starting_after=acb_0",
        page(&["acb_1", "acb_2"], Some("acb_2"), true),
    )
    .await;
    let request = ListBatches::new()
        .agent_id("agent_1")
        .limit(2)
        .starting_after("acb_0");
    let page = first_page(client(&server.url()).list_batches(request))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.has_more);
    assert_eq!(page.next_cursor.as_deref(), Some("acb_2"));
    mock.assert_async().await;
}

#[tokio::test]
async fn an_unfiltered_list_sends_no_query() {
    let mut server = Server::new_async().await;
    let mock = served(&mut server, "", page(&[], None, false)).await;
    let page = first_page(client(&server.url()).list_batches(ListBatches::new()))
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor.as_deref(), None);
    mock.assert_async().await;
}

#[tokio::test]
async fn the_stream_follows_next_page_then_the_last_id() {
    let mut server = Server::new_async().await;
    let mocks = [
        served(
            &mut server,
            "agent_id=agent_1",
            page(&["acb_1", "acb_2"], Some("cur_a"), true),
        )
        .await,
        served(
            &mut server,
            "agent_id=agent_1&starting_after=cur_a",
            page(&[], Some("cur_b"), true),
        )
        .await,
        // No next_page but has_more: follow the last batch's id, as the official SDKs do.
        served(
            &mut server,
            "agent_id=agent_1&starting_after=cur_b",
            page(&["acb_3"], None, true),
        )
        .await,
        served(
            &mut server,
            "agent_id=agent_1&starting_after=acb_3",
            page(&["acb_4"], None, false),
        )
        .await,
    ];
    let ids: Vec<String> = client(&server.url())
        .list_batches(ListBatches::new().agent_id("agent_1"))
        .map_ok(|batch| batch.id.as_str().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["acb_1", "acb_2", "acb_3", "acb_4"]);
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn paging_backwards_follows_next_page_as_ending_before() {
    let mut server = Server::new_async().await;
    let first = served(
        &mut server,
        "ending_before=acb_9",
        page(&["acb_10"], Some("acb_10"), true),
    )
    .await;
    let second = served(
        &mut server,
        "ending_before=acb_10",
        page(&["acb_11"], None, false),
    )
    .await;
    let results: Vec<_> = client(&server.url())
        .list_batches(ListBatches::new().ending_before("acb_9"))
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(Result::is_ok));
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_with_an_error_not_a_loop() {
    let mut server = Server::new_async().await;
    let first = served(&mut server, "", page(&["acb_1"], Some("cur_a"), true)).await;
    let repeating = served(
        &mut server,
        "starting_after=cur_a",
        page(&["acb_2"], Some("cur_a"), true),
    )
    .await;
    let mut stream = client(&server.url()).list_batches(ListBatches::new());
    for expected in ["acb_1", "acb_2"] {
        let batch = stream.try_next().await.unwrap().unwrap();
        assert_eq!(batch.id.as_str(), expected);
    }
    let err = stream.try_next().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(stream.next().await.is_none());
    first.assert_async().await;
    repeating.assert_async().await;
}

#[tokio::test]
async fn has_more_without_any_cursor_is_an_error_not_silent_truncation() {
    let mut server = Server::new_async().await;
    let mock = served(&mut server, "", page(&[], None, true)).await;
    let results: Vec<_> = client(&server.url())
        .list_batches(ListBatches::new())
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    mock.assert_async().await;
}

#[tokio::test]
async fn invalid_list_requests_send_nothing() {
    let mut server = Server::new_async().await;
    let none = nothing_sent(&mut server).await;
    let client = client(&server.url());
    for request in [
        ListBatches::new().agent_id(" "),
        ListBatches::new().limit(0),
        ListBatches::new().limit(101),
        ListBatches::new().ending_before(""),
        ListBatches::new().starting_after("a").ending_before("b"),
    ] {
        let err = first_page(client.list_batches(request.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{request:?}");
        let results: Vec<_> = client.list_batches(request).collect().await;
        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    none.assert_async().await;
}

#[tokio::test]
async fn list_maps_every_error_status() {
    check_error_statuses(
        &retried_cases(),
        |server| list_mock(server, ""),
        |client| async move { first_page(client.list_batches(ListBatches::new())).await },
    )
    .await;
}

// Ids and routing.

#[tokio::test]
async fn odd_batch_ids_are_one_encoded_segment() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (raw, segment) in [
        ("a/b", "a%2Fb"),
        ("../agents", "..%2Fagents"),
        ("x?y=1", "x%3Fy%3D1"),
        ("%2F", "%252F"),
        ("é", "%C3%A9"),
        ("batches", "batches"),
        ("cancel", "cancel"),
    ] {
        server.reset();
        let mock = json_mock(
            &mut server,
            "GET",
            format!("/agents/calls/batches/{segment}").as_str(),
        )
        .with_body(batch_json(raw, "pending", json!({})).to_string())
        .expect(1)
        .create_async()
        .await;
        let batch = client.get_batch(&batch_id(raw)).await.unwrap();
        assert_eq!(batch.id.as_str(), raw);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn invalid_batch_ids_are_refused() {
    for raw in INVALID_IDS {
        let err = BatchId::new(*raw).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{raw:?}");
        assert_eq!(err.attempts(), 0);
    }
}

#[tokio::test]
async fn a_call_id_batches_is_refused_so_it_never_reaches_the_batch_routes() {
    // `batches` needs no percent-encoding, so `GET /agents/calls/batches` would list batches and
    // `POST /agents/calls/batches/cancel` would land among the batch routes: no call can have that id.
    let mut server = Server::new_async().await;
    let none = nothing_sent(&mut server).await;
    let client = client(&server.url());
    let call = id("batches");
    let mut sink = Vec::new();
    let errors = [
        client.cancel_call(&call).await.unwrap_err(),
        client.get_call(&call).await.unwrap_err(),
        client.delete_call(&call).await.unwrap_err(),
        client.get_call_logs(&call).await.unwrap_err(),
        client.download_audio(&call, &mut sink).await.unwrap_err(),
        client.terminate(&call).await.unwrap_err(),
        client.state(&call).await.unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert_eq!(err.call_id(), Some(&call));
        assert!(!err.request_may_have_been_sent());
        assert_eq!(err.attempts(), 0);
    }
    none.assert_async().await;
    // Other ids that merely look like it are ordinary calls.
    let mut server = Server::new_async().await;
    let client = crate::support::client(&server.url());
    let mock = json_mock(&mut server, "GET", "/agents/calls/Batches")
        .with_body(crate::support::call_json("Batches", "completed", None))
        .expect(1)
        .create_async()
        .await;
    assert!(client.get_call(&id("Batches")).await.is_ok());
    mock.assert_async().await;
}
