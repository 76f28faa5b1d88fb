//! `cartesia batch stop`: recipients nobody can account for are named, and make the run a failure.

use calls_sim::{CartesiaBatchSeed, Sim};

use crate::support::{callctl, json_lines, stderr};

const NUMBERS: [&str; 4] = [
    "+14155550101",
    "+14155550102",
    "+14155550103",
    "+14155550104",
];

/// A batch of four: the first recipient's call is live, the next two are with the dialer without a call, the last is
/// queued (the stop withdraws it). Returns the live call's id.
fn seed(sim: &Sim) -> String {
    let seed = NUMBERS
        .iter()
        .fold(CartesiaBatchSeed::new("acb_1", "agent_1"), |seed, n| {
            seed.recipient(*n)
        });
    sim.cartesia().seed_batch(seed);
    let placed = sim.cartesia().dispatch_batch("acb_1", 1).unwrap();
    sim.cartesia().set_status(&placed[0], "started").unwrap();
    assert_eq!(sim.cartesia().hand_to_dialer("acb_1", 2).unwrap(), 2);
    placed[0].clone()
}

fn stop(sim: &Sim, output: &str) -> std::process::Output {
    callctl(sim)
        .args(["cartesia", "batch", "stop", "acb_1", "--cancel-live-calls"])
        .args(["--output", output])
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unaccounted_recipients_get_a_json_line_each_and_exit_1() {
    let sim = Sim::start().await.unwrap();
    let live = seed(&sim);
    let output = stop(&sim, "json");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 3, "{lines:?}");
    let call = lines
        .iter()
        .find(|l| l["call_id"] == live.as_str())
        .unwrap();
    assert_eq!(call["outcome"], "terminated");
    let unaccounted: Vec<_> = lines
        .iter()
        .filter(|l| l["outcome"] == "unaccounted")
        .collect();
    assert_eq!(unaccounted.len(), 2, "{lines:?}");
    let batch = sim.cartesia().batch("acb_1").unwrap();
    for (line, recipient) in unaccounted.iter().zip(&batch.recipients()[1..3]) {
        assert_eq!(line["provider"], "cartesia");
        assert_eq!(line["batch_id"], "acb_1");
        assert_eq!(line["recipient_id"], recipient.id());
        assert_eq!(line["to_number"], recipient.to_number());
        assert_eq!(line["recipient_status"], "dispatched");
        assert!(line["call_id"].is_null());
        assert!(line["error"].is_null());
        assert_eq!(line["attempts"], 0);
    }
    assert_eq!(unaccounted[0]["to_number"], NUMBERS[1]);
    assert_eq!(unaccounted[1]["to_number"], NUMBERS[2]);
    assert!(
        stderr(&output).contains("2 recipients of batch acb_1 are unaccounted for"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sim.cartesia().call(&live).unwrap().status(), "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unaccounted_recipients_get_a_text_line_each_and_exit_1() {
    let sim = Sim::start().await.unwrap();
    seed(&sim);
    let output = stop(&sim, "text");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let unaccounted: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("unaccounted"))
        .collect();
    assert_eq!(unaccounted.len(), 2, "{stdout}");
    assert!(unaccounted[0].contains(NUMBERS[1]), "{stdout}");
    assert!(unaccounted[1].contains(NUMBERS[2]), "{stdout}");
    assert!(stderr(&output).contains("unaccounted for"));
}
