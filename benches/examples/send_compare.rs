//! Our sending adapters against the core's encode loop and axum's `Sse` body, two ways that hold steady on
//! a machine whose speed drifts:
//!
//! ```text
//! cargo run --release -p sse-codec-benches --example send_compare -- compare CORPUS ROUNDS
//! cargo run --release -p sse-codec-benches --example send_compare -- profile PATH CORPUS PASSES
//! cargo run --release -p sse-codec-benches --example send_compare -- idle BODIES
//! ```
//!
//! `compare` times one pass of each path per round, in an order drawn afresh for each round, and gives
//! each path's time over the core loop's as the median of the rounds' own ratios (as the `compare` binary
//! does for the peers). `profile` runs one path (`none`, `core`, `sink`, `body`, `body-kept`, `axum`) for
//! `PASSES` passes, for `valgrind --tool=callgrind`: a path's instructions per pass are its run's less a run
//! of `none` (which makes and drops the same events), divided by `PASSES`. `idle` opens `BODIES` bodies with
//! the default options over streams that never yield, polls each once (its opening comment goes out and is
//! dropped, as a server drops it once written), and reports the heap each idle body holds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use futures::{Stream, stream};
use sse_codec_tokio::EventBody;

use sse_codec::Event;
use sse_codec_benches::encode::{self, Output, Prepare, Prepared};
use sse_codec_benches::peers::ENCODERS;
use sse_codec_benches::rounds::interleaved;
use sse_codec_benches::{CORPUS_LEN, llm, notify, sending};

const USAGE: &str =
    "usage: send_compare compare CORPUS ROUNDS | send_compare profile PATH CORPUS PASSES | send_compare idle BODIES";

/// The system allocator, counting the bytes live on the heap.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only a counter is kept beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract for `dealloc` is `System.dealloc`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract for `realloc` is `System.realloc`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The paths by name, the core's loop first (the others are set against it).
fn paths() -> Vec<(&'static str, Prepare)> {
    let axum = ENCODERS.iter().find(|(name, _)| *name == "axum").expect("axum is a peer").1;
    vec![
        ("core", encode::prepare_ours),
        ("sink", sending::prepare_sink),
        ("body", sending::prepare_body),
        ("body-kept", sending::prepare_body_kept),
        ("axum", axum),
    ]
}

fn events(corpus: &str) -> Vec<Event> {
    let generate = match corpus {
        "llm" => llm,
        "notify" => notify,
        _ => panic!("the corpora are llm and notify\n{USAGE}"),
    };
    encode::events_of(&generate(CORPUS_LEN)).expect("our decoder reads every corpus")
}

/// One timed pass: a fresh copy of the values made outside the timing, then consumed into `out`.
fn pass(prepared: &Prepared, out: &mut Output) -> Duration {
    let batch = prepared.batch();
    let started = Instant::now();
    let result = batch.encode(black_box(out));
    let took = started.elapsed();
    result.expect("every path takes the corpus");
    took
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn compare(corpus: &str, rounds: usize) {
    let events = events(corpus);
    let bytes = encode::encoded(&events).len();
    let prepared: Vec<_> = paths().into_iter().map(|(name, prepare)| (name, prepare(&events).unwrap())).collect();
    // An output of its own for each path, as in the benches: one path's frames are never dropped in another's.
    let mut outs: Vec<_> = prepared.iter().map(|_| Output::default()).collect();
    let n = prepared.len();
    let times = interleaved(n, rounds, |i| pass(&prepared[i].1, &mut outs[i]));
    println!("{corpus}: {rounds} rounds, {bytes} bytes, {} events", events.len());
    println!("{:<10} {:>12} {:>14}", "path", "median MiB/s", "time / core's");
    for (i, (name, _)) in prepared.iter().enumerate() {
        let mib_s = median(times[i].iter().map(|d| bytes as f64 / d.as_secs_f64() / f64::from(1 << 20)).collect());
        let ratio = median(times[i].iter().zip(&times[0]).map(|(t, c)| t.as_secs_f64() / c.as_secs_f64()).collect());
        println!("{name:<10} {mib_s:>12.0} {ratio:>13.3}x");
    }
}

fn profile(path: &str, corpus: &str, passes: usize) {
    let events = events(corpus);
    let mut out = Output::default();
    if path == "none" {
        for _ in 0..passes {
            drop(black_box(events.clone()));
        }
        return;
    }
    let prepare = paths().into_iter().find(|(name, _)| *name == path).unwrap_or_else(|| panic!("{USAGE}")).1;
    let prepared = prepare(&events).unwrap();
    for _ in 0..passes {
        pass(&prepared, &mut out);
    }
}

fn idle(bodies: usize) {
    let mut cx = Context::from_waker(Waker::noop());
    let before = LIVE.load(Ordering::Relaxed);
    let mut open: Vec<Pin<Box<EventBody<_>>>> = Vec::with_capacity(bodies);
    let vec_bytes = LIVE.load(Ordering::Relaxed) - before;
    for _ in 0..bodies {
        let mut body = Box::pin(EventBody::new(stream::pending::<Event>()));
        match body.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(Ok(opening))) => drop(opening),
            other => panic!("no opening comment: {other:?}"),
        }
        assert!(body.as_mut().poll_next(&mut cx).is_pending(), "an idle body did not wait");
        open.push(body);
    }
    let held = LIVE.load(Ordering::Relaxed) - before - vec_bytes;
    println!(
        "{bodies} idle bodies: {held} bytes on the heap, {} bytes each ({} of them the body itself)",
        held / bodies,
        std::mem::size_of::<EventBody<stream::Pending<Event>>>()
    );
}

fn main() {
    // `EventBody` starts its timers at its first poll, which needs a runtime's timer; nothing runs on it.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
    let _entered = runtime.enter();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |arg: &str| arg.parse::<usize>().unwrap_or_else(|_| panic!("{USAGE}"));
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["compare", corpus, rounds] => compare(corpus, number(rounds)),
        ["profile", path, corpus, passes] => profile(path, corpus, number(passes)),
        ["idle", bodies] => idle(number(bodies)),
        _ => panic!("{USAGE}"),
    }
}
