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
//! Options: `--chunk N` feeds the decoder N bytes at a time (default: whatever each read returns). Each
//! piece goes to `Decoder::decode_chunk` as a `Bytes`, the path hyper and reqwest bodies take; `--append`
//! appends each to one buffer for `Decoder::decode` instead. `--max-line N` and `--max-event N` set the
//! decoder's limits in bytes. A line or an event over its limit is reported on standard error (the message
//! names its byte offset) and skipped, and decoding goes on with the next event, as the decoder allows; the
//! exit status is then 1. An I/O error is reported and ends the run, with status 1.
//!
//! `--encode` reads JSON objects, one per line, with the optional keys `type`, `data`, `id`, `comment`
//! (strings) and `retry` (a whole number of milliseconds), and writes each as one block of the event stream,
//! flushed at once. A line is refused, with a message on standard error naming it, when it cannot be sent
//! safely (a line break in `type` or `id`, NUL in `id`), is not such an object, is `{}` (a block without a
//! field is a lone blank line, which dispatches nothing: surely not what was meant), is not UTF-8, or is
//! longer than `--max-line` bytes (default 8 MiB, the decoder's; such a line is skipped without being kept
//! in memory). Nothing of a refused line is written, the other lines still are, and the exit status is 1.
//!
//! `--help` prints the usage on standard output; a bad argument prints it on standard error and exits with
//! status 2.

mod decode;
mod encode;

use std::io::{self, BufWriter};
use std::process::ExitCode;

use sse_codec::Limits;

/// The command line.
#[derive(Debug)]
struct Options {
    encode: bool,
    append: bool,
    chunk: Option<usize>,
    limits: Limits,
    comments: bool,
}

const USAGE: &str = "usage: sse-cat [--comments] [--chunk N] [--append] [--max-line N] [--max-event N] < stream
       sse-cat --encode [--max-line N] < json-lines
       sse-cat --help";

/// The options, or `None` for `--help`.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options { encode: false, append: false, chunk: None, limits: Limits::default(), comments: false };
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
            "--append" => options.append = true,
            "--chunk" => options.chunk = Some(number("--chunk")?),
            "--max-line" => options.limits = options.limits.max_line_len(number("--max-line")?),
            "--max-event" => options.limits = options.limits.max_event_len(number("--max-event")?),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(options))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("sse-cat: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let ok = if options.encode {
        encode::run(&mut io::stdin().lock(), &mut out, options.limits.max_line_len)
    } else {
        decode::run(&options, &mut io::stdin().lock(), &mut out)
    };
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        parse_args(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn help_is_not_an_error_and_an_unknown_flag_is() {
        assert!(matches!(parse(&["--help"]), Ok(None)));
        assert!(matches!(parse(&["--comments", "-h"]), Ok(None)));
        assert_eq!(parse(&["--bogus"]).unwrap_err(), "unknown argument \"--bogus\"");
        assert!(parse(&["--chunk", "0"]).is_err());
        let options = parse(&["--append", "--max-line", "9"]).unwrap().unwrap();
        assert!(options.append && options.limits.max_line_len == 9);
    }
}
