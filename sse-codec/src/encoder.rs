//! Writing events: injection-proof by construction, with an exact length known in advance.
//!
//! One writer serves every output: a fixed `&mut [u8]` (no `alloc` needed), any [`bytes::BufMut`], and a
//! counter that gives [`EventRef::encoded_len`], so the length can never disagree with what is written.
//!
//! The format has no escapes, so the encoder keeps every value on its own lines:
//!
//! - data and comments may hold any bytes: each line break in them (LF, CR or CRLF) starts a new `data:` or
//!   `:` line, so the receiver sees the same text with every CR and CRLF turned into LF;
//! - an event type may not hold CR or LF, and an ID may not hold CR, LF or NUL: those are refused with an
//!   [`EncodeError`] before anything is written, since no encoding of them reaches the receiver intact;
//! - every value is written after `: `, so a value that starts with a space keeps it (the receiver drops the
//!   one space the encoder put there).
//!
//! # Examples
//!
//! A keep-alive every so often on an idle connection, and reconnection advice without an event:
//!
//! ```
//! use bytes::BytesMut;
//! use sse_codec::{EventRef, KEEP_ALIVE};
//!
//! let mut out = BytesMut::new();
//! out.extend_from_slice(KEEP_ALIVE);
//! EventRef::retry(10_000).encode(&mut out)?;
//! EventRef::comment(b"server restarting").encode(&mut out)?;
//! assert_eq!(&out[..], b":\n\nretry: 10000\n\n: server restarting\n\n");
//! # Ok::<(), sse_codec::EncodeError>(())
//! ```
//!
//! A retry sent with an event, in the same block:
//!
//! ```
//! use sse_codec::Event;
//!
//! let mut out = Vec::new();
//! Event::new("reconnect slowly").with_retry(5000).encode(&mut out)?;
//! assert_eq!(out, b"retry: 5000\ndata: reconnect slowly\n\n");
//! # Ok::<(), sse_codec::EncodeError>(())
//! ```

use crate::error::EncodeError;
use crate::field::{check_event_type, check_id, format_u64, has_line_break};
use crate::line::find_line_end;

/// A keep-alive: a comment line and a blank line, which every receiver ignores but every proxy sees as
/// traffic on an otherwise idle connection.
pub const KEEP_ALIVE: &[u8] = b":\n\n";

/// Where encoded bytes go.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

/// Counts bytes instead of writing them.
struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// Writes into a fixed buffer that is known to have room.
struct SliceSink<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.out[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// Writes `text` as one `prefix` line per line of it; every kind of line break starts a new line.
#[inline(always)]
fn put_lines(sink: &mut impl Sink, prefix: &[u8], text: &[u8]) {
    // Most payloads are one line: found so by a quick test, they are written without a search per line.
    if !has_line_break(text) {
        sink.put(prefix);
        sink.put(text);
        sink.put(b"\n");
        return;
    }
    let mut rest = text;
    while let Some(end) = find_line_end(rest) {
        sink.put(prefix);
        sink.put(&rest[..end.content_len]);
        sink.put(b"\n");
        rest = &rest[end.next_line()..];
    }
    sink.put(prefix);
    sink.put(rest);
    sink.put(b"\n");
}

/// Writes the decimal digits of `millis` as a `retry` line.
fn put_retry(sink: &mut impl Sink, millis: u64) {
    let mut digits = [0u8; 20];
    let start = format_u64(millis, &mut digits);
    sink.put(b"retry: ");
    sink.put(&digits[start..]);
    sink.put(b"\n");
}

/// One block of an event stream, borrowed: what a caller without `alloc` encodes, and what every other
/// encoding goes through.
///
/// The block is written as its comment lines, then `event`, `id`, `retry` and `data` lines, then the blank
/// line that ends it. Parts left `None` are not written; a block without `data` dispatches no event (but its
/// `id` and `retry` still take effect).
///
/// # Examples
///
/// Encode into a fixed buffer, without allocating:
///
/// ```
/// use sse_codec::encoder::EventRef;
///
/// let mut out = [0u8; 64];
/// let event = EventRef { event_type: Some(b"delta"), id: Some(b"7"), ..EventRef::data(b"Hel\nlo") };
/// let n = event.encode_to_slice(&mut out)?;
/// assert_eq!(&out[..n], b"event: delta\nid: 7\ndata: Hel\ndata: lo\n\n");
/// assert_eq!(event.encoded_len(), n);
/// # Ok::<(), sse_codec::EncodeError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// A comment, written first as one `:` line per line of it.
    pub comment: Option<&'a [u8]>,
    /// The event type; must not hold CR or LF.
    pub event_type: Option<&'a [u8]>,
    /// The ID; must not hold CR, LF or NUL. `Some(b"")` resets the receiver's last event ID.
    pub id: Option<&'a [u8]>,
    /// The reconnection time to ask for, in milliseconds.
    pub retry: Option<u64>,
    /// The data, any bytes, written as one `data:` line per line of it. `Some(b"")` dispatches an event
    /// with empty data.
    pub data: Option<&'a [u8]>,
}

impl<'a> EventRef<'a> {
    /// A block with `data` (text or bytes that you hold: a `&str`, a `String`, a `Vec<u8>`, ...): an event
    /// of type `message` until [`EventRef::with_event_type`] names another. Nothing is copied or checked
    /// until the block is encoded.
    ///
    /// ```
    /// use sse_codec::EventRef;
    ///
    /// let (kind, id, json) = ("update", String::from("42"), String::from(r#"{"n":1}"#));
    /// let mut out = Vec::new();
    /// EventRef::new(&json).with_event_type(kind).with_id(&id).encode(&mut out)?;
    /// assert_eq!(out, b"event: update\nid: 42\ndata: {\"n\":1}\n\n");
    /// # Ok::<(), sse_codec::EncodeError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn new(data: &'a (impl AsRef<[u8]> + ?Sized)) -> Self {
        Self::data(data.as_ref())
    }

    /// Sets the event type, checked (no CR or LF) when the block is encoded.
    #[must_use]
    #[inline]
    pub fn with_event_type(mut self, event_type: &'a (impl AsRef<[u8]> + ?Sized)) -> Self {
        self.event_type = Some(event_type.as_ref());
        self
    }

    /// Sets the ID, checked (no CR, LF or NUL) when the block is encoded. A number is an
    /// [`EventId::from`](crate::EventId) away (feature `alloc`), or any text you format it into.
    #[must_use]
    #[inline]
    pub fn with_id(mut self, id: &'a (impl AsRef<[u8]> + ?Sized)) -> Self {
        self.id = Some(id.as_ref());
        self
    }

    /// Sets the reconnection time to ask for, in milliseconds.
    #[must_use]
    #[inline]
    pub const fn with_retry(mut self, millis: u64) -> Self {
        self.retry = Some(millis);
        self
    }

    /// Sets a comment, written first as one `:` line per line of it.
    #[must_use]
    #[inline]
    pub fn with_comment(mut self, comment: &'a (impl AsRef<[u8]> + ?Sized)) -> Self {
        self.comment = Some(comment.as_ref());
        self
    }

    /// A block with data only: an event of type `message`.
    #[must_use]
    pub const fn data(data: &'a [u8]) -> Self {
        Self { comment: None, event_type: None, id: None, retry: None, data: Some(data) }
    }

    /// A block with a comment only, such as a keep-alive with a note for whoever watches the wire.
    #[must_use]
    pub const fn comment(text: &'a [u8]) -> Self {
        Self { comment: Some(text), event_type: None, id: None, retry: None, data: None }
    }

    /// A block with a `retry` line only: reconnection advice without an event.
    #[must_use]
    pub const fn retry(millis: u64) -> Self {
        Self { comment: None, event_type: None, id: None, retry: Some(millis), data: None }
    }

    /// Checks that the block can be sent as asked.
    ///
    /// # Errors
    ///
    /// [`EncodeError::LineBreakInEventType`], [`EncodeError::LineBreakInId`] or [`EncodeError::NulInId`].
    #[inline]
    pub fn validate(&self) -> Result<(), EncodeError> {
        if let Some(event_type) = self.event_type {
            check_event_type(event_type)?;
        }
        if let Some(id) = self.id {
            check_id(id)?;
        }
        Ok(())
    }

    /// The exact number of bytes the encoding takes.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        let mut counter = Counter(0);
        self.write(&mut counter);
        counter.0
    }

    /// Encodes the block into the front of `out` and returns the number of bytes written.
    ///
    /// # Errors
    ///
    /// The errors of [`EventRef::validate`], and [`EncodeError::BufferTooSmall`] when `out` is shorter than
    /// [`EventRef::encoded_len`]. Nothing is written on error.
    pub fn encode_to_slice(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate()?;
        let needed = self.encoded_len();
        if needed > out.len() {
            return Err(EncodeError::BufferTooSmall { needed, remaining: out.len() });
        }
        let mut sink = SliceSink { out, len: 0 };
        self.write(&mut sink);
        Ok(sink.len)
    }

    /// Writes the block, already validated, into `sink`.
    #[inline]
    pub(crate) fn write(&self, sink: &mut impl Sink) {
        if let Some(comment) = self.comment {
            put_lines(sink, b": ", comment);
        }
        if let Some(event_type) = self.event_type {
            sink.put(b"event: ");
            sink.put(event_type);
            sink.put(b"\n");
        }
        if let Some(id) = self.id {
            sink.put(b"id: ");
            sink.put(id);
            sink.put(b"\n");
        }
        if let Some(millis) = self.retry {
            put_retry(sink, millis);
        }
        if let Some(data) = self.data {
            put_lines(sink, b"data: ", data);
        }
        sink.put(b"\n");
    }

    /// An upper bound of [`EventRef::encoded_len`] found without reading the values: every byte of data or
    /// comment could be a line break that adds a prefix.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(crate) fn max_encoded_len(&self) -> usize {
        const LINE: usize = 9; // the longest prefix, `retry: `, plus a line end
        let lines = |text: Option<&[u8]>, prefix: usize| text.map_or(0, |t| (t.len() + 1) * (prefix + 1));
        lines(self.comment, 2)
            + lines(self.data, 6)
            + self.event_type.map_or(0, |t| t.len() + LINE)
            + self.id.map_or(0, |t| t.len() + LINE)
            + self.retry.map_or(0, |_| 20 + LINE)
            + 1
    }
}

#[cfg(feature = "alloc")]
mod owned {
    use bytes::{BufMut, Bytes, BytesMut};

    use super::{EventRef, Sink};
    use crate::error::EncodeError;
    use crate::event::{Event, Frame};

    /// Writes into any [`BufMut`] that is known to have room.
    struct BufMutSink<'a, B>(&'a mut B);

    impl<B: BufMut> Sink for BufMutSink<'_, B> {
        fn put(&mut self, bytes: &[u8]) {
            self.0.put_slice(bytes);
        }
    }

    impl EventRef<'_> {
        /// Encodes the block into `dst`.
        ///
        /// # Errors
        ///
        /// As [`EventRef::encode_to_slice`]. Nothing is written on error.
        pub fn encode(&self, dst: &mut impl BufMut) -> Result<(), EncodeError> {
            self.validate()?;
            self.encode_validated(dst)
        }

        /// Encodes a block whose type and ID are known to be valid into `dst`, if it has room.
        #[inline]
        fn encode_validated(&self, dst: &mut impl BufMut) -> Result<(), EncodeError> {
            // Growable buffers (`BytesMut`, `Vec<u8>`) report more room than a 64-bit address space holds
            // (`usize::MAX` or `isize::MAX` less their length), where no event can outgrow them: for them not
            // even the bound is computed. The exact length is only computed for a buffer that might be too small.
            const ROOM_FOR_ANY: usize = if usize::BITS == 64 { 1 << 62 } else { usize::MAX };
            let remaining = dst.remaining_mut();
            if remaining < ROOM_FOR_ANY && remaining < self.max_encoded_len() {
                let needed = self.encoded_len();
                if needed > remaining {
                    return Err(EncodeError::BufferTooSmall { needed, remaining });
                }
            }
            self.write(&mut BufMutSink(dst));
            Ok(())
        }
    }

    impl Event {
        /// The event as a borrowed block, for the writer.
        #[inline]
        pub(crate) fn as_event_ref(&self) -> EventRef<'_> {
            EventRef {
                comment: self.comment().map(|c| &c[..]),
                event_type: Some(self.event_type()).filter(|t| !t.is_message()).map(|t| t.as_bytes()),
                id: self.id().map(|id| id.as_bytes()),
                retry: self.retry(),
                data: Some(self.data()),
            }
        }

        /// Encodes the event into `dst` (a `BytesMut`, a `Vec<u8>`, a `&mut [u8]`, ...). The type `message`
        /// is not written, since a receiver assumes it.
        ///
        /// # Errors
        ///
        /// Only [`EncodeError::BufferTooSmall`], when `dst` has less room than [`Event::encoded_len`]: a
        /// buffer of fixed size (a `&mut [u8]`, a [`BufMut::limit`]). A growable `BytesMut` or `Vec<u8>`
        /// never fails; [`Event::to_bytes`] says so in its type. The event's type and ID were validated when
        /// they were made. Nothing is written on error.
        ///
        /// # Examples
        ///
        /// A server building a JSON event:
        ///
        /// ```
        /// use bytes::BytesMut;
        /// use sse_codec::{Event, EventId, EventType};
        ///
        /// let json = format!(r#"{{"user":"{}","text":"{}"}}"#, "ada", "hello");
        /// let event = Event::new(json)
        ///     .with_event_type(EventType::from_static("chat"))
        ///     .with_id(EventId::new("42")?);
        /// let mut buf = BytesMut::new();
        /// event.encode(&mut buf)?;
        /// assert_eq!(&buf[..], b"event: chat\nid: 42\ndata: {\"user\":\"ada\",\"text\":\"hello\"}\n\n");
        /// # Ok::<(), sse_codec::EncodeError>(())
        /// ```
        pub fn encode(&self, dst: &mut impl BufMut) -> Result<(), EncodeError> {
            // `EventType` and `EventId` are validated when they are made.
            self.as_event_ref().encode_validated(dst)
        }

        /// The exact number of bytes [`Event::encode`] writes.
        #[must_use]
        pub fn encoded_len(&self) -> usize {
            self.as_event_ref().encoded_len()
        }

        /// The event encoded into a new [`Bytes`] of exactly its length: a frame to send, or to send to many
        /// (cloning a `Bytes` copies nothing). It cannot fail: the type and ID were validated when they were
        /// made, and the buffer is made to fit. `Bytes::from(&event)` does the same.
        ///
        /// ```
        /// use sse_codec::{Event, EventId};
        ///
        /// let frame = Event::new("hello").with_id(EventId::from(7)).to_bytes();
        /// assert_eq!(&frame[..], b"id: 7\ndata: hello\n\n");
        /// ```
        #[must_use]
        pub fn to_bytes(&self) -> Bytes {
            let event = self.as_event_ref();
            let mut out = BytesMut::with_capacity(event.encoded_len());
            event.write(&mut BufMutSink(&mut out));
            out.freeze()
        }
    }

    impl From<&Event> for Bytes {
        /// As [`Event::to_bytes`].
        fn from(event: &Event) -> Self {
            event.to_bytes()
        }
    }

    impl Frame {
        /// Encodes a decoded frame again, so that a proxy can pass a stream through: an event as by
        /// [`Event::encode`], a `retry` value as a block of its own, a comment as a comment block.
        ///
        /// # Errors
        ///
        /// Only [`EncodeError::BufferTooSmall`]. Nothing is written on error.
        pub fn encode(&self, dst: &mut impl BufMut) -> Result<(), EncodeError> {
            match self {
                Self::Event(event) => event.encode(dst),
                Self::Retry(millis) => EventRef::retry(*millis).encode(dst),
                Self::Comment(text) => EventRef::comment(text).encode(dst),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::vec::Vec;

    use super::*;

    fn encode(event: &EventRef<'_>) -> Result<([u8; 256], usize), EncodeError> {
        let mut out = [0u8; 256];
        let n = event.encode_to_slice(&mut out)?;
        assert_eq!(n, event.encoded_len());
        assert!(n <= event.max_encoded_len());
        Ok((out, n))
    }

    fn wire(event: &EventRef<'_>) -> Vec<u8> {
        let (out, n) = encode(event).unwrap();
        out[..n].to_vec()
    }

    #[test]
    fn wire_bytes_table() {
        let cases: &[(EventRef<'_>, &[u8])] = &[
            (EventRef::data(b"hi"), b"data: hi\n\n"),
            (EventRef::data(b""), b"data: \n\n"),
            (EventRef::data(b" lead"), b"data:  lead\n\n"),
            (EventRef::data(b"a\nb\r\nc\rd"), b"data: a\ndata: b\ndata: c\ndata: d\n\n"),
            (EventRef::data(b"end\n"), b"data: end\ndata: \n\n"),
            (EventRef::data(b"\r\n"), b"data: \ndata: \n\n"),
            (EventRef::comment(b""), b": \n\n"),
            (EventRef::comment(b"a\nb"), b": a\n: b\n\n"),
            (EventRef::retry(0), b"retry: 0\n\n"),
            (EventRef::retry(u64::MAX), b"retry: 18446744073709551615\n\n"),
            (EventRef { id: Some(b""), ..EventRef::default() }, b"id: \n\n"),
            (
                EventRef {
                    comment: Some(b"c"),
                    event_type: Some(b"t"),
                    id: Some(b"i"),
                    retry: Some(5),
                    data: Some(b"d"),
                },
                b": c\nevent: t\nid: i\nretry: 5\ndata: d\n\n",
            ),
        ];
        for (event, want) in cases {
            assert_eq!(wire(event), *want, "{event:?}");
        }
    }

    #[test]
    fn invalid_event_type_or_id_is_refused_before_writing() {
        let cases = [
            (EventRef { event_type: Some(b"a\nb"), ..EventRef::data(b"x") }, EncodeError::LineBreakInEventType),
            (EventRef { event_type: Some(b"a\r"), ..EventRef::data(b"x") }, EncodeError::LineBreakInEventType),
            (EventRef { id: Some(b"1\r\ndata: forged"), ..EventRef::data(b"x") }, EncodeError::LineBreakInId),
            (EventRef { id: Some(b"1\0"), ..EventRef::data(b"x") }, EncodeError::NulInId),
        ];
        for (event, error) in cases {
            let mut out = [7u8; 64];
            assert_eq!(event.encode_to_slice(&mut out), Err(error));
            assert_eq!(out, [7u8; 64], "something was written for {event:?}");
        }
    }

    #[test]
    fn too_small_buffer_is_refused_before_writing() {
        let mut out = [7u8; 9];
        let error = EventRef::data(b"hi").encode_to_slice(&mut out);
        assert_eq!(error, Err(EncodeError::BufferTooSmall { needed: 10, remaining: 9 }));
        assert_eq!(out, [7u8; 9]);
        let mut out = [0u8; 10];
        assert_eq!(EventRef::data(b"hi").encode_to_slice(&mut out), Ok(10));
    }
}
