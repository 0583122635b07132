//! The adapters' error: what went wrong while reading events, from the decoder, the I/O or the body.

use std::convert::Infallible;
use std::{fmt, io};

use sse_codec::DecodeError;

/// Why an adapter stopped: the stream broke a decoder limit, the I/O failed, or the body (the transport the
/// bytes came from) failed with its own error `E`.
///
/// [`Display`](fmt::Display) says which in a few lowercase words; the cause is the error's
/// [`source`](std::error::Error::source), so a report that walks the chain prints each once.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The stream broke one of the decoder's [`Limits`](sse_codec::Limits); the error holds the limit and the
    /// stream offset.
    Decode(DecodeError),
    /// Reading or writing the underlying I/O failed.
    Io(io::Error),
    /// The body stream the bytes came from failed (a `hyper` or `reqwest` error, say).
    Body(E),
}

impl<E> Error<E> {
    /// Whether the stream broke a decoder limit.
    #[must_use]
    pub const fn is_decode(&self) -> bool {
        matches!(self, Self::Decode(_))
    }

    /// Whether the I/O failed.
    #[must_use]
    pub const fn is_io(&self) -> bool {
        matches!(self, Self::Io(_))
    }

    /// Whether the body stream failed.
    #[must_use]
    pub const fn is_body(&self) -> bool {
        matches!(self, Self::Body(_))
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Decode(_) => "event stream broke a decoder limit",
            Self::Io(_) => "event stream i/o failed",
            Self::Body(_) => "event stream body failed",
        })
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Decode(error) => Some(error),
            Self::Io(error) => Some(error),
            Self::Body(error) => Some(error),
        }
    }
}

impl<E> From<DecodeError> for Error<E> {
    fn from(error: DecodeError) -> Self {
        Self::Decode(error)
    }
}

impl<E> From<io::Error> for Error<E> {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn display_is_short_and_the_cause_is_the_source() {
        let error: Error = Error::Decode(DecodeError::LineTooLong { limit: 8, offset: 3 });
        assert_eq!(error.to_string(), "event stream broke a decoder limit");
        let source = error.source().expect("a decode error has a source");
        assert_eq!(source.to_string(), "line starting at byte 3 is longer than the limit of 8 bytes");
        assert!(error.is_decode() && !error.is_io() && !error.is_body());

        let error: Error<io::Error> = Error::Body(io::Error::other("reset"));
        assert_eq!(error.to_string(), "event stream body failed");
        assert_eq!(error.source().unwrap().to_string(), "reset");
    }
}
