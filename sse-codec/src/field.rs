//! Splitting one line into a field: borrowed, with neither `std` nor `alloc`.
//!
//! The rules here are the WHATWG "Parsing an event stream" rules for a single line, and the two value rules
//! of "Interpreting an event stream" that do not depend on state: which `id` values count, and which `retry`
//! values count. Every other part of this crate calls these functions instead of restating the rules.

use memchr::memchr;

use crate::error::EncodeError;
use crate::line::find_cr_or_lf;

/// One non-blank line of an event stream, split into its field and value, borrowing from the line.
///
/// Values have had the one optional space after the colon removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field<'a> {
    /// `data: value`: appends `value` and an LF to the event's data.
    Data(&'a [u8]),
    /// `event: value`: sets the event type.
    Event(&'a [u8]),
    /// `id: value`: sets the last event ID, if [`is_valid_id`] accepts the value.
    Id(&'a [u8]),
    /// `retry: value`: sets the reconnection time, if [`parse_retry`] accepts the value.
    Retry(&'a [u8]),
    /// `:text`, a comment: ignored by the interpretation, but useful to see keep-alives.
    Comment(&'a [u8]),
    /// Any other field, which the interpretation ignores.
    Unknown {
        /// The field name.
        name: &'a [u8],
        /// The field value.
        value: &'a [u8],
    },
}

impl<'a> Field<'a> {
    /// Splits a line (without its line end) into a field. Returns `None` for a blank line, which dispatches
    /// the pending event.
    ///
    /// The field name runs to the first colon, or is the whole line when there is none (with an empty
    /// value); one space directly after the colon is dropped. A comment's text is what follows the colon,
    /// likewise without one leading space.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_codec::field::Field;
    ///
    /// assert_eq!(Field::parse(b"data:  two spaces"), Some(Field::Data(b" two spaces")));
    /// assert_eq!(Field::parse(b"data"), Some(Field::Data(b"")));
    /// assert_eq!(Field::parse(b"id:a:b"), Some(Field::Id(b"a:b")));
    /// assert_eq!(Field::parse(b": keep-alive"), Some(Field::Comment(b"keep-alive")));
    /// assert_eq!(Field::parse(b"Data: x"), Some(Field::Unknown { name: b"Data", value: b"x" }));
    /// assert_eq!(Field::parse(b""), None);
    /// ```
    #[must_use]
    // Always: the decoder's line loop exists once for each kind of input it reads, and a line is parsed on
    // every turn of it.
    #[inline(always)]
    pub fn parse(line: &'a [u8]) -> Option<Self> {
        // A blank line ends every event, and the usual fields are known by their first bytes: those lines are
        // split without a search for the colon, and named without comparing the name again.
        Some(match line {
            [] => return None,
            [b'd', b'a', b't', b'a', b':', value @ ..] => Self::Data(strip_space(value)),
            [b'i', b'd', b':', value @ ..] => Self::Id(strip_space(value)),
            [b'e', b'v', b'e', b'n', b't', b':', value @ ..] => Self::Event(strip_space(value)),
            _ => Self::parse_other(line),
        })
    }

    /// [`Field::parse`] for a line that starts with none of the usual fields' names and their colon.
    fn parse_other(line: &'a [u8]) -> Self {
        let (name, value) = match memchr(b':', line) {
            Some(colon) => (&line[..colon], strip_space(&line[colon + 1..])),
            None => (line, &line[line.len()..]),
        };
        match name {
            b"data" => Self::Data(value),
            b"" => Self::Comment(value),
            b"event" => Self::Event(value),
            b"id" => Self::Id(value),
            b"retry" => Self::Retry(value),
            _ => Self::Unknown { name, value },
        }
    }

    /// The field's value (a comment's text for [`Field::Comment`]).
    #[must_use]
    pub const fn value(&self) -> &'a [u8] {
        match *self {
            Self::Data(v) | Self::Event(v) | Self::Id(v) | Self::Retry(v) | Self::Comment(v) => v,
            Self::Unknown { value, .. } => value,
        }
    }
}

/// A field value without the one space that may follow the colon.
#[inline(always)]
fn strip_space(value: &[u8]) -> &[u8] {
    value.strip_prefix(b" ").unwrap_or(value)
}

/// Whether an `id` field's value sets the last event ID: it must not contain NUL. (An empty value is valid:
/// it resets the last event ID.)
///
/// ```
/// use sse_codec::field::is_valid_id;
///
/// assert!(is_valid_id(b"42"));
/// assert!(is_valid_id(b""));
/// assert!(!is_valid_id(b"4\x002"));
/// ```
#[must_use]
#[inline]
pub fn is_valid_id(value: &[u8]) -> bool {
    !any_word(value, |word| zero_bytes(word) != 0)
}

/// Whether `value` can be sent as an event type: a CR or LF in it would end its line early and inject what
/// follows. The encoder and the owned [`EventType`](crate::EventType) both check with this.
#[inline]
pub(crate) fn check_event_type(value: &[u8]) -> Result<(), EncodeError> {
    if has_line_break(value) {
        return Err(EncodeError::LineBreakInEventType);
    }
    Ok(())
}

/// Whether `value` can be sent as an ID: no CR or LF (they would inject), and no NUL (every receiver would
/// ignore the field, [`is_valid_id`]). A line break is reported before a NUL.
#[inline]
pub(crate) fn check_id(value: &[u8]) -> Result<(), EncodeError> {
    let refused = if value.len() < 16 {
        any_word(value, |word| zero_bytes(word ^ CRS) | zero_bytes(word ^ LFS) | zero_bytes(word) != 0)
    } else {
        has_line_break(value) || !is_valid_id(value)
    };
    if refused {
        // The rare refusal says which rule: the same order as `check_static_id`.
        return check_static_id(value);
    }
    Ok(())
}

/// Whether `bytes` holds a CR or an LF: whether a value must be refused (a type, an ID) or split into lines
/// (data, a comment).
///
/// A value under 16 bytes (most types and IDs) is read a word at a time. Up to 1 KiB (the payloads of most
/// events), a first pass looks for any byte below 14, of which CR (13) and LF (10) are two: one compare per
/// byte, which the compiler turns into two vector instructions per 16 bytes, in blocks of 16 or 64 bytes (the
/// last overlapping the one before). Text rarely holds the other control bytes below 14 (JSON never does
/// unescaped), so only a value that does is searched again, exactly, with [`find_cr_or_lf`]; so is every longer value.
/// This costs less than that search's call and set-up on short values.
#[inline(always)]
pub(crate) fn has_line_break(bytes: &[u8]) -> bool {
    /// Whether the `N` bytes at `at` hold a byte below 14.
    #[inline(always)]
    fn control<const N: usize>(bytes: &[u8], at: usize) -> bool {
        let block: &[u8; N] = bytes[at..at + N].try_into().expect("a whole block");
        block.iter().fold(0u8, |found, &byte| found | u8::from(byte < 14)) != 0
    }
    /// Whether any block of `N` bytes of `bytes` (at least `N` long) holds a byte below 14.
    #[inline(always)]
    fn any_control<const N: usize>(bytes: &[u8]) -> bool {
        let len = bytes.len();
        (0..len - (N - 1)).step_by(N).any(|at| control::<N>(bytes, at)) || control::<N>(bytes, len - N)
    }
    let maybe = match bytes.len() {
        0..16 => return any_word(bytes, |word| zero_bytes(word ^ CRS) | zero_bytes(word ^ LFS) != 0),
        16..64 => any_control::<16>(bytes),
        64..=1024 => any_control::<64>(bytes),
        _ => true,
    };
    maybe && find_cr_or_lf(bytes).is_some()
}

/// [`check_event_type`] as a `const fn`, for values checked at compile time.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
pub(crate) const fn check_static_event_type(value: &[u8]) -> Result<(), EncodeError> {
    if contains(value, b'\r') || contains(value, b'\n') { Err(EncodeError::LineBreakInEventType) } else { Ok(()) }
}

/// [`check_id`] as a `const fn`, for values checked at compile time.
pub(crate) const fn check_static_id(value: &[u8]) -> Result<(), EncodeError> {
    if contains(value, b'\r') || contains(value, b'\n') {
        Err(EncodeError::LineBreakInId)
    } else if contains(value, 0) {
        Err(EncodeError::NulInId)
    } else {
        Ok(())
    }
}

/// Whether `value` holds `byte`, one byte at a time, as a `const fn` can.
const fn contains(value: &[u8], byte: u8) -> bool {
    let mut i = 0;
    while i < value.len() {
        if value[i] == byte {
            return true;
        }
        i += 1;
    }
    false
}

/// Eight CRs, and eight LFs: a word XORed with them has a zero byte where it had a CR (an LF).
const CRS: u64 = u64::from_ne_bytes([b'\r'; 8]);
const LFS: u64 = u64::from_ne_bytes([b'\n'; 8]);

/// Non-zero exactly when `word` has a zero byte.
///
/// Subtracting one from every byte sets the high bit of a zero byte, and of a byte above 0x80, which `!word`
/// then rules out. Only a zero byte starts a borrow into the bytes above it, so a word without one flags
/// nothing, and a word with one flags at least its lowest zero byte.
#[inline(always)]
const fn zero_bytes(word: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Whether `found` flags any of the words that together cover `bytes`. Types and IDs are short (a counter, a
/// UUID), so this reads a few words instead of setting up a vector search or testing byte by byte: a longer
/// value word by word and then its last word; a value of four to seven bytes as its first and last four bytes
/// put together into one word; one of one to three bytes as its first, middle and last bytes repeated to fill
/// a word. Every word holds only bytes of the value, so `found` may test for any byte.
#[inline(always)]
fn any_word(bytes: &[u8], found: impl Fn(u64) -> bool) -> bool {
    let word = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    let half = |at: usize| u64::from(u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("four bytes")));
    match bytes.len() {
        len @ 8.. => (0..len - 7).step_by(8).any(|at| found(word(at))) || found(word(len - 8)),
        len @ 4..8 => found(half(0) << 32 | half(len - 4)),
        0 => false,
        len => {
            let (first, middle, last) = (bytes[0], bytes[len / 2], bytes[len - 1]);
            found(u64::from_ne_bytes([first, middle, last, first, first, first, first, first]))
        }
    }
}

/// Interprets a `retry` field's value as a reconnection time in milliseconds.
///
/// The value counts only when it is one or more ASCII digits (no sign, no space, no other character), as the
/// specification requires. A value too large for a `u64` cannot be represented, and is ignored like any other
/// invalid value, so this returns `None` for it.
///
/// ```
/// use sse_codec::field::parse_retry;
///
/// assert_eq!(parse_retry(b"3000"), Some(3000));
/// assert_eq!(parse_retry(b"03000"), Some(3000));
/// assert_eq!(parse_retry(b" 3000"), None);
/// assert_eq!(parse_retry(b"3000ms"), None);
/// assert_eq!(parse_retry(b""), None);
/// assert_eq!(parse_retry(b"18446744073709551616"), None);
/// ```
#[must_use]
pub fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |millis, &byte| {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        millis.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Writes the decimal digits of `n` at the end of `digits` (the inverse of [`parse_retry`], and the text of a
/// numeric ID) and returns where they start.
pub(crate) fn format_u64(mut n: u64, digits: &mut [u8; 20]) -> usize {
    let mut start = digits.len();
    loop {
        start -= 1;
        // No truncation: a remainder of ten is below 256.
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_table() {
        let cases: &[(&[u8], Option<Field<'_>>)] = &[
            (b"", None),
            (b":", Some(Field::Comment(b""))),
            (b"::", Some(Field::Comment(b":"))),
            (b":  two", Some(Field::Comment(b" two"))),
            (b"data", Some(Field::Data(b""))),
            (b"data:", Some(Field::Data(b""))),
            (b"data: ", Some(Field::Data(b""))),
            (b"data:  ", Some(Field::Data(b" "))),
            (b"data:\tx", Some(Field::Data(b"\tx"))),
            (b"data :x", Some(Field::Unknown { name: b"data ", value: b"x" })),
            (b"event:add", Some(Field::Event(b"add"))),
            (b"id", Some(Field::Id(b""))),
            (b"retry:10", Some(Field::Retry(b"10"))),
            (b"foo:bar:baz", Some(Field::Unknown { name: b"foo", value: b"bar:baz" })),
            (b"\xEF\xBB\xBFdata:x", Some(Field::Unknown { name: b"\xEF\xBB\xBFdata", value: b"x" })),
        ];
        for &(line, want) in cases {
            assert_eq!(Field::parse(line), want, "line {line:?}");
        }
    }

    #[test]
    fn nul_is_found_at_every_position_of_every_length() {
        let mut clean = [0u8; 40];
        for (i, byte) in clean.iter_mut().enumerate() {
            *byte = 1 + (i * 37 % 255) as u8;
        }
        for len in 0..=clean.len() {
            assert!(is_valid_id(&clean[..len]), "{len} bytes without NUL");
            // Bytes that a careless word test could take for a zero: 0x80s, and 0x01s.
            assert!(is_valid_id(&[0x80; 40][..len]) && is_valid_id(&[0x01; 40][..len]), "{len}");
            for at in 0..len {
                let mut value = clean;
                value[at] = 0;
                assert!(!is_valid_id(&value[..len]), "NUL at {at} of {len}");
            }
        }
    }

    #[test]
    fn line_breaks_and_nul_are_found_at_every_position_of_every_length() {
        let mut clean = [0u8; 300];
        for (i, byte) in clean.iter_mut().enumerate() {
            *byte = 14 + (i * 37 % 240) as u8;
        }
        // Every length that a word, a 16-byte block or `memchr2` reads, and the lengths between them.
        for len in (0..=40).chain([47, 48, 49, 255, 256, 257, 300]) {
            let value = &clean[..len];
            assert_eq!((check_event_type(value), check_id(value)), (Ok(()), Ok(())), "{len} clean bytes");
            // Bytes one away from CR, LF and NUL, which a careless word test could take for them.
            for near in [0x01, 0x0b, 0x0c, 0x0e, 0x09, 0x80, 0x8a, 0x8d, 0xff] {
                assert_eq!((check_event_type(&[near; 300][..len]), check_id(&[near; 300][..len])), (Ok(()), Ok(())));
            }
            for at in 0..len {
                for (byte, type_error, id_error) in [
                    (b'\r', Err(EncodeError::LineBreakInEventType), Err(EncodeError::LineBreakInId)),
                    (b'\n', Err(EncodeError::LineBreakInEventType), Err(EncodeError::LineBreakInId)),
                    (0, Ok(()), Err(EncodeError::NulInId)),
                ] {
                    let mut value = clean;
                    value[at] = byte;
                    let value = &value[..len];
                    assert_eq!(check_event_type(value), type_error, "{byte} at {at} of {len}");
                    assert_eq!(check_id(value), id_error, "{byte} at {at} of {len}");
                    assert_eq!(check_static_event_type(value), type_error);
                    assert_eq!(check_static_id(value), id_error);
                }
            }
        }
        assert_eq!(check_id(b"\0\n"), Err(EncodeError::LineBreakInId), "a line break is named first");
    }

    #[test]
    fn retry_accepts_only_ascii_digits() {
        assert_eq!(parse_retry(b"0"), Some(0));
        assert_eq!(parse_retry(b"18446744073709551615"), Some(u64::MAX));
        for bad in [&b"-1"[..], b"+1", b"1.5", b"1 ", b"\xD9\xA1", b"1e3", b"0x10"] {
            assert_eq!(parse_retry(bad), None, "{bad:?}");
        }
    }
}
