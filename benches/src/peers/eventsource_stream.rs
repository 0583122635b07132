//! eventsource-stream 0.2.3 (what reqwest-eventsource builds on): Stream-only, the `Eventsource` extension
//! on any stream of `AsRef<[u8]>` chunks. It keeps undecoded text in a `String` and splits one line off the
//! front at a time, so a large chunk costs time quadratic in its number of lines.

use eventsource_stream::Eventsource;

use super::poll::{drain, source};
use crate::Counts;

/// Decodes with eventsource-stream over the borrowed chunks.
///
/// # Errors
///
/// eventsource-stream's error (invalid UTF-8, a parser error).
pub fn decode_eventsource_stream(chunks: &[&[u8]]) -> Result<Counts, String> {
    let mut counts = Counts::default();
    drain(source(chunks).eventsource(), |item| {
        match &item {
            Ok(event) => counts.add(event.data.len()),
            Err(e) => return Err(e.to_string()),
        }
        Ok(())
    })?;
    Ok(counts)
}
