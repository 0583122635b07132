//! async-sse 5.1.0 (http-rs, tide): `async_sse::decode` reads an `AsyncBufRead`. The chunks become one with
//! `TryStreamExt::into_async_read`, which hands each chunk out in place.

use async_sse::Event;
use futures::TryStreamExt;

use super::poll::drain;
use crate::Counts;

/// Decodes with async-sse over an `AsyncBufRead` of the borrowed chunks.
///
/// # Errors
///
/// async-sse's error (an I/O error, invalid UTF-8).
pub fn decode_async_sse(chunks: &[&[u8]]) -> Result<Counts, String> {
    let reader = futures::stream::iter(chunks.iter().map(|&chunk| Ok::<_, std::io::Error>(chunk))).into_async_read();
    let mut counts = Counts::default();
    drain(async_sse::decode(reader), |item| {
        match &item {
            Ok(Event::Message(message)) => counts.add(message.data().len()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
        Ok(())
    })?;
    Ok(counts)
}
