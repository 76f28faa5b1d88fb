//! The accept loop and the per-connection HTTP/1.1 service.
//!
//! Connections are accepted here rather than by a framework so that a fault can end one with a
//! TCP reset: the socket is wrapped in [`ResettableIo`], and when a handler asks for a reset the
//! connection task drops the hyper connection; the wrapper's `Drop` first sets `SO_LINGER` to
//! zero, so the kernel answers the close with RST instead of FIN and the client sees
//! "connection reset" with no HTTP response.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::app::App;
use crate::dispatch::{self, Outcome};

/// Serves `listener` until `app.shutdown` is cancelled, then drains: idle connections close at
/// once, requests in flight get `grace` to finish, and whatever is left is dropped.
pub(crate) async fn serve(listener: TcpListener, app: Arc<App>, grace: Duration) {
    let tracker = TaskTracker::new();
    let hard_stop = CancellationToken::new();
    loop {
        let accepted = tokio::select! {
            () = app.shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _peer)) => {
                tracker.spawn(connection(
                    stream,
                    Arc::clone(&app),
                    hard_stop.child_token(),
                ));
            }
            Err(error) => {
                // Usually out of file descriptors: back off briefly instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    drop(listener);
    tracker.close();
    if tokio::time::timeout(grace, tracker.wait()).await.is_err() {
        hard_stop.cancel();
        tracker.wait().await;
    }
}

/// Serves one connection.
async fn connection(stream: TcpStream, app: Arc<App>, kill: CancellationToken) {
    // Small responses should leave at once, not wait for Nagle.
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = ResettableIo {
        stream,
        reset: Arc::clone(&reset),
    };
    let service = {
        let app = Arc::clone(&app);
        let kill = kill.clone();
        service_fn(move |request| {
            let app = Arc::clone(&app);
            let kill = kill.clone();
            let reset = Arc::clone(&reset);
            async move {
                match dispatch::handle(&app, request).await {
                    Outcome::Respond(response) => Ok::<_, Infallible>(response),
                    Outcome::Reset => {
                        reset.store(true, Ordering::SeqCst);
                        kill.cancel();
                        // The connection task drops this future together with the connection.
                        std::future::pending().await
                    }
                }
            }
        })
    };
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            () = kill.cancelled() => break,
            () = app.shutdown.cancelled(), if !draining => {
                conn.as_mut().graceful_shutdown();
                draining = true;
            }
        }
    }
}

/// A TCP stream that can be closed with a reset.
#[derive(Debug)]
struct ResettableIo {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            // With a zero linger time, closing the socket sends RST and discards unsent data.
            if let Err(error) = self.stream.set_zero_linger() {
                tracing::warn!(%error, "cannot set SO_LINGER 0; the connection closes with FIN");
            }
        }
    }
}

impl AsyncRead for ResettableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
