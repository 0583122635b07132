//! The bytes behind an event type or an event ID: short values held inline, long ones in shared [`Bytes`].
//!
//! Event types and IDs are short (`delta`, `42`, a UUID) and are cloned into every event that follows them:
//! a decoded event carries the stream's last event ID, set by an earlier event. A [`Bytes`] clone and drop
//! are two atomic reference-count operations, which cost more than copying a few bytes, so a value of up to
//! [`INLINE_CAP`] bytes is copied into the value itself: cloning it is a plain copy, and it never allocates.

use core::hash::{Hash, Hasher};
use core::ops::{Deref, Range};

use bytes::Bytes;

/// The longest value held inline: room for a UUID in text (36 bytes), with a [`Value`] only one word larger
/// than the [`Bytes`] it replaces.
pub(crate) const INLINE_CAP: usize = 38;

/// Bytes that are either inline (at most [`INLINE_CAP`]) or a shared [`Bytes`] (longer).
#[derive(Clone)]
pub(crate) enum Value {
    /// `bytes[..len]`.
    Inline { len: u8, bytes: [u8; INLINE_CAP] },
    /// A value longer than [`INLINE_CAP`].
    Shared(Bytes),
}

impl Value {
    /// The inline value `bytes[..len]`; the caller has checked that `len <= INLINE_CAP`.
    const fn inline_parts(bytes: [u8; INLINE_CAP], len: usize) -> Self {
        debug_assert!(len <= INLINE_CAP);
        // No truncation: len <= INLINE_CAP < 256.
        Self::Inline { len: len as u8, bytes }
    }

    /// Holds `value` inline; the caller has checked that it fits.
    fn inline(value: &[u8]) -> Self {
        let mut bytes = [0; INLINE_CAP];
        bytes[..value.len()].copy_from_slice(value);
        Self::inline_parts(bytes, value.len())
    }

    /// A value from a constant, without allocating. (The same as [`Value::inline`] for a short value, with
    /// the byte loop a `const fn` needs instead of a copy the compiler can vectorize.)
    pub(crate) const fn from_static(value: &'static [u8]) -> Self {
        if value.len() > INLINE_CAP {
            return Self::Shared(Bytes::from_static(value));
        }
        let mut bytes = [0; INLINE_CAP];
        let mut i = 0;
        while i < value.len() {
            bytes[i] = value[i];
            i += 1;
        }
        Self::inline_parts(bytes, value.len())
    }

    /// A value copied from `value`: inline when it fits, without allocating; else into a new [`Bytes`].
    #[inline]
    pub(crate) fn copy_from_slice(value: &[u8]) -> Self {
        if value.len() <= INLINE_CAP { Self::inline(value) } else { Self::Shared(Bytes::copy_from_slice(value)) }
    }

    /// The decimal digits of `n`, inline (20 digits at most), without allocating.
    pub(crate) fn from_u64(n: u64) -> Self {
        let mut digits = [0u8; 20];
        let start = crate::field::format_u64(n, &mut digits);
        Self::inline(&digits[start..])
    }

    /// A value from `bytes`, which a long value keeps without copying.
    pub(crate) fn from_bytes(bytes: Bytes) -> Self {
        if bytes.len() <= INLINE_CAP { Self::inline(&bytes) } else { Self::Shared(bytes) }
    }

    /// The value at `range` of `block`: copied when short, a slice sharing `block` when long.
    #[inline]
    pub(crate) fn from_slice_of(block: &Bytes, range: Range<usize>) -> Self {
        if range.len() > INLINE_CAP {
            return Self::Shared(block.slice(range));
        }
        Self::copied_from(block, range)
    }

    /// The value at `range` of `block`, copied: inline when it fits, without allocating; else into a new
    /// [`Bytes`].
    #[inline]
    pub(crate) fn copied_from(block: &[u8], range: Range<usize>) -> Self {
        if range.len() > INLINE_CAP {
            return Self::Shared(Bytes::copy_from_slice(&block[range]));
        }
        // Copying a fixed `INLINE_CAP` bytes takes a few moves where a copy of the value's own length calls
        // `memcpy`; the bytes past the value's end are never read.
        match block.get(range.start..range.start + INLINE_CAP) {
            Some(window) => {
                let mut bytes = [0; INLINE_CAP];
                bytes.copy_from_slice(window);
                Self::inline_parts(bytes, range.len())
            }
            None => Self::inline(&block[range]),
        }
    }

    /// The value as [`Bytes`]: a long value's own, a short value copied into a new one.
    pub(crate) fn into_bytes(self) -> Bytes {
        match self {
            Self::Inline { .. } => Bytes::copy_from_slice(&self),
            Self::Shared(bytes) => bytes,
        }
    }
}

impl Deref for Value {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        match self {
            Self::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Self::Shared(bytes) => bytes,
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_inline_and_long_ones_shared() {
        let long = Bytes::from(alloc::vec![b'x'; INLINE_CAP + 1]);
        assert!(matches!(Value::from_bytes(Bytes::from_static(b"delta")), Value::Inline { len: 5, .. }));
        assert!(matches!(Value::from_bytes(long.clone()), Value::Shared(_)));
        let shared = Value::from_slice_of(&long, 0..INLINE_CAP + 1);
        assert_eq!(shared.as_ptr(), long.as_ptr(), "a long value was copied");
        assert!(matches!(Value::from_slice_of(&long, 1..INLINE_CAP + 1), Value::Inline { .. }));
        assert!(matches!(Value::from_static(&[b'y'; INLINE_CAP]), Value::Inline { .. }));
        assert!(matches!(Value::from_static(&[b'y'; INLINE_CAP + 1]), Value::Shared(_)));
    }

    #[test]
    fn equal_bytes_are_equal_values_whatever_their_form() {
        let text = [b'z'; INLINE_CAP];
        let inline = Value::from_bytes(Bytes::copy_from_slice(&text));
        let shared = Value::Shared(Bytes::copy_from_slice(&text));
        assert!(inline == shared);
        assert_eq!(&*inline, &text[..]);
        assert_eq!(inline.into_bytes(), shared.into_bytes());
        assert!(Value::from_static(b"") == Value::from_bytes(Bytes::new()));
    }

    #[test]
    fn a_short_value_is_the_same_wherever_it_sits_in_its_block() {
        use core::hash::BuildHasher;
        let hasher = std::hash::RandomState::new();
        // Far from the end, where the copy takes whatever bytes follow the value; and at the very end.
        let early = Bytes::from_static(b"id: 42\ndata: then a good many more bytes than the inline capacity\n\n");
        let late = Bytes::from_static(b"id: 42");
        let (a, b) = (Value::from_slice_of(&early, 4..6), Value::from_slice_of(&late, 4..6));
        assert!(matches!(a, Value::Inline { len: 2, .. }) && matches!(b, Value::Inline { len: 2, .. }));
        assert_eq!((&*a, &*b), (&b"42"[..], &b"42"[..]));
        assert!(a == b);
        assert_eq!(hasher.hash_one(&a), hasher.hash_one(&b));
    }

    #[test]
    fn value_is_one_word_larger_than_bytes() {
        assert!(core::mem::size_of::<Value>() <= core::mem::size_of::<Bytes>() + 8);
    }
}
