//! eventsource-stream 0.2.3 (what reqwest-eventsource builds on): Stream-only, the `Eventsource` extension
//! on any stream of `AsRef<[u8]>` chunks. It keeps undecoded text in a `String` and splits one line off the
//! front at a time, so a large chunk costs time quadratic in its number of lines.

use bytes::Bytes;
use eventsource_stream::{Event, Eventsource};

use super::poll::{count_stream, source};
use crate::{Counts, Item, Reading, Text};

/// Decodes with eventsource-stream over the borrowed chunks.
///
/// # Errors
///
/// eventsource-stream's error (invalid UTF-8, a parser error).
pub fn decode_eventsource_stream(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    count_stream(source(&chunks).eventsource(), reading)
}

/// Its values are `String`s; the ID is empty when there is none.
impl Item for Event {
    fn data_len(&self) -> Option<usize> {
        Some(self.data.len())
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        Some(Ok(Text {
            event_type: &self.event,
            id: Some(self.id.as_str()).filter(|id| !id.is_empty()),
            data: &self.data,
        }))
    }
}
