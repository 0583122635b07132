//! [`EventReader`]: frames decoded from any [`AsyncRead`], such as a `TcpStream` or a child's stdout.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;
use sse_codec::{Decoder, EventId, Frame};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::decoding::Decoding;
use crate::{Error, Events};

/// The room an [`EventReader`] makes in its buffer before each read (see its docs for why this size).
const READ_SIZE: usize = 8 << 10;

pin_project! {
    /// A [`Stream`] of [`Frame`]s decoded from an [`AsyncRead`]: a `TcpStream`, a child process's stdout,
    /// a file, or anything else that reads bytes.
    ///
    /// It reads into one [`BytesMut`](bytes::BytesMut) that it reuses, and decodes there with
    /// [`Decoder::decode`] after every read, so that a peer sending one endless line meets the decoder's
    /// [`Limits`](sse_codec::Limits) rather than growing the buffer. Before each read it makes room for at
    /// least 8 KiB: one read then takes several TCP segments (or half a TLS record), spreading the cost of the
    /// call over many events, while the buffer of a reader whose events are dropped as they come stays the
    /// size of one read plus one unfinished event. An event's data is cut out of that buffer without a copy;
    /// while an event is kept, the part of the buffer it lies in is kept with it, and the reader reads on into
    /// a new one.
    ///
    /// At the end of the input (a read of zero bytes), what it left unfinished is dropped (an event without
    /// its blank line is never dispatched, as the spec says) and the stream answers `None`. An error (a
    /// [`DecodeError`] from a broken limit, or the reader's I/O error) comes out once, and the stream answers
    /// `None` after it: it is a [`FusedStream`].
    ///
    /// # Cancellation safety
    ///
    /// All state lives in the `EventReader`, not in the future of `next()`: bytes a read has taken are in the
    /// reader's buffer before the poll returns, so dropping that future (as a losing branch of
    /// `tokio::select!` does) loses nothing, and the next call goes on where the last left off.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use sse_codec::Frame;
    /// use sse_codec_tokio::EventReader;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // Any `AsyncRead`: here one end of an in-memory pipe.
    /// let (mut server, client) = tokio::io::duplex(64);
    /// tokio::spawn(async move {
    ///     use tokio::io::AsyncWriteExt;
    ///     server.write_all(b": hello\n\nid: 1\ndata: one\n\ndata: two\n\ndata: unfinished").await
    /// });
    ///
    /// let mut frames = EventReader::new(client);
    /// assert_eq!(frames.next().await.transpose()?, Some(Frame::Comment("hello".into())));
    /// let data: Vec<_> = frames.events().map(|event| event.unwrap().data_lossy().into_owned()).collect().await;
    /// assert_eq!(data, ["one", "two"]); // the event without its blank line is dropped at the end
    /// # Ok(()) }
    /// ```
    ///
    /// [`DecodeError`]: sse_codec::DecodeError
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct EventReader<R> {
        #[pin]
        reader: R,
        // The decoder, and the buffer it reads into.
        decoding: Decoding,
    }
}

impl<R> EventReader<R> {
    /// Decodes what `reader` reads with a [`Decoder`] of the default [`Limits`](sse_codec::Limits).
    pub fn new(reader: R) -> Self {
        Self::with_decoder(reader, Decoder::new())
    }

    /// Decodes what `reader` reads with `decoder`: its [`Limits`](sse_codec::Limits) apply, and its last event
    /// ID is where the stream starts (a decoder kept from an earlier connection carries it over).
    pub fn with_decoder(reader: R, decoder: Decoder) -> Self {
        Self { reader, decoding: Decoding::new(decoder) }
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

    /// The reader.
    #[must_use]
    pub const fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The reader, to change it: bytes read from it here are not decoded.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The reader and the decoder, for example to decode the next connection with the same last event ID and
    /// limits. Bytes read and not handed out as frames (complete events among them, or what follows an
    /// error) are dropped undecoded, so the last event ID is that of the frames handed out.
    pub fn into_parts(self) -> (R, Decoder) {
        (self.reader, self.decoding.into_decoder())
    }

    /// Only the events: comments and `retry` frames are skipped.
    pub const fn events(self) -> Events<Self> {
        Events::new(self)
    }
}

impl<R: AsyncRead> Stream for EventReader<R> {
    type Item = Result<Frame, Error>;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let mut reader = this.reader;
        this.decoding.poll_next(|decoder, buf| {
            loop {
                match decoder.decode(buf) {
                    Ok(None) => {}
                    Ok(Some(frame)) => return Poll::Ready(Some(Ok(frame))),
                    Err(error) => return Poll::Ready(Some(Err(Error::Decode(error)))),
                }
                // Reclaims the room of what has been decoded (or, while decoded events are still held, moves
                // on to a new allocation), then reads into it. The read future holds nothing of its own: it
                // is polled once and dropped, so a `Pending` here leaves all state in `buf`.
                buf.reserve(READ_SIZE);
                match ready!(pin!(reader.read_buf(buf)).poll(cx)) {
                    Ok(0) => return Poll::Ready(None),
                    Ok(_) => {}
                    Err(error) => return Poll::Ready(Some(Err(Error::Io(error)))),
                }
            }
        })
    }
}

impl<R: AsyncRead> FusedStream for EventReader<R> {
    fn is_terminated(&self) -> bool {
        self.decoding.is_terminated()
    }
}
