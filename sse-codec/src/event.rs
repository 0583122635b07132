//! The owned event types, shared by the decoder (which produces them) and the encoder (which writes them).
//!
//! Data is [`Bytes`]: what the decoder hands out shares the input buffer instead of copying it, and what a
//! server builds from a `&'static str`, a `String` or a `Bytes` is taken over without a copy. A `Bytes` that
//! shares a buffer keeps that whole buffer alive: to keep a small piece of data for long,
//! [`Bytes::copy_from_slice`] it.
//!
//! Event types and IDs of up to 38 bytes are held inline instead (see [`EventType`]): they are cloned into
//! many events, and copying a few bytes is cheaper than counting references. Longer ones are [`Bytes`] too.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use core::ops::Range;
use core::str::{FromStr, Utf8Error};

use bytes::Bytes;

use crate::error::EncodeError;
use crate::field::{check_event_type, check_id, check_static_event_type, check_static_id};
use crate::value::{INLINE_CAP, Value};

/// Decodes text as a browser does: invalid UTF-8 sequences become U+FFFD, one per maximal invalid subpart.
fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Accessors and conversions shared by the validated value types; `$check` is the type's rule.
macro_rules! value_accessors {
    ($name:ident, $check:path, $what:literal) => {
        impl $name {
            #[doc = concat!("A validated ", $what, " copied from `value`: held inline, without allocating, when")]
            /// it has up to 38 bytes; else copied into a new [`Bytes`], one allocation. The way to make one from
            /// text you only borrow; the `TryFrom` and `FromStr` impls call this.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`].")]
            #[inline]
            pub fn copy_from_slice(value: &[u8]) -> Result<Self, EncodeError> {
                $check(value)?;
                Ok(Self(Value::copy_from_slice(value)))
            }

            /// The raw bytes.
            #[must_use]
            #[inline]
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// The value as text, if it is valid UTF-8.
            ///
            /// # Errors
            ///
            /// When the bytes are not valid UTF-8.
            // Always: checking a short value takes a few instructions, fewer than the call.
            #[inline(always)]
            pub fn to_str(&self) -> Result<&str, Utf8Error> {
                crate::text::value_to_str(self.as_bytes())
            }

            /// The value as text, decoded as a browser decodes it: invalid UTF-8 becomes U+FFFD.
            #[must_use]
            pub fn to_str_lossy(&self) -> Cow<'_, str> {
                lossy(self.as_bytes())
            }

            /// The value as [`Bytes`]. A value longer than 38 bytes is handed out without copying; a shorter
            /// one is held inline (see the type's docs) and copied into a new [`Bytes`].
            #[must_use]
            pub fn into_bytes(self) -> Bytes {
                self.0.into_bytes()
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                self.as_bytes()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.to_str_lossy(), f)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_bytes() == other.as_bytes()
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_bytes() == other.as_bytes()
            }
        }

        /// The value as text, invalid UTF-8 shown as U+FFFD.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&*self.to_str_lossy(), f)
            }
        }

        #[doc = concat!("Copies the text (see [`", stringify!($name), "::copy_from_slice`]).")]
        impl TryFrom<&str> for $name {
            type Error = EncodeError;

            #[inline]
            fn try_from(value: &str) -> Result<Self, EncodeError> {
                Self::copy_from_slice(value.as_bytes())
            }
        }

        #[doc = concat!("Copies the bytes (see [`", stringify!($name), "::copy_from_slice`]).")]
        impl TryFrom<&[u8]> for $name {
            type Error = EncodeError;

            #[inline]
            fn try_from(value: &[u8]) -> Result<Self, EncodeError> {
                Self::copy_from_slice(value)
            }
        }

        /// Copies a short string inline and frees it; takes a longer one over without copying.
        impl TryFrom<String> for $name {
            type Error = EncodeError;

            fn try_from(value: String) -> Result<Self, EncodeError> {
                $check(value.as_bytes())?;
                if value.len() <= INLINE_CAP {
                    Ok(Self(Value::copy_from_slice(value.as_bytes())))
                } else {
                    Ok(Self(Value::from_bytes(Bytes::from(value))))
                }
            }
        }

        #[doc = concat!("Copies the text (see [`", stringify!($name), "::copy_from_slice`]).")]
        impl FromStr for $name {
            type Err = EncodeError;

            #[inline]
            fn from_str(value: &str) -> Result<Self, EncodeError> {
                Self::copy_from_slice(value.as_bytes())
            }
        }
    };
}

/// An event type (the `event` field): any bytes but CR and LF, so it always fits on one line.
///
/// The empty type and `message` mean the same to a receiver: [`EventType::MESSAGE`] is the default.
///
/// A type of up to 38 bytes is held inline, so that cloning it (every decoded event gets one) is a copy of a
/// few bytes rather than a reference count; a longer one is a [`Bytes`], which a decoded type shares with the
/// input.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EventType(Value);

value_accessors!(EventType, check_event_type, "event type");

/// The type of an event whose stream names none: the one place the crate spells it.
pub(crate) const MESSAGE_TYPE: &str = "message";

impl EventType {
    /// `message`, the type of an event that names none.
    pub const MESSAGE: Self = Self(Value::from_static(MESSAGE_TYPE.as_bytes()));

    /// A validated event type from a value you hand over (a `String`, a `Vec<u8>`, a [`Bytes`], a
    /// `&'static str`). A value of up to 38 bytes is copied inline (a `String` or `Vec<u8>` is then freed); a
    /// longer one is kept without copying. To make one from text you only borrow, use
    /// [`EventType::copy_from_slice`] or `TryFrom<&str>`, and from a `String`, `TryFrom<String>`: they never
    /// go through a [`Bytes`] for a short value.
    ///
    /// # Errors
    ///
    /// [`EncodeError::LineBreakInEventType`] when `value` contains CR or LF.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_codec::{EncodeError, EventType};
    ///
    /// assert_eq!(EventType::new(String::from("update")).unwrap(), "update");
    /// assert_eq!(EventType::new("a\nb"), Err(EncodeError::LineBreakInEventType));
    /// ```
    pub fn new(value: impl Into<Bytes>) -> Result<Self, EncodeError> {
        let value = value.into();
        check_event_type(&value)?;
        Ok(Self(Value::from_bytes(value)))
    }

    /// A validated event type from a constant, usable in `const` items.
    ///
    /// # Panics
    ///
    /// When `value` contains CR or LF (at compile time in a `const`).
    ///
    /// ```
    /// use sse_codec::EventType;
    ///
    /// const UPDATE: EventType = EventType::from_static("update");
    /// assert_eq!(UPDATE, "update");
    /// ```
    #[must_use]
    pub const fn from_static(value: &'static str) -> Self {
        if check_static_event_type(value.as_bytes()).is_err() {
            panic!("event type contains a line break (CR or LF)");
        }
        Self(Value::from_static(value.as_bytes()))
    }

    /// Wraps the value at `range` of `block`, which the decoder took from one line and which therefore holds
    /// no line break.
    #[inline]
    pub(crate) fn from_line(block: &Bytes, range: Range<usize>) -> Self {
        debug_assert!(check_event_type(&block[range.clone()]).is_ok());
        Self(Value::from_slice_of(block, range))
    }

    /// A copy of `value`, which the decoder took from one line.
    pub(crate) fn copied_from_line(value: &[u8]) -> Self {
        debug_assert!(check_event_type(value).is_ok());
        Self(Value::copy_from_slice(value))
    }

    /// Whether this is the default type, `message`, or the empty type that means the same.
    #[must_use]
    #[inline]
    pub fn is_message(&self) -> bool {
        self.0.is_empty() || *self.0 == *MESSAGE_TYPE.as_bytes()
    }
}

impl Default for EventType {
    fn default() -> Self {
        Self::MESSAGE
    }
}

/// An event ID (the `id` field): any bytes but CR, LF and NUL, so it always fits on one line and every
/// receiver accepts it. The empty ID is valid: it resets the receiver's last event ID.
///
/// Like [`EventType`], an ID of up to 38 bytes is held inline: a decoded event carries the stream's last
/// event ID, so it is cloned into every event.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EventId(Value);

value_accessors!(EventId, check_id, "ID");

impl EventId {
    /// A validated ID from a value you hand over (a `String`, a `Vec<u8>`, a [`Bytes`], a `&'static str`).
    /// A value of up to 38 bytes is copied inline (a `String` or `Vec<u8>` is then freed); a longer one is
    /// kept without copying. To make one from text you only borrow, use [`EventId::copy_from_slice`] or
    /// `TryFrom<&str>`, and from a `String`, `TryFrom<String>`: they never go through a [`Bytes`] for a short
    /// value. From a counter, `From<u64>`.
    ///
    /// # Errors
    ///
    /// [`EncodeError::LineBreakInId`] when `value` contains CR or LF, [`EncodeError::NulInId`] when it
    /// contains NUL.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_codec::{EncodeError, EventId};
    ///
    /// assert_eq!(EventId::new("42").unwrap(), "42");
    /// assert_eq!(EventId::new("4\r\ndata: forged"), Err(EncodeError::LineBreakInId));
    /// assert_eq!(EventId::new("4\0"), Err(EncodeError::NulInId));
    /// ```
    pub fn new(value: impl Into<Bytes>) -> Result<Self, EncodeError> {
        let value = value.into();
        check_id(&value)?;
        Ok(Self(Value::from_bytes(value)))
    }

    /// A validated ID from a constant, usable in `const` items.
    ///
    /// # Panics
    ///
    /// When `value` contains CR, LF or NUL (at compile time in a `const`).
    ///
    /// ```
    /// use sse_codec::EventId;
    ///
    /// const START: EventId = EventId::from_static("0");
    /// assert_eq!(START, "0");
    /// ```
    #[must_use]
    pub const fn from_static(value: &'static str) -> Self {
        if check_static_id(value.as_bytes()).is_err() {
            panic!("event ID contains a line break (CR or LF) or NUL");
        }
        Self(Value::from_static(value.as_bytes()))
    }

    /// Wraps the value at `range` of `block`, which the decoder took from one line and found free of NUL.
    #[inline]
    pub(crate) fn from_line(block: &Bytes, range: Range<usize>) -> Self {
        debug_assert!(check_id(&block[range.clone()]).is_ok());
        Self(Value::from_slice_of(block, range))
    }

    /// A copy of the value at `range` of `block`, which the decoder took from one line and found free of NUL.
    #[inline]
    pub(crate) fn copied_from_line(block: &[u8], range: Range<usize>) -> Self {
        debug_assert!(check_id(&block[range.clone()]).is_ok());
        Self(Value::copied_from(block, range))
    }
}

/// The decimal digits of a counter, held inline: no allocation.
///
/// ```
/// use sse_codec::EventId;
///
/// assert_eq!(EventId::from(42u64), "42");
/// ```
impl From<u64> for EventId {
    fn from(n: u64) -> Self {
        Self(Value::from_u64(n))
    }
}

/// One event: what a browser's `EventSource` dispatches as a `MessageEvent`, and what a server sends.
///
/// # Examples
///
/// ```
/// use sse_codec::{Event, EventId, EventType};
///
/// let event = Event::new(r#"{"token":"Hel"}"#)
///     .with_event_type(EventType::from_static("delta"))
///     .with_id(EventId::new("7").unwrap());
/// assert_eq!(event.data_str(), Ok(r#"{"token":"Hel"}"#));
/// assert_eq!(event.event_type(), "delta");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    event_type: EventType,
    data: Bytes,
    id: Option<EventId>,
    retry: Option<u64>,
    comment: Option<Bytes>,
}

impl Event {
    /// An event of type `message` carrying `data`, taken over without a copy.
    ///
    /// Data may contain any bytes. Line breaks of every kind (LF, CR, CRLF) reach the receiver as LF: the
    /// format has no escape for them.
    #[must_use]
    pub fn new(data: impl Into<Bytes>) -> Self {
        Self { event_type: EventType::MESSAGE, data: data.into(), id: None, retry: None, comment: None }
    }

    /// Sets the event type.
    #[must_use]
    pub fn with_event_type(mut self, event_type: EventType) -> Self {
        self.event_type = event_type;
        self
    }

    /// Sets the ID.
    #[must_use]
    pub fn with_id(mut self, id: EventId) -> Self {
        self.id = Some(id);
        self
    }

    /// Asks the receiver to wait `millis` milliseconds before reconnecting, in the same block as the event.
    #[must_use]
    pub const fn with_retry(mut self, millis: u64) -> Self {
        self.retry = Some(millis);
        self
    }

    /// Adds a comment, written before the event's fields (one `:` line per line of it). Receivers ignore
    /// it; it shows on the wire.
    #[must_use]
    pub fn with_comment(mut self, comment: impl Into<Bytes>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Assembles a decoded event.
    pub(crate) const fn from_parts(event_type: EventType, data: Bytes, id: Option<EventId>) -> Self {
        Self { event_type, data, id, retry: None, comment: None }
    }

    /// The event type; [`EventType::MESSAGE`] when the stream named none.
    #[must_use]
    pub const fn event_type(&self) -> &EventType {
        &self.event_type
    }

    /// The data, with the lines of a multi-line `data` joined by LF.
    #[must_use]
    pub const fn data(&self) -> &Bytes {
        &self.data
    }

    /// The data as text, if it is valid UTF-8.
    ///
    /// # Errors
    ///
    /// When the data is not valid UTF-8.
    #[inline]
    pub fn data_str(&self) -> Result<&str, Utf8Error> {
        crate::text::to_str(&self.data)
    }

    /// The data as text, decoded as a browser decodes it: invalid UTF-8 becomes U+FFFD.
    #[must_use]
    pub fn data_lossy(&self) -> Cow<'_, str> {
        lossy(&self.data)
    }

    /// The ID.
    ///
    /// On a decoded event this is what `EventSource` reports as `lastEventId`: the value of the most recent
    /// valid `id` field in the stream, in this event or an earlier one, or `None` while the stream has sent
    /// none. (An `id` field with an empty value makes it `Some` of an empty ID.)
    #[must_use]
    pub const fn id(&self) -> Option<&EventId> {
        self.id.as_ref()
    }

    /// The reconnection time sent with the event, in milliseconds. Always `None` on a decoded event: the
    /// decoder reports `retry` fields as [`Frame::Retry`].
    #[must_use]
    pub const fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// The comment sent with the event. Always `None` on a decoded event: the decoder reports comments as
    /// [`Frame::Comment`].
    #[must_use]
    pub const fn comment(&self) -> Option<&Bytes> {
        self.comment.as_ref()
    }

    /// Takes the data out, without copying.
    #[must_use]
    pub fn into_data(self) -> Bytes {
        self.data
    }
}

/// One thing the decoder reports, in stream order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// A dispatched event.
    Event(Event),
    /// A valid `retry` field: the reconnection time the server asks for, in milliseconds.
    Retry(u64),
    /// A comment line's text (after the colon, without one leading space). Servers send comments as
    /// keep-alives; the interpretation otherwise ignores them.
    Comment(Bytes),
}
