//! `sse-cat`: decode an event stream from standard input and print what a browser's `EventSource` would see,
//! one JSON object per line; or, with `--encode`, the other way round.
//!
//! ```text
//! curl -N https://example.com/stream | cargo run --release -p sse-codec --example sse-cat
//! cargo run --release -p sse-codec --example sse-cat -- --comments --chunk 7 < sse-codec/examples/sample.sse
//! cargo run --release -p sse-codec --example sse-cat -- --encode < sse-codec/examples/sample.jsonl
//! ```
//!
//! Decoding prints one line per frame:
//!
//! - `{"type":"message","data":"...","lastEventId":"..."}` for each dispatched event (invalid UTF-8 shown as
//!   U+FFFD, as a browser decodes it);
//! - `{"retry":1500}` for each accepted `retry` field;
//! - `{"comment":"..."}` for each comment line, with `--comments`.
//!
//! Options: `--chunk N` feeds the decoder N bytes at a time (default: whatever each read returns);
//! `--max-line N` and `--max-event N` set the decoder's limits in bytes. A limit error or an I/O error is
//! reported on standard error with its byte offset, and the exit status is 1.
//!
//! `--encode` reads JSON objects, one per line, with the optional keys `type`, `data`, `id`, `comment`
//! (strings) and `retry` (a whole number of milliseconds), and writes each as one block of the event stream,
//! flushed at once. An object that cannot be sent safely (a line break in `type` or `id`, NUL in `id`), or a
//! line that is not such an object, is refused with a message on standard error naming the input line;
//! nothing of it is written, the other lines still are, and the exit status is 1.
//!
//! Bad arguments exit with status 2.

mod decode;
mod encode;

use std::io::{self, BufWriter};
use std::process::ExitCode;

use sse_codec::Limits;

/// The command line.
#[derive(Debug)]
struct Options {
    encode: bool,
    chunk: Option<usize>,
    limits: Limits,
    comments: bool,
}

const USAGE: &str = "usage: sse-cat [--comments] [--chunk N] [--max-line N] [--max-event N] < stream
       sse-cat --encode < json-lines";

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options { encode: false, chunk: None, limits: Limits::default(), comments: false };
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
            "--encode" => options.encode = true,
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
    let ok = if options.encode {
        encode::run(&mut io::stdin().lock(), &mut out)
    } else {
        decode::run(&options, &mut io::stdin().lock(), &mut out)
    };
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
