//! Decoding throughput of `sse_codec::Decoder` on the `llm` corpus, next to a bare `memchr2` line scan.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sse_codec::{Decoder, Frame};
use sse_codec_benches::{count_line_ends, llm};

/// Decodes `input` fed in chunks of `chunk` bytes; returns the number of events.
fn decode(input: &[u8], chunk: usize) -> usize {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::with_capacity(chunk.min(input.len()) * 2);
    let mut events = 0;
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(frame) = decoder.decode(&mut buf).expect("within limits") {
            if let Frame::Event(event) = frame {
                events += 1;
                black_box(event);
            }
        }
    }
    events
}

fn bench_llm(c: &mut Criterion) {
    let input = llm(4 << 20);
    let mut group = c.benchmark_group("decode/llm");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("memchr2-scan", |b| b.iter(|| count_line_ends(black_box(&input))));
    for (name, chunk) in [("one-buffer", input.len()), ("1460", 1460), ("64", 64)] {
        group.bench_with_input(BenchmarkId::new("sse-codec", name), &chunk, |b, &chunk| {
            b.iter(|| decode(black_box(&input), chunk));
        });
    }
    group.finish();

    // One 64 KiB line in 64-byte chunks: linear time means about the same MiB/s as the llm corpus.
    let mut long = b"data: ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 64 * 1024));
    long.extend_from_slice(b"\n\n");
    let mut group = c.benchmark_group("decode/long-line");
    group.throughput(Throughput::Bytes(long.len() as u64));
    for chunk in [64, long.len()] {
        group.bench_with_input(BenchmarkId::new("sse-codec", chunk), &chunk, |b, &chunk| {
            b.iter(|| decode(black_box(&long), chunk));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_llm);
criterion_main!(benches);
