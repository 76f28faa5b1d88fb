//! Running callctl against a sandbox.

use std::collections::HashMap;
use std::process::Output;

use assert_cmd::cargo::CommandCargoExt;
use calls_sim::Sim;

/// `callctl` with the sandbox's environment and nothing else from ours (no stray credentials).
pub fn callctl(sim: &Sim) -> std::process::Command {
    let mut command = std::process::Command::cargo_bin("callctl").unwrap();
    command.env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    for line in sim.env_lines() {
        let (name, value) = line.split_once('=').unwrap();
        command.env(name, value);
    }
    command
}

/// `bash -c script` with the sandbox's environment and nothing else from ours; `$CALLCTL` is the binary.
pub fn shell(sim: &Sim, script: &str) -> std::process::Command {
    let callctl = callctl(sim);
    let mut command = std::process::Command::new("bash");
    command.env_clear();
    for (name, value) in callctl.get_envs() {
        if let Some(value) = value {
            command.env(name, value);
        }
    }
    command
        .env("CALLCTL", callctl.get_program())
        .args(["-c", script]);
    command
}

/// Parses stdout as JSON lines.
pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"))
        })
        .collect()
}

/// The JSON lines keyed by call id, asserting there is exactly one per id.
pub fn by_id(lines: &[serde_json::Value]) -> HashMap<String, serde_json::Value> {
    let mut map = HashMap::new();
    for line in lines {
        let id = line["call_id"].as_str().unwrap().to_owned();
        assert!(
            map.insert(id.clone(), line.clone()).is_none(),
            "two lines for {id}"
        );
    }
    map
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
