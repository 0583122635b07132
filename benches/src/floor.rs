//! Floors: the least work a decoder or an encoder of our design has to do on a corpus, timed like the real
//! thing, to tell how much of our time is the design's and how much is ours to remove. Neither interprets
//! the format, so neither is a usable codec.

use std::hint::black_box;

use bytes::{Buf, BytesMut};
use sse_codec::Event;
use sse_codec::line::{Terminator, find_line_end};

use crate::Counts;
use crate::encode::{Output, Prepared};

/// The floor under any decoder that hands out events sharing the input: each chunk appended to a
/// `BytesMut`, line ends (LF, CRLF, CR) found with the crate's own `find_line_end` (a `memchr2`) and the
/// search resumed where it stopped, each event (up to its blank line) split off, frozen and dropped. It
/// interprets no field, so every block up to a blank line counts as an event, comments too.
///
/// # Errors
///
/// None; the signature is [`Decode`](crate::Decode)'s.
pub fn decode(chunks: &[&[u8]]) -> Result<Counts, String> {
    let mut buf = BytesMut::new();
    let mut counts = Counts::default();
    // Where the current line starts, and how far it has been searched for its end.
    let (mut line_start, mut scanned) = (0, 0);
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            let Some(end) = find_line_end(&buf[scanned..]) else {
                scanned = buf.len();
                break;
            };
            if end.terminator == Terminator::TrailingCr {
                // A CR at the end: look at it again with the byte after it.
                scanned += end.content_len;
                break;
            }
            let (content_end, next_line) = (scanned + end.content_len, scanned + end.next_line());
            if content_end == line_start && line_start > 0 {
                let event = buf.split_to(next_line).freeze();
                counts.add(black_box(event).len());
                (line_start, scanned) = (0, 0);
            } else if content_end == line_start {
                buf.advance(next_line); // a blank line with no event before it
            } else {
                (line_start, scanned) = (next_line, next_line);
            }
        }
    }
    Ok(counts)
}

/// The floor under any encoder of owned events, timed as the encode bench times an encoder: each event's
/// data scanned once for a line break with `memchr2` (which every injection-proof encoder must do), the
/// data copied out after `data: ` and followed by the blank line, and the event dropped. Types and IDs are
/// left out, and data is taken to be one line: a floor for corpora of single-line data only (not
/// `big_lines`).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{llm, llm_crlf, notify, split};

    /// The floor splits a stream into the same blocks however it arrives, and it sees every event our decoder
    /// dispatches (it counts comment blocks as events too, so never fewer).
    #[test]
    fn the_decode_floor_counts_alike_in_every_chunking() {
        for generate in [llm, llm_crlf, notify] {
            let input = generate(1 << 16);
            let whole = decode(&split(&input, None)).unwrap();
            for chunk in [1, 7, 64, 1460] {
                assert_eq!(decode(&split(&input, Some(chunk))).unwrap(), whole, "chunks of {chunk}");
            }
            assert!(whole.events >= crate::decode(&split(&input, None)).unwrap().events);
        }
    }
}
