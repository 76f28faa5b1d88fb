//! Download Recording (new API): a redirect to a signed URL on another host, followed without our key.

use std::path::Path;

use call_core::CallId;
use call_core::provider_kit::{Download, Request};
use reqwest::Method;
use reqwest::header::HeaderValue;
use tokio::io::AsyncWrite;

use super::error_body::{error_from, is_final_answer};
use crate::MiraiV2Client;

// For the docs' links only: the code names no kind itself.
#[cfg(doc)]
use call_core::ErrorKind;

impl MiraiV2Client {
    /// Downloads a finished call's recording (WAV) into `writer`, answering the number of bytes written:
    /// `GET /v2/calls/{id}/recording`.
    ///
    /// Mirai answers `302 Found` with a signed URL on its storage host (valid 15 minutes, and itself a bearer
    /// credential: it is never logged, stored or put in an error). We follow that one redirect ourselves with a
    /// request that carries **none** of our headers, so the API key never reaches the storage host, and stream the
    /// body chunk by chunk (nothing is held in memory). A direct `200` with the audio is streamed too.
    ///
    /// The writer is flushed at the end. On an error it may hold part of the file: use
    /// [`download_recording_to_file`](Self::download_recording_to_file) to get all or nothing.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::NotFound`] while the call runs, when there is no audio, or with `recording_enabled: false`.
    /// - The storage host's refusal (an expired link is 403 [`ErrorKind::Forbidden`]), with its status.
    /// - [`ErrorKind::Timeout`] or [`ErrorKind::Transport`] when the download stalls or breaks (each chunk must
    ///   come within the attempt timeout); [`ErrorKind::Io`] when `writer` fails.
    /// - [`ErrorKind::Decode`] for a redirect without a usable `Location` (not `https`, or `http` to a host that
    ///   is not loopback), and the usual 401, 403, 429, 5xx errors.
    pub async fn download_recording<W>(
        &self,
        call_id: &CallId,
        writer: &mut W,
    ) -> call_core::Result<u64>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        self.recording(call_id).to_writer(writer).await
    }

    /// Downloads a finished call's recording into the file at `path`, all or nothing, answering its size.
    ///
    /// The audio is written to a temporary file beside `path` (`.<name>.<random>.part`), synced to disk, then
    /// renamed over `path`: `path` is either the whole recording or untouched, and a failed download leaves no
    /// partial file behind.
    ///
    /// ```no_run
    /// # async fn run(client: mirai_calls::MiraiV2Client) -> call_core::Result<()> {
    /// let bytes = client
    ///     .download_recording_to_file(&"call_01JZQ9B4M8N3P6R2S5T7V9W1YA".parse()?, "call.wav")
    ///     .await?;
    /// eprintln!("saved {bytes} bytes");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`download_recording`](Self::download_recording), and [`ErrorKind::Io`] when the file cannot be
    /// created, written, synced or renamed (its [`source`](std::error::Error::source) is the I/O error);
    /// [`ErrorKind::InvalidInput`] when `path` has no file name.
    pub async fn download_recording_to_file(
        &self,
        call_id: &CallId,
        path: impl AsRef<Path>,
    ) -> call_core::Result<u64> {
        self.recording(call_id).to_file(path).await
    }

    /// The download of a call's recording; the signed URL it redirects to is asked for audio.
    fn recording(&self, call_id: &CallId) -> Download<'_> {
        let request = Request::new(Method::GET, "get recording")
            .segment("v2")
            .segment("calls")
            .call_id_segment(call_id)
            .segment("recording")
            .final_when(is_final_answer);
        Download::new(&self.http, request, error_from).link(
            "download recording",
            HeaderValue::from_static("audio/wav, audio/*;q=0.9, */*;q=0.5"),
        )
    }
}
