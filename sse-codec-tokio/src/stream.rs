//! [`EventStream`]: frames decoded from a stream of byte chunks, such as an HTTP response body.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;
use sse_codec::{Decoder, EventId, Frame};

use crate::decoding::Decoding;
use crate::{Error, Events};

pin_project! {
    /// A [`Stream`] of [`Frame`]s decoded from a [`Stream`] of byte chunks: a `hyper` body through
    /// `http_body_util::BodyDataStream`, `reqwest::Response::bytes_stream()`, or any stream of
    /// `Result<impl Into<Bytes>, E>`.
    ///
    /// Each chunk goes to [`Decoder::decode_chunk`] as it is, which reads it in place (an event that lies
    /// within the chunk shares its memory) unless the chunk is short beside the stream's events, when copying
    /// it is cheaper; only what a chunk leaves unfinished is carried over in a buffer the stream reuses.
    /// Events with single-line data cost no allocation.
    ///
    /// When the body ends, what it left unfinished is dropped (an event without its blank line is never
    /// dispatched, as the spec says) and the stream answers `None`. An error (a [`DecodeError`] from a broken
    /// limit, or the body's own) comes out once, and the stream answers `None` after it: it is a
    /// [`FusedStream`].
    ///
    /// # Cancellation safety
    ///
    /// All state lives in the `EventStream`, not in the future of `next()`: dropping that future (as a losing
    /// branch of `tokio::select!` does) loses nothing, and the next call goes on where the last left off.
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::Bytes;
    /// use futures::{StreamExt, stream};
    /// use sse_codec::Frame;
    /// use sse_codec_tokio::EventStream;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // Chunks as an HTTP body hands them out: lines and events cut anywhere.
    /// let chunks = ["retry: 1000\nid: 1\ndata: he", "llo\n\n: ping\n\nid: 2\r", "\ndata: world\n\n"];
    /// let body = stream::iter(chunks.map(|chunk| Ok::<_, std::io::Error>(Bytes::from_static(chunk.as_bytes()))));
    ///
    /// let mut frames = EventStream::new(body);
    /// assert_eq!(frames.next().await.transpose()?, Some(Frame::Retry(1000)));
    /// let Some(Frame::Event(event)) = frames.next().await.transpose()? else { panic!("an event") };
    /// assert_eq!((event.data_str()?, frames.last_event_id().unwrap().to_str()?), ("hello", "1"));
    ///
    /// // Only the events, skipping comments and `retry`:
    /// let data: Vec<_> = frames.events().map(|event| event.unwrap().data_lossy().into_owned()).collect().await;
    /// assert_eq!(data, ["world"]);
    /// # Ok(()) }
    /// ```
    ///
    /// [`DecodeError`]: sse_codec::DecodeError
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct EventStream<S> {
        #[pin]
        body: S,
        // The decoder, and what it carries over from one chunk to the next.
        decoding: Decoding,
        // The chunk being decoded, until the decoder has taken all of it.
        chunk: Bytes,
    }
}

impl<S> EventStream<S> {
    /// Decodes `body` with a [`Decoder`] of the default [`Limits`](sse_codec::Limits).
    pub fn new(body: S) -> Self {
        Self::with_decoder(body, Decoder::new())
    }

    /// Decodes `body` with `decoder`: its [`Limits`](sse_codec::Limits) apply, and its last event ID is where
    /// the stream starts (a decoder kept from an earlier connection carries it over).
    pub fn with_decoder(body: S, decoder: Decoder) -> Self {
        Self { body, decoding: Decoding::new(decoder), chunk: Bytes::new() }
    }

    /// The last event ID in force: what a reconnecting client sends as `Last-Event-ID`. It is set by the blank
    /// line that ends an event, including one that dispatches nothing, and an empty `id:` resets it.
    #[must_use]
    pub const fn last_event_id(&self) -> Option<&EventId> {
        self.decoding.last_event_id()
    }

    /// The decoder.
    #[must_use]
    pub const fn decoder(&self) -> &Decoder {
        self.decoding.decoder()
    }

    /// The body.
    #[must_use]
    pub const fn get_ref(&self) -> &S {
        &self.body
    }

    /// The body, to change it: bytes taken from it here are not decoded.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.body
    }

    /// The body and the decoder, for example to decode the next connection's body with the same last event
    /// ID and limits. What the stream holds and has not handed out (the rest of a chunk, an unfinished event,
    /// what follows an error) is dropped undecoded, so the last event ID is that of the frames handed out.
    pub fn into_parts(self) -> (S, Decoder) {
        (self.body, self.decoding.into_decoder())
    }

    /// Only the events: comments and `retry` frames are skipped.
    pub const fn events(self) -> Events<Self> {
        Events::new(self)
    }

    /// Whether the stream has ended (after the end of the body or an error).
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        self.decoding.is_terminated()
    }
}

impl<S, B, E> Stream for EventStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
{
    type Item = Result<Frame, Error<E>>;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let (mut body, chunk) = (this.body, this.chunk);
        this.decoding.poll_next(|decoder, buf| {
            loop {
                match decoder.decode_chunk(buf, chunk) {
                    Ok(None) => {}
                    Ok(Some(frame)) => return Poll::Ready(Some(Ok(frame))),
                    Err(error) => return Poll::Ready(Some(Err(Error::Decode(error)))),
                }
                // All of the chunk is decoded or carried over: the next one.
                *chunk = match ready!(body.as_mut().poll_next(cx)) {
                    Some(Ok(next)) => next.into(),
                    Some(Err(error)) => return Poll::Ready(Some(Err(Error::Body(error)))),
                    None => return Poll::Ready(None),
                };
            }
        })
    }
}

impl<S, B, E> FusedStream for EventStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
{
    fn is_terminated(&self) -> bool {
        self.decoding.is_terminated()
    }
}
