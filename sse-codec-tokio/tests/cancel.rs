//! Cancellation safety: the future of `next()` dropped by `tokio::select!` after it has taken input, again
//! and again, loses nothing, in `EventStream`, its `Events` view, `EventReader` and `FramedRead<_, SseCodec>`.
//!
//! These tests check `SseCodec` beside the other adapters, so they need feature `codec`, as the README's test
//! command (`--all-features`) gives them.
#![cfg(feature = "codec")]

mod common;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use common::{SAMPLE, decoded, whole};
use futures::{Stream, StreamExt};
use sse_codec::{DecodeError, Decoder, Frame};
use sse_codec_tokio::{Error, EventReader, EventStream, SseCodec};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

/// The input, sent a byte at a time by the test: as a body stream, or as an `AsyncRead`.
#[derive(Debug)]
struct Input(mpsc::UnboundedReceiver<Bytes>);

impl Input {
    /// Whether every byte sent has been taken.
    fn is_taken(&self) -> bool {
        self.0.is_empty()
    }
}

impl Stream for Input {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(Ok))
    }
}

impl AsyncRead for Input {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if let Some(chunk) = ready!(self.0.poll_recv(cx)) {
            buf.put_slice(&chunk); // one byte: always room
        }
        Poll::Ready(Ok(()))
    }
}

/// Sends `SAMPLE` one byte at a time, and after each byte races `next()` against a branch that is ready at
/// once: `next()` is polled first (`biased`), takes the byte and, when no frame is complete, is dropped by
/// `select!`. A frame it does complete is kept. Then the input ends and the rest is collected: all of it
/// must equal the core's decoding of the whole input.
async fn cancel_after_every_byte<S, E>(
    make: impl FnOnce(Input) -> S,
    input_of: impl Fn(&S) -> &Input,
) -> Vec<Result<Frame, DecodeError>>
where
    S: Stream<Item = Result<Frame, Error<E>>> + Unpin,
    E: std::fmt::Debug,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let mut frames = make(Input(rx));
    let mut got = Vec::new();
    let mut cancelled = 0;
    for &byte in SAMPLE {
        tx.send(Bytes::copy_from_slice(&[byte])).unwrap();
        tokio::select! {
            biased;
            item = frames.next() => got.push(item.expect("not the end yet")),
            () = std::future::ready(()) => cancelled += 1,
        }
        assert!(input_of(&frames).is_taken(), "next() was dropped before it took the byte");
    }
    drop(tx);
    while let Some(item) = frames.next().await {
        got.push(item);
    }
    assert!(cancelled > SAMPLE.len() / 2, "only {cancelled} futures were dropped");
    decoded(got)
}

#[tokio::test]
async fn event_stream_loses_nothing_when_next_is_dropped() {
    let frames = cancel_after_every_byte(EventStream::new, EventStream::get_ref).await;
    assert_eq!(frames, whole(Decoder::new(), SAMPLE));
}

#[tokio::test]
async fn event_reader_loses_nothing_when_next_is_dropped() {
    let frames = cancel_after_every_byte(EventReader::new, EventReader::get_ref).await;
    assert_eq!(frames, whole(Decoder::new(), SAMPLE));
}

#[tokio::test]
async fn framed_read_with_the_codec_loses_nothing_when_next_is_dropped() {
    let frames = cancel_after_every_byte(|input| FramedRead::new(input, SseCodec::new()), FramedRead::get_ref).await;
    assert_eq!(frames, whole(Decoder::new(), SAMPLE));
}

#[tokio::test]
async fn the_events_view_loses_nothing_when_next_is_dropped() {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut events = EventStream::new(Input(rx)).events();
    let mut got = Vec::new();
    for &byte in SAMPLE {
        tx.send(Bytes::copy_from_slice(&[byte])).unwrap();
        tokio::select! {
            biased;
            event = events.next() => got.push(event.unwrap().unwrap()),
            () = std::future::ready(()) => {}
        }
        assert!(events.get_ref().get_ref().is_taken());
    }
    drop(tx);
    while let Some(event) = events.next().await {
        got.push(event.unwrap());
    }
    let expected: Vec<_> = whole(Decoder::new(), SAMPLE)
        .into_iter()
        .filter_map(|frame| match frame {
            Ok(Frame::Event(event)) => Some(event),
            _ => None,
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 5);
}
