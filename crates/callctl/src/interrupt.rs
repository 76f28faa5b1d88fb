//! Ctrl-C during a run: the first stops it cleanly, the second quits at once.

use std::time::Duration;

use tokio::sync::mpsc;

/// How long the run has, after a second Ctrl-C, to write what it knows before the process exits without it (the
/// run may be stuck in a write to a reader that stopped reading).
const QUIT_GRACE: Duration = Duration::from_secs(2);

/// Ctrl-C, listened for from the moment the run starts: on Unix the handler is installed at once, so an interrupt
/// that comes early still stops the run cleanly instead of killing the process.
#[derive(Debug)]
pub(crate) struct Interrupts {
    count: mpsc::UnboundedReceiver<u32>,
    listener: tokio::task::JoinHandle<()>,
}

impl Interrupts {
    /// Starts listening.
    pub(crate) fn listen() -> Self {
        let (tx, count) = mpsc::unbounded_channel();
        let mut signal = Signal::install();
        let listener = tokio::spawn(async move {
            let mut seen = 0;
            while signal.next().await {
                seen += 1;
                if tx.send(seen).is_err() {
                    return;
                }
                if seen == 2 {
                    // The run quits on its own once it sees the second interrupt; this is for a run stuck in a
                    // write. Exit status 1: some calls' outcome is not known.
                    tokio::time::sleep(QUIT_GRACE).await;
                    eprintln!("callctl: quit on a second interrupt");
                    std::process::exit(1);
                }
            }
        });
        Interrupts { count, listener }
    }

    /// The next interrupt: 1 for the first, 2 for the second. Pending for ever when none comes.
    pub(crate) async fn next(&mut self) -> u32 {
        match self.count.recv().await {
            Some(count) => count,
            None => std::future::pending().await,
        }
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// SIGINT on Unix, Ctrl-C elsewhere.
struct Signal {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Signal {
    fn install() -> Self {
        #[cfg(unix)]
        {
            let kind = tokio::signal::unix::SignalKind::interrupt();
            Signal {
                signal: tokio::signal::unix::signal(kind).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Signal {}
        }
    }

    /// Waits for the next interrupt; `false` when none can be received.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            match &mut self.signal {
                Some(signal) => signal.recv().await.is_some(),
                None => false,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}
