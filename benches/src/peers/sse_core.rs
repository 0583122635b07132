//! sse-core 0.2.3: a sans-IO decoder, `SseDecoder::next(&mut impl Buf)`. A `&[u8]` is a `Buf`, so each chunk
//! is read in place; what a chunk leaves of an unfinished line the decoder keeps in its own buffers.

use bytes::Bytes;
use sse_core::{SseDecoder, SseEvent};

use crate::Counts;

/// Decodes with sse-core, default limit (512 KiB per payload).
///
/// # Errors
///
/// sse-core's error (a payload over its limit).
pub fn decode_sse_core(chunks: Vec<Bytes>) -> Result<Counts, String> {
    let mut decoder = SseDecoder::new();
    let mut counts = Counts::default();
    for chunk in &chunks {
        let mut rest: &[u8] = chunk;
        while let Some(event) = decoder.next(&mut rest) {
            counts.count(&event, |event| match event {
                SseEvent::Message(message) => Some(message.data.len()),
                _ => None,
            })?;
        }
    }
    Ok(counts)
}
