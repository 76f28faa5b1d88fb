//! libFuzzer entry point for [`calls_fuzz::retry_after`]: `cargo +nightly fuzz run --features libfuzzer retry_after`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = calls_fuzz::retry_after(data);
});
