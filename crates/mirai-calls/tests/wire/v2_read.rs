//! New-API reads: Get Call, List Calls (cursor pages), Get Transcript, and `state()`.

use futures_util::{StreamExt, TryStreamExt};
use mirai_calls::call_core::Timestamp;
use mirai_calls::v2::{ListCalls, MiraiV2CallStatus, Role};
use mirai_calls::{CallControl, CallState, ErrorKind};
use mockito::{Matcher, Server};
use serde_json::json;

use crate::support::{
    ODD_IDS, assert_error_has_no_key, id, nothing_sent, v2, v2_bodiless_mock, v2_call, v2_error,
};

#[tokio::test]
async fn get_call_sends_the_exact_request() {
    let mut server = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut server, "GET", "/v2/calls/call_1")
        .with_status(200)
        .with_body(v2_call("call_1", "in_progress", None))
        .expect(1)
        .create_async()
        .await;
    let call = v2(&server.url()).get_call(&id("call_1")).await.unwrap();
    assert_eq!(call.status, MiraiV2CallStatus::InProgress);
    assert_eq!(call.agent_id.as_deref(), Some("agt_1"));
    mock.assert_async().await;
}

#[tokio::test]
async fn odd_ids_are_one_path_segment() {
    for (odd, segment) in ODD_IDS {
        let mut server = Server::new_async().await;
        let mock = v2_bodiless_mock(&mut server, "GET", format!("/v2/calls/{segment}").as_str())
            .with_status(200)
            .with_body(json!({"id": odd, "status": "queued"}).to_string())
            .expect(1)
            .create_async()
            .await;
        let call = v2(&server.url()).get_call(&id(odd)).await.unwrap();
        assert_eq!(call.id.as_str(), *odd);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn get_call_errors_map() {
    let cases = [
        (
            404,
            v2_error("not_found", "call not found"),
            ErrorKind::NotFound,
            1,
        ),
        (
            401,
            v2_error("unauthorized", "no key"),
            ErrorKind::Unauthorized,
            1,
        ),
        (
            403,
            v2_error("forbidden", "revoked"),
            ErrorKind::Forbidden,
            1,
        ),
        (500, v2_error("internal", "bug"), ErrorKind::Upstream, 3),
        (200, "<html>proxy</html>".to_owned(), ErrorKind::Decode, 1),
    ];
    for (status, body, kind, hits) in cases {
        let mut server = Server::new_async().await;
        let mock = v2_bodiless_mock(&mut server, "GET", "/v2/calls/call_1")
            .with_status(status)
            .with_body(body)
            .expect(hits)
            .create_async()
            .await;
        let err = v2(&server.url()).get_call(&id("call_1")).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.attempts(), hits as u32);
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn state_maps_every_status() {
    let cases = [
        ("queued", CallState::Queued),
        ("dialing", CallState::Queued),
        ("in_progress", CallState::Active),
        ("completed", CallState::Ended),
        ("voicemail", CallState::Ended),
        ("no_answer", CallState::Ended),
        ("busy", CallState::Ended),
        ("failed", CallState::Ended),
        ("timeout", CallState::Ended),
        ("aborted", CallState::Ended),
        ("beamed_up", CallState::Unknown),
    ];
    for (status, state) in cases {
        let mut server = Server::new_async().await;
        let mock = v2_bodiless_mock(&mut server, "GET", "/v2/calls/call_1")
            .with_status(200)
            .with_body(v2_call("call_1", status, None))
            .expect(1)
            .create_async()
            .await;
        assert_eq!(
            v2(&server.url()).state(&id("call_1")).await.unwrap(),
            state,
            "{status}"
        );
        mock.assert_async().await;
    }
}

fn page(ids: &[&str], next: Option<&str>) -> String {
    let data: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "status": "completed", "cost_inr": 1.5}))
        .collect();
    json!({"data": data, "has_more": next.is_some(), "next_cursor": next}).to_string()
}

#[tokio::test]
async fn list_follows_cursors_with_the_query() {
    let mut server = Server::new_async().await;
    let base = vec![
        Matcher::UrlEncoded("agent_id".into(), "agt_1".into()),
        Matcher::UrlEncoded("status".into(), "completed".into()),
        Matcher::UrlEncoded("from".into(), "2026-07-01T00:00:00Z".into()),
        Matcher::UrlEncoded("to".into(), "2026-08-01T00:00:00Z".into()),
        Matcher::UrlEncoded("limit".into(), "2".into()),
    ];
    let first = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .match_query(Matcher::AllOf(base.clone()))
        .with_status(200)
        .with_body(page(&["call_1", "call_2"], Some("cur_a")))
        .expect(1)
        .create_async()
        .await;
    let mut second_query = base.clone();
    second_query.push(Matcher::UrlEncoded("cursor".into(), "cur_a".into()));
    let second = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .match_query(Matcher::AllOf(second_query))
        .with_status(200)
        .with_body(page(&["call_3"], Some("cur_b")))
        .expect(1)
        .create_async()
        .await;
    let mut third_query = base;
    third_query.push(Matcher::UrlEncoded("cursor".into(), "cur_b".into()));
    let third = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .match_query(Matcher::AllOf(third_query))
        .with_status(200)
        .with_body(page(&["call_4"], None))
        .expect(1)
        .create_async()
        .await;
    let query = ListCalls::new()
        .agent_id("agt_1")
        .status(MiraiV2CallStatus::Completed)
        .created_from("2026-07-01T00:00:00Z".parse::<Timestamp>().unwrap())
        .created_before("2026-08-01T00:00:00Z".parse::<Timestamp>().unwrap())
        .limit(2);
    let calls: Vec<_> = v2(&server.url())
        .list_calls(query)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["call_1", "call_2", "call_3", "call_4"]);
    assert_eq!(calls[0].cost_inr, Some(1.5));
    first.assert_async().await;
    second.assert_async().await;
    third.assert_async().await;
}

#[tokio::test]
async fn list_is_lazy() {
    let mut server = Server::new_async().await;
    let first = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .match_query(Matcher::Missing)
        .with_status(200)
        .with_body(page(&["call_1", "call_2"], Some("cur_a")))
        .expect(1)
        .create_async()
        .await;
    let second = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .match_query(Matcher::UrlEncoded("cursor".into(), "cur_a".into()))
        .expect(0)
        .create_async()
        .await;
    let client = v2(&server.url());
    let mut calls = Box::pin(client.list_calls(ListCalls::new()));
    let one = calls.next().await.unwrap().unwrap();
    let two = calls.next().await.unwrap().unwrap();
    assert_eq!((one.id.as_str(), two.id.as_str()), ("call_1", "call_2"));
    // Two calls read, one page requested: the second page is never asked for.
    drop(calls);
    first.assert_async().await;
    second.assert_async().await;

    let pages = client.list_calls(ListCalls::new()).pages();
    futures_util::pin_mut!(pages);
    let page = pages.next().await.unwrap().unwrap();
    assert!(page.has_more);
    assert_eq!(page.next_cursor.as_deref(), Some("cur_a"));
}

#[tokio::test]
async fn a_repeated_cursor_ends_with_an_error_not_a_loop() {
    let mut server = Server::new_async().await;
    let first = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .match_query(Matcher::Missing)
        .with_status(200)
        .with_body(page(&["call_1"], Some("cur_a")))
        .expect(1)
        .create_async()
        .await;
    let looping = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .match_query(Matcher::UrlEncoded("cursor".into(), "cur_a".into()))
        .with_status(200)
        .with_body(page(&["call_2"], Some("cur_a")))
        .expect(1)
        .create_async()
        .await;
    let results: Vec<_> = v2(&server.url())
        .list_calls(ListCalls::new())
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id.as_str(), "call_1");
    assert_eq!(results[1].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    first.assert_async().await;
    looping.assert_async().await;
}

#[tokio::test]
async fn more_pages_without_a_cursor_is_an_error_not_a_silent_stop() {
    let mut server = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .with_status(200)
        .with_body(
            r#"{"data":[{"id":"call_1","status":"queued"}],"has_more":true,"next_cursor":null}"#,
        )
        .expect(1)
        .create_async()
        .await;
    let results: Vec<_> = v2(&server.url())
        .list_calls(ListCalls::new())
        .pages()
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_with_its_error() {
    let mut server = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut server, "GET", "/v2/calls")
        .with_status(401)
        .with_body(v2_error("unauthorized", "no"))
        .expect(1)
        .create_async()
        .await;
    let results: Vec<_> = v2(&server.url())
        .list_calls(ListCalls::new())
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].as_ref().unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn an_invalid_query_sends_nothing() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let client = v2(&server.url());
    for query in [
        ListCalls::new().limit(0),
        ListCalls::new().limit(101),
        ListCalls::new().agent_id(" "),
    ] {
        let results: Vec<_> = client.list_calls(query).collect().await;
        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    nothing.assert_async().await;
}

#[tokio::test]
async fn transcript_reads_turns_and_maps_404() {
    let mut server = Server::new_async().await;
    let ok = v2_bodiless_mock(&mut server, "GET", "/v2/calls/call_1/transcript")
        .with_status(200)
        .with_body(
            r#"{"call_id":"call_1","turns":[{"role":"assistant","text":"Namaste","start_ms":0,"end_ms":900},
                {"role":"user","text":"Hi","start_ms":1200,"end_ms":null}]}"#,
        )
        .expect(1)
        .create_async()
        .await;
    let missing = v2_bodiless_mock(&mut server, "GET", "/v2/calls/call_2/transcript")
        .with_status(404)
        .with_body(v2_error(
            "not_found",
            "transcript not available (call still in progress or produced no speech)",
        ))
        .expect(1)
        .create_async()
        .await;
    let client = v2(&server.url());
    let transcript = client.transcript(&id("call_1")).await.unwrap();
    assert_eq!(transcript.turns.len(), 2);
    assert_eq!(transcript.turns[0].role, Role::Assistant);
    assert_eq!(transcript.turns[1].end_ms, None);
    let err = client.transcript(&id("call_2")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.provider_code(), Some("not_found"));
    ok.assert_async().await;
    missing.assert_async().await;
}
