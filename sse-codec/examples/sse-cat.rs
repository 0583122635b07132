//! `sse-cat`: decode an event stream from standard input and print what a browser's `EventSource` would see,
//! one JSON object per line.
//!
//! ```text
//! curl -N https://example.com/stream | cargo run --release -p sse-codec --example sse-cat
//! cargo run --release -p sse-codec --example sse-cat -- --comments --chunk 7 < sse-codec/examples/sample.sse
//! ```
//!
//! Output, one line per frame:
//!
//! - `{"type":"message","data":"...","lastEventId":"..."}` for each dispatched event (invalid UTF-8 shown as
//!   U+FFFD, as a browser decodes it);
//! - `{"retry":1500}` for each accepted `retry` field;
//! - `{"comment":"..."}` for each comment line, with `--comments`.
//!
//! Options: `--chunk N` feeds the decoder N bytes at a time (default: whatever each read returns);
//! `--max-line N` and `--max-event N` set the decoder's limits in bytes. A limit error or an I/O error is
//! reported on standard error with its byte offset, and the exit status is 1 (2 for bad arguments).

use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use sse_codec::bytes::BytesMut;
use sse_codec::{Decoder, Frame, Limits};

/// The command line.
#[derive(Debug)]
struct Options {
    chunk: Option<usize>,
    limits: Limits,
    comments: bool,
}

const USAGE: &str = "usage: sse-cat [--comments] [--chunk N] [--max-line N] [--max-event N] < stream";

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options { chunk: None, limits: Limits::default(), comments: false };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let value = args.next().ok_or_else(|| format!("{name} needs a number"))?;
            match value.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name} needs a positive whole number, not {value:?}")),
            }
        };
        match arg.as_str() {
            "--comments" => options.comments = true,
            "--chunk" => options.chunk = Some(number("--chunk")?),
            "--max-line" => options.limits = options.limits.max_line_len(number("--max-line")?),
            "--max-event" => options.limits = options.limits.max_event_len(number("--max-event")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

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
    Decode(sse_codec::DecodeError),
    Io { error: io::Error, offset: u64 },
}

fn run(options: &Options, input: &mut impl Read, out: &mut impl Write) -> Result<(), Failure> {
    let mut decoder = Decoder::with_limits(options.limits);
    let mut buf = BytesMut::new();
    let mut read_buf = vec![0; options.chunk.unwrap_or(64 * 1024)];
    let mut offset = 0u64;
    let io = |offset: u64| move |error| Failure::Io { error, offset };
    loop {
        let n = match options.chunk {
            // Fill the whole chunk unless the input ends first, so `--chunk` is exact.
            Some(_) => read_full(input, &mut read_buf).map_err(io(offset))?,
            None => loop {
                match input.read(&mut read_buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    result => break result.map_err(io(offset))?,
                }
            },
        };
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

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("sse-cat: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut out = BufWriter::new(io::stdout().lock());
    match run(&options, &mut io::stdin().lock(), &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Decode(error)) => {
            let _ = out.flush();
            eprintln!("sse-cat: at byte {}: {error}", error.offset());
            ExitCode::FAILURE
        }
        Err(Failure::Io { error, offset }) => {
            let _ = out.flush();
            eprintln!("sse-cat: at byte {offset}: {error}");
            ExitCode::FAILURE
        }
    }
}
