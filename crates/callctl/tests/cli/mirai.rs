//! The Mirai commands, both APIs.

use calls_sim::{MiraiV2CallSeed, Route, Sim};

use crate::support::{by_id, callctl, json_lines, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_initiate_then_update_then_abort() {
    let sim = Sim::start().await.unwrap();
    let run = |args: &[&str]| {
        callctl(&sim)
            .args(args)
            .args(["--output", "json"])
            .output()
            .unwrap()
    };

    let output = run(&[
        "mirai",
        "initiate",
        "--phone-number",
        "+919876543210",
        "--assistant",
        "asst_1",
        "--metadata",
        r#"{"order":"8842"}"#,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let queued = &json_lines(&output)[0];
    let id = queued["call_id"].as_str().unwrap().to_owned();
    assert_eq!(queued["status"], "initiate");
    assert_eq!(
        sim.mirai().call(&id).unwrap().phone_number(),
        Some("+919876543210")
    );

    let output = run(&["mirai", "update", &id, "--payload", r#"{"name":"Asha"}"#]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let output = run(&["mirai", "abort", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(by_id(&json_lines(&output))[&id]["outcome"], "terminated");
    assert_eq!(sim.mirai().call(&id).unwrap().status(), Some("aborted"));

    // A bad number is refused before anything is sent: a usage error.
    let before = sim.journal().total();
    let output = run(&[
        "mirai",
        "initiate",
        "--phone-number",
        "98765",
        "--assistant",
        "asst_1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(sim.journal().total(), before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_create_read_and_abort_at_any_stage() {
    let sim = Sim::start().await.unwrap();
    let run = |args: &[&str]| {
        callctl(&sim)
            .args(args)
            .args(["--output", "json"])
            .output()
            .unwrap()
    };

    let output = run(&[
        "mirai-v2",
        "create",
        "--agent-id",
        "agt_1",
        "--to",
        "+14155550123",
        "--idempotency-key",
        "order-1",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let created = json_lines(&output)[0].clone();
    let id = created["call_id"].as_str().unwrap().to_owned();
    // The same key again places no second call.
    let again = run(&[
        "mirai-v2",
        "create",
        "--agent-id",
        "agt_1",
        "--to",
        "+14155550123",
        "--idempotency-key",
        "order-1",
    ]);
    assert_eq!(json_lines(&again)[0]["call_id"], created["call_id"]);
    assert_eq!(sim.journal().route_count(Route::MiraiV2Create), 2);

    let output = run(&["mirai-v2", "status", &id]);
    assert_eq!(json_lines(&output)[0]["state"], "queued");

    sim.mirai_v2()
        .seed_call(MiraiV2CallSeed::new("call_live", "agt_1").status("in_progress"));
    let output = run(&["mirai-v2", "abort", &id, "call_live", "call_missing"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines[&id]["outcome"], "terminated");
    assert_eq!(lines["call_live"]["outcome"], "terminated");
    assert_eq!(lines["call_missing"]["error"]["kind"], "not_found");
    assert_eq!(
        sim.mirai_v2().call("call_live").unwrap().status(),
        "aborted"
    );

    let output = run(&[
        "mirai-v2",
        "list",
        "--agent-id",
        "agt_1",
        "--page-size",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json_lines(&output).len(), 2);

    let output = run(&["mirai-v2", "get", "call_live"]);
    assert_eq!(json_lines(&output)[0]["status"], "aborted");
    sim.shutdown().await;
}
