//! What every bytes-in adapter shares: the core's [`Decoder`], the buffer it carries over, and where the
//! stream is (reading, draining at the end, ended), so that each adapter only says how it gets more bytes.

use std::task::{Poll, ready};

use bytes::BytesMut;
use sse_codec::{Decoder, EventId, Frame};

use crate::Error;

/// Where a stream of frames is in its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Decoding the input as it comes.
    Reading,
    /// The input has ended: draining what the decoder still holds.
    Ending,
    /// Ended, by the end of the input or by an error: `None` from now on.
    Done,
}

/// A [`Decoder`], the buffer it decodes in, and where the stream is.
#[derive(Debug)]
pub(crate) struct Decoding {
    decoder: Decoder,
    buf: BytesMut,
    state: State,
}

impl Decoding {
    pub(crate) fn new(decoder: Decoder) -> Self {
        Self { decoder, buf: BytesMut::new(), state: State::Reading }
    }

    pub(crate) const fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    pub(crate) const fn last_event_id(&self) -> Option<&EventId> {
        self.decoder.last_event_id()
    }

    pub(crate) fn is_terminated(&self) -> bool {
        self.state == State::Done
    }

    /// The next frame of the stream. While it is reading, `read` decodes with the decoder and its buffer,
    /// getting more input as it needs it: it answers a frame, an error, or `None` once the input has ended.
    /// After the end, the decoder's `decode_eof` drains what is complete and drops the rest; after an error
    /// or the end, every call answers `None`.
    #[inline]
    pub(crate) fn poll_next<E>(
        &mut self,
        read: impl FnOnce(&mut Decoder, &mut BytesMut) -> Poll<Option<Result<Frame, Error<E>>>>,
    ) -> Poll<Option<Result<Frame, Error<E>>>> {
        if self.state == State::Reading {
            match ready!(read(&mut self.decoder, &mut self.buf)) {
                Some(Ok(frame)) => return Poll::Ready(Some(Ok(frame))),
                Some(Err(error)) => {
                    self.state = State::Done;
                    return Poll::Ready(Some(Err(error)));
                }
                None => self.state = State::Ending,
            }
        }
        if self.state == State::Ending {
            match self.decoder.decode_eof(&mut self.buf) {
                Ok(Some(frame)) => return Poll::Ready(Some(Ok(frame))),
                Ok(None) => self.state = State::Done,
                Err(error) => {
                    self.state = State::Done;
                    return Poll::Ready(Some(Err(Error::Decode(error))));
                }
            }
        }
        Poll::Ready(None)
    }

    /// The decoder, ready for a new stream (a reconnection's) with its limits and the last event ID of what
    /// it has decoded: what it holds and has not handed out is dropped undecoded, so that no event the caller
    /// never saw moves the last event ID on.
    pub(crate) fn into_decoder(self) -> Decoder {
        let Self { mut decoder, mut buf, .. } = self;
        decoder.reset(&mut buf);
        decoder
    }
}
