//! async-sse 5.1.0 (http-rs, tide): `async_sse::decode` reads an `AsyncBufRead`. The chunks become one with
//! `TryStreamExt::into_async_read`, which hands each chunk out in place.

use async_sse::Event;
use bytes::Bytes;
use futures::TryStreamExt;

use super::poll::{count_stream, source};
use crate::Counts;

/// Decodes with async-sse over an `AsyncBufRead` of the borrowed chunks.
///
/// # Errors
///
/// async-sse's error (an I/O error, invalid UTF-8).
pub fn decode_async_sse(chunks: Vec<Bytes>) -> Result<Counts, String> {
    // `into_async_read` wants I/O errors; the source has none to give.
    let reader = source(&chunks).map_err(|never| -> std::io::Error { match never {} }).into_async_read();
    count_stream(async_sse::decode(reader), |event| match event {
        Event::Message(message) => Some(message.data().len()),
        _ => None,
    })
}
