//! Splitting bytes into lines: the lowest layer, with neither `std` nor `alloc`.
//!
//! An event stream ends its lines with CRLF, LF or a lone CR. The awkward case is a CR that is the last byte
//! a caller has: the line it ends is complete, but an LF at the start of the next chunk still belongs to the
//! same line end and must be dropped. [`find_line_end`] reports that case as [`Terminator::TrailingCr`];
//! [`LineReader`] remembers it across calls, and also skips the one byte order mark a stream may start with.

use memchr::memchr2;

/// The UTF-8 byte order mark, skipped once at the very start of a stream.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a line ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminator {
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// `\r` followed by a byte other than `\n`.
    Cr,
    /// `\r` as the last byte of the input: the line is complete, and if the next input starts with `\n`,
    /// that `\n` is part of this line end and must be skipped.
    TrailingCr,
}

impl Terminator {
    /// The number of bytes the line end occupies in the input that was searched (1 or 2).
    #[must_use]
    pub const fn byte_len(self) -> usize {
        match self {
            Self::CrLf => 2,
            Self::Lf | Self::Cr | Self::TrailingCr => 1,
        }
    }
}

/// Where the first line of some input ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineEnd {
    /// The length of the line's content: the index of its first terminator byte.
    pub content_len: usize,
    /// The kind of line end found there.
    pub terminator: Terminator,
}

impl LineEnd {
    /// The index just past the line end: where the next line starts.
    #[must_use]
    pub const fn next_line(self) -> usize {
        self.content_len + self.terminator.byte_len()
    }
}

/// Finds the end of the first line in `input`, or `None` when `input` holds no line end yet.
///
/// # Examples
///
/// ```
/// use sse_codec::line::{find_line_end, Terminator};
///
/// let end = find_line_end(b"data: hi\r\nmore").unwrap();
/// assert_eq!((end.content_len, end.terminator), (8, Terminator::CrLf));
/// assert_eq!(end.next_line(), 10);
///
/// // A CR at the very end completes the line, but an LF may still follow in the next chunk.
/// assert_eq!(find_line_end(b"data: hi\r").unwrap().terminator, Terminator::TrailingCr);
/// assert_eq!(find_line_end(b"data: no end yet"), None);
/// ```
#[must_use]
#[inline]
pub fn find_line_end(input: &[u8]) -> Option<LineEnd> {
    // A blank line (every event ends with one) is found without the call into memchr.
    let content_len = match input.first() {
        Some(b'\n' | b'\r') => 0,
        _ => find_cr_or_lf(input)?,
    };
    let terminator = if input[content_len] == b'\n' {
        Terminator::Lf
    } else {
        match input.get(content_len + 1) {
            Some(b'\n') => Terminator::CrLf,
            Some(_) => Terminator::Cr,
            None => Terminator::TrailingCr,
        }
    };
    Some(LineEnd { content_len, terminator })
}

/// The index of the first CR or LF in `input`: `memchr2(b'\r', b'\n', input)`. Where the standard library
/// can tell that the CPU has AVX2, memchr's AVX2 searcher is built once, on the first call, and reused: a
/// call to `memchr2` picks its routine and builds its searcher every time, which on a line of a few hundred
/// bytes costs about as much as the search.
#[inline]
pub(crate) fn find_cr_or_lf(input: &[u8]) -> Option<usize> {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        use memchr::arch::x86_64::avx2::memchr::Two;
        static AVX2: std::sync::OnceLock<Option<Two>> = std::sync::OnceLock::new();
        if let Some(searcher) = AVX2.get_or_init(|| Two::new(b'\r', b'\n')) {
            return searcher.find(input);
        }
    }
    memchr2(b'\r', b'\n', input)
}

/// What [`LineReader::next_line`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineStatus<'a> {
    /// A complete line, without its line end. The caller drops `consumed` bytes from the front of its input
    /// (the line, its line end, and any byte order mark or left-over LF skipped before it).
    Complete {
        /// The line's content.
        line: &'a [u8],
        /// How many bytes of the input this step used up.
        consumed: usize,
    },
    /// No complete line yet. The caller drops `consumed` bytes (a skipped byte order mark or left-over LF),
    /// keeps the rest, and calls again once more bytes have arrived behind it.
    Partial {
        /// How many bytes of the input this step used up.
        consumed: usize,
    },
}

/// A line splitter for callers that own their buffer, in the manner of `httparse`: it keeps the two bits of
/// state a stream needs between calls (whether the byte order mark may still come, and whether a CR ended the
/// previous input) and allocates nothing.
///
/// # Examples
///
/// Parse a stream held in a fixed buffer, with [`Field`](crate::field::Field) for each line:
///
/// ```
/// use sse_codec::field::Field;
/// use sse_codec::line::{LineReader, LineStatus};
///
/// let mut reader = LineReader::new();
/// let mut input: &[u8] = b"\xEF\xBB\xBFdata: one\r\rdata: two\r";
/// let mut data = [&[][..]; 2];
/// let mut n = 0;
/// while let LineStatus::Complete { line, consumed } = reader.next_line(input) {
///     if let Some(Field::Data(value)) = Field::parse(line) {
///         data[n] = value;
///         n += 1;
///     }
///     input = &input[consumed..];
/// }
/// assert_eq!(data, [&b"one"[..], &b"two"[..]]);
/// // The next chunk starts with the LF of the CRLF split between chunks: it is skipped.
/// assert_eq!(reader.next_line(b"\n"), LineStatus::Partial { consumed: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineReader {
    at_stream_start: bool,
    skip_lf: bool,
}

impl Default for LineReader {
    fn default() -> Self {
        Self::new()
    }
}

impl LineReader {
    /// A reader at the start of a stream.
    #[must_use]
    pub const fn new() -> Self {
        Self { at_stream_start: true, skip_lf: false }
    }

    /// Whether nothing can need skipping before the next line: the stream has started, and no CR ended the
    /// last line taken. [`LineReader::skip_prefix`] then returns `Some(0)` whatever the input.
    #[must_use]
    #[inline]
    pub const fn is_between_lines(&self) -> bool {
        !self.at_stream_start && !self.skip_lf
    }

    /// Drops whatever must be skipped at the front of `input` before the next line starts: the byte order
    /// mark at the start of the stream, or the LF of a CRLF whose CR ended the previous input.
    ///
    /// Returns how many bytes to skip, or `None` when `input` is a proper prefix of the byte order mark at the
    /// start of the stream, so that more bytes are needed to decide.
    #[inline]
    pub fn skip_prefix(&mut self, input: &[u8]) -> Option<usize> {
        if self.at_stream_start {
            if input.len() < BOM.len() && BOM.starts_with(input) {
                return None;
            }
            self.at_stream_start = false;
            if input.starts_with(BOM) {
                return Some(BOM.len());
            }
        }
        if self.skip_lf {
            if let Some(&first) = input.first() {
                self.skip_lf = false;
                return Some(usize::from(first == b'\n'));
            }
        }
        Some(0)
    }

    /// Records how the line just taken ended, so that an LF completing a split CRLF is skipped next time.
    #[inline]
    pub fn line_ended(&mut self, terminator: Terminator) {
        self.skip_lf = terminator == Terminator::TrailingCr;
    }

    /// Takes the next complete line from the front of `input`.
    #[inline]
    pub fn next_line<'a>(&mut self, input: &'a [u8]) -> LineStatus<'a> {
        let Some(skip) = self.skip_prefix(input) else {
            return LineStatus::Partial { consumed: 0 };
        };
        let rest = &input[skip..];
        match find_line_end(rest) {
            Some(end) => {
                self.line_ended(end.terminator);
                LineStatus::Complete { line: &rest[..end.content_len], consumed: skip + end.next_line() }
            }
            None => LineStatus::Partial { consumed: skip },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Found = Option<(usize, Terminator)>;

    fn end(input: &[u8]) -> Found {
        find_line_end(input).map(|e| (e.content_len, e.terminator))
    }

    #[test]
    fn line_ends_table() {
        let cases: &[(&[u8], Found)] = &[
            (b"", None),
            (b"abc", None),
            (b"\n", Some((0, Terminator::Lf))),
            (b"\r\n", Some((0, Terminator::CrLf))),
            (b"\r", Some((0, Terminator::TrailingCr))),
            (b"\rx", Some((0, Terminator::Cr))),
            (b"\r\r", Some((0, Terminator::Cr))),
            (b"ab\ncd\r\n", Some((2, Terminator::Lf))),
            (b"ab\r\ncd", Some((2, Terminator::CrLf))),
            (b"ab\n\r", Some((2, Terminator::Lf))),
            (b"ab\rcd\n", Some((2, Terminator::Cr))),
        ];
        for &(input, want) in cases {
            assert_eq!(end(input), want, "input {input:?}");
        }
    }

    /// Every length each of memchr's routines reads (byte by byte, 16, 32 and 128 bytes at a time), a CR or LF
    /// at every position of it (the first of two, when both are placed), or none.
    #[test]
    fn finds_cr_or_lf_as_memchr2_does() {
        let mut buf = [b'a'; 300];
        for len in 0..buf.len() {
            let input = &mut buf[..len];
            assert_eq!(find_cr_or_lf(input), None, "len {len}");
            for at in 0..len {
                for byte in [b'\r', b'\n'] {
                    input[at] = byte;
                    if at + 7 < len {
                        input[at + 7] = b'\n';
                    }
                    assert_eq!(find_cr_or_lf(input), Some(at), "len {len}, at {at}");
                    assert_eq!(find_cr_or_lf(input), memchr2(b'\r', b'\n', input));
                    input.fill(b'a');
                }
            }
        }
    }

    #[test]
    fn reader_skips_one_bom_only_at_stream_start() {
        let mut r = LineReader::new();
        assert_eq!(r.next_line(b"\xEF"), LineStatus::Partial { consumed: 0 });
        assert_eq!(r.next_line(b"\xEF\xBB"), LineStatus::Partial { consumed: 0 });
        assert_eq!(
            r.next_line(b"\xEF\xBB\xBF\xEF\xBB\xBFa\n"),
            LineStatus::Complete { line: b"\xEF\xBB\xBFa", consumed: 8 }
        );
        assert_eq!(r.next_line(b"\xEF\xBB\xBFb\n"), LineStatus::Complete { line: b"\xEF\xBB\xBFb", consumed: 5 });
    }

    #[test]
    fn reader_non_bom_start_is_content() {
        let mut r = LineReader::new();
        assert_eq!(r.next_line(b"\xEFx\n"), LineStatus::Complete { line: b"\xEFx", consumed: 3 });
    }

    #[test]
    fn reader_drops_lf_after_trailing_cr_once() {
        let mut r = LineReader::new();
        assert_eq!(r.next_line(b"a\r"), LineStatus::Complete { line: b"a", consumed: 2 });
        assert_eq!(r.next_line(b""), LineStatus::Partial { consumed: 0 });
        assert_eq!(r.next_line(b"\n\n"), LineStatus::Complete { line: b"", consumed: 2 });
        assert_eq!(r.next_line(b"\n"), LineStatus::Complete { line: b"", consumed: 1 });
    }

    #[test]
    fn reader_keeps_byte_after_trailing_cr_when_not_lf() {
        let mut r = LineReader::new();
        assert_eq!(r.next_line(b"a\r"), LineStatus::Complete { line: b"a", consumed: 2 });
        assert_eq!(r.next_line(b"b\n"), LineStatus::Complete { line: b"b", consumed: 2 });
    }
}
