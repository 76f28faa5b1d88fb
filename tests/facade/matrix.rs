//! The fault matrix: one terminate per row and provider, through `Arc<dyn CallControl>`, against calls-sim.
//!
//! Each row asserts the typed answer (outcome or error kind, status, attempts), the journal (requests per route for
//! the call, and nothing else sent), and the call's state in the simulator. Where providers differ, `p.pick(cartesia,
//! mirai, mirai_v2)` gives each one's designed number, and a comment says why.
//!
//! "Attempts" counts every request terminate sent: Cartesia and Mirai v2 read the call (Get Call) when the cancel's
//! answer leaves doubt, and that read counts; Mirai legacy cannot read calls and answers from the abort alone.

use std::sync::Arc;

use calls_facade::{CallControl, CallId, ErrorKind, TerminateOutcome};
use calls_sim::{Fault, Sim};

use crate::subject::{Subject, WRONG_KEY, retry, short_timeouts};

/// A simulator, a client of provider `p` with `retry`, and the row's call id.
async fn setup(
    p: Subject,
    retry: calls_facade::RetryConfig,
) -> (Sim, Arc<dyn CallControl>, CallId) {
    let sim = Sim::start().await.unwrap();
    let client = p.client(&sim, retry);
    (sim, client, CallId::new(p.call_id()).unwrap())
}

/// Scripts `fault` on the provider's cancel/abort route only, so a Get Call that follows is answered normally.
fn on_terminate(sim: &Sim, p: Subject, fault: Fault, times: u32) {
    sim.faults().on_route(p.terminate_route(), fault, times);
}

async fn success(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());

    let done = client.terminate(&id).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 1);
    assert_eq!(done.provider(), p.provider());
    assert_eq!(done.call_id(), &id);
    p.assert_requests(&sim, id.as_str(), 1, 0);
    assert_eq!(p.handled(&sim, id.as_str()), 1);
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

async fn already_over(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_ended(&sim, id.as_str());
    let before = p.state(&sim, id.as_str());

    let done = client.terminate(&id).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    // Cartesia's 400 and Mirai v2's 409 say "not active", not why: Get Call shows it ended on its own. Mirai
    // legacy's 400 says "Call already completed" itself.
    assert_eq!(done.attempts(), p.pick(2, 1, 2));
    p.assert_requests(&sim, id.as_str(), 1, p.pick(1, 0, 1));
    assert_eq!(p.state(&sim, id.as_str()), before);
}

async fn already_stopped_by_another_client(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_stopped_by_another_client(&sim, id.as_str());

    let done = client.terminate(&id).await.unwrap();
    // Ended by the API, but refused at our very first attempt: someone else did it, so not `Terminated`.
    assert_eq!(done.outcome(), TerminateOutcome::AlreadyEnded);
    assert_eq!(done.attempts(), p.pick(2, 1, 2));
    p.assert_requests(&sim, id.as_str(), 1, p.pick(1, 0, 1));
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

/// Cartesia cannot cancel a call still `created` (not yet answered); Mirai legacy cannot abort one `in-progress`.
/// Mirai v2 aborts at any stage, so it has no such row.
async fn not_terminable(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    match p {
        Subject::Cartesia => sim.cartesia().seed_call(
            calls_sim::CartesiaCallSeed::new(id.as_str(), "agent_e2e").status("created"),
        ),
        Subject::Mirai => sim.mirai().seed_call(id.as_str(), Some("in-progress")),
        Subject::MiraiV2 => unreachable!("Mirai v2 can abort a call at any stage"),
    }
    let before = p.state(&sim, id.as_str());

    let error = client.terminate(&id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotTerminable);
    // The provider answered the cancel with a 400 either way; Cartesia then read the call to tell `created` apart
    // from "already over".
    assert_eq!(error.status(), Some(400), "the cancel's answer");
    assert_eq!(error.attempts(), p.pick(2, 1, 0));
    assert_eq!(error.provider(), Some(p.provider()));
    assert_eq!(error.call_id(), Some(&id));
    assert!(!error.is_retryable());
    p.assert_requests(&sim, id.as_str(), 1, p.pick(1, 0, 0));
    assert_eq!(p.state(&sim, id.as_str()), before);
}

async fn not_found(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;

    let error = client.terminate(&id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.status(), Some(404));
    // Cartesia's 404 may mean "no active connection" for a call that exists: Get Call confirms there is no call.
    assert_eq!(error.attempts(), p.pick(2, 1, 1));
    assert_eq!(error.call_id(), Some(&id));
    p.assert_requests(&sim, id.as_str(), 1, p.pick(1, 0, 0));
    assert_eq!(p.state(&sim, id.as_str()), "missing");
}

async fn wrong_key(p: Subject) {
    let sim = Sim::start().await.unwrap();
    let client = p.client_with_wrong_key(&sim);
    let id = CallId::new(p.call_id()).unwrap();
    p.seed_live(&sim, id.as_str());

    let error = client.terminate(&id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.attempts(), 1, "a 401 is never retried");
    assert!(!error.is_retryable());
    p.assert_requests(&sim, id.as_str(), 1, 0);
    assert_eq!(
        sim.journal()
            .auth_count(p.terminate_route(), Some(id.as_str())),
        1
    );
    for shown in [format!("{error}"), format!("{error:?}")] {
        assert!(!shown.contains(WRONG_KEY), "{shown}");
    }
    assert_eq!(p.state(&sim, id.as_str()), p.live());
}

async fn transient_5xx_then_success(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, Fault::status(502), 2);

    let done = client.terminate(&id).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    // Two 502s, then the cancel; Cartesia and Mirai v2 read the call after each 502 before they cancel again.
    assert_eq!(done.attempts(), p.pick(5, 3, 5));
    p.assert_requests(&sim, id.as_str(), 3, p.pick(2, 0, 2));
    assert_eq!(p.handled(&sim, id.as_str()), 1);
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

async fn transient_5xx_beyond_the_budget(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, Fault::status(503), 3);

    let error = client.terminate(&id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Upstream);
    assert_eq!(error.status(), Some(503));
    // Three 503s spend the budget. Cartesia and Mirai v2 read the call after each and cancel again while it is live;
    // Mirai legacy retries; all then say the cancel did not take effect.
    assert_eq!(error.attempts(), p.pick(6, 3, 6));
    assert!(error.is_retryable());
    assert!(error.request_may_have_been_sent());
    p.assert_requests(&sim, id.as_str(), 3, p.pick(3, 0, 3));
    assert_eq!(p.handled(&sim, id.as_str()), 0);
    assert_eq!(p.state(&sim, id.as_str()), p.live());
}

async fn rate_limited_with_retry_after_then_success(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    let fault = Fault::Status {
        code: 429,
        retry_after: Some("0.01".to_owned()),
        body: None,
    };
    on_terminate(&sim, p, fault, 1);

    let done = client.terminate(&id).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 2, "the 429, then the cancel 10 ms later");
    // The 429 closed the client's shared gate once, which is what slows a bulk run down.
    assert_eq!(client.rate_limit().map(|t| t.events()), Some(1));
    p.assert_requests(&sim, id.as_str(), 2, 0);
    assert_eq!(p.handled(&sim, id.as_str()), 1);
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

async fn timeout_on_every_attempt(p: Subject) {
    let (sim, client, id) = setup(p, short_timeouts()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, Fault::Hang, 3);

    let error = client.terminate(&id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.status(), None);
    // Three 200 ms attempts hang. Cartesia and Mirai v2 read the call after each and, finding it still live, cancel
    // again (never straight after a doubtful cancel); Mirai legacy cannot read calls and retries.
    assert_eq!(error.attempts(), p.pick(6, 3, 6));
    assert!(error.request_may_have_been_sent());
    assert!(error.is_retryable());
    p.assert_requests(&sim, id.as_str(), 3, p.pick(3, 0, 3));
    assert_eq!(p.handled(&sim, id.as_str()), 0);
    assert_eq!(p.state(&sim, id.as_str()), p.live());
}

async fn timeout_once_then_success(p: Subject) {
    let (sim, client, id) = setup(p, short_timeouts()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, Fault::Hang, 1);

    let done = client.terminate(&id).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    // The hung attempt, then the cancel; Cartesia and Mirai v2 read the call between the two.
    assert_eq!(done.attempts(), p.pick(3, 2, 3));
    p.assert_requests(&sim, id.as_str(), 2, p.pick(1, 0, 1));
    assert_eq!(p.handled(&sim, id.as_str()), 1);
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

async fn reset_once_then_success(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, Fault::Reset, 1);

    let done = client.terminate(&id).await.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    // The reset attempt, then the cancel; Cartesia and Mirai v2 read the call between the two.
    assert_eq!(done.attempts(), p.pick(3, 2, 3));
    p.assert_requests(&sim, id.as_str(), 2, p.pick(1, 0, 1));
    assert_eq!(p.handled(&sim, id.as_str()), 1);
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

async fn reset_on_every_attempt(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, Fault::Reset, 3);

    let error = client.terminate(&id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(error.status(), None);
    assert_eq!(error.attempts(), p.pick(6, 3, 6));
    assert!(error.request_may_have_been_sent());
    assert!(error.is_retryable());
    p.assert_requests(&sim, id.as_str(), 3, p.pick(3, 0, 3));
    assert_eq!(p.handled(&sim, id.as_str()), 0);
    assert_eq!(p.state(&sim, id.as_str()), p.live());
}

async fn lost_reply(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, Fault::LostReply, 1);

    let done = client.terminate(&id).await.unwrap();
    // The first cancel/abort ended the call, then its connection was reset:
    // - Cartesia and Mirai v2 read before they cancel again: Get Call shows the call ended by the API after a cancel
    //   of ours may have landed, so ours did it: 1 cancel + 1 Get Call = 2 attempts, and no second cancel.
    // - Mirai legacy retries (a repeat is harmless): abort #2 gets 400 "Call already aborted" on a retry, so ours
    //   did it: 2 attempts, no read (the legacy API cannot read calls).
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), p.pick(2, 2, 2));
    p.assert_requests(&sim, id.as_str(), p.pick(1, 2, 1), p.pick(1, 0, 1));
    // Every request reached the handler; only the first changed the call, which ended once.
    assert_eq!(p.handled(&sim, id.as_str()), p.pick(1, 2, 1));
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

async fn malformed_200(p: Subject) {
    unclear_200(p, Fault::MalformedJson).await;
}

async fn wrong_shape_200(p: Subject) {
    unclear_200(p, Fault::WrongShape).await;
}

/// A 200 that is not the provider's answer: `{"cancelled": tru` (malformed) or `{"ok":1}` (a proxy's answer, say).
/// The fault answers in the handler's place, so the call is still live after the first request: `Ok` (the call is
/// over) would be untrue.
async fn unclear_200(p: Subject, fault: Fault) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    on_terminate(&sim, p, fault, 1);

    let result = client.terminate(&id).await;
    if p == Subject::Mirai {
        // The legacy API cannot read the call, so it asks once more (abort is safe to repeat): the second abort
        // reaches the handler and stops the call, which is now the truth: terminated, after 2 aborts.
        let done = result.unwrap();
        assert_eq!(done.outcome(), TerminateOutcome::Terminated);
        assert_eq!(done.attempts(), 2);
        p.assert_requests(&sim, id.as_str(), 2, 0);
        assert_eq!(p.handled(&sim, id.as_str()), 1);
        assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
        return;
    }
    // Cartesia and Mirai v2 read the call, find it still live, and cancel again: the second cancel reaches the
    // handler.
    let done = result.unwrap();
    assert_eq!(done.outcome(), TerminateOutcome::Terminated);
    assert_eq!(done.attempts(), 3);
    p.assert_requests(&sim, id.as_str(), 2, 1);
    assert_eq!(p.handled(&sim, id.as_str()), 1);
    assert_eq!(p.state(&sim, id.as_str()), p.stopped_by_api());
}

async fn huge_error_body(p: Subject) {
    let (sim, client, id) = setup(p, retry()).await;
    p.seed_live(&sim, id.as_str());
    // A gateway's 1 MiB error page on every attempt: the client reads at most 64 KiB of each.
    let page = format!("<html>{}</html>", "x".repeat(1 << 20));
    let fault = Fault::Status {
        code: 503,
        retry_after: None,
        body: Some(page),
    };
    on_terminate(&sim, p, fault, 3);

    let error = client.terminate(&id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Upstream);
    assert_eq!(error.status(), Some(503));
    // Cartesia and Mirai v2 read the call after each 503 and cancel again while it is live; Mirai legacy retries.
    assert_eq!(error.attempts(), p.pick(6, 3, 6));
    let quoted = error.provider_message().unwrap();
    assert!(quoted.starts_with("<html>xxx"), "{quoted}");
    assert!(quoted.chars().count() <= 301, "quoted text is truncated");
    assert!(error.to_string().len() < 1_000);
    p.assert_requests(&sim, id.as_str(), 3, p.pick(3, 0, 3));
    assert_eq!(p.state(&sim, id.as_str()), p.live());
}

/// One `#[tokio::test]` per row, named `matrix::<provider>::<row>`.
macro_rules! rows {
    ($provider:ident = $subject:expr; $($row:ident),* $(,)?) => {
        mod $provider {
            $(
                #[tokio::test]
                async fn $row() {
                    super::$row($subject).await;
                }
            )*
        }
    };
}

rows!(cartesia = crate::subject::Subject::Cartesia;
    success,
    already_over,
    already_stopped_by_another_client,
    not_terminable,
    not_found,
    wrong_key,
    transient_5xx_then_success,
    transient_5xx_beyond_the_budget,
    rate_limited_with_retry_after_then_success,
    timeout_on_every_attempt,
    timeout_once_then_success,
    reset_once_then_success,
    reset_on_every_attempt,
    lost_reply,
    malformed_200,
    wrong_shape_200,
    huge_error_body,
);

rows!(mirai = crate::subject::Subject::Mirai;
    success,
    already_over,
    already_stopped_by_another_client,
    not_terminable,
    not_found,
    wrong_key,
    transient_5xx_then_success,
    transient_5xx_beyond_the_budget,
    rate_limited_with_retry_after_then_success,
    timeout_on_every_attempt,
    timeout_once_then_success,
    reset_once_then_success,
    reset_on_every_attempt,
    lost_reply,
    malformed_200,
    wrong_shape_200,
    huge_error_body,
);

// No `not_terminable`: the new API aborts a call at any stage, live calls included.
rows!(mirai_v2 = crate::subject::Subject::MiraiV2;
    success,
    already_over,
    already_stopped_by_another_client,
    not_found,
    wrong_key,
    transient_5xx_then_success,
    transient_5xx_beyond_the_budget,
    rate_limited_with_retry_after_then_success,
    timeout_on_every_attempt,
    timeout_once_then_success,
    reset_once_then_success,
    reset_on_every_attempt,
    lost_reply,
    malformed_200,
    wrong_shape_200,
    huge_error_body,
);
