//! `client`: `curl -N` that also reconnects. Connects to an event stream with `EventSource` over reqwest and
//! prints what a browser's `EventSource` would see.
//!
//! ```text
//! cargo run -p sse-codec-tokio --features reqwest --example client -- URL [--max-events N] [-H 'Name: value']...
//! ```
//!
//! Standard output: one JSON line per event, in `sse-cat`'s shape:
//! `{"type":"message","data":"...","lastEventId":"..."}` (invalid UTF-8 shown as U+FFFD).
//!
//! Standard error: one line per connection change: `open`, `error: <why>; reconnecting in <delay>`, `closed`
//! (the server answered 204).
//!
//! Exit status: 0 after `--max-events` events, or when the server answers 204; 1 on a fatal error (a status
//! other than 200 and 204, another content type, an unsendable last event ID), with the reason on standard
//! error; 2 on bad arguments.

use std::error::Error;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use futures::StreamExt;
use sse_codec_tokio::Event;
use sse_codec_tokio::client::{EventSource, SourceItem};

const USAGE: &str = "usage: client URL [--max-events N] [-H 'Name: value']...";

/// The command line.
#[derive(Debug)]
struct Args {
    url: String,
    max_events: Option<u64>,
    headers: Vec<(String, String)>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let (mut url, mut max_events, mut headers) = (None, None, Vec::new());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-events" => {
                let value = args.next().ok_or("--max-events needs a number")?;
                max_events =
                    Some(value.parse().map_err(|_| format!("--max-events needs a whole number, not {value:?}"))?);
            }
            "-H" | "--header" => {
                let value = args.next().ok_or("-H needs 'Name: value'")?;
                let (name, value) =
                    value.split_once(':').ok_or_else(|| format!("-H needs 'Name: value', not {value:?}"))?;
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
            "-h" | "--help" => return Err(String::new()),
            other if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
            other if url.is_none() => url = Some(other.to_owned()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Args { url: url.ok_or("a URL is needed")?, max_events, headers })
}

/// An error and its causes, on one line.
fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text += &format!(": {cause}");
        source = cause.source();
    }
    text
}

/// Writes `event` as one JSON line, as `sse-cat` does.
fn print_event(out: &mut impl Write, event: &Event) -> io::Result<()> {
    let json = |text: &str| serde_json::to_string(text).expect("a string always serializes");
    let id = event.id().map(|id| id.to_str_lossy()).unwrap_or_default();
    writeln!(
        out,
        "{{\"type\":{},\"data\":{},\"lastEventId\":{}}}",
        json(&event.event_type().to_str_lossy()),
        json(&event.data_lossy()),
        json(&id)
    )?;
    out.flush()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("client: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut request = reqwest::Client::new().get(&args.url);
    for (name, value) in &args.headers {
        request = request.header(name, value);
    }
    let mut source = EventSource::new(request);
    let mut out = io::stdout().lock();
    let mut events = 0;
    if args.max_events == Some(0) {
        return ExitCode::SUCCESS;
    }
    while let Some(item) = source.next().await {
        match item {
            Ok(SourceItem::Open) => eprintln!("open"),
            Ok(SourceItem::Event(event)) => {
                if let Err(error) = print_event(&mut out, &event) {
                    eprintln!("client: {error}");
                    return ExitCode::FAILURE;
                }
                events += 1;
                if args.max_events == Some(events) {
                    return ExitCode::SUCCESS;
                }
            }
            Ok(SourceItem::Retrying { error, delay }) => {
                eprintln!("error: {}; reconnecting in {}", chain(&error), seconds(delay));
            }
            Ok(SourceItem::Closed) => {
                eprintln!("closed");
                return ExitCode::SUCCESS;
            }
            Ok(_) => {}
            Err(error) => {
                eprintln!("client: {}", chain(&error));
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// A delay in seconds, to the millisecond.
fn seconds(delay: Duration) -> String {
    format!("{:.3} s", delay.as_secs_f64())
}
