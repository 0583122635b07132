//! Zero-copy: single-line data, and event types and IDs too long to be held inline (over 38 bytes), are
//! slices of the input buffer; shorter types and IDs are held inline; and decoding a stream of single-line
//! events makes no allocation per event. A counting global allocator sees every allocation of this test
//! binary, so this file holds a single test.

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

    // Read from the caller's buffer, and from one `Bytes` chunk in place.
    let mut buf = BytesMut::from(&input[..]);
    let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let events = decode_counting_allocations("BytesMut", EVENTS, |frames| {
        let mut decoder = Decoder::new();
        frames.extend(std::iter::from_fn(|| decoder.decode(&mut buf).unwrap()));
    });
    check(&events, EVENTS, &range, long);

    let mut chunk = Bytes::from(input);
    let range = chunk.as_ptr() as usize..chunk.as_ptr() as usize + chunk.len();
    let events = decode_counting_allocations("Bytes chunk", EVENTS, |frames| {
        // In place to the end: by default, the rest of a chunk is copied once it is small.
        let (mut decoder, mut carried) = (Decoder::new().read_in_place_from(0), BytesMut::new());
        frames.extend(std::iter::from_fn(|| decoder.decode_chunk(&mut carried, &mut chunk).unwrap()));
        assert!(chunk.is_empty() && carried.is_empty());
    });
    check(&events, EVENTS, &range, long);
}

/// The frames `decode` pushes, which must all be events and must allocate no more than once.
fn decode_counting_allocations(what: &str, events: usize, decode: impl FnOnce(&mut Vec<Frame>)) -> Vec<Event> {
    let mut frames = Vec::with_capacity(events);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    decode(&mut frames);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    // Splitting the first event off makes the input shared: that is the only allocation.
    assert!(allocations <= 1, "{what}: {allocations} allocations for {} frames", frames.len());
    frames
        .into_iter()
        .map(|frame| match frame {
            Frame::Event(event) => event,
            other => panic!("{what}: unexpected {other:?}"),
        })
        .collect()
}

/// Checks that all `count` events came, and their values: single-line ones lie inside `input`, short types
/// and IDs are held inline.
fn check(events: &[Event], count: usize, input: &Range<usize>, long: impl Fn(usize) -> bool) {
    assert_eq!(events.len(), count);
    let inside = |bytes: &[u8]| {
        input.contains(&(bytes.as_ptr() as usize)) && input.contains(&(bytes.as_ptr() as usize + bytes.len() - 1))
    };
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.data_str().unwrap(), format!("{{\"n\":{i}}}"));
        assert!(inside(event.data()), "data of event {i} was copied");
        let (event_type, id) = (event.event_type().as_bytes(), event.id().unwrap().as_bytes());
        if long(i) {
            assert!(inside(event_type), "type of event {i} was copied");
            assert!(inside(id), "id of event {i} was copied");
        } else {
            let want = if i % 2 == 0 { "tick" } else { "message" };
            assert_eq!(event.event_type(), want);
            assert!(!inside(event_type) && !inside(id), "short values of event {i} are not held inline");
            assert_eq!(event.id().unwrap(), i.to_string().as_str());
        }
    }
}
