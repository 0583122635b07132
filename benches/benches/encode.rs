//! Encoding throughput: our encoder, every peer encoder that passes the gate (its output, read back by our
//! decoder, carries the same events with the same data, types, IDs and retries; one pass within two
//! seconds), and a copy of the encoded stream as the physical limit.
//!
//! - `encode/<corpus>` (`llm`, `notify`, `big`, `big_lines`): the events of the corpus, decoded once by our
//!   decoder, encoded again. Ids `sse-codec` (ours), each peer by its crate's name, and `memcpy` (copying our
//!   encoding into a reused buffer). The throughput is the size of our encoding, for every id, so the figures
//!   compare time for the same events. See `sse_codec_benches::encode` for what is inside the clock.
//! - `encode-strings/<corpus>` (`llm`, `notify`): the same events given to every encoder as the caller's
//!   strings, each building what its API needs inside the timing (see `sse_codec_benches::strings`). Ids
//!   `sse-codec` (ours, borrowed: `EventRef`), `sse-codec-owned` (ours, building owned `Event`s), each peer,
//!   and `memcpy`.
//! - `encode/chain`: one event with a 1 KiB and a 1 MiB payload through `Event::into_buf`, walked with
//!   `chunks_vectored` without copying; ids `sse-codec-chain/<size>`, one event per iteration. Beside it,
//!   `memchr2-scan/<size>` scans the payload for line breaks, as every injection-proof encoder must: the
//!   part of the chain's time that grows with the payload.
//!
//! What the gate turns away is printed and, unless criterion only tests (`--test`), left as a note beside
//! criterion's results for the report.

use std::hint::black_box;
use std::time::Duration;

use bytes::BytesMut;
use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, measurement::WallTime};
use sse_codec_benches::encode::{self, CHAIN, CHAIN_SIZES, Output, Prepare};
use sse_codec_benches::gate::Verdict;
use sse_codec_benches::peers::ENCODERS;
use sse_codec_benches::results::{DECODE_LIMIT, ENCODE_LIMIT, Id};
use sse_codec_benches::strings::{self, STRING_ENCODERS};
use sse_codec_benches::{CORPUS_LEN, OURS, count_line_ends};

use crate::common::{Filter, Notes};

mod common;

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// Times one encoder: each iteration gets fresh owned values from the batch setup (not timed) and encodes
/// them into the reused output (timed).
fn time(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, prepare: Prepare, events: &[sse_codec::Event]) {
    let prepared = prepare(events).expect("it passed the gate");
    let mut out = Output::default();
    group.bench_function(name, |b| {
        b.iter_batched(|| prepared.batch(), |batch| batch.encode(black_box(&mut out)), BatchSize::LargeInput);
    });
}

fn bench_encode(c: &mut Criterion) {
    let filter = Filter::from_args();
    let mut notes = Notes::new();
    for &(corpus, generate) in encode::CORPORA {
        let events = encode::events_of(&generate(CORPUS_LEN)).expect("our decoder reads every corpus");
        let reference = encode::encoded(&events);
        let name = format!("encode/{corpus}");
        let mut group = c.benchmark_group(&name);
        configure(&mut group);
        group.throughput(Throughput::Bytes(reference.len() as u64));

        let mut copy = BytesMut::with_capacity(reference.len());
        group.bench_function(ENCODE_LIMIT, |b| {
            b.iter(|| {
                copy.clear();
                copy.extend_from_slice(black_box(&reference));
            });
        });

        if filter.matches(&Id::new(&name, OURS, None)) {
            match encode::vet(encode::prepare_ours, &events) {
                Verdict::Pass(_) => time(&mut group, OURS, encode::prepare_ours, &events),
                verdict => panic!("our encoder failed its own gate on {corpus}: {verdict:?}"),
            }
        }
        for &(peer, prepare) in ENCODERS {
            let id = Id::new(&name, peer, None);
            if filter.matches(&id) && notes.passes(&id, encode::vet(prepare, &events)) {
                time(&mut group, peer, prepare, &events);
            }
        }
        group.finish();
    }

    for corpus in ["llm", "notify"] {
        let generate = encode::CORPORA.iter().find(|(name, _)| *name == corpus).expect("a corpus").1;
        let events = encode::events_of(&generate(CORPUS_LEN)).expect("our decoder reads every corpus");
        let fields = strings::fields_of(&events).expect("every corpus is text");
        let name = format!("encode-strings/{corpus}");
        let mut group = c.benchmark_group(&name);
        configure(&mut group);
        let reference = encode::encoded(&events);
        group.throughput(Throughput::Bytes(reference.len() as u64));
        let mut copy = BytesMut::with_capacity(reference.len());
        group.bench_function(ENCODE_LIMIT, |b| {
            b.iter(|| {
                copy.clear();
                copy.extend_from_slice(black_box(&reference));
            });
        });
        for &(encoder, encode_fn) in STRING_ENCODERS {
            let id = Id::new(&name, encoder, None);
            if !filter.matches(&id) {
                continue;
            }
            let verdict = strings::vet(encode_fn, &fields, &events);
            if encoder == OURS {
                assert!(matches!(verdict, Verdict::Pass(_)), "our encoder failed its own gate: {verdict:?}");
            } else if !notes.passes(&id, verdict) {
                continue;
            }
            let mut out = Output::default();
            group.bench_function(encoder, |b| {
                b.iter(|| {
                    out.clear();
                    encode_fn(black_box(&fields), &mut out)
                });
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("encode/chain");
    configure(&mut group);
    group.throughput(Throughput::Elements(1));
    for &(size, len) in CHAIN_SIZES {
        let event = encode::chain_event(len);
        assert_eq!(encode::walk_chain(&event), event.encoded_len(), "the chain walks every byte");
        group.bench_with_input(BenchmarkId::new(CHAIN, size), &event, |b, event| {
            b.iter(|| encode::walk_chain(black_box(event)));
        });
        group.bench_with_input(BenchmarkId::new(DECODE_LIMIT, size), event.data(), |b, payload| {
            b.iter(|| count_line_ends(black_box(payload)));
        });
    }
    group.finish();
    notes.summary();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench_encode(&mut criterion);
    criterion.final_summary();
}
