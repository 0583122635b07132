//! `EventSink` against scripted writers: partial writes, `Pending` in between, errors, batching, backpressure,
//! vectored writes of large payloads.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{FutureExt, SinkExt};
use sse_codec::{Event, EventId, EventType};
use sse_codec_tokio::{EventSink, HIGH_WATER_MARK, LARGE_PAYLOAD, Outgoing};
use tokio::io::{AsyncReadExt, AsyncWrite};
use tokio_test::io::Builder;

/// Counts the writes that took bytes, the flushes and the shutdowns of the writer inside.
#[derive(Debug)]
struct Counting<W> {
    inner: W,
    writes: usize,
    flushes: usize,
    shutdowns: usize,
}

impl<W> Counting<W> {
    fn new(inner: W) -> Self {
        Self { inner, writes: 0, flushes: 0, shutdowns: 0 }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counting<W> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.writes += 1;
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flushes += 1;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shutdowns += 1;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

fn event(n: u32) -> Event {
    Event::new(format!("payload {n}"))
        .with_event_type(EventType::from_static("tick"))
        .with_id(EventId::new(n.to_string()).unwrap())
}

fn wire(event: &Event) -> Vec<u8> {
    let mut out = Vec::new();
    event.encode(&mut out).unwrap();
    out
}

#[tokio::test(start_paused = true)]
async fn one_byte_writes_with_pending_between_them() {
    let expected = wire(&event(1));
    let mut script = Builder::new();
    for byte in &expected {
        // A zero wait makes the writer answer `Pending` once, then take exactly one byte.
        script.wait(Duration::ZERO).write(std::slice::from_ref(byte));
    }
    let mut sink = EventSink::new(Counting::new(script.build()));
    sink.send(event(1)).await.unwrap();
    assert_eq!(sink.get_ref().writes, expected.len(), "not one write per byte");
    assert_eq!(sink.buffered_len(), 0);
    // The mock checks, when dropped, that every scripted byte was written.
}

#[tokio::test]
async fn send_writes_and_flushes_leaving_nothing_buffered() {
    let mut sink = EventSink::new(Counting::new(Builder::new().write(&wire(&event(7))).build()));
    sink.send(event(7)).await.unwrap();
    assert_eq!(sink.buffered_len(), 0, "send left bytes buffered");
    assert_eq!((sink.get_ref().writes, sink.get_ref().flushes), (1, 1));
}

#[tokio::test]
async fn feed_three_then_flush_writes_once() {
    let expected = [wire(&event(1)), wire(&event(2)), wire(&event(3))].concat();
    let mut sink = EventSink::new(Counting::new(Builder::new().write(&expected).build()));
    for n in 1..=3 {
        sink.feed(event(n)).await.unwrap();
    }
    assert_eq!(sink.get_ref().writes, 0, "feed wrote before the flush");
    assert_eq!(sink.buffered_len(), expected.len());
    sink.flush().await.unwrap();
    assert_eq!((sink.get_ref().writes, sink.get_ref().flushes), (1, 1), "the batch was not one write");
    assert_eq!(sink.buffered_len(), 0);
}

#[tokio::test]
async fn a_write_error_surfaces_once_then_the_sink_is_closed() {
    let script = Builder::new().write(b"data: a\n\n").write_error(io::Error::other("connection reset")).build();
    let mut sink = EventSink::new(Counting::new(script));
    sink.send(Event::new("a")).await.unwrap();
    let error = sink.send(Event::new("b")).await.unwrap_err();
    assert_eq!(error.to_string(), "connection reset");
    let writes = sink.get_ref().writes;
    for _ in 0..2 {
        let error = sink.send(Event::new("c")).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotConnected, "the sink was not closed after the error: {error}");
    }
    let error = sink.close().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::NotConnected);
    assert_eq!(sink.get_ref().writes, writes, "a closed sink wrote");
    assert_eq!(sink.get_ref().shutdowns, 0, "a failed sink shut its writer down");
}

#[tokio::test]
async fn comments_retry_frames_and_encoded_blocks_go_out_in_order() {
    let encoded = Bytes::from_static(b"event: pre\ndata: encoded once\n\n");
    let expected = [&b": hello\n\nretry: 1500\n\n"[..], &encoded, b"data: x\n\n"].concat();
    let mut sink = EventSink::new(Builder::new().write(&expected).build());
    sink.feed(Outgoing::Comment(Bytes::from_static(b"hello"))).await.unwrap();
    sink.feed(sse_codec::Frame::Retry(1500)).await.unwrap();
    sink.feed(encoded).await.unwrap();
    sink.send(Event::new("x")).await.unwrap();
}

#[tokio::test]
async fn close_flushes_then_shuts_down() {
    let (writer, mut reader) = tokio::io::duplex(16);
    let mut sink = EventSink::new(Counting::new(writer));
    let reading = tokio::spawn(async move {
        let mut wire = Vec::new();
        reader.read_to_end(&mut wire).await.map(|_| wire)
    });
    sink.feed(event(1)).await.unwrap();
    sink.feed(event(2)).await.unwrap();
    sink.close().await.unwrap();
    assert_eq!(sink.get_ref().shutdowns, 1);
    assert_eq!(reading.await.unwrap().unwrap(), [wire(&event(1)), wire(&event(2))].concat());
    assert!(sink.close().await.is_ok(), "closing twice failed");
    assert_eq!(sink.send(event(3)).await.unwrap_err().kind(), io::ErrorKind::NotConnected);
}

#[tokio::test]
async fn a_slow_reader_holds_the_producer_at_the_high_water_mark() {
    let (writer, mut reader) = tokio::io::duplex(64);
    let mut sink = EventSink::new(writer);
    let one = wire(&event(0)).len();
    let mut fed = 0u32;
    // Feed until the sink refuses to take more without writing, which a full pipe makes wait.
    while sink.feed(event(fed)).now_or_never().is_some() {
        fed += 1;
        assert!(fed < 10_000, "the sink never held the producer back");
    }
    assert!(sink.buffered_len() >= HIGH_WATER_MARK - 64, "held back early: {}", sink.buffered_len());
    assert!(sink.buffered_len() < HIGH_WATER_MARK + one, "memory grew past the mark: {}", sink.buffered_len());
    // The reader drains the pipe; everything fed arrives, in order.
    let reading = tokio::spawn(async move {
        let mut wire = Vec::new();
        reader.read_to_end(&mut wire).await.map(|_| wire)
    });
    sink.close().await.unwrap();
    let expected: Vec<u8> = (0..fed).flat_map(|n| wire(&event(n))).collect();
    assert_eq!(reading.await.unwrap().unwrap(), expected);
}

/// Takes vectored writes in full and keeps where every piece was in memory.
#[derive(Debug, Default)]
struct VectoredRecorder {
    written: Vec<u8>,
    pieces: Vec<(usize, usize)>,
}

impl AsyncWrite for VectoredRecorder {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.pieces.push((buf.as_ptr() as usize, buf.len()));
        self.written.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // Takes all but the last byte (while there are two), so the sink has to resume inside a piece.
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let taken = if total > 1 { total - 1 } else { total };
        let mut left = taken;
        for buf in bufs {
            let n = buf.len().min(left);
            self.pieces.push((buf.as_ptr() as usize, n));
            self.written.extend_from_slice(&buf[..n]);
            left -= n;
        }
        Poll::Ready(Ok(taken))
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

#[tokio::test]
async fn a_large_payload_goes_out_from_its_own_memory_by_a_vectored_write() {
    let payload = Bytes::from(vec![b'x'; LARGE_PAYLOAD * 4]);
    let small = Event::new("before");
    let large = Event::new(payload.clone()).with_id(EventId::new("9").unwrap());
    let mut sink = EventSink::new(VectoredRecorder::default());
    sink.feed(small.clone()).await.unwrap();
    sink.send(large.clone()).await.unwrap();
    let recorder = sink.get_ref();
    assert_eq!(recorder.written, [wire(&small), wire(&large)].concat());
    let start = payload.as_ptr() as usize;
    let shared = recorder.pieces.iter().any(|&(ptr, len)| ptr == start && len > 1000);
    assert!(shared, "the payload was copied: pieces {:?}, payload at {start:#x}", recorder.pieces);
}
