//! sse-stream 0.3.0: its parser is private; `SseByteStream` wraps any `TryStream` of `Buf`s. It yields every
//! block of fields, metadata-only ones too, so only blocks with data count as events (what a browser
//! dispatches). Its encoder is `Sse::encode(self) -> Bytes` (what its `SseBody` calls for each event).

use bytes::Bytes;
use sse_stream::{Sse, SseByteStream};

use super::poll::{count_stream, source};
use crate::encode::{Output, Prepared};
use crate::{Counts, Item, Reading, Text};

/// Decodes with sse-stream's `SseByteStream` over the borrowed chunks.
///
/// # Errors
///
/// sse-stream's error (invalid UTF-8 in a field value).
pub fn decode_sse_stream(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    count_stream(SseByteStream::new(source(&chunks)), reading)
}

/// Its values are `String`s; a block without data is not an event.
impl Item for Sse {
    fn data_len(&self) -> Option<usize> {
        self.data.as_ref().map(String::len)
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        let data = self.data.as_deref()?;
        Some(Ok(Text { event_type: self.event.as_deref().unwrap_or("message"), id: self.id.as_deref(), data }))
    }
}

/// sse-stream's encoder: our events as its `Sse` blocks (outside timing; its values are `String`s, each
/// copied from ours once there), each consumed by `Sse::encode`, whose `Bytes` is pushed onto
/// [`Output::frames`] as its `SseBody` hands it to the HTTP layer (timed). `SseBody` itself is not used: it
/// adds only a `Stream` poll per event around the same call.
///
/// # Errors
///
/// When a value is not UTF-8 (the crate takes `String`s).
pub fn prepare_sse_stream(events: &[sse_codec::Event]) -> Result<Prepared, String> {
    let text = |bytes: &[u8], what: &str| super::owned_text(bytes, what, "sse-stream takes String");
    let blocks = events
        .iter()
        .map(|e| {
            Ok(Sse {
                event: (!e.event_type().is_message())
                    .then(|| text(e.event_type().as_bytes(), "an event type"))
                    .transpose()?,
                data: Some(text(e.data(), "data")?),
                id: e.id().map(|id| text(id.as_bytes(), "an id")).transpose()?,
                retry: e.retry(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Prepared::new(blocks, encode_sse_stream))
}

fn encode_sse_stream(blocks: Vec<Sse>, out: &mut Output) -> Result<(), String> {
    for block in blocks {
        out.frames.push(block.encode().map_err(|e| e.to_string())?);
    }
    Ok(())
}
