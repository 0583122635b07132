//! A slow, obviously-correct model of the WHATWG "Parsing an event stream" and "Interpreting an event stream"
//! rules, written straight from the specification text: decode the whole stream as UTF-8 text (as a browser
//! does, with U+FFFD for invalid sequences and one leading BOM removed), split it into lines, interpret them.
//!
//! Shared by the integration tests and the `differential` fuzz target (through `#[path]`), and deliberately
//! kept out of the library's public API.

#![allow(dead_code, unreachable_pub)]

use bytes::BytesMut;
use sse_codec::{Decoder, Frame};

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

/// Decodes `input` with a fresh decoder, fed in pieces cut at `cuts` (offsets, in any order), and returns
/// every frame and error in order.
pub fn decode_chunked(
    decoder: &mut Decoder,
    input: &[u8],
    cuts: &[usize],
) -> Vec<Result<Frame, sse_codec::DecodeError>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    cuts.push(input.len());
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut buf = BytesMut::new();
    let mut from = 0;
    for cut in cuts {
        buf.extend_from_slice(&input[from..cut]);
        from = cut;
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(frame)) => out.push(Ok(frame)),
                Ok(None) => break,
                Err(error) => out.push(Err(error)),
            }
        }
    }
    loop {
        match decoder.decode_eof(&mut buf) {
            Ok(Some(frame)) => out.push(Ok(frame)),
            Ok(None) => break,
            Err(error) => out.push(Err(error)),
        }
    }
    out
}
