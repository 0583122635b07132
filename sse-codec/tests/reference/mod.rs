//! Test oracles, shared by the integration tests and the fuzz targets (through `#[path]`), and deliberately
//! kept out of the library's public API:
//!
//! - [`reference`], a slow, obviously-correct model of the WHATWG "Parsing an event stream" and "Interpreting an
//!   event stream" rules, written straight from the specification text: decode the whole stream as UTF-8 text
//!   (as a browser does, with U+FFFD for invalid sequences and one leading BOM removed), split it into lines,
//!   interpret them;
//! - [`expected_frames`], what a receiver must decode from encoded events;
//! - drivers that feed the decoder in chunks and read a `Buf` piece by piece.

#![allow(dead_code, unreachable_pub)]

use bytes::{Buf, Bytes, BytesMut};
use sse_codec::{Decoder, Event, EventId, EventType, Frame};

/// What a browser would observe, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// A dispatched `MessageEvent`.
    Event { event_type: String, data: String, last_event_id: Option<String> },
    /// A `retry` field that set the reconnection time.
    Retry(u64),
    /// A comment line's text, after the colon and one optional space.
    Comment(String),
}

/// Runs the specification's algorithm over a whole stream.
pub fn reference(input: &[u8]) -> Vec<Observed> {
    let text = String::from_utf8_lossy(input);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);

    // Lines end at CRLF, LF or CR; text after the last line end is not a line and is discarded.
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut line));
            }
            '\n' => lines.push(std::mem::take(&mut line)),
            c => line.push(c),
        }
    }

    let mut out = Vec::new();
    let mut data = String::new();
    let mut event_type = String::new();
    let mut id_buffer: Option<String> = None;
    for line in lines {
        if line.is_empty() {
            // Dispatch: the last event ID string takes the buffer's value, even if nothing is dispatched.
            let last_event_id = id_buffer.clone();
            if data.is_empty() {
                event_type.clear();
                continue;
            }
            if data.ends_with('\n') {
                data.pop();
            }
            let event_type = if event_type.is_empty() { "message".to_owned() } else { std::mem::take(&mut event_type) };
            out.push(Observed::Event { event_type, data: std::mem::take(&mut data), last_event_id });
            continue;
        }
        if let Some(comment) = line.strip_prefix(':') {
            out.push(Observed::Comment(comment.strip_prefix(' ').unwrap_or(comment).to_owned()));
            continue;
        }
        let (name, value) = match line.find(':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (line.as_str(), ""),
        };
        match name {
            "event" => event_type = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => id_buffer = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) => {
                // Too large for a u64: not representable, ignored (the crate documents the same choice).
                if let Ok(millis) = value.parse::<u64>() {
                    out.push(Observed::Retry(millis));
                }
            }
            _ => {}
        }
    }
    out
}

/// What a browser would observe of a decoded frame.
pub fn observe(frame: &Frame) -> Observed {
    match frame {
        Frame::Event(event) => Observed::Event {
            event_type: event.event_type().to_str_lossy().into_owned(),
            data: event.data_lossy().into_owned(),
            last_event_id: event.id().map(|id| id.to_str_lossy().into_owned()),
        },
        Frame::Retry(millis) => Observed::Retry(*millis),
        Frame::Comment(text) => Observed::Comment(String::from_utf8_lossy(text).into_owned()),
        other => panic!("unexpected frame {other:?}"),
    }
}

/// How [`decode_fed`] hands the pieces of a stream to the decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each test binary that includes this module uses some of it
pub enum Feed {
    /// Each piece appended to one `BytesMut`, then `Decoder::decode`.
    Appended,
    /// Each piece as a `Bytes` chunk, through `Decoder::decode_chunk`.
    Chunks,
    /// Each piece appended to one `BytesMut`, then `Decoder::decode_ref`, each lent frame copied with
    /// `FrameRef::to_frame` (and `decode_ref_eof` at the end).
    Lent,
    /// As `Lent`, with `Decoder::decode` and `Decoder::decode_ref` called in turn.
    Mixed,
}

/// Decodes `input` with `decoder`, fed in pieces cut at `cuts` (offsets, in any order) and appended to one
/// buffer, and returns every frame and error in order.
pub fn decode_chunked(
    decoder: &mut Decoder,
    input: &[u8],
    cuts: &[usize],
) -> Vec<Result<Frame, sse_codec::DecodeError>> {
    decode_fed(decoder, input, cuts, Feed::Appended)
}

/// As [`decode_chunked`], with the pieces handed over as `feed` says. Checks after each piece that the buffer
/// holds no more than the decoder's limits allow.
pub fn decode_fed(
    decoder: &mut Decoder,
    input: &[u8],
    cuts: &[usize],
    feed: Feed,
) -> Vec<Result<Frame, sse_codec::DecodeError>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    cuts.push(input.len());
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut buf = BytesMut::new();
    let mut from = 0;
    for cut in cuts {
        let piece = &input[from..cut];
        from = cut;
        match feed {
            Feed::Appended => {
                buf.extend_from_slice(piece);
                drain_steps(&mut out, || decoder.decode(&mut buf));
            }
            Feed::Chunks => {
                let mut chunk = Bytes::copy_from_slice(piece);
                drain_steps(&mut out, || decoder.decode_chunk(&mut buf, &mut chunk));
                assert!(chunk.is_empty(), "decode_chunk answered None with {} bytes of its chunk left", chunk.len());
            }
            Feed::Lent => {
                buf.extend_from_slice(piece);
                drain_steps(&mut out, || Ok(decoder.decode_ref(&mut buf)?.map(|frame| frame.to_frame())));
            }
            Feed::Mixed => {
                buf.extend_from_slice(piece);
                let mut lend = from % 2 == 0;
                drain_steps(&mut out, || {
                    lend = !lend;
                    if lend {
                        Ok(decoder.decode_ref(&mut buf)?.map(|frame| frame.to_frame()))
                    } else {
                        decoder.decode(&mut buf)
                    }
                });
            }
        }
        // What `Limits` promises: between calls, at most one event and one unfinished line.
        let limits = decoder.limits();
        let bound = limits.max_line_len.saturating_add(limits.max_event_len);
        assert!(buf.len() <= bound, "the buffer holds {} bytes, more than the limits allow", buf.len());
    }
    match feed {
        Feed::Lent => drain_steps(&mut out, || Ok(decoder.decode_ref_eof(&mut buf)?.map(|frame| frame.to_frame()))),
        _ => drain_steps(&mut out, || decoder.decode_eof(&mut buf)),
    }
    assert!(buf.is_empty(), "decode_eof left {} bytes", buf.len());
    out
}

/// Calls `step` until it answers `Ok(None)`, keeping every frame and error in `out`.
fn drain_steps(
    out: &mut Vec<Result<Frame, sse_codec::DecodeError>>,
    mut step: impl FnMut() -> Result<Option<Frame>, sse_codec::DecodeError>,
) {
    loop {
        match step() {
            Ok(Some(frame)) => out.push(Ok(frame)),
            Ok(None) => return,
            Err(error) => out.push(Err(error)),
        }
    }
}

/// The text a receiver sees: every CRLF and CR turned into LF.
pub fn normalised(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter().peekable();
    while let Some(&b) = bytes.next() {
        if b == b'\r' {
            bytes.next_if_eq(&&b'\n');
            out.push(b'\n');
        } else {
            out.push(b);
        }
    }
    out
}

/// The frames a receiver should decode from `events`, encoded in order.
pub fn expected_frames(events: &[Event]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut last_id: Option<EventId> = None;
    for event in events {
        if let Some(comment) = event.comment() {
            for line in normalised(comment).split(|&b| b == b'\n') {
                frames.push(Frame::Comment(Bytes::copy_from_slice(line)));
            }
        }
        if let Some(retry) = event.retry() {
            frames.push(Frame::Retry(retry));
        }
        if let Some(id) = event.id() {
            last_id = Some(id.clone());
        }
        let event_type = if event.event_type().is_message() { EventType::MESSAGE } else { event.event_type().clone() };
        let mut decoded = Event::new(normalised(event.data())).with_event_type(event_type);
        if let Some(id) = &last_id {
            decoded = decoded.with_id(id.clone());
        }
        frames.push(Frame::Event(decoded));
    }
    frames
}

/// Collects an `EventBuf` the way a writer would: chunk by chunk, advancing by `step` at most.
pub fn drain(mut buf: impl Buf, step: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while buf.has_remaining() {
        let chunk = buf.chunk();
        assert!(!chunk.is_empty(), "an empty chunk before the end");
        let n = chunk.len().min(step);
        out.extend_from_slice(&chunk[..n]);
        buf.advance(n);
    }
    out
}

/// Collects an `EventBuf` through `chunks_vectored`, `slots` slices at a time.
pub fn drain_vectored(mut buf: impl Buf, slots: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while buf.has_remaining() {
        let mut slices = vec![std::io::IoSlice::new(&[]); slots];
        let n = buf.chunks_vectored(&mut slices);
        assert!(n > 0);
        let mut taken = 0;
        for slice in &slices[..n] {
            out.extend_from_slice(slice);
            taken += slice.len();
        }
        buf.advance(taken);
    }
    out
}
