//! New-API `find_active_calls_to`: the calls still ringing or live to one number, across the three active statuses.

use futures_util::{StreamExt, TryStreamExt};
use mirai_calls::ErrorKind;
use mirai_calls::v2::MiraiV2CallStatus;
use mockito::{Matcher, Server, ServerGuard};
use serde_json::json;

use crate::support::{phone, v2, v2_bodiless_mock, v2_error, v2_page};

fn call(id: &str, to: &str, status: &str) -> serde_json::Value {
    json!({"id": id, "to": to, "status": status, "cost_inr": 0})
}

fn status_mock(server: &mut ServerGuard, status: &str, cursor: Option<&str>) -> mockito::Mock {
    let mut query = vec![
        Matcher::UrlEncoded("status".into(), status.into()),
        Matcher::UrlEncoded("limit".into(), "100".into()),
    ];
    if let Some(cursor) = cursor {
        query.push(Matcher::UrlEncoded("cursor".into(), cursor.into()));
    }
    v2_bodiless_mock(server, "GET", "/v2/calls").match_query(Matcher::AllOf(query))
}

const TO: &str = "+919876543210";
const OTHER: &str = "+919812345678";

#[tokio::test]
async fn finds_the_calls_to_the_number_in_every_active_status_once() {
    let mut server = Server::new_async().await;
    let queued_1 = status_mock(&mut server, "queued", None)
        .with_status(200)
        .with_body(v2_page(
            vec![
                call("call_q1", TO, "queued"),
                call("call_x1", OTHER, "queued"),
            ],
            Some("q2"),
        ))
        .expect(1)
        .create_async()
        .await;
    let queued_2 = status_mock(&mut server, "queued", Some("q2"))
        .with_status(200)
        .with_body(v2_page(vec![call("call_q2", TO, "queued")], None))
        .expect(1)
        .create_async()
        .await;
    // `call_q2` moved on to dialing during the walk: met again, yielded once.
    let dialing = status_mock(&mut server, "dialing", None)
        .with_status(200)
        .with_body(v2_page(
            vec![
                call("call_q2", TO, "dialing"),
                call("call_x2", OTHER, "dialing"),
            ],
            None,
        ))
        .expect(1)
        .create_async()
        .await;
    let live = status_mock(&mut server, "in_progress", None)
        .with_status(200)
        .with_body(v2_page(vec![call("call_l1", TO, "in_progress")], None))
        .expect(1)
        .create_async()
        .await;
    let calls: Vec<_> = v2(&server.url())
        .find_active_calls_to(&phone(TO))
        .try_collect()
        .await
        .unwrap();
    let found: Vec<_> = calls
        .iter()
        .map(|c| (c.id.as_str(), c.status.clone()))
        .collect();
    assert_eq!(
        found,
        [
            ("call_q1", MiraiV2CallStatus::Queued),
            ("call_q2", MiraiV2CallStatus::Queued),
            ("call_l1", MiraiV2CallStatus::InProgress),
        ]
    );
    for mock in [queued_1, queued_2, dialing, live] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn nothing_active_is_an_empty_stream() {
    let mut server = Server::new_async().await;
    let mut mocks = Vec::new();
    for status in ["queued", "dialing", "in_progress"] {
        mocks.push(
            status_mock(&mut server, status, None)
                .with_status(200)
                .with_body(v2_page(vec![call("call_x", OTHER, status)], None))
                .expect(1)
                .create_async()
                .await,
        );
    }
    let calls: Vec<_> = v2(&server.url())
        .find_active_calls_to(&phone(TO))
        .try_collect()
        .await
        .unwrap();
    assert!(calls.is_empty());
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn the_walk_ends_at_the_first_error() {
    let mut server = Server::new_async().await;
    let queued = status_mock(&mut server, "queued", None)
        .with_status(200)
        .with_body(v2_page(vec![call("call_q1", TO, "queued")], None))
        .expect(1)
        .create_async()
        .await;
    let dialing = status_mock(&mut server, "dialing", None)
        .with_status(401)
        .with_body(v2_error("unauthorized", "no"))
        .expect(1)
        .create_async()
        .await;
    let live = status_mock(&mut server, "in_progress", None)
        .expect(0)
        .create_async()
        .await;
    let results: Vec<_> = v2(&server.url())
        .find_active_calls_to(&phone(TO))
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id.as_str(), "call_q1");
    assert_eq!(
        results[1].as_ref().unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    queued.assert_async().await;
    dialing.assert_async().await;
    live.assert_async().await;
}
