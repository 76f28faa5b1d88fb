//! Commands about one call.

use calls_sim::{CartesiaCallSeed, Sim};

use crate::support::{callctl, json_lines, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_status_list_delete_audio_and_logs() {
    let sim = Sim::start().await.unwrap();
    let ids = sim.cartesia().seed_agent_calls("agent_list", 5);
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("done", "agent_one")
            .status("completed")
            .recording(true),
    );
    let run = |args: &[&str]| {
        callctl(&sim)
            .args(args)
            .args(["--output", "json"])
            .output()
            .unwrap()
    };

    let output = run(&["cartesia", "get", "done"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json_lines(&output)[0]["status"], "completed");

    let output = run(&["cartesia", "status", "done"]);
    assert_eq!(json_lines(&output)[0]["state"], "ended");

    let output = run(&[
        "cartesia",
        "list",
        "--agent-id",
        "agent_list",
        "--page-size",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let listed: Vec<String> = json_lines(&output)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, ids);

    let dir = std::env::temp_dir().join(format!("callctl-audio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("done.wav");
    let output = callctl(&sim)
        .args(["cartesia", "audio", "done", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(std::fs::read(&file).unwrap().starts_with(b"RIFF"));
    std::fs::remove_dir_all(&dir).unwrap();

    let output = run(&["cartesia", "delete", "done"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(json_lines(&output)[0]["redacted_at"].is_string());

    let output = run(&["cartesia", "get", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json_lines(&output)[0]["error"]["kind"], "not_found");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_output_escapes_what_could_drive_the_terminal() {
    // A provider status is provider data: a hostile one must not recolour, rewrite or reorder the user's terminal.
    let sim = Sim::start().await.unwrap();
    sim.cartesia().seed_call(
        CartesiaCallSeed::new("odd", "agent_odd").status("\u{1b}[2J\u{1b}[31mowned\r\u{202e}x"),
    );
    for args in [
        &["cartesia", "status", "odd"][..],
        &["cartesia", "list", "--agent-id", "agent_odd"][..],
    ] {
        let output = callctl(&sim).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(!text.contains('\r'), "{text:?}");
        assert!(!text.contains('\u{202e}'), "{text:?}");
        assert!(
            text.contains("\\u{1b}[31mowned\\u{d}\\u{202e}x"),
            "{text:?}"
        );
    }
    sim.shutdown().await;
}
