//! Our speed against every peer's, measured interleaved: each round times one pass of every implementation,
//! one after the other in an order drawn afresh for each round, and our speed-up over a peer is the
//! median of the rounds' own ratios. On a machine whose speed drifts (a shared virtual machine, say), the
//! ratio of two passes taken a moment apart holds steady where criterion's groups, which time one
//! implementation for seconds before the next, can each catch a different phase of the drift. Criterion's
//! benches stay the ones that give absolute figures; this gives the ratios a second, drift-proof reading.
//!
//! ```text
//! cargo run --release -p sse-codec-benches --bin compare -- decode CORPUS CHUNK|one-buffer ROUNDS [data-len|text]
//! cargo run --release -p sse-codec-benches --bin compare -- encode CORPUS ROUNDS
//! cargo run --release -p sse-codec-benches --bin compare -- strings CORPUS ROUNDS
//! ```
//!
//! `strings` times the encoders from the caller's strings (see [`strings`]): ours borrowed (`sse-codec`, the
//! one the ratios are against), ours building owned events, and every peer, beside the `memcpy` limit.
//!
//! Every peer passes the same gate as in the benches first (see [`gate`]); one that fails it is listed with the
//! reason and not timed. Our decoder runs three ways: through `Decoder::decode_chunk` (`sse-codec`, as in the
//! benches), fed by appending each chunk to a buffer (`sse-codec-appended`), and fed so with its frames lent by
//! `Decoder::decode_ref` (`sse-codec-lent`, with a speed-up column of its own). Beside the limit (the
//! `memchr2` scan, the `memcpy`), the table has the floor of our design ([`floor`]): the least work a decoder
//! handing out shared `Bytes`, or an encoder consuming owned events, must do. When decoding, our Tokio
//! adapters run too (`sse-codec-tokio-stream`, `sse-codec-tokio-reader`), each with a speed-up column of its
//! own: the stream's speed-up over `sse-codec` is what it costs over the core's `decode_chunk` loop (0.97x:
//! 3 % slower), the reader's over `sse-codec-appended` what it costs over the core fed by appending. Every
//! decoder reads each event as the mode says (see `Reading`): its data's length (`data-len`, the default), or
//! its type, ID and data as validated text (`text`).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sse_codec_benches::adapters::{ADAPTERS, STREAM};
use sse_codec_benches::encode::{self, Output, Prepared};
use sse_codec_benches::gate::{self, Verdict};
use sse_codec_benches::peers::{ENCODERS, PEERS};
use sse_codec_benches::results::{DECODE_LIMIT, ENCODE_LIMIT};
use sse_codec_benches::rounds::interleaved;
use sse_codec_benches::strings;
use sse_codec_benches::{
    APPENDED, CORPORA, CORPUS_LEN, Decode, LENT, OURS, Reading, chunking, count_line_ends, decode, decode_appended,
    decode_lent, floor, reading, split,
};

/// The name of the floor in the table.
const FLOOR: &str = "floor";

const USAGE: &str = "usage: compare decode CORPUS CHUNK|one-buffer ROUNDS [data-len|text] | compare encode CORPUS ROUNDS \
                     | compare strings CORPUS ROUNDS";

fn main() -> ExitCode {
    match run(&std::env::args().skip(1).collect::<Vec<_>>()) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("compare: {error}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// One contestant: its name and one timed pass over the whole input.
struct Contestant<'a> {
    name: &'a str,
    pass: Box<dyn FnMut() -> Duration + 'a>,
}

fn run(args: &[String]) -> Result<String, String> {
    match args {
        [what, corpus, chunk, rounds, mode @ ..] if what == "decode" && mode.len() <= 1 => {
            let generate = CORPORA.iter().find(|(name, _)| name == corpus).ok_or("unknown corpus")?.1;
            let input = Bytes::from(generate(CORPUS_LEN));
            let mode = mode.first().map_or(Ok(Reading::DataLen), |mode| reading(mode))?;
            compare_decoders(&input, chunking(chunk)?, parse_rounds(rounds)?, mode)
        }
        [what, corpus, rounds] if what == "encode" => {
            let generate = encode::CORPORA.iter().find(|(name, _)| name == corpus).ok_or("unknown corpus")?.1;
            compare_encoders(&generate(CORPUS_LEN), parse_rounds(rounds)?)
        }
        [what, corpus, rounds] if what == "strings" => {
            let generate = encode::CORPORA.iter().find(|(name, _)| name == corpus).ok_or("unknown corpus")?.1;
            compare_string_encoders(&generate(CORPUS_LEN), parse_rounds(rounds)?)
        }
        _ => Err("bad arguments".to_owned()),
    }
}

fn parse_rounds(rounds: &str) -> Result<usize, String> {
    rounds.parse().ok().filter(|&n| n > 0).ok_or_else(|| "bad round count".to_owned())
}

fn compare_decoders(input: &Bytes, chunk: Option<usize>, rounds: usize, reading: Reading) -> Result<String, String> {
    let chunks = split(input, chunk);
    let mut refused = Vec::new();
    let mut contestants = vec![
        Contestant { name: OURS, pass: Box::new(|| timed_decode(decode, &chunks, reading)) },
        Contestant { name: APPENDED, pass: Box::new(|| timed_decode(decode_appended, &chunks, reading)) },
        Contestant { name: LENT, pass: Box::new(|| timed_decode(decode_lent, &chunks, reading)) },
        Contestant { name: DECODE_LIMIT, pass: Box::new(|| timed(|| count_line_ends(black_box(input)))) },
        Contestant { name: FLOOR, pass: Box::new(|| timed_decode(floor::decode, &chunks, reading)) },
    ];
    // Our adapters over the core, with speed-up columns of their own: what each costs over the core's loop,
    // and how it stands against each peer.
    let mut references = vec![(0, "our speed-up"), (2, "lent's")];
    for &(name, adapter) in ADAPTERS {
        let chunks = &chunks;
        references.push((contestants.len(), if name == STREAM { "stream's" } else { "reader's" }));
        contestants.push(Contestant { name, pass: Box::new(move || timed_decode(adapter, chunks, reading)) });
    }
    for &(name, peer) in PEERS {
        match gate::vet(peer, decode, input, chunk, reading) {
            Verdict::Pass(_) => {
                let chunks = &chunks;
                contestants.push(Contestant { name, pass: Box::new(move || timed_decode(peer, chunks, reading)) });
            }
            verdict => refused.push(format!("{name}: {verdict:?}")),
        }
    }
    Ok(report(input.len(), &mut contestants, rounds, &refused, &references))
}

fn compare_encoders(stream: &[u8], rounds: usize) -> Result<String, String> {
    let events = encode::events_of(stream)?;
    let reference = encode::encoded(&events);
    let bytes = reference.len();
    let mut refused = Vec::new();
    let mut copy = Vec::with_capacity(reference.len());
    let mut contestants = vec![
        encoder(OURS, encode::prepare_ours(&events)?),
        Contestant {
            name: ENCODE_LIMIT,
            pass: Box::new(move || {
                timed(|| {
                    copy.clear();
                    copy.extend_from_slice(black_box(&reference));
                })
            }),
        },
        encoder(FLOOR, floor::prepare_encode(&events)?),
    ];
    for &(name, prepare) in ENCODERS {
        match encode::vet(prepare, &events) {
            Verdict::Pass(_) => contestants.push(encoder(name, prepare(&events)?)),
            verdict => refused.push(format!("{name}: {verdict:?}")),
        }
    }
    Ok(report(bytes, &mut contestants, rounds, &refused, &[(0, "our speed-up")]))
}

fn compare_string_encoders(stream: &[u8], rounds: usize) -> Result<String, String> {
    let events = encode::events_of(stream)?;
    let fields = strings::fields_of(&events)?;
    let reference = encode::encoded(&events);
    let bytes = reference.len();
    let mut refused = Vec::new();
    let mut copy = Vec::with_capacity(reference.len());
    let mut contestants = Vec::new();
    for &(name, encoder) in strings::STRING_ENCODERS {
        match strings::vet(encoder, &fields, &events) {
            Verdict::Pass(_) => {
                let (fields, mut out) = (&fields, Output::default());
                contestants
                    .push(Contestant { name, pass: Box::new(move || strings::timed_pass(encoder, fields, &mut out)) });
            }
            verdict if name == OURS => return Err(format!("our encoder failed its own gate: {verdict:?}")),
            verdict => refused.push(format!("{name}: {verdict:?}")),
        }
    }
    contestants.push(Contestant {
        name: ENCODE_LIMIT,
        pass: Box::new(move || {
            timed(|| {
                copy.clear();
                copy.extend_from_slice(black_box(&reference));
            })
        }),
    });
    Ok(report(bytes, &mut contestants, rounds, &refused, &[(0, "our speed-up")]))
}

/// An encoder timed as the encode bench times it: a fresh copy of its values is made outside the timing,
/// then consumed into a reused output.
fn encoder(name: &str, prepared: Prepared) -> Contestant<'_> {
    let mut out = Output::default();
    Contestant {
        name,
        pass: Box::new(move || {
            let batch = prepared.batch();
            let started = Instant::now();
            let result = batch.encode(black_box(&mut out));
            let took = started.elapsed();
            result.expect("it passed the gate");
            took
        }),
    }
}

/// One timed pass of `decoder` over chunks of its own, made before the timing starts (see [`Decode`]).
fn timed_decode(decoder: Decode, chunks: &[Bytes], reading: Reading) -> Duration {
    let chunks = chunks.to_vec();
    timed(|| decoder(black_box(chunks), reading))
}

fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let started = Instant::now();
    black_box(f());
    started.elapsed()
}

/// Runs the rounds and formats the table: each contestant's best and median MiB/s over `bytes`, and the
/// speed-up over it of each of the `references` (contestants by index, with a column title; the first is
/// ours) as the median of the per-round ratios.
fn report(
    bytes: usize,
    contestants: &mut [Contestant<'_>],
    rounds: usize,
    refused: &[String],
    references: &[(usize, &str)],
) -> String {
    let n = contestants.len();
    let times = interleaved(n, rounds, |i| (contestants[i].pass)());
    let mib_per_s = |d: &Duration| bytes as f64 / d.as_secs_f64() / f64::from(1 << 20);
    let name_width = contestants.iter().map(|c| c.name.len()).max().unwrap_or(0).max(20);
    let mut out = format!("{rounds} rounds, {bytes} bytes\n");
    out.push_str(&format!("{:<name_width$} {:>10} {:>10}", "implementation", "best MiB/s", "median"));
    for (_, title) in references {
        out.push_str(&format!(" {title:>12}"));
    }
    out.push('\n');
    for (i, contestant) in contestants.iter().enumerate() {
        let best = times[i].iter().map(mib_per_s).fold(0.0, f64::max);
        let median = median(times[i].iter().map(mib_per_s).collect());
        out.push_str(&format!("{:<name_width$} {best:>10.0} {median:>10.0}", contestant.name));
        for &(reference, _) in references {
            let speed_up = median_ratio(&times[reference], &times[i]);
            out.push_str(&format!(" {speed_up:>11.2}x"));
        }
        out.push('\n');
    }
    for line in refused {
        out.push_str(&format!("not timed: {line}\n"));
    }
    out
}

/// The median over rounds of `theirs / ours` (their time over ours: above 1 when we are faster).
fn median_ratio(ours: &[Duration], theirs: &[Duration]) -> f64 {
    median(ours.iter().zip(theirs).map(|(o, t)| t.as_secs_f64() / o.as_secs_f64()).collect())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { f64::midpoint(values[mid - 1], values[mid]) }
}
