//! libFuzzer entry point for [`calls_fuzz::cartesia_answers`]: `cargo +nightly fuzz run --features libfuzzer cartesia_answers`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = calls_fuzz::cartesia_answers(data);
});
