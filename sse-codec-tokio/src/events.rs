//! [`Events`]: the events of a stream of frames, without its comments and `retry` frames.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;
use sse_codec::{Event, EventId, Frame};

use crate::{Error, EventReader, EventStream};

pin_project! {
    /// The events of a stream of frames (an [`EventStream`] or an [`EventReader`]), without its comments and
    /// `retry` frames: from [`EventStream::events`] or [`EventReader::events`].
    ///
    /// It ends as the frames' stream ends, and is cancel-safe as it is: skipping a frame and handing out an
    /// event happen within one poll, so dropping the future of `next()` loses nothing.
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Events<F> {
        #[pin]
        frames: F,
    }
}

impl<F> Events<F> {
    pub(crate) const fn new(frames: F) -> Self {
        Self { frames }
    }

    /// The frames' stream.
    pub const fn get_ref(&self) -> &F {
        &self.frames
    }

    /// The frames' stream, to change it.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.frames
    }

    /// The frames' stream, with comments and `retry` frames again.
    pub fn into_inner(self) -> F {
        self.frames
    }
}

impl<S> Events<EventStream<S>> {
    /// The last event ID in force, as [`EventStream::last_event_id`].
    #[must_use]
    pub fn last_event_id(&self) -> Option<&EventId> {
        self.frames.last_event_id()
    }
}

impl<R> Events<EventReader<R>> {
    /// The last event ID in force, as [`EventReader::last_event_id`].
    #[must_use]
    pub fn last_event_id(&self) -> Option<&EventId> {
        self.frames.last_event_id()
    }
}

impl<F, E> Stream for Events<F>
where
    F: Stream<Item = Result<Frame, Error<E>>>,
{
    type Item = Result<Event, Error<E>>;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut frames = self.project().frames;
        loop {
            return Poll::Ready(match ready!(frames.as_mut().poll_next(cx)) {
                Some(Ok(Frame::Event(event))) => Some(Ok(event)),
                Some(Ok(_)) => continue,
                Some(Err(error)) => Some(Err(error)),
                None => None,
            });
        }
    }
}

impl<F, E> FusedStream for Events<F>
where
    F: FusedStream<Item = Result<Frame, Error<E>>>,
{
    fn is_terminated(&self) -> bool {
        self.frames.is_terminated()
    }
}
