//! Legacy Initiate Call (`POST /v2/call/initiate`): exact bodies, never a second request once sent.

use mirai_calls::legacy::{
    AbandonedCartPayload, CartCustomer, CartLineItem, InitiateCall, NdrFollowupPayload,
    OrderCustomer, OrderLineItem, PriceSet, ShopifyOrderPayload,
};
use mirai_calls::{ErrorKind, MiraiLegacyCallStatus};
use mockito::Server;
use serde_json::{Map, json};

use crate::support::{
    RawServer, Reply, assert_error_has_no_key, closed_port_url, impatient_retry, legacy,
    legacy_mock, legacy_with, nothing_sent,
};

const QUEUED: &str = r#"{"callId":"68f0a1b2c3d4e5f600000900","status":"initiate"}"#;

async fn initiate(body: serde_json::Value, call: InitiateCall) {
    let mut server = Server::new_async().await;
    let mock = legacy_mock(&mut server, "POST", "/v2/call/initiate", body)
        .with_status(200)
        .with_body(QUEUED)
        .expect(1)
        .create_async()
        .await;
    let queued = legacy(&server.url()).initiate_call(&call).await.unwrap();
    assert_eq!(queued.call_id.as_str(), "68f0a1b2c3d4e5f600000900");
    assert_eq!(queued.status, MiraiLegacyCallStatus::Initiate);
    mock.assert_async().await;
}

#[tokio::test]
async fn sends_the_minimal_body() {
    initiate(
        json!({"phoneNumber": "+919876543210", "assistant": "assistant_123"}),
        InitiateCall::new("+919876543210", "assistant_123"),
    )
    .await;
}

#[tokio::test]
async fn sends_every_optional_field() {
    let mut custom = Map::new();
    custom.insert("orderId".into(), json!("ORD-12345"));
    custom.insert("orderValue".into(), json!(2500));
    initiate(
        json!({
            "phoneNumber": "+919876543210",
            "assistant": "assistant_456",
            "payload": {"orderId": "ORD-12345", "orderValue": 2500},
            "callbackUrl": "https://example.com/webhooks/call-events",
            "priority": true,
            "metadata": {"crm_id": "lead-9", "attempt": 2}
        }),
        InitiateCall::new("+919876543210", "assistant_456")
            .payload(custom)
            .callback_url("https://example.com/webhooks/call-events")
            .priority(true)
            .metadata_entry("crm_id", "lead-9")
            .metadata_entry("attempt", 2),
    )
    .await;
}

#[tokio::test]
async fn sends_an_abandoned_cart_payload() {
    let mut cart = AbandonedCartPayload::new(
        CartCustomer::new("John", "+919876543210"),
        vec![CartLineItem::new("Sample Product Name", 1)],
        PriceSet::new("1895.0"),
    );
    cart.id = Some("gid://shopify/AbandonedCheckout/66509168181329".into());
    cart.discount_codes = vec!["WELCOME".into()];
    initiate(
        json!({
            "phoneNumber": "+919876543210",
            "assistant": "assistant_123",
            "payload": {
                "id": "gid://shopify/AbandonedCheckout/66509168181329",
                "customer": {"firstName": "John", "phone": "+919876543210"},
                "discountCodes": ["WELCOME"],
                "totalLineItemsPriceSet": {"shopMoney": {"amount": "1895.0"}},
                "totalDiscountSet": {"shopMoney": {"amount": "0.0"}},
                "subtotalPriceSet": {"shopMoney": {"amount": "1895.0"}},
                "totalPriceSet": {"shopMoney": {"amount": "1895.0"}},
                "lineItems": [{"title": "Sample Product Name", "quantity": 1}]
            }
        }),
        InitiateCall::new("+919876543210", "assistant_123").payload(cart),
    )
    .await;
}

#[tokio::test]
async fn sends_a_shopify_order_payload() {
    let mut order = ShopifyOrderPayload::new(
        "#1093",
        OrderCustomer::new("John"),
        "1895.00",
        vec![OrderLineItem::new("Sample Product Name", 1.0)],
    );
    order.payment_gateway_names = vec!["cash_on_delivery".into()];
    order.extra.insert("tags".into(), json!("vip"));
    initiate(
        json!({
            "phoneNumber": "+919876543210",
            "assistant": "assistant_789",
            "payload": {
                "name": "#1093",
                "customer": {"firstName": "John"},
                "totalPrice": "1895.00",
                "lineItems": [{"title": "Sample Product Name", "quantity": 1.0}],
                "paymentGatewayNames": ["cash_on_delivery"],
                "tags": "vip"
            }
        }),
        InitiateCall::new("+919876543210", "assistant_789").payload(order),
    )
    .await;
}

#[tokio::test]
async fn sends_an_ndr_followup_payload() {
    let mut ndr = NdrFollowupPayload::new(
        "190123456789",
        "customer_unavailable",
        OrderCustomer::new("John"),
    );
    ndr.courier_name = Some("Delhivery".into());
    ndr.attempt_count = Some(2.0);
    initiate(
        json!({
            "phoneNumber": "+919876543210",
            "assistant": "assistant_792",
            "payload": {
                "awb": "190123456789",
                "courierName": "Delhivery",
                "ndrReason": "customer_unavailable",
                "attemptCount": 2.0,
                "customer": {"firstName": "John"}
            }
        }),
        InitiateCall::new("+919876543210", "assistant_792").payload(ndr),
    )
    .await;
}

#[tokio::test]
async fn a_loopback_http_callback_is_allowed() {
    initiate(
        json!({"phoneNumber": "+919876543210", "assistant": "a", "callbackUrl": "http://127.0.0.1:3000/hook"}),
        InitiateCall::new("+919876543210", "a").callback_url("http://127.0.0.1:3000/hook"),
    )
    .await;
}

#[tokio::test]
async fn invalid_requests_send_nothing() {
    let mut server = Server::new_async().await;
    let nothing = nothing_sent(&mut server).await;
    let client = legacy(&server.url());
    let empty_cart = AbandonedCartPayload::new(
        CartCustomer::new("John", "+919876543210"),
        vec![],
        PriceSet::new("1"),
    );
    for call in [
        InitiateCall::new("9876543210", "a"),
        InitiateCall::new("+91 98765 43210", "a"),
        InitiateCall::new("+0123456789", "a"),
        InitiateCall::new("+919876543210", ""),
        InitiateCall::new("+919876543210", "a").callback_url("http://example.com/hook"),
        InitiateCall::new("+919876543210", "a").callback_url("ftp://example.com/hook"),
        InitiateCall::new("+919876543210", "a").payload(empty_cart),
    ] {
        let err = client.initiate_call(&call).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{call:?}");
        assert!(!err.request_may_have_been_sent());
        assert_eq!(err.attempts(), 0);
    }
    nothing.assert_async().await;
}

#[tokio::test]
async fn refusals_are_not_retried_and_say_nothing_was_queued() {
    let cases = [
        (400, "Validation Error", ErrorKind::InvalidInput),
        (401, "Invalid keys", ErrorKind::Unauthorized),
        (402, "Insufficient credits", ErrorKind::Rejected),
        (403, "Forbidden", ErrorKind::Forbidden),
        (404, "Assistant not found", ErrorKind::NotFound),
        (429, "Too many requests", ErrorKind::RateLimited),
    ];
    for (status, message, kind) in cases {
        let mut server = Server::new_async().await;
        let mock = server
            .mock("POST", "/v2/call/initiate")
            .with_status(status)
            .with_header("retry-after", "0")
            .with_body(json!({"code": status, "message": message}).to_string())
            .expect(1)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .initiate_call(&InitiateCall::new("+919876543210", "a"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.provider_message(), Some(message));
        assert!(!err.is_outcome_unknown(), "{status}");
        assert_error_has_no_key(&err);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_5xx_is_never_retried_and_the_outcome_is_unknown() {
    for status in [500, 502, 503, 504] {
        let mut server = Server::new_async().await;
        let mock = server
            .mock("POST", "/v2/call/initiate")
            .with_status(status)
            .expect(1)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .initiate_call(&InitiateCall::new("+919876543210", "a"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Upstream, "{status}");
        assert!(err.is_outcome_unknown(), "{status}");
        assert!(err.to_string().contains("may have been queued"), "{err}");
        assert_eq!(err.attempts(), 1);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_timeout_is_never_retried_and_the_outcome_is_unknown() {
    let server = RawServer::start(|_, _| Reply::Hang).await;
    let err = legacy_with(&server.url, impatient_retry())
        .initiate_call(&InitiateCall::new("+919876543210", "a"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_outcome_unknown());
    assert!(err.to_string().contains("may have been queued"), "{err}");
    assert_eq!(server.count("POST /v2/call/initiate "), 1);
}

#[tokio::test]
async fn a_reset_is_never_retried_and_the_outcome_is_unknown() {
    let server = RawServer::start(|_, _| Reply::Reset).await;
    let err = legacy(&server.url)
        .initiate_call(&InitiateCall::new("+919876543210", "a"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_outcome_unknown());
    assert_eq!(server.count("POST /v2/call/initiate "), 1);
}

#[tokio::test]
async fn a_malformed_200_is_a_decode_error_with_an_unknown_outcome() {
    for body in [
        "<html>ok</html>",
        r#"{"status":"initiate"}"#,
        r#"{"callId":""}"#,
    ] {
        let mut server = Server::new_async().await;
        let mock = server
            .mock("POST", "/v2/call/initiate")
            .with_status(200)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = legacy(&server.url())
            .initiate_call(&InitiateCall::new("+919876543210", "a"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert!(err.is_outcome_unknown(), "{body}");
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_connection_that_never_opens_is_known_not_to_have_queued() {
    let err = legacy(&closed_port_url().await)
        .initiate_call(&InitiateCall::new("+919876543210", "a"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.is_outcome_unknown());
    assert!(!err.request_may_have_been_sent());
}
