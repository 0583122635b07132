//! The incremental decoder: chunks of bytes in, [`Frame`]s out, by the WHATWG interpretation rules.
//!
//! The decoder works on a buffer the caller owns and fills, in the shape of `tokio_util::codec::Decoder`:
//! [`Decoder::decode`] takes what it can from the front of a [`BytesMut`] and answers `Ok(None)` when it needs
//! more bytes; [`Decoder::decode_eof`] finishes a stream. A stream that arrives as [`Bytes`] chunks (an HTTP
//! body) can be read in place instead, with [`Decoder::decode_chunk`]: the buffer then only carries what one
//! chunk leaves unfinished over to the next.
//!
//! How it stays fast and zero-copy: the lines of the event being read stay in the caller's buffer, and the
//! decoder only notes where its field values lie. When the blank line arrives, the event's bytes are split
//! off the buffer in one piece and frozen, and values are cut out of that piece without copying. Only the
//! lines of a multi-line `data` are copied, once, into a buffer of exactly the joined size, and event types
//! and IDs short enough to be held inline (38 bytes) are copied into the value. The search for
//! line ends resumes where it stopped, so a long line arriving in small pieces is scanned once. The commonest
//! event of all, one `data` line and its blank line, is taken in one step when both have arrived.

use alloc::vec::Vec;
use core::cmp::{max, min};
use core::ops::{Range, RangeInclusive};

use bytes::{Buf, Bytes, BytesMut};

use crate::error::DecodeError;
use crate::event::{Event, EventId, EventType, Frame, MESSAGE_TYPE};
use crate::field::{Field, is_valid_id, parse_retry};
use crate::frame_ref::{EventView, FrameRef};
use crate::input::Input;
use crate::line::{LineReader, find_line_end};

/// The decoder's limits on how much one line and one event may hold, so a peer cannot make it buffer without
/// bound (for instance by sending one endless line).
///
/// The decoder holds at most one event's complete lines and one unfinished line, so between two calls to
/// [`Decoder::decode`] the buffer holds at most `max_event_len + max_line_len` bytes plus whatever the caller
/// appended since.
///
/// # Examples
///
/// ```
/// use sse_codec::{Decoder, Limits};
///
/// let decoder = Decoder::with_limits(Limits::default().max_line_len(64 * 1024).max_event_len(1 << 20));
/// assert_eq!(decoder.limits().max_line_len, 64 * 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The most bytes one line may hold, not counting its line end. Default: 8 MiB, room for a large
    /// base64 image in one `data` line as some generative APIs stream them, while an endless line is
    /// refused long before it hurts.
    pub max_line_len: usize,
    /// The most bytes one event may span in the stream: every line from its first field up to (not
    /// including) the blank line that ends it, line ends included. Default: 16 MiB.
    pub max_event_len: usize,
}

impl Limits {
    /// The default `max_line_len`, 8 MiB.
    pub const DEFAULT_MAX_LINE_LEN: usize = 8 << 20;
    /// The default `max_event_len`, 16 MiB.
    pub const DEFAULT_MAX_EVENT_LEN: usize = 16 << 20;

    /// Sets [`Limits::max_line_len`].
    #[must_use]
    pub const fn max_line_len(mut self, bytes: usize) -> Self {
        self.max_line_len = bytes;
        self
    }

    /// Sets [`Limits::max_event_len`].
    #[must_use]
    pub const fn max_event_len(mut self, bytes: usize) -> Self {
        self.max_event_len = bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_line_len: Self::DEFAULT_MAX_LINE_LEN, max_event_len: Self::DEFAULT_MAX_EVENT_LEN }
    }
}

/// The `data` lines of the pending event, as ranges of the buffer.
#[derive(Clone, Debug, Default)]
struct DataLines {
    /// The first line; most events have only this one.
    first: Option<Range<usize>>,
    /// Further lines, in a vector kept across events so that it allocates only while it grows.
    more: Vec<Range<usize>>,
    /// The length of the joined data: the lines plus one LF between each two.
    joined_len: usize,
}

impl DataLines {
    fn push(&mut self, range: Range<usize>) {
        if self.first.is_none() {
            self.joined_len = range.len();
            self.first = Some(range);
        } else {
            self.joined_len += 1 + range.len();
            self.more.push(range);
        }
    }

    /// Cuts the joined data out of the event's bytes: the single line is shared, several lines are copied
    /// once into an allocation of exactly the joined size.
    #[inline(always)]
    fn take(&mut self, mut block: Bytes) -> Option<Bytes> {
        let first = self.first.take()?;
        if self.more.is_empty() {
            block.truncate(first.end);
            block.advance(first.start);
            return Some(block);
        }
        let mut joined = Vec::new();
        self.join(first, &block, &mut joined);
        Some(Bytes::from(joined))
    }

    /// Where the joined data for [`Decoder::decode_ref`] lies: the single line in `block`, or several copied
    /// into `joined` (`None` when there is no data).
    #[inline(always)]
    fn lend(&mut self, block: &[u8], joined: &mut Vec<u8>) -> Option<LentData> {
        let first = self.first.take()?;
        if self.more.is_empty() {
            return Some(LentData::InBuf(first));
        }
        joined.clear();
        self.join(first, block, joined);
        Some(LentData::Joined)
    }

    /// Appends the lines to `joined`, with an LF between each two, growing it at most once.
    fn join(&mut self, first: Range<usize>, block: &[u8], joined: &mut Vec<u8>) {
        joined.reserve_exact(self.joined_len);
        joined.extend_from_slice(&block[first]);
        for range in self.more.drain(..) {
            joined.push(b'\n');
            joined.extend_from_slice(&block[range]);
        }
    }

    fn clear(&mut self) {
        self.first = None;
        self.more.clear();
    }
}

/// The fields of the event being read, as ranges of the caller's buffer, which starts at the event's first
/// line while any of them is set.
#[derive(Clone, Debug, Default)]
struct Pending {
    data: DataLines,
    event_type: Option<Range<usize>>,
    id: Option<Range<usize>>,
}

impl Pending {
    const fn is_empty(&self) -> bool {
        self.data.first.is_none() && self.event_type.is_none() && self.id.is_none()
    }

    fn clear(&mut self) {
        self.data.clear();
        self.event_type = None;
        self.id = None;
    }

    /// Moves every range `by` bytes towards the front, once as many bytes have been dropped before them.
    fn shift_down(&mut self, by: usize) {
        let shift = |range: &mut Range<usize>| *range = range.start - by..range.end - by;
        self.data
            .first
            .iter_mut()
            .chain(&mut self.data.more)
            .chain(&mut self.event_type)
            .chain(&mut self.id)
            .for_each(shift);
    }
}

/// What to do with the bytes in front of the next line end after a limit error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Skipping {
    /// Not skipping: decoding as usual.
    No,
    /// Dropping lines up to and including the next blank line; `line_started` says whether bytes of the
    /// current (unfinished) line have already been dropped, so that its end is not taken for a blank line.
    ToBlankLine { line_started: bool },
}

/// The least and the most of a chunk read in place that [`Decoder::decode_chunk`] copies at a time to finish
/// what the chunk before left unfinished. Between the two, a step is as long as the last event, or as what is
/// carried over already (so that a long event is copied in steps that double): usually enough for the rest of
/// the carried event, and little wasted copying when it is more.
const CARRY_STEPS: RangeInclusive<usize> = 256..=16 << 10;

/// How many events as long as the last one a chunk must have room for to be read in place while something is
/// carried over to it: with fewer, finishing the event that straddles it and the chunk before costs more than
/// reading in place saves. (On the benchmark corpora, 4 was slower on `llm` in 512-byte chunks, 6 on `notify`
/// in 1460-byte ones.)
const EVENTS_TO_READ_IN_PLACE: usize = 5;

/// An incremental, sans-IO event stream decoder.
///
/// Feed it the bytes of one stream in chunks of any size, split anywhere (inside a CRLF, a UTF-8 sequence or
/// the byte order mark): append each chunk to a [`BytesMut`] and call [`Decoder::decode`] until it answers
/// `Ok(None)`. At the end of the stream call [`Decoder::decode_eof`] until it answers `Ok(None)`: an event that
/// is still incomplete then is discarded, as the specification requires.
///
/// The decoder implements the WHATWG rules exactly: the byte order mark, the three line ends, comments, the
/// field split, `data` joining, `event`, `id` (ignored when it holds NUL; an empty value resets it), `retry`
/// (only ASCII digits; see [`parse_retry`]), the last event ID that persists across events (and is updated
/// by a blank line even when nothing is dispatched), and the default type `message`.
///
/// # Examples
///
/// ```
/// use bytes::BytesMut;
/// use sse_codec::{Decoder, Frame};
///
/// let mut decoder = Decoder::new();
/// let mut buf = BytesMut::new();
/// let mut frames = Vec::new();
/// for chunk in [&b"retry: 1500\nid: 1\nda"[..], b"ta: hel", b"lo\r", b"\n\r\n: ping\n"] {
///     buf.extend_from_slice(chunk);
///     while let Some(frame) = decoder.decode(&mut buf)? {
///         frames.push(frame);
///     }
/// }
/// while let Some(frame) = decoder.decode_eof(&mut buf)? {
///     frames.push(frame);
/// }
///
/// assert_eq!(frames[0], Frame::Retry(1500));
/// let Frame::Event(event) = &frames[1] else { panic!() };
/// assert_eq!((event.event_type().as_bytes(), event.data_str()?), (&b"message"[..], "hello"));
/// assert_eq!(event.id().unwrap(), "1");
/// assert_eq!(frames[2], Frame::Comment("ping".into()));
/// assert_eq!(decoder.last_event_id().unwrap(), "1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Buffer management
///
/// Pass the same buffer to every call, and only ever append to it: the decoder keeps offsets into it. The
/// decoder removes from its front whatever it has finished with. Between two calls the buffer holds at most
/// one event and one unfinished line (bounded by [`Limits`]) plus what the caller appended; a caller reading from a socket should call
/// `decode` after every read, so that a peer sending one endless line meets the limit instead of growing the
/// buffer.
///
/// # Errors and recovery
///
/// A [`DecodeError`] means a limit was exceeded. The decoder then drops the offending event, up to and
/// including the blank line that ends it, and goes on with the next one; the caller may keep calling, or stop.
#[derive(Clone, Debug)]
pub struct Decoder {
    limits: Limits,
    lines: LineReader,
    pending: Pending,
    /// Where the next line starts in the caller's buffer: the bytes before it are lines of the pending event.
    line_start: usize,
    /// How far the current, unfinished line has been searched for a line end.
    scanned: usize,
    skipping: Skipping,
    /// The stream offset of the caller's buffer's first byte.
    offset: u64,
    /// See [`Decoder::read_in_place_from`].
    read_in_place_from: usize,
    /// How many of the first bytes of the chunk [`Decoder::decode_chunk`] is reading are also copied at the
    /// end of its buffer, after what an earlier chunk left unfinished.
    chunk_in_buf: usize,
    /// The length of the last event or comment taken off the input, with the line end or blank line that
    /// ends it: how long this stream's events run, for [`Decoder::decode_chunk`]. Before the first, `usize::MAX`
    /// (as long as can be).
    last_block_len: usize,
    last_event_id: Option<EventId>,
    /// How many bytes at the front of the caller's buffer belong to frames [`Decoder::decode_ref`] has lent:
    /// the pending event starts after them. They are dropped together when `decode_ref` answers `None`, or
    /// when another way of decoding is called.
    lent: usize,
    /// The joined data of the last multi-line event [`Decoder::decode_ref`] lent, in a buffer kept across
    /// events so that it allocates only while it grows.
    joined: Vec<u8>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder with the default [`Limits`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// A decoder with the given limits.
    #[must_use]
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            lines: LineReader::new(),
            pending: Pending::default(),
            line_start: 0,
            scanned: 0,
            skipping: Skipping::No,
            offset: 0,
            read_in_place_from: Self::DEFAULT_READ_IN_PLACE_FROM,
            chunk_in_buf: 0,
            last_block_len: usize::MAX,
            last_event_id: None,
            lent: 0,
            joined: Vec::new(),
        }
    }

    /// The default for [`Decoder::read_in_place_from`], 16 KiB.
    pub const DEFAULT_READ_IN_PLACE_FROM: usize = 16 << 10;

    /// Sets the size from which [`Decoder::decode_chunk`] always reads a chunk in place. A smaller chunk is
    /// read in place too when nothing is carried over to it, or when it has room for five events as long as
    /// the last one the decoder took; any other chunk is copied into the buffer and decoded there, as
    /// [`Decoder::decode`] decodes. `0` reads every chunk in place, copying only what each leaves
    /// unfinished.
    ///
    /// Reading in place saves copying the chunk's whole events, but costs more for the event that straddles
    /// it and the chunk before: when the chunk holds little besides, copying it is cheaper. (A chunk read in
    /// place is read to its end.)
    #[must_use]
    pub const fn read_in_place_from(mut self, bytes: usize) -> Self {
        self.read_in_place_from = bytes;
        self
    }

    /// Starts the decoder from a saved last event ID, as a client that resumes after a restart: events
    /// that arrive before the stream sends an `id` carry it, and [`Decoder::last_event_id`] reports it
    /// until then. (Send it as the `Last-Event-ID` header of the request that opens the stream; see
    /// [`headers::LAST_EVENT_ID`](crate::headers::LAST_EVENT_ID).)
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use sse_codec::{Decoder, EventId, Frame};
    ///
    /// let mut decoder = Decoder::new().with_last_event_id(EventId::from(41));
    /// let mut buf = BytesMut::from(&b"data: resumed\n\n"[..]);
    /// let Some(Frame::Event(event)) = decoder.decode(&mut buf)? else { panic!() };
    /// assert_eq!(event.id().unwrap(), "41");
    /// # Ok::<(), sse_codec::DecodeError>(())
    /// ```
    #[must_use]
    pub fn with_last_event_id(mut self, id: EventId) -> Self {
        self.last_event_id = Some(id);
        self
    }

    /// The limits in force.
    #[must_use]
    pub const fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The last event ID: the value a reconnecting client sends as `Last-Event-ID`. It is set by the blank line
    /// that ends an event (even one that dispatches nothing), and survives [`Decoder::decode_eof`], since a
    /// reconnection resumes from it.
    #[must_use]
    pub const fn last_event_id(&self) -> Option<&EventId> {
        self.last_event_id.as_ref()
    }

    /// Decodes the next frame from the front of `buf`, or answers `Ok(None)` when `buf` holds no complete
    /// frame yet.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] when a line or an event exceeds the [`Limits`]; see the type's docs for what
    /// happens next.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, DecodeError> {
        self.drop_lent(buf);
        self.decode_from::<_, Owned>(buf)
    }

    /// Decodes the next frame from a stream whose bytes arrive as [`Bytes`] chunks, as the body of a `hyper`
    /// or `reqwest` response hands them out. A chunk is usually read in place (see
    /// [`Decoder::read_in_place_from`] for when it is not): its events are cut out of the chunk itself, and
    /// only what it leaves unfinished is copied into `buf`, which carries that over to the next chunk. The
    /// event carried over is finished in `buf`, after a copy of as much of the next chunk as it takes. A
    /// chunk that is not read in place is copied into `buf` and decoded there.
    ///
    /// Call it with each chunk until it answers `Ok(None)`, which it does once `chunk` is empty: all of it
    /// has then been decoded or carried over into `buf`. Pass the same `buf` for the whole stream, and change
    /// it in no other way; at the end of the stream call [`Decoder::decode_eof`] with it. Between calls `buf`
    /// holds what [`Limits`] allows plus, while a chunk is being read, a copy of some of it: a chunk that is
    /// not read in place whole, at most 16 KiB of one that is.
    ///
    /// # Errors
    ///
    /// As [`Decoder::decode`].
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::{Bytes, BytesMut};
    /// use sse_codec::{Decoder, Frame};
    ///
    /// // Read every chunk in place, however small, to show what happens to a large one.
    /// let mut decoder = Decoder::new().read_in_place_from(0);
    /// let mut carried = BytesMut::new();
    /// let mut events = Vec::new();
    /// for mut chunk in [Bytes::from_static(b"data: one\n\ndata: t"), Bytes::from_static(b"wo\n\n")] {
    ///     let start = chunk.as_ptr();
    ///     while let Some(frame) = decoder.decode_chunk(&mut carried, &mut chunk)? {
    ///         let Frame::Event(event) = frame else { continue };
    ///         events.push(event);
    ///     }
    ///     if events.len() == 1 {
    ///         // The first event's data is the first chunk's own bytes, not a copy.
    ///         assert_eq!(events[0].data().as_ptr(), start.wrapping_add(6));
    ///     }
    /// }
    /// while let Some(frame) = decoder.decode_eof(&mut carried)? {
    ///     let Frame::Event(event) = frame else { continue };
    ///     events.push(event);
    /// }
    /// let data: Vec<_> = events.iter().map(|event| event.data_str().unwrap()).collect();
    /// assert_eq!(data, ["one", "two"]);
    /// # Ok::<(), sse_codec::DecodeError>(())
    /// ```
    #[inline]
    pub fn decode_chunk(&mut self, buf: &mut BytesMut, chunk: &mut Bytes) -> Result<Option<Frame>, DecodeError> {
        self.drop_lent(buf);
        if self.chunk_in_buf == 0 && self.is_copied(buf, chunk) {
            return self.decode_copied(buf, chunk);
        }
        self.decode_chunk_in_place(buf, chunk)
    }

    /// Whether `chunk` is copied after what `buf` carries over rather than read in place: see
    /// [`Decoder::read_in_place_from`]. (While a chunk is read in place nothing is carried over, so it is read
    /// to its end.)
    #[inline]
    fn is_copied(&self, buf: &BytesMut, chunk: &Bytes) -> bool {
        chunk.is_empty()
            || (!buf.is_empty()
                && chunk.len() < self.read_in_place_from
                && chunk.len() < self.last_block_len.saturating_mul(EVENTS_TO_READ_IN_PLACE))
    }

    /// Copies `chunk` after what `buf` carries over, and decodes there.
    #[inline]
    fn decode_copied(&mut self, buf: &mut BytesMut, chunk: &mut Bytes) -> Result<Option<Frame>, DecodeError> {
        if !chunk.is_empty() {
            self.reserve_block(buf, chunk.len());
            buf.extend_from_slice(chunk);
            chunk.clear();
        }
        self.decode(buf)
    }

    /// Makes room in `buf` for `more` bytes and, as an event begins, for the rest of one as long as the last,
    /// at once: an event spread over many chunks then stays where it was first copied, instead of being copied
    /// again each time `buf` runs out of room behind it. (Before the first event there is no last one to go
    /// by; no event is longer than the limit allows.)
    #[inline(always)]
    fn reserve_block(&self, buf: &mut BytesMut, more: usize) {
        // Usually there is room, and what `buf` holds is an event under way, with its room made already.
        if buf.capacity() - buf.len() < more || buf.len() < more {
            self.reserve_new_block(buf, more);
        }
    }

    /// [`Decoder::reserve_block`] once `buf` is short of room, or holds less than a chunk.
    #[inline(never)]
    fn reserve_new_block(&self, buf: &mut BytesMut, more: usize) {
        let block = if self.last_block_len == usize::MAX { 0 } else { self.last_block_len };
        if buf.capacity() < max(buf.len() + more, block) {
            buf.reserve(max(more, block.saturating_sub(buf.len())));
        }
    }

    /// [`Decoder::decode_chunk`] for a chunk read in place: apart from the path above, which is inlined into the
    /// caller's loop.
    #[inline(never)]
    fn decode_chunk_in_place(&mut self, buf: &mut BytesMut, chunk: &mut Bytes) -> Result<Option<Frame>, DecodeError> {
        loop {
            if self.chunk_in_buf > 0 {
                // `buf` ends with a copy of the chunk's first `chunk_in_buf` bytes.
                if buf.len() > self.chunk_in_buf {
                    // What was carried over is not all decoded yet: go on in `buf`.
                    if let Some(frame) = self.decode(buf)? {
                        return Ok(Some(frame));
                    }
                    // All that `buf` holds is unfinished: the copied bytes are carried over too.
                    chunk.advance(self.chunk_in_buf);
                    self.chunk_in_buf = 0;
                    continue;
                }
                // Only copied bytes are left, at the offsets they have in the chunk once it is advanced to
                // them: drop the copy and read the chunk in place again.
                chunk.advance(self.chunk_in_buf - buf.len());
                buf.clear();
                self.chunk_in_buf = 0;
            }
            if chunk.is_empty() {
                // All of it is decoded, or carried over in `buf`.
                return Ok(None);
            }
            if buf.is_empty() {
                // Nothing is carried over, so nothing the decoder has noted lies in `buf`: read the chunk itself.
                if let Some(frame) = self.decode_in_place(chunk)? {
                    return Ok(Some(frame));
                }
                // What the chunk leaves unfinished starts at its front, so the offsets noted in it hold in
                // `buf` too.
                self.reserve_block(buf, chunk.len());
                buf.extend_from_slice(chunk);
                chunk.clear();
                return Ok(None);
            }
            // Something is carried over: finish it after a copy of the chunk's next bytes, keeping them in
            // the chunk too, so that once the carried bytes are decoded the rest can be read in place.
            let step = max(buf.len(), self.last_block_len).clamp(*CARRY_STEPS.start(), *CARRY_STEPS.end());
            self.chunk_in_buf = min(chunk.len(), step);
            buf.extend_from_slice(&chunk[..self.chunk_in_buf]);
        }
    }

    /// [`Decoder::decode`] on a chunk read in place: a function of its own rather than a second copy of the
    /// decoding loop inside `decode_chunk_in_place`, which costs 2 % more instructions on `notify` in one buffer.
    fn decode_in_place(&mut self, chunk: &mut Bytes) -> Result<Option<Frame>, DecodeError> {
        self.decode_from::<_, Owned>(chunk)
    }

    /// [`Decoder::decode`] on either kind of [`Input`]. Each of the two callers above is its own copy, as the
    /// single function this was before the second kind of input came.
    #[inline(always)]
    fn decode_from<I: Input, O: Output<I>>(&mut self, buf: &mut I) -> Result<Option<O::Frame>, DecodeError> {
        loop {
            // Usually nothing stands between lines, and no error is being recovered from.
            if matches!(self.skipping, Skipping::ToBlankLine { .. }) || !self.lines.is_between_lines() {
                if let Skipping::ToBlankLine { line_started } = self.skipping {
                    if !self.skip_to_blank_line(buf, line_started) {
                        return Ok(None);
                    }
                }
                let Some(skip) = self.lines.skip_prefix(&buf[self.line_start..]) else {
                    return Ok(None);
                };
                if skip > 0 {
                    // A byte order mark, or the LF of a CRLF split across chunks: the end of the line before,
                    // which counts toward the pending event as it would have had it arrived with the CR.
                    self.end_line::<I, O>(buf, self.line_start + skip)?;
                }
            }
            let Some(end) = find_line_end(&buf[self.scanned..]) else {
                self.scanned = buf.len();
                self.check_partial_line(buf)?;
                return Ok(None);
            };
            self.lines.line_ended(end.terminator);
            let content_end = self.scanned + end.content_len;
            let next_line = self.scanned + end.next_line();
            if content_end == self.line_start {
                // A blank line. (The event is built here, in the frame returned, rather than passed up.)
                if let Some(frame) = self.dispatch::<I, O>(buf, next_line) {
                    return Ok(Some(frame));
                }
                continue;
            }
            if self.line_start == O::event_start(self) {
                if let Some(frame) = self.lone_data_event::<I, O>(buf, content_end, next_line) {
                    return Ok(Some(frame));
                }
            }
            if let Some(frame) = self.take_line::<I, O>(buf, content_end, next_line)? {
                return Ok(Some(frame));
            }
        }
    }

    /// Decodes what is left in `buf` once the stream has ended, then discards the unfinished rest (an event
    /// without its closing blank line, a line without its line end) and readies the decoder for a new stream,
    /// such as the one a reconnection opens. The last event ID is kept.
    ///
    /// Call it until it answers `Ok(None)`.
    ///
    /// # Errors
    ///
    /// As [`Decoder::decode`].
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, DecodeError> {
        if let Some(frame) = self.decode(buf)? {
            return Ok(Some(frame));
        }
        self.reset(buf);
        Ok(None)
    }

    /// [`Decoder::decode`], lending the frame instead of handing it out: its parts are borrowed from `buf`
    /// (and from the decoder, for an ID and the data of a multi-line event) until the next call. Nothing is
    /// copied but the lines of a multi-line `data` (into a buffer the decoder keeps) and a new last event ID
    /// (inline up to 38 bytes), and nothing is shared, so no reference count is touched: the cheapest way to
    /// read a stream whose events are used at once, for instance parsed as JSON. [`FrameRef::to_frame`] makes
    /// an owned copy of one to keep.
    ///
    /// The bytes of lent frames stay at the front of `buf` until `decode_ref` answers `None`, and are then
    /// dropped together, so that once it has, `buf` holds what [`Decoder::decode`] would have left: append the
    /// next bytes then, as with `decode`. The two can be called in turn on one stream.
    ///
    /// # Errors
    ///
    /// As [`Decoder::decode`].
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use sse_codec::{Decoder, FrameRef};
    ///
    /// let mut decoder = Decoder::new();
    /// let mut buf = BytesMut::new();
    /// let mut deltas = String::new();
    /// for chunk in [&b"event: delta\ndata: Hel"[..], b"lo\n\nevent: delta\ndata: !\n\n: ping\n"] {
    ///     buf.extend_from_slice(chunk);
    ///     while let Some(frame) = decoder.decode_ref(&mut buf)? {
    ///         if let FrameRef::Event(event) = frame {
    ///             assert_eq!(event.event_type(), b"delta");
    ///             deltas.push_str(event.data_str()?);
    ///         }
    ///     }
    /// }
    /// assert_eq!(deltas, "Hello!");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decode_ref<'a>(&'a mut self, buf: &'a mut BytesMut) -> Result<Option<FrameRef<'a>>, DecodeError> {
        self.lend_next(buf, false)
    }

    /// [`Decoder::decode_eof`], lending each frame as [`Decoder::decode_ref`] does.
    ///
    /// # Errors
    ///
    /// As [`Decoder::decode`].
    pub fn decode_ref_eof<'a>(&'a mut self, buf: &'a mut BytesMut) -> Result<Option<FrameRef<'a>>, DecodeError> {
        self.lend_next(buf, true)
    }

    /// Lends the next frame; when there is none, drops what was lent (and at the end of the stream, the rest).
    #[inline(always)]
    fn lend_next<'a>(&'a mut self, buf: &'a mut BytesMut, at_end: bool) -> Result<Option<FrameRef<'a>>, DecodeError> {
        // What earlier calls lent stays in `buf` until this one has nothing more to lend: dropping a whole
        // chunk's frames at once costs less than dropping each.
        let Some(span) = self.decode_from::<_, Lent>(buf)? else {
            if at_end {
                self.reset(buf);
            } else {
                self.drop_lent(buf);
            }
            return Ok(None);
        };
        Ok(Some(self.lent_frame(buf, span)))
    }

    /// The frame a [`Span`] says where to find.
    #[inline(always)]
    fn lent_frame<'a>(&'a self, buf: &'a [u8], span: Span) -> FrameRef<'a> {
        match span {
            Span::Event { event_type, data } => FrameRef::Event(EventView::new(
                event_type.map_or(MESSAGE_TYPE.as_bytes(), |range| &buf[range]),
                match data {
                    LentData::InBuf(range) => &buf[range],
                    LentData::Joined => &self.joined,
                },
                self.last_event_id.as_ref(),
            )),
            Span::Comment(text) => FrameRef::Comment(&buf[text]),
            Span::Retry(millis) => FrameRef::Retry(millis),
        }
    }

    /// Drops what `buf` holds without decoding any more of it, and readies the decoder for a new stream, as
    /// [`Decoder::decode_eof`] does once it has nothing left to give: the limits and the last event ID are
    /// kept. For a caller that stops reading a stream early (to reconnect, say): complete events still in
    /// `buf` are dropped with the rest, so the last event ID stays that of the last event decoded.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use sse_codec::{Decoder, Frame};
    ///
    /// let mut decoder = Decoder::new();
    /// let mut buf = BytesMut::from(&b"id: 1\ndata: one\n\nid: 2\ndata: two\n\n"[..]);
    /// assert!(matches!(decoder.decode(&mut buf)?, Some(Frame::Event(_))));
    /// decoder.reset(&mut buf); // event 2 was never decoded
    /// assert!(buf.is_empty());
    /// assert_eq!(decoder.last_event_id().unwrap(), "1");
    /// # Ok::<(), sse_codec::DecodeError>(())
    /// ```
    pub fn reset(&mut self, buf: &mut BytesMut) {
        buf.clear();
        self.pending.clear();
        self.lines = LineReader::new();
        self.line_start = 0;
        self.scanned = 0;
        self.skipping = Skipping::No;
        self.offset = 0;
        self.chunk_in_buf = 0;
        self.last_block_len = usize::MAX;
        self.lent = 0;
    }

    /// Removes `count` bytes from the front of `buf`, which holds no pending field.
    fn advance<I: Input>(&mut self, buf: &mut I, count: usize) {
        debug_assert!(self.pending.is_empty() && self.lent <= count);
        self.lent = 0;
        buf.drop_front(count);
        self.offset += count as u64;
        self.line_start = 0;
        self.scanned = 0;
    }

    /// Takes `buf[..end]`, the pending event's lines or a lone comment line, as shared bytes.
    #[inline]
    fn split_off<I: Input>(&mut self, buf: &mut I, end: usize) -> Bytes {
        self.last_block_len = end;
        self.offset += end as u64;
        self.line_start = 0;
        self.scanned = 0;
        buf.take_front(end)
    }

    /// Takes the commonest event whole: one `data` line, `buf[..content_end]` with its line end running to
    /// `next_line`, followed at once by the blank line that ends it. The general path would note the line,
    /// come round again for the blank line and build the event from its notes; this gives the same event.
    /// `None` (and nothing consumed) for any other line, when the blank line has not arrived yet, or when
    /// a limit is exceeded, which the general path then reports.
    #[inline]
    fn lone_data_event<I: Input, O: Output<I>>(
        &mut self,
        buf: &mut I,
        content_end: usize,
        next_line: usize,
    ) -> Option<O::Frame> {
        let start = O::event_start(self);
        debug_assert!(self.pending.is_empty() && self.line_start == start);
        let blank_line_len = match buf.get(next_line..) {
            Some([b'\n', ..]) => 1,
            Some([b'\r', b'\n', ..]) => 2,
            _ => return None,
        };
        if !buf[start..].starts_with(b"data:")
            || content_end - start > self.limits.max_line_len
            || next_line - start > self.limits.max_event_len
        {
            return None;
        }
        // `Field::parse`'s rule for a `data:` line, written out: through `Field::parse` (inlined, after the same
        // prefix check or without it), `llm` costs 3-6 % more instructions. The reference-model test of lone
        // data lines holds the two together.
        let value_start = start + if content_end > start + 5 && buf[start + 5] == b' ' { 6 } else { 5 };
        Some(O::lone_data(self, buf, value_start..content_end, next_line + blank_line_len))
    }

    /// Handles the complete, non-blank line `buf[self.line_start..content_end]`, whose line end runs to
    /// `next_line`.
    // Always: the decoding loop exists once for each kind of input and of output, and takes a line on every
    // turn that does not end an event.
    #[inline(always)]
    fn take_line<I: Input, O: Output<I>>(
        &mut self,
        buf: &mut I,
        content_end: usize,
        next_line: usize,
    ) -> Result<Option<O::Frame>, DecodeError> {
        let start = self.line_start;
        let line = &buf[start..content_end];
        let Some(field) = Field::parse(line) else {
            debug_assert!(false, "blank lines are dispatched by the caller");
            return Ok(None);
        };
        if line.len() > self.limits.max_line_len {
            return Err(self.fail(buf, next_line, false, self.line_too_long()));
        }
        let value = value_range(line, field.value(), start);
        // Each arm returns its own frame: a frame held in a variable would be copied whole on every line.
        match field {
            Field::Data(_) => self.pending.data.push(value),
            Field::Event(_) => self.pending.event_type = Some(value),
            Field::Id(id) if is_valid_id(id) => self.pending.id = Some(value),
            Field::Retry(millis) => {
                let millis = parse_retry(millis);
                self.end_line::<I, O>(buf, next_line)?;
                return Ok(millis.map(O::retry));
            }
            Field::Comment(_) => return O::comment(self, buf, value, next_line).map(Some),
            Field::Id(_) | Field::Unknown { .. } => {}
        }
        self.end_line::<I, O>(buf, next_line)?;
        Ok(None)
    }

    /// Moves past a line that has been taken, whose line end runs to `next_line`: out of the buffer when no
    /// event is pending, else into the pending event, which must stay within its limit.
    #[inline(always)]
    fn end_line<I: Input, O: Output<I>>(&mut self, buf: &mut I, next_line: usize) -> Result<(), DecodeError> {
        if self.pending.is_empty() {
            self.advance(buf, next_line);
        } else if next_line - O::event_start(self) > self.limits.max_event_len {
            return Err(self.fail(buf, next_line, false, self.event_too_large()));
        } else {
            self.line_start = next_line;
            self.scanned = next_line;
        }
        Ok(())
    }

    /// Ends the pending event at the blank line that runs to `next_line`: updates the last event ID and
    /// returns the event, if it has data.
    fn dispatch<I: Input, O: Output<I>>(&mut self, buf: &mut I, next_line: usize) -> Option<O::Frame> {
        if self.pending.is_empty() {
            self.advance(buf, next_line);
            return None;
        }
        O::event(self, buf, next_line)
    }

    /// Drops the bytes of the frames [`Decoder::decode_ref`] has lent, whose borrows have ended.
    #[inline(always)]
    fn drop_lent<I: Input>(&mut self, buf: &mut I) {
        if self.lent > 0 {
            self.release_lent(buf);
        }
    }

    fn release_lent<I: Input>(&mut self, buf: &mut I) {
        let lent = core::mem::take(&mut self.lent);
        buf.drop_front(lent);
        self.offset += lent as u64;
        self.line_start -= lent;
        self.scanned -= lent;
        self.pending.shift_down(lent);
    }

    /// Lends `buf[..end]`, the frame about to be handed out: it stays in `buf` until the decoder drops it with
    /// those lent before, and the decoder goes on after it, as if it had been taken off.
    fn lend(&mut self, end: usize) {
        self.last_block_len = end - self.lent;
        self.lent = end;
        self.line_start = end;
        self.scanned = end;
    }

    /// Checks the unfinished line at the end of `buf` against the line limit. (The event limit is checked
    /// when a line is complete: were it checked here too, which of the two errors a line that breaks both
    /// gets would depend on where the chunks happen to end.)
    fn check_partial_line<I: Input>(&mut self, buf: &mut I) -> Result<(), DecodeError> {
        let len = buf.len();
        if len - self.line_start > self.limits.max_line_len {
            return Err(self.fail(buf, len, true, self.line_too_long()));
        }
        Ok(())
    }

    fn line_too_long(&self) -> DecodeError {
        DecodeError::LineTooLong { limit: self.limits.max_line_len, offset: self.offset + self.line_start as u64 }
    }

    fn event_too_large(&self) -> DecodeError {
        DecodeError::EventTooLarge { limit: self.limits.max_event_len, offset: self.offset + self.lent as u64 }
    }

    /// Drops the pending event and `buf[..end]`, and starts skipping to the next blank line.
    fn fail<I: Input>(&mut self, buf: &mut I, end: usize, line_started: bool, error: DecodeError) -> DecodeError {
        self.pending.clear();
        self.advance(buf, end);
        self.skipping = Skipping::ToBlankLine { line_started };
        error
    }

    /// Drops lines up to and including the next blank line. Returns whether it got there.
    fn skip_to_blank_line<I: Input>(&mut self, buf: &mut I, mut line_started: bool) -> bool {
        loop {
            let Some(skip) = self.lines.skip_prefix(buf) else {
                return false;
            };
            self.advance(buf, skip);
            let Some(end) = find_line_end(buf) else {
                line_started |= !buf.is_empty();
                self.skipping = Skipping::ToBlankLine { line_started };
                let all = buf.len();
                self.advance(buf, all);
                return false;
            };
            self.lines.line_ended(end.terminator);
            self.advance(buf, end.next_line());
            if end.content_len == 0 && !line_started {
                self.skipping = Skipping::No;
                return true;
            }
            line_started = false;
        }
    }
}

/// How the decoding loop hands a frame out: owned ([`Owned`]) or lent ([`Lent`]). Each method is called where
/// a frame is complete and takes it off the input.
trait Output<I: Input> {
    type Frame;

    /// Where in the buffer the next event starts: after the frames lent and not yet dropped.
    fn event_start(decoder: &Decoder) -> usize;

    /// The commonest event: one `data` line, its value at `data`, the event running to `end`.
    fn lone_data(decoder: &mut Decoder, buf: &mut I, data: Range<usize>, end: usize) -> Self::Frame;

    /// The pending event (some field is set), ending with the blank line that runs to `end`: updates the last
    /// event ID and returns the event, if it has data.
    fn event(decoder: &mut Decoder, buf: &mut I, end: usize) -> Option<Self::Frame>;

    /// A comment line's text at `text`, the line running to `next_line`: alone, or inside the pending event.
    fn comment(
        decoder: &mut Decoder,
        buf: &mut I,
        text: Range<usize>,
        next_line: usize,
    ) -> Result<Self::Frame, DecodeError>;

    /// A valid `retry` field.
    fn retry(millis: u64) -> Self::Frame;
}

/// Frames handed out owned, as [`Frame`]s whose bytes share the input.
struct Owned;

impl<I: Input> Output<I> for Owned {
    type Frame = Frame;

    /// At the front: what is handed out is taken off the buffer.
    #[inline(always)]
    fn event_start(decoder: &Decoder) -> usize {
        debug_assert_eq!(decoder.lent, 0);
        0
    }

    #[inline(always)]
    fn lone_data(decoder: &mut Decoder, buf: &mut I, data: Range<usize>, end: usize) -> Frame {
        let mut block = decoder.split_off(buf, end);
        block.truncate(data.end);
        block.advance(data.start);
        Frame::Event(Event::from_parts(EventType::MESSAGE, block, decoder.last_event_id.clone()))
    }

    #[inline(always)]
    fn event(decoder: &mut Decoder, buf: &mut I, end: usize) -> Option<Frame> {
        let block = decoder.split_off(buf, end);
        if let Some(id) = decoder.pending.id.take() {
            decoder.last_event_id = Some(EventId::from_line(&block, id));
        }
        let event_type = match decoder.pending.event_type.take() {
            Some(range) if !range.is_empty() => EventType::from_line(&block, range),
            _ => EventType::MESSAGE,
        };
        let data = decoder.pending.data.take(block)?;
        Some(Frame::Event(Event::from_parts(event_type, data, decoder.last_event_id.clone())))
    }

    fn comment(decoder: &mut Decoder, buf: &mut I, text: Range<usize>, next_line: usize) -> Result<Frame, DecodeError> {
        if decoder.pending.is_empty() {
            let mut line = decoder.split_off(buf, next_line);
            line.truncate(text.end);
            line.advance(text.start);
            return Ok(Frame::Comment(line));
        }
        // A comment inside an event: its bytes must stay in the buffer with the event's, so it is copied.
        let text = Bytes::copy_from_slice(&buf[text]);
        decoder.end_line::<I, Self>(buf, next_line)?;
        Ok(Frame::Comment(text))
    }

    #[inline(always)]
    fn retry(millis: u64) -> Frame {
        Frame::Retry(millis)
    }
}

/// Frames lent by [`Decoder::decode_ref`]: left in the caller's buffer until the next call, and handed out as
/// where they lie ([`Span`]), which `decode_ref` turns into a [`FrameRef`].
struct Lent;

/// Where a lent frame's parts lie in the caller's buffer. A type left `None` is `message`.
enum Span {
    Event { event_type: Option<Range<usize>>, data: LentData },
    Comment(Range<usize>),
    Retry(u64),
}

/// Where a lent event's data lies.
enum LentData {
    /// In the caller's buffer: a single line.
    InBuf(Range<usize>),
    /// In the decoder's `joined`: the lines of a multi-line `data`, joined.
    Joined,
}

impl Output<BytesMut> for Lent {
    type Frame = Span;

    #[inline(always)]
    fn event_start(decoder: &Decoder) -> usize {
        decoder.lent
    }

    #[inline(always)]
    fn lone_data(decoder: &mut Decoder, _: &mut BytesMut, data: Range<usize>, end: usize) -> Span {
        decoder.lend(end);
        Span::Event { event_type: None, data: LentData::InBuf(data) }
    }

    #[inline(always)]
    fn event(decoder: &mut Decoder, buf: &mut BytesMut, end: usize) -> Option<Span> {
        if let Some(id) = decoder.pending.id.take() {
            decoder.last_event_id = Some(EventId::copied_from_line(buf, id));
        }
        let event_type = decoder.pending.event_type.take().filter(|range| !range.is_empty());
        let Some(data) = decoder.pending.data.lend(buf, &mut decoder.joined) else {
            // Nothing to hand out, so nothing to lend: the event's lines go at once.
            decoder.advance(buf, end);
            return None;
        };
        decoder.lend(end);
        Some(Span::Event { event_type, data })
    }

    fn comment(
        decoder: &mut Decoder,
        buf: &mut BytesMut,
        text: Range<usize>,
        next_line: usize,
    ) -> Result<Span, DecodeError> {
        // Inside an event the comment stays in the buffer with the event's lines, so it is lent as it lies.
        if decoder.pending.is_empty() {
            decoder.lend(next_line);
        } else {
            decoder.end_line::<BytesMut, Self>(buf, next_line)?;
        }
        Ok(Span::Comment(text))
    }

    #[inline(always)]
    fn retry(millis: u64) -> Span {
        Span::Retry(millis)
    }
}

/// The range of `value`, a sub-slice of `line`, in a buffer where `line` starts at `line_start`.
fn value_range(line: &[u8], value: &[u8], line_start: usize) -> Range<usize> {
    let start = line_start + (value.as_ptr() as usize - line.as_ptr() as usize);
    start..start + value.len()
}
