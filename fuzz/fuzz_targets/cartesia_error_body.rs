//! libFuzzer entry point for [`calls_fuzz::cartesia_error_body`]: `cargo +nightly fuzz run --features libfuzzer cartesia_error_body`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = calls_fuzz::cartesia_error_body(data);
});
