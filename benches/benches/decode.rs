//! Decoding throughput on every corpus and chunking: our `Decoder`, our Tokio adapters over it
//! (`sse-codec-tokio-stream`, `sse-codec-tokio-reader`), every peer that passes the gate (same
//! counts as ours, one pass within two seconds), and a bare `memchr2` scan for line ends as the physical
//! limit. Each event is read in both modes ([`READINGS`]): its data's length in groups `decode/<corpus>`, its
//! type, ID and data as validated text in groups `decode-text/<corpus>`; ids `<implementation>/<chunking>`
//! (the scan, in the `decode/` groups only: `memchr2-scan`).
//!
//! What the gate turns away is printed and, unless criterion only tests (`--test`, which times nothing), left
//! as a note beside criterion's results for the report.

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput};
use sse_codec_benches::adapters::ADAPTERS;
use sse_codec_benches::gate;
use sse_codec_benches::peers::PEERS;
use sse_codec_benches::results::{DECODE_LIMIT, Id};
use sse_codec_benches::{
    CHUNKINGS, CORPORA, CORPUS_LEN, Decode, LENT, OURS, READINGS, Reading, count_line_ends, decode, decode_lent, split,
};

use crate::common::{Filter, Notes};

mod common;

fn bench_decode(c: &mut Criterion) {
    let filter = Filter::from_args();
    let mut notes = Notes::new();
    for &(corpus, generate) in CORPORA {
        let input = Bytes::from(generate(CORPUS_LEN));
        for &(_, reading) in READINGS {
            bench_corpus(c, &filter, &mut notes, corpus, &input, reading);
        }
    }
    notes.summary();
}

/// One group: every decoder on `input` in every chunking, each event read as `reading` says.
fn bench_corpus(c: &mut Criterion, filter: &Filter, notes: &mut Notes, corpus: &str, input: &Bytes, reading: Reading) {
    let name = match reading {
        Reading::DataLen => format!("decode/{corpus}"),
        Reading::Text => format!("decode-text/{corpus}"),
    };
    let mut group = c.benchmark_group(&name);
    group
        .throughput(Throughput::Bytes(input.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    if reading == Reading::DataLen {
        group.bench_function(DECODE_LIMIT, |b| b.iter(|| count_line_ends(black_box(input))));
    }
    for &(chunking, size) in CHUNKINGS {
        let chunks = split(input, size);
        // Each pass gets chunks of its own, made outside the timing (see `Decode`).
        for (ours, ours_decode) in [(OURS, decode as Decode), (LENT, decode_lent)] {
            group.bench_with_input(BenchmarkId::new(ours, chunking), &chunks, |b, chunks| {
                b.iter_batched(
                    || chunks.clone(),
                    |chunks| ours_decode(black_box(chunks), reading),
                    BatchSize::PerIteration,
                );
            });
        }
        // Our adapters, then the peers: each through the same gate.
        for &(peer, peer_decode) in ADAPTERS.iter().chain(PEERS) {
            let id = Id::new(&name, peer, Some(chunking));
            if !filter.matches(&id) {
                continue;
            }
            if notes.passes(&id, gate::vet(peer_decode, decode, input, size, reading)) {
                group.bench_with_input(BenchmarkId::new(peer, chunking), &chunks, |b, chunks| {
                    b.iter_batched(
                        || chunks.clone(),
                        |chunks| peer_decode(black_box(chunks), reading),
                        BatchSize::PerIteration,
                    );
                });
            }
        }
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench_decode(&mut criterion);
    criterion.final_summary();
}
