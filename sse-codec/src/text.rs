//! UTF-8 validation for the text accessors ([`Event::data_str`](crate::Event::data_str), `to_str` of event
//! types and IDs).

use core::str::Utf8Error;

use crate::event::MESSAGE_TYPE;

/// `bytes` as text, if they are valid UTF-8: the one place the text accessors validate.
///
/// Text on the wire is mostly ASCII (JSON escapes what is not), so the bytes are first checked for a byte of
/// 0x80 or more, which takes a fraction of an instruction a byte; only bytes that have one go to
/// `core::str::from_utf8`.
#[inline]
pub(crate) fn to_str(bytes: &[u8]) -> Result<&str, Utf8Error> {
    if !is_ascii(bytes) {
        return core::str::from_utf8(bytes);
    }
    #[allow(unsafe_code)]
    // SAFETY: every byte is below 0x80 (`is_ascii`), and a sequence of ASCII bytes is valid UTF-8.
    Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
}

/// Whether every byte of `bytes` is below 0x80. A value of up to 16 bytes (most types and IDs) is read as
/// two words that may overlap, inline; a longer one by [`is_ascii_long`].
#[inline]
fn is_ascii(bytes: &[u8]) -> bool {
    match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        (Some(first), Some(last)) if bytes.len() <= 16 => {
            (u64::from_ne_bytes(*first) | u64::from_ne_bytes(*last)) & HIGH_BITS == 0
        }
        (Some(_), Some(_)) => is_ascii_long(bytes),
        _ => match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
            (Some(first), Some(last)) => {
                (u32::from_ne_bytes(*first) | u32::from_ne_bytes(*last)) & HIGH_BITS as u32 == 0
            }
            _ => bytes.iter().all(u8::is_ascii),
        },
    }
}

/// The high bit of every byte of a word: set in a byte of 0x80 or more.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// [`is_ascii`] for a value of more than 16 bytes: the bytes ORed together 16 at a time, in blocks of 32 (a
/// loop the compiler turns into vector instructions), then the last 32 bytes, which may overlap bytes already
/// seen; under 32 bytes, the first and the last 16.
fn is_ascii_long(bytes: &[u8]) -> bool {
    let half = |bytes: &[u8]| bytes.try_into().map_or(HIGH_BITS_128, u128::from_ne_bytes);
    let block = |bytes: &[u8]| half(&bytes[..16]) | half(&bytes[16..]);
    let seen = match bytes.last_chunk::<32>() {
        Some(last) => bytes.chunks_exact(32).fold(block(last), |seen, bytes| seen | block(bytes)),
        None => match (bytes.first_chunk::<16>(), bytes.last_chunk::<16>()) {
            (Some(first), Some(last)) => half(first) | half(last),
            _ => return bytes.iter().all(u8::is_ascii),
        },
    };
    seen & HIGH_BITS_128 == 0
}

/// [`HIGH_BITS`] in every byte of 16.
const HIGH_BITS_128: u128 = u128::from_ne_bytes([0x80; 16]);

/// [`to_str`] for an event type or an ID, with `message` (the type of every untyped event) answered without
/// a check.
#[inline]
pub(crate) fn value_to_str(bytes: &[u8]) -> Result<&str, Utf8Error> {
    if bytes == MESSAGE_TYPE.as_bytes() { Ok(MESSAGE_TYPE) } else { to_str(bytes) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer as `core::str::from_utf8`, error included, with the invalid byte at every position.
    #[test]
    fn agrees_with_core() {
        for len in (0..=40).chain([47, 48, 49, 63, 64, 65, 127, 128, 200]) {
            let mut bytes = alloc::vec![b'a'; len];
            assert_eq!(to_str(&bytes), core::str::from_utf8(&bytes));
            for at in 0..len {
                for bad in [0x80, 0xC3, 0xFF] {
                    bytes[at] = bad;
                    assert_eq!(to_str(&bytes), core::str::from_utf8(&bytes), "{len} bytes, {bad:#x} at {at}");
                    assert_eq!(value_to_str(&bytes), core::str::from_utf8(&bytes));
                }
                bytes[at] = b'a';
            }
        }
        let text = "é🙂 naïve".repeat(20);
        assert_eq!(to_str(text.as_bytes()), Ok(text.as_str()));
        assert_eq!(value_to_str(b"message"), Ok("message"));
    }

    proptest::proptest! {
        /// Any bytes, mostly ASCII with a few bytes of 0x80 or more anywhere: the same answer as `core`.
        #[test]
        fn agrees_with_core_on_any_bytes(
            mut bytes in proptest::collection::vec(0u8..0x80, 0..300),
            high in proptest::collection::vec((proptest::num::usize::ANY, 0x80u8..), 0..3),
        ) {
            for (at, byte) in high {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = byte;
                }
            }
            proptest::prop_assert_eq!(to_str(&bytes), core::str::from_utf8(&bytes));
        }
    }
}
