//! libFuzzer entry point for [`calls_fuzz::mirai_v2_webhook`]: `cargo +nightly fuzz run --features libfuzzer mirai_v2_webhook`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = calls_fuzz::mirai_v2_webhook(data);
});
