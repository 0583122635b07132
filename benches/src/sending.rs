//! Our sending adapters (`sse-codec-tokio`'s `EventSink` and `EventBody`) behind the encode benches'
//! [`Prepare`](crate::encode::Prepare) signature, so they are timed exactly as the core's loop and the peer
//! encoders are (see [`encode`](crate::encode) for what is inside the clock).
//!
//! Both are polled in place with a no-op waker: the sink's writer and the body's source never pend, so no
//! executor's cost is counted. `EventBody` starts its timers at its first poll, which needs a Tokio runtime
//! with a timer entered (`Runtime::enter`) by whoever runs these.

use std::hint::black_box;
use std::io;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures::{Sink, Stream, stream};
use sse_codec::Event;
use sse_codec_tokio::{EventBody, EventSink};
use tokio::io::AsyncWrite;

use crate::encode::{Output, Prepared};

/// A writer that takes every byte, vectored or not, and keeps none.
#[derive(Debug, Default)]
pub struct Discard;

impl AsyncWrite for Discard {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Feeds every event into an `EventSink` over `writer`, then flushes, and hands the writer back.
///
/// # Errors
///
/// The sink's error, or a `Pending` from a writer that should never pend.
pub fn sink_all<W: AsyncWrite + Unpin>(events: Vec<Event>, writer: W) -> Result<W, String> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut sink = EventSink::new(writer);
    let ready = |poll: Poll<io::Result<()>>| match poll {
        Poll::Ready(result) => result.map_err(|e| e.to_string()),
        Poll::Pending => Err("a writer that never pends made the sink pend".to_string()),
    };
    for event in events {
        ready(Sink::<Event>::poll_ready(Pin::new(&mut sink), &mut cx))?;
        Pin::new(&mut sink).start_send(event).map_err(|e| e.to_string())?;
    }
    ready(Sink::<Event>::poll_flush(Pin::new(&mut sink), &mut cx))?;
    Ok(sink.into_inner())
}

/// Polls an `EventBody` (default options) of the events to its end, handing each chunk to `each`.
///
/// # Errors
///
/// A `Pending` over a source that never pends.
pub fn drain_body(events: Vec<Event>, mut each: impl FnMut(Bytes)) -> Result<(), String> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut body = pin!(EventBody::new(stream::iter(events)));
    loop {
        match body.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(Ok(chunk))) => each(chunk),
            Poll::Ready(None) => return Ok(()),
            Poll::Ready(Some(Err(never))) => match never {},
            Poll::Pending => return Err("the body pended over a source that never does".into()),
        }
    }
}

/// `EventSink` into a writer that discards ([`Discard`]).
///
/// # Errors
///
/// None in practice (see [`sink_all`]).
pub fn prepare_sink(events: &[Event]) -> Result<Prepared, String> {
    Ok(Prepared::new(events.to_vec(), |events, _| sink_all(events, Discard).map(drop)))
}

/// `EventBody`, each chunk dropped as it comes, as a server drops it once written.
///
/// # Errors
///
/// None in practice (see [`drain_body`]).
pub fn prepare_body(events: &[Event]) -> Result<Prepared, String> {
    Ok(Prepared::new(events.to_vec(), |events, _| drain_body(events, |chunk| drop(black_box(chunk)))))
}

/// `EventBody`, its chunks kept in [`Output::frames`] as the axum peer keeps its frames: the one to set beside
/// axum.
///
/// # Errors
///
/// None in practice (see [`drain_body`]).
pub fn prepare_body_kept(events: &[Event]) -> Result<Prepared, String> {
    Ok(Prepared::new(events.to_vec(), |events, out: &mut Output| drain_body(events, |chunk| out.frames.push(chunk))))
}
