//! libFuzzer entry point for [`calls_fuzz::mirai_legacy_webhook`]: `cargo +nightly fuzz run --features libfuzzer mirai_legacy_webhook`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = calls_fuzz::mirai_legacy_webhook(data);
});
