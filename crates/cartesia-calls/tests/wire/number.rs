//! Finding a number's calls among agents' calls, for "stop calling this number".

use call_core::PhoneNumber;
use call_core::stop_number::NumberControl;
use futures_util::StreamExt;
use mockito::{Matcher, Server};
use serde_json::json;

use crate::support::{api_mock, client};

fn call(id: &str, status: &str, to: &str) -> serde_json::Value {
    json!({"id": id, "agent_id": "a", "status": status, "telephony_params": {"to": to, "from": "+14155550100"}})
}

#[tokio::test]
async fn finds_queued_and_live_calls_to_the_number_across_agents_and_pages() {
    let mut server = Server::new_async().await;
    let number = "+919876543210";
    let first = api_mock(&mut server, "GET", "/agents/calls")
        .match_query(Matcher::AllOf(vec![Matcher::UrlEncoded("agent_id".into(), "sales".into())]))
        .with_body(
            json!({"data": [call("c1", "started", number), call("c2", "completed", number), call("c3", "started", "+14155550123")],
                   "has_more": true, "next_page": "c3"})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let second = api_mock(&mut server, "GET", "/agents/calls")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("agent_id".into(), "sales".into()),
            Matcher::UrlEncoded("starting_after".into(), "c3".into()),
        ]))
        .with_body(
            json!({"data": [call("c4", "created", number)], "has_more": false, "next_page": null})
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let support = api_mock(&mut server, "GET", "/agents/calls")
        .match_query(Matcher::UrlEncoded("agent_id".into(), "support".into()))
        .with_body(json!({"data": [call("c5", "failed", number), call("c6", "started", number)], "next_page": null}).to_string())
        .expect(1)
        .create_async()
        .await;
    let search = client(&server.url()).number_search(["sales", "support"]);
    let found: Vec<String> = search
        .find_calls_to(&PhoneNumber::new(number).unwrap())
        .map(|id| id.unwrap().to_string())
        .collect()
        .await;
    assert_eq!(found, ["c1", "c4", "c6"]);
    assert!(
        search
            .suppress_number(&PhoneNumber::new(number).unwrap())
            .await
            .is_err()
    );
    first.assert_async().await;
    second.assert_async().await;
    support.assert_async().await;
}

#[tokio::test]
async fn a_failing_listing_ends_the_search_with_its_error() {
    let mut server = Server::new_async().await;
    let mock = api_mock(&mut server, "GET", "/agents/calls")
        .match_query(Matcher::Any)
        .with_status(401)
        .expect(1)
        .create_async()
        .await;
    let search = client(&server.url()).number_search(["sales"]);
    let found: Vec<_> = search
        .find_calls_to(&PhoneNumber::new("+919876543210").unwrap())
        .collect()
        .await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].as_ref().unwrap_err().kind(),
        call_core::ErrorKind::Unauthorized
    );
    mock.assert_async().await;
}
