//! async-sse 5.1.0 (http-rs, tide): `async_sse::decode` reads an `AsyncBufRead`. The chunks become one with
//! `TryStreamExt::into_async_read`, which hands each chunk out in place.

use async_sse::Event;
use bytes::Bytes;
use futures::TryStreamExt;

use super::poll::count_stream;
use crate::Counts;

/// Decodes with async-sse over an `AsyncBufRead` of the borrowed chunks.
///
/// # Errors
///
/// async-sse's error (an I/O error, invalid UTF-8).
pub fn decode_async_sse(chunks: Vec<Bytes>) -> Result<Counts, String> {
    let reader =
        futures::stream::iter(chunks.iter().map(|chunk| Ok::<_, std::io::Error>(&chunk[..]))).into_async_read();
    count_stream(async_sse::decode(reader), |event| match event {
        Event::Message(message) => Some(message.data().len()),
        _ => None,
    })
}
