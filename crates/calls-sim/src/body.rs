//! Response bodies (whole, chunked or generated) and capped request body reads.

use std::convert::Infallible;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};

/// The size of each frame of a generated or chunked body.
const CHUNK: usize = 16 * 1024;

/// Filler for generated bodies: a static block, so a huge body costs no memory.
static FILL: [u8; CHUNK] = [b'a'; CHUNK];

/// A response body.
#[derive(Debug)]
pub(crate) enum SimBody {
    /// One buffer, sent with a `Content-Length`.
    Full(Option<Bytes>),
    /// One buffer sent in frames of `chunk` bytes with chunked transfer encoding.
    Chunked { data: Bytes, chunk: usize },
    /// `prefix`, then `fill` filler bytes, then `suffix`, streamed with chunked transfer encoding.
    Generated {
        prefix: Option<Bytes>,
        fill: u64,
        suffix: Option<Bytes>,
    },
}

impl SimBody {
    /// A whole body.
    pub(crate) fn full(data: impl Into<Bytes>) -> SimBody {
        SimBody::Full(Some(data.into()))
    }

    /// No body.
    pub(crate) fn empty() -> SimBody {
        SimBody::Full(None)
    }

    /// `data` streamed in frames of `chunk` bytes.
    pub(crate) fn chunked(data: Bytes, chunk: usize) -> SimBody {
        SimBody::Chunked {
            data,
            chunk: chunk.max(1),
        }
    }

    /// A JSON document of exactly `total` bytes (at least the 14 of its frame):
    /// `{"padding":"aaaa…"}`, streamed.
    pub(crate) fn huge_json(total: u64) -> SimBody {
        let prefix = Bytes::from_static(b"{\"padding\":\"");
        let suffix = Bytes::from_static(b"\"}");
        let frame = (prefix.len() + suffix.len()) as u64;
        SimBody::Generated {
            prefix: Some(prefix),
            fill: total.saturating_sub(frame),
            suffix: Some(suffix),
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let next = match this {
            SimBody::Full(data) => data.take(),
            SimBody::Chunked { data, chunk } => {
                if data.is_empty() {
                    None
                } else {
                    let n = (*chunk).min(data.len());
                    Some(data.split_to(n))
                }
            }
            SimBody::Generated {
                prefix,
                fill,
                suffix,
            } => {
                if let Some(p) = prefix.take() {
                    Some(p)
                } else if *fill > 0 {
                    let n = usize::try_from(*fill).unwrap_or(CHUNK).min(CHUNK);
                    *fill -= n as u64;
                    Some(Bytes::from_static(&FILL[..n]))
                } else {
                    suffix.take()
                }
            }
        };
        Poll::Ready(next.map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            SimBody::Full(data) => data.is_none(),
            SimBody::Chunked { data, .. } => data.is_empty(),
            SimBody::Generated {
                prefix,
                fill,
                suffix,
            } => prefix.is_none() && *fill == 0 && suffix.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SimBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            // No exact size: hyper then streams with chunked transfer encoding, as a real
            // streaming endpoint does, and a client cannot reject the body up front.
            SimBody::Chunked { .. } | SimBody::Generated { .. } => SizeHint::default(),
        }
    }
}

/// What reading a request body gave.
#[derive(Debug)]
pub(crate) enum RequestBody {
    /// The whole body.
    Complete(Bytes),
    /// The body was longer than the limit; it was not kept.
    TooLarge,
    /// The client stopped sending or sent something hyper could not parse.
    Broken,
}

/// Reads a request body, keeping at most `limit` bytes.
pub(crate) async fn read(mut body: Incoming, limit: usize) -> RequestBody {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let frame = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            None => return RequestBody::Complete(Bytes::from(buf)),
            Some(Err(_)) => return RequestBody::Broken,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if buf.len() + data.len() > limit {
                        return RequestBody::TooLarge;
                    }
                    buf.extend_from_slice(&data);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(mut body: SimBody) -> Vec<u8> {
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut out = Vec::new();
        while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut cx) {
            out.extend_from_slice(&frame.into_data().unwrap());
        }
        assert!(body.is_end_stream());
        out
    }

    #[test]
    fn huge_json_has_the_requested_size_and_parses() {
        let bytes = drain(SimBody::huge_json(100_000));
        assert_eq!(bytes.len(), 100_000);
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert!(value["padding"].is_string());
    }

    #[test]
    fn chunked_keeps_the_data() {
        let data = Bytes::from(vec![7u8; 10_000]);
        assert_eq!(drain(SimBody::chunked(data.clone(), 1024)), data.to_vec());
    }
}
