//! Every fuzz target as a plain test on stable: its seed corpus, then 2,000 mutations with a fixed seed.
//!
//! Deterministic and quick (a second or so in a debug build), so it runs with `cargo test --workspace`; longer,
//! randomly seeded runs are `cargo xtask fuzz`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;

use calls_fuzz::Outcome;
use calls_fuzz::runner::{self, Budget, Options, TARGETS};

/// Mutations per target after the corpus.
const MUTATIONS: u64 = 2_000;

/// The seed of the mutations: fixed, so a failure here repeats.
const SEED: u64 = 0xca11_5eed;

/// Runs `name` over its corpus and [`MUTATIONS`] mutants: no seed or mutant may panic, and every seed named
/// `valid-*` must be accepted (the seeds are realistic provider data, so the decoders must take them).
fn fuzz(name: &str) {
    let function = runner::target(name).unwrap();
    let options = Options {
        artifacts_dir: None,
        ..Options::new(name, Budget::Executions(MUTATIONS), SEED)
    };
    let seeds = runner::read_corpus(&options.corpus_dir).unwrap();
    assert!(
        seeds.len() >= 3,
        "{name}: only {} seeds in {}",
        seeds.len(),
        options.corpus_dir.display()
    );
    for (file, input) in &seeds {
        match runner::execute(function, input) {
            Ok(outcome) => assert!(
                !file.starts_with("valid-") || outcome == Outcome::Accepted,
                "{name}: the seed {file} is not accepted"
            ),
            Err(panicked) => panic!("{name}: the seed {file} panics: {panicked}"),
        }
    }

    let report = runner::run_with(name, &options);
    assert_eq!(report.problem, None);
    assert_eq!(report.executions, seeds.len() as u64 + MUTATIONS);
    assert!(
        report.crashes.is_empty(),
        "{name}: {} executions panicked:\n{}",
        report.crashing_executions,
        report
            .crashes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

macro_rules! corpus_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                fuzz(stringify!($name));
            }
        )*

        /// The tests above cover exactly the runner's targets.
        #[test]
        fn every_target_is_tested() {
            assert_eq!(TARGETS, [$(stringify!($name)),*]);
        }
    };
}

corpus_tests!(
    cartesia_call,
    cartesia_batch,
    cartesia_page,
    cartesia_error_body,
    mirai_legacy_webhook,
    mirai_legacy_signature,
    mirai_v2_webhook,
    mirai_v2_signature_header,
    mirai_v2_call,
    mirai_v2_page,
    mirai_error_body,
    cartesia_answers,
    mirai_legacy_abort_answer,
    mirai_v2_abort_answer,
    retry_after,
);

/// Each target has its libFuzzer entry point, calling the function of the same name, and a `[[bin]]` in the
/// manifest; no entry point is left without a target.
#[test]
fn every_target_has_a_libfuzzer_entry_point() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    for name in TARGETS {
        let source = std::fs::read_to_string(dir.join("fuzz_targets").join(format!("{name}.rs")))
            .unwrap_or_else(|e| panic!("fuzz_targets/{name}.rs: {e}"));
        assert!(
            source.contains(&format!("calls_fuzz::{name}(data)")),
            "{name}"
        );
        assert!(
            manifest.contains(&format!(
                "name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\""
            )),
            "no [[bin]] for {name}"
        );
    }
    for entry in std::fs::read_dir(dir.join("fuzz_targets")).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        let name = file.trim_end_matches(".rs");
        assert!(
            TARGETS.contains(&name),
            "fuzz_targets/{file} is not in TARGETS"
        );
    }
}
