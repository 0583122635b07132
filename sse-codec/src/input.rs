//! What the decoder reads from: the caller's growing [`BytesMut`], or a [`Bytes`] chunk as an HTTP body hands
//! it out. Both give up their front as shared [`Bytes`] without copying, so the decoder runs the same code on
//! either.

use core::ops::Deref;

use bytes::{Buf, Bytes, BytesMut};

/// A buffer the decoder takes lines and events from the front of.
pub(crate) trait Input: Deref<Target = [u8]> {
    /// Removes the first `count` bytes and returns them, sharing the buffer's memory.
    fn take_front(&mut self, count: usize) -> Bytes;

    /// Removes the first `count` bytes.
    fn drop_front(&mut self, count: usize);
}

impl Input for BytesMut {
    #[inline(always)]
    fn take_front(&mut self, count: usize) -> Bytes {
        self.split_to(count).freeze()
    }

    #[inline(always)]
    fn drop_front(&mut self, count: usize) {
        self.advance(count);
    }
}

impl Input for Bytes {
    #[inline(always)]
    fn take_front(&mut self, count: usize) -> Bytes {
        self.split_to(count)
    }

    #[inline(always)]
    fn drop_front(&mut self, count: usize) {
        self.advance(count);
    }
}
