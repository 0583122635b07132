//! Decoding throughput on every corpus and chunking: our `Decoder`, every peer that passes the gate (same
//! counts as ours, one pass within two seconds), and a bare `memchr2` scan for line ends as the physical
//! limit. Groups are `decode/<corpus>`, ids `<implementation>/<chunking>` (the scan: `memchr2-scan`).
//!
//! What the gate turns away is printed and, unless criterion only tests (`--test`, which times nothing), left
//! as a note beside criterion's results for the report.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use regex::Regex;
use sse_codec_benches::gate::{self, Verdict};
use sse_codec_benches::peers::PEERS;
use sse_codec_benches::results::{self, DECODE_LIMIT, Id, Skip};
use sse_codec_benches::{CHUNKINGS, CORPORA, CORPUS_LEN, OURS, count_line_ends, decode, split};

/// The filter criterion was given on the command line, if any, so that the gate (a pass per peer, not
/// free) runs only for benchmarks criterion will run.
struct Filter(Option<Regex>);

impl Filter {
    fn from_args() -> Self {
        // Criterion's options that take a value; the first other argument not starting with `-` is the filter.
        const WITH_VALUE: &[&str] = &[
            "--save-baseline",
            "-s",
            "--baseline",
            "-b",
            "--baseline-lenient",
            "--load-baseline",
            "--sample-size",
            "--warm-up-time",
            "--measurement-time",
            "--nresamples",
            "--noise-threshold",
            "--confidence-level",
            "--significance-level",
            "--profile-time",
            "--plotting-backend",
            "--output-format",
            "--color",
            "-c",
            "--format",
        ];
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if WITH_VALUE.contains(&arg.as_str()) {
                args.next();
            } else if !arg.starts_with('-') {
                return Self(Regex::new(&arg).ok());
            }
        }
        Self(None)
    }

    fn matches(&self, id: &Id) -> bool {
        self.0.as_ref().is_none_or(|filter| filter.is_match(&id.full()))
    }
}

fn bench_decode(c: &mut Criterion) {
    let filter = Filter::from_args();
    // A test run times nothing, so it must not replace what a measuring run found.
    let keep_notes = !std::env::args().any(|arg| arg == "--test");
    let criterion_dir = results::criterion_dir();
    let mut turned_away = Vec::new();
    for &(corpus, generate) in CORPORA {
        let input = generate(CORPUS_LEN);
        let name = format!("decode/{corpus}");
        let mut group = c.benchmark_group(&name);
        group
            .throughput(Throughput::Bytes(input.len() as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        group.bench_function(DECODE_LIMIT, |b| b.iter(|| count_line_ends(black_box(&input))));
        for &(chunking, size) in CHUNKINGS {
            let chunks = split(&input, size);
            group.bench_with_input(BenchmarkId::new(OURS, chunking), &chunks, |b, chunks| {
                b.iter(|| decode(black_box(chunks)));
            });
            for &(peer, peer_decode) in PEERS {
                let id = Id::new(&name, peer, Some(chunking));
                if !filter.matches(&id) {
                    continue;
                }
                let (skip, detail) = match gate::vet(peer_decode, decode, &input, size) {
                    Verdict::Pass(_) => {
                        if keep_notes {
                            results::clear_note(&criterion_dir, &id).expect("remove a stale note");
                        }
                        group.bench_with_input(BenchmarkId::new(peer, chunking), &chunks, |b, chunks| {
                            b.iter(|| peer_decode(black_box(chunks)));
                        });
                        continue;
                    }
                    Verdict::Wrong(detail) => (Skip::Wrong, detail),
                    Verdict::TooSlow(detail) => (Skip::TooSlow, detail),
                };
                println!("{}: not timed, {}: {detail}", id.full(), skip.as_str());
                if keep_notes {
                    results::write_note(&criterion_dir, &id, skip, &detail).expect("write a note");
                }
                turned_away.push(format!("{}: {}: {detail}", id.full(), skip.as_str()));
            }
        }
        group.finish();
    }
    if !turned_away.is_empty() {
        println!("\nNot timed:\n  {}", turned_away.join("\n  "));
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench_decode(&mut criterion);
    criterion.final_summary();
}
