//! russe 0.3.1 (actix-web-lab's SSE codec): `russe::Decoder` implements `tokio_util::codec::Decoder`, which
//! `FramedRead` drives by appending each read to a `BytesMut` and calling `decode` until it answers `None`;
//! `russe::Encoder` implements `tokio_util::codec::Encoder<russe::Event>`, which `FramedWrite` calls with
//! each event and its write buffer.

use bytes::Bytes;
use std::time::Duration;

use russe::Event;
use tokio_util::codec::{Decoder as _, Encoder as _};

use crate::encode::{Output, Prepared};
use crate::{Counts, Item, Reading, Text, drive_codec};

/// Decodes with russe, driven as `FramedRead` drives it.
///
/// # Errors
///
/// russe's error (invalid UTF-8, an I/O error).
pub fn decode_russe(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    let mut decoder = russe::Decoder::default();
    drive_codec(&chunks, |buf, eof| if eof { decoder.decode_eof(buf) } else { decoder.decode(buf) }, reading)
}

/// Its values are `ByteString`s, validated when it decodes them.
impl Item for Event {
    fn data_len(&self) -> Option<usize> {
        match self {
            Self::Message(message) => Some(message.data.len()),
            _ => None,
        }
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        let Self::Message(message) = self else { return None };
        Some(Ok(Text {
            event_type: message.event.as_deref().unwrap_or("message"),
            id: message.id.as_deref(),
            data: &message.data,
        }))
    }
}

/// russe's encoder: our events as `russe::Event::Message`s (outside timing; their `ByteString`s share our
/// events' `Bytes`, so no value is copied), each consumed by `Encoder::encode` into [`Output::buf`], as
/// `FramedWrite` does (timed).
///
/// # Errors
///
/// When a value is not UTF-8 (russe's values are `ByteString`s).
pub fn prepare_russe(events: &[sse_codec::Event]) -> Result<Prepared, String> {
    let text = |bytes: bytes::Bytes, what: &str| {
        bytes.try_into().map_err(|_| format!("{what} is not UTF-8 (russe takes ByteString)"))
    };
    let messages = events
        .iter()
        .map(|e| {
            Ok(Event::Message(russe::Message {
                data: text(e.data().clone(), "data")?,
                event: (!e.event_type().is_message())
                    .then(|| text(e.event_type().clone().into_bytes(), "an event type"))
                    .transpose()?,
                id: e.id().map(|id| text(id.clone().into_bytes(), "an id")).transpose()?,
                retry: e.retry().map(Duration::from_millis),
            }))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Prepared::new(messages, encode_russe))
}

fn encode_russe(events: Vec<Event>, out: &mut Output) -> Result<(), String> {
    let mut encoder = russe::Encoder::default();
    for event in events {
        encoder.encode(event, &mut out.buf).map_err(|e| e.to_string())?;
    }
    Ok(())
}
