//! Fan-out: one send to N in-process subscribers (1, 100, 1,000, 10,000) that each take the frame, then wait
//! again (a second poll, `Pending`, as a server's connection task does).
//!
//! - `broadcast/broadcaster/<N>`: our `Broadcaster` encodes the event once; each `Subscription` takes a clone
//!   of the same `Bytes`.
//! - `broadcast/tokio-broadcast+encode/<N>`: `tokio::sync::broadcast<Event>` read through
//!   `tokio_stream::wrappers::BroadcastStream` (what an axum server over a broadcast channel does), each
//!   subscriber encoding the event itself with our encoder (the fastest we have) into a `Bytes`.
//! - `broadcast/axum-sse/<N>`: the same channel, each subscriber's stream mapped to axum's `sse::Event`
//!   (whose builder encodes) and served through its own `Sse` response body, as an axum handler over a
//!   broadcast channel is written: the body polled for its next frame.
//! - `broadcast/bytes-clone/<N>`: the floor of handing every subscriber its own `Bytes` of one frame: N clones
//!   of it, each dropped (two atomic reference-count operations each).
//!
//! Subscribers are polled by hand with a no-op waker, so the figures are the fan-out's own cost, without a
//! scheduler's. Before criterion's timing, the bench prints the heap each kind of subscriber costs, counted by
//! a global allocator (live bytes) and, for ours, by the broadcaster's own accounting; and each fan-out's time
//! beside ours at 10,000 subscribers, measured interleaved (the figure to quote for who is how much faster).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::mem::size_of;
use std::pin::Pin;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use axum::body::BodyDataStream;
use axum::response::IntoResponse;
use axum::response::sse::{Event as AxumEvent, Sse};
use bytes::{Bytes, BytesMut};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use futures::{Stream, StreamExt};
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

/// One axum `Sse` response body per subscriber, over its own receiver.
fn axum_bodies(sender: &broadcast::Sender<Event>, n: usize) -> Vec<BodyDataStream> {
    let mut bodies: Vec<_> = (0..n)
        .map(|_| {
            let events = BroadcastStream::new(sender.subscribe()).map(|event| {
                let event = event.expect("no lag");
                let mut axum = AxumEvent::default().event(event.event_type().to_str().unwrap());
                if let Some(id) = event.id() {
                    axum = axum.id(id.to_str().unwrap());
                }
                Ok::<_, std::convert::Infallible>(axum.data(event.data_str().unwrap()))
            });
            Sse::new(events).into_response().into_body().into_data_stream()
        })
        .collect();
    for body in &mut bodies {
        assert!(poll(body).is_pending());
    }
    bodies
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

/// One of the fan-outs, set up with its subscribers; `step` is one send taken by every subscriber.
enum FanOut {
    Broadcaster(Broadcaster, Vec<Subscription>),
    BytesClone(Bytes, usize),
    TokioEncode(broadcast::Sender<Event>, Vec<BroadcastStream<Event>>, u64),
    AxumSse(broadcast::Sender<Event>, Vec<BodyDataStream>, u64),
}

const KINDS: [&str; 4] = ["broadcaster", "bytes-clone", "tokio-broadcast+encode", "axum-sse"];

impl FanOut {
    fn new(kind: &str, n: usize) -> Self {
        match kind {
            "broadcaster" => {
                let broadcaster = Broadcaster::new();
                let subscriptions = subscribers(&broadcaster, n);
                Self::Broadcaster(broadcaster, subscriptions)
            }
            "bytes-clone" => Self::BytesClone(Bytes::from(vec![b'x'; 128]), n),
            "tokio-broadcast+encode" => {
                let (sender, _) = broadcast::channel(1024);
                let streams = receivers(&sender, n);
                Self::TokioEncode(sender, streams, 0)
            }
            _ => {
                let (sender, _) = broadcast::channel(1024);
                let bodies = axum_bodies(&sender, n);
                Self::AxumSse(sender, bodies, 0)
            }
        }
    }

    fn step(&mut self, event: &Event) {
        match self {
            Self::Broadcaster(broadcaster, subscriptions) => {
                broadcaster.send(event.clone()).unwrap();
                for subscription in subscriptions {
                    let Poll::Ready(Some(frame)) = poll(subscription) else { panic!("a frame") };
                    black_box(frame);
                    assert!(poll(subscription).is_pending());
                }
            }
            Self::BytesClone(frame, n) => {
                for _ in 0..*n {
                    black_box(black_box(&*frame).clone());
                }
            }
            Self::TokioEncode(sender, streams, id) => {
                *id += 1;
                sender.send(event.clone().with_id(EventId::new(id.to_string()).unwrap())).unwrap();
                for stream in streams {
                    let Poll::Ready(Some(Ok(event))) = poll(stream) else { panic!("an event") };
                    let mut frame = BytesMut::with_capacity(event.encoded_len());
                    event.encode(&mut frame).unwrap();
                    black_box::<Bytes>(frame.freeze());
                    assert!(poll(stream).is_pending());
                }
            }
            Self::AxumSse(sender, bodies, id) => {
                *id += 1;
                sender.send(event.clone().with_id(EventId::new(id.to_string()).unwrap())).unwrap();
                for body in bodies {
                    let Poll::Ready(Some(Ok(frame))) = poll(body) else { panic!("a frame") };
                    black_box::<Bytes>(frame);
                    assert!(poll(body).is_pending());
                }
            }
        }
    }
}

/// Each fan-out's time beside ours at 10,000 subscribers, timed in turn round after round (a few sends each)
/// and given as the median of the rounds' ratios, which hold steady on a machine whose speed drifts.
fn print_interleaved_ratios(rounds: usize) {
    const N: usize = 10_000;
    const SENDS: u32 = 4;
    let event = event();
    let mut fan_outs: Vec<_> = KINDS.iter().map(|kind| FanOut::new(kind, N)).collect();
    let mut ratios = vec![Vec::new(); KINDS.len()];
    for _ in 0..rounds {
        let times: Vec<_> = fan_outs
            .iter_mut()
            .map(|fan_out| {
                let start = Instant::now();
                for _ in 0..SENDS {
                    fan_out.step(&event);
                }
                start.elapsed().as_secs_f64()
            })
            .collect();
        for (ratio, time) in ratios.iter_mut().zip(&times) {
            ratio.push(time / times[0]);
        }
    }
    let report: Vec<_> = KINDS
        .iter()
        .zip(&mut ratios)
        .skip(1)
        .map(|(kind, ratios)| {
            ratios.sort_by(f64::total_cmp);
            format!("{kind} {:.2}x", ratios[ratios.len() / 2])
        })
        .collect();
    eprintln!("time per send beside broadcaster's, {N} subscribers, median of {rounds} rounds: {}", report.join(", "));
}

fn fan_out(c: &mut Criterion) {
    print_bytes_per_subscriber();
    let testing = std::env::args().any(|arg| arg == "--test");
    print_interleaved_ratios(if testing { 2 } else { 100 });
    let mut group = c.benchmark_group("broadcast");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let event = event();
    for n in SUBSCRIBERS {
        group.throughput(Throughput::Elements(n as u64));
        for kind in KINDS {
            let mut fan_out = FanOut::new(kind, n);
            group.bench_function(BenchmarkId::new(kind, n), |b| b.iter(|| fan_out.step(&event)));
        }
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    fan_out(&mut criterion);
    criterion.final_summary();
}
