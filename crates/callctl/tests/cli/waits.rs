//! What callctl waits for, and says: a pause the provider asks for, and calls still ringing when they are stopped.

use calls_sim::{CartesiaCallSeed, Fault, Route, Sim};

use crate::support::{by_id, callctl, json_lines, stderr};

fn rate_limit(retry_after: &str) -> Fault {
    Fault::Status {
        code: 429,
        retry_after: Some(retry_after.to_owned()),
        body: None,
    }
}

/// `count` started Cartesia calls, named `prefix` and a number.
fn seed_started(sim: &Sim, prefix: &str, count: usize) -> Vec<String> {
    let ids: Vec<String> = (0..count).map(|n| format!("{prefix}{n:03}")).collect();
    for id in &ids {
        sim.cartesia()
            .seed_call(CartesiaCallSeed::new(id.clone(), "agent").status("started"));
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_the_provider_asks_for_fails_no_id_waiting_in_line() {
    let sim = Sim::start().await.unwrap();
    let ids = seed_started(&sim, "p", 300);
    // One 429 early in the run asks for a pause longer than the operation deadline given (`--timeout` per attempt
    // and the 30 s default per operation would both be charged it if waiting in line counted).
    sim.faults()
        .on_route(Route::CartesiaCancel, rate_limit("1"), 1);
    let output = callctl(&sim)
        .args([
            "cartesia",
            "cancel",
            "--output",
            "json",
            "--concurrency",
            "16",
        ])
        .args(&ids)
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{errors}");
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines.len(), 300);
    assert!(
        lines.values().all(|l| l["outcome"] == "terminated"),
        "no id failed for waiting in line: {errors}"
    );
    assert!(errors.contains("paused by the provider"), "{errors}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_past_max_pause_ends_the_run_with_the_unsent_ids_not_attempted() {
    let sim = Sim::start().await.unwrap();
    let ids = seed_started(&sim, "q", 50);
    sim.faults()
        .on_route(Route::CartesiaCancel, rate_limit("3600"), 1);
    let output = callctl(&sim)
        .args([
            "cartesia",
            "cancel",
            "--output",
            "json",
            "--concurrency",
            "1",
        ])
        .args(["--max-pause", "5"])
        .args(&ids)
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{errors}");
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines.len(), 50, "every id is answered");
    // The one id whose cancel got the 429 was refused, certainly: it failed, rate limited, and says so. Every
    // other id was never sent.
    let failed: Vec<&serde_json::Value> = lines
        .values()
        .filter(|l| l["outcome"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["error"]["kind"], "rate_limited");
    assert_eq!(failed[0]["error"]["status"], 429);
    let not_attempted: Vec<&String> = lines
        .iter()
        .filter(|(_, l)| l["outcome"] == "not_attempted")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(not_attempted.len(), 49, "{not_attempted:?}");
    for id in not_attempted {
        assert_eq!(
            sim.journal().count(Route::CartesiaCancel, Some(id)),
            0,
            "{id} was not_attempted, so never sent"
        );
    }
    assert!(errors.contains("longer than --max-pause"), "{errors}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ringing_calls_are_waited_for_and_stopped_when_answered() {
    let sim = Sim::start().await.unwrap();
    let calls = sim.cartesia();
    calls.seed_call(
        CartesiaCallSeed::new("rings", "agent")
            .status("created")
            .answer_after_reads(2),
    );
    calls.seed_call(
        CartesiaCallSeed::new("answered_meanwhile", "agent")
            .status("created")
            .answer_at_first_cancel(),
    );
    calls.seed_call(CartesiaCallSeed::new("live", "agent").status("started"));
    let output = callctl(&sim)
        .args(["cartesia", "cancel", "rings", "answered_meanwhile", "live"])
        .args(["--output", "json"])
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{errors}");
    let lines = by_id(&json_lines(&output));
    for id in ["rings", "answered_meanwhile", "live"] {
        assert_eq!(lines[id]["outcome"], "terminated", "{id}: {errors}");
    }
    // The call answered between our cancel and our read got a 400, a read showing it started, and a second cancel.
    assert_eq!(
        sim.journal()
            .count(Route::CartesiaCancel, Some("answered_meanwhile")),
        2
    );
    assert!(
        errors.contains("still ringing"),
        "the summary says what the wait cost: {errors}"
    );
    sim.shutdown().await;
}

/// Cancels one call that keeps ringing, with `--ring-wait ring_wait`: its line, after checking it failed, exit 1.
async fn cancel_a_call_that_keeps_ringing(ring_wait: &str) -> serde_json::Value {
    let sim = Sim::start().await.unwrap();
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("rings", "agent")
            .status("created")
            .answer_after_reads(1_000),
    );
    let output = callctl(&sim)
        .args(["cartesia", "cancel", "rings", "--ring-wait", ring_wait])
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let line = by_id(&json_lines(&output)).remove("rings").unwrap();
    assert_eq!(line["outcome"], "failed");
    sim.shutdown().await;
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_ring_wait_a_ringing_call_is_reported_not_terminable() {
    let line = cancel_a_call_that_keeps_ringing("0").await;
    assert_eq!(line["error"]["kind"], "not_terminable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ring_wait_that_runs_out_says_how_long_it_waited() {
    let line = cancel_a_call_that_keeps_ringing("0.3").await;
    assert_eq!(line["error"]["kind"], "not_terminable");
    let message = line["error"]["message"].as_str().unwrap();
    assert!(message.contains("after a ring wait of"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_number_waits_out_a_pause_and_says_so() {
    const NUMBER: &str = "+919876543210";
    let sim = Sim::start().await.unwrap();
    for n in 0..5 {
        sim.mirai_v2().seed_call(
            calls_sim::MiraiV2CallSeed::new(format!("m{n}"), "agt")
                .status("in_progress")
                .to(NUMBER),
        );
    }
    sim.faults()
        .on_route(Route::MiraiV2Abort, rate_limit("1"), 1);
    let output = callctl(&sim)
        .args([
            "stop-number",
            NUMBER,
            "--providers",
            "mirai-v2",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{errors}");
    let calls: Vec<serde_json::Value> = json_lines(&output)
        .into_iter()
        .filter(|line| line.get("call_id").is_some())
        .collect();
    assert_eq!(calls.len(), 5);
    assert!(
        calls.iter().all(|line| line["outcome"] == "terminated"),
        "{calls:?}"
    );
    assert!(errors.contains("paused by the provider"), "{errors}");
    sim.shutdown().await;
}
