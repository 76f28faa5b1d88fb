//! New-API do-not-call list: add (idempotent), remove (a number not listed is an answer, not an error), list.

use futures_util::{StreamExt, TryStreamExt};
use mirai_calls::ErrorKind;
use mirai_calls::v2::{DncAdded, DncRemoved, ListDnc};
use mockito::{Matcher, Server};
use serde_json::json;

use crate::support::{
    assert_error_has_no_key, phone, v2, v2_bodiless_mock, v2_error, v2_json_mock, v2_page,
};

fn entry(added: bool) -> String {
    json!({"object": "dnc_entry", "phone": "+919876543210", "added": added}).to_string()
}

#[tokio::test]
async fn adding_twice_is_added_then_already_listed() {
    let mut server = Server::new_async().await;
    let body = json!({"phone": "+919876543210"});
    let new = v2_json_mock(&mut server, "POST", "/v2/dnc", body.clone())
        .with_status(201)
        .with_body(entry(true))
        .expect(1)
        .create_async()
        .await;
    let again = v2_json_mock(&mut server, "POST", "/v2/dnc", body)
        .with_status(200)
        .with_body(entry(false))
        .expect(1)
        .create_async()
        .await;
    let client = v2(&server.url());
    let number = phone("+919876543210");
    assert_eq!(client.add_to_dnc(&number).await.unwrap(), DncAdded::Added);
    assert_eq!(
        client.add_to_dnc(&number).await.unwrap(),
        DncAdded::AlreadyListed
    );
    new.assert_async().await;
    again.assert_async().await;
}

#[tokio::test]
async fn add_is_retried_and_a_lost_first_answer_reads_as_already_listed() {
    let mut server = Server::new_async().await;
    let body = json!({"phone": "+919876543210"});
    let flaky = v2_json_mock(&mut server, "POST", "/v2/dnc", body.clone())
        .with_status(502)
        .expect(2)
        .create_async()
        .await;
    let ok = v2_json_mock(&mut server, "POST", "/v2/dnc", body)
        .with_status(200)
        .with_body(entry(false))
        .expect(1)
        .create_async()
        .await;
    let outcome = v2(&server.url())
        .add_to_dnc(&phone("+919876543210"))
        .await
        .unwrap();
    assert_eq!(outcome, DncAdded::AlreadyListed);
    flaky.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn add_refusals_map() {
    for (status, body, kind, hits) in [
        (
            400,
            v2_error("invalid_request", "phone is not E.164"),
            ErrorKind::InvalidInput,
            1,
        ),
        (
            503,
            v2_error("campaigns_unavailable", "not enabled"),
            ErrorKind::Upstream,
            1,
        ),
        (
            401,
            v2_error("unauthorized", "no"),
            ErrorKind::Unauthorized,
            1,
        ),
        (500, v2_error("internal", "bug"), ErrorKind::Upstream, 3),
        (201, "<html>proxy</html>".to_owned(), ErrorKind::Decode, 1),
    ] {
        let mut server = Server::new_async().await;
        let mock = v2_json_mock(
            &mut server,
            "POST",
            "/v2/dnc",
            json!({"phone": "+919876543210"}),
        )
        .with_status(status)
        .with_body(body)
        .expect(hits)
        .create_async()
        .await;
        let err = v2(&server.url())
            .add_to_dnc(&phone("+919876543210"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.attempts(), hits as u32);
        if status == 503 {
            assert!(!err.is_retryable());
        }
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn remove_encodes_the_plus_and_answers_removed() {
    let mut server = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut server, "DELETE", "/v2/dnc/%2B919876543210")
        .with_status(204)
        .expect(1)
        .create_async()
        .await;
    let outcome = v2(&server.url())
        .remove_from_dnc(&phone("+919876543210"))
        .await
        .unwrap();
    assert_eq!(outcome, DncRemoved::Removed);
    mock.assert_async().await;
}

#[tokio::test]
async fn removing_an_unlisted_number_is_not_listed() {
    let mut server = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut server, "DELETE", "/v2/dnc/%2B919876543210")
        .with_status(404)
        .with_body(v2_error(
            "not_found",
            "number is not on the do-not-call list",
        ))
        .expect(1)
        .create_async()
        .await;
    let outcome = v2(&server.url())
        .remove_from_dnc(&phone("+919876543210"))
        .await
        .unwrap();
    assert_eq!(outcome, DncRemoved::NotListed);
    mock.assert_async().await;
}

#[tokio::test]
async fn remove_is_retried_and_a_lost_first_answer_reads_as_not_listed() {
    let mut server = Server::new_async().await;
    let flaky = v2_bodiless_mock(&mut server, "DELETE", "/v2/dnc/%2B919876543210")
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let gone = v2_bodiless_mock(&mut server, "DELETE", "/v2/dnc/%2B919876543210")
        .with_status(404)
        .with_body(v2_error("not_found", "not listed"))
        .expect(1)
        .create_async()
        .await;
    let outcome = v2(&server.url())
        .remove_from_dnc(&phone("+919876543210"))
        .await
        .unwrap();
    assert_eq!(outcome, DncRemoved::NotListed);
    flaky.assert_async().await;
    gone.assert_async().await;
}

#[tokio::test]
async fn remove_refusals_map() {
    for (status, body, kind) in [
        // A 404 that is not Mirai's `not_found` (a proxy, a wrong base URL) says nothing about the list.
        (
            404,
            "<html>no such route</html>".to_owned(),
            ErrorKind::NotFound,
        ),
        (
            503,
            v2_error("campaigns_unavailable", "not enabled"),
            ErrorKind::Upstream,
        ),
        (403, v2_error("forbidden", "revoked"), ErrorKind::Forbidden),
    ] {
        let mut server = Server::new_async().await;
        let mock = v2_bodiless_mock(&mut server, "DELETE", "/v2/dnc/%2B919876543210")
            .with_status(status)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = v2(&server.url())
            .remove_from_dnc(&phone("+919876543210"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn list_walks_every_page_and_stops_at_a_repeated_cursor() {
    let mut server = Server::new_async().await;
    let item = |number: &str| json!({"object": "dnc_entry", "phone": number, "created_at": "2026-08-10T09:44:12Z"});
    let first = v2_bodiless_mock(&mut server, "GET", "/v2/dnc")
        .match_query(Matcher::UrlEncoded("limit".into(), "100".into()))
        .with_status(200)
        .with_body(v2_page(
            vec![item("+919876543210"), item("+919812345678")],
            Some("dnc_a"),
        ))
        .expect(1)
        .create_async()
        .await;
    let second = v2_bodiless_mock(&mut server, "GET", "/v2/dnc")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "100".into()),
            Matcher::UrlEncoded("cursor".into(), "dnc_a".into()),
        ]))
        .with_status(200)
        .with_body(v2_page(vec![item("+14155550123")], Some("dnc_b")))
        .expect(1)
        .create_async()
        .await;
    let third = v2_bodiless_mock(&mut server, "GET", "/v2/dnc")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "100".into()),
            Matcher::UrlEncoded("cursor".into(), "dnc_b".into()),
        ]))
        .with_status(200)
        .with_body(v2_page(vec![], Some("dnc_a")))
        .expect(1)
        .create_async()
        .await;
    let results: Vec<_> = v2(&server.url())
        .list_dnc(ListDnc::new().limit(100))
        .collect()
        .await;
    assert_eq!(results.len(), 4);
    let numbers: Vec<_> = results[..3]
        .iter()
        .map(|r| r.as_ref().unwrap().phone.as_str())
        .collect();
    assert_eq!(numbers, ["+919876543210", "+919812345678", "+14155550123"]);
    assert_eq!(
        results[0].as_ref().unwrap().created_at.unwrap().to_string(),
        "2026-08-10T09:44:12Z"
    );
    assert_eq!(results[3].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    first.assert_async().await;
    second.assert_async().await;
    third.assert_async().await;

    let mut server = Server::new_async().await;
    let last = v2_bodiless_mock(&mut server, "GET", "/v2/dnc")
        .match_query(Matcher::Missing)
        .with_status(200)
        .with_body(v2_page(vec![item("+919876543210")], None))
        .expect(1)
        .create_async()
        .await;
    let all: Vec<_> = v2(&server.url())
        .list_dnc(ListDnc::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    last.assert_async().await;
}
