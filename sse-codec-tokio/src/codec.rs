//! [`SseCodec`]: the core's decoder and encoder behind tokio-util's codec traits, for `FramedRead`,
//! `FramedWrite` and `Framed`.

use std::io;

use bytes::{Bytes, BytesMut};
use sse_codec::{Decoder, Event, EventId, Frame};
use tokio_util::codec;

use crate::Error;

/// A [`tokio_util::codec`] codec for event streams: it decodes [`Frame`]s and encodes [`Event`]s, or frames
/// already encoded as [`Bytes`] (written as they are). It is the core's [`Decoder`] and encoder and nothing
/// more, so it decodes exactly as [`EventReader`](crate::EventReader) does.
///
/// At the end of the input, [`decode_eof`](codec::Decoder::decode_eof) drops an event still missing its blank
/// line, as the spec says, instead of failing on the bytes left over (the default `decode_eof` would answer
/// "bytes remaining on stream"). A decode error is a [`DecodeError`](sse_codec::DecodeError) from a broken
/// limit, as [`Error::Decode`]; `FramedRead` answers `None` after it.
///
/// `FramedRead` over a reader is cancel-safe: what a read has taken stays in its buffer.
///
/// # Examples
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// use sse_codec::{Event, EventId, Frame};
/// use sse_codec_tokio::SseCodec;
/// use tokio_util::codec::{FramedRead, FramedWrite};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (client, server) = tokio::io::duplex(1024);
/// let mut sink = FramedWrite::new(server, SseCodec::new());
/// sink.send(Event::new("hello").with_id(EventId::new("1")?)).await?;
/// sink.send(Event::new("encoded earlier").to_bytes()).await?; // a frame encoded once, written as it is
/// drop(sink); // the end of the stream
///
/// let frames: Vec<_> = FramedRead::new(client, SseCodec::new()).collect().await;
/// let Ok(Frame::Event(event)) = &frames[0] else { panic!("an event") };
/// assert_eq!((event.data_str()?, event.id().unwrap().to_str()?), ("hello", "1"));
/// let Ok(Frame::Event(earlier)) = &frames[1] else { panic!("an event") };
/// assert_eq!(earlier.data_str()?, "encoded earlier");
/// assert_eq!(frames.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct SseCodec {
    decoder: Decoder,
}

impl SseCodec {
    /// A codec whose decoder has the default [`Limits`](sse_codec::Limits).
    #[must_use]
    pub fn new() -> Self {
        Self::with_decoder(Decoder::new())
    }

    /// A codec that decodes with `decoder`: its [`Limits`](sse_codec::Limits) apply, and its last event ID is
    /// where the stream starts.
    #[must_use]
    pub const fn with_decoder(decoder: Decoder) -> Self {
        Self { decoder }
    }

    /// The last event ID in force, as [`Decoder::last_event_id`].
    #[must_use]
    pub const fn last_event_id(&self) -> Option<&EventId> {
        self.decoder.last_event_id()
    }

    /// The decoder.
    #[must_use]
    pub const fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The decoder, for example to decode the next connection with the same last event ID and limits.
    #[must_use]
    pub fn into_decoder(self) -> Decoder {
        self.decoder
    }
}

impl codec::Decoder for SseCodec {
    type Item = Frame;
    type Error = Error;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, Error> {
        Ok(self.decoder.decode(src)?)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, Error> {
        Ok(self.decoder.decode_eof(src)?)
    }
}

impl codec::Encoder<Event> for SseCodec {
    type Error = Error;

    /// Encodes the event with [`Event::encode`].
    fn encode(&mut self, event: Event, dst: &mut BytesMut) -> Result<(), Error> {
        // Into a `BytesMut`, which grows, encoding an event (whose type and ID were validated when they were
        // made) cannot fail; were it to, it is said as an I/O error rather than hidden.
        event.encode(dst).map_err(|error| Error::Io(io::Error::new(io::ErrorKind::InvalidInput, error)))
    }
}

impl codec::Encoder<Bytes> for SseCodec {
    type Error = Error;

    /// Writes a frame encoded earlier (by [`Event::encode`], say, once for many receivers) as it is.
    fn encode(&mut self, frame: Bytes, dst: &mut BytesMut) -> Result<(), Error> {
        dst.extend_from_slice(&frame);
        Ok(())
    }
}
