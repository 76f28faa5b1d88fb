//! The **legacy** API ("v1" in Mirai's docs): `/v2/call/...` on `api.voice-agents.miraiminds.co`, keys in
//! `x-public-key`, `x-private-key` and `workspace`.
//!
//! | operation | request | here |
//! | --- | --- | --- |
//! | [Initiate Call](https://docs.miraiminds.co/api-reference/call/initiate-call) | `POST /v2/call/initiate` | [`MiraiLegacyClient::initiate_call`] with [`InitiateCall`] |
//! | [Update Call Payload](https://docs.miraiminds.co/api-reference/call/update-call-payload) | `PUT /v2/call/{callId}` | [`MiraiLegacyClient::update_call_payload`] |
//! | [Abort Call](https://docs.miraiminds.co/api-reference/call/abort-call) | `POST /v2/call/abort` | [`MiraiLegacyClient::abort_call`], [`terminate`](call_core::CallControl::terminate) |
//! | [Call Events Webhook](https://docs.miraiminds.co/api-reference/call/call-events-webhook) | Mirai POSTs to your `callbackUrl` | [`WebhookVerifier`], [`WebhookEvent`] |
//!
//! There is no way to read a call in this API: [`state`](call_core::CallControl::state) answers
//! [`ErrorKind::Unsupported`](call_core::ErrorKind::Unsupported), and outcomes arrive by webhook only. Call
//! statuses are [`MiraiLegacyCallStatus`], with the documented abort rule in
//! [`MiraiLegacyCallStatus::is_abortable`].

pub(crate) mod abort;
mod client;
pub(crate) mod error_body;
mod initiate;
mod payload;
mod signature;
mod status;
mod update;
mod webhook;

pub use abort::Aborted;
pub use client::{
    BASE_URL_ENV, MiraiLegacyClient, MiraiLegacyClientBuilder, MiraiServer, PRIVATE_KEY_ENV,
    PUBLIC_KEY_ENV, WORKSPACE_ENV,
};
pub use initiate::{Discount, DiscountApplication, InitiateCall, Initiated};
pub use payload::{
    AbandonedCartPayload, Address, BillingAddress, CallPayload, CartCustomer, CartLineItem,
    CartShippingAddress, NdrFollowupPayload, OrderCustomer, OrderDiscountCode, OrderLineItem,
    PriceSet, ProductVariant, ShopifyOrderPayload, TaxLine,
};
pub use signature::{SIGNATURE_HEADER, WebhookVerifier};
pub use status::MiraiLegacyCallStatus;
pub use webhook::{
    ActionEventData, ActionKind, ActionPayload, ActionReason, Analysis, AttemptReport,
    CallEventData, CreateOrderData, Credits, EventCall, EventData, EventType, OrderDiscount,
    SendWhatsapp, ShippingAddress, WebhookEvent,
};
