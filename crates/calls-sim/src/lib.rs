//! A local, in-memory, stateful simulator of the Cartesia and Mirai Minds call APIs, with fault
//! injection and a request journal, for testing call control offline.
//!
//! One HTTP/1.1 server on one loopback port answers three APIs at once, each as its provider
//! documents it:
//!
//! - **Cartesia** agent calls (`/agents/calls…`, `Authorization: Bearer`, `Cartesia-Version`);
//! - **Mirai Minds legacy** calls (`/v2/call/…`, `x-public-key` + `x-private-key` + `workspace`);
//! - **Mirai Minds v2** calls (`/v2/calls…`, `Authorization: Bearer sk_live_…`).
//!
//! Calls live in memory and move through their documented lives: created through the APIs,
//! seeded and advanced through the Rust control handles or the `/_sim` HTTP control API.
//! Faults (error statuses, latency, connection resets, lost replies, hangs, broken bodies) are
//! scripted per call or per route, and a bounded journal counts what clients sent.
//!
//! It is for anyone testing code that controls these calls: our end-to-end tests, `callctl
//! demo`, and any team's tests, from Rust (this crate) or any language (the `calls-sim` binary).
//! It is a second, independent reading of the providers' docs, sharing no code with the SDK.
//!
//! # Quickstart
//!
//! ```no_run
//! use calls_sim::{CartesiaCallSeed, Fault, Route, Sim};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Sim::start().await?; // 127.0.0.1, any free port
//! sim.cartesia()
//!     .seed_call(CartesiaCallSeed::new("ac_1", "agent_1").status("started"));
//! sim.faults().on_route(Route::CartesiaCancel, Fault::status(502), 1);
//!
//! let http = reqwest::Client::new();
//! let cancel = || {
//!     http.post(format!("{}/agents/calls/ac_1/cancel", sim.base_url()))
//!         .bearer_auth(sim.credentials().cartesia_api_key())
//!         .header("Cartesia-Version", "2026-03-01")
//!         .send()
//! };
//! assert_eq!(cancel().await?.status(), 502); // the scripted fault
//! assert_eq!(cancel().await?.status(), 200); // {"cancelled":true}
//! assert_eq!(cancel().await?.status(), 400); // no longer started
//!
//! assert_eq!(sim.cartesia().call("ac_1").ok_or("gone")?.end_reason(), Some("api_cancelled"));
//! assert_eq!(sim.journal().count(Route::CartesiaCancel, Some("ac_1")), 3);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! [`Sim::env_lines`] gives the environment (`CARTESIA_BASE_URL=…`, `MIRAI_API_KEY=…`, …) that
//! points an SDK client at the simulator. The `calls-sim` binary (feature `cli`, on by default)
//! runs one in the foreground: `calls-sim --addr 127.0.0.1:8080` prints those lines and serves
//! until Ctrl-C.
//!
//! # Routes
//!
//! Every route has a stable name ([`Route`]), used by the journal, by fault scripts and by the
//! control API:
//!
//! | name | request | behaviour |
//! | --- | --- | --- |
//! | `cartesia.create` | `POST /agents/calls` | one call per `outbound_calls` item, status `created`; a non-E.164 `to_number` gets a per-item `error` |
//! | `cartesia.get` | `GET /agents/calls/{id}` | the `AgentCall` (2026-03-01 shape) |
//! | `cartesia.list` | `GET /agents/calls?agent_id=` | newest first; `limit` 1–100 (10); `starting_after` / `ending_before`; `expand=transcript` |
//! | `cartesia.cancel` | `POST /agents/calls/{id}/cancel` | `started` only → `completed` / `api_cancelled`; else 400 |
//! | `cartesia.delete` | `DELETE /agents/calls/{id}` | `completed` / `failed` only → redacted record; else 400 |
//! | `cartesia.audio` | `GET /agents/calls/{id}/audio` | a small WAV, chunked; 404 without a recording |
//! | `cartesia.logs` | `GET /agents/calls/{id}/logs` | `{call_id, logs, updated_at}`; 404 "Call logs not available" |
//! | `mirai.initiate` | `POST /v2/call/initiate` | `{callId, status:"initiate"}` |
//! | `mirai.abort` | `POST /v2/call/abort` | no status, `initiate`, `busy`, `failed`, `no-answer`, `rescheduled`, `validation-failed` → `aborted`; else 400 |
//! | `mirai.update` | `PUT /v2/call/{id}` | replaces `payload` while queued and never attempted; else 400 |
//! | `mirai_v2.create` | `POST /v2/calls` | 202 `{id, status:"queued"}`; honours `Idempotency-Key` |
//! | `mirai_v2.get` | `GET /v2/calls/{id}` | the call object |
//! | `mirai_v2.list` | `GET /v2/calls` | `agent_id`, `status`, `from`, `to`, `limit` (20), opaque `cursor` |
//! | `mirai_v2.transcript` | `GET /v2/calls/{id}/transcript` | turns once ended; 404 while running |
//! | `mirai_v2.recording` | `GET /v2/calls/{id}/recording` | 302 to a signed URL on another origin; 404 while running |
//! | `mirai_v2.abort` | `POST /v2/calls/{id}/abort` | running → 202, `aborted` / `aborted-by-api`; ended → 409 `conflict` |
//! | `sim.recording_download` | `GET /_sim/recordings/{id}.wav?…&sig=` | the signed recording; no auth needed, credentials sent are journaled |
//!
//! `/agents/calls/batches…` is reserved (404): call batches are not simulated.
//! Unknown paths get 404 and known paths with another method 405, in the family's error shape.
//!
//! Authentication is checked first, then (Cartesia) the `Cartesia-Version` header, which must
//! appear exactly once with one of `2024-06-10`, `2024-11-13`, `2025-04-16`, `2025-11-04`,
//! `2026-03-01`, `2026-08-14`. Error bodies follow each provider: Cartesia
//! `{error_code, title, message, request_id}`, Mirai legacy `{code, message}`, Mirai v2
//! `{"error": {code, message}}`. Request bodies over 1 MB get 413.
//!
//! # Call lives and control
//!
//! | API | created by | [`advance`](CartesiaControl::advance) moves | other statuses |
//! | --- | --- | --- | --- |
//! | Cartesia | `POST /agents/calls` | `created → started → completed` | any string via `set_status` |
//! | Mirai legacy | `POST /v2/call/initiate` (status `initiate`) | `none → initiate → in-progress → completed` | any string via `set_status` |
//! | Mirai v2 | `POST /v2/calls` | `queued → dialing → in_progress → completed` | any string via `set_status` |
//!
//! Transitions fill in what a real call has by then (times, end reasons, and for finished calls
//! a transcript, a recording and logs); seeds hold exactly what they are given.
//!
//! **Webhooks.** A Mirai legacy call with a `callbackUrl` gets `call.<status>` on every status
//! change, signed with `x-signature` (hex HMAC-SHA256 of the body keyed with the private key) and
//! `x-public-key`. A Mirai v2 call with a `webhook_url` gets `call.started`, `call.completed`,
//! `call.voicemail`, `call.failed` or `call.aborted`, signed with
//! `X-Mirai-Signature: t=<unix secs>,v1=<hex HMAC-SHA256 of "t.body" keyed with the whsec_ secret>`.
//! Delivery is one attempt, in order, from a background task with a 2 s timeout, over plain HTTP
//! (http URLs are accepted for loopback hosts); outcomes are counted by
//! [`Journal::webhooks_delivered`] and [`Journal::webhooks_failed`].
//!
//! # Faults
//!
//! [`Faults::on_call`] and [`Faults::on_route`] queue a [`Fault`] for the next N requests; they
//! are matched before authentication and before state changes, and consumed in order:
//! [`Fault::Status`] (any code, optional `Retry-After` and body), [`Fault::Latency`],
//! [`Fault::Reset`] (TCP reset, no response), [`Fault::LostReply`] (the change is applied, then
//! the connection is reset), [`Fault::Hang`] (never answers), [`Fault::MalformedJson`]
//! (`{"cancelled": tru`), [`Fault::WrongShape`] (`{"ok":1}`), [`Fault::HugeBody`] (N bytes,
//! streamed) and [`Fault::Html`] (an nginx-style error page).
//!
//! # The `/_sim` control API
//!
//! Unauthenticated JSON routes for tools and tests in other languages:
//!
//! | request | effect |
//! | --- | --- |
//! | `GET /_sim/health` | `{"ok":true}` |
//! | `GET /_sim/env` | the [`Sim::env_lines`], as text |
//! | `POST /_sim/cartesia/calls` | seed: the call's JSON fields (`agent_id` required, `id` optional) plus `recording` (bool) and `logs` (strings) |
//! | `POST /_sim/mirai/calls` | seed: `id`, `status`, `assistant`, `phoneNumber`, `payload`, `callbackUrl`, `metadata` |
//! | `POST /_sim/mirai_v2/calls` | seed: the call's fields (`agent_id` required) plus `recording`, `transcript`, `webhook_url` |
//! | `POST /_sim/{cartesia,mirai_v2}/agents/{agent_id}/calls?count=N` | seed N finished calls → `{"ids":[…]}`, newest first |
//! | `GET /_sim/{api}/calls/{id}` | the call, as the control handle's snapshot |
//! | `POST /_sim/{api}/calls/{id}/status` | `{"status":"…"}`, as `set_status` |
//! | `POST /_sim/{api}/calls/{id}/advance` | as `advance` |
//! | `POST /_sim/faults` | `{"call_id"` or `"route", "times":N, "fault":{"kind":…}}`; kinds: `status` (`code`, `retry_after`, `body`), `latency` (`ms`), `reset`, `lost_reply`, `hang`, `malformed_json`, `wrong_shape`, `huge_body` (`bytes`), `html` (`status`) |
//! | `DELETE /_sim/faults` | drop every script |
//! | `GET /_sim/journal` | totals and per-route counts |
//! | `GET /_sim/journal/count?route=…&call_id=…` | `{count, auth_count}` |
//! | `DELETE /_sim/journal` | reset the counters |
//!
//! `{api}` is `cartesia`, `mirai` or `mirai_v2`.
//!
//! # Features
//!
//! - `cli` (default): the `calls-sim` binary (clap, tracing-subscriber, Ctrl-C handling).
//!   Libraries using only the Rust API can turn it off.

mod app;
mod body;
mod cartesia;
mod clock;
mod control;
mod credentials;
mod dispatch;
mod fault;
mod id;
mod journal;
mod mirai;
mod mirai_v2;
mod phone;
mod query;
mod recording;
mod reply;
mod route;
mod server;
mod sim;
mod unknown_call;
mod wav;
mod webhook;

pub use cartesia::{CartesiaCall, CartesiaCallSeed, CartesiaControl};
pub use credentials::Credentials;
pub use fault::{Fault, Faults};
pub use journal::{Journal, JournalEntry};
pub use mirai::{MiraiCall, MiraiCallSeed, MiraiControl};
pub use mirai_v2::{MiraiV2Call, MiraiV2CallSeed, MiraiV2Control};
pub use route::{Route, UnknownRoute};
pub use sim::{Sim, SimBuilder};
pub use unknown_call::UnknownCall;
