//! The adapter's cost: `EventSink` and `EventBody` (sse-codec-tokio) encoding the `llm` and `notify` events,
//! beside the core's own encode loop and axum's `Sse` body, and the cost of the keep-alive timer.
//!
//! - `adapter/<corpus>`: ids `core-loop` (`Event::encode` of every event into a reused buffer, as in
//!   `encode/<corpus>`), `EventSink` (every event fed, then one flush, into a writer that discards, polled
//!   in place with a no-op waker), `EventBody` (the body of a stream of the events, polled in place with a
//!   no-op waker, its chunks kept as axum's frames are), and `axum` (`Sse`'s body, as in `encode/<corpus>`).
//!   The throughput is the size of our encoding for every id; each iteration consumes fresh owned events
//!   made outside the clock (see `sse_codec_benches::encode`).
//! - `adapter/keep-alive`: what restarting an idle timer would cost per event: `Sleep::reset` (the naive
//!   keep-alive) beside `Instant::now` (what `EventBody` does, once per chunk).

use std::hint::black_box;
use std::io;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use futures::{Sink, Stream, stream};
use sse_codec::Event;
use sse_codec_benches::CORPUS_LEN;
use sse_codec_benches::corpus::{llm, notify};
use sse_codec_benches::encode::{self, Output, Prepare, Prepared};
use sse_codec_benches::peers::ENCODERS;
use sse_codec_tokio::{EventBody, EventSink};
use std::future::Future;
use tokio::io::AsyncWrite;

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// A writer that takes every byte and keeps none, counting them.
#[derive(Debug, Default)]
struct Discard(usize);

impl AsyncWrite for Discard {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.0 += buf.len();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let n = bufs.iter().map(|b| b.len()).sum();
        self.0 += n;
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Feeds every event into an `EventSink` over `writer`, then flushes; the writer never pends.
fn sink_all<W: AsyncWrite + Unpin>(events: Vec<Event>, writer: W) -> Result<W, String> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut sink = EventSink::new(writer);
    let ready = |poll: Poll<io::Result<()>>| match poll {
        Poll::Ready(result) => result.map_err(|e| e.to_string()),
        Poll::Pending => Err("a writer that never pends made the sink pend".to_string()),
    };
    for event in events {
        ready(Sink::<Event>::poll_ready(Pin::new(&mut sink), &mut cx))?;
        Pin::new(&mut sink).start_send(event).map_err(|e| e.to_string())?;
    }
    ready(Sink::<Event>::poll_flush(Pin::new(&mut sink), &mut cx))?;
    Ok(sink.into_inner())
}

fn encode_sink(events: Vec<Event>, _: &mut Output) -> Result<(), String> {
    black_box(sink_all(events, Discard::default())?);
    Ok(())
}

fn prepare_sink(events: &[Event]) -> Result<Prepared, String> {
    Ok(Prepared::new(events.to_vec(), encode_sink))
}

/// Polls an `EventBody` of the events to its end with a no-op waker (the source never pends), keeping each
/// chunk in `out.frames` as the axum peer keeps its frames.
fn encode_body(events: Vec<Event>, out: &mut Output) -> Result<(), String> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut body = pin!(EventBody::new(stream::iter(events)));
    loop {
        match body.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(Ok(chunk))) => out.frames.push(chunk),
            Poll::Ready(None) => return Ok(()),
            Poll::Ready(Some(Err(never))) => match never {},
            Poll::Pending => return Err("the body pended over a source that never does".into()),
        }
    }
}

fn prepare_body(events: &[Event]) -> Result<Prepared, String> {
    Ok(Prepared::new(events.to_vec(), encode_body))
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
        let mut out = Output::default();
        encode_body(events.clone(), &mut out).unwrap();
        assert_eq!(out.to_vec(), reference, "EventBody wrote other bytes than the core");
        let written = sink_all(events.clone(), Vec::new()).unwrap();
        assert_eq!(written, reference, "EventSink wrote other bytes than the core");

        let mut group = c.benchmark_group(format!("adapter/{corpus}"));
        configure(&mut group);
        group.throughput(Throughput::Bytes(reference.len() as u64));
        time(&mut group, "core-loop", encode::prepare_ours, &events);
        time(&mut group, "EventSink", prepare_sink, &events);
        time(&mut group, "EventBody", prepare_body, &events);
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
