//! New-API webhooks: the docs' test vector, the replay window, rotation, every event type, and the unknown.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use mirai_calls::ErrorKind;
use mirai_calls::v2::{
    CampaignStatus, ContactStatus, EventTranscriptStatus, EventType, MiraiV2CallStatus,
    PauseReason, StepStatus, WebhookEvent, WebhookVerifier,
};
use serde_json::json;
use sha2::Sha256;

use crate::support::assert_no_key;

/// The docs' test vector: secret, raw body (177 bytes), header.
const SECRET: &str = "whsec_7d4f1a09c2e58b36a1f0d7c93b2e64a8";
const BODY: &[u8] = br#"{"id":"evt_01JZQ9C5N9P4R7S3T6V8W2X4YB","type":"call.completed","created_at":"2026-07-26T09:16:38Z","data":{"call":{"id":"call_01JZQ9B4M8N3P6R2S5T7V9W1YA","status":"completed"}}}"#;
const HEADER: &str =
    "t=1785057398,v1=771bca27e1647dfbe59ff5d8f32d9de69be246f6e604c05bddcbaefd8604ccb3";
const T: u64 = 1_785_057_398;
/// HMAC over the body alone (no `t.` prefix): must not verify.
const BODY_ONLY_V1: &str = "0e5106a262634789f930edaab6029f55766d6597788e01a3153720701b8aa47e";

fn at(secs: u64) -> impl Fn() -> SystemTime + Send + Sync + 'static {
    move || SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

fn verifier_at(secs: u64) -> WebhookVerifier {
    WebhookVerifier::new(SECRET).with_clock(at(secs))
}

fn sign(secret: &str, t: u64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn the_docs_test_vector_verifies() {
    assert_eq!(BODY.len(), 177);
    let event = verifier_at(T).verify_event(HEADER, BODY).unwrap();
    assert_eq!(event.id, "evt_01JZQ9C5N9P4R7S3T6V8W2X4YB");
    assert_eq!(event.event_type, EventType::CallCompleted);
    assert_eq!(event.created_at.unwrap().as_unix_seconds(), T as i64);
    let call = event.data.call.as_ref().unwrap();
    assert_eq!(call.id.as_str(), "call_01JZQ9B4M8N3P6R2S5T7V9W1YA");
    assert_eq!(call.status, MiraiV2CallStatus::Completed);
}

#[test]
fn the_negative_vectors_are_refused() {
    let verifier = verifier_at(T);
    let body_only = format!("t={T},v1={BODY_ONLY_V1}");
    let mut one_byte_off = BODY.to_vec();
    one_byte_off[20] = b'X';
    let cases: [(String, &[u8]); 7] = [
        (body_only, BODY),
        (HEADER.to_owned(), &one_byte_off),
        (HEADER.replace("t=1785057398", "t=1785057399"), BODY),
        (HEADER.replace("v1=771b", "v1=771c"), BODY),
        (String::new(), BODY),
        (format!("t={T}"), BODY),
        (
            "v1=771bca27e1647dfbe59ff5d8f32d9de69be246f6e604c05bddcbaefd8604ccb3".to_owned(),
            BODY,
        ),
    ];
    for (header, body) in cases {
        let err = verifier.verify(&header, body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{header}");
    }
    let err = WebhookVerifier::new("whsec_other")
        .with_clock(at(T))
        .verify(HEADER, BODY)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    let err = verifier.verify("t=soon,v1=771b", BODY).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[test]
fn the_window_is_300_seconds_either_way() {
    for now in [T, T + 300, T - 300] {
        assert!(verifier_at(now).verify(HEADER, BODY).is_ok(), "{now}");
    }
    for now in [T + 301, T - 301, T + 86_400] {
        let err = verifier_at(now).verify(HEADER, BODY).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{now}");
    }
    let lenient = WebhookVerifier::new(SECRET)
        .with_clock(at(T + 600))
        .with_tolerance(Duration::from_secs(900));
    assert!(lenient.verify(HEADER, BODY).is_ok());
    assert_eq!(lenient.tolerance(), Duration::from_secs(900));
    let err = verifier_at(T).verify("t=-5,v1=00", BODY).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[test]
fn rotation_accepts_either_secret_and_several_v1() {
    let rotating = WebhookVerifier::new("whsec_new")
        .with_secret(SECRET)
        .with_clock(at(T));
    assert!(rotating.verify(HEADER, BODY).is_ok());
    let both = format!("{},v1=00ff", sign("whsec_new", T, BODY));
    assert!(rotating.verify(&both, BODY).is_ok());
    let spaced =
        " t = 1785057398 , v1 = 771bca27e1647dfbe59ff5d8f32d9de69be246f6e604c05bddcbaefd8604ccb3 ";
    assert!(verifier_at(T).verify(spaced, BODY).is_ok());
}

#[test]
fn a_replayed_delivery_verifies_again_and_shows_the_same_id() {
    // The verifier is stateless: deduplication is the handler's, on `id`.
    let verifier = verifier_at(T);
    let first = verifier.verify_event(HEADER, BODY).unwrap();
    let replay = verifier.verify_event(HEADER, BODY).unwrap();
    assert_eq!(first.id, replay.id);
    // A DLQ replay: the same body, a fresh `t` and `v1`.
    let later = T + 3_600;
    let replayed = WebhookVerifier::new(SECRET)
        .with_clock(at(later))
        .verify_event(&sign(SECRET, later, BODY), BODY)
        .unwrap();
    assert_eq!(replayed.id, first.id);
    // The old header is stale by then.
    let err = WebhookVerifier::new(SECRET)
        .with_clock(at(later))
        .verify(HEADER, BODY)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[test]
fn secrets_are_never_printed() {
    let verifier = WebhookVerifier::new("whsec_canary_44dd").with_secret("whsec_canary_55ee");
    let text = format!("{verifier:?}");
    assert_no_key(&text);
    let err = verifier.verify(HEADER, BODY).unwrap_err();
    assert_no_key(&format!("{err} {err:?}"));
    let err = WebhookVerifier::new("  ").verify(HEADER, BODY).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

fn event_body(event_type: &str, data: serde_json::Value) -> Vec<u8> {
    json!({"id": "evt_1", "type": event_type, "created_at": "2026-07-26T09:16:38Z", "data": data})
        .to_string()
        .into_bytes()
}

#[test]
fn every_call_event_type_decodes() {
    let cases = [
        ("call.queued", "queued", EventType::CallQueued, false),
        ("call.started", "in_progress", EventType::CallStarted, false),
        (
            "call.completed",
            "completed",
            EventType::CallCompleted,
            true,
        ),
        (
            "call.voicemail",
            "voicemail",
            EventType::CallVoicemail,
            true,
        ),
        ("call.failed", "no_answer", EventType::CallFailed, true),
        ("call.failed", "timeout", EventType::CallFailed, true),
        ("call.aborted", "aborted", EventType::CallAborted, true),
    ];
    for (raw, status, expected, terminal) in cases {
        let body = event_body(
            raw,
            json!({"call": {"id": "call_1", "status": status, "cost_inr": null, "metadata": {"order": "8842"},
                            "cost": {"amount_inr": 0, "per_min_inr": 6.0}}}),
        );
        let signed = sign(SECRET, T, &body);
        let event = verifier_at(T).verify_event(&signed, &body).unwrap();
        assert_eq!(event.event_type, expected);
        assert_eq!(event.event_type.is_terminal(), terminal, "{raw}");
        assert_eq!(event.call_id().unwrap().as_str(), "call_1");
        let call = event.data.call.as_ref().unwrap();
        assert_eq!(call.status.as_str(), status);
        assert_eq!(call.metadata.as_ref().unwrap()["order"], "8842");
        assert_eq!(call.cost.as_ref().unwrap().per_min_inr, Some(6.0));
    }
}

#[test]
fn call_processed_carries_processing_and_transcript() {
    let body = event_body(
        "call.processed",
        json!({
            "call": {"id": "call_1", "status": "completed", "flow": {"final_node": "end", "nodes_visited": ["a", "end"],
                     "variables": {"x": 1}, "status": "end_call", "tags": ["vip"]}},
            "processing": {"transcript": "done", "analysis": "failed", "post_call_tools": "partial", "version": 2},
            "transcript": {"status": "ready", "turns": [{"role": "assistant", "text": "Hi", "start_ms": 0, "end_ms": 500}]}
        }),
    );
    let event = WebhookEvent::from_slice(&body).unwrap();
    assert_eq!(event.event_type, EventType::CallProcessed);
    let processing = event.data.processing.as_ref().unwrap();
    assert_eq!(processing.transcript, Some(StepStatus::Done));
    assert_eq!(processing.analysis, Some(StepStatus::Failed));
    assert_eq!(processing.post_call_tools, Some(StepStatus::Partial));
    assert_eq!(processing.version, Some(2));
    let transcript = event.data.transcript.as_ref().unwrap();
    assert_eq!(transcript.status, EventTranscriptStatus::Ready);
    assert_eq!(transcript.turns.as_ref().unwrap().len(), 1);
    let flow = event.data.call.as_ref().unwrap().flow.as_ref().unwrap();
    assert_eq!(flow.nodes_visited, ["a", "end"]);
    assert_eq!(flow.tags, ["vip"]);

    let big = event_body(
        "call.processed",
        json!({"call": {"id": "call_1", "status": "completed"},
                                            "transcript": {"status": "fetch_required"}}),
    );
    let event = WebhookEvent::from_slice(&big).unwrap();
    assert_eq!(
        event.data.transcript.unwrap().status,
        EventTranscriptStatus::FetchRequired
    );
}

#[test]
fn every_campaign_event_type_decodes() {
    let cases = [
        ("campaign.started", "play", EventType::CampaignStarted),
        ("campaign.paused", "paused", EventType::CampaignPaused),
        ("campaign.resumed", "play", EventType::CampaignResumed),
        (
            "campaign.completed",
            "completed",
            EventType::CampaignCompleted,
        ),
        ("campaign.stopped", "stopped", EventType::CampaignStopped),
    ];
    for (raw, status, expected) in cases {
        let body = event_body(
            raw,
            json!({"campaign": {"id": "cmp_1", "object": "campaign", "name": "July COD", "status": status,
                                "pause_reason": "insufficient_balance", "counters": {"pending": 812, "completed": 174},
                                "dialed": 216}}),
        );
        let event = WebhookEvent::from_slice(&body).unwrap();
        assert_eq!(event.event_type, expected);
        assert!(!event.event_type.is_terminal());
        assert_eq!(event.call_id(), None);
        let campaign = event.data.campaign.as_ref().unwrap();
        assert_eq!(campaign.id.as_str(), "cmp_1");
        assert_eq!(campaign.status, CampaignStatus::parse(status));
        assert_eq!(campaign.count(&ContactStatus::Pending), 812);
        assert_eq!(campaign.dialed, Some(216));
        assert_eq!(
            campaign.pause_reason,
            Some(PauseReason::InsufficientBalance)
        );
        assert_eq!(campaign.object.as_deref(), Some("campaign"));
    }
}

#[test]
fn unknown_types_and_fields_are_kept() {
    let body = event_body("agent.updated", json!({"agent": {"id": "agt_1"}}));
    let event = WebhookEvent::from_slice(&body).unwrap();
    assert_eq!(event.event_type, EventType::Unknown("agent.updated".into()));
    assert_eq!(event.data.extra["agent"]["id"], "agt_1");

    let body = br#"{"id":"evt_2","type":"call.started","data":{"call":{"id":"call_1","status":"ringing_twice","shiny":true}},"v":3}"#;
    let event = WebhookEvent::from_slice(body).unwrap();
    let call = event.data.call.as_ref().unwrap();
    assert_eq!(
        call.status,
        MiraiV2CallStatus::Unknown("ringing_twice".into())
    );
    assert_eq!(call.extra["shiny"], true);

    let no_data = br#"{"id":"evt_3","type":"call.started","data":null}"#;
    assert!(
        WebhookEvent::from_slice(no_data)
            .unwrap()
            .data
            .call
            .is_none()
    );
}

#[test]
fn malformed_signed_bodies_are_decode_errors() {
    for body in [
        &b"not json"[..],
        b"{\"type\":\"call.started\"}",
        b"{\"id\":\"e\",\"type\":\"call.started\",\"data\":{\"call\":{\"id\":\"c\"}}}",
    ] {
        let err = verifier_at(T)
            .verify_event(&sign(SECRET, T, body), body)
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Decode,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}
