//! Where bulk ids come from: the command line, then a file or standard input, read lazily line by line.

use std::path::Path;
use std::pin::Pin;

use futures_util::stream::{self, Stream, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// A stream of ids; read errors end it and are reported through `on_error`.
pub(crate) type Ids = Pin<Box<dyn Stream<Item = String> + Send>>;

/// How many ids a regular file holds (non-blank lines), for the progress bar; `None` for standard input.
pub(crate) async fn count_in(path: &Path) -> std::io::Result<Option<u64>> {
    if path.as_os_str() == "-" {
        return Ok(None);
    }
    let mut lines = BufReader::new(tokio::fs::File::open(path).await?).lines();
    let mut count = 0;
    while let Some(line) = lines.next_line().await? {
        if !line.trim().is_empty() {
            count += 1;
        }
    }
    Ok(Some(count))
}

/// The ids given as arguments, then those of `path` (`-` for standard input).
///
/// # Errors
///
/// The file cannot be opened (checked before anything is sent).
pub(crate) async fn source(
    args: Vec<String>,
    path: Option<&Path>,
    on_error: impl Fn(std::io::Error) + Send + Sync + 'static,
) -> std::io::Result<Ids> {
    let from_args = stream::iter(args);
    let Some(path) = path else {
        return Ok(Box::pin(from_args));
    };
    let reader: Pin<Box<dyn AsyncRead + Send>> = if path.as_os_str() == "-" {
        Box::pin(tokio::io::stdin())
    } else {
        Box::pin(tokio::fs::File::open(path).await?)
    };
    let lines = stream::unfold(
        (BufReader::new(reader).lines(), on_error),
        |(mut lines, on_error)| async move {
            loop {
                match lines.next_line().await {
                    Ok(Some(line)) => {
                        let id = line.trim();
                        if !id.is_empty() {
                            return Some((id.to_owned(), (lines, on_error)));
                        }
                    }
                    Ok(None) => return None,
                    Err(error) => {
                        on_error(error);
                        return None;
                    }
                }
            }
        },
    );
    Ok(Box::pin(from_args.chain(lines)))
}
