//! `cartesia cancel` and `mirai abort`: one JSON line per id, the exit status, stdin, repeats and Ctrl-C.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use calls_sim::{CartesiaCallSeed, Fault, Route, Sim};

use crate::support::{by_id, callctl, json_lines, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_id_gets_one_json_line_and_the_exit_status_says_whether_all_ended() {
    let sim = Sim::start().await.unwrap();
    let calls = sim.cartesia();
    calls.seed_call(CartesiaCallSeed::new("live", "agent").status("started"));
    calls.seed_call(
        CartesiaCallSeed::new("over", "agent")
            .status("completed")
            .end_reason("agent_hangup"),
    );
    calls.seed_call(CartesiaCallSeed::new("flaky", "agent").status("started"));
    sim.faults().on_call("flaky", Fault::status(502), 1);
    let output = callctl(&sim)
        .args([
            "cartesia",
            "cancel",
            "live",
            "over",
            "flaky",
            "--output",
            "json",
            "--max-attempts",
            "3",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines.len(), 3);
    assert_eq!(lines["live"]["outcome"], "terminated");
    assert_eq!(lines["live"]["provider"], "cartesia");
    assert_eq!(lines["live"]["attempts"], 1);
    assert_eq!(lines["live"]["error"], serde_json::Value::Null);
    assert_eq!(lines["over"]["outcome"], "already_ended");
    assert_eq!(lines["flaky"]["outcome"], "terminated");
    // The 502 leaves doubt: read, still started, cancel again; the second cancel is the one that reached Cartesia.
    assert_eq!(lines["flaky"]["attempts"], 3);
    assert_eq!(sim.journal().count(Route::CartesiaCancel, Some("flaky")), 2);
    assert_eq!(sim.journal().count(Route::CartesiaGet, Some("flaky")), 1);
    assert_eq!(
        sim.journal().handled(Route::CartesiaCancel, Some("flaky")),
        1
    );
    assert!(
        stderr(&output)
            .contains("3 calls: 2 terminated, 1 already ended, 0 failed, 0 not attempted")
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_exits_1_with_its_kind_and_status() {
    let sim = Sim::start().await.unwrap();
    sim.mirai().seed_call("q1", None);
    let output = callctl(&sim)
        .args(["mirai", "abort", "q1", "missing", "", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines["q1"]["outcome"], "terminated");
    assert_eq!(lines["q1"]["provider"], "mirai");
    assert_eq!(lines["missing"]["outcome"], "failed");
    assert_eq!(lines["missing"]["error"]["kind"], "not_found");
    assert_eq!(lines["missing"]["error"]["status"], 404);
    assert_eq!(lines[""]["error"]["kind"], "invalid_input");
    assert_eq!(lines[""]["error"]["status"], serde_json::Value::Null);
    assert_eq!(lines[""]["attempts"], 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_come_from_stdin_blank_lines_are_skipped_and_a_repeated_id_is_sent_once() {
    let sim = Sim::start().await.unwrap();
    for id in ["a", "b", "c"] {
        sim.cartesia()
            .seed_call(CartesiaCallSeed::new(id, "agent").status("started"));
    }
    let mut child = callctl(&sim)
        .args(["cartesia", "cancel", "--ids-from", "-", "--output", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a\n\n  b  \r\na\nc\n\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines.len(), 3);
    assert_eq!(sim.journal().count(Route::CartesiaCancel, Some("a")), 1);
    assert_eq!(sim.journal().route_count(Route::CartesiaCancel), 3);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_distinct_ids_a_repeat_is_sent_again_and_told_already_ended() {
    let sim = Sim::start().await.unwrap();
    sim.cartesia()
        .seed_call(CartesiaCallSeed::new("a", "agent").status("started"));
    let output = callctl(&sim)
        .args([
            "cartesia",
            "cancel",
            "a",
            "a",
            "--distinct-ids",
            "--output",
            "json",
        ])
        .args(["--concurrency", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let outcomes: Vec<String> = json_lines(&output)
        .iter()
        .map(|line| line["outcome"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(outcomes, ["terminated", "already_ended"]);
    assert_eq!(sim.journal().count(Route::CartesiaCancel, Some("a")), 2);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_from_a_file_combine_with_arguments() {
    let sim = Sim::start().await.unwrap();
    for n in 0..50 {
        sim.cartesia()
            .seed_call(CartesiaCallSeed::new(format!("f{n}"), "agent").status("started"));
    }
    let dir = std::env::temp_dir().join(format!("callctl-ids-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ids.txt");
    let ids: String = (1..50).map(|n| format!("f{n}\n")).collect();
    std::fs::write(&file, ids).unwrap();
    let output = callctl(&sim)
        .args(["cartesia", "cancel", "f0", "--ids-from"])
        .arg(&file)
        .args(["--output", "json", "--concurrency", "8"])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(by_id(&json_lines(&output)).len(), 50);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupt_mid_batch_loses_no_id() {
    let sim = Sim::start().await.unwrap();
    let total = 400;
    let ids: Vec<String> = (0..total).map(|n| format!("slow_{n}")).collect();
    for id in &ids {
        sim.cartesia()
            .seed_call(CartesiaCallSeed::new(id.clone(), "agent").status("started"));
    }
    sim.faults().on_route(
        Route::CartesiaCancel,
        Fault::Latency(Duration::from_millis(40)),
        u32::MAX,
    );
    let mut child = tokio::process::Command::from(callctl(&sim))
        .args([
            "cartesia",
            "cancel",
            "--ids-from",
            "-",
            "--output",
            "json",
            "--concurrency",
            "2",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stdin, (ids.join("\n") + "\n").as_bytes())
        .await
        .unwrap();
    drop(stdin);
    // Interrupt once a few cancels have reached the sandbox.
    while sim.journal().route_count(Route::CartesiaCancel) < 4 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let output = child.wait_with_output().await.unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines.len(), total, "every id is reported");
    let count = |outcome: &str| lines.values().filter(|l| l["outcome"] == outcome).count();
    let sent = sim.journal().route_count(Route::CartesiaCancel) as usize;
    assert_eq!(
        count("terminated"),
        sent,
        "each request sent finished and was reported"
    );
    assert_eq!(count("terminated") + count("not_attempted"), total);
    assert!(count("not_attempted") > total / 2, "the batch did not stop");
    assert!(
        lines
            .values()
            .filter(|l| l["outcome"] == "not_attempted")
            .all(|l| l["attempts"] == 0)
    );
    assert!(stderr(&output).contains("interrupted"));
    sim.shutdown().await;
}
