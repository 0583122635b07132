//! [`Outgoing`]: one thing a server sends (an event, a comment, reconnection advice, or blocks it encoded
//! earlier), and [`BodyItem`], what an [`EventBody`](crate::EventBody)'s stream may yield.

use std::convert::Infallible;

use bytes::{Bytes, BytesMut};
use sse_codec::{Event, EventRef, Frame};

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
    pub(crate) fn encode_into(&self, buf: &mut BytesMut) {
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

/// What the stream given to an [`EventBody`](crate::EventBody) may yield: an [`Event`], a [`Bytes`] of blocks
/// encoded earlier, a [`Frame`], an [`Outgoing`], or a `Result` of any of them, whose error ends the body.
pub trait BodyItem {
    /// The error the item may carry: [`Infallible`] for items that are not a `Result`.
    type Error;

    /// The item as what to send, or the error that ends the body.
    ///
    /// # Errors
    ///
    /// The item's own error, for a `Result` item.
    fn into_outgoing(self) -> Result<Outgoing, Self::Error>;
}

macro_rules! infallible_item {
    ($($ty:ty),*) => {$(
        impl BodyItem for $ty {
            type Error = Infallible;

            fn into_outgoing(self) -> Result<Outgoing, Infallible> {
                Ok(self.into())
            }
        }
    )*};
}

infallible_item!(Event, Bytes, Frame, Outgoing);

impl<T: Into<Outgoing>, E> BodyItem for Result<T, E> {
    type Error = E;

    fn into_outgoing(self) -> Result<Outgoing, E> {
        self.map(Into::into)
    }
}
