//! Usage and configuration errors: exit status 2, and nothing sent.

use calls_sim::Sim;

use crate::support::{callctl, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_exit_2_and_send_nothing() {
    let sim = Sim::start().await.unwrap();
    let output = callctl(&sim)
        .env_remove("CARTESIA_API_KEY")
        .args(["cartesia", "cancel", "a"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("CARTESIA_API_KEY"),
        "{}",
        stderr(&output)
    );
    let output = callctl(&sim)
        .env_remove("MIRAI_WORKSPACE")
        .args(["mirai", "abort", "a"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("MIRAI_WORKSPACE"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sim.journal().total(), 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_to_a_non_loopback_host_is_refused_before_sending() {
    let sim = Sim::start().await.unwrap();
    for url in [
        "http://api.cartesia.ai",
        "http://10.1.2.3:8080",
        "ftp://127.0.0.1",
    ] {
        let output = callctl(&sim)
            .args(["cartesia", "cancel", "a", "--base-url", url])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{url}");
        assert!(stderr(&output).contains("base url"), "{}", stderr(&output));
    }
    assert_eq!(sim.journal().total(), 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_and_no_ids_exit_2() {
    let sim = Sim::start().await.unwrap();
    for args in [
        &["cartesia", "cancel"][..],
        &["cartesia", "cancel", "a", "--timeout", "0"],
        &["cartesia", "cancel", "a", "--max-attempts", "0"],
        &["cartesia", "cancel", "a", "--output", "xml"],
        &[
            "cartesia",
            "cancel",
            "a",
            "--ids-from",
            "/nonexistent/ids.txt",
        ],
        &["nope"],
    ] {
        let output = callctl(&sim).args(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(sim.journal().total(), 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_appears_in_any_output() {
    let sim = Sim::start().await.unwrap();
    let output = callctl(&sim)
        .env("CARTESIA_API_KEY", "sk_car_wrong_canary")
        .args(["cartesia", "cancel", "a", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert!(all.contains("unauthorized"), "{all}");
    assert!(!all.contains("canary"), "{all}");
    sim.shutdown().await;
}
