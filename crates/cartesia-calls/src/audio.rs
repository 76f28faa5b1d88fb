//! Download Call Audio: a call's recording, streamed to a writer or a file.

use std::path::Path;

use call_core::provider_kit::{Download, ErrorExt, Request, Response};
use call_core::{CallId, Error};
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use tokio::io::AsyncWrite;

use crate::error_body::error_from;
use crate::{CartesiaClient, path};

// For the docs' links only: the code names no kind itself.
#[cfg(doc)]
use call_core::ErrorKind;

const OPERATION: &str = "download call audio";

impl CartesiaClient {
    /// Downloads a call's recording (WAV) into `writer`, chunk by chunk, and returns the number of bytes written:
    /// [Download Call Audio](https://docs.cartesia.ai/api-reference/agents/calls/download-call-audio),
    /// `GET /agents/calls/{call_id}/audio`.
    ///
    /// The body is never held whole: each chunk is written as it arrives, and each must arrive within the attempt
    /// timeout. A recording exists once the call has ended. The request is retried (connection failures, 429, 5xx)
    /// only until the body starts; a failure after that is returned, with part of the audio already written, so
    /// prefer [`download_audio_to_file`](Self::download_audio_to_file) when a partial file must never be seen.
    /// `writer` is flushed at the end, not shut down.
    ///
    /// Cartesia documents no redirect for this endpoint; if it answers one (to a signed link, say), that one
    /// redirect is followed, to `https` (or a path on the API's host) only, without the API key or any other of the
    /// client's headers.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let mut wav = Vec::new();
    /// let bytes = client.download_audio(&"ac_abc123".parse()?, &mut wav).await?;
    /// assert_eq!(bytes as usize, wav.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::NotFound`] for 404, which Cartesia documents as "no recording" (the call may also be unknown,
    ///   still running, redacted, or have zero data retention): the error says "no recording for this call".
    /// - [`ErrorKind::Timeout`] or [`ErrorKind::Transport`] when the body stalls or breaks midway.
    /// - [`ErrorKind::Io`] when `writer` fails (its `std::io::Error` is the source).
    /// - [`ErrorKind::Decode`] for a redirect without a usable `Location`, or a second redirect.
    /// - The usual 400, 401, 403, 429, 5xx, timeout and transport errors.
    pub async fn download_audio<W>(
        &self,
        call_id: &CallId,
        writer: &mut W,
    ) -> call_core::Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        self.audio(call_id)?.to_writer(writer).await
    }

    /// Downloads a call's recording (WAV) to the file at `path`, atomically, and returns its size in bytes.
    ///
    /// The audio goes to a temporary file in the same directory (`.<name>.<random>.part`), which is synced and then
    /// renamed over `path`: `path` is either the whole recording or untouched (an existing file is replaced only on
    /// success). On any failure the temporary file is removed; nothing is created until the audio starts to arrive,
    /// so a 404 leaves the directory as it was. See [`download_audio`](Self::download_audio) for the request.
    ///
    /// ```no_run
    /// # async fn run(client: cartesia_calls::CartesiaClient) -> call_core::Result<()> {
    /// let bytes = client.download_audio_to_file(&"ac_abc123".parse()?, "recordings/ac_abc123.wav").await?;
    /// println!("{bytes} bytes");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`download_audio`](Self::download_audio); [`ErrorKind::InvalidInput`] when `path` has no file name (nothing
    /// is sent), [`ErrorKind::Io`] when the temporary file cannot be created, written, synced or renamed (the
    /// `std::io::Error` is the source).
    pub async fn download_audio_to_file(
        &self,
        call_id: &CallId,
        path: impl AsRef<Path>,
    ) -> call_core::Result<u64> {
        self.audio(call_id)?.to_file(path).await
    }

    /// The download of a call's audio.
    fn audio(&self, call_id: &CallId) -> call_core::Result<Download<'_>> {
        let request = path::call(Request::new(Method::GET, OPERATION), call_id)?
            .segment("audio")
            // What the official SDKs send: a WAV served under any content type is accepted.
            .header(ACCEPT, HeaderValue::from_static("*/*"));
        Ok(Download::new(&self.http, request, audio_error))
    }
}

/// The error for a non-2xx answer; Cartesia documents its 404 as "no recording".
fn audio_error(response: &Response) -> Error {
    let error = error_from(response);
    if response.status() == 404 {
        error.with_detail("no recording for this call")
    } else {
        error
    }
}
