//! `Download`, the one download-to-file of every provider: one redirect without our keys, all or nothing on disk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::PathBuf;
use std::time::Duration;

use call_core::provider_kit::{BuilderCore, Download, ErrorExt, HttpClient, Request, Response};
use call_core::{ApiKey, CallId, Error, ErrorKind, Provider, RetryConfig};
use mockito::{Matcher, Server};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const WAV: &[u8] = b"RIFF\x24\x00\x00\x00WAVEfmt fake audio bytes";

/// A client that sends a Bearer key and a custom key header, as Mirai's legacy API does.
fn client(url: &str) -> HttpClient {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        ApiKey::new("sk_secret_1")
            .to_header_value("Bearer ", "key")
            .unwrap(),
    );
    headers.insert(
        HeaderName::from_static("x-private-key"),
        ApiKey::new("sk_private_2")
            .to_header_value("", "private key")
            .unwrap(),
    );
    let retry = RetryConfig::standard()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
        .with_attempt_timeout(Duration::from_millis(500))
        .with_operation_timeout(Duration::from_secs(3));
    BuilderCore::new(url)
        .retry(retry)
        .build(Provider::MiraiV2, headers, "test", "1")
        .unwrap()
}

fn recording() -> Request {
    Request::new(Method::GET, "get recording")
        .segment("recording")
        .for_call(&CallId::new("call_1").unwrap())
}

fn refused(answer: &Response) -> Error {
    answer.error()
}

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("call-core-download-{name}-{}", std::process::id()));
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

#[tokio::test]
async fn a_redirect_to_another_origin_is_followed_once_without_any_key() {
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let location = format!("{}/rec/call_1.wav?X-Amz-Expires=900", storage.url());
    let redirect = api
        .mock("GET", "/recording")
        .match_header("authorization", "Bearer sk_secret_1")
        .match_header("x-private-key", "sk_private_2")
        .with_status(302)
        .with_header("location", &location)
        .expect(1)
        .create_async()
        .await;
    let audio = storage
        .mock("GET", "/rec/call_1.wav")
        .match_query(Matcher::UrlEncoded("X-Amz-Expires".into(), "900".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("x-private-key", Matcher::Missing)
        .match_header("accept", "*/*")
        .with_body(WAV)
        .expect(1)
        .create_async()
        .await;
    let http = client(&api.url());
    let mut out = Vec::new();
    let written = Download::new(&http, recording(), refused)
        .to_writer(&mut out)
        .await
        .unwrap();
    assert_eq!(written, WAV.len() as u64);
    assert_eq!(out, WAV);
    redirect.assert_async().await;
    audio.assert_async().await;
}

#[tokio::test]
async fn a_second_redirect_is_refused() {
    let mut api = Server::new_async().await;
    let mut storage = Server::new_async().await;
    let redirect = api
        .mock("GET", "/recording")
        .with_status(302)
        .with_header("location", &format!("{}/rec.wav", storage.url()))
        .expect(1)
        .create_async()
        .await;
    let again = storage
        .mock("GET", "/rec.wav")
        .with_status(307)
        .with_header("location", &format!("{}/elsewhere.wav", storage.url()))
        .expect(1)
        .create_async()
        .await;
    let http = client(&api.url());
    let err = Download::new(&http, recording(), refused)
        .to_writer(&mut Vec::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    redirect.assert_async().await;
    again.assert_async().await;
}

#[tokio::test]
async fn a_refusal_is_the_providers_error_and_creates_nothing() {
    let dir = temp_dir("refused");
    let mut api = Server::new_async().await;
    let missing = api
        .mock("GET", "/recording")
        .with_status(404)
        .expect(1)
        .create_async()
        .await;
    let http = client(&api.url());
    let err = Download::new(&http, recording(), |answer| {
        answer.error().with_kind(ErrorKind::Unsupported)
    })
    .to_file(dir.join("call.wav"))
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(entries(&dir).is_empty());
    missing.assert_async().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_body_that_breaks_midway_leaves_no_part_file_and_the_old_file_untouched() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let mut answer =
                b"HTTP/1.1 200 OK\r\ncontent-type: audio/wav\r\ncontent-length: 100000\r\n\r\n"
                    .to_vec();
            answer.extend(std::iter::repeat_n(7u8, 5000));
            let _ = socket.write_all(&answer).await;
            let _ = socket.flush().await;
            // Dropped here: the connection closes 95,000 bytes short.
        }
    });
    let dir = temp_dir("broken");
    let target = dir.join("call.wav");
    std::fs::write(&target, b"old recording").unwrap();
    let http = client(&url);
    let err = Download::new(&http, recording(), refused)
        .to_file(&target)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.request_may_have_been_sent());
    assert_eq!(std::fs::read(&target).unwrap(), b"old recording");
    assert_eq!(entries(&dir), ["call.wav"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_whole_file_replaces_the_old_one_and_a_path_without_a_name_sends_nothing() {
    let dir = temp_dir("whole");
    let mut api = Server::new_async().await;
    let audio = api
        .mock("GET", "/recording")
        .with_body(WAV)
        .expect(1)
        .create_async()
        .await;
    let target = dir.join("call.wav");
    std::fs::write(&target, b"old").unwrap();
    let http = client(&api.url());
    let written = Download::new(&http, recording(), refused)
        .to_file(&target)
        .await
        .unwrap();
    assert_eq!(written, WAV.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), WAV);
    assert_eq!(entries(&dir), ["call.wav"]);
    let err = Download::new(&http, recording(), refused)
        .to_file("..")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    audio.assert_async().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
