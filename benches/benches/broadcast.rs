//! Fan-out: one send to N in-process subscribers (1, 100, 1,000, 10,000) that each take the frame, then wait
//! again (a second poll, `Pending`, as a server's connection task does).
//!
//! - `broadcast/broadcaster/<N>`: our `Broadcaster` encodes the event once; each `Subscription` takes a clone
//!   of the same `Bytes`.
//! - `broadcast/tokio-broadcast+encode/<N>`: `tokio::sync::broadcast<Event>` read through
//!   `tokio_stream::wrappers::BroadcastStream` (what an axum server over a broadcast channel does), each
//!   subscriber encoding the event itself with our encoder (the fastest we have) into a `Bytes`.
//! - `broadcast/bytes-clone/<N>`: the floor of handing every subscriber its own `Bytes` of one frame: N clones
//!   of it, each dropped (two atomic reference-count operations each).
//!
//! Subscribers are polled by hand with a no-op waker, so the figures are the fan-out's own cost, without a
//! scheduler's. Before timing, the bench prints the heap each kind of subscriber costs, counted by a global
//! allocator (live bytes) and, for ours, by the broadcaster's own accounting.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::mem::size_of;
use std::pin::Pin;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use futures::Stream;
use sse_codec::{Event, EventId, EventType};
use sse_codec_tokio::{Broadcaster, Subscription};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

/// The system allocator, keeping count of the bytes live.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is passed on unchanged to `System`, which upholds the contract; the counter is an atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SUBSCRIBERS: [usize; 4] = [1, 100, 1_000, 10_000];

/// A typical notification: a JSON payload of about 100 bytes with a type (the ID is set per send).
fn event() -> Event {
    let data = r#"{"user":"ada","action":"updated","item":{"id":48213,"title":"Quarterly report","rev":17}}"#;
    Event::new(data).with_event_type(EventType::from_static("update"))
}

fn poll<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    Pin::new(stream).poll_next(&mut Context::from_waker(Waker::noop()))
}

fn subscribers(broadcaster: &Broadcaster, n: usize) -> Vec<Subscription> {
    let mut subscriptions: Vec<_> = (0..n).map(|_| broadcaster.subscribe(None)).collect();
    for subscription in &mut subscriptions {
        assert!(poll(subscription).is_pending());
    }
    subscriptions
}

fn receivers(sender: &broadcast::Sender<Event>, n: usize) -> Vec<BroadcastStream<Event>> {
    let mut streams: Vec<_> = (0..n).map(|_| BroadcastStream::new(sender.subscribe())).collect();
    for stream in &mut streams {
        assert!(poll(stream).is_pending());
    }
    streams
}

/// The heap a subscriber costs, counted live, beside the size of the handle the subscriber holds.
fn print_bytes_per_subscriber() {
    const N: usize = 10_000;
    let broadcaster = Broadcaster::new();
    let before = (LIVE.load(Relaxed), broadcaster.stats().heap_bytes);
    let mut ours = Vec::with_capacity(N);
    let heap = LIVE.load(Relaxed);
    ours.extend((0..N).map(|_| broadcaster.subscribe(None)));
    for subscription in &mut ours {
        assert!(poll(subscription).is_pending());
    }
    broadcaster.send(event()).unwrap(); // grows the buffer of wakers a send wakes
    let frame_heap = broadcaster.stats().frame_bytes;
    let ours_heap = (LIVE.load(Relaxed) - heap) as usize - frame_heap;
    let ours_stats = broadcaster.stats().heap_bytes - before.1 - frame_heap;
    let _ = before.0;

    let (sender, _) = broadcast::channel::<Event>(1024);
    let mut theirs = Vec::with_capacity(N);
    let heap = LIVE.load(Relaxed);
    theirs.extend((0..N).map(|_| BroadcastStream::new(sender.subscribe())));
    for stream in &mut theirs {
        assert!(poll(stream).is_pending());
    }
    let theirs_heap = (LIVE.load(Relaxed) - heap) as usize;
    eprintln!(
        "bytes per subscriber ({N} subscribers): broadcaster heap {} (its own accounting: {}) + Subscription {} = {}; \
         tokio broadcast: heap {} + BroadcastStream {} = {}",
        ours_heap / N,
        ours_stats / N,
        size_of::<Subscription>(),
        ours_heap / N + size_of::<Subscription>(),
        theirs_heap / N,
        size_of::<BroadcastStream<Event>>(),
        theirs_heap / N + size_of::<BroadcastStream<Event>>(),
    );
}

fn fan_out(c: &mut Criterion) {
    print_bytes_per_subscriber();
    let mut group = c.benchmark_group("broadcast");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in SUBSCRIBERS {
        group.throughput(Throughput::Elements(n as u64));

        let broadcaster = Broadcaster::new();
        let mut subscriptions = subscribers(&broadcaster, n);
        let event = event();
        group.bench_function(BenchmarkId::new("broadcaster", n), |b| {
            b.iter(|| {
                broadcaster.send(event.clone()).unwrap();
                for subscription in &mut subscriptions {
                    let Poll::Ready(Some(frame)) = poll(subscription) else { panic!("a frame") };
                    black_box(frame);
                    assert!(poll(subscription).is_pending());
                }
            });
        });
        drop(subscriptions);

        let frame = Bytes::from(vec![b'x'; 128]);
        group.bench_function(BenchmarkId::new("bytes-clone", n), |b| {
            b.iter(|| {
                for _ in 0..n {
                    black_box(black_box(&frame).clone());
                }
            });
        });

        let (sender, _) = broadcast::channel::<Event>(1024);
        let mut streams = receivers(&sender, n);
        let mut id = 0u64;
        group.bench_function(BenchmarkId::new("tokio-broadcast+encode", n), |b| {
            b.iter(|| {
                id += 1;
                sender.send(event.clone().with_id(EventId::new(id.to_string()).unwrap())).unwrap();
                for stream in &mut streams {
                    let Poll::Ready(Some(Ok(event))) = poll(stream) else { panic!("an event") };
                    let mut frame = BytesMut::with_capacity(event.encoded_len());
                    event.encode(&mut frame).unwrap();
                    black_box::<Bytes>(frame.freeze());
                    assert!(poll(stream).is_pending());
                }
            });
        });
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    fan_out(&mut criterion);
    criterion.final_summary();
}
