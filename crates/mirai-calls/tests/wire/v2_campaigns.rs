//! New-API campaigns: create, get, list, update, add and list contacts, and both reports.

use futures_util::{StreamExt, TryStreamExt};
use mirai_calls::ErrorKind;
use mirai_calls::v2::{
    CampaignId, CampaignStatus, ContactStatus, CreateCampaign, ListCampaigns, ListContacts,
    MiraiV2CallStatus, NewContact, PauseReason, Slot, UpdateCampaign,
};
use mockito::{Matcher, Server};
use serde_json::json;
use tokio::io::AsyncWrite;

use crate::support::{
    API_KEY, RawServer, Reply, assert_error_has_no_key, cmp, impatient_retry, nothing_sent, phone,
    v2, v2_bodiless_mock, v2_campaign, v2_error, v2_json_mock, v2_mock, v2_page, v2_with,
};

fn create_request() -> CreateCampaign {
    CreateCampaign::new("Order confirmations", "agt_1")
        .timezone("Asia/Kolkata")
        .dates("2026-08-11".parse().unwrap(), "2026-08-18".parse().unwrap())
        .slot(Slot::parse("10:00", "19:00").unwrap())
}

fn create_body() -> serde_json::Value {
    json!({"name": "Order confirmations", "agent_id": "agt_1", "timezone": "Asia/Kolkata",
           "start_date": "2026-08-11", "end_date": "2026-08-18", "slots": [{"start": "10:00", "end": "19:00"}]})
}

#[tokio::test]
async fn create_sends_the_documented_body_and_reads_the_unwrapped_answer() {
    let mut server = Server::new_async().await;
    let mut answer: serde_json::Value =
        serde_json::from_str(&v2_campaign("cmp_1", "draft")).unwrap();
    answer["contacts_accepted"] = json!(2);
    answer["contacts_duplicate"] = json!(1);
    answer["contacts_rejected"] =
        json!([{"index": 2, "phone": "+91984500112", "reason": "phone must be an E.164 number"}]);
    let body = json!({
        "name": "Order confirmations", "agent_id": "agt_1", "tier": "t3", "timezone": "Asia/Kolkata",
        "start_date": "2026-08-11", "end_date": "2026-08-18",
        "slots": [{"start": "10:00", "end": "13:00"}, {"start": "16:00", "end": "19:00"}],
        "max_concurrent": 2, "retry_count": 1, "re_attempt_period_secs": 900, "max_duration_secs": 300,
        "budget_paise": 50000, "webhook_url": "https://example.com/mirai/webhook",
        "contacts": [
            {"id": "cust-1001", "phone": "+919876543210", "variables": {"customer_name": "Rohit Sharma"}},
            {"phone": "+919876543211"},
            {"id": "cust-1003", "phone": "+919845001120"}
        ]
    });
    let mock = v2_json_mock(&mut server, "POST", "/v2/campaigns", body)
        .with_status(201)
        .with_body(answer.to_string())
        .expect(1)
        .create_async()
        .await;
    let request = CreateCampaign::new("Order confirmations", "agt_1")
        .tier("t3")
        .timezone("Asia/Kolkata")
        .dates("2026-08-11".parse().unwrap(), "2026-08-18".parse().unwrap())
        .slot(Slot::parse("10:00", "13:00").unwrap())
        .slot(Slot::parse("16:00", "19:00").unwrap())
        .max_concurrent(2)
        .retry_count(1)
        .re_attempt_period_secs(900)
        .max_duration_secs(300)
        .budget_paise(50_000)
        .webhook_url("https://example.com/mirai/webhook")
        .contact(
            NewContact::new(phone("+919876543210"))
                .id("cust-1001")
                .variable("customer_name", "Rohit Sharma"),
        )
        .contacts([
            NewContact::new(phone("+919876543211")),
            NewContact::new(phone("+919845001120")).id("cust-1003"),
        ]);
    let created = v2(&server.url()).create_campaign(&request).await.unwrap();
    assert_eq!(created.campaign.id.as_str(), "cmp_1");
    assert_eq!(created.campaign.status, CampaignStatus::Draft);
    assert_eq!(created.campaign.budget_paise, Some(50_000));
    assert_eq!(created.campaign.spent_paise, Some(12_900));
    assert_eq!(
        created.campaign.start_date.unwrap().to_string(),
        "2026-08-11"
    );
    assert_eq!(
        created.campaign.created_at.unwrap().to_string(),
        "2026-08-10T09:21:44Z"
    );
    assert!(created.campaign.extra.is_empty());
    assert_eq!(
        (created.contacts.accepted, created.contacts.duplicate),
        (2, 1)
    );
    assert_eq!(created.contacts.rejected[0].index, 2);
    assert_eq!(created.attempts, 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn create_is_sent_once_whatever_happens() {
    // No idempotency key exists for campaigns: a repeat could create, and later dial, a second campaign.
    for (status, body, kind) in [
        (502, "bad gateway".to_owned(), ErrorKind::Upstream),
        (500, v2_error("internal", "bug"), ErrorKind::Upstream),
        (
            429,
            v2_error("rate_limited", "slow down"),
            ErrorKind::RateLimited,
        ),
        (
            503,
            v2_error("campaigns_unavailable", "campaigns are not enabled"),
            ErrorKind::Upstream,
        ),
        (
            404,
            v2_error("not_found", "agent not found"),
            ErrorKind::NotFound,
        ),
        (
            400,
            v2_error("invalid_request", "slots: zero-length"),
            ErrorKind::InvalidInput,
        ),
        (
            501,
            v2_error("tier_unavailable", "t5 off"),
            ErrorKind::Rejected,
        ),
    ] {
        let mut server = Server::new_async().await;
        let mock = v2_json_mock(&mut server, "POST", "/v2/campaigns", create_body())
            .with_status(status)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = v2(&server.url())
            .create_campaign(&create_request())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.status(), Some(status as u16));
        assert_eq!(err.attempts(), 1);
        if status == 503 {
            assert!(!err.is_retryable());
        }
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_create_that_times_out_is_an_unknown_outcome_sent_once() {
    let server = RawServer::start(|_, _| Reply::Hang).await;
    let err = v2_with(&server.url, impatient_retry())
        .create_campaign(&create_request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_outcome_unknown());
    assert!(!err.is_retryable());
    assert_eq!(server.count("POST /v2/campaigns "), 1);
}

#[tokio::test]
async fn invalid_campaigns_send_nothing() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let client = v2(&server.url());
    let too_many: Vec<_> = (0..1001)
        .map(|i| NewContact::new(phone(&format!("+9198765{i:05}"))))
        .collect();
    for bad in [
        CreateCampaign::new("", "agt_1"),
        create_request().budget_paise(0),
        create_request().max_concurrent(51),
        create_request().timezone("India Standard Time"),
        create_request().webhook_url("http://example.com/hook"),
        create_request().dates("2026-08-18".parse().unwrap(), "2026-08-11".parse().unwrap()),
        create_request().contacts(too_many.clone()),
        CreateCampaign::new("x", "agt_1").timezone("Asia/Kolkata"),
    ] {
        let err = client.create_campaign(&bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        assert_eq!(err.attempts(), 0);
    }
    let id = cmp("cmp_1");
    for update in [UpdateCampaign::new(), UpdateCampaign::new().retry_count(6)] {
        let err = client.update_campaign(&id, &update).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    for contacts in [too_many, Vec::new()] {
        let err = client.add_contacts(&id, &contacts).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    for limit in [0, 101] {
        let results: Vec<_> = client
            .list_campaigns(ListCampaigns::new().limit(limit))
            .collect()
            .await;
        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let results: Vec<_> = client
            .list_contacts(&id, ListContacts::new().limit(limit))
            .collect()
            .await;
        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    for bad in ["", " ", ".", "..", "a\nb"] {
        assert_eq!(
            CampaignId::new(bad).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    nothing.assert_async().await;
}

#[tokio::test]
async fn get_reads_the_campaign_with_counters() {
    let mut server = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_1")
        .with_status(200)
        .with_body(
            json!({"id": "cmp_1", "object": "campaign", "status": "paused", "pause_reason": "insufficient_balance",
                   "spent_paise": 49800, "budget_paise": 50000,
                   "counters": {"pending": 612, "completed": 174, "exhausted": 2}})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let campaign = v2(&server.url()).get_campaign(&cmp("cmp_1")).await.unwrap();
    assert_eq!(campaign.status, CampaignStatus::Paused);
    assert_eq!(
        campaign.pause_reason,
        Some(PauseReason::InsufficientBalance)
    );
    assert_eq!(campaign.spent_paise, Some(49_800));
    assert_eq!(campaign.count(&ContactStatus::Pending), 612);
    assert_eq!(campaign.count(&ContactStatus::Exhausted), 2);
    mock.assert_async().await;
}

#[tokio::test]
async fn odd_campaign_ids_are_one_path_segment() {
    for (odd, segment) in [
        ("a/b", "a%2Fb"),
        ("../calls", "..%2Fcalls"),
        ("x?y=1", "x%3Fy%3D1"),
        ("%2F", "%252F"),
    ] {
        let mut server = Server::new_async().await;
        let mock = v2_bodiless_mock(
            &mut server,
            "GET",
            format!("/v2/campaigns/{segment}").as_str(),
        )
        .with_status(200)
        .with_body(json!({"id": odd, "status": "draft"}).to_string())
        .expect(1)
        .create_async()
        .await;
        let campaign = v2(&server.url()).get_campaign(&cmp(odd)).await.unwrap();
        assert_eq!(campaign.id.as_str(), odd);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn reads_are_retried_and_feature_off_is_not() {
    let mut server = Server::new_async().await;
    let flaky = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_1")
        .with_status(502)
        .expect(2)
        .create_async()
        .await;
    let ok = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_1")
        .with_status(200)
        .with_body(v2_campaign("cmp_1", "play"))
        .expect(1)
        .create_async()
        .await;
    let campaign = v2(&server.url()).get_campaign(&cmp("cmp_1")).await.unwrap();
    assert_eq!(campaign.status, CampaignStatus::Play);
    flaky.assert_async().await;
    ok.assert_async().await;

    let mut server = Server::new_async().await;
    let off = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_1")
        .with_status(503)
        .with_body(v2_error("campaigns_unavailable", "not enabled"))
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url())
        .get_campaign(&cmp("cmp_1"))
        .await
        .unwrap_err();
    assert_eq!(err.provider_code(), Some("campaigns_unavailable"));
    assert!(!err.is_retryable());
    assert_eq!(err.attempts(), 1);
    off.assert_async().await;

    let mut server = Server::new_async().await;
    let missing = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_9")
        .with_status(404)
        .with_body(v2_error("not_found", "campaign not found"))
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url())
        .get_campaign(&cmp("cmp_9"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    missing.assert_async().await;
}

#[tokio::test]
async fn list_campaigns_walks_pages_lazily() {
    let mut server = Server::new_async().await;
    let campaign =
        |id: &str| json!({"id": id, "object": "campaign", "status": "play", "budget_paise": null});
    let first = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns")
        .match_query(Matcher::UrlEncoded("limit".into(), "2".into()))
        .with_status(200)
        .with_body(v2_page(
            vec![campaign("cmp_3"), campaign("cmp_2")],
            Some("cmp_cur_a"),
        ))
        .expect(1)
        .create_async()
        .await;
    let second = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "2".into()),
            Matcher::UrlEncoded("cursor".into(), "cmp_cur_a".into()),
        ]))
        .with_status(200)
        .with_body(v2_page(vec![campaign("cmp_1")], None))
        .expect(1)
        .create_async()
        .await;
    let client = v2(&server.url());
    let campaigns: Vec<_> = client
        .list_campaigns(ListCampaigns::new().limit(2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = campaigns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["cmp_3", "cmp_2", "cmp_1"]);
    assert!(campaigns[0].counters.is_empty());
    assert_eq!(campaigns[0].budget_paise, None);
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn list_campaigns_stops_at_a_repeated_cursor() {
    let mut server = Server::new_async().await;
    let first = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns")
        .match_query(Matcher::Missing)
        .with_status(200)
        .with_body(v2_page(
            vec![json!({"id": "cmp_2", "status": "play"})],
            Some("c1"),
        ))
        .expect(1)
        .create_async()
        .await;
    let looping = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns")
        .match_query(Matcher::UrlEncoded("cursor".into(), "c1".into()))
        .with_status(200)
        .with_body(v2_page(
            vec![json!({"id": "cmp_1", "status": "draft"})],
            Some("c1"),
        ))
        .expect(1)
        .create_async()
        .await;
    let results: Vec<_> = v2(&server.url())
        .list_campaigns(ListCampaigns::new())
        .collect()
        .await;
    // The page that repeats a cursor is not trusted: its items are dropped with the error, as for calls.
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id.as_str(), "cmp_2");
    assert_eq!(results[1].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    first.assert_async().await;
    looping.assert_async().await;
}

#[tokio::test]
async fn update_patches_only_what_is_set_and_is_retried() {
    let mut server = Server::new_async().await;
    let body = json!({"budget_paise": 120000, "max_concurrent": 4, "end_date": "2026-10-11",
                      "slots": [{"start": "09:30", "end": "17:00"}]});
    let flaky = v2_json_mock(&mut server, "PATCH", "/v2/campaigns/cmp_1", body.clone())
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let ok = v2_json_mock(&mut server, "PATCH", "/v2/campaigns/cmp_1", body)
        .with_status(200)
        .with_body(v2_campaign("cmp_1", "paused"))
        .expect(1)
        .create_async()
        .await;
    let update = UpdateCampaign::new()
        .budget_paise(120_000)
        .max_concurrent(4)
        .end_date("2026-10-11".parse().unwrap())
        .slots([Slot::parse("09:30", "17:00").unwrap()]);
    let campaign = v2(&server.url())
        .update_campaign(&cmp("cmp_1"), &update)
        .await
        .unwrap();
    assert_eq!(campaign.status, CampaignStatus::Paused);
    flaky.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn update_of_a_running_campaign_is_a_conflict() {
    let mut server = Server::new_async().await;
    let mock = v2_json_mock(
        &mut server,
        "PATCH",
        "/v2/campaigns/cmp_1",
        json!({"name": "New"}),
    )
    .with_status(409)
    .with_body(v2_error("conflict", "campaign is play; pause it first"))
    .expect(1)
    .create_async()
    .await;
    let err = v2(&server.url())
        .update_campaign(&cmp("cmp_1"), &UpdateCampaign::new().name("New"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.provider_code(), Some("conflict"));
    assert!(!err.is_retryable());
    mock.assert_async().await;
}

fn contacts_body() -> serde_json::Value {
    json!({"contacts": [
        {"id": "cust-2001", "phone": "+919812345678", "variables": {"customer_name": "Vikram Rao", "order_id": "AC-88224"}},
        {"phone": "+919833221100"}
    ]})
}

fn contacts() -> Vec<NewContact> {
    vec![
        NewContact::new(phone("+919812345678"))
            .id("cust-2001")
            .variable("customer_name", "Vikram Rao")
            .variable("order_id", "AC-88224"),
        NewContact::new(phone("+919833221100")),
    ]
}

#[tokio::test]
async fn add_contacts_sends_the_rows_and_is_retried_because_mirai_deduplicates() {
    let mut server = Server::new_async().await;
    let flaky = v2_json_mock(
        &mut server,
        "POST",
        "/v2/campaigns/cmp_1/contacts",
        contacts_body(),
    )
    .with_status(502)
    .expect(2)
    .create_async()
    .await;
    let ok = v2_json_mock(
        &mut server,
        "POST",
        "/v2/campaigns/cmp_1/contacts",
        contacts_body(),
    )
    .with_status(200)
    .with_body(
        json!({"id": "cmp_1", "object": "campaign", "status": "play", "contacts_accepted": 1,
                   "contacts_duplicate": 1, "contacts_rejected": []})
        .to_string(),
    )
    .expect(1)
    .create_async()
    .await;
    let added = v2(&server.url())
        .add_contacts(&cmp("cmp_1"), &contacts())
        .await
        .unwrap();
    assert_eq!(added.campaign_id.as_str(), "cmp_1");
    assert_eq!(added.status, CampaignStatus::Play);
    assert_eq!((added.contacts.accepted, added.contacts.duplicate), (1, 1));
    assert!(added.contacts.rejected.is_empty());
    assert_eq!(added.attempts, 3);
    flaky.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn contacts_to_a_stopped_campaign_are_a_conflict() {
    let mut server = Server::new_async().await;
    let mock = v2_json_mock(
        &mut server,
        "POST",
        "/v2/campaigns/cmp_1/contacts",
        contacts_body(),
    )
    .with_status(409)
    .with_body(v2_error("conflict", "campaign is stopped"))
    .expect(1)
    .create_async()
    .await;
    let err = v2(&server.url())
        .add_contacts(&cmp("cmp_1"), &contacts())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.attempts(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn list_contacts_filters_by_status_over_pages() {
    let mut server = Server::new_async().await;
    let contact = |id: &str| {
        json!({"id": id, "phone": "+919876543211", "status": "exhausted", "attempts": 2,
               "variables": {"customer_name": "Anita Desai"}, "last_call_id": "call_01K7QB4M8N3P6R2S5T7V9W1YA",
               "last_status": "no_answer", "eligible_at": "2026-08-11T11:19:02Z", "updated_at": "2026-08-11T11:34:10Z"})
    };
    let first = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_1/contacts")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("status".into(), "exhausted".into()),
            Matcher::UrlEncoded("limit".into(), "100".into()),
        ]))
        .with_status(200)
        .with_body(v2_page(
            vec![contact("cust-1"), contact("cust-2")],
            Some("next_1"),
        ))
        .expect(1)
        .create_async()
        .await;
    let second = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_1/contacts")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("status".into(), "exhausted".into()),
            Matcher::UrlEncoded("limit".into(), "100".into()),
            Matcher::UrlEncoded("cursor".into(), "next_1".into()),
        ]))
        .with_status(200)
        .with_body(v2_page(vec![contact("cust-3")], None))
        .expect(1)
        .create_async()
        .await;
    let contacts: Vec<_> = v2(&server.url())
        .list_contacts(
            &cmp("cmp_1"),
            ListContacts::new()
                .status(ContactStatus::Exhausted)
                .limit(100),
        )
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = contacts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["cust-1", "cust-2", "cust-3"]);
    assert_eq!(contacts[0].status, ContactStatus::Exhausted);
    assert_eq!(contacts[0].attempts, Some(2));
    assert_eq!(contacts[0].last_status, Some(MiraiV2CallStatus::NoAnswer));
    assert_eq!(
        contacts[0].last_call_id.as_ref().unwrap().as_str(),
        "call_01K7QB4M8N3P6R2S5T7V9W1YA"
    );
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn the_json_report_is_read_in_paise() {
    let mut server = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut server, "GET", "/v2/campaigns/cmp_1/report")
        .match_query(Matcher::Missing)
        .with_status(200)
        .with_body(
            json!({"campaign_id": "cmp_1", "status": "completed",
                   "counters": {"completed": 174, "voicemail": 12, "no_answer": 9, "exhausted": 21, "suppressed": 3},
                   "contacts": 219, "dialed": 216, "attempts": 251, "connected": 186,
                   "spent_paise": 60300, "spent_inr": 603, "budget_paise": 120000})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let report = v2(&server.url())
        .campaign_report(&cmp("cmp_1"))
        .await
        .unwrap();
    assert_eq!(report.campaign_id.as_str(), "cmp_1");
    assert_eq!(report.status, CampaignStatus::Completed);
    assert_eq!(
        (
            report.contacts,
            report.dialed,
            report.attempts,
            report.connected
        ),
        (219, 216, 251, 186)
    );
    assert_eq!(report.spent_paise, 60_300);
    assert_eq!(report.budget_paise, Some(120_000));
    assert_eq!(report.count(&ContactStatus::Suppressed), 3);
    mock.assert_async().await;
}

fn csv_mock(server: &mut mockito::ServerGuard) -> mockito::Mock {
    server
        .mock("GET", "/v2/campaigns/cmp_1/report")
        .match_query(Matcher::UrlEncoded("format".into(), "csv".into()))
        .match_header("authorization", format!("Bearer {API_KEY}").as_str())
        .match_header("accept", "text/csv, application/json;q=0.1")
        .match_body(Matcher::Missing)
}

/// A writer that records how many writes it got.
#[derive(Default)]
struct CountingWriter {
    bytes: Vec<u8>,
    writes: usize,
}

impl AsyncWrite for CountingWriter {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.writes += 1;
        self.bytes.extend_from_slice(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn the_csv_report_is_streamed_in_chunks_never_buffered_whole() {
    let mut server = Server::new_async().await;
    // Larger than the 16 MiB cap on bodies read whole: only a stream gets it through.
    let mut csv = String::from("id,phone,status,attempts,last_call_id\n");
    let mut i = 0u64;
    while csv.len() <= 17 * 1024 * 1024 {
        csv.push_str(&format!("cust-{i},+9198{i:08},completed,1,call_{i:026}\n"));
        i += 1;
    }
    let served = csv.clone().into_bytes();
    let mock = csv_mock(&mut server)
        .with_status(200)
        .with_header("content-type", "text/csv")
        .with_chunked_body(move |w| {
            for part in served.chunks(64 * 1024) {
                w.write_all(part)?;
            }
            Ok(())
        })
        .expect(1)
        .create_async()
        .await;
    let mut out = CountingWriter::default();
    let written = v2(&server.url())
        .campaign_report_csv(&cmp("cmp_1"), &mut out)
        .await
        .unwrap();
    assert_eq!(written, csv.len() as u64);
    assert!(out.bytes == csv.as_bytes());
    assert!(out.writes > 1, "{} writes", out.writes);
    mock.assert_async().await;
}

#[tokio::test]
async fn the_csv_report_maps_refusals_and_refuses_json() {
    let mut server = Server::new_async().await;
    let missing = csv_mock(&mut server)
        .with_status(404)
        .with_body(v2_error("not_found", "campaign not found"))
        .expect(1)
        .create_async()
        .await;
    let mut out = Vec::new();
    let err = v2(&server.url())
        .campaign_report_csv(&cmp("cmp_1"), &mut out)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    missing.assert_async().await;

    let mut server = Server::new_async().await;
    let json_answer = csv_mock(&mut server)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"campaign_id":"cmp_1"}"#)
        .expect(1)
        .create_async()
        .await;
    let err = v2(&server.url())
        .campaign_report_csv(&cmp("cmp_1"), &mut out)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(out.is_empty());
    json_answer.assert_async().await;
}

#[tokio::test]
async fn campaign_requests_carry_the_key_and_nothing_legacy() {
    // Every campaign mock above matches the Bearer key through `v2_mock`; this checks one request's exact headers.
    let mut server = Server::new_async().await;
    let mock = v2_mock(&mut server, "GET", "/v2/campaigns/cmp_1")
        .match_header("x-public-key", Matcher::Missing)
        .match_header("workspace", Matcher::Missing)
        .with_status(200)
        .with_body(v2_campaign("cmp_1", "draft"))
        .expect(1)
        .create_async()
        .await;
    v2(&server.url()).get_campaign(&cmp("cmp_1")).await.unwrap();
    mock.assert_async().await;
}
