//! Zero-copy: single-line data, and event types and IDs too long to be held inline (over 38 bytes), are
//! slices of the input buffer (read in chunks, of the chunk, unless the event straddles two); shorter types
//! and IDs are held inline; decoding a stream of single-line events makes no allocation per event; and an
//! event far longer than a chunk is copied into the buffer that carries it over once. A counting global
//! allocator sees every allocation of this test binary, so this file holds a single test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::{Bytes, BytesMut};
use sse_codec::{Decoder, Event, Frame};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator, which upholds `GlobalAlloc`'s contract;
// the counter is only a side effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `alloc`'s contract, which `System.alloc` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`, through `alloc` or `realloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `realloc`'s contract, which `System.realloc` shares.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn single_line_values_share_the_input_and_events_do_not_allocate() {
    const EVENTS: usize = 10_000;
    let mut input = Vec::new();
    // Every other event has no type (the default type must not be allocated either), and every third one a
    // type and an ID too long to be held inline.
    let long = |i: usize| i % 3 == 0;
    for i in 0..EVENTS {
        let event_type = match i {
            _ if long(i) => "event: a-type-name-much-longer-than-thirty-eight-bytes\n",
            _ if i % 2 == 0 => "event: tick\n",
            _ => "",
        };
        let id = if long(i) { format!("{i:0>48}") } else { i.to_string() };
        input.extend_from_slice(format!("{event_type}id: {id}\ndata: {{\"n\":{i}}}\n\n").as_bytes());
    }

    // Where each event's bytes end in the input, blank line included.
    let ends: Vec<usize> = input.windows(2).enumerate().filter(|(_, w)| w == b"\n\n").map(|(i, _)| i + 2).collect();
    assert_eq!(ends.len(), EVENTS);

    // Read from the caller's buffer, and from one `Bytes` chunk in place.
    let mut buf = BytesMut::from(&input[..]);
    let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let events = decode_counting_allocations("BytesMut", EVENTS, 1, |frames| {
        let mut decoder = Decoder::new();
        frames.extend(std::iter::from_fn(|| decoder.decode(&mut buf).unwrap()));
    });
    check(&events, &range, long, |_| true);

    let input = Bytes::from(input);
    let range = input.as_ptr() as usize..input.as_ptr() as usize + input.len();
    let mut chunk = input.clone();
    let events = decode_counting_allocations("Bytes chunk", EVENTS, 1, |frames| {
        let (mut decoder, mut carried) = (Decoder::new(), BytesMut::new());
        frames.extend(std::iter::from_fn(|| decoder.decode_chunk(&mut carried, &mut chunk).unwrap()));
        assert!(chunk.is_empty() && carried.is_empty());
    });
    check(&events, &range, long, |_| true);

    // In chunks of a TCP segment's payload, each of which has room for many of these events, every chunk is
    // read in place: only the events that straddle two chunks are copied, into the buffer that carries them
    // over. As this test keeps every event, that buffer is still shared with the last one carried when the
    // next chunk comes, so it allocates anew then, and once more to share the new memory: twice per
    // straddling event, at most (with the events dropped, it would be reused).
    const SEGMENT: usize = 1460;
    let straddles = |i: usize| {
        let start = if i == 0 { 0 } else { ends[i - 1] };
        start / SEGMENT != (ends[i] - 1) / SEGMENT
    };
    let straddling = (0..EVENTS).filter(|&i| straddles(i)).count();
    assert!(straddling > EVENTS / 50, "only {straddling} events straddle two chunks");
    let mut chunks: Vec<Bytes> =
        (0..input.len()).step_by(SEGMENT).map(|at| input.slice(at..input.len().min(at + SEGMENT))).collect();
    let events = decode_counting_allocations("1460-byte chunks", EVENTS, 1 + 2 * straddling, |frames| {
        let (mut decoder, mut carried) = (Decoder::new(), BytesMut::new());
        for chunk in &mut chunks {
            frames.extend(std::iter::from_fn(|| decoder.decode_chunk(&mut carried, chunk).unwrap()));
        }
        assert!(carried.is_empty());
    });
    check(&events, &range, long, |i| !straddles(i));

    // Events far longer than a chunk, each dropped once read, as a server's handler drops what it has
    // forwarded: once one has been read, the buffer that carries the next over makes room for all of one as
    // long with the first chunk it copies, so an event is copied into it once, not again each time it runs
    // out of room.
    const LONG: usize = 64 << 10;
    let event = format!("data: {}\n\n", "x".repeat(LONG));
    let input = Bytes::from(event.repeat(20));
    let (mut decoder, mut carried, mut count) = (Decoder::new(), BytesMut::new(), 0);
    for at in (0..input.len()).step_by(SEGMENT) {
        let mut chunk = input.slice(at..input.len().min(at + SEGMENT));
        let before = count;
        while let Some(frame) = decoder.decode_chunk(&mut carried, &mut chunk).unwrap() {
            assert!(matches!(frame, Frame::Event(event) if event.data().len() == LONG));
            count += 1;
        }
        if count > 0 && count == before {
            assert!(carried.capacity() >= event.len(), "room for {} bytes in event {}", carried.capacity(), count + 1);
        }
    }
    assert_eq!(count, 20);
}

/// The frames `decode` pushes, which must all be events and must allocate at most `allowed` times. (Splitting
/// the first event off the input makes it shared: that allocates once.)
fn decode_counting_allocations(
    what: &str,
    events: usize,
    allowed: usize,
    decode: impl FnOnce(&mut Vec<Frame>),
) -> Vec<Event> {
    let mut frames = Vec::with_capacity(events);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    decode(&mut frames);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert!(allocations <= allowed, "{what}: {allocations} allocations for {} frames", frames.len());
    frames
        .into_iter()
        .map(|frame| match frame {
            Frame::Event(event) => event,
            other => panic!("{what}: unexpected {other:?}"),
        })
        .collect()
}

/// Checks the events' values: short types and IDs are held inline, and the data, long types and long IDs of
/// the events that `shared` names lie inside `input`.
fn check(events: &[Event], input: &Range<usize>, long: impl Fn(usize) -> bool, shared: impl Fn(usize) -> bool) {
    let inside = |bytes: &[u8]| {
        input.contains(&(bytes.as_ptr() as usize)) && input.contains(&(bytes.as_ptr() as usize + bytes.len() - 1))
    };
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.data_str().unwrap(), format!("{{\"n\":{i}}}"));
        assert_eq!(inside(event.data()), shared(i), "data of event {i}: shared with the input?");
        let (event_type, id) = (event.event_type().as_bytes(), event.id().unwrap().as_bytes());
        if long(i) && shared(i) {
            assert!(inside(event_type), "type of event {i} was copied");
            assert!(inside(id), "id of event {i} was copied");
        } else if !long(i) {
            let want = if i % 2 == 0 { "tick" } else { "message" };
            assert_eq!(event.event_type(), want);
            assert!(!inside(event_type) && !inside(id), "short values of event {i} are not held inline");
            assert_eq!(event.id().unwrap(), i.to_string().as_str());
        }
    }
}
