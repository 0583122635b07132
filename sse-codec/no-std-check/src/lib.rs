//! A `#![no_std]` library that calls the core's parsing (and, with `alloc`, its decoder), so that building it
//! fails if `std` sneaks into `sse-codec`. Without the `alloc` feature it has no global allocator, so it also
//! fails to build if `alloc` sneaks in.

#![no_std]

use sse_codec::EventRef;
use sse_codec::field::Field;
use sse_codec::line::{LineReader, LineStatus};

/// Counts the `data` lines in `len` bytes at `ptr`, with the allocation-free layer.
///
/// # Safety
///
/// `ptr` must point to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sse_count_data_lines(ptr: *const u8, len: usize) -> usize {
    // SAFETY: the caller promises `len` readable bytes at `ptr`.
    let mut input = unsafe { core::slice::from_raw_parts(ptr, len) };
    let mut reader = LineReader::new();
    let mut count = 0;
    while let LineStatus::Complete { line, consumed } = reader.next_line(input) {
        count += usize::from(matches!(Field::parse(line), Some(Field::Data(_))));
        input = &input[consumed..];
    }
    count
}

/// Encodes an event with `len` bytes of data at `ptr` into the `cap` bytes at `out`, without allocating.
/// Returns the bytes written, or 0 when they do not fit.
///
/// # Safety
///
/// `ptr` must point to `len` readable bytes, and `out` to `cap` writable bytes that do not overlap them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sse_encode_data(ptr: *const u8, len: usize, out: *mut u8, cap: usize) -> usize {
    // SAFETY: the caller promises `len` readable bytes at `ptr` and `cap` writable, separate bytes at `out`.
    let (data, out) = unsafe { (core::slice::from_raw_parts(ptr, len), core::slice::from_raw_parts_mut(out, cap)) };
    EventRef::data(data).encode_to_slice(out).unwrap_or(0)
}

#[cfg(feature = "alloc")]
mod with_alloc {
    extern crate alloc;

    use core::alloc::{GlobalAlloc, Layout};

    use sse_codec::bytes::BytesMut;
    use sse_codec::{Decoder, Frame};

    /// An allocator that never allocates: enough to link, which is all this crate is for.
    struct NoHeap;

    // SAFETY: returning null is how an allocator reports failure; `dealloc` is never reached with a pointer
    // this allocator handed out, because it hands out none.
    unsafe impl GlobalAlloc for NoHeap {
        unsafe fn alloc(&self, _layout: Layout) -> *mut u8 {
            core::ptr::null_mut()
        }
        unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
    }

    #[global_allocator]
    static HEAP: NoHeap = NoHeap;

    /// Counts the events in `len` bytes at `ptr`, with the buffering decoder.
    ///
    /// # Safety
    ///
    /// `ptr` must point to `len` readable bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn sse_count_events(ptr: *const u8, len: usize) -> usize {
        // SAFETY: the caller promises `len` readable bytes at `ptr`.
        let input = unsafe { core::slice::from_raw_parts(ptr, len) };
        let mut buf = BytesMut::from(input);
        let mut decoder = Decoder::new();
        let mut count = 0;
        while let Ok(Some(frame)) = decoder.decode_eof(&mut buf) {
            count += usize::from(matches!(frame, Frame::Event(_)));
        }
        count
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
