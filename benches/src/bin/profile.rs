//! One implementation on one corpus in a loop, for a profiler: `perf record`, or `valgrind --tool=callgrind`
//! (which counts instructions, and so gives the same figure on a busy machine). It prints throughput from the
//! thread's own CPU time, a rough figure; criterion's benches are the ones to quote.
//!
//! ```text
//! cargo run --release -p sse-codec-benches --bin profile -- CORPUS CHUNK IMPL PASSES [data-len|text]
//! ```
//!
//! - `CORPUS`: one of the corpora (`llm`, `llm_crlf`, `notify`, `unicode`, `multiline`, `big`);
//! - `CHUNK`: a chunk size in bytes, or `one-buffer`;
//! - `IMPL`: `sse-codec` (our decoder given each chunk through `decode_chunk`), `sse-codec-appended` (our
//!   decoder fed by appending each chunk to a `BytesMut`), `sse-codec-tokio-stream` or `sse-codec-tokio-reader`
//!   (our adapters), a peer decoder's name, `memchr2-scan` (the limit),
//!   `bytes-floor` ([`floor::decode`](sse_codec_benches::floor::decode): find line ends, split every event
//!   off, drop it), or `encode` (our encoder writing the corpus's events by reference
//!   into one reused buffer: the encoding alone, without the dropping of the events that the encode bench's
//!   fair comparison times), `strings` (our borrowed path from the caller's strings, `EventRef` over `&str`s,
//!   as the `strings` scenario of `compare` runs it) or `strings-owned` (owned `Event`s built from the same
//!   strings);
//! - `PASSES`: how many times to go over the corpus;
//! - how each event is read (see `Reading`): its data's length (`data-len`, the default), or its type, ID and
//!   data as validated text (`text`).
//!
//! For instructions inside the decoder only:
//! `valgrind --tool=callgrind --toggle-collect='sse_codec_benches::decode' target/release/profile llm 1460
//! sse-codec 2`; inside the encoder only: `--toggle-collect='profile::encode_all'` with `IMPL` `encode`, and
//! `--toggle-collect='profile::encode_strings'` with `strings` or `strings-owned`.

use std::hint::black_box;
use std::process::ExitCode;

use bytes::{Bytes, BytesMut};
use sse_codec_benches::adapters::ADAPTERS;
use sse_codec_benches::encode::Output;
use sse_codec_benches::peers::PEERS;
use sse_codec_benches::results::DECODE_LIMIT;
use sse_codec_benches::strings;
use sse_codec_benches::{
    APPENDED, CORPORA, CORPUS_LEN, LENT, OURS, Reading, chunking, count_line_ends, decode, encode, reading, split,
};

const USAGE: &str = "usage: profile CORPUS CHUNK|one-buffer sse-codec|sse-codec-appended|ADAPTER|PEER|memchr2-scan|bytes-floor|encode|strings|strings-owned PASSES [data-len|text]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("profile: {error}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let (corpus, chunk, implementation, passes, mode) = match &args[..] {
        [corpus, chunk, implementation, passes] => (corpus, chunk, implementation, passes, Reading::DataLen),
        [corpus, chunk, implementation, passes, mode] => (corpus, chunk, implementation, passes, reading(mode)?),
        _ => return Err("four or five arguments expected".to_owned()),
    };
    let generate = CORPORA.iter().find(|(name, _)| name == corpus).ok_or("unknown corpus")?.1;
    let chunk = chunking(chunk)?;
    let passes: usize = passes.parse().map_err(|_| "bad pass count")?;
    let input = Bytes::from(generate(CORPUS_LEN));
    let chunks = split(&input, chunk);

    if let Some(encode) = match implementation.as_str() {
        "encode" => Some(Encoding::Events),
        "strings" => Some(Encoding::Strings(strings::encode_ours)),
        "strings-owned" => Some(Encoding::Strings(strings::encode_ours_owned)),
        _ => None,
    } {
        let events = encode::events_of(&input)?;
        let fields = strings::fields_of(&events)?;
        // Room for a pass from the start, so that growing the buffer is not counted as encoding.
        let mut out = Output { buf: BytesMut::with_capacity(2 * input.len()), frames: Vec::new() };
        let started = cpu_ns()?;
        for _ in 0..passes {
            match encode {
                Encoding::Events => encode_all(&events, &mut out.buf)?,
                Encoding::Strings(encoder) => encode_strings(encoder, &fields, &mut out)?,
            }
            black_box(&out);
        }
        let seconds = (cpu_ns()? - started) as f64 / 1e9;
        let events_per_s = (events.len() * passes) as f64 / seconds;
        let mib_per_s = (out.buf.len() * passes) as f64 / seconds / f64::from(1 << 20);
        return Ok(format!(
            "{} events, {:.1} million events/s, {mib_per_s:.0} MiB/s of output",
            events.len(),
            events_per_s / 1e6
        ));
    }

    let decoder = match implementation.as_str() {
        OURS => Some(decode as sse_codec_benches::Decode),
        APPENDED => Some(sse_codec_benches::decode_appended as sse_codec_benches::Decode),
        LENT => Some(sse_codec_benches::decode_lent as sse_codec_benches::Decode),
        "bytes-floor" => Some(sse_codec_benches::floor::decode as sse_codec_benches::Decode),
        DECODE_LIMIT => None,
        other => Some(ADAPTERS.iter().chain(PEERS).find(|(name, _)| *name == other).ok_or("unknown implementation")?.1),
    };
    let (mut events, mut nanos) = (0, 0);
    for _ in 0..passes {
        // Each pass gets chunks of its own, made before its timing starts (see `Decode`).
        let chunks = chunks.clone();
        let started = cpu_ns()?;
        events += match decoder {
            Some(decoder) => decoder(black_box(chunks), mode)?.events,
            None => count_line_ends(black_box(&input)),
        };
        nanos += cpu_ns()? - started;
    }
    let seconds = nanos as f64 / 1e9;
    let what = if decoder.is_some() { "events" } else { "line ends" };
    Ok(format!(
        "{} {what} per pass, {:.0} MiB/s",
        events / passes.max(1),
        (input.len() * passes) as f64 / seconds / f64::from(1 << 20)
    ))
}

/// Our encoder writing `events` by reference into `out`, emptied first: a function of its own, so that
/// `valgrind --tool=callgrind --toggle-collect=profile::encode_all` counts the encoding alone.
#[inline(never)]
fn encode_all(events: &[sse_codec::Event], out: &mut BytesMut) -> Result<(), String> {
    out.clear();
    for event in events {
        event.encode(out).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What `profile` encodes: the corpus's events by reference, or from their strings.
#[derive(Clone, Copy)]
enum Encoding {
    Events,
    Strings(strings::EncodeStrings),
}

/// One pass of an encoder from strings, `out` emptied first: a function of its own for callgrind, as
/// [`encode_all`].
#[inline(never)]
fn encode_strings(encoder: strings::EncodeStrings, fields: &[strings::Fields], out: &mut Output) -> Result<(), String> {
    out.clear();
    encoder(fields, out)
}

/// The CPU time this thread has used, in nanoseconds (Linux: `/proc/thread-self/schedstat`).
fn cpu_ns() -> Result<u64, String> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").map_err(|e| format!("cpu time: {e}"))?;
    stat.split_whitespace().next().and_then(|ns| ns.parse().ok()).ok_or_else(|| "cpu time: unreadable".to_owned())
}
