//! Encoding without copying the payload: an event as a [`Buf`] whose chunks are the encoded field lines and
//! the data's own [`Bytes`], line by line, for vectored writes.

use core::mem;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::encoder::EventRef;
use crate::event::Event;
use crate::line::find_line_end;

const FIRST_DATA: &[u8] = b"data: ";
const NEXT_DATA: &[u8] = b"\ndata: ";
const END: &[u8] = b"\n\n";

/// An encoded [`Event`] as a [`Buf`]: the same bytes as [`Event::encode`], but the data is handed out as
/// slices of the event's own [`Bytes`] between short constant pieces, so a payload is never copied. Made by
/// [`Event::into_buf`].
///
/// [`Buf::chunks_vectored`] offers every piece at once, for `writev`-style writes.
#[derive(Clone, Debug)]
pub struct EventBuf {
    /// The lines before the data, and the first `data: `.
    head: Bytes,
    /// What is left of the current data line.
    line: Bytes,
    /// What is left of the piece after it: `\ndata: ` while more lines follow, then `\n\n`.
    separator: &'static [u8],
    /// The data after the current line's line end; meaningful while `separator` is `\ndata: `.
    rest: Bytes,
    /// Whether `rest` still holds a line to send.
    more: bool,
    remaining: usize,
}

impl EventBuf {
    /// The chain of `head` and `data`, whose length is `encoded_len` when `data` has more than one line. A
    /// single line's length is the sum of the pieces, which spares a large payload a second scan.
    fn new(head: Bytes, data: Bytes, encoded_len: impl FnOnce() -> usize) -> Self {
        let mut buf = Self { head, line: Bytes::new(), separator: &[], rest: data, more: true, remaining: 0 };
        buf.next_line();
        buf.remaining = if buf.more { encoded_len() } else { buf.head.len() + buf.line.len() + buf.separator.len() };
        buf
    }

    /// Moves the next line of `rest` into `line`.
    fn next_line(&mut self) {
        match find_line_end(&self.rest) {
            Some(end) => {
                self.line = self.rest.split_to(end.content_len);
                self.rest.advance(end.terminator.byte_len());
                self.separator = NEXT_DATA;
            }
            None => {
                self.line = mem::take(&mut self.rest);
                self.separator = END;
                self.more = false;
            }
        }
    }
}

impl Buf for EventBuf {
    fn remaining(&self) -> usize {
        self.remaining
    }

    fn chunk(&self) -> &[u8] {
        if !self.head.is_empty() {
            &self.head
        } else if !self.line.is_empty() {
            &self.line
        } else {
            self.separator
        }
    }

    fn advance(&mut self, mut cnt: usize) {
        assert!(cnt <= self.remaining, "cannot advance past the end of an EventBuf");
        self.remaining -= cnt;
        while cnt > 0 {
            let piece = if !self.head.is_empty() {
                let n = cnt.min(self.head.len());
                self.head.advance(n);
                n
            } else if !self.line.is_empty() {
                let n = cnt.min(self.line.len());
                self.line.advance(n);
                n
            } else {
                let n = cnt.min(self.separator.len());
                self.separator = &self.separator[n..];
                n
            };
            cnt -= piece;
            if self.head.is_empty() && self.line.is_empty() && self.separator.is_empty() && self.more {
                self.next_line();
            }
        }
    }

    #[cfg(feature = "std")]
    fn chunks_vectored<'a>(&'a self, dst: &mut [std::io::IoSlice<'a>]) -> usize {
        let mut n = 0;
        let mut push = |piece: &'a [u8]| {
            if piece.is_empty() || n == dst.len() {
                return n < dst.len();
            }
            dst[n] = std::io::IoSlice::new(piece);
            n += 1;
            true
        };
        let _ = push(&self.head) && push(&self.line) && push(self.separator);
        if self.more {
            let mut rest: &'a [u8] = &self.rest;
            loop {
                let (line, separator, next) = match find_line_end(rest) {
                    Some(end) => (&rest[..end.content_len], NEXT_DATA, Some(&rest[end.next_line()..])),
                    None => (rest, END, None),
                };
                if !(push(line) && push(separator)) {
                    break;
                }
                match next {
                    Some(next) => rest = next,
                    None => break,
                }
            }
        }
        n
    }
}

impl Event {
    /// The encoded event as a [`Buf`] that shares the data instead of copying it: for large payloads and
    /// vectored writes. It yields exactly the bytes [`Event::encode`] writes.
    ///
    /// The lines before the data (comment, `event`, `id`, `retry`) are encoded into a small buffer of their
    /// own; an event with none of them allocates nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::{Buf, Bytes};
    /// use sse_codec::Event;
    ///
    /// let payload = Bytes::from(vec![b'x'; 1 << 20]);
    /// let mut buf = Event::new(payload.clone()).into_buf();
    /// assert_eq!(buf.chunk(), b"data: ");
    /// buf.advance(6);
    /// assert_eq!(buf.chunk().as_ptr(), payload.as_ptr()); // the payload itself, not a copy
    /// assert_eq!(buf.remaining(), payload.len() + 2);
    /// ```
    #[must_use]
    pub fn into_buf(self) -> EventBuf {
        let fields = EventRef { data: None, ..self.as_event_ref() };
        // `fields` written alone ends with its blank line, which the data's `\n\n` replaces.
        let head = if fields == EventRef::default() {
            Bytes::from_static(FIRST_DATA)
        } else {
            let mut head = BytesMut::with_capacity(fields.encoded_len() - 1 + FIRST_DATA.len());
            fields.encode(&mut head).expect("a growable buffer has room, and the fields were validated");
            head.truncate(head.len() - 1);
            head.put_slice(FIRST_DATA);
            head.freeze()
        };
        EventBuf::new(head, self.data().clone(), || self.encoded_len())
    }
}
