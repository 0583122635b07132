//! Our Tokio adapters (`sse-codec-tokio`) behind the one [`Decode`] signature, so that they are timed
//! beside the core's own loop ([`decode`](crate::decode), [`decode_appended`](crate::decode_appended)) on
//! the same chunks: what an adapter costs is what it adds to the core.
//!
//! Both are polled with a no-op waker over a source that never pends (as the peers' stream adapters are), so no
//! executor's cost is measured.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use sse_codec_tokio::{EventReader, EventStream};
use tokio::io::{AsyncRead, ReadBuf};

use crate::peers::poll::count_stream;
use crate::{Counts, Decode, frame_data_len};

/// The benchmark id of `EventStream`.
pub const STREAM: &str = "sse-codec-tokio-stream";

/// The benchmark id of `EventReader`.
pub const READER: &str = "sse-codec-tokio-reader";

/// Our adapters with their benchmark ids. They are ours, not peers: the report gives them columns of their
/// own, after the core's, and leaves them out of the speed-up over the fastest peer.
pub const ADAPTERS: &[(&str, Decode)] = &[(STREAM, decode_event_stream), (READER, decode_event_reader)];

/// Decodes with `EventStream` over a `futures::stream::iter` of the chunks, as over an HTTP body: each
/// chunk goes to `Decoder::decode_chunk` as [`decode`](crate::decode) gives it.
///
/// # Errors
///
/// When a line or an event exceeds the default limits.
pub fn decode_event_stream(chunks: Vec<Bytes>) -> Result<Counts, String> {
    let body = futures::stream::iter(chunks.into_iter().map(Ok::<_, Infallible>));
    count_stream(EventStream::new(body), frame_data_len)
}

/// Decodes with `EventReader` over an in-memory `AsyncRead` that hands out the chunks as a socket hands out
/// what has arrived: each read copies as much of the next chunk as the reader has room for. The core's
/// counterpart is [`decode_appended`](crate::decode_appended), which appends each chunk to its buffer.
///
/// # Errors
///
/// When a line or an event exceeds the default limits.
pub fn decode_event_reader(chunks: Vec<Bytes>) -> Result<Counts, String> {
    count_stream(EventReader::new(Chunks(chunks.into())), frame_data_len)
}

/// An `AsyncRead` over chunks in memory, one chunk (or as much of it as fits) per read.
struct Chunks(VecDeque<Bytes>);

impl AsyncRead for Chunks {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        // An empty chunk would read as the end of the input.
        while self.0.front().is_some_and(Bytes::is_empty) {
            self.0.pop_front();
        }
        if let Some(chunk) = self.0.front_mut() {
            let n = chunk.len().min(buf.remaining());
            buf.put_slice(&chunk[..n]);
            chunk.advance(n);
            if chunk.is_empty() {
                self.0.pop_front();
            }
        }
        Poll::Ready(Ok(()))
    }
}
