//! Frames lent by [`Decoder::decode_ref`](crate::Decoder::decode_ref): borrowed from the caller's buffer and
//! the decoder, for a caller that uses each event at once and keeps nothing.

use core::str::Utf8Error;

use bytes::Bytes;

use crate::event::{Event, EventId, EventType, Frame, MESSAGE_TYPE};

/// One thing the decoder reports, lent until the next call to the decoder: a [`Frame`] that borrows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameRef<'a> {
    /// A dispatched event.
    Event(EventView<'a>),
    /// A valid `retry` field: the reconnection time the server asks for, in milliseconds.
    Retry(u64),
    /// A comment line's text (after the colon, without one leading space).
    Comment(&'a [u8]),
}

impl FrameRef<'_> {
    /// An owned copy, to keep past the next call to the decoder: the same [`Frame`] that
    /// [`Decoder::decode`](crate::Decoder::decode) would have handed out, with its bytes copied.
    #[must_use]
    pub fn to_frame(&self) -> Frame {
        match *self {
            Self::Event(event) => Frame::Event(event.to_event()),
            Self::Retry(millis) => Frame::Retry(millis),
            Self::Comment(text) => Frame::Comment(Bytes::copy_from_slice(text)),
        }
    }
}

/// A dispatched event, lent: its type, its data and the stream's last event ID, borrowed.
///
/// ```
/// use bytes::BytesMut;
/// use sse_codec::{Decoder, FrameRef};
///
/// let mut decoder = Decoder::new();
/// let mut buf = BytesMut::from(&b"id: 7\ndata: {\"n\":1}\ndata: {\"n\":2}\n\n"[..]);
/// let Some(FrameRef::Event(event)) = decoder.decode_ref(&mut buf)? else { panic!() };
/// assert_eq!(event.event_type_str()?, "message");
/// assert_eq!(event.id().unwrap(), "7");
/// assert_eq!(event.data_str()?, "{\"n\":1}\n{\"n\":2}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventView<'a> {
    event_type: &'a [u8],
    data: &'a [u8],
    id: Option<&'a EventId>,
}

impl<'a> EventView<'a> {
    pub(crate) const fn new(event_type: &'a [u8], data: &'a [u8], id: Option<&'a EventId>) -> Self {
        Self { event_type, data, id }
    }

    /// The event type: `message` unless the stream named another.
    #[must_use]
    #[inline]
    pub const fn event_type(&self) -> &'a [u8] {
        self.event_type
    }

    /// The event type as text, if it is valid UTF-8.
    ///
    /// # Errors
    ///
    /// When the bytes are not valid UTF-8.
    #[inline]
    pub fn event_type_str(&self) -> Result<&'a str, Utf8Error> {
        crate::text::value_to_str(self.event_type)
    }

    /// The data, with the lines of a multi-line `data` joined by LF.
    #[must_use]
    #[inline]
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The data as text, if it is valid UTF-8.
    ///
    /// # Errors
    ///
    /// When the data is not valid UTF-8.
    #[inline]
    pub fn data_str(&self) -> Result<&'a str, Utf8Error> {
        crate::text::to_str(self.data)
    }

    /// The stream's last event ID when the event was dispatched, as
    /// [`Event::id`](crate::Event::id) reports it.
    #[must_use]
    #[inline]
    pub const fn id(&self) -> Option<&'a EventId> {
        self.id
    }

    /// An owned copy: the same [`Event`] that [`Decoder::decode`](crate::Decoder::decode) would have handed
    /// out, with its bytes copied.
    #[must_use]
    pub fn to_event(&self) -> Event {
        let event_type = if self.event_type == MESSAGE_TYPE.as_bytes() {
            EventType::MESSAGE
        } else {
            EventType::copied_from_line(self.event_type)
        };
        Event::from_parts(event_type, Bytes::copy_from_slice(self.data), self.id.cloned())
    }
}
