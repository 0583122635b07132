//! `sse-cat`'s default direction: an event stream in, JSON lines out.

use std::io::{self, Read, Write};

use sse_codec::bytes::BytesMut;
use sse_codec::{DecodeError, Decoder, Frame};

use crate::Options;

/// A JSON string literal.
fn json(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

/// Writes one frame as a JSON line, if it is shown.
fn print_frame(out: &mut impl Write, frame: &Frame, comments: bool) -> io::Result<()> {
    match frame {
        Frame::Event(event) => {
            let id = event.id().map(|id| id.to_str_lossy()).unwrap_or_default();
            writeln!(
                out,
                "{{\"type\":{},\"data\":{},\"lastEventId\":{}}}",
                json(&event.event_type().to_str_lossy()),
                json(&event.data_lossy()),
                json(&id)
            )
        }
        Frame::Retry(millis) => writeln!(out, "{{\"retry\":{millis}}}"),
        Frame::Comment(text) if comments => {
            writeln!(out, "{{\"comment\":{}}}", json(&String::from_utf8_lossy(text)))
        }
        _ => Ok(()),
    }
}

/// Why decoding stopped early.
#[derive(Debug)]
enum Failure {
    Decode(DecodeError),
    Io { error: io::Error, offset: u64 },
}

/// Decodes `input` to `out`; reports any failure on standard error and returns whether there was none.
pub(crate) fn run(options: &Options, input: &mut impl Read, out: &mut impl Write) -> bool {
    let result = decode(options, input, out);
    let _ = out.flush();
    match result {
        Ok(()) => return true,
        Err(Failure::Decode(error)) => eprintln!("sse-cat: at byte {}: {error}", error.offset()),
        Err(Failure::Io { error, offset }) => eprintln!("sse-cat: at byte {offset}: {error}"),
    }
    false
}

fn decode(options: &Options, input: &mut impl Read, out: &mut impl Write) -> Result<(), Failure> {
    let mut decoder = Decoder::with_limits(options.limits);
    let mut buf = BytesMut::new();
    let mut read_buf = vec![0; options.chunk.unwrap_or(64 * 1024)];
    let mut offset = 0u64;
    let io = |offset: u64| move |error| Failure::Io { error, offset };
    loop {
        let n = match options.chunk {
            // Fill the whole chunk unless the input ends first, so `--chunk` is exact.
            Some(_) => read_full(input, &mut read_buf),
            None => read_some(input, &mut read_buf),
        }
        .map_err(io(offset))?;
        buf.extend_from_slice(&read_buf[..n]);
        offset += n as u64;
        loop {
            let frame = if n == 0 { decoder.decode_eof(&mut buf) } else { decoder.decode(&mut buf) };
            match frame.map_err(Failure::Decode)? {
                Some(frame) => print_frame(out, &frame, options.comments).map_err(io(offset))?,
                None => break,
            }
        }
        out.flush().map_err(io(offset))?;
        if n == 0 {
            return Ok(());
        }
    }
}

/// One read, retried when interrupted.
fn read_some(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_some(input, &mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
