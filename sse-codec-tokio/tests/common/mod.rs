//! What the adapter tests share: inputs cut into chunks that arrive one poll apart (a body stream and an
//! `AsyncRead`), and the core's decoding of a whole input, which every adapter must equal.

#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::Stream;
use sse_codec::{DecodeError, Decoder, Frame};
use tokio::io::{AsyncRead, ReadBuf};

/// A body stream that hands out its items one at a time, answering `Pending` (and waking at once) before
/// each item and before its end, as a network body does when chunks arrive apart.
#[derive(Debug)]
pub struct Scripted<T> {
    items: VecDeque<T>,
    pend: bool,
    /// How many times it answered `Pending`.
    pub pendings: usize,
}

impl<T> Scripted<T> {
    pub fn new(items: impl IntoIterator<Item = T>) -> Self {
        Self { items: items.into_iter().collect(), pend: true, pendings: 0 }
    }

    /// Items not yet handed out.
    pub fn remaining(&self) -> usize {
        self.items.len()
    }
}

impl<T: Unpin> Stream for Scripted<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if self.pend {
            self.pend = false;
            self.pendings += 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pend = true;
        Poll::Ready(self.items.pop_front())
    }
}

/// The chunks of `input` cut at `cuts` (sorted, clamped, duplicates giving empty chunks), as a body's `Ok`
/// items.
pub fn body(input: &[u8], cuts: &[usize]) -> Scripted<Result<Bytes, io::Error>> {
    Scripted::new(pieces(input, cuts).into_iter().map(Ok))
}

/// `input` cut at `cuts`.
pub fn pieces(input: &[u8], cuts: &[usize]) -> Vec<Bytes> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    cuts.push(input.len());
    cuts.sort_unstable();
    let mut from = 0;
    cuts.into_iter()
        .map(|cut| {
            let piece = Bytes::copy_from_slice(&input[from..cut]);
            from = cut;
            piece
        })
        .collect()
}

/// Cuts every `size` bytes.
pub fn every(input: &[u8], size: usize) -> Vec<usize> {
    (size..input.len()).step_by(size).collect()
}

/// An `AsyncRead` that reads its pieces one per read, however much room the caller has (the rest of a piece
/// on the next read when the room is short), answering `Pending` (and waking at once) before each read.
#[derive(Debug)]
pub struct ChunkedReader {
    pieces: VecDeque<Result<Bytes, io::Error>>,
    pend: bool,
}

impl ChunkedReader {
    pub fn new(input: &[u8], cuts: &[usize]) -> Self {
        Self::with_pieces(pieces(input, cuts).into_iter().filter(|piece| !piece.is_empty()).map(Ok))
    }

    pub fn with_pieces(pieces: impl IntoIterator<Item = Result<Bytes, io::Error>>) -> Self {
        Self { pieces: pieces.into_iter().collect(), pend: true }
    }
}

impl AsyncRead for ChunkedReader {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.pend {
            self.pend = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pend = true;
        match self.pieces.pop_front() {
            None => Poll::Ready(Ok(())),
            Some(Err(error)) => Poll::Ready(Err(error)),
            Some(Ok(mut piece)) => {
                let n = piece.len().min(buf.remaining());
                buf.put_slice(&piece.split_to(n));
                if !piece.is_empty() {
                    self.pieces.push_front(Ok(piece));
                }
                Poll::Ready(Ok(()))
            }
        }
    }
}

/// What the core gives for `input` fed whole to `decoder` in one buffer, up to and including its first error
/// (where every adapter stops).
pub fn whole(mut decoder: Decoder, input: &[u8]) -> Vec<Result<Frame, DecodeError>> {
    let mut buf = BytesMut::from(input);
    let mut out = Vec::new();
    for eof in [false, true] {
        loop {
            let step = if eof { decoder.decode_eof(&mut buf) } else { decoder.decode(&mut buf) };
            match step {
                Ok(None) => break,
                Ok(Some(frame)) => out.push(Ok(frame)),
                Err(error) => {
                    out.push(Err(error));
                    return out;
                }
            }
        }
    }
    out
}

/// An adapter's items with its error reduced to the decode error in it (any other error is a test failure).
pub fn decoded<E: std::fmt::Debug>(
    items: Vec<Result<Frame, sse_codec_tokio::Error<E>>>,
) -> Vec<Result<Frame, DecodeError>> {
    items
        .into_iter()
        .map(|item| {
            item.map_err(|error| match error {
                sse_codec_tokio::Error::Decode(error) => error,
                other => panic!("not a decode error: {other:?}"),
            })
        })
        .collect()
}

/// A stream exercising every rule the adapters must pass through untouched: a byte order mark, the three
/// line ends, comments, `retry`, IDs (an empty one resets), event types, multi-line data, an event that
/// dispatches nothing, and an unfinished event at the end.
pub const SAMPLE: &[u8] = b"\xEF\xBB\xBF: welcome\r\nretry: 1500\nid: 1\nevent: delta\ndata: {\"token\":\"Hel\"}\n\n\
data: one\rdata: two\r\rid\n\ndata: three\r\n\r\nid: 7\n\n: ping\n\nevent: x\ndata:\n\n\
data: a long line of text for chunking\n\ndata: unfinished\n";
