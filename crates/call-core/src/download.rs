//! Downloading a file a provider serves (a call's recording): the one redirect rule, and the one way a download
//! lands in a writer or, all or nothing, in a file.
//!
//! The redirect rule: the provider's answer is the file, or one redirect (301, 302, 303, 307, 308) to it. The
//! `Location` must be `https` (or `http` to a loopback host), or a path on the API's own origin; it is fetched once
//! with **none** of the client's headers (no key, on any host), and a second redirect is refused. A signed link is
//! itself a credential: it is never put in an error.
//!
//! The file rule: nothing is created until the file starts to arrive (a refusal leaves the directory as it was);
//! the body goes to `.<name>.<random>.part` beside the destination, is synced, then renamed over it. The part file
//! is removed on every error path, and when the download's future is dropped midway.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use reqwest::header::{ACCEPT, HeaderValue};
use tokio::fs::File;
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};

use crate::error::ErrorExt;
use crate::http::{HttpClient, Request, Response, StreamingResponse};
use crate::{Error, ErrorKind};

/// The write buffer in front of a file: a few network chunks per write system call.
const FILE_BUFFER_BYTES: usize = 64 * 1024;

/// How many names a part file tries before giving up (each is random, so a clash means a leftover).
const PART_NAME_TRIES: usize = 8;

/// A download: a request to the provider's API whose answer is the file or one redirect to it.
///
/// ```no_run
/// use call_core::provider_kit::{Download, HttpClient, Request};
///
/// # async fn run(http: HttpClient) -> call_core::Result<()> {
/// let request = Request::new(reqwest::Method::GET, "download recording").segment("recording");
/// let bytes = Download::new(&http, request, |answer| answer.error())
///     .to_file("call.wav")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Download<'a> {
    http: &'a HttpClient,
    request: Request,
    refused: fn(&Response) -> Error,
    link_operation: Cow<'static, str>,
    link_accept: HeaderValue,
}

impl<'a> Download<'a> {
    /// `request`, sent through `http`; `refused` makes the provider's error of a non-2xx answer, the API's or the
    /// link's host's. A followed link is named as `request` in errors and logs, and asks for any type.
    pub fn new(http: &'a HttpClient, request: Request, refused: fn(&Response) -> Error) -> Self {
        Download {
            http,
            link_operation: request.operation.clone(),
            request,
            refused,
            link_accept: HeaderValue::from_static("*/*"),
        }
    }

    /// Names the request to a redirect's target `operation`, and sends it `Accept: accept`.
    #[must_use]
    pub fn link(mut self, operation: impl Into<Cow<'static, str>>, accept: HeaderValue) -> Self {
        self.link_operation = operation.into();
        self.link_accept = accept;
        self
    }

    /// Streams the file into `writer`, chunk by chunk, flushes it (without shutting it down), and answers the
    /// number of bytes written. On an error, `writer` may hold part of the file.
    ///
    /// # Errors
    ///
    /// `refused`'s error for a non-2xx answer; [`ErrorKind::Decode`] for a redirect without a usable `Location`, or
    /// a second redirect; [`ErrorKind::Timeout`] or [`ErrorKind::Transport`] when the body stalls or breaks;
    /// [`ErrorKind::Io`] when `writer` fails (its `std::io::Error` is the source).
    pub async fn to_writer<W>(self, writer: &mut W) -> crate::Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut body = self.open().await?;
        let written = self.copy(&mut body, writer).await?;
        writer
            .flush()
            .await
            .map_err(|e| self.io_error("could not write the download", e))?;
        Ok(written)
    }

    /// Downloads the file to `path`, all or nothing, and answers its size: `path` ends up either the whole file or
    /// untouched (an existing file is replaced only on success).
    ///
    /// # Errors
    ///
    /// As [`to_writer`](Self::to_writer); [`ErrorKind::InvalidInput`] when `path` has no file name (nothing is
    /// sent); [`ErrorKind::Io`] when the part file cannot be created, written, synced or renamed.
    pub async fn to_file(self, path: impl AsRef<Path>) -> crate::Result<u64> {
        let path = path.as_ref();
        let Some(name) = path.file_name() else {
            return Err(self.context(Error::new(
                ErrorKind::InvalidInput,
                "the download's path has no file name",
            )));
        };
        // Long names are shortened so the prefix and suffix never push the name past the file system's limit.
        let stem: String = name.to_string_lossy().chars().take(100).collect();
        let mut body = self.open().await?;
        let (part, mut file) = self.create_part(path, &stem).await?;
        let written = match self.copy(&mut body, &mut file).await {
            Ok(written) => written,
            Err(error) => {
                part.discard(file).await;
                return Err(error);
            }
        };
        let synced = async {
            file.flush().await?;
            file.get_mut().sync_all().await
        }
        .await;
        if let Err(e) = synced {
            part.discard(file).await;
            return Err(self.io_error("could not write the downloaded file", e));
        }
        // Closed before the rename: Windows refuses to rename an open file.
        drop(file);
        if let Err(e) = tokio::fs::rename(&part.path, path).await {
            part.discard_closed().await;
            return Err(self.io_error("could not move the downloaded file into place", e));
        }
        part.keep();
        Ok(written)
    }

    /// Sends the request and follows one redirect, answering the file's body once a 2xx arrives.
    async fn open(&self) -> crate::Result<StreamingResponse> {
        let answer = match self.http.send_streaming(self.request.clone()).await? {
            Ok(body) => return Ok(body),
            Err(answer) => answer,
        };
        if !is_redirect(answer.status()) {
            return Err((self.refused)(&answer));
        }
        let location = self.location(&answer)?;
        // `external_get` sends none of our headers: the key stays home, whatever host the link names.
        let mut link = Request::external_get(&location, self.link_operation.clone())
            .map_err(|e| {
                answer.context(
                    Error::new(
                        ErrorKind::Decode,
                        "the redirect points to a URL we will not follow (not https)",
                    )
                    .with_source(e),
                )
            })?
            .header(ACCEPT, self.link_accept.clone());
        if let Some(id) = &self.request.call_id {
            link = link.for_call(id);
        }
        match self.http.send_streaming(link).await? {
            Ok(body) => Ok(body),
            Err(again) if is_redirect(again.status()) => Err(again.context(Error::new(
                ErrorKind::Decode,
                "the download's host redirected again; only one redirect is followed",
            ))),
            Err(refused) => Err((self.refused)(&refused)),
        }
    }

    /// The redirect's target as an absolute URL: a path-only `Location` is resolved against the API's origin.
    fn location(&self, answer: &Response) -> crate::Result<String> {
        let missing = || {
            answer.context(Error::new(
                ErrorKind::Decode,
                "the redirect has no usable `Location`",
            ))
        };
        let location = answer
            .header("location")
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .ok_or_else(missing)?;
        // `//host/x` names another host: it is not a path, and `external_get` refuses it as not absolute.
        if location.starts_with('/') && !location.starts_with("//") {
            let base = url::Url::parse(self.http.base_url().as_str()).map_err(|_| missing())?;
            let url = base.join(location).map_err(|_| missing())?;
            return Ok(url.into());
        }
        Ok(location.to_owned())
    }

    async fn copy<W>(&self, body: &mut StreamingResponse, writer: &mut W) -> crate::Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut written: u64 = 0;
        while let Some(chunk) = body.chunk().await? {
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| self.io_error("could not write the download", e))?;
            written = written.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        }
        Ok(written)
    }

    /// Creates `.<stem>.<random>.part` beside `path`, new (never an existing file).
    async fn create_part(
        &self,
        path: &Path,
        stem: &str,
    ) -> crate::Result<(PartFile, BufWriter<File>)> {
        const FAILED: &str = "could not create a temporary file beside the download's path";
        let mut last_error = None;
        for _ in 0..PART_NAME_TRIES {
            let part = path.with_file_name(format!(".{stem}.{:016x}.part", fastrand::u64(..)));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&part)
                .await
            {
                Ok(file) => {
                    let part = PartFile { path: part };
                    return Ok((part, BufWriter::with_capacity(FILE_BUFFER_BYTES, file)));
                }
                // A leftover of a crashed run: take another name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => return Err(self.io_error(FAILED, e)),
            }
        }
        let error = last_error.unwrap_or_else(|| std::io::Error::other("no free temporary name"));
        Err(self.io_error(FAILED, error))
    }

    /// `error` with the provider, the operation and the call.
    fn context(&self, error: Error) -> Error {
        let error = error
            .with_provider(self.http.provider())
            .with_operation(self.link_operation.clone());
        match &self.request.call_id {
            Some(id) => error.with_call_id(id.clone()),
            None => error,
        }
    }

    /// A local failure (a writer, the file system): the provider's part succeeded.
    fn io_error(&self, what: &'static str, source: std::io::Error) -> Error {
        self.context(Error::new(ErrorKind::Io, what))
            .with_request_sent(true)
            .with_source(source)
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// A part file, removed unless it is kept. The open file is kept apart, so it can be closed before the part file is
/// renamed or removed (Windows refuses both on an open file).
#[derive(Debug)]
struct PartFile {
    /// Empty once kept or removed.
    path: PathBuf,
}

impl PartFile {
    /// The part file became the destination: nothing to remove.
    fn keep(mut self) {
        self.path = PathBuf::new();
    }

    /// Closes and removes the part file. Best effort: the error being returned matters more than a failed clean-up.
    async fn discard(self, mut file: BufWriter<File>) {
        // Lets any write still in flight in tokio's background finish, so the file is really closed when dropped.
        let _ = file.flush().await;
        drop(file);
        self.discard_closed().await;
    }

    async fn discard_closed(mut self) {
        if tokio::fs::remove_file(&self.path).await.is_ok() {
            self.path = PathBuf::new();
        }
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        // Reached with a path only when the download's future is dropped midway (or an async removal failed):
        // remove the part file here. One unlink; there is no async drop to do it without blocking.
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
