//! New-API campaign lifecycle: start, pause, resume and stop, with their retries, their 409s read as "already
//! there", and the calls a stopped campaign may still have live.

use futures_util::{StreamExt, TryStreamExt};
use mirai_calls::ErrorKind;
use mirai_calls::v2::{CampaignStatus, ChangeOutcome, MiraiV2CallStatus};
use mockito::{Matcher, Server, ServerGuard};
use serde_json::json;

use crate::support::{
    RawServer, Reply, cmp, impatient_retry, v2, v2_bodiless_mock, v2_call, v2_campaign, v2_error,
    v2_page, v2_with,
};

fn action_mock(server: &mut ServerGuard, action: &str) -> mockito::Mock {
    v2_bodiless_mock(
        server,
        "POST",
        format!("/v2/campaigns/cmp_1/{action}").as_str(),
    )
}

fn get_mock(server: &mut ServerGuard) -> mockito::Mock {
    v2_bodiless_mock(server, "GET", "/v2/campaigns/cmp_1")
}

fn accepted(status: &str) -> String {
    json!({"id": "cmp_1", "status": status}).to_string()
}

#[tokio::test]
async fn each_action_is_one_bodiless_post_answered_202() {
    for (action, status) in [
        ("start", "play"),
        ("pause", "paused"),
        ("resume", "play"),
        ("stop", "stopped"),
    ] {
        let mut server = Server::new_async().await;
        let mock = action_mock(&mut server, action)
            .with_status(202)
            .with_body(accepted(status))
            .expect(1)
            .create_async()
            .await;
        let read = get_mock(&mut server).expect(0).create_async().await;
        let client = v2(&server.url());
        let id = cmp("cmp_1");
        let change = match action {
            "start" => client.start_campaign(&id).await,
            "pause" => client.pause_campaign(&id).await,
            "resume" => client.resume_campaign(&id).await,
            _ => client.stop_campaign(&id).await,
        }
        .unwrap();
        assert_eq!(change.campaign_id, id);
        assert_eq!(change.status, CampaignStatus::parse(status));
        assert_eq!(change.outcome, ChangeOutcome::Applied);
        assert_eq!(change.funded_calls, None);
        assert_eq!(change.attempts, 1);
        mock.assert_async().await;
        read.assert_async().await;
    }
}

#[tokio::test]
async fn an_underfunded_start_says_how_far_the_wallet_goes() {
    let mut server = Server::new_async().await;
    let mock = action_mock(&mut server, "start")
        .with_status(202)
        .with_body(r#"{"id":"cmp_1","status":"play","funded_calls":166}"#)
        .expect(1)
        .create_async()
        .await;
    let change = v2(&server.url())
        .start_campaign(&cmp("cmp_1"))
        .await
        .unwrap();
    assert_eq!(change.funded_calls, Some(166));
    mock.assert_async().await;
}

#[tokio::test]
async fn every_action_is_retried_on_502() {
    for (action, status) in [
        ("start", "play"),
        ("pause", "paused"),
        ("resume", "play"),
        ("stop", "stopped"),
    ] {
        let mut server = Server::new_async().await;
        let flaky = action_mock(&mut server, action)
            .with_status(502)
            .expect(2)
            .create_async()
            .await;
        let ok = action_mock(&mut server, action)
            .with_status(202)
            .with_body(accepted(status))
            .expect(1)
            .create_async()
            .await;
        let client = v2(&server.url());
        let id = cmp("cmp_1");
        let change = match action {
            "start" => client.start_campaign(&id).await,
            "pause" => client.pause_campaign(&id).await,
            "resume" => client.resume_campaign(&id).await,
            _ => client.stop_campaign(&id).await,
        }
        .unwrap();
        assert_eq!(change.outcome, ChangeOutcome::Applied, "{action}");
        assert_eq!(change.attempts, 3);
        flaky.assert_async().await;
        ok.assert_async().await;
    }
}

#[tokio::test]
async fn a_409_on_a_campaign_already_there_is_success() {
    // Repeating a pause leaves it paused: Mirai answers 409 `conflict`, and the campaign is where we asked.
    let cases = [
        ("pause", "paused", ChangeOutcome::AlreadyInState),
        ("resume", "play", ChangeOutcome::AlreadyInState),
        ("start", "play", ChangeOutcome::AlreadyInState),
        ("stop", "stopped", ChangeOutcome::AlreadyInState),
        ("stop", "completed", ChangeOutcome::AlreadyFinished),
    ];
    for (action, found, outcome) in cases {
        let mut server = Server::new_async().await;
        let refused = action_mock(&mut server, action)
            .with_status(409)
            .with_body(v2_error(
                "conflict",
                "campaign is not in a state that allows this",
            ))
            .expect(1)
            .create_async()
            .await;
        let read = get_mock(&mut server)
            .with_status(200)
            .with_body(v2_campaign("cmp_1", found))
            .expect(1)
            .create_async()
            .await;
        let client = v2(&server.url());
        let id = cmp("cmp_1");
        let change = match action {
            "start" => client.start_campaign(&id).await,
            "pause" => client.pause_campaign(&id).await,
            "resume" => client.resume_campaign(&id).await,
            _ => client.stop_campaign(&id).await,
        }
        .unwrap();
        assert_eq!(change.outcome, outcome, "{action} {found}");
        assert_eq!(change.status, CampaignStatus::parse(found));
        assert_eq!(change.attempts, 2);
        refused.assert_async().await;
        read.assert_async().await;
    }
}

#[tokio::test]
async fn a_409_on_a_campaign_elsewhere_is_a_conflict() {
    let cases = [
        ("pause", "draft"),
        ("pause", "stopped"),
        // Paused without a running dialler: Mirai's message says to use start.
        ("resume", "paused"),
        ("start", "completed"),
        ("stop", "play"),
    ];
    for (action, found) in cases {
        let mut server = Server::new_async().await;
        let refused = action_mock(&mut server, action)
            .with_status(409)
            .with_body(v2_error("conflict", "use POST /start"))
            .expect(1)
            .create_async()
            .await;
        let read = get_mock(&mut server)
            .with_status(200)
            .with_body(v2_campaign("cmp_1", found))
            .expect(1)
            .create_async()
            .await;
        let client = v2(&server.url());
        let id = cmp("cmp_1");
        let err = match action {
            "start" => client.start_campaign(&id).await,
            "pause" => client.pause_campaign(&id).await,
            "resume" => client.resume_campaign(&id).await,
            _ => client.stop_campaign(&id).await,
        }
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict, "{action} {found}");
        assert_eq!(err.provider_code(), Some("conflict"));
        assert_eq!(err.provider_message(), Some("use POST /start"));
        refused.assert_async().await;
        read.assert_async().await;
    }
}

#[tokio::test]
async fn documented_refusals_are_returned_without_a_read() {
    let cases = [
        (
            "start",
            409,
            v2_error("window_closed", "calling window is already closed"),
            ErrorKind::Conflict,
            false,
        ),
        (
            "resume",
            409,
            v2_error("window_closed", "calling window is already closed"),
            ErrorKind::Conflict,
            false,
        ),
        (
            "start",
            503,
            v2_error("fleet_offline", "speech capacity offline"),
            ErrorKind::Upstream,
            true,
        ),
        (
            "stop",
            503,
            v2_error("campaigns_unavailable", "not enabled"),
            ErrorKind::Upstream,
            false,
        ),
        (
            "pause",
            404,
            v2_error("not_found", "campaign not found"),
            ErrorKind::NotFound,
            false,
        ),
        (
            "start",
            400,
            v2_error("invalid_request", "invalid_flow"),
            ErrorKind::InvalidInput,
            false,
        ),
    ];
    for (action, status, body, kind, retry_after) in cases {
        let mut server = Server::new_async().await;
        let mut mock = action_mock(&mut server, action)
            .with_status(status)
            .with_body(body);
        if retry_after {
            // Past the operation's deadline: returned at once, with the delay, not waited for.
            mock = mock.with_header("retry-after", "300");
        }
        let mock = mock.expect(1).create_async().await;
        let read = get_mock(&mut server).expect(0).create_async().await;
        let client = v2(&server.url());
        let id = cmp("cmp_1");
        let err = match action {
            "start" => client.start_campaign(&id).await,
            "pause" => client.pause_campaign(&id).await,
            "resume" => client.resume_campaign(&id).await,
            _ => client.stop_campaign(&id).await,
        }
        .unwrap_err();
        assert_eq!(err.kind(), kind, "{action} {status}");
        assert_eq!(err.attempts(), 1);
        if retry_after {
            assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(300)));
        }
        if status == 503 && !retry_after {
            assert!(!err.is_retryable());
        }
        mock.assert_async().await;
        read.assert_async().await;
    }
}

#[tokio::test]
async fn server_errors_until_retries_run_out_are_settled_by_reading_the_campaign() {
    // Three 502s: the pause may have landed. The campaign is paused, so the pause succeeded.
    let mut server = Server::new_async().await;
    let flaky = action_mock(&mut server, "pause")
        .with_status(502)
        .expect(3)
        .create_async()
        .await;
    let read = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_campaign("cmp_1", "paused"))
        .expect(1)
        .create_async()
        .await;
    let change = v2(&server.url())
        .pause_campaign(&cmp("cmp_1"))
        .await
        .unwrap();
    assert_eq!(change.outcome, ChangeOutcome::AlreadyInState);
    assert_eq!(change.attempts, 4);
    flaky.assert_async().await;
    read.assert_async().await;

    // The campaign still plays: the pause failed, and its own error is returned.
    let mut server = Server::new_async().await;
    let flaky = action_mock(&mut server, "pause")
        .with_status(502)
        .expect(3)
        .create_async()
        .await;
    let read = get_mock(&mut server)
        .with_status(200)
        .with_body(v2_campaign("cmp_1", "play"))
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url())
        .pause_campaign(&cmp("cmp_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Upstream);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.attempts(), 3);
    flaky.assert_async().await;
    read.assert_async().await;
}

#[tokio::test]
async fn a_stop_that_times_out_is_settled_by_reading_the_campaign() {
    let server = RawServer::start(|line, _| {
        if line.starts_with("POST ") {
            Reply::Hang
        } else {
            Reply::Json(200, v2_campaign("cmp_1", "stopped"))
        }
    })
    .await;
    let change = v2_with(&server.url, impatient_retry())
        .stop_campaign(&cmp("cmp_1"))
        .await
        .unwrap();
    assert_eq!(change.outcome, ChangeOutcome::AlreadyInState);
    assert_eq!(change.status, CampaignStatus::Stopped);
    assert_eq!(server.count("POST /v2/campaigns/cmp_1/stop "), 3);
    assert_eq!(server.count("GET /v2/campaigns/cmp_1 "), 1);
}

#[tokio::test]
async fn when_the_read_fails_too_the_request_error_is_returned() {
    let mut server = Server::new_async().await;
    let refused = action_mock(&mut server, "stop")
        .with_status(409)
        .with_body(v2_error("conflict", "x"))
        .expect(1)
        .create_async()
        .await;
    let read = get_mock(&mut server)
        .with_status(401)
        .with_body(v2_error("unauthorized", "no"))
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url())
        .stop_campaign(&cmp("cmp_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    refused.assert_async().await;
    read.assert_async().await;
}

fn contact(id: &str, status: &str, call: Option<&str>) -> serde_json::Value {
    json!({"id": id, "phone": "+919876543210", "status": status, "attempts": 1, "last_call_id": call})
}

fn contacts_mock(server: &mut ServerGuard, status: &str, cursor: Option<&str>) -> mockito::Mock {
    let mut query = vec![
        Matcher::UrlEncoded("status".into(), status.into()),
        Matcher::UrlEncoded("limit".into(), "100".into()),
    ];
    if let Some(cursor) = cursor {
        query.push(Matcher::UrlEncoded("cursor".into(), cursor.into()));
    }
    v2_bodiless_mock(server, "GET", "/v2/campaigns/cmp_1/contacts")
        .match_query(Matcher::AllOf(query))
}

#[tokio::test]
async fn live_calls_are_the_in_flight_contacts_calls_still_running() {
    let mut server = Server::new_async().await;
    let claimed = contacts_mock(&mut server, "claimed", None)
        .with_status(200)
        // A claimed contact's last call is its previous attempt, long over; a first attempt has none.
        .with_body(v2_page(
            vec![
                contact("c1", "claimed", Some("call_old")),
                contact("c2", "claimed", None),
            ],
            None,
        ))
        .expect(1)
        .create_async()
        .await;
    let dialing_1 = contacts_mock(&mut server, "dialing", None)
        .with_status(200)
        .with_body(v2_page(
            vec![contact("c3", "dialing", Some("call_live"))],
            Some("p2"),
        ))
        .expect(1)
        .create_async()
        .await;
    let dialing_2 = contacts_mock(&mut server, "dialing", Some("p2"))
        .with_status(200)
        .with_body(v2_page(
            vec![
                contact("c4", "dialing", Some("call_ringing")),
                contact("c5", "dialing", Some("call_ended")),
            ],
            None,
        ))
        .expect(1)
        .create_async()
        .await;
    let mut reads = Vec::new();
    for (call, status) in [
        ("call_old", "no_answer"),
        ("call_live", "in_progress"),
        ("call_ringing", "dialing"),
        ("call_ended", "aborted"),
    ] {
        reads.push(
            v2_bodiless_mock(&mut server, "GET", format!("/v2/calls/{call}").as_str())
                .with_status(200)
                .with_body(v2_call(call, status, None))
                .expect(1)
                .create_async()
                .await,
        );
    }
    let calls: Vec<_> = v2(&server.url())
        .campaign_live_calls(&cmp("cmp_1"))
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
            ("call_live", MiraiV2CallStatus::InProgress),
            ("call_ringing", MiraiV2CallStatus::Dialing)
        ]
    );
    claimed.assert_async().await;
    dialing_1.assert_async().await;
    dialing_2.assert_async().await;
    for read in reads {
        read.assert_async().await;
    }
}

#[tokio::test]
async fn live_calls_end_at_the_first_error() {
    let mut server = Server::new_async().await;
    let claimed = contacts_mock(&mut server, "claimed", None)
        .with_status(404)
        .with_body(v2_error("not_found", "campaign not found"))
        .expect(1)
        .create_async()
        .await;
    let dialing = contacts_mock(&mut server, "dialing", None)
        .expect(0)
        .create_async()
        .await;
    let results: Vec<_> = v2(&server.url())
        .campaign_live_calls(&cmp("cmp_1"))
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap_err().kind(), ErrorKind::NotFound);
    claimed.assert_async().await;
    dialing.assert_async().await;
}
