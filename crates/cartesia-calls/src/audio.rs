//! Download Call Audio: a call's recording, streamed to a writer or a file.

use call_core::provider_kit::ErrorExt;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use call_core::provider_kit::{Request, Response, StreamingResponse};
use call_core::{CallId, Error, ErrorKind, Provider};
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use tokio::fs::File;
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};

use crate::error_body::error_from;
use crate::{CartesiaClient, path};

const OPERATION: &str = "download call audio";

const CREATE_FAILED: &str = "could not create a temporary file next to the audio path";

/// The write buffer in front of a file: a few network chunks per write system call.
const FILE_BUFFER_BYTES: usize = 64 * 1024;

/// Makes temporary file names unique within the process (with the process id, across processes).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

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
    /// Cartesia documents no redirect for this endpoint; if it answers one with an absolute `Location` (a signed
    /// link, say), that URL is fetched once, without the API key or any other of the client's headers.
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
    /// - The usual 400, 401, 403, 429, 5xx, timeout and transport errors.
    pub async fn download_audio<W>(
        &self,
        call_id: &CallId,
        writer: &mut W,
    ) -> call_core::Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut body = self.open_audio(call_id).await?;
        let written = copy_body(&mut body, writer, call_id).await?;
        writer
            .flush()
            .await
            .map_err(|e| local_error("could not write the audio", call_id, e))?;
        Ok(written)
    }

    /// Downloads a call's recording (WAV) to the file at `path`, atomically, and returns its size in bytes.
    ///
    /// The audio goes to a temporary file in the same directory (`.<name>.<pid>-<n>.part`), which is synced and then
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
        let path = path.as_ref();
        let Some(name) = path.file_name() else {
            return Err(
                Error::new(ErrorKind::InvalidInput, "the audio path has no file name")
                    .with_provider(Provider::Cartesia)
                    .with_operation(OPERATION)
                    .with_call_id(call_id.clone()),
            );
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut body = self.open_audio(call_id).await?;
        let (temp, mut file) = TempFile::create(dir, name, call_id).await?;
        let written = match copy_body(&mut body, &mut file, call_id).await {
            Ok(written) => written,
            Err(error) => {
                temp.discard(file).await;
                return Err(error);
            }
        };
        temp.persist(file, path, call_id).await?;
        Ok(written)
    }

    /// Sends the request and answers the body's stream once a 2xx arrives.
    async fn open_audio(&self, call_id: &CallId) -> call_core::Result<StreamingResponse> {
        let request = path::call(Request::new(Method::GET, OPERATION), call_id)?
            .segment("audio")
            // What the official SDKs send: a WAV served under any content type is accepted.
            .header(ACCEPT, HeaderValue::from_static("*/*"));
        let response = match self.http.send_streaming(request).await? {
            Ok(body) => return Ok(body),
            Err(response) => response,
        };
        let Some(location) = redirect_target(&response) else {
            return Err(audio_error(&response));
        };
        // The link may point at another host: `external_get` sends none of our headers, so the key stays home.
        let request = Request::external_get(location, OPERATION)
            .map_err(|e| audio_error(&response).with_source(e))?
            .for_call(call_id)
            .header(ACCEPT, HeaderValue::from_static("*/*"));
        match self.http.send_streaming(request).await? {
            Ok(body) => Ok(body),
            Err(response) => Err(audio_error(&response)),
        }
    }
}

/// The absolute `Location` of a redirect, when the answer is one.
fn redirect_target(response: &Response) -> Option<&str> {
    if !matches!(response.status(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    response
        .header("location")
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
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

async fn copy_body<W>(
    body: &mut StreamingResponse,
    writer: &mut W,
    call_id: &CallId,
) -> call_core::Result<u64>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut written: u64 = 0;
    while let Some(chunk) = body.chunk().await? {
        writer
            .write_all(&chunk)
            .await
            .map_err(|e| local_error("could not write the audio", call_id, e))?;
        written = written.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
    }
    Ok(written)
}

/// A local failure (a writer, the file system): the provider's part succeeded.
fn local_error(what: &'static str, call_id: &CallId, source: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, what)
        .with_provider(Provider::Cartesia)
        .with_operation(OPERATION)
        .with_call_id(call_id.clone())
        .with_request_sent(true)
        .with_source(source)
}

/// A temporary file next to the destination, removed unless it is persisted. The open file is kept apart, so it can
/// be closed before the file is renamed or removed (Windows refuses both on an open file).
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    async fn create(
        dir: &Path,
        name: &OsStr,
        call_id: &CallId,
    ) -> call_core::Result<(Self, BufWriter<File>)> {
        // Long names are shortened so the prefix and suffix never push the name past the file system's limit.
        let stem: String = name.to_string_lossy().chars().take(100).collect();
        let mut last_error = None;
        for _ in 0..8 {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".{stem}.{}-{n}.part", std::process::id()));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => {
                    let temp = TempFile { path, armed: true };
                    return Ok((temp, BufWriter::with_capacity(FILE_BUFFER_BYTES, file)));
                }
                // Left over by a crashed run with the same pid: take the next name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => return Err(local_error(CREATE_FAILED, call_id, e)),
            }
        }
        let error = last_error.unwrap_or_else(|| std::io::Error::other("no free temporary name"));
        Err(local_error(CREATE_FAILED, call_id, error))
    }

    /// Flushes, syncs, closes and renames the file over `dest`; on failure the temporary file is removed.
    async fn persist(
        mut self,
        mut file: BufWriter<File>,
        dest: &Path,
        call_id: &CallId,
    ) -> call_core::Result<()> {
        let synced = async {
            file.flush().await?;
            file.get_mut().sync_all().await
        }
        .await;
        if let Err(e) = synced {
            self.discard(file).await;
            return Err(local_error("could not write the audio file", call_id, e));
        }
        drop(file);
        if let Err(e) = tokio::fs::rename(&self.path, dest).await {
            self.discard_closed().await;
            return Err(local_error(
                "could not move the audio file into place",
                call_id,
                e,
            ));
        }
        self.armed = false;
        Ok(())
    }

    /// Closes and removes the temporary file. Best effort: the error being returned matters more than a failed
    /// clean-up.
    async fn discard(self, mut file: BufWriter<File>) {
        // Lets any write still in flight in tokio's background finish, so the file is really closed when dropped.
        let _ = file.flush().await;
        drop(file);
        self.discard_closed().await;
    }

    async fn discard_closed(mut self) {
        if tokio::fs::remove_file(&self.path).await.is_ok() {
            self.armed = false;
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Reached only when the download's future is dropped midway (or an async removal failed): remove the
        // partial file here. One unlink; there is no async drop to do it without blocking.
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
