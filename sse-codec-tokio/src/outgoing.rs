//! [`Outgoing`]: one thing a server sends (an event, a comment, reconnection advice, or blocks it encoded
//! earlier), and [`BodyItem`], what an [`EventBody`](crate::EventBody)'s stream may yield.

use std::convert::Infallible;

use bytes::{Bytes, BytesMut};
use sse_codec::{Event, EventBuf, EventRef, Frame};

/// One thing sent down an event stream by an [`EventSink`](crate::EventSink) or an
/// [`EventBody`](crate::EventBody).
///
/// Everything is encoded by the core ([`Event::encode`], [`EventRef::comment`], [`EventRef::retry`]), except
/// [`Outgoing::Encoded`], which is written as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outgoing {
    /// An event.
    Event(Event),
    /// A comment block: receivers ignore it, proxies see traffic. Line breaks in it start new comment lines.
    Comment(Bytes),
    /// A block with only a `retry` line: asks the receiver to wait this many milliseconds before reconnecting.
    Retry(u64),
    /// Whole blocks encoded earlier (by [`Event::encode`] or a `Broadcaster`, say), written as they are: they
    /// are never encoded again, nor copied. They must end at a block boundary (a blank line), or the next
    /// block would run into them.
    Encoded(Bytes),
}

impl Outgoing {
    /// Appends the encoding to `buf`; not for [`Outgoing::Encoded`], which callers hand out as it is.
    #[inline]
    pub(crate) fn write_to(&self, buf: &mut BytesMut) {
        let result = match self {
            Self::Event(event) => event.encode(buf),
            Self::Comment(text) => EventRef::comment(text).encode(buf),
            Self::Retry(millis) => EventRef::retry(*millis).encode(buf),
            Self::Encoded(bytes) => {
                buf.extend_from_slice(bytes);
                Ok(())
            }
        };
        // A `BytesMut` grows as needed, and events, comments and retries are valid by construction.
        debug_assert!(result.is_ok(), "encoding into a BytesMut failed: {result:?}");
    }
}

impl From<Event> for Outgoing {
    fn from(event: Event) -> Self {
        Self::Event(event)
    }
}

impl From<Bytes> for Outgoing {
    /// Blocks encoded earlier, written as they are.
    fn from(bytes: Bytes) -> Self {
        Self::Encoded(bytes)
    }
}

impl From<Frame> for Outgoing {
    /// A decoded frame sent on again, as a proxy does: an event, a `retry` or a comment.
    fn from(frame: Frame) -> Self {
        match frame {
            Frame::Event(event) => Self::Event(event),
            Frame::Retry(millis) => Self::Retry(millis),
            Frame::Comment(text) => Self::Comment(text),
            // `Frame` is non-exhaustive; a kind of frame that this crate does not know yet goes out as an
            // empty comment, which receivers ignore.
            _ => Self::Comment(Bytes::new()),
        }
    }
}

/// What became of an item given to [`BodyItem::encode_into`]: encoded into the buffer, or blocks encoded
/// earlier to send as they are.
#[doc(hidden)]
#[derive(Debug)]
pub enum Encoded {
    /// Encoded into the buffer.
    Buffered,
    /// Blocks encoded earlier, to send as they are.
    Pass(Bytes),
    /// An event whose data was too large to copy, as the core's zero-copy chain.
    Chain(EventBuf),
}

/// Encodes an event straight from the item, without building an [`Outgoing`] around it first; data of
/// `chain_from` bytes or more is not copied but handed back as an [`EventBuf`].
#[inline]
fn encode_event(event: Event, buf: &mut BytesMut, chain_from: usize) -> Encoded {
    if event.data().len() >= chain_from {
        return Encoded::Chain(event.into_buf());
    }
    encode_in_place(&event, buf);
    Encoded::Buffered
}

/// [`Event::encode`] into a `BytesMut`, kept out of line so that the core's encoder is inlined here rather
/// than called from a larger caller, which costs a sink more than the call does.
#[inline(never)]
fn encode_in_place(event: &Event, buf: &mut BytesMut) {
    let result = event.encode(buf);
    debug_assert!(result.is_ok(), "encoding into a BytesMut failed: {result:?}");
}

/// What the stream given to an [`EventBody`](crate::EventBody) may yield: an [`Event`], a [`Bytes`] of blocks
/// encoded earlier, a [`Frame`], an [`Outgoing`], or a `Result` of any of them, whose error ends the body.
///
/// The items without an error (`Error = Infallible`) are also what an [`EventSink`](crate::EventSink) takes.
pub trait BodyItem {
    /// The error the item may carry: [`Infallible`] for items that are not a `Result`.
    type Error;

    /// The item as what to send, or the error that ends the body.
    ///
    /// # Errors
    ///
    /// The item's own error, for a `Result` item.
    fn into_outgoing(self) -> Result<Outgoing, Self::Error>;

    /// Encodes the item into `buf`, or hands back blocks encoded earlier or an event whose data has
    /// `chain_from` bytes or more: the adapters' path, which spares an event the moves into an [`Outgoing`].
    #[doc(hidden)]
    #[inline]
    fn encode_into(self, buf: &mut BytesMut, chain_from: usize) -> Result<Encoded, Self::Error>
    where
        Self: Sized,
    {
        Ok(match self.into_outgoing()? {
            Outgoing::Encoded(bytes) => Encoded::Pass(bytes),
            Outgoing::Event(event) => encode_event(event, buf, chain_from),
            outgoing => {
                outgoing.write_to(buf);
                Encoded::Buffered
            }
        })
    }

    /// Encodes the item into `buf` (`None`), or hands back blocks encoded earlier: the body's path.
    #[doc(hidden)]
    #[inline]
    fn encode_or_pass(self, buf: &mut BytesMut) -> Result<Option<Bytes>, Self::Error>
    where
        Self: Sized,
    {
        Ok(match self.into_outgoing()? {
            Outgoing::Encoded(bytes) => Some(bytes),
            outgoing => {
                outgoing.write_to(buf);
                None
            }
        })
    }
}

macro_rules! infallible_item {
    ($($ty:ty),*) => {$(
        impl BodyItem for $ty {
            type Error = Infallible;

            #[inline]
            fn into_outgoing(self) -> Result<Outgoing, Infallible> {
                Ok(self.into())
            }
        }
    )*};
}

infallible_item!(Bytes, Frame, Outgoing);

impl BodyItem for Event {
    type Error = Infallible;

    #[inline]
    fn into_outgoing(self) -> Result<Outgoing, Infallible> {
        Ok(self.into())
    }

    #[inline]
    fn encode_into(self, buf: &mut BytesMut, chain_from: usize) -> Result<Encoded, Infallible> {
        Ok(encode_event(self, buf, chain_from))
    }

    #[inline]
    fn encode_or_pass(self, buf: &mut BytesMut) -> Result<Option<Bytes>, Infallible> {
        let result = self.encode(buf);
        debug_assert!(result.is_ok(), "encoding into a BytesMut failed: {result:?}");
        Ok(None)
    }
}

impl<T: BodyItem<Error = Infallible>, E> BodyItem for Result<T, E> {
    type Error = E;

    #[inline]
    fn into_outgoing(self) -> Result<Outgoing, E> {
        self.map(|item| match item.into_outgoing() {
            Ok(outgoing) => outgoing,
            Err(never) => match never {},
        })
    }

    #[inline]
    fn encode_into(self, buf: &mut BytesMut, chain_from: usize) -> Result<Encoded, E> {
        self.map(|item| match item.encode_into(buf, chain_from) {
            Ok(encoded) => encoded,
            Err(never) => match never {},
        })
    }

    #[inline]
    fn encode_or_pass(self, buf: &mut BytesMut) -> Result<Option<Bytes>, E> {
        self.map(|item| match item.encode_or_pass(buf) {
            Ok(pass) => pass,
            Err(never) => match never {},
        })
    }
}
