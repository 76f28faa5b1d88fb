//! A local, in-memory, stateful simulator of the Cartesia and Mirai Minds call APIs, with fault
//! injection and a request journal, for testing call control offline.
//!
//! One HTTP/1.1 server on one loopback port answers three APIs at once, each as its provider
//! documents it:
//!
//! - **Cartesia** agent calls and call batches (`/agents/calls…`, `Authorization: Bearer`,
//!   `Cartesia-Version`);
//! - **Mirai Minds legacy** calls (`/v2/call/…`, `x-public-key` + `x-private-key` + `workspace`);
//! - **Mirai Minds v2** calls, campaigns and the do-not-call list (`/v2/calls…`,
//!   `/v2/campaigns…`, `/v2/dnc…`, `Authorization: Bearer sk_live_…`).
//!
//! Calls, batches and campaigns live in memory and move through their documented lives: created
//! through the APIs, seeded, advanced and dialled through the Rust control handles or the `/_sim`
//! HTTP control API.
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
//! | `cartesia.batch_create` | `POST /agents/calls/batches` | 201 `AgentCallBatch`, every recipient `queued`; `recipients` 1–5,000 E.164, `target_concurrency_limit` 1–20 (10), `ringing_timeout_seconds` 5–80, `max_call_duration_minutes` 1–480, `scheduled_at` future ≤ 30 days, `region` |
//! | `cartesia.batch_list` | `GET /agents/calls/batches` | newest first, no `recipients`; `agent_id`, `limit` 1–100 (10), `starting_after` / `ending_before`; `has_more`, `next_page` |
//! | `cartesia.batch_get` | `GET /agents/calls/batches/{id}` | with `recipients`; 404 "Batch not found." |
//! | `cartesia.batch_cancel` | `POST /agents/calls/batches/{id}/cancel` | queued recipients → `cancelled`, never dialled; calls in flight untouched; idempotent 200 |
//! | `cartesia.batch_retry` | `POST /agents/calls/batches/{id}/retry` | re-queues failed and unanswered recipients, `retry_count` + 1; 400 once cancelled |
//! | `mirai_v2.campaign_create` | `POST /v2/campaigns` | 201 `draft` + `contacts_accepted`, `contacts_duplicate`, `contacts_rejected`; ≤ 1,000 rows |
//! | `mirai_v2.campaign_list` | `GET /v2/campaigns` | newest first, no `counters`; `limit` (20), opaque `cursor` |
//! | `mirai_v2.campaign_get` | `GET /v2/campaigns/{id}` | with `counters` (contacts by status) |
//! | `mirai_v2.campaign_update` | `PATCH /v2/campaigns/{id}` | `draft` / `paused` only, else 409 `conflict` |
//! | `mirai_v2.campaign_add_contacts` | `POST /v2/campaigns/{id}/contacts` | 200 with the counts; 409 once `stopped` / `completed` |
//! | `mirai_v2.campaign_list_contacts` | `GET /v2/campaigns/{id}/contacts` | upload order; `status`, `limit`, `cursor` |
//! | `mirai_v2.campaign_start` | `POST /v2/campaigns/{id}/start` | `draft` / `paused` → 202 `play`; 409 `conflict`, 409 `window_closed` |
//! | `mirai_v2.campaign_pause` | `POST /v2/campaigns/{id}/pause` | `play` → 202 `paused` (live calls go on); else 409 |
//! | `mirai_v2.campaign_resume` | `POST /v2/campaigns/{id}/resume` | `paused` → 202 `play`; else 409 `conflict`; 409 `window_closed` |
//! | `mirai_v2.campaign_stop` | `POST /v2/campaigns/{id}/stop` | → 202 `stopped`: live calls aborted, open contacts `aborted`; irreversible |
//! | `mirai_v2.campaign_report` | `GET /v2/campaigns/{id}/report` | JSON totals; `format=csv`: `id,phone,status,attempts,last_call_id`, streamed |
//! | `mirai_v2.dnc_add` | `POST /v2/dnc` | 201 `added: true`, 200 `added: false` when listed; 400 not E.164 |
//! | `mirai_v2.dnc_list` | `GET /v2/dnc` | newest first; `limit`, `cursor` |
//! | `mirai_v2.dnc_remove` | `DELETE /v2/dnc/{phone}` | 204; 404 `not_found` when not listed |
//!
//! `GET /agents/calls` also takes `batch_id` (one entry per call attempt). With campaigns turned
//! off ([`SimBuilder::mirai_v2_campaigns`]) every campaign and do-not-call route answers 503
//! `campaigns_unavailable` after the key is checked.
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
//! # Batches, campaigns and the do-not-call list
//!
//! Nothing dials on a timer, so tests stay deterministic. A Cartesia batch's recipients become
//! calls (status `created`, `telephony_params.to` = the recipient) only when
//! [`CartesiaControl::dispatch_batch`] says so; a Mirai v2 campaign in `play` turns pending
//! contacts into calls (status `queued`, `to` = the contact) only when
//! [`MiraiV2Control::dial_campaign`] says so. With [`SimBuilder::auto_dial`] they also dial on
//! their own, up to `target_concurrency_limit` / `max_concurrent`, whenever an event makes room
//! (creation or retry of a batch, start, resume or new contacts of a campaign, one of their calls
//! ending). Those calls then move like any other, and a batch's status and counters are derived
//! from them at read time, a campaign contact follows its call.
//!
//! | | stopped by | never-dialled entries | calls in flight |
//! | --- | --- | --- | --- |
//! | Cartesia batch | `POST …/batches/{id}/cancel` | recipients `cancelled`, no call ever | left to finish |
//! | Mirai v2 campaign | `POST /v2/campaigns/{id}/stop` | contacts `aborted` | aborted (`aborted-by-api`), contacts `aborted` |
//! | Mirai v2 campaign | `POST /v2/campaigns/{id}/pause` | stay `pending` until `resume` | left to finish |
//!
//! The do-not-call list is checked when a campaign contact's turn comes: a listed number makes
//! the contact `suppressed`, never dialled. It does not apply to `POST /v2/calls`, as documented.
//! Campaigns dial only while the [`CallingWindow`] is open: always by default, or
//! [`CallingWindow::india`] to emulate 09:00–21:00 IST by the wall clock, or
//! [`CallingWindow::closed`] to see `window_closed`. A campaign with a `webhook_url` gets
//! `campaign.started`, `campaign.paused`, `campaign.resumed`, `campaign.completed` and
//! `campaign.stopped`, and its calls' `call.*` events, signed like every v2 event.
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
//! | `POST /_sim/cartesia/calls` | seed: the call's JSON fields (`agent_id` required, `id` optional) plus `recording` (bool), `logs` (strings), and for a ringing call `answer_after_reads` (answered after that many reads) or `answer_at_first_cancel` (answered right after a refused cancel) |
//! | `POST /_sim/mirai/calls` | seed: `id`, `status`, `assistant`, `phoneNumber`, `payload`, `callbackUrl`, `metadata` |
//! | `POST /_sim/mirai_v2/calls` | seed: the call's fields (`agent_id` required) plus `recording`, `transcript`, `webhook_url` |
//! | `POST /_sim/{cartesia,mirai_v2}/agents/{agent_id}/calls?count=N` | seed N finished calls → `{"ids":[…]}`, newest first |
//! | `GET /_sim/{api}/calls/{id}` | the call, as the control handle's snapshot |
//! | `GET /_sim/cartesia/summary` | `{"calls", "by_status", "by_end_reason"}`, counts of every Cartesia call |
//! | `POST /_sim/cartesia/batches` | seed: the `POST /agents/calls/batches` body plus `id` (optional) |
//! | `GET /_sim/cartesia/batches/{id}` | the batch with its recipients |
//! | `POST /_sim/cartesia/batches/{id}/dispatch?count=N` | as `dispatch_batch` → `{"ids":[…]}` |
//! | `POST /_sim/cartesia/batches/{id}/fail?count=N` | `{"message"}` (optional), as `fail_batch_recipients` → `{"failed":n}` |
//! | `POST /_sim/mirai_v2/campaigns` | seed: the `POST /v2/campaigns` body (only `agent_id` required) plus `id`, `status` |
//! | `GET /_sim/mirai_v2/campaigns/{id}` | the campaign with `counters`, `contacts` and `call_ids` |
//! | `POST /_sim/mirai_v2/campaigns/{id}/dial?count=N` | as `dial_campaign` → `{"ids":[…]}` |
//! | `GET`, `POST /_sim/mirai_v2/dnc`, `DELETE /_sim/mirai_v2/dnc/{phone}` | `{"phones":[…]}`; `{"phone"}` → `{"added":bool}`; `{"removed":bool}` |
//! | `GET`, `PUT /_sim/mirai_v2/calling_window` | `{"kind": "always_open" \| "closed" \| "india"}` or `{"kind":"daily","start":"HH:MM","end":"HH:MM","utc_offset_minutes":N}` |
//! | `POST /_sim/{api}/calls/{id}/status` | `{"status":"…"}`, as `set_status` |
//! | `POST /_sim/{api}/calls/{id}/advance` | as `advance` |
//! | `POST /_sim/faults` | `{"call_id"` or `"route", "times":N, "fault":{"kind":…}}`; kinds: `status` (`code`, `retry_after`, `body`), `latency` (`ms`), `reset`, `lost_reply`, `hang`, `malformed_json`, `wrong_shape`, `huge_body` (`bytes`), `html` (`status`) |
//! | `GET /_sim/faults` | `{"pending"}`: requests the scripts still cover |
//! | `DELETE /_sim/faults` | drop every script |
//! | `GET /_sim/journal` | totals, per-route counts and per-route `handled` counts (requests that reached the handler) |
//! | `GET /_sim/journal/count?route=…&call_id=…` | `{count, auth_count, handled}` |
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
mod call_table;
mod calling_window;
mod cartesia;
mod clock;
mod control;
mod credentials;
mod dispatch;
mod fault;
mod id;
mod journal;
mod json_field;
mod mirai;
mod mirai_v2;
mod phone;
mod query;
mod recording;
mod records;
mod response;
mod route;
mod server;
mod sim;
mod store;
mod unknown_id;
mod wav;
mod webhook;

pub use calling_window::CallingWindow;
pub use cartesia::{
    CartesiaBatch, CartesiaBatchRecipient, CartesiaBatchSeed, CartesiaCall, CartesiaCallSeed,
    CartesiaControl,
};
pub use credentials::Credentials;
pub use fault::{Fault, Faults};
pub use journal::{Journal, JournalEntry};
pub use mirai::{MiraiCall, MiraiCallSeed, MiraiControl};
pub use mirai_v2::{
    MiraiV2Call, MiraiV2CallSeed, MiraiV2Campaign, MiraiV2CampaignSeed, MiraiV2Contact,
    MiraiV2Control,
};
pub use route::{Route, UnknownRoute};
pub use sim::{Sim, SimBuilder};
pub use unknown_id::{UnknownBatch, UnknownCall, UnknownCampaign};
