//! The adapter's cost: `EventSink` and `EventBody` (sse-codec-tokio) encoding the `llm` and `notify` events,
//! beside the core's own encode loop and axum's `Sse` body, and the cost of the keep-alive timer.
//!
//! - `adapter/<corpus>`: ids `core-loop` (`Event::encode` of every event into a reused buffer, as in
//!   `encode/<corpus>`), `EventSink` (every event fed, then one flush, into a writer that discards, polled
//!   in place with a no-op waker), `EventBody` (the body of a stream of the events, polled in place with a
//!   no-op waker, each chunk dropped as it comes, as a server drops it once written), `EventBody-kept` (the
//!   same, its chunks kept as the axum peer keeps its frames: the one to compare with axum), and `axum`
//!   (`Sse`'s body, as in `encode/<corpus>`).
//!   The throughput is the size of our encoding for every id; each iteration consumes fresh owned events
//!   made outside the clock (see `sse_codec_benches::encode`).
//! - `adapter/keep-alive`: what restarting an idle timer would cost per event: `Sleep::reset` (the naive
//!   keep-alive) beside `Instant::now` (what `EventBody` does, once per chunk).

use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Waker};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use sse_codec::Event;
use sse_codec_benches::CORPUS_LEN;
use sse_codec_benches::corpus::{llm, notify};
use sse_codec_benches::encode::{self, Output, Prepare};
use sse_codec_benches::peers::ENCODERS;
use sse_codec_benches::sending;

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// Times one encoder: fresh owned events from the batch setup (not timed), encoded into the reused output.
fn time(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, prepare: Prepare, events: &[Event]) {
    let prepared = prepare(events).expect("the encoder takes the corpus");
    let mut out = Output::default();
    group.bench_function(name, |b| {
        b.iter_batched(|| prepared.batch(), |batch| batch.encode(black_box(&mut out)), BatchSize::LargeInput);
    });
}

fn bench_adapter(c: &mut Criterion) {
    // `EventBody` starts its timers at its first poll, which needs a runtime's timer; nothing runs on it.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
    let _entered = runtime.enter();
    let axum = ENCODERS.iter().find(|(name, _)| *name == "axum").expect("axum is a peer").1;
    for (corpus, generate) in [("llm", llm as fn(usize) -> Vec<u8>), ("notify", notify)] {
        let events = encode::events_of(&generate(CORPUS_LEN)).expect("our decoder reads every corpus");
        let reference = encode::encoded(&events);
        // Both adapters write exactly the core's bytes.
        let mut chunks = Vec::new();
        sending::drain_body(events.clone(), |chunk| chunks.extend_from_slice(&chunk)).unwrap();
        assert_eq!(chunks, reference, "EventBody wrote other bytes than the core");
        let written = sending::sink_all(events.clone(), Vec::new()).unwrap();
        assert_eq!(written, reference, "EventSink wrote other bytes than the core");

        let mut group = c.benchmark_group(format!("adapter/{corpus}"));
        configure(&mut group);
        group.throughput(Throughput::Bytes(reference.len() as u64));
        time(&mut group, "core-loop", encode::prepare_ours, &events);
        time(&mut group, "EventSink", sending::prepare_sink, &events);
        time(&mut group, "EventBody", sending::prepare_body, &events);
        time(&mut group, "EventBody-kept", sending::prepare_body_kept, &events);
        time(&mut group, "axum", axum, &events);
        group.finish();
    }

    let mut group = c.benchmark_group("adapter/keep-alive");
    configure(&mut group);
    group.throughput(Throughput::Elements(1));
    let mut sleep = Box::pin(tokio::time::sleep(Duration::from_secs(15)));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(sleep.as_mut().poll(&mut cx).is_pending(), "the timer registers at its first poll");
    group.bench_function("Sleep::reset", |b| {
        b.iter(|| sleep.as_mut().reset(tokio::time::Instant::now() + Duration::from_secs(15)));
    });
    group.bench_function("Instant::now", |b| b.iter(|| black_box(tokio::time::Instant::now())));
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench_adapter(&mut criterion);
    criterion.final_summary();
}
