//! New-API recordings: the 302 to another host is followed without our key, and files are written all or nothing.

use std::path::PathBuf;

use mirai_calls::ErrorKind;
use mockito::{Matcher, Server};

use crate::support::{assert_error_has_no_key, id, v2, v2_bodiless_mock, v2_error};

const WAV: &[u8] = b"RIFF\x24\x00\x00\x00WAVEfmt fake audio bytes";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mirai-calls-wire-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The API server answering 302 to `location`.
async fn redirecting(api: &mut mockito::ServerGuard, location: &str) -> mockito::Mock {
    v2_bodiless_mock(api, "GET", "/v2/calls/call_1/recording")
        .with_status(302)
        .with_header("location", location)
        .expect(1)
        .create_async()
        .await
}

/// The storage server: it must see no key, no idempotency key, only a plain GET.
fn storage_mock(storage: &mut mockito::ServerGuard) -> mockito::Mock {
    storage
        .mock("GET", "/voice-agents/production/call_1.wav")
        .match_query(Matcher::UrlEncoded("X-Amz-Expires".into(), "900".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("x-private-key", Matcher::Missing)
        .match_header("idempotency-key", Matcher::Missing)
        .match_header("user-agent", Matcher::Regex("^mirai-calls/".into()))
}

#[tokio::test]
async fn follows_the_redirect_without_the_key_into_a_writer() {
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let location = format!(
        "{}/voice-agents/production/call_1.wav?X-Amz-Expires=900&X-Amz-Signature=abc",
        storage.url()
    );
    let redirect = redirecting(&mut api, &location).await;
    let audio = storage_mock(&mut storage)
        .with_status(200)
        .with_header("content-type", "audio/wav")
        .with_body(WAV)
        .expect(1)
        .create_async()
        .await;
    let mut out = Vec::new();
    let written = v2(&api.url())
        .download_recording(&id("call_1"), &mut out)
        .await
        .unwrap();
    assert_eq!(written, WAV.len() as u64);
    assert_eq!(out, WAV);
    redirect.assert_async().await;
    audio.assert_async().await;
}

#[tokio::test]
async fn a_large_recording_streams_in_chunks() {
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let location = format!(
        "{}/voice-agents/production/call_1.wav?X-Amz-Expires=900",
        storage.url()
    );
    let redirect = redirecting(&mut api, &location).await;
    let big = vec![7u8; 3 * 1024 * 1024];
    let served = big.clone();
    let audio = storage_mock(&mut storage)
        .with_status(200)
        .with_chunked_body(move |w| {
            for part in served.chunks(64 * 1024) {
                w.write_all(part)?;
            }
            Ok(())
        })
        .expect(1)
        .create_async()
        .await;
    let mut out = Vec::new();
    let written = v2(&api.url())
        .download_recording(&id("call_1"), &mut out)
        .await
        .unwrap();
    assert_eq!(written, big.len() as u64);
    assert!(out == big);
    redirect.assert_async().await;
    audio.assert_async().await;
}

#[tokio::test]
async fn a_file_is_written_whole_and_atomically() {
    let dir = temp_dir("whole");
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let location = format!(
        "{}/voice-agents/production/call_1.wav?X-Amz-Expires=900",
        storage.url()
    );
    let redirect = redirecting(&mut api, &location).await;
    let audio = storage_mock(&mut storage)
        .with_status(200)
        .with_body(WAV)
        .expect(1)
        .create_async()
        .await;
    let target = dir.join("call_1.wav");
    std::fs::write(&target, b"old").unwrap();
    let written = v2(&api.url())
        .download_recording_to_file(&id("call_1"), &target)
        .await
        .unwrap();
    assert_eq!(written, WAV.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), WAV);
    assert_eq!(entries(&dir), ["call_1.wav"]);
    redirect.assert_async().await;
    audio.assert_async().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_refused_download_leaves_no_file() {
    let dir = temp_dir("refused");
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let location = format!(
        "{}/voice-agents/production/call_1.wav?X-Amz-Expires=900",
        storage.url()
    );
    let redirect = redirecting(&mut api, &location).await;
    let expired = storage_mock(&mut storage)
        .with_status(403)
        .with_body("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")
        .expect(1)
        .create_async()
        .await;
    let target = dir.join("call_1.wav");
    let err = v2(&api.url())
        .download_recording_to_file(&id("call_1"), &target)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.status(), Some(403));
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    assert_error_has_no_key(&err);
    assert!(!err.to_string().contains("X-Amz"), "{err}");
    redirect.assert_async().await;
    expired.assert_async().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_404_from_the_api_creates_nothing() {
    let dir = temp_dir("missing");
    let mut api = Server::new_async().await;
    let missing = v2_bodiless_mock(&mut api, "GET", "/v2/calls/call_1/recording")
        .with_status(404)
        .with_body(v2_error("not_found", "recording not available"))
        .expect(1)
        .create_async()
        .await;
    let err = v2(&api.url())
        .download_recording_to_file(&id("call_1"), dir.join("call_1.wav"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.provider_code(), Some("not_found"));
    assert!(entries(&dir).is_empty());
    missing.assert_async().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_redirect_to_cleartext_or_nowhere_is_refused_before_sending() {
    for location in [
        "http://storage.example/call_1.wav",
        "",
        "ftp://storage.example/x",
    ] {
        let mut api = Server::new_async().await;
        let mock = v2_bodiless_mock(&mut api, "GET", "/v2/calls/call_1/recording")
            .with_status(302)
            .with_header("location", location)
            .expect(1)
            .create_async()
            .await;
        let err = v2(&api.url())
            .download_recording(&id("call_1"), &mut Vec::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{location:?}");
        mock.assert_async().await;
    }
    let mut api = Server::new_async().await;
    let mock = v2_bodiless_mock(&mut api, "GET", "/v2/calls/call_1/recording")
        .with_status(302)
        .expect(1)
        .create_async()
        .await;
    let err = v2(&api.url())
        .download_recording(&id("call_1"), &mut Vec::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_path_only_location_is_fetched_from_the_api_host_without_the_key() {
    let mut api = Server::new_async().await;
    let redirect = redirecting(
        &mut api,
        "/voice-agents/production/call_1.wav?X-Amz-Expires=900",
    )
    .await;
    let audio = storage_mock(&mut api)
        .with_status(200)
        .with_body(WAV)
        .expect(1)
        .create_async()
        .await;
    let mut out = Vec::new();
    v2(&api.url())
        .download_recording(&id("call_1"), &mut out)
        .await
        .unwrap();
    assert_eq!(out, WAV);
    redirect.assert_async().await;
    audio.assert_async().await;
}

#[tokio::test]
async fn a_second_redirect_is_not_followed() {
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let location = format!(
        "{}/voice-agents/production/call_1.wav?X-Amz-Expires=900",
        storage.url()
    );
    let redirect = redirecting(&mut api, &location).await;
    let again = storage_mock(&mut storage)
        .with_status(302)
        .with_header("location", "https://elsewhere.example/x.wav")
        .expect(1)
        .create_async()
        .await;
    let err = v2(&api.url())
        .download_recording(&id("call_1"), &mut Vec::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    redirect.assert_async().await;
    again.assert_async().await;
}

#[tokio::test]
async fn a_file_that_cannot_be_written_is_an_io_error() {
    let dir = temp_dir("io");
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let location = format!(
        "{}/voice-agents/production/call_1.wav?X-Amz-Expires=900",
        storage.url()
    );
    let redirect = redirecting(&mut api, &location).await;
    let audio = storage_mock(&mut storage)
        .with_status(200)
        .with_body(WAV)
        .expect(1)
        .create_async()
        .await;
    let err = v2(&api.url())
        .download_recording_to_file(&id("call_1"), dir.join("no-such-dir").join("call_1.wav"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(std::error::Error::source(&err).is_some());
    assert!(entries(&dir).is_empty());
    redirect.assert_async().await;
    audio.assert_async().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
