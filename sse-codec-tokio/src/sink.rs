//! [`EventSink`]: events (and comments, `retry`, blocks encoded earlier) into any [`AsyncWrite`].

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes, BytesMut};
use futures_sink::Sink;
use pin_project_lite::pin_project;
use sse_codec::EventBuf;
use tokio::io::AsyncWrite;

use std::convert::Infallible;

use crate::outgoing::{BodyItem, Encoded};

/// Once this many bytes are buffered, [`Sink::poll_ready`] writes them out before it takes another item.
pub const HIGH_WATER_MARK: usize = 8 * 1024;

/// Event data (or blocks encoded earlier) of at least this many bytes are not copied into the buffer: they go
/// out from their own memory by a vectored write (the core's [`EventBuf`] chain).
pub const LARGE_PAYLOAD: usize = 4 * 1024;

/// How many pieces one vectored write hands the writer at most.
const MAX_IOVECS: usize = 64;

/// A payload that goes out after the buffer, from its own memory.
#[derive(Debug)]
enum Tail {
    Event(EventBuf),
    Encoded(Bytes),
}

impl Tail {
    fn get(&self) -> &dyn Buf {
        match self {
            Self::Event(buf) => buf,
            Self::Encoded(bytes) => bytes,
        }
    }

    fn buf(&mut self) -> &mut dyn Buf {
        match self {
            Self::Event(buf) => buf,
            Self::Encoded(bytes) => bytes,
        }
    }
}

/// Where a sink is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    /// Closed by `poll_close`: closing again is fine, sending is an error.
    Closed,
    /// The writer failed; the error went out once, and every call now answers [`closed`].
    Failed,
}

/// Moves what is left of `tail` to the end of `buf`.
#[cold]
fn append(buf: &mut BytesMut, tail: &mut Option<Tail>) {
    let Some(mut tail) = tail.take() else { return };
    let tail = tail.buf();
    while tail.has_remaining() {
        let chunk = tail.chunk();
        buf.extend_from_slice(chunk);
        let n = chunk.len();
        tail.advance(n);
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "event sink is closed")
}

pin_project! {
    /// A [`Sink`] of events into any [`AsyncWrite`]: a `TcpStream`, a pipe, a `tokio::io::DuplexStream`.
    ///
    /// It takes every [`BodyItem`] without an error: an [`Event`](sse_codec::Event), a
    /// [`Frame`](sse_codec::Frame), [`Bytes`] of blocks encoded earlier (written as they are), or an
    /// [`Outgoing::Comment`](crate::Outgoing::Comment) or [`Outgoing::Retry`](crate::Outgoing::Retry). Everything is encoded by the core into one reused buffer.
    ///
    /// - `SinkExt::send` writes the event out and flushes the writer: an event
    ///   that sits in a buffer is, to the receiver, an event lost. `feed` several
    ///   and then `flush` to write them together.
    /// - Backpressure: once [`HIGH_WATER_MARK`] (8 KiB) bytes are buffered, `poll_ready` writes them out
    ///   before it takes another item, so a slow reader holds the producer back instead of growing memory.
    /// - Data of [`LARGE_PAYLOAD`] (4 KiB) or more is not copied: the event goes out as the core's
    ///   [`EventBuf`] chain (its field lines, then the data's own memory) by
    ///   [`poll_write_vectored`](AsyncWrite::poll_write_vectored).
    /// - `poll_close` writes out and flushes what is buffered, then shuts the writer down.
    /// - A write error comes out once; the sink is then closed, and every later call fails with
    ///   [`io::ErrorKind::NotConnected`].
    ///
    /// # Cancellation safety
    ///
    /// Everything taken lives in the sink: dropping a `send` future after its item was taken (a losing branch
    /// of `tokio::select!`) leaves the item buffered, to go out at the next write.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::SinkExt;
    /// use sse_codec::{Event, Frame};
    /// use sse_codec_tokio::{EventSink, Outgoing};
    /// use tokio::io::AsyncReadExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let (writer, mut reader) = tokio::io::duplex(1024);
    /// let mut sink = EventSink::new(writer);
    /// sink.send(Outgoing::Retry(3000)).await?;
    /// sink.send(Event::new("hello")).await?;
    /// sink.close().await?;
    ///
    /// let mut wire = Vec::new();
    /// reader.read_to_end(&mut wire).await?;
    /// let mut expected = Vec::new();
    /// Frame::Retry(3000).encode(&mut expected).unwrap();
    /// Event::new("hello").encode(&mut expected).unwrap();
    /// assert_eq!(wire, expected);
    /// # Ok(()) }
    /// ```
    #[derive(Debug)]
    #[must_use = "sinks do nothing unless polled"]
    pub struct EventSink<W> {
        #[pin]
        writer: W,
        buf: BytesMut,
        tail: Option<Tail>,
        state: State,
    }
}

impl<W> EventSink<W> {
    /// A sink into `writer`.
    pub fn new(writer: W) -> Self {
        Self { writer, buf: BytesMut::new(), tail: None, state: State::Open }
    }

    /// The writer.
    #[must_use]
    pub const fn get_ref(&self) -> &W {
        &self.writer
    }

    /// The writer, to change it: bytes written to it here may land between the sink's blocks.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// The writer; what was buffered and not yet written is dropped (flush first to keep it).
    pub fn into_inner(self) -> W {
        self.writer
    }

    /// How many bytes are taken but not yet written.
    #[must_use]
    pub fn buffered_len(&self) -> usize {
        self.buf.len() + self.tail.as_ref().map_or(0, |tail| tail.get().remaining())
    }
}

impl<W: AsyncWrite> EventSink<W> {
    /// Writes out the buffer and the tail, without flushing the writer.
    fn poll_write_out(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut this = self.project();
        loop {
            let tail_len = this.tail.as_ref().map_or(0, |tail| tail.get().remaining());
            if this.buf.is_empty() && tail_len == 0 {
                *this.tail = None;
                // Back to the start of the allocation while nothing needs moving, rather than later, when the
                // room behind the written bytes runs out and what was encoded since has to be moved.
                this.buf.reserve(HIGH_WATER_MARK);
                return Poll::Ready(Ok(()));
            }
            let written = if tail_len > 0 && this.writer.is_write_vectored() {
                let mut slices = [IoSlice::new(&[]); MAX_IOVECS];
                let mut count = 0;
                if !this.buf.is_empty() {
                    slices[0] = IoSlice::new(this.buf);
                    count = 1;
                }
                if let Some(tail) = this.tail.as_ref() {
                    count += tail.get().chunks_vectored(&mut slices[count..]);
                }
                ready!(this.writer.as_mut().poll_write_vectored(cx, &slices[..count]))
            } else if !this.buf.is_empty() {
                ready!(this.writer.as_mut().poll_write(cx, this.buf))
            } else {
                let tail = this.tail.as_ref().expect("a tail remains").get();
                ready!(this.writer.as_mut().poll_write(cx, tail.chunk()))
            };
            let mut written = match written {
                Ok(0) => Err(io::Error::new(io::ErrorKind::WriteZero, "the writer took no bytes of an event")),
                other => other,
            }
            .inspect_err(|_| *this.state = State::Failed)?;
            let from_buf = written.min(this.buf.len());
            this.buf.advance(from_buf);
            written -= from_buf;
            if written > 0 {
                this.tail.as_mut().expect("only a tail was left to write").buf().advance(written);
            }
        }
    }

    /// Writes out everything taken, then flushes the writer.
    fn poll_flush_writer(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check_open()?;
        ready!(self.as_mut().poll_write_out(cx))?;
        let this = self.project();
        let result = ready!(this.writer.poll_flush(cx));
        Poll::Ready(result.inspect_err(|_| *this.state = State::Failed))
    }

    /// Flushes, then shuts the writer down.
    fn poll_close_writer(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.state == State::Closed {
            return Poll::Ready(Ok(()));
        }
        ready!(self.as_mut().poll_flush_writer(cx))?;
        let this = self.project();
        let result = ready!(this.writer.poll_shutdown(cx));
        *this.state = if result.is_ok() { State::Closed } else { State::Failed };
        Poll::Ready(result)
    }

    fn check_open(&self) -> io::Result<()> {
        if self.state == State::Open { Ok(()) } else { Err(closed()) }
    }
}

impl<W: AsyncWrite + Unpin> EventSink<W> {
    /// Writes out everything taken and flushes the writer: `SinkExt::flush`
    /// without naming the item type (the sink takes several).
    ///
    /// # Errors
    ///
    /// The writer's error, once; then [`io::ErrorKind::NotConnected`].
    pub async fn flush(&mut self) -> io::Result<()> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_flush_writer(cx)).await
    }

    /// Flushes, then shuts the writer down: `SinkExt::close` without naming the
    /// item type. Closing a closed sink does nothing.
    ///
    /// # Errors
    ///
    /// As [`EventSink::flush`], and the writer's shutdown error.
    pub async fn close(&mut self) -> io::Result<()> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_close_writer(cx)).await
    }
}

impl<W: AsyncWrite, T: BodyItem<Error = Infallible>> Sink<T> for EventSink<W> {
    type Error = io::Error;

    #[inline]
    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check_open()?;
        if self.buf.len() >= HIGH_WATER_MARK || self.tail.is_some() {
            ready!(self.as_mut().poll_write_out(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn start_send(self: Pin<&mut Self>, item: T) -> io::Result<()> {
        self.check_open()?;
        let this = self.project();
        if this.tail.is_some() {
            // `start_send` without `poll_ready` first: keep the order by copying the tail behind the buffer.
            append(this.buf, this.tail);
        }
        match item.encode_into(this.buf, LARGE_PAYLOAD) {
            Ok(Encoded::Buffered) => {}
            Ok(Encoded::Chain(chain)) => *this.tail = Some(Tail::Event(chain)),
            Ok(Encoded::Pass(bytes)) if bytes.len() >= LARGE_PAYLOAD => *this.tail = Some(Tail::Encoded(bytes)),
            Ok(Encoded::Pass(bytes)) => this.buf.extend_from_slice(&bytes),
            Err(never) => match never {},
        }
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush_writer(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_close_writer(cx)
    }
}
