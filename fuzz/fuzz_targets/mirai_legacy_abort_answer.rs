//! libFuzzer entry point for [`calls_fuzz::mirai_legacy_abort_answer`]: `cargo +nightly fuzz run --features libfuzzer mirai_legacy_abort_answer`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = calls_fuzz::mirai_legacy_abort_answer(data);
});
