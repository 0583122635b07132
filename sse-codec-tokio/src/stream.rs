//! [`EventStream`]: frames decoded from a stream of byte chunks, such as an HTTP response body.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Bytes, BytesMut};
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;
use sse_codec::{Decoder, Event, EventId, Frame};

use crate::Error;

/// Where an [`EventStream`] is in its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Decoding chunks as they come.
    Reading,
    /// The body has ended: draining what the decoder still holds.
    Ending,
    /// Ended, by the end of the input or by an error: `None` from now on.
    Done,
}

pin_project! {
    /// A [`Stream`] of [`Frame`]s decoded from a [`Stream`] of byte chunks: a `hyper` body through
    /// `http_body_util::BodyDataStream`, `reqwest::Response::bytes_stream()`, or any stream of
    /// `Result<impl Into<Bytes>, E>`.
    ///
    /// Each chunk goes to [`Decoder::decode_chunk`] as it is: an event that lies within one chunk shares the
    /// chunk's memory, and only an event that straddles two chunks is copied. Decoding allocates nothing per
    /// event beyond that.
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
        decoder: Decoder,
        // What the decoder carries over from one chunk to the next.
        buf: BytesMut,
        // The chunk being decoded, until the decoder has taken all of it.
        chunk: Bytes,
        state: State,
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
        Self { body, decoder, buf: BytesMut::new(), chunk: Bytes::new(), state: State::Reading }
    }

    /// The last event ID in force: what a reconnecting client sends as `Last-Event-ID`. It is set by the blank
    /// line that ends an event, including one that dispatches nothing, and an empty `id:` resets it.
    #[must_use]
    pub fn last_event_id(&self) -> Option<&EventId> {
        self.decoder.last_event_id()
    }

    /// The decoder.
    #[must_use]
    pub const fn decoder(&self) -> &Decoder {
        &self.decoder
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
    /// ID. Bytes the decoder had not finished with are dropped, as at the end of a stream.
    pub fn into_parts(self) -> (S, Decoder) {
        let mut decoder = self.decoder;
        let mut buf = self.buf;
        // Drop what is unfinished and ready the decoder for a new stream; the frames this would still give
        // (only once the body has ended) are dropped with it.
        while let Ok(Some(_)) = decoder.decode_eof(&mut buf) {}
        (self.body, decoder)
    }

    /// Only the events: comments and `retry` frames are skipped.
    pub fn events(self) -> Events<S> {
        Events { frames: self }
    }

    /// Whether the stream has ended (after the end of the body or an error).
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

impl<S, B, E> Stream for EventStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
{
    type Item = Result<Frame, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            let decoded = match *this.state {
                State::Reading => match this.decoder.decode_chunk(this.buf, this.chunk) {
                    Ok(None) => match ready!(this.body.as_mut().poll_next(cx)) {
                        Some(Ok(chunk)) => {
                            *this.chunk = chunk.into();
                            continue;
                        }
                        Some(Err(error)) => {
                            *this.state = State::Done;
                            return Poll::Ready(Some(Err(Error::Body(error))));
                        }
                        None => {
                            *this.state = State::Ending;
                            continue;
                        }
                    },
                    decoded => decoded,
                },
                State::Ending => this.decoder.decode_eof(this.buf),
                State::Done => return Poll::Ready(None),
            };
            return Poll::Ready(match decoded {
                Ok(Some(frame)) => Some(Ok(frame)),
                Ok(None) => {
                    *this.state = State::Done;
                    None
                }
                Err(error) => {
                    *this.state = State::Done;
                    Some(Err(Error::Decode(error)))
                }
            });
        }
    }
}

impl<S, B, E> FusedStream for EventStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
{
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

pin_project! {
    /// The events of an [`EventStream`], without its comments and `retry` frames: from
    /// [`EventStream::events`]. It ends, and is cancel-safe, as the `EventStream` is.
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Events<S> {
        #[pin]
        frames: EventStream<S>,
    }
}

impl<S> Events<S> {
    /// The last event ID in force, as [`EventStream::last_event_id`].
    #[must_use]
    pub fn last_event_id(&self) -> Option<&EventId> {
        self.frames.last_event_id()
    }

    /// The frames' stream.
    pub const fn get_ref(&self) -> &EventStream<S> {
        &self.frames
    }

    /// The frames' stream, with comments and `retry` frames again.
    pub fn into_inner(self) -> EventStream<S> {
        self.frames
    }
}

impl<S, B, E> Stream for Events<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
{
    type Item = Result<Event, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut frames = self.project().frames;
        loop {
            return Poll::Ready(match ready!(frames.as_mut().poll_next(cx)) {
                Some(Ok(Frame::Event(event))) => Some(Ok(event)),
                Some(Ok(_)) => continue,
                Some(Err(error)) => Some(Err(error)),
                None => None,
            });
        }
    }
}

impl<S, B, E> FusedStream for Events<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
{
    fn is_terminated(&self) -> bool {
        self.frames.is_terminated()
    }
}
