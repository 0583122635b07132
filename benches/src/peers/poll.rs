//! Drives a `Stream` to its end synchronously, and counts the events of a decoding one.

use std::fmt;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures::Stream;

use crate::{Counts, Item, Reading};

/// Polls `stream` with a no-op waker until it ends, handing each item to `each`; stops at the first error
/// `each` returns. Every source here is a `futures::stream::iter`, which never pends, so a `Pending` is
/// reported as an error rather than waited for.
pub(crate) fn drain<S: Stream>(stream: S, mut each: impl FnMut(S::Item) -> Result<(), String>) -> Result<(), String> {
    let mut stream = pin!(stream);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(item)) => each(item)?,
            Poll::Ready(None) => return Ok(()),
            Poll::Pending => return Err("the stream pended over a source that never does".into()),
        }
    }
}

/// The chunks as the kind of byte stream the Stream-based peers read: slices borrowed from them, no copy.
pub(crate) fn source<'a>(
    chunks: &'a [Bytes],
) -> impl Stream<Item = Result<&'a [u8], std::convert::Infallible>> + Unpin + 'a {
    futures::stream::iter(chunks.iter().map(|chunk| Ok(&chunk[..])))
}

/// Drains `stream` (see [`drain`]), counting each item with [`Counts::count`].
pub(crate) fn count_stream<S, T, E>(stream: S, reading: Reading) -> Result<Counts, String>
where
    S: Stream<Item = Result<T, E>>,
    T: Item,
    E: fmt::Display,
{
    let mut counts = Counts::default();
    drain(stream, |item| counts.count(&item, reading))?;
    Ok(counts)
}
