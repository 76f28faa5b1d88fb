//! Stopping at scale from the shell: stop-number, batch stop, campaign stop, the do-not-call list, and the demo.

use calls_sim::{CartesiaCallSeed, MiraiV2CallSeed, MiraiV2CampaignSeed, Route, Sim};
use serde_json::json;

use crate::support::{callctl, json_lines, stderr};

const NUMBER: &str = "+919876543210";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_number_reports_every_step_and_every_call() {
    let sim = Sim::start().await.unwrap();
    let mut to = serde_json::Map::new();
    to.insert("to".into(), json!(NUMBER));
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("c_live", "agent_sales")
            .status("started")
            .telephony_params(to),
    );
    sim.mirai_v2().seed_call(
        MiraiV2CallSeed::new("call_l", "agt")
            .status("in_progress")
            .to(NUMBER),
    );
    sim.mirai().seed_call("68f0a1b2c3d4e5f600000901", None);
    let output = callctl(&sim)
        .args([
            "stop-number",
            NUMBER,
            "--cartesia-agent-id",
            "agent_sales",
            "--mirai-call-id",
        ])
        .args(["68f0a1b2c3d4e5f600000901", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = json_lines(&output);
    let step = |provider: &str, step: &str| {
        lines
            .iter()
            .find(|l| l["provider"] == provider && l["step"] == step)
            .map(|l| l["result"].clone())
    };
    assert_eq!(step("cartesia", "suppress"), Some(json!("unsupported")));
    assert_eq!(step("mirai", "search"), Some(json!("unsupported")));
    let calls: Vec<_> = lines
        .iter()
        .filter(|l| l.get("call_id").is_some())
        .collect();
    assert_eq!(calls.len(), 3);
    assert!(
        calls.iter().all(|l| l["outcome"] == "terminated"),
        "{calls:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["step"] == "suppress" && l["result"] == "added")
    );
    assert_eq!(sim.mirai_v2().dnc_numbers(), [NUMBER.to_owned()]);

    // Cartesia configured but no agents to search: a usage error, nothing sent.
    let before = sim.journal().total();
    let output = callctl(&sim)
        .args(["stop-number", NUMBER])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(sim.journal().total(), before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_stop_and_campaign_stop_and_the_dnc_list() {
    let sim = Sim::start().await.unwrap();
    let run = |args: &[&str]| {
        callctl(&sim)
            .args(args)
            .args(["--output", "json"])
            .output()
            .unwrap()
    };

    let output = run(&[
        "cartesia",
        "batch",
        "create",
        "--name",
        "b",
        "--agent-id",
        "a",
        "--from-number-id",
        "ap_1",
    ]
    .iter()
    .copied()
    .chain([
        "--to",
        "+14155550101",
        "--to",
        "+14155550102",
        "--to",
        "+14155550103",
    ])
    .collect::<Vec<_>>());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let batch = json_lines(&output)[0]["id"].as_str().unwrap().to_owned();
    let placed = sim.cartesia().dispatch_batch(&batch, 1).unwrap();
    sim.cartesia().set_status(&placed[0], "started").unwrap();
    let output = run(&["cartesia", "batch", "stop", &batch, "--cancel-live-calls"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["call_id"], placed[0].as_str());
    assert_eq!(lines[0]["outcome"], "terminated");
    assert!(
        stderr(&output).contains("2 recipients withdrawn"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        sim.journal()
            .count(Route::CartesiaBatchCancel, Some(&batch)),
        1
    );

    sim.mirai_v2().seed_campaign(
        MiraiV2CampaignSeed::new("cmp_1", "agt")
            .status("play")
            .contact("+919876543201"),
    );
    let output = run(&["mirai-v2", "campaign", "stop", "cmp_1"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json_lines(&output)[0]["status"], "stopped");
    assert_eq!(
        sim.mirai_v2().campaign("cmp_1").unwrap().status(),
        "stopped"
    );

    let output = run(&["mirai-v2", "dnc", "add", NUMBER]);
    assert_eq!(json_lines(&output)[0]["added"], true);
    let output = run(&["mirai-v2", "dnc", "add", NUMBER]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json_lines(&output)[0]["added"], false);
    let output = run(&["mirai-v2", "dnc", "list"]);
    assert_eq!(json_lines(&output).len(), 1);
    let output = run(&["mirai-v2", "dnc", "remove", NUMBER]);
    assert_eq!(json_lines(&output)[0]["removed"], true);
    sim.shutdown().await;
}

#[test]
fn the_demo_runs_offline_and_exits_0() {
    let output = assert_cmd::Command::cargo_bin("callctl")
        .unwrap()
        .env_clear()
        .args(["demo", "--bulk", "300"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "cartesia ac_live: terminated",
        "mirai 68f0a1b2c3d4e5f600000901: terminated",
        "cartesia ac_over: already_ended",
        "cartesia ac_lost: terminated",
        "campaign cmp_demo is stopped",
        "call_to_customer terminated",
        "300 terminated, 0 already ended, 0 failed, 0 not attempted",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
