//! callctl where operators run it: ids from a process substitution, `/dev/stdin`, a FIFO and a slow producer;
//! Ctrl-C while the producer is alive; stdout on a full disk and into a closed pipe; a bad line mid-stream;
//! stop-number with a failing agent and a slow provider.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use calls_sim::{CartesiaCallSeed, Fault, MiraiV2CallSeed, Route, Sim};

use crate::support::{by_id, callctl, json_lines, shell, stderr};

/// Long enough for any of these runs on a loaded 2-core machine; a run that takes longer is hung.
const HUNG: Duration = Duration::from_secs(20);

fn seed_started(sim: &Sim, ids: &[&str]) {
    for id in ids {
        sim.cartesia()
            .seed_call(CartesiaCallSeed::new(*id, "agent").status("started"));
    }
}

/// `callctl cartesia cancel --ids-from - --output json` and `extra`, its stdin, stdout and stderr piped.
fn cancel_from_stdin(sim: &Sim, extra: &[&str]) -> Child {
    callctl(sim)
        .args(["cartesia", "cancel", "--ids-from", "-", "--output", "json"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the sandbox has received a cancel of `id`.
async fn cancel_reached(sim: &Sim, id: &str) {
    while sim.journal().count(Route::CartesiaCancel, Some(id)) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits for `child` to exit, failing the test if it is still running after [`HUNG`].
fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > HUNG {
            let _ = child.kill();
            panic!("callctl did not exit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Reads `child`'s stdout and stderr on threads: stdout line by line as it comes, stderr whole at the end.
fn read_output(child: &mut Child) -> (mpsc::Receiver<String>, std::thread::JoinHandle<String>) {
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
        text
    });
    (rx, errors)
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"))
}

fn interrupt(child: &Child) {
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_from_a_process_substitution_are_all_sent() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["p1", "p2", "p3"]);
    let output = shell(
        &sim,
        r#""$CALLCTL" cartesia cancel --ids-from <(printf 'p1\np2\n'; printf 'p3\n') --output json"#,
    )
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines.len(), 3);
    assert!(lines.values().all(|l| l["outcome"] == "terminated"));
    assert_eq!(sim.journal().route_count(Route::CartesiaCancel), 3);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_from_dev_stdin_fed_by_a_pipe_are_all_sent() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["s1", "s2"]);
    let mut child = callctl(&sim)
        .args([
            "cartesia",
            "cancel",
            "--ids-from",
            "/dev/stdin",
            "--output",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"s1\ns2\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(by_id(&json_lines(&output)).len(), 2);
    assert_eq!(sim.journal().route_count(Route::CartesiaCancel), 2);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_from_a_fifo_are_read_once_and_all_sent() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["f1", "f2"]);
    let dir = std::env::temp_dir().join(format!("callctl-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("ids");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = callctl(&sim)
        .args(["cartesia", "cancel", "--output", "json", "--ids-from"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Opening the FIFO for writing waits for callctl to open it for reading: once.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .unwrap()
        .write_all(b"f1\nf2\n")
        .unwrap();
    let status = wait_exit(&mut child);
    let output = child.wait_with_output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(by_id(&json_lines(&output)).len(), 2);
    assert_eq!(sim.journal().route_count(Route::CartesiaCancel), 2);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_is_written_before_the_next_id_arrives() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["first", "second"]);
    let mut child = cancel_from_stdin(&sim, &[]);
    let mut stdin = child.stdin.take().unwrap();
    let (lines, errors) = read_output(&mut child);
    stdin.write_all(b"first\n").unwrap();
    stdin.flush().unwrap();
    // The producer is silent until the first answer is out.
    let first = lines
        .recv_timeout(HUNG)
        .expect("the first id's line, before the second id is written");
    // The contract's line, byte for byte.
    assert_eq!(
        first,
        r#"{"attempts":1,"call_id":"first","error":null,"outcome":"terminated","provider":"cartesia"}"#
    );
    stdin.write_all(b"second\n").unwrap();
    drop(stdin);
    let second = lines.recv_timeout(HUNG).unwrap();
    assert_eq!(json(&second)["call_id"], "second");
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(0), "{}", errors.join().unwrap());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_with_a_live_producer_returns_and_reports_every_id_read_once() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["slow", "queued_1", "queued_2"]);
    sim.faults()
        .on_call("slow", Fault::Latency(Duration::from_millis(500)), 1);
    let mut child = cancel_from_stdin(&sim, &["--concurrency", "1"]);
    // The producer writes three ids in one write and stays alive: stdin is never closed.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"slow\nqueued_1\nqueued_2\n").unwrap();
    stdin.flush().unwrap();
    let (lines, errors) = read_output(&mut child);
    cancel_reached(&sim, "slow").await;
    interrupt(&child);
    let status = wait_exit(&mut child);
    let errors = errors.join().unwrap();
    assert_eq!(status.code(), Some(1), "{errors}");
    let lines: Vec<serde_json::Value> = lines.try_iter().map(|l| json(&l)).collect();
    let lines = by_id(&lines);
    assert_eq!(lines.len(), 3, "every id read is reported once: {lines:?}");
    assert_eq!(
        lines["slow"]["outcome"], "terminated",
        "the request in flight finished"
    );
    for id in ["queued_1", "queued_2"] {
        assert_eq!(lines[id]["outcome"], "not_attempted");
        assert_eq!(sim.journal().count(Route::CartesiaCancel, Some(id)), 0);
    }
    assert!(errors.contains("interrupted"), "{errors}");
    assert!(
        errors.contains("the input was not read to its end: 3 lines read"),
        "{errors}"
    );
    drop(stdin);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_writes_what_is_known_and_quits_at_once() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["fast", "hung"]);
    sim.faults().on_call("hung", Fault::Hang, 1);
    let mut child = cancel_from_stdin(&sim, &[]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"fast\nhung\n").unwrap();
    stdin.flush().unwrap();
    let (lines, errors) = read_output(&mut child);
    let first = lines.recv_timeout(HUNG).unwrap();
    assert_eq!(json(&first)["call_id"], "fast");
    cancel_reached(&sim, "hung").await;
    interrupt(&child);
    // Two interrupts a moment apart, as a person presses Ctrl-C twice.
    std::thread::sleep(Duration::from_millis(200));
    interrupt(&child);
    let status = wait_exit(&mut child);
    let errors = errors.join().unwrap();
    assert_eq!(status.code(), Some(1), "{errors}");
    assert!(errors.contains("quit on a second interrupt"), "{errors}");
    assert!(errors.contains("1 calls: 1 terminated"), "{errors}");
    assert!(lines.try_iter().all(|l| json(&l)["call_id"] != "hung"));
    drop(stdin);
    sim.shutdown().await;
}

/// Lost output is said on stderr, counted, and exits 1, while every call is still stopped.
fn assert_lost_but_stopped(sim: &Sim, status: Option<i32>, errors: &str, calls: usize) {
    assert_eq!(status, Some(1), "{errors}");
    assert!(
        errors.contains("writing results to stdout failed"),
        "{errors}"
    );
    assert!(
        errors.contains("result lines could not be written to stdout"),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("{calls} calls: {calls} terminated")),
        "{errors}"
    );
    assert_eq!(
        sim.journal().route_count(Route::CartesiaCancel),
        calls as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdout_on_a_full_disk_is_said_on_stderr_and_exits_1_while_every_call_is_stopped() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["d1", "d2", "d3"]);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = callctl(&sim)
        .args(["cartesia", "cancel", "d1", "d2", "d3", "--output", "json"])
        .stdout(full)
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_lost_but_stopped(&sim, output.status.code(), &errors, 3);
    assert!(
        errors.contains("3 result lines could not be written"),
        "{errors}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipe_into_head_that_went_away_is_said_on_stderr_and_exits_1_while_every_call_is_stopped()
{
    let sim = Sim::start().await.unwrap();
    // More lines than a pipe holds (64 KiB), so callctl is still writing when `head` has its line and exits.
    let ids: Vec<String> = (0..2000).map(|n| format!("h{n:04}")).collect();
    let names: Vec<&str> = ids.iter().map(String::as_str).collect();
    seed_started(&sim, &names);
    let dir = std::env::temp_dir().join(format!("callctl-head-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ids.txt");
    std::fs::write(&file, ids.join("\n")).unwrap();
    let script = format!(
        r#""$CALLCTL" cartesia cancel --ids-from '{}' --output json 2>"$ERRORS" | head -n 1; exit "${{PIPESTATUS[0]}}""#,
        file.display()
    );
    let errors_file = dir.join("stderr.txt");
    let output = shell(&sim, &script)
        .env("ERRORS", &errors_file)
        .output()
        .unwrap();
    let errors = std::fs::read_to_string(&errors_file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
    assert_lost_but_stopped(&sim, output.status.code(), &errors, 2000);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_that_is_not_utf8_or_not_an_id_gets_its_own_failed_line_and_reading_goes_on() {
    let sim = Sim::start().await.unwrap();
    seed_started(&sim, &["u1", "u2", "u3"]);
    let mut child = cancel_from_stdin(&sim, &[]);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"u1\ncall_\xff\xfe\n\nu2\na\x1bb\nu3\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = by_id(&json_lines(&output));
    assert_eq!(lines.len(), 5, "{lines:?}");
    for id in ["u1", "u2", "u3"] {
        assert_eq!(lines[id]["outcome"], "terminated");
    }
    let bad = &lines["call_\\xff\\xfe"];
    assert_eq!(bad["outcome"], "failed");
    assert_eq!(bad["error"]["kind"], "invalid_input");
    assert_eq!(bad["line"], 2);
    assert_eq!(bad["attempts"], 0);
    let control = &lines["a\u{1b}b"];
    assert_eq!(control["error"]["kind"], "invalid_input");
    assert_eq!(control["line"], 5);
    assert_eq!(sim.journal().route_count(Route::CartesiaCancel), 3);
    assert!(stderr(&output).contains("5 calls: 3 terminated, 0 already ended, 2 failed"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_number_searches_every_agent_after_one_fails_and_no_provider_waits_for_another() {
    const NUMBER: &str = "+919876543210";
    let sim = Sim::builder()
        .cartesia_agents(["agent_sales"])
        .start()
        .await
        .unwrap();
    let mut to = serde_json::Map::new();
    to.insert("to".into(), serde_json::json!(NUMBER));
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("c_live", "agent_sales")
            .status("started")
            .telephony_params(to),
    );
    sim.mirai_v2().seed_call(
        MiraiV2CallSeed::new("m_live", "agt")
            .status("in_progress")
            .to(NUMBER),
    );
    // Cartesia's call history is slow to walk; Mirai's do-not-call add must not wait for it.
    sim.faults().on_route(
        Route::CartesiaList,
        Fault::Latency(Duration::from_millis(300)),
        u32::MAX,
    );
    let output = callctl(&sim)
        .args(["stop-number", NUMBER, "--providers", "cartesia,mirai-v2"])
        .args(["--cartesia-agent-id", "agent_mistyped"])
        .args(["--cartesia-agent-id", "agent_sales", "--output", "json"])
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "a failed step: {errors}");
    let lines = json_lines(&output);
    let position = |f: &dyn Fn(&serde_json::Value) -> bool| lines.iter().position(f);
    let search_failed = position(&|l| l["provider"] == "cartesia" && l["step"] == "search")
        .expect("the mistyped agent's search is its own step");
    assert_eq!(lines[search_failed]["result"], "failed");
    assert!(
        lines[search_failed]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("agent_mistyped")
    );
    let cartesia_call =
        position(&|l| l["call_id"] == "c_live").expect("the next agent was searched");
    assert_eq!(lines[cartesia_call]["outcome"], "terminated");
    let mirai_suppress = position(&|l| l["step"] == "suppress" && l["result"] == "added").unwrap();
    assert!(
        mirai_suppress < search_failed && mirai_suppress < cartesia_call,
        "Mirai's do-not-call add did not wait for Cartesia's search: {lines:?}"
    );
    assert!(errors.contains("1 steps failed"), "{errors}");
    sim.shutdown().await;
}
