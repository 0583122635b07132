//! UTF-8 validation for the text accessors ([`Event::data_str`](crate::Event::data_str), `to_str` of event
//! types and IDs).

use core::str::Utf8Error;

/// `bytes` as text, if they are valid UTF-8: the one place the text accessors validate, so that a faster
/// check (a SIMD validator, should the crate take one as a dependency) changes here alone.
#[inline]
pub(crate) fn to_str(bytes: &[u8]) -> Result<&str, Utf8Error> {
    core::str::from_utf8(bytes)
}

/// [`to_str`] for an event type or an ID, with `message` (the type of every untyped event) answered without
/// a check.
#[inline]
pub(crate) fn value_to_str(bytes: &[u8]) -> Result<&str, Utf8Error> {
    match bytes {
        b"message" => Ok("message"),
        other => to_str(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer as `core::str::from_utf8`, error included, with the invalid byte at every position.
    #[test]
    fn agrees_with_core() {
        for len in [0, 1, 7, 15, 16, 31, 32, 63, 64, 65, 127, 128, 200] {
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
}
