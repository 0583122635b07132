//! eventsource-stream 0.2.3 (what reqwest-eventsource builds on): Stream-only, the `Eventsource` extension
//! on any stream of `AsRef<[u8]>` chunks. It keeps undecoded text in a `String` and splits one line off the
//! front at a time, so a large chunk costs time quadratic in its number of lines.

use bytes::Bytes;
use eventsource_stream::Eventsource;

use super::poll::{count_stream, source};
use crate::Counts;

/// Decodes with eventsource-stream over the borrowed chunks.
///
/// # Errors
///
/// eventsource-stream's error (invalid UTF-8, a parser error).
pub fn decode_eventsource_stream(chunks: Vec<Bytes>) -> Result<Counts, String> {
    count_stream(source(&chunks).eventsource(), |event| Some(event.data.len()))
}
