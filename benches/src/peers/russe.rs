//! russe 0.3.1 (actix-web-lab's SSE codec): `russe::Decoder` implements `tokio_util::codec::Decoder`, which
//! `FramedRead` drives by appending each read to a `BytesMut` and calling `decode` until it answers `None`.

use bytes::BytesMut;
use russe::Event;
use tokio_util::codec::Decoder as _;

use crate::Counts;

/// Decodes with russe, driven as `FramedRead` drives it.
///
/// # Errors
///
/// russe's error (invalid UTF-8, an I/O error).
pub fn decode_russe(chunks: &[&[u8]]) -> Result<Counts, String> {
    let mut decoder = russe::Decoder::default();
    let mut buf = BytesMut::new();
    let mut counts = Counts::default();
    let mut take = |event| {
        if let Event::Message(message) = event {
            counts.add(message.data.len());
        }
    };
    for &chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(event) = decoder.decode(&mut buf).map_err(|e| e.to_string())? {
            take(event);
        }
    }
    while let Some(event) = decoder.decode_eof(&mut buf).map_err(|e| e.to_string())? {
        take(event);
    }
    Ok(counts)
}
