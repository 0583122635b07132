//! Floors: the least work a decoder or an encoder of our design has to do on a corpus, timed like the real
//! thing, to tell how much of our time is the design's and how much is ours to remove. Neither interprets
//! the format, so neither is a usable codec.

use std::hint::black_box;

use bytes::BytesMut;
use sse_codec::Event;

use crate::Counts;
use crate::encode::{Output, Prepared};

/// The floor under any decoder that hands out events sharing the input: each chunk appended to a
/// `BytesMut`, line ends found with `memchr2`, each event (up to its blank line) split off, frozen and
/// dropped. It takes only LF for a line end (a CRLF corpus would be cut wrongly), and every block up to a
/// blank line counts as an event, comments too.
///
/// # Errors
///
/// None; the signature is [`Decode`](crate::Decode)'s.
pub fn decode(chunks: &[&[u8]]) -> Result<Counts, String> {
    let mut buf = BytesMut::new();
    let mut counts = Counts::default();
    let mut scanned = 0;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(i) = memchr::memchr2(b'\r', b'\n', &buf[scanned..]) {
            if i == 0 && scanned > 0 {
                let event = buf.split_to(scanned + 1).freeze();
                counts.add(black_box(event).len());
                scanned = 0;
            } else {
                scanned += i + 1;
            }
        }
    }
    Ok(counts)
}

/// The floor under any encoder of owned events, timed as the encode bench times an encoder: each event's
/// data scanned once for a line break with `memchr2` (which every injection-proof encoder must do), the
/// data copied out after `data: ` and followed by the blank line, and the event dropped. Types and IDs are
/// left out, and data is taken to be one line.
///
/// # Errors
///
/// None; the signature is [`Prepare`](crate::encode::Prepare)'s.
pub fn prepare_encode(events: &[Event]) -> Result<Prepared, String> {
    Ok(Prepared::new(events.to_vec(), encode))
}

fn encode(events: Vec<Event>, out: &mut Output) -> Result<(), String> {
    for event in events {
        black_box(memchr::memchr2(b'\r', b'\n', event.data()));
        out.buf.extend_from_slice(b"data: ");
        out.buf.extend_from_slice(event.data());
        out.buf.extend_from_slice(b"\n\n");
    }
    Ok(())
}
