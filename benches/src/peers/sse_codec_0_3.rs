//! sse-codec 0.3.3 on crates.io (an unrelated crate of the same name): `SSECodec` implements
//! `futures_codec::Decoder`, which `FramedRead` drives by appending each read to a `BytesMut` and calling
//! `decode` until it answers `None`. That loop, minus the `AsyncRead`, is what runs here.

use futures_codec::{BytesMut, Decoder as _};
use peer_sse_codec::{Event, SSECodec};

use crate::Counts;

/// Decodes with the crates.io sse-codec 0.3.3, driven as `FramedRead` drives it.
///
/// # Errors
///
/// That crate's error (invalid UTF-8, an I/O error).
pub fn decode_sse_codec_0_3(chunks: &[&[u8]]) -> Result<Counts, String> {
    let mut codec = SSECodec::default();
    let mut buf = BytesMut::new();
    let mut counts = Counts::default();
    let mut take = |event| {
        if let Event::Message { data, .. } = event {
            counts.add(data.len());
        }
    };
    for &chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(event) = codec.decode(&mut buf).map_err(|e| e.to_string())? {
            take(event);
        }
    }
    while let Some(event) = codec.decode_eof(&mut buf).map_err(|e| e.to_string())? {
        take(event);
    }
    Ok(counts)
}
