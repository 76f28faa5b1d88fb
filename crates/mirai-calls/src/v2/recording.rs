//! Download Recording (new API): a redirect to a signed URL on another host, followed without our key.

use call_core::provider_kit::ErrorExt;
use std::path::{Path, PathBuf};

use call_core::provider_kit::{Request, Response, StreamingResponse};
use call_core::{CallId, Error, ErrorKind, Provider};
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::error_body::{error_from, is_final_answer};
use crate::MiraiV2Client;

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
        let mut body = self.open_recording(call_id).await?;
        let mut written: u64 = 0;
        while let Some(chunk) = body.chunk().await? {
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| write_error(call_id, e))?;
            written = written.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        }
        writer.flush().await.map_err(|e| write_error(call_id, e))?;
        Ok(written)
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
        let path = path.as_ref();
        let temp = temp_path(path)?;
        // Ask first, create the file only once the audio is on its way: a 404 leaves nothing on disk.
        let mut body = self.open_recording(call_id).await?;
        let result = async {
            let mut file = tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
                .await
                .map_err(|e| write_error(call_id, e))?;
            let mut written: u64 = 0;
            while let Some(chunk) = body.chunk().await? {
                file.write_all(&chunk)
                    .await
                    .map_err(|e| write_error(call_id, e))?;
                written = written.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
            }
            file.flush().await.map_err(|e| write_error(call_id, e))?;
            file.sync_all().await.map_err(|e| write_error(call_id, e))?;
            drop(file);
            tokio::fs::rename(&temp, path)
                .await
                .map_err(|e| write_error(call_id, e))?;
            Ok(written)
        }
        .await;
        if result.is_err() {
            // Best effort: the temporary file may not exist (creation failed), and the download's error matters more.
            let _ = tokio::fs::remove_file(&temp).await;
        }
        result
    }

    /// Asks for the recording and follows the redirect, answering the audio's body stream.
    async fn open_recording(&self, call_id: &CallId) -> call_core::Result<StreamingResponse> {
        let request = Request::new(Method::GET, "get recording")
            .segment("v2")
            .segment("calls")
            .call_id_segment(call_id)
            .segment("recording")
            .final_when(is_final_answer);
        let answer = match self.http.send_streaming(request).await? {
            Ok(audio) => return Ok(audio),
            Err(answer) => answer,
        };
        if !is_redirect(answer.status()) {
            return Err(error_from(&answer));
        }
        let location = self.location(&answer)?;
        let download = Request::external_get(&location, "download recording")
            .map_err(|e| {
                answer.context(
                    Error::new(
                        ErrorKind::Decode,
                        "the recording redirect points to a URL we will not follow (not https)",
                    )
                    .with_source(e),
                )
            })?
            .for_call(call_id)
            .header(
                ACCEPT,
                HeaderValue::from_static("audio/wav, audio/*;q=0.9, */*;q=0.5"),
            );
        match self.http.send_streaming(download).await? {
            Ok(audio) => Ok(audio),
            Err(refused) if is_redirect(refused.status()) => Err(refused.context(Error::new(
                ErrorKind::Decode,
                "the storage host redirected again; only one redirect is followed",
            ))),
            Err(refused) => Err(error_from(&refused)),
        }
    }

    /// The redirect's target as an absolute URL (a path-only `Location` is resolved against the API's origin).
    fn location(&self, answer: &Response) -> call_core::Result<String> {
        let missing = || {
            answer.context(Error::new(
                ErrorKind::Decode,
                "the recording redirect has no usable `Location`",
            ))
        };
        let location = answer
            .header("location")
            .map(str::trim)
            .ok_or_else(missing)?;
        if location.is_empty() {
            return Err(missing());
        }
        if location.starts_with('/') && !location.starts_with("//") {
            let base = self.http.base_url().as_str();
            let origin_end = base
                .find("://")
                .and_then(|scheme| base[scheme + 3..].find('/').map(|path| scheme + 3 + path))
                .unwrap_or(base.len());
            return Ok(format!("{}{location}", &base[..origin_end]));
        }
        Ok(location.to_owned())
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn write_error(call_id: &CallId, error: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, "could not write the recording")
        .with_provider(Provider::MiraiV2)
        .with_operation("download recording")
        .with_call_id(call_id.clone())
        .with_request_sent(true)
        .with_source(error)
}

/// `.<name>.<random>.part` beside `path`.
fn temp_path(path: &Path) -> call_core::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidInput,
            "the recording's path has no file name",
        )
    })?;
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(format!(".{:016x}.part", fastrand::u64(..)));
    Ok(path.with_file_name(temp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_sit_beside_the_target() {
        let temp = temp_path(Path::new("/data/calls/a.wav")).unwrap();
        assert_eq!(temp.parent(), Some(Path::new("/data/calls")));
        let name = temp.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with(".a.wav.") && name.ends_with(".part"),
            "{name}"
        );
        assert!(temp_path(Path::new("/")).is_err());
    }
}
