//! eventsrc 0.0.2: Stream-only; `EventStream` wraps a stream of `AsRef<[u8]>` chunks and yields events
//! (it filters out `retry` frames itself).

use eventsrc::EventStream;

use super::poll::{drain, source};
use crate::Counts;

/// Decodes with eventsrc's `EventStream` over the borrowed chunks.
///
/// # Errors
///
/// eventsrc's error (a protocol error, such as invalid UTF-8).
pub fn decode_eventsrc(chunks: &[&[u8]]) -> Result<Counts, String> {
    let mut counts = Counts::default();
    drain(EventStream::new(source(chunks)), |item| {
        match &item {
            Ok(event) => counts.add(event.data().len()),
            Err(e) => return Err(e.to_string()),
        }
        Ok(())
    })?;
    Ok(counts)
}
