//! libFuzzer entry point for [`calls_fuzz::mirai_v2_call`]: `cargo +nightly fuzz run --features libfuzzer mirai_v2_call`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = calls_fuzz::mirai_v2_call(data);
});
