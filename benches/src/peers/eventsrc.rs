//! eventsrc 0.0.2: Stream-only; `EventStream` wraps a stream of `AsRef<[u8]>` chunks and yields events
//! (it filters out `retry` frames itself).

use bytes::Bytes;
use eventsrc::{Event, EventStream};

use super::poll::{count_stream, source};
use crate::{Counts, Item, Reading, Text};

/// Decodes with eventsrc's `EventStream` over the borrowed chunks.
///
/// # Errors
///
/// eventsrc's error (a protocol error, such as invalid UTF-8).
pub fn decode_eventsrc(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    count_stream(EventStream::new(source(&chunks)), reading)
}

/// It validates its values when it decodes them and hands out `&str`s; the ID is empty when there is none.
impl Item for Event {
    fn data_len(&self) -> Option<usize> {
        Some(self.data().len())
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        Some(Ok(Text { event_type: self.event(), id: Some(self.id()).filter(|id| !id.is_empty()), data: self.data() }))
    }
}
