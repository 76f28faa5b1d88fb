//! Download Call Audio: streamed into a writer or atomically into a file, chunk by chunk.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use cartesia_calls::ErrorKind;
use mockito::{Matcher, Mock, Server, ServerGuard};
use tokio::io::AsyncWrite;

use crate::support::{
    ODD_IDS, RawServer, Reply, api_mock, check_error_statuses, client, client_with, error_json, id,
    impatient_retry, nothing_sent, retried_cases,
};

fn audio_mock(server: &mut ServerGuard, path: &str) -> Mock {
    api_mock(server, "GET", path)
        .match_header("accept", "*/*")
        .match_body(Matcher::Missing)
}

/// A fake WAV of `len` bytes with a recognizable pattern.
fn wav(len: usize) -> Vec<u8> {
    let mut bytes = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
    bytes.extend((0..len.saturating_sub(16)).map(|i| (i % 251) as u8));
    bytes
}

/// Serves `body` in 16 KiB chunks of a chunked response.
async fn serve_wav(server: &mut ServerGuard, path: &str, body: Vec<u8>) -> Mock {
    audio_mock(server, path)
        .with_header("content-type", "audio/wav")
        .with_chunked_body(move |w| {
            for chunk in body.chunks(16 * 1024) {
                w.write_all(chunk)?;
                w.flush()?;
            }
            Ok(())
        })
        .expect(1)
        .create_async()
        .await
}

/// A writer that records how many writes it took.
#[derive(Default)]
struct CountingWriter {
    bytes: Vec<u8>,
    writes: usize,
    flushed: bool,
}

impl AsyncWrite for CountingWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.writes += 1;
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flushed = true;
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A writer that fails on the first write.
struct BrokenWriter;

impl AsyncWrite for BrokenWriter {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "pipe closed",
        )))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A fresh, empty directory for one test, removed when dropped.
struct TestDir(PathBuf);

impl TestDir {
    fn new(name: &str) -> TestDir {
        let dir =
            std::env::temp_dir().join(format!("cartesia-calls-wire-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TestDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The names in the directory, sorted.
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn audio_is_streamed_into_a_writer_chunk_by_chunk() {
    let mut server = Server::new_async().await;
    let body = wav(1024 * 1024 + 7);
    let mock = serve_wav(&mut server, "/agents/calls/ac_1/audio", body.clone()).await;
    let mut writer = CountingWriter::default();
    let written = client(&server.url())
        .download_audio(&id("ac_1"), &mut writer)
        .await
        .unwrap();
    assert_eq!(written, u64::try_from(body.len()).unwrap());
    assert_eq!(writer.bytes, body);
    assert!(
        writer.writes > 1,
        "one write means the body was buffered whole"
    );
    assert!(writer.flushed);
    mock.assert_async().await;
}

#[tokio::test]
async fn audio_can_go_into_a_dyn_writer() {
    let mut server = Server::new_async().await;
    let mock = serve_wav(&mut server, "/agents/calls/ac_1/audio", wav(100)).await;
    let mut bytes: Vec<u8> = Vec::new();
    let writer: &mut (dyn AsyncWrite + Unpin + Send) = &mut bytes;
    let written = client(&server.url())
        .download_audio(&id("ac_1"), writer)
        .await
        .unwrap();
    assert_eq!(written, 100);
    assert_eq!(bytes, wav(100));
    mock.assert_async().await;
}

#[tokio::test]
async fn audio_goes_to_a_file_atomically_and_replaces_an_old_one() {
    let dir = TestDir::new("to-file");
    let path = dir.path("call.wav");
    std::fs::write(&path, b"old recording").unwrap();
    let mut server = Server::new_async().await;
    let body = wav(300 * 1024);
    let mock = serve_wav(&mut server, "/agents/calls/ac_1/audio", body.clone()).await;
    let written = client(&server.url())
        .download_audio_to_file(&id("ac_1"), &path)
        .await
        .unwrap();
    assert_eq!(written, u64::try_from(body.len()).unwrap());
    assert_eq!(read(&path), body);
    assert_eq!(dir.entries(), ["call.wav"]);
    mock.assert_async().await;
}

#[tokio::test]
async fn no_recording_is_not_found_and_creates_no_file() {
    let dir = TestDir::new("no-recording");
    let mut server = Server::new_async().await;
    let mock = audio_mock(&mut server, "/agents/calls/ac_1/audio")
        .with_status(404)
        .with_body(error_json("Recording not found"))
        .expect(1)
        .create_async()
        .await;
    let client = client(&server.url());
    let err = client
        .download_audio_to_file(&id("ac_1"), dir.path("call.wav"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert!(
        err.to_string().contains("no recording for this call"),
        "{err}"
    );
    assert!(dir.entries().is_empty());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_connection_broken_midway_leaves_no_partial_file() {
    let dir = TestDir::new("broken");
    let path = dir.path("call.wav");
    std::fs::write(&path, b"old recording").unwrap();
    let mut head =
        b"HTTP/1.1 200 OK\r\ncontent-type: audio/wav\r\ncontent-length: 100000\r\n\r\n".to_vec();
    head.extend(wav(5000));
    let server = RawServer::start(move |_| Reply::PartialThenClose(head.clone())).await;
    let err = client(&server.url)
        .download_audio_to_file(&id("ac_1"), &path)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.request_may_have_been_sent());
    // The old file is untouched and no temporary file is left behind; the body is not retried once it started.
    assert_eq!(read(&path), b"old recording");
    assert_eq!(dir.entries(), ["call.wav"]);
    assert_eq!(server.count("GET /agents/calls/ac_1/audio "), 1);
}

#[tokio::test]
async fn a_body_that_stalls_midway_times_out_and_leaves_no_file() {
    let dir = TestDir::new("stalled");
    let mut head =
        b"HTTP/1.1 200 OK\r\ncontent-type: audio/wav\r\ncontent-length: 100000\r\n\r\n".to_vec();
    head.extend(wav(5000));
    let server = RawServer::start(move |_| Reply::PartialThenHang(head.clone())).await;
    let err = client_with(&server.url, impatient_retry())
        .download_audio_to_file(&id("ac_1"), dir.path("call.wav"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(dir.entries().is_empty());
    assert_eq!(server.total(), 1);
}

#[tokio::test]
async fn a_broken_stream_into_a_writer_reports_what_happened() {
    let mut head =
        b"HTTP/1.1 200 OK\r\ncontent-type: audio/wav\r\ncontent-length: 100000\r\n\r\n".to_vec();
    head.extend(wav(5000));
    let server = RawServer::start(move |_| Reply::PartialThenClose(head.clone())).await;
    let mut writer = CountingWriter::default();
    let err = client(&server.url)
        .download_audio(&id("ac_1"), &mut writer)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(writer.bytes.len() < 100_000);
}

#[tokio::test]
async fn a_failing_writer_is_an_error_not_a_panic() {
    let mut server = Server::new_async().await;
    let mock = serve_wav(&mut server, "/agents/calls/ac_1/audio", wav(1000)).await;
    let err = client(&server.url())
        .download_audio(&id("ac_1"), &mut BrokenWriter)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(std::error::Error::source(&err).is_some());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_path_without_a_file_name_sends_nothing() {
    let mut server = Server::new_async().await;
    let none = nothing_sent(&mut server).await;
    let err = client(&server.url())
        .download_audio_to_file(&id("ac_1"), "..")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    none.assert_async().await;
}

#[tokio::test]
async fn a_missing_directory_is_reported_after_the_answer() {
    let dir = TestDir::new("missing-dir");
    let mut server = Server::new_async().await;
    let mock = serve_wav(&mut server, "/agents/calls/ac_1/audio", wav(100)).await;
    let err = client(&server.url())
        .download_audio_to_file(&id("ac_1"), dir.path("nope/call.wav"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(dir.entries().is_empty());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_502_before_the_body_is_retried() {
    let mut server = Server::new_async().await;
    let failing = audio_mock(&mut server, "/agents/calls/ac_1/audio")
        .with_status(502)
        .expect(2)
        .create_async()
        .await;
    let ok = serve_wav(&mut server, "/agents/calls/ac_1/audio", wav(64)).await;
    let mut bytes = Vec::new();
    let written = client(&server.url())
        .download_audio(&id("ac_1"), &mut bytes)
        .await
        .unwrap();
    assert_eq!(written, 64);
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn audio_maps_every_error_status() {
    check_error_statuses(
        &retried_cases(),
        |server| audio_mock(server, "/agents/calls/ac_1/audio"),
        |client| async move {
            let mut sink = Vec::new();
            client.download_audio(&id("ac_1"), &mut sink).await
        },
    )
    .await;
}

#[tokio::test]
async fn a_redirect_is_followed_once_without_the_key() {
    let mut server = Server::new_async().await;
    let signed = format!("{}/signed/ac_1.wav?sig=abc", server.url());
    let redirect = audio_mock(&mut server, "/agents/calls/ac_1/audio")
        .with_status(302)
        .with_header("location", &signed)
        .expect(1)
        .create_async()
        .await;
    let body = wav(2048);
    let target = server
        .mock("GET", "/signed/ac_1.wav?sig=abc")
        .match_header("authorization", Matcher::Missing)
        .match_header("cartesia-version", Matcher::Missing)
        .with_body(body.clone())
        .expect(1)
        .create_async()
        .await;
    let mut bytes = Vec::new();
    let written = client(&server.url())
        .download_audio(&id("ac_1"), &mut bytes)
        .await
        .unwrap();
    assert_eq!(written, 2048);
    assert_eq!(bytes, body);
    redirect.assert_async().await;
    target.assert_async().await;
}

#[tokio::test]
async fn odd_ids_are_encoded() {
    let mut server = Server::new_async().await;
    let client = client(&server.url());
    for (raw, segment) in ODD_IDS {
        server.reset();
        let mock = serve_wav(
            &mut server,
            format!("/agents/calls/{segment}/audio").as_str(),
            wav(32),
        )
        .await;
        let mut bytes = Vec::new();
        client.download_audio(&id(raw), &mut bytes).await.unwrap();
        mock.assert_async().await;
    }
}
