//! Legacy call events: every documented type and field, tolerance of the unknown, and the `x-signature` check.

use hmac::{Hmac, Mac};
use mirai_calls::legacy::{
    ActionKind, ActionPayload, ActionReason, EventData, EventType, WebhookEvent, WebhookVerifier,
};
use mirai_calls::{ErrorKind, MiraiLegacyCallStatus};
use serde_json::json;
use sha2::Sha256;

use crate::support::{PRIVATE_KEY, assert_error_has_no_key};

fn sign(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn call_event(event_type: &str, status: &str) -> Vec<u8> {
    json!({
        "event": {
            "type": event_type,
            "data": {
                "call": {
                    "id": "68f0a1b2c3d4e5f600000900",
                    "status": status,
                    "startedAt": "2026-07-26T09:15:02.000Z",
                    "endedAt": "2026-07-26T09:16:02.000Z",
                    "recordingUrl": "https://storage.example/rec.wav",
                    "detailUrl": "https://app.example/calls/1",
                    "durationSeconds": 60
                },
                "analysis": {
                    "success": true,
                    "summary": "User expressed interest but requested a callback later.",
                    "requiredActions": ["create-order", "send-whatsapp"],
                    "insights": {"interested": true},
                    "outcome": {"shouldUpdateAddress": true}
                },
                "credits": {"used": 1.5, "available": 98.5},
                "report": {"reAttemptCount": 1, "rescheduledCount": 0}
            }
        },
        "metadata": {"order_id": "ORD-1", "discount": {"code": "SAVE10"}}
    })
    .to_string()
    .into_bytes()
}

#[test]
fn every_call_event_type_decodes_with_every_field() {
    let cases = [
        ("call.initiate", "initiate", EventType::CallInitiate),
        ("call.in-progress", "in-progress", EventType::CallInProgress),
        ("call.ended", "ended", EventType::CallEnded),
        ("call.completed", "completed", EventType::CallCompleted),
        ("call.timeout", "timeout", EventType::CallTimeout),
        ("call.failed", "failed", EventType::CallFailed),
        (
            "call.validation-failed",
            "validation-failed",
            EventType::CallValidationFailed,
        ),
        ("call.busy", "busy", EventType::CallBusy),
        ("call.no-answer", "no-answer", EventType::CallNoAnswer),
        ("call.skip", "skip", EventType::CallSkip),
        (
            "call.rescheduled",
            "rescheduled",
            EventType::CallRescheduled,
        ),
        ("call.aborted", "aborted", EventType::CallAborted),
        (
            "call.lifecycle-ended",
            "completed",
            EventType::CallLifecycleEnded,
        ),
        ("end-of-call", "completed", EventType::EndOfCall),
    ];
    let verifier = WebhookVerifier::new(PRIVATE_KEY);
    for (raw_type, status, expected) in cases {
        let body = call_event(raw_type, status);
        let event = verifier
            .verify_event(&sign(PRIVATE_KEY, &body), &body)
            .unwrap();
        assert_eq!(event.event_type, expected);
        assert_eq!(event.event_type.as_str(), raw_type);
        assert_eq!(
            event.call_status(),
            Some(&MiraiLegacyCallStatus::parse(status))
        );
        assert_eq!(
            event.dedup_key().as_deref(),
            Some(format!("{raw_type}:68f0a1b2c3d4e5f600000900").as_str())
        );
        let metadata = event.metadata.as_ref().unwrap();
        assert_eq!(metadata["order_id"], "ORD-1");
        let EventData::Call(data) = &event.data else {
            panic!("{raw_type}: not call data");
        };
        let call = data.call.as_ref().unwrap();
        assert_eq!(call.started_at.unwrap().to_string(), "2026-07-26T09:15:02Z");
        assert!(call.ended_at.is_some());
        assert_eq!(
            call.recording_url.as_deref(),
            Some("https://storage.example/rec.wav")
        );
        assert_eq!(
            call.detail_url.as_deref(),
            Some("https://app.example/calls/1")
        );
        assert_eq!(call.duration_seconds, Some(60.0));
        let analysis = data.analysis.as_ref().unwrap();
        assert_eq!(analysis.success, Some(true));
        assert_eq!(analysis.required_actions, ["create-order", "send-whatsapp"]);
        assert_eq!(analysis.insights.as_ref().unwrap()["interested"], true);
        assert_eq!(
            analysis.outcome.as_ref().unwrap()["shouldUpdateAddress"],
            true
        );
        let credits = data.credits.as_ref().unwrap();
        assert_eq!((credits.used, credits.available), (Some(1.5), Some(98.5)));
        let report = data.report.as_ref().unwrap();
        assert_eq!(
            (report.re_attempt_count, report.rescheduled_count),
            (Some(1.0), Some(0.0))
        );
    }
    assert!(EventType::CallLifecycleEnded.is_final());
}

#[test]
fn action_events_decode_each_payload() {
    let create_order = json!({"event": {"type": "action", "data": {
        "action": "create_order",
        "call": {"id": "c1"},
        "reason": null,
        "payload": {
            "email": "a@example.com", "phone": "+919876543210", "lineItems": [{"title": "Shirt"}],
            "shippingAddress": {"firstName": "A", "lastName": "B", "address1": "1 St", "address2": "Apt 4",
                                "city": "Delhi", "province": "DL", "zip": "110001", "country": "India", "phone": "+91"},
            "cartTotal": 1895.0, "codCharge": 50, "discount": {"code": "SAVE10", "reason": "hesitant"},
            "note": "leave at door", "abandonedCheckoutId": null
        }
    }}});
    let event = WebhookEvent::from_slice(create_order.to_string().as_bytes()).unwrap();
    assert_eq!(event.event_type, EventType::Action);
    assert_eq!(event.call_id().unwrap().as_str(), "c1");
    let EventData::Action(action) = &event.data else {
        panic!("not an action")
    };
    assert_eq!(action.action, ActionKind::CreateOrder);
    assert_eq!(action.reason, None);
    let Some(ActionPayload::CreateOrder(order)) = &action.payload else {
        panic!("not an order")
    };
    assert_eq!(order.email.as_deref(), Some("a@example.com"));
    assert_eq!(order.line_items.len(), 1);
    assert_eq!(
        order.shipping_address.as_ref().unwrap().zip.as_deref(),
        Some("110001")
    );
    assert_eq!(
        (order.cart_total, order.cod_charge),
        (Some(1895.0), Some(50.0))
    );
    assert_eq!(
        order.discount.as_ref().unwrap().reason.as_deref(),
        Some("hesitant")
    );
    assert_eq!(order.note.as_deref(), Some("leave at door"));
    assert_eq!(order.abandoned_checkout_id, None);

    let whatsapp = br#"{"event":{"type":"action","data":{"action":"send_whatsapp","call":{"id":"c1"},"reason":"missing_first_name","payload":{"number":null}}}}"#;
    let event = WebhookEvent::from_slice(whatsapp).unwrap();
    let EventData::Action(action) = &event.data else {
        panic!("not an action")
    };
    assert_eq!(action.reason, Some(ActionReason::MissingFirstName));
    assert_eq!(
        action.payload,
        Some(ActionPayload::SendWhatsapp(Default::default()))
    );

    for other in [
        "mark_prepaid",
        "update_address",
        "confirmed_address",
        "refund_order",
    ] {
        let body = json!({"event": {"type": "action", "data": {"action": other, "call": {"id": "c1"},
                          "reason": "invalid_cart_data", "payload": {"x": 1}}}});
        let event = WebhookEvent::from_slice(body.to_string().as_bytes()).unwrap();
        let EventData::Action(action) = &event.data else {
            panic!("not an action")
        };
        assert_eq!(action.action.as_str(), other);
        assert_eq!(action.reason, Some(ActionReason::InvalidCartData));
        assert_eq!(action.payload, Some(ActionPayload::Other(json!({"x": 1}))));
    }
}

#[test]
fn unknown_types_and_fields_are_kept() {
    let body = br#"{"event":{"type":"call.teleported","data":{"where":"mars"}},"newTop":1}"#;
    let event = WebhookEvent::from_slice(body).unwrap();
    assert_eq!(
        event.event_type,
        EventType::Unknown("call.teleported".into())
    );
    assert_eq!(event.data, EventData::Unknown(json!({"where": "mars"})));
    assert_eq!(event.call_id(), None);

    let body = br#"{"event":{"type":"call.completed","data":{"call":{"id":"c1","status":"warped","color":"blue"},"mood":"happy"}}}"#;
    let event = WebhookEvent::from_slice(body).unwrap();
    assert_eq!(
        event.call_status(),
        Some(&MiraiLegacyCallStatus::Unknown("warped".into()))
    );
    let EventData::Call(data) = &event.data else {
        panic!("not call data")
    };
    assert_eq!(data.extra["mood"], "happy");
    assert_eq!(data.call.as_ref().unwrap().extra["color"], "blue");
}

#[test]
fn the_rendered_docs_shape_decodes_too() {
    // docs.miraiminds.co renders the data's fields directly under `event`.
    let body = br#"{"event":{"type":"call.completed","call":{"id":"c1","status":"completed"},"credits":{"used":1}}}"#;
    let event = WebhookEvent::from_slice(body).unwrap();
    assert_eq!(event.call_id().unwrap().as_str(), "c1");
}

#[test]
fn malformed_bodies_are_clear_errors() {
    for body in [
        &b"not json"[..],
        b"{\"event\":{\"type\":\"call.completed\",\"data\":{\"call\":{\"id\":5}}}}",
        b"{\"event\":{\"type\":\"call.completed\",\"data\":{\"call\":{\"id\":\"c1\",\"startedAt\":\"soon\"}}}}",
        b"{\"event\":{\"type\":\"call.completed\",\"data\":{}},\"metadata\":\"x\"}",
        b"{\"event\":{\"type\":\"action\",\"data\":{\"action\":\"create_order\",\"payload\":{\"cartTotal\":\"lots\"}}}}",
    ] {
        let err = WebhookEvent::from_slice(body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{}", String::from_utf8_lossy(body));
    }
    // Signed but malformed: the signature passes, decoding fails.
    let body = b"[1,2,3]";
    let err = WebhookVerifier::new(PRIVATE_KEY)
        .verify_event(&sign(PRIVATE_KEY, body), body)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[test]
fn wrong_missing_and_tampered_signatures_are_refused() {
    let body = call_event("call.completed", "completed");
    let verifier = WebhookVerifier::new(PRIVATE_KEY);
    let good = sign(PRIVATE_KEY, &body);
    assert!(verifier.verify(&good, &body).is_ok());
    assert!(verifier.verify(&good.to_uppercase(), &body).is_ok());
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    for (signature, body) in [
        (sign("sk_someone_else", &body), body.as_slice()),
        (good.clone(), tampered.as_slice()),
        (String::new(), body.as_slice()),
        ("zz".into(), body.as_slice()),
        (good[..63].to_owned(), body.as_slice()),
    ] {
        let err = verifier.verify_event(&signature, body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{signature}");
        assert_error_has_no_key(&err);
    }
    // A replayed delivery verifies again (the legacy scheme has no timestamp): the dedup key exposes it.
    let first = verifier.verify_event(&good, &body).unwrap();
    let again = verifier.verify_event(&good, &body).unwrap();
    assert_eq!(first.dedup_key(), again.dedup_key());
    assert!(!format!("{verifier:?}").contains("canary"));
}
