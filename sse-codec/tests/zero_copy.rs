//! Zero-copy: single-line values are slices of the input buffer, and decoding a stream of single-line
//! events makes no allocation per event. A counting global allocator sees every allocation of this test
//! binary, so this file holds a single test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::BytesMut;
use sse_codec::{Decoder, Frame};

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
    for i in 0..EVENTS {
        // Every other event has no type: the default type must not be allocated either.
        let event_type = if i % 2 == 0 { "event: tick\n" } else { "" };
        input.extend_from_slice(format!("{event_type}id: {i}\ndata: {{\"n\":{i}}}\n\n").as_bytes());
    }
    let mut buf = BytesMut::from(&input[..]);
    let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let inside = |bytes: &[u8]| {
        range.contains(&(bytes.as_ptr() as usize)) && range.contains(&(bytes.as_ptr() as usize + bytes.len() - 1))
    };

    let mut decoder = Decoder::new();
    let mut events = Vec::with_capacity(EVENTS);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    while let Some(frame) = decoder.decode(&mut buf).unwrap() {
        let Frame::Event(event) = frame else { panic!("unexpected {frame:?}") };
        events.push(event);
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;

    assert_eq!(events.len(), EVENTS);
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.data_str().unwrap(), format!("{{\"n\":{i}}}"));
        assert!(inside(event.data()), "data of event {i} was copied");
        if i % 2 == 0 {
            assert!(inside(event.event_type().as_bytes()), "type of event {i} was copied");
        } else {
            assert_eq!(event.event_type(), "message");
        }
        assert!(inside(event.id().unwrap().as_bytes()), "id of event {i} was copied");
    }
    // Splitting the first event off turns the buffer into a shared one: that is the only allocation.
    assert!(allocations <= 1, "{allocations} allocations for {EVENTS} events");
}
