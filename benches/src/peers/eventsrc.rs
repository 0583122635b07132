//! eventsrc 0.0.2: Stream-only; `EventStream` wraps a stream of `AsRef<[u8]>` chunks and yields events
//! (it filters out `retry` frames itself).

use bytes::Bytes;
use eventsrc::EventStream;

use super::poll::{count_stream, source};
use crate::Counts;

/// Decodes with eventsrc's `EventStream` over the borrowed chunks.
///
/// # Errors
///
/// eventsrc's error (a protocol error, such as invalid UTF-8).
pub fn decode_eventsrc(chunks: Vec<Bytes>) -> Result<Counts, String> {
    count_stream(EventStream::new(source(&chunks)), |event| Some(event.data().len()))
}
