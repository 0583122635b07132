//! Floors: the least work a decoder or an encoder of our design has to do on a corpus, timed like the real
//! thing, to tell how much of our time is the design's and how much is ours to remove. Neither interprets
//! the format, so neither is a usable codec.

use std::hint::black_box;

use bytes::{Buf, Bytes, BytesMut};
use sse_codec::Event;
use sse_codec::line::{Terminator, find_line_end};

use crate::encode::{Output, Prepared};
use crate::{Counts, Reading};

/// The floor under any decoder that hands out events sharing the input, read as our decoder reads an HTTP
/// body with `Decoder::decode_chunk`, but with the least copying there can be: line ends (LF, CRLF, CR) found
/// with the crate's own `find_line_end` (a `memchr2`) and the search resumed where it stopped; each event (up
/// to its blank line) split off and dropped. Every chunk is read in place. What one leaves unfinished is
/// copied into a buffer; when the next chunk comes, its lines are searched in place for the end of the
/// carried block, and only the bytes up to there are copied after it, to be split off in one piece. It
/// interprets no field, so every block up to a blank line counts as an event, comments too. In
/// [`Reading::Text`] each block is validated as UTF-8 whole (its type, ID and data with it), as the data of
/// an `Event` through `Event::data_str`, the way our text accessors validate: the least a decoder handing
/// out text must add.
///
/// # Errors
///
/// None; the signature is [`Decode`](crate::Decode)'s.
pub fn decode(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    let mut carried = BytesMut::new();
    let mut counts = Counts::default();
    // Where the current line starts, and how far it has been searched: in `carried` while it holds
    // anything, else in the chunk.
    let mut line = (0, 0);
    for mut chunk in chunks {
        if !carried.is_empty() {
            let rest = carried_block_rest(&carried, &chunk, line);
            carried.extend_from_slice(&chunk[..rest]);
            chunk.advance(rest);
            split_events(&mut carried, &mut line, &mut counts, reading);
            if !carried.is_empty() {
                continue; // the carried block goes on past this chunk
            }
        }
        split_events(&mut chunk, &mut line, &mut counts, reading);
        carried.extend_from_slice(&chunk);
    }
    Ok(counts)
}

/// How many of `chunk`'s first bytes belong to the block whose start `carried` holds: up to the end of its
/// blank line, or all of them when the block does not end in `chunk`. `line` is as [`split_events`] left it.
fn carried_block_rest(carried: &[u8], chunk: &[u8], (mut line_start, mut scanned): (usize, usize)) -> usize {
    // Positions count from the start of `carried`, as if `chunk` were appended to it.
    let base = carried.len();
    if scanned < base {
        // `split_events` left a CR at the end unsearched: its line end takes the chunk's first byte too if
        // that is an LF.
        let next_line = base + usize::from(chunk.first() == Some(&b'\n'));
        if scanned == line_start {
            return next_line - base;
        }
        (line_start, scanned) = (next_line, next_line);
    }
    loop {
        let Ok((content_end, next_line)) = next_line_end(chunk, base, scanned) else {
            return chunk.len();
        };
        if content_end == line_start {
            return next_line - base;
        }
        (line_start, scanned) = (next_line, next_line);
    }
}

/// Splits every complete event off the front of `buf` and counts it; `line` is where the current line starts
/// and how far it has been searched.
fn split_events(buf: &mut impl Buf, (line_start, scanned): &mut (usize, usize), counts: &mut Counts, reading: Reading) {
    loop {
        let (content_end, next_line) = match next_line_end(buf.chunk(), 0, *scanned) {
            Ok(line) => line,
            Err(resume) => {
                *scanned = resume;
                return;
            }
        };
        if content_end == *line_start && *line_start > 0 {
            let event = buf.copy_to_bytes(next_line); // shares the buffer: `Bytes` and `BytesMut` copy nothing
            let len = match reading {
                Reading::DataLen => event.len(),
                Reading::Text => {
                    let event = Event::new(event);
                    event.data_str().map_or(0, str::len)
                }
            };
            counts.add(black_box(len));
            (*line_start, *scanned) = (0, 0);
        } else if content_end == *line_start {
            buf.advance(next_line); // a blank line with no event before it
        } else {
            (*line_start, *scanned) = (next_line, next_line);
        }
    }
}

/// The first line end in `bytes` from position `scanned` on, positions counting from `base` (the position of
/// `bytes`' first byte): where that line's content ends and where the next line starts. `Err` holds where to
/// search again once more bytes have come: the end, or a CR at the end, which an LF after it would join.
fn next_line_end(bytes: &[u8], base: usize, scanned: usize) -> Result<(usize, usize), usize> {
    match find_line_end(&bytes[scanned - base..]) {
        None => Err(base + bytes.len()),
        Some(end) if end.terminator == Terminator::TrailingCr => Err(scanned + end.content_len),
        Some(end) => Ok((scanned + end.content_len, scanned + end.next_line())),
    }
}

/// The floor under any encoder of owned events, timed as the encode bench times an encoder: each event's
/// data scanned once for a line break with `memchr2` (which every injection-proof encoder must do), its type
/// (unless `message`) and ID copied out as `event:` and `id:` lines, its data after `data: ` and followed by
/// the blank line, and the event dropped. (Types and IDs are checked when an `Event` is made, so writing them
/// needs no scan.) `retry` and comments are left out, and data is taken to be one line: a floor for corpora
/// of single-line data only (not `big_lines`).
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
        if !event.event_type().is_message() {
            out.buf.extend_from_slice(b"event: ");
            out.buf.extend_from_slice(event.event_type().as_bytes());
            out.buf.extend_from_slice(b"\n");
        }
        if let Some(id) = event.id() {
            out.buf.extend_from_slice(b"id: ");
            out.buf.extend_from_slice(id.as_bytes());
            out.buf.extend_from_slice(b"\n");
        }
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
            // Large enough that one buffer, and pieces of 150 KiB, are read in place.
            let input = Bytes::from(generate(1 << 19));
            let whole = decode(split(&input, None), Reading::DataLen).unwrap();
            for chunk in [1, 7, 64, 1460, 150 << 10] {
                for reading in [Reading::DataLen, Reading::Text] {
                    assert_eq!(decode(split(&input, Some(chunk)), reading).unwrap(), whole, "chunks of {chunk}");
                }
            }
            assert!(whole.events >= crate::decode(split(&input, None), Reading::DataLen).unwrap().events);
        }
    }
}
