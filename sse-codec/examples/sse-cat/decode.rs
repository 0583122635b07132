//! `sse-cat`'s default direction: an event stream in, JSON lines out.

use std::io::{self, Read, Write};

use sse_codec::bytes::{Bytes, BytesMut};
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

/// Decodes `input` to `out`. A limit error is reported on standard error and decoding goes on with the next
/// event, as the decoder allows; an I/O error is reported and ends the run. Returns whether nothing was
/// reported.
pub(crate) fn run(options: &Options, input: &mut impl Read, out: &mut impl Write) -> bool {
    let mut reported = false;
    let mut report = |error: DecodeError| {
        // The error's own text names the offset.
        eprintln!("sse-cat: {error}; skipped that event");
        reported = true;
    };
    let result = decode(options, input, out, &mut report);
    let flushed = out.flush();
    match result.and(flushed.map_err(|error| (error, None))) {
        Ok(()) => !reported,
        Err((error, Some(offset))) => {
            eprintln!("sse-cat: reading at byte {offset}: {error}");
            false
        }
        Err((error, None)) => {
            eprintln!("sse-cat: writing: {error}");
            false
        }
    }
}

/// An I/O error, with the stream offset when it happened while reading.
type Failure = (io::Error, Option<u64>);

fn decode<W: Write>(
    options: &Options,
    input: &mut impl Read,
    out: &mut W,
    report: &mut impl FnMut(DecodeError),
) -> Result<(), Failure> {
    let mut decoder = Decoder::with_limits(options.limits);
    let mut buf = BytesMut::new();
    let mut read_buf = vec![0; options.chunk.unwrap_or(64 * 1024)];
    let mut offset = 0u64;
    let mut show = |frame: Result<Option<Frame>, DecodeError>, out: &mut W| -> Result<bool, Failure> {
        match frame {
            Ok(Some(frame)) => print_frame(out, &frame, options.comments).map(|()| true).map_err(|e| (e, None)),
            Ok(None) => Ok(false),
            Err(error) => {
                report(error);
                Ok(true)
            }
        }
    };
    loop {
        let n = match options.chunk {
            // Fill the whole chunk unless the input ends first, so `--chunk` is exact.
            Some(_) => read_full(input, &mut read_buf),
            None => read_some(input, &mut read_buf),
        }
        .map_err(|error| (error, Some(offset)))?;
        offset += n as u64;
        if n == 0 {
            while show(decoder.decode_eof(&mut buf), out)? {}
            return Ok(());
        }
        if options.append {
            buf.extend_from_slice(&read_buf[..n]);
            while show(decoder.decode(&mut buf), out)? {}
        } else {
            // As a hyper or reqwest body hands out its chunks: `Bytes` the decoder reads in place.
            let mut chunk = Bytes::copy_from_slice(&read_buf[..n]);
            while show(decoder.decode_chunk(&mut buf, &mut chunk), out)? {}
        }
        out.flush().map_err(|e| (e, None))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_args;

    fn decode_with(args: &[&str], input: &[u8]) -> (String, bool) {
        let options = parse_args(args.iter().map(|a| (*a).to_owned())).unwrap().unwrap();
        let mut out = Vec::new();
        let ok = run(&options, &mut &input[..], &mut out);
        (String::from_utf8(out).unwrap(), ok)
    }

    #[test]
    fn a_limit_error_is_reported_and_decoding_goes_on() {
        let input = b"data: first\n\ndata: far too long a line\n\ndata: after\n\n";
        for args in
            [&["--max-line", "16"][..], &["--max-line", "16", "--append"], &["--max-line", "16", "--chunk", "3"]]
        {
            let (out, ok) = decode_with(args, input);
            assert!(!ok, "{args:?}: the error makes the run fail");
            assert_eq!(
                out,
                "{\"type\":\"message\",\"data\":\"first\",\"lastEventId\":\"\"}\n\
                 {\"type\":\"message\",\"data\":\"after\",\"lastEventId\":\"\"}\n",
                "{args:?}"
            );
        }
    }

    #[test]
    fn chunks_and_appending_give_the_same_frames() {
        let input = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample.sse")).unwrap();
        let expected = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample.sse.expected"));
        for args in [&["--comments"][..], &["--comments", "--append"], &["--comments", "--chunk", "1"]] {
            assert_eq!(decode_with(args, &input), (expected.as_ref().unwrap().clone(), true), "{args:?}");
        }
    }
}
