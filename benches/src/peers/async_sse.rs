//! async-sse 5.1.0 (http-rs, tide): `async_sse::decode` reads an `AsyncBufRead`. The chunks become one with
//! `TryStreamExt::into_async_read`, which hands each chunk out in place.

use async_sse::Event;
use bytes::Bytes;
use futures::TryStreamExt;

use super::poll::{count_stream, source};
use crate::{Counts, Item, Reading, Text};

/// Decodes with async-sse over an `AsyncBufRead` of the borrowed chunks.
///
/// # Errors
///
/// async-sse's error (an I/O error, invalid UTF-8).
pub fn decode_async_sse(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    // `into_async_read` wants I/O errors; the source has none to give.
    let reader = source(&chunks).map_err(|never| -> std::io::Error { match never {} }).into_async_read();
    count_stream(async_sse::decode(reader), reading)
}

/// Its name and ID are `String`s; its data is bytes, validated here.
impl Item for Event {
    fn data_len(&self) -> Option<usize> {
        match self {
            Self::Message(message) => Some(message.data().len()),
            Self::Retry(_) => None,
        }
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        let Self::Message(message) = self else { return None };
        Some(std::str::from_utf8(message.data()).map_err(|e| e.to_string()).map(|data| Text {
            event_type: message.name(),
            id: message.id().as_deref(),
            data,
        }))
    }
}
