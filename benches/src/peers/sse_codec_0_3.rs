//! sse-codec 0.3.3 on crates.io (an unrelated crate of the same name): `SSECodec` implements
//! `futures_codec::Decoder`, which `FramedRead` drives by appending each read to a `BytesMut` and calling
//! `decode` until it answers `None`. That loop, minus the `AsyncRead`, is what runs here. It also implements
//! `futures_codec::Encoder<Item = Event>`, which `FramedWrite` calls with each event and its write buffer.

use bytes::Bytes;
use futures_codec::{Decoder as _, Encoder as _};
use peer_sse_codec::{Event, SSECodec};

use crate::encode::{Output, Prepared};
use crate::{Counts, Item, Reading, Text, drive_codec};

/// Decodes with the crates.io sse-codec 0.3.3, driven as `FramedRead` drives it.
///
/// # Errors
///
/// That crate's error (invalid UTF-8, an I/O error).
pub fn decode_sse_codec_0_3(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    let mut codec = SSECodec::default();
    drive_codec(&chunks, |buf, eof| if eof { codec.decode_eof(buf) } else { codec.decode(buf) }, reading)
}

/// Its values are `String`s.
impl Item for Event {
    fn data_len(&self) -> Option<usize> {
        match self {
            Self::Message { data, .. } => Some(data.len()),
            Self::Retry { .. } => None,
        }
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        let Self::Message { id, event, data } = self else { return None };
        Some(Ok(Text { event_type: event, id: id.as_deref(), data }))
    }
}

/// The crates.io sse-codec 0.3.3's encoder: our events as its `Event`s (outside timing; its values are
/// `String`s, each copied from ours once there), each consumed by `Encoder::encode` into [`Output::buf`], as
/// `FramedWrite` does (timed). Its `Event::Message` has no `retry`, so an event's `retry` goes first as an
/// `Event::Retry` block of its own, which a receiver takes the same way.
///
/// # Errors
///
/// When a value is not UTF-8 (the crate takes `String`s).
pub fn prepare_sse_codec_0_3(events: &[sse_codec::Event]) -> Result<Prepared, String> {
    let text = |bytes: &[u8], what: &str| super::owned_text(bytes, what, "sse-codec 0.3.3 takes String");
    let mut items = Vec::with_capacity(events.len());
    for e in events {
        if let Some(retry) = e.retry() {
            items.push(Event::Retry { retry });
        }
        items.push(Event::Message {
            id: e.id().map(|id| text(id.as_bytes(), "an id")).transpose()?,
            event: text(e.event_type().as_bytes(), "an event type")?,
            data: text(e.data(), "data")?,
        });
    }
    Ok(Prepared::new(items, encode_sse_codec_0_3))
}

fn encode_sse_codec_0_3(events: Vec<Event>, out: &mut Output) -> Result<(), String> {
    let mut codec = SSECodec::default();
    for event in events {
        codec.encode(event, &mut out.buf).map_err(|e| e.to_string())?;
    }
    Ok(())
}
