//! Where bulk ids come from: the command line, then a file, a pipe, a FIFO or standard input, opened once and read
//! as a stream.
//!
//! The input is read on a thread of its own, with plain blocking reads: that is the only read that works the same
//! on a regular file, a pipe, a FIFO, `/dev/stdin` and a process substitution, and a thread blocked on a producer
//! that never writes again costs nothing when the run ends (the process exits; nobody joins it). Each id is handed
//! to the run as soon as its line is complete, so an answer never waits for the next line of input. Lines that are
//! not valid UTF-8 or not a valid call id are set aside as [`Rejected`], with their line number, and reading goes
//! on.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use calls_facade::CallId;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::{mpsc, watch};

/// A stream of ids for the bulk engine.
pub(crate) type Ids = Pin<Box<dyn Stream<Item = String> + Send>>;

/// The most lines handed over at once, and the batches the reader may be ahead of the run: a bound on what is read
/// but not yet sent (and so reported `not_attempted` after Ctrl-C).
const BATCH_LINES: usize = 512;
const BATCHES_AHEAD: usize = 4;

/// A line of input that is not an id.
#[derive(Debug)]
pub(crate) struct Rejected {
    /// The line number (1-based; blank lines count).
    pub(crate) line: u64,
    /// The line, trimmed: as it is when it is UTF-8, else with every byte that is not printable ASCII escaped
    /// (`\xNN`, `\\` for a backslash).
    pub(crate) text: String,
    /// Whether `text` is the line as it is (UTF-8), rather than escaped already.
    pub(crate) utf8: bool,
    /// Why it is not an id.
    pub(crate) why: String,
}

/// A line as the reader thread hands it over.
enum Line {
    Id(String),
    /// Boxed: rare, and three times an id's size (a batch of 512 lines stays 12 KiB).
    Rejected(Box<Rejected>),
}

/// Lines handed over at once, and the number of the last line read for them (blank lines count).
struct Batch {
    lines: Vec<Line>,
    through: u64,
}

/// What the run learns about its input as it goes.
#[derive(Debug, Default)]
struct Progress {
    /// The last line number handed to the run.
    lines: AtomicU64,
    /// Whether the input was read to its end.
    ended: AtomicBool,
}

/// The run's hold on its input: stop reading, and what was read.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    stop: Arc<watch::Sender<bool>>,
    progress: Arc<Progress>,
    read_error: Arc<std::sync::Mutex<Option<String>>>,
}

impl Input {
    /// Stops reading: the lines the reader already holds are still handed over (the engine reports them
    /// `not_attempted` after a stop), then the id stream ends, whatever the producer does.
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// How many lines of input were handed to the run.
    pub(crate) fn lines(&self) -> u64 {
        self.progress.lines.load(Ordering::SeqCst)
    }

    /// Whether the input was read to its end.
    pub(crate) fn ended(&self) -> bool {
        self.progress.ended.load(Ordering::SeqCst)
    }

    /// The error that ended reading early, if one did.
    pub(crate) fn read_error(&self) -> Option<String> {
        match self.read_error.lock() {
            Ok(error) => error.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// An opened id source.
pub(crate) struct Source {
    /// The ids, for the engine: the arguments' first, then the input's.
    pub(crate) ids: Ids,
    /// The lines of input that are not ids, as they are read.
    pub(crate) rejected: mpsc::UnboundedReceiver<Rejected>,
    /// The run's hold on the input; `None` when every id came as an argument.
    pub(crate) input: Option<Input>,
}

/// Where the input is.
enum Origin {
    Stdin,
    Path(PathBuf),
}

/// Opens the ids given as arguments, then those of `path` (`-` for standard input).
///
/// A path that does not exist or cannot be read is an error here, before anything is sent. A FIFO is opened on the
/// reader thread: opening one waits for its writer.
///
/// # Errors
///
/// The path's metadata cannot be read (it does not exist, or permission is denied), or it is a directory.
pub(crate) fn open(args: Vec<String>, path: Option<&Path>) -> std::io::Result<Source> {
    let (reject_tx, rejected) = mpsc::unbounded_channel();
    let from_args = stream::iter(args);
    let Some(path) = path else {
        return Ok(Source {
            ids: Box::pin(from_args),
            rejected,
            input: None,
        });
    };
    let origin = if path.as_os_str() == "-" {
        Origin::Stdin
    } else {
        let metadata = std::fs::metadata(path)?;
        if metadata.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a directory",
            ));
        }
        Origin::Path(path.to_owned())
    };
    let (batch_tx, batches) = mpsc::channel(BATCHES_AHEAD);
    let (stop, stopped) = watch::channel(false);
    let input = Input {
        stop: Arc::new(stop),
        progress: Arc::new(Progress::default()),
        read_error: Arc::new(std::sync::Mutex::new(None)),
    };
    let error_slot = Arc::clone(&input.read_error);
    let spawned = std::thread::Builder::new()
        .name("callctl-ids".into())
        .spawn(move || {
            if let Err(error) = read(origin, &batch_tx) {
                let mut slot = match error_slot.lock() {
                    Ok(slot) => slot,
                    Err(poisoned) => poisoned.into_inner(),
                };
                *slot = Some(error.to_string());
            }
        });
    if let Err(error) = spawned {
        return Err(std::io::Error::other(format!(
            "cannot start the thread that reads ids: {error}"
        )));
    }
    let feed = Feed {
        batches,
        pending: Vec::new().into_iter(),
        stopped,
        _stop: Arc::clone(&input.stop),
        stopping: false,
        reject_tx,
        progress: Arc::clone(&input.progress),
    };
    let from_input = stream::unfold(feed, |mut feed| async move {
        feed.next().await.map(|id| (id, feed))
    });
    Ok(Source {
        ids: Box::pin(from_args.chain(from_input)),
        rejected,
        input: Some(input),
    })
}

/// How many ids a regular file holds (non-blank lines), for the progress bar; `None` for anything else, whose second
/// read would take ids from the run (a pipe) or wait (a FIFO).
pub(crate) fn count_in(path: &Path) -> Option<u64> {
    if path.as_os_str() == "-" {
        return None;
    }
    let file = File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut count = 0;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return Some(count),
            Ok(_) => {
                if !line.trim_ascii().is_empty() {
                    count += 1;
                }
            }
            Err(_) => return None,
        }
    }
}

/// The reader thread: reads `origin` line by line, handing over each batch of lines as soon as no further complete
/// line is waiting in the buffer. Ends at end of input, at a read error (returned), or when the run hangs up.
fn read(origin: Origin, batches: &mpsc::Sender<Batch>) -> std::io::Result<()> {
    let reader: Box<dyn Read> = match origin {
        Origin::Stdin => Box::new(std::io::stdin().lock()),
        Origin::Path(path) => Box::new(File::open(path)?),
    };
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut batch = Batch {
        lines: Vec::with_capacity(BATCH_LINES),
        through: 0,
    };
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => {
                // A run that hung up needs no more lines: either way, reading is over.
                let _hung_up = batches.blocking_send(batch);
                return Ok(());
            }
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => {
                // What was read before the error is still handed over.
                let _hung_up = batches.blocking_send(batch);
                return Err(error);
            }
        }
        batch.through += 1;
        if let Some(parsed) = parse(batch.through, &line) {
            batch.lines.push(parsed);
        }
        // Hand over now unless another complete line is already waiting: an id never waits for the next line.
        if batch.lines.len() >= BATCH_LINES || !reader.buffer().contains(&b'\n') {
            let next = Batch {
                lines: Vec::with_capacity(BATCH_LINES),
                through: batch.through,
            };
            if batches
                .blocking_send(std::mem::replace(&mut batch, next))
                .is_err()
            {
                return Ok(());
            }
        }
    }
}

/// One line of input: `None` when blank, else an id (trimmed) or why it is not one.
fn parse(number: u64, raw: &[u8]) -> Option<Line> {
    let trimmed = raw.trim_ascii();
    if trimmed.is_empty() {
        return None;
    }
    let Ok(text) = std::str::from_utf8(trimmed) else {
        return Some(Line::Rejected(Box::new(Rejected {
            line: number,
            text: trimmed.escape_ascii().to_string(),
            utf8: false,
            why: "not valid UTF-8".to_owned(),
        })));
    };
    Some(match CallId::new(text) {
        Ok(id) => Line::Id(String::from(id)),
        Err(error) => Line::Rejected(Box::new(Rejected {
            line: number,
            text: text.to_owned(),
            utf8: true,
            why: error.to_string(),
        })),
    })
}

/// The run's side of the reader: ids one at a time, rejected lines set aside, and after a stop only the lines the
/// reader already handed over.
struct Feed {
    batches: mpsc::Receiver<Batch>,
    pending: std::vec::IntoIter<Line>,
    stopped: watch::Receiver<bool>,
    /// Held so that `stopped` always has a sender: `changed()` then never fails at once, in a loop.
    _stop: Arc<watch::Sender<bool>>,
    stopping: bool,
    reject_tx: mpsc::UnboundedSender<Rejected>,
    progress: Arc<Progress>,
}

impl Feed {
    async fn next(&mut self) -> Option<String> {
        loop {
            for line in self.pending.by_ref() {
                match line {
                    Line::Id(id) => return Some(id),
                    Line::Rejected(rejected) => {
                        // The report loop may be gone (the run ended early); the line is then nobody's to report.
                        let _gone = self.reject_tx.send(*rejected);
                    }
                }
            }
            let batch = if self.stopping || *self.stopped.borrow() {
                self.stopping = true;
                match self.batches.try_recv() {
                    Ok(batch) => Some(batch),
                    Err(mpsc::error::TryRecvError::Empty) => return None,
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                }
            } else {
                tokio::select! {
                    biased;
                    _ = self.stopped.changed() => continue,
                    batch = self.batches.recv() => batch,
                }
            };
            let Some(batch) = batch else {
                self.progress.ended.store(true, Ordering::SeqCst);
                return None;
            };
            self.progress.lines.store(batch.through, Ordering::SeqCst);
            self.pending = batch.lines.into_iter();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(line: Option<Line>) -> Rejected {
        match line {
            Some(Line::Rejected(rejected)) => *rejected,
            Some(Line::Id(id)) => panic!("taken as an id: {id}"),
            None => panic!("taken as blank"),
        }
    }

    #[test]
    fn lines_are_trimmed_blank_ones_skipped_and_bad_ones_rejected_with_their_number() {
        assert!(matches!(parse(1, b"  call_1 \r\n"), Some(Line::Id(id)) if id == "call_1"));
        assert!(parse(2, b" \r\n").is_none());
        let bad = rejected(parse(3, b"call_\xff\n"));
        assert_eq!((bad.line, bad.text.as_str()), (3, "call_\\xff"));
        assert_eq!(bad.why, "not valid UTF-8");
        let control = rejected(parse(4, b"a\x07b\n"));
        assert_eq!(control.line, 4);
        assert!(control.why.contains("invalid call id"), "{}", control.why);
        assert!(rejected(parse(5, b"..")).why.contains("invalid call id"));
    }
}
