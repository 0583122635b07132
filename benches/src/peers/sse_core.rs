//! sse-core 0.2.3: a sans-IO decoder, `SseDecoder::next(&mut impl Buf)`. A `&[u8]` is a `Buf`, so each chunk
//! is read in place; what a chunk leaves of an unfinished line the decoder keeps in its own buffers.

use bytes::Bytes;
use sse_core::{SseDecoder, SseEvent};

use crate::{Counts, Item, Reading, Text};

/// Decodes with sse-core, default limit (512 KiB per payload).
///
/// # Errors
///
/// sse-core's error (a payload over its limit).
pub fn decode_sse_core(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    let mut decoder = SseDecoder::new();
    let mut counts = Counts::default();
    for chunk in &chunks {
        let mut rest: &[u8] = chunk;
        while let Some(event) = decoder.next(&mut rest) {
            counts.count(&event, reading)?;
        }
    }
    Ok(counts)
}

/// Its values are `String`s (the type a `Cow`, the ID an `Arc<str>`).
impl Item for SseEvent {
    fn data_len(&self) -> Option<usize> {
        match self {
            Self::Message(message) => Some(message.data.len()),
            _ => None,
        }
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        let Self::Message(message) = self else { return None };
        Some(Ok(Text { event_type: &message.event, id: message.last_event_id.as_deref(), data: &message.data }))
    }
}
