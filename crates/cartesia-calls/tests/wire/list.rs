//! List Calls: one page, and the lazy stream that follows the cursor.

use cartesia_calls::{Call, ErrorKind, ListCalls, Listing};
use futures_util::{StreamExt, TryStreamExt};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;

use crate::support::{
    RawServer, check_error_statuses, client, client_with, first_page, impatient_retry, json_mock,
    nothing_sent, retried_cases,
};

/// A GET of `/agents/calls` with exactly this query string.
fn list_mock(server: &mut ServerGuard, query: &str) -> Mock {
    json_mock(server, "GET", "/agents/calls").match_query(Matcher::Exact(query.into()))
}

fn page(ids: &[&str], next_page: Option<&str>, has_more: Option<bool>) -> String {
    let data: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "agent_id": "agent_1", "status": "completed"}))
        .collect();
    let mut body = json!({"data": data, "next_page": next_page});
    if let Some(has_more) = has_more {
        body["has_more"] = json!(has_more);
    }
    body.to_string()
}

async fn served(server: &mut ServerGuard, query: &str, body: String) -> Mock {
    list_mock(server, query)
        .with_body(body)
        .expect(1)
        .create_async()
        .await
}

async fn ids_of(stream: Listing<Call>) -> Vec<String> {
    stream
        .map_ok(|call| call.id.as_str().to_owned())
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_page_sends_every_parameter() {
    let mut server = Server::new_async().await;
    let mock = served(
        &mut server,
        "agent_id=agent_1&expand=transcript&limit=2&starting_after=ac_0",
        page(&["ac_1", "ac_2"], Some("ac_2"), Some(true)),
    )
    .await;
    let request = ListCalls::new("agent_1")
        .expand_transcript(true)
        .limit(2)
        .starting_after("ac_0");
    let page = first_page(client(&server.url()).list_calls(request.clone()))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.has_more);
    assert_eq!(page.next_cursor.as_deref(), Some("ac_2"));
    mock.assert_async().await;
}

#[tokio::test]
async fn query_values_are_encoded() {
    let mut server = Server::new_async().await;
    let mock = served(
        &mut server,
        "agent_id=agent+1%26limit%3D5&ending_before=a%2Fb",
        page(&[], None, Some(false)),
    )
    .await;
    let request = ListCalls::new("agent 1&limit=5").ending_before("a/b");
    let page = first_page(client(&server.url()).list_calls(request.clone()))
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor.as_deref(), None);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_missing_has_more_follows_next_page() {
    let mut server = Server::new_async().await;
    let first_mock = served(
        &mut server,
        "agent_id=agent_1",
        page(&["ac_1"], Some("cur_1"), None),
    )
    .await;
    let request = ListCalls::new("agent_1");
    let first = first_page(client(&server.url()).list_calls(request.clone()))
        .await
        .unwrap();
    assert!(first.has_more);
    first_mock.assert_async().await;

    let mut server = Server::new_async().await;
    let last = served(&mut server, "agent_id=agent_1", page(&["ac_1"], None, None)).await;
    let last_page = first_page(client(&server.url()).list_calls(request.clone()))
        .await
        .unwrap();
    assert!(!last_page.has_more);
    assert_eq!(last_page.next_cursor.as_deref(), None);
    last.assert_async().await;
}

#[tokio::test]
async fn the_stream_follows_next_page_through_an_empty_page_to_the_last() {
    let mut server = Server::new_async().await;
    let mocks = [
        served(
            &mut server,
            "agent_id=agent_1&limit=2",
            page(&["ac_1", "ac_2"], Some("cur_a"), Some(true)),
        )
        .await,
        // An empty page that still carries a cursor must not end the listing.
        served(
            &mut server,
            "agent_id=agent_1&limit=2&starting_after=cur_a",
            page(&[], Some("cur_b"), Some(true)),
        )
        .await,
        served(
            &mut server,
            "agent_id=agent_1&limit=2&starting_after=cur_b",
            page(&["ac_3", "ac_4"], Some("cur_c"), Some(true)),
        )
        .await,
        served(
            &mut server,
            "agent_id=agent_1&limit=2&starting_after=cur_c",
            page(&["ac_5"], None, Some(false)),
        )
        .await,
    ];
    let stream = client(&server.url()).list_calls(ListCalls::new("agent_1").limit(2));
    assert_eq!(
        ids_of(stream).await,
        ["ac_1", "ac_2", "ac_3", "ac_4", "ac_5"]
    );
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn without_next_page_the_stream_follows_the_last_id_while_has_more() {
    let mut server = Server::new_async().await;
    let first = served(
        &mut server,
        "agent_id=agent_1",
        page(&["ac_1", "ac_2"], None, Some(true)),
    )
    .await;
    let second = served(
        &mut server,
        "agent_id=agent_1&starting_after=ac_2",
        page(&["ac_3"], None, Some(false)),
    )
    .await;
    let stream = client(&server.url()).list_calls(ListCalls::new("agent_1"));
    assert_eq!(ids_of(stream).await, ["ac_1", "ac_2", "ac_3"]);
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn paging_backwards_follows_next_page_as_ending_before() {
    let mut server = Server::new_async().await;
    let first = served(
        &mut server,
        "agent_id=agent_1&ending_before=ac_9",
        page(&["ac_10"], Some("ac_10"), Some(true)),
    )
    .await;
    let second = served(
        &mut server,
        "agent_id=agent_1&ending_before=ac_10",
        page(&["ac_11"], None, Some(false)),
    )
    .await;
    let stream = client(&server.url()).list_calls(ListCalls::new("agent_1").ending_before("ac_9"));
    assert_eq!(ids_of(stream).await, ["ac_10", "ac_11"]);
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_with_an_error_not_a_loop() {
    let mut server = Server::new_async().await;
    let first = served(
        &mut server,
        "agent_id=agent_1",
        page(&["ac_1"], Some("cur_a"), Some(true)),
    )
    .await;
    let repeating = served(
        &mut server,
        "agent_id=agent_1&starting_after=cur_a",
        page(&["ac_2"], Some("cur_a"), Some(true)),
    )
    .await;
    let mut stream = client(&server.url()).list_calls(ListCalls::new("agent_1"));
    for expected in ["ac_1", "ac_2"] {
        let call = stream.try_next().await.unwrap().unwrap();
        assert_eq!(call.id.as_str(), expected);
    }
    let err = stream.try_next().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(stream.next().await.is_none());
    first.assert_async().await;
    repeating.assert_async().await;
}

#[tokio::test]
async fn a_cursor_cycle_is_caught_too() {
    let mut server = Server::new_async().await;
    let mocks = [
        served(
            &mut server,
            "agent_id=agent_1&starting_after=cur_start",
            page(&["ac_1"], Some("cur_a"), Some(true)),
        )
        .await,
        served(
            &mut server,
            "agent_id=agent_1&starting_after=cur_a",
            page(&["ac_2"], Some("cur_b"), Some(true)),
        )
        .await,
        served(
            &mut server,
            "agent_id=agent_1&starting_after=cur_b",
            page(&["ac_3"], Some("cur_start"), Some(true)),
        )
        .await,
    ];
    let results: Vec<_> = client(&server.url())
        .list_calls(ListCalls::new("agent_1").starting_after("cur_start"))
        .collect()
        .await;
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    assert_eq!(results[3].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn has_more_without_any_cursor_is_an_error_not_silent_truncation() {
    let mut server = Server::new_async().await;
    let mock = served(&mut server, "agent_id=agent_1", page(&[], None, Some(true))).await;
    let results: Vec<_> = client(&server.url())
        .list_calls(ListCalls::new("agent_1"))
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    mock.assert_async().await;
}

#[tokio::test]
async fn the_stream_is_lazy() {
    let mut server = Server::new_async().await;
    let first = served(
        &mut server,
        "agent_id=agent_1",
        page(&["ac_1", "ac_2"], Some("cur_a"), Some(true)),
    )
    .await;
    let second = list_mock(&mut server, "agent_id=agent_1&starting_after=cur_a")
        .with_body(page(&["ac_3"], None, Some(false)))
        .expect(0)
        .create_async()
        .await;
    let client = client(&server.url());
    let stream = client.list_calls(ListCalls::new("agent_1"));
    // Nothing is sent until the stream is read, and only as far as it is read.
    assert!(!first.matched_async().await);
    let taken: Vec<_> = stream.take(2).try_collect().await.unwrap();
    assert_eq!(taken.len(), 2);
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn an_error_midway_ends_the_stream_after_the_calls_already_read() {
    let mut server = Server::new_async().await;
    let first = served(
        &mut server,
        "agent_id=agent_1",
        page(&["ac_1"], Some("cur_a"), Some(true)),
    )
    .await;
    let failing = list_mock(&mut server, "agent_id=agent_1&starting_after=cur_a")
        .with_status(503)
        .expect(3)
        .create_async()
        .await;
    let results: Vec<_> = client(&server.url())
        .list_calls(ListCalls::new("agent_1"))
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Upstream, Some(503)));
    first.assert_async().await;
    failing.assert_async().await;
}

#[tokio::test]
async fn invalid_requests_send_nothing() {
    let mut server = Server::new_async().await;
    let none = nothing_sent(&mut server).await;
    let client = client(&server.url());
    for request in [
        ListCalls::new(""),
        ListCalls::new(" \t"),
        ListCalls::new("agent_1").limit(0),
        ListCalls::new("agent_1").limit(101),
        ListCalls::new("agent_1").starting_after(""),
        ListCalls::new("agent_1")
            .starting_after("a")
            .ending_before("b"),
    ] {
        let err = first_page(client.list_calls(request.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{request:?}");
        assert_eq!(err.attempts(), 0);
        let results: Vec<_> = client.list_calls(request).collect().await;
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
        |server| list_mock(server, "agent_id=agent_1"),
        |client| async move { first_page(client.list_calls(ListCalls::new("agent_1"))).await },
    )
    .await;
}

#[tokio::test]
async fn a_malformed_or_wrong_shaped_page_is_a_decode_error() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        "not json",
        r#"{"next_page":null}"#,
        r#"{"data":{},"has_more":false}"#,
        r#"{"data":[{"id":"ac_1"}],"has_more":false}"#,
    ] {
        server.reset();
        let mock = served(&mut server, "agent_id=agent_1", body.into()).await;
        let err = first_page(client.list_calls(ListCalls::new("agent_1")))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_hanging_list_times_out() {
    let server = RawServer::hanging().await;
    let err = first_page(
        client_with(&server.url, impatient_retry()).list_calls(ListCalls::new("agent_1")),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(server.count("GET /agents/calls?agent_id=agent_1 "), 3);
}
