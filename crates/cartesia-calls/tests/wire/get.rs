//! Get Call: the request, every field of the record, and every failure mode.

use std::time::Duration;

use cartesia_calls::{
    CallState, CartesiaCallStatus, ConnectionType, EndReason, ErrorKind, Region,
    TelephonyAccountType, TranscriptRole,
};
use mockito::Server;

use crate::support::{
    ODD_IDS, RawServer, assert_error_has_no_key, call_json, check_error_statuses, client,
    client_with, fast_retry, id, impatient_retry, json_mock, retried_cases,
};

const FULL_CALL: &str = r#"{
  "id": "ac_1",
  "agent_id": "agent_1",
  "agent_name": "Customer support",
  "status": "completed",
  "zdr_enabled": false,
  "start_time": "2026-03-01T12:00:00Z",
  "end_time": "2026-03-01T12:05:00.250Z",
  "redacted_at": null,
  "transcript": [
    {"role": "assistant", "start_timestamp": 0.5, "end_timestamp": 1.75, "text": "Hello!",
     "text_chunks": [{"text": "Hello!", "start_timestamp": 0.5}], "end_reason": "tts_completed",
     "vad_buffer_ms": 300, "stt_ttfb": null, "tts_ttfb": 0.21,
     "tool_calls": [{"id": "tc_1", "name": "lookup", "arguments": {"n": 1, "s": "x"}, "result": "ok"}]},
    {"role": "user", "start_timestamp": 2.0, "end_timestamp": 3.0, "text": "Hi", "stt_ttfb": 0.1},
    {"role": "system", "start_timestamp": 3.0, "end_timestamp": 3.0,
     "log_event": {"event": "transfer", "metadata": {"to": "sales"}, "timestamp": 3.0},
     "log_metric": {"name": "latency", "value": 0.42, "timestamp": 3.0}},
    {"role": "narrator", "start_timestamp": 4.0, "end_timestamp": 4.0}
  ],
  "telephony_params": {"to": "+14155550100", "from": "+14155550101", "call_sid": "sid_1",
    "direction": "outbound", "parameters": {"p": "1"}, "headers": {"X-H": "v"}, "connection_type": "phone"},
  "telephony_account_type": "twilio",
  "summary": "A short call.",
  "error_message": null,
  "end_reason": "agent_hangup",
  "deployment_id": "ad_1",
  "deployment_version_id": "av_1",
  "deployment_region": "EU",
  "metadata": {"customer_id": "cus_42", "n": 7},
  "a_field_from_the_future": [1, 2, 3]
}"#;

#[tokio::test]
async fn get_sends_the_documented_request_and_decodes_every_field() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(FULL_CALL)
        .expect(1)
        .create_async()
        .await;
    let call = client(&server.url()).get_call(&id("ac_1")).await.unwrap();
    mock.assert_async().await;

    assert_eq!(call.id.as_str(), "ac_1");
    assert_eq!(call.agent_id, "agent_1");
    assert_eq!(call.agent_name.as_deref(), Some("Customer support"));
    assert_eq!(call.status, CartesiaCallStatus::Completed);
    assert_eq!(call.state(), CallState::Ended);
    assert_eq!(call.zdr_enabled, Some(false));
    assert_eq!(call.start_time.unwrap().as_unix_seconds(), 1_772_366_400);
    assert_eq!(call.end_time.unwrap().as_unix_millis(), 1_772_366_700_250);
    assert_eq!(call.redacted_at, None);
    assert_eq!(call.end_reason, Some(EndReason::AgentHangup));
    assert_eq!(
        call.telephony_account_type,
        Some(TelephonyAccountType::Twilio)
    );
    assert_eq!(call.deployment_region, Some(Region::Eu));
    assert_eq!(call.deployment_id.as_deref(), Some("ad_1"));
    assert_eq!(call.deployment_version_id.as_deref(), Some("av_1"));
    assert_eq!(call.summary.as_deref(), Some("A short call."));
    assert_eq!(call.error_message, None);
    assert_eq!(call.metadata.as_ref().unwrap()["customer_id"], "cus_42");

    let telephony = call.telephony_params.as_ref().unwrap();
    assert_eq!(telephony.to.as_deref(), Some("+14155550100"));
    assert_eq!(telephony.from.as_deref(), Some("+14155550101"));
    assert_eq!(telephony.call_sid.as_deref(), Some("sid_1"));
    assert_eq!(telephony.direction.as_deref(), Some("outbound"));
    assert_eq!(telephony.connection_type, Some(ConnectionType::Phone));
    assert_eq!(telephony.parameters.as_ref().unwrap()["p"], "1");
    assert_eq!(telephony.headers.as_ref().unwrap()["X-H"], "v");

    let transcript = call.transcript.as_ref().unwrap();
    assert_eq!(transcript.len(), 4);
    let hello = &transcript[0];
    assert_eq!(hello.role, TranscriptRole::Assistant);
    assert_eq!(hello.text.as_deref(), Some("Hello!"));
    assert_eq!(hello.end_timestamp, 1.75);
    assert_eq!(hello.text_chunks.as_ref().unwrap()[0].text, "Hello!");
    assert_eq!(hello.end_reason.as_deref(), Some("tts_completed"));
    assert_eq!(hello.vad_buffer_ms, Some(300));
    assert_eq!(hello.tts_ttfb, Some(0.21));
    let tool = &hello.tool_calls.as_ref().unwrap()[0];
    assert_eq!(
        (tool.id.as_deref(), tool.name.as_str()),
        (Some("tc_1"), "lookup")
    );
    assert_eq!(tool.arguments["n"], 1);
    assert_eq!(tool.result.as_deref(), Some("ok"));
    assert_eq!(transcript[1].stt_ttfb, Some(0.1));
    let system = &transcript[2];
    assert_eq!(system.log_event.as_ref().unwrap().event, "transfer");
    assert_eq!(system.log_metric.as_ref().unwrap().value, 0.42);
    assert_eq!(
        transcript[3].role,
        TranscriptRole::Unknown("narrator".into())
    );
}

#[tokio::test]
async fn get_decodes_the_older_shape_and_unknown_values() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (status, expected, state) in [
        ("active", CartesiaCallStatus::Active, CallState::Active),
        ("cancelled", CartesiaCallStatus::Cancelled, CallState::Ended),
        ("created", CartesiaCallStatus::Created, CallState::Queued),
        ("started", CartesiaCallStatus::Started, CallState::Active),
        ("failed", CartesiaCallStatus::Failed, CallState::Ended),
        (
            "paused",
            CartesiaCallStatus::Unknown("paused".into()),
            CallState::Unknown,
        ),
    ] {
        server.reset();
        let body = serde_json::json!({
            "id": "ac_1", "agent_id": "agent_1", "status": status,
            "telephony_params": {"to": "+14155550100", "from": "+14155550101"},
            "end_reason": "satellite_lost", "summary": null, "deployment_id": null,
        });
        let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
            .with_body(body.to_string())
            .expect(1)
            .create_async()
            .await;
        let call = client.get_call(&id("ac_1")).await.unwrap();
        assert_eq!(call.status, expected);
        assert_eq!(call.state(), state);
        assert_eq!(
            call.end_reason,
            Some(EndReason::Unknown("satellite_lost".into()))
        );
        assert_eq!(call.transcript, None);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn redacted_at_and_deleted_fields_accept_omitted_null_and_set() {
    let bodies = [
        (r#"{"id":"ac_1","agent_id":"a","status":"completed"}"#, None),
        (
            r#"{"id":"ac_1","agent_id":"a","status":"completed","redacted_at":null,"transcript":null,
               "telephony_params":null,"metadata":null,"summary":null}"#,
            None,
        ),
        (
            r#"{"id":"ac_1","agent_id":"a","status":"completed","redacted_at":"2026-03-01T12:30:00Z",
               "telephony_params":{"call_sid":"sid_1","connection_type":"websocket"}}"#,
            Some(1_772_368_200),
        ),
    ];
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (body, redacted_at) in bodies {
        server.reset();
        let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let call = client.get_call(&id("ac_1")).await.unwrap();
        assert_eq!(call.redacted_at.map(|t| t.as_unix_seconds()), redacted_at);
        assert_eq!(call.transcript, None);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn get_maps_every_error_status() {
    check_error_statuses(
        &retried_cases(),
        |server| json_mock(server, "GET", "/agents/calls/ac_1"),
        |client| async move { client.get_call(&id("ac_1")).await },
    )
    .await;
}

#[tokio::test]
async fn a_plain_text_error_body_is_quoted() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_status(404)
        .with_body("Not Found: Call not found")
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.provider_message(), Some("Not Found: Call not found"));
    assert_eq!(err.provider_code(), None);
    assert_eq!(err.call_id().map(|c| c.as_str()), Some("ac_1"));
    mock.assert_async().await;
}

#[tokio::test]
async fn a_429_with_retry_after_zero_is_retried_at_once() {
    let mut server = Server::new_async().await;
    let limited = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let ok = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_body(call_json("ac_1", "started", None))
        .expect(1)
        .create_async()
        .await;
    let call = client(&server.url()).get_call(&id("ac_1")).await.unwrap();
    assert_eq!(call.status, CartesiaCallStatus::Started);
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_returns_rate_limited_at_once() {
    let mut server = Server::new_async().await;
    let limited = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_status(429)
        .with_header("retry-after", "60")
        .expect(1)
        .create_async()
        .await;
    let started = std::time::Instant::now();
    let err = client(&server.url())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert!(err.is_retryable());
    limited.assert_async().await;
}

#[tokio::test]
async fn a_502_twice_then_200_succeeds() {
    let mut server = Server::new_async().await;
    let failing = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_status(502)
        .expect(2)
        .create_async()
        .await;
    let ok = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_body(call_json("ac_1", "completed", Some("api_cancelled")))
        .expect(1)
        .create_async()
        .await;
    let call = client(&server.url()).get_call(&id("ac_1")).await.unwrap();
    assert!(call.was_cancelled_by_api());
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_malformed_or_wrong_shaped_200_is_a_decode_error_not_retried() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        "not json",
        "",
        "[]",
        r#"{"id":"ac_1"}"#,
        r#"{"id":"ac_1","agent_id":"a","status":7}"#,
        r#"{"id":"ac_1","agent_id":"a","status":"started","start_time":"yesterday"}"#,
        r#"{"id":"","agent_id":"a","status":"started"}"#,
    ] {
        server.reset();
        let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = client.get_call(&id("ac_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(err.status(), Some(200));
        mock.assert_async().await;
    }
}

/// Everything an error shows: its `Display` and `Debug`, and its sources'.
fn everything_shown(err: &cartesia_calls::Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

#[tokio::test]
async fn a_decode_error_names_the_shape_and_quotes_nothing_of_the_record() {
    // A call record holds phone numbers and what was said: neither may reach an error, whatever field is wrong.
    const PHONE: &str = "+14155550100";
    const SAID: &str = "my card number is 4242";
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for body in [
        // A phone number where a number is expected: serde would quote the string.
        format!(r#"{{"id":"ac_1","agent_id":"{PHONE}","status":7}}"#),
        format!(
            r#"{{"id":"ac_1","agent_id":"a","status":"completed","telephony_params":{{"to":"{PHONE}"}},"transcript":[{{"role":"user","text":"{SAID}","start_timestamp":"{PHONE}"}}]}}"#
        ),
        format!(
            r#"{{"id":"ac_1","agent_id":"a","status":"completed","transcript":"{SAID} {PHONE}"}}"#
        ),
        format!("{SAID} {PHONE}"),
    ] {
        server.reset();
        let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
            .with_body(&body)
            .expect(1)
            .create_async()
            .await;
        let err = client.get_call(&id("ac_1")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(err.provider_message(), None);
        let shown = everything_shown(&err);
        assert!(!shown.contains(PHONE), "{shown}");
        assert!(!shown.contains("4242"), "{shown}");
        assert!(!shown.contains("card number"), "{shown}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_200_to_cancel_that_does_not_confirm_quotes_nothing_of_it() {
    let mut server = Server::new_async().await;
    let mock = json_mock(&mut server, "POST", "/agents/calls/ac_1/cancel")
        .with_body(r#"{"cancelled":"+14155550100","note":"my card number is 4242"}"#)
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .cancel_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let shown = everything_shown(&err);
    assert!(!shown.contains("+14155550100"), "{shown}");
    assert!(!shown.contains("4242"), "{shown}");
    mock.assert_async().await;
}

#[tokio::test]
async fn a_huge_error_body_is_capped_and_quoted() {
    let mut server = Server::new_async().await;
    let body = "y".repeat(4 * 1024 * 1024);
    let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_status(404)
        .with_chunked_body(move |w| w.write_all(body.as_bytes()))
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().len() < 1_000);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_huge_success_body_is_refused_not_buffered() {
    let mut server = Server::new_async().await;
    // 17 MiB of a string field: over the 16 MiB cap on success bodies.
    let filler = "z".repeat(17 * 1024 * 1024);
    let mock = json_mock(&mut server, "GET", "/agents/calls/ac_1")
        .with_chunked_body(move |w| {
            w.write_all(br#"{"id":"ac_1","agent_id":"a","status":"completed","summary":""#)?;
            w.write_all(filler.as_bytes())?;
            w.write_all(br#""}"#)
        })
        .expect(1)
        .create_async()
        .await;
    let err = client(&server.url())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_hanging_server_times_out_after_every_attempt() {
    let server = RawServer::hanging().await;
    let err = client_with(&server.url, impatient_retry())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_timeout());
    assert!(err.request_may_have_been_sent());
    assert_eq!(server.count("GET /agents/calls/ac_1 "), 3);
    assert_error_has_no_key(&err);
}

#[tokio::test]
async fn a_reset_connection_is_retried_then_reported() {
    let server = RawServer::resetting().await;
    let err = client(&server.url).get_call(&id("ac_1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.request_may_have_been_sent());
    assert_eq!(server.count("GET /agents/calls/ac_1 "), 3);
    assert_error_has_no_key(&err);
}

#[tokio::test]
async fn a_refused_connection_is_not_sent() {
    let url = crate::support::closed_port_url().await;
    let err = client_with(&url, fast_retry())
        .get_call(&id("ac_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.request_may_have_been_sent());
}

#[tokio::test]
async fn odd_ids_are_one_percent_encoded_segment() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (raw, segment) in ODD_IDS {
        server.reset();
        let mock = json_mock(
            &mut server,
            "GET",
            format!("/agents/calls/{segment}").as_str(),
        )
        .with_body(call_json(raw, "completed", None))
        .expect(1)
        .create_async()
        .await;
        let call = client.get_call(&id(raw)).await.unwrap();
        assert_eq!(call.id.as_str(), *raw);
        mock.assert_async().await;
    }
}
