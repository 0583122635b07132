//! sse-stream 0.3.0: its parser is private; `SseByteStream` wraps any `TryStream` of `Buf`s. It yields every
//! block of fields, metadata-only ones too, so only blocks with data count as events (what a browser
//! dispatches).

use sse_stream::SseByteStream;

use super::poll::{drain, source};
use crate::Counts;

/// Decodes with sse-stream's `SseByteStream` over the borrowed chunks.
///
/// # Errors
///
/// sse-stream's error (invalid UTF-8 in a field value).
pub fn decode_sse_stream(chunks: &[&[u8]]) -> Result<Counts, String> {
    let mut counts = Counts::default();
    drain(SseByteStream::new(source(chunks)), |item| {
        if let Some(data) = item.map_err(|e| e.to_string())?.data {
            counts.add(data.len());
        }
        Ok(())
    })?;
    Ok(counts)
}
