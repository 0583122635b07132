//! Typed errors, one enum per direction.

use core::fmt;

/// Why the [`Decoder`](crate::Decoder) refused some input: a limit from [`Limits`](crate::Limits) was
/// exceeded.
///
/// Offsets count bytes from the start of the stream (the byte order mark included), so a caller can point at
/// the offending input. After this error the decoder stays usable: it drops the offending event up to and
/// including the blank line that ends it, and then decodes the following events as usual. A caller that would
/// rather stop can simply stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A line was longer than [`Limits::max_line_len`](crate::Limits::max_line_len).
    LineTooLong {
        /// The limit in force, in bytes.
        limit: usize,
        /// Where the line starts in the stream.
        offset: u64,
    },
    /// An event was larger than [`Limits::max_event_len`](crate::Limits::max_event_len).
    EventTooLarge {
        /// The limit in force, in bytes.
        limit: usize,
        /// Where the event's first line starts in the stream.
        offset: u64,
    },
}

impl DecodeError {
    /// Where the offending line or event starts, in bytes from the start of the stream.
    #[must_use]
    pub const fn offset(&self) -> u64 {
        match *self {
            Self::LineTooLong { offset, .. } | Self::EventTooLarge { offset, .. } => offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LineTooLong { limit, offset } => {
                write!(f, "line starting at byte {offset} is longer than the limit of {limit} bytes")
            }
            Self::EventTooLarge { limit, offset } => {
                write!(f, "event starting at byte {offset} is larger than the limit of {limit} bytes")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// Why an event, or a part of one, cannot be encoded: writing it would let the receiver see something the
/// caller did not ask for, or it does not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// An event type contained CR or LF, which would end its line early and inject whatever follows.
    LineBreakInEventType,
    /// An id contained CR or LF, which would end its line early and inject whatever follows.
    LineBreakInId,
    /// An id contained NUL, which makes every receiver ignore the whole `id` field.
    NulInId,
    /// The output buffer has fewer bytes left than the encoding needs; nothing was written.
    BufferTooSmall {
        /// Bytes the encoding needs.
        needed: usize,
        /// Bytes the buffer has left.
        remaining: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LineBreakInEventType => f.write_str("event type contains a line break (CR or LF)"),
            Self::LineBreakInId => f.write_str("id contains a line break (CR or LF)"),
            Self::NulInId => f.write_str("id contains a NUL byte"),
            Self::BufferTooSmall { needed, remaining } => {
                write!(f, "output buffer too small: {needed} bytes needed, {remaining} left")
            }
        }
    }
}

impl core::error::Error for EncodeError {}
