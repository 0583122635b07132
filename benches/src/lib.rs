//! Benchmarks for sse-codec: deterministic corpora ([`corpus`]), our decoder and the peer decoders behind one
//! signature ([`decode`], [`peers`]), the gate every peer passes before it is timed ([`gate`]), our encoder
//! and the peer encoders in one shape with a gate of their own ([`encode`], [`peers`]), and the results as
//! criterion stores them, read back for the report ([`results`]), and the least work a decoder or encoder of
//! our design must do, for scale ([`floor`]).

use std::fmt;
use std::str::Utf8Error;

use bytes::{Bytes, BytesMut};

use sse_codec::{Decoder, EventId, Frame, FrameRef};

pub mod adapters;
pub mod chart;
pub mod corpus;
pub mod encode;
pub mod floor;
pub mod gate;
pub mod peers;
pub mod results;
pub mod rounds;
pub mod sending;
pub mod strings;

/// The test oracles of `sse-codec` (a spec-literal reference decoder, what a receiver must decode from encoded
/// events), shared with its tests and fuzz targets without entering its public API.
#[path = "../../sse-codec/tests/reference/mod.rs"]
mod reference;

pub use corpus::{CORPORA, Rng, big, big_lines, llm, llm_crlf, multiline, notify, unicode};

/// The size every corpus is generated at: large enough that caches do not hold it all, small enough that a
/// slow peer still finishes a pass in well under a second.
pub const CORPUS_LEN: usize = 4 << 20;

/// The benchmark id of our decoder (and encoder) in every group.
pub const OURS: &str = "sse-codec";

/// The name `profile` and `compare` give our decoder fed by appending (see [`decode_appended`]).
pub const APPENDED: &str = "sse-codec-appended";

/// The name `profile` and `compare` give our decoder fed by appending and lending its frames (see
/// [`decode_lent`]).
pub const LENT: &str = "sse-codec-lent";

/// The chunkings every decoder is measured with: the whole input as one buffer, pieces of one TCP segment
/// (1460 bytes, the usual Ethernet MSS), and small 64-byte pieces.
pub const CHUNKINGS: &[(&str, Option<usize>)] = &[("one-buffer", None), ("1460", Some(1460)), ("64", Some(64))];

/// The chunking a command line names: one of [`CHUNKINGS`] by name, or any other size in bytes.
///
/// # Errors
///
/// When `arg` is neither.
pub fn chunking(arg: &str) -> Result<Option<usize>, String> {
    match CHUNKINGS.iter().find(|(name, _)| *name == arg) {
        Some(&(_, size)) => Ok(size),
        None => arg.parse().map(Some).map_err(|_| format!("bad chunking {arg:?}")),
    }
}

/// Splits `input` into pieces of `chunk` bytes (the last may be shorter), or one piece for `None`: the chunks
/// of an HTTP body, which share the buffer they were read into. Every decoder gets the same chunks, as
/// `Bytes` (ours) or as the slices they deref to (the peers).
#[must_use]
pub fn split(input: &Bytes, chunk: Option<usize>) -> Vec<Bytes> {
    match chunk {
        Some(size) => {
            let size = size.max(1);
            (0..input.len()).step_by(size).map(|start| input.slice(start..input.len().min(start + size))).collect()
        }
        None => vec![input.clone()],
    }
}

/// How a harness reads each event a decoder hands out. Every decoder, ours and the peers, is read the same way
/// in a given mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The data's length, in bytes: what a caller that forwards the bytes reads.
    DataLen,
    /// The type, the ID and the data, each as a validated `&str`: what a user reads. A peer that hands out
    /// `String`s has validated them already; one that hands out bytes is validated here
    /// (`core::str::from_utf8`), and so is ours, through its own accessors.
    Text,
}

/// The reading modes by the names the benches, `profile` and `compare` give them.
pub const READINGS: &[(&str, Reading)] = &[("data-len", Reading::DataLen), ("text", Reading::Text)];

/// The reading mode a command line names (see [`READINGS`]).
///
/// # Errors
///
/// When `arg` names none.
pub fn reading(arg: &str) -> Result<Reading, String> {
    READINGS
        .iter()
        .find(|(name, _)| *name == arg)
        .map(|&(_, reading)| reading)
        .ok_or_else(|| format!("bad reading mode {arg:?} (data-len or text)"))
}

/// An event's text as a user reads it: its type (`message` when the stream named none), its ID as the
/// decoder reports it, and its data.
#[derive(Clone, Copy, Debug)]
pub struct Text<'a> {
    /// The event type.
    pub event_type: &'a str,
    /// The ID, if the decoder reports one for this event.
    pub id: Option<&'a str>,
    /// The data.
    pub data: &'a str,
}

/// One item a decoder hands out, read in either [`Reading`] mode. Each harness implements it for its
/// decoder's item type.
pub trait Item {
    /// The data's length, when the item is an event.
    fn data_len(&self) -> Option<usize>;

    /// The event's type, ID and data as text, when the item is an event; an error when a value is not UTF-8.
    ///
    /// # Errors
    ///
    /// A value that is not valid UTF-8.
    fn text(&self) -> Option<Result<Text<'_>, String>>;
}

/// An event type given as an empty string means `message`, as a browser reports it.
fn type_len(event_type: &str) -> usize {
    if event_type.is_empty() { "message".len() } else { event_type.len() }
}

/// What a decoder dispatched: the number of events, their data bytes added up and, in [`Reading::Text`],
/// their types' and IDs' bytes. Two decoders whose counts agree ([`Counts::agrees_with`]) are taken to
/// decode alike.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Dispatched events (comments, `retry` and events with no data do not count).
    pub events: usize,
    /// The length of every event's data (multi-line data joined with LF, the trailing LF removed), summed.
    pub data_bytes: usize,
    /// In [`Reading::Text`], the length of every event's type, summed (`message` when none was named).
    pub type_bytes: usize,
    /// In [`Reading::Text`], the length of every event's ID, summed. Decoders differ in which events they
    /// give an ID (the stream's last one, as ours and `EventSource` do, or only the event's own), so this is
    /// read (and its text validated) but not compared.
    pub id_bytes: usize,
}

impl Counts {
    /// Counts one event with `data_bytes` of data.
    pub const fn add(&mut self, data_bytes: usize) {
        self.events += 1;
        self.data_bytes += data_bytes;
    }

    /// Whether `self` and `other` count the same events, data and types (IDs aside; see
    /// [`Counts::id_bytes`]).
    #[must_use]
    pub const fn agrees_with(&self, other: &Self) -> bool {
        self.events == other.events && self.data_bytes == other.data_bytes && self.type_bytes == other.type_bytes
    }

    /// Counts one item a decoder gave, read as `reading` says where it lies: nothing unless it is an event;
    /// the decoder's error, or a value that is not UTF-8, as text.
    ///
    /// Every harness counts this way, ours and the peers' alike, rather than moving the event out of the
    /// result first (`result.map_err(..)?`): a move copies the whole event, which costs a decoder with a large
    /// event type more than one with a small one, and would measure the harness rather than the decoder. It
    /// is always inlined, so that it costs every harness the same: left to itself, the compiler inlines it
    /// into some harness loops and calls it from others.
    ///
    /// # Errors
    ///
    /// The decoder's error, or a value that is not UTF-8.
    #[inline(always)]
    pub fn count<T: Item, E: fmt::Display>(&mut self, item: &Result<T, E>, reading: Reading) -> Result<(), String> {
        let item = item.as_ref().map_err(ToString::to_string)?;
        match reading {
            Reading::DataLen => {
                if let Some(len) = item.data_len() {
                    self.add(len);
                }
            }
            Reading::Text => {
                if let Some(text) = item.text() {
                    let text = text?;
                    self.add(text.data.len());
                    self.type_bytes += type_len(text.event_type);
                    self.id_bytes += text.id.map_or(0, str::len);
                }
            }
        }
        Ok(())
    }
}

impl<T: Item> Item for Option<T> {
    fn data_len(&self) -> Option<usize> {
        self.as_ref().and_then(T::data_len)
    }

    fn text(&self) -> Option<Result<Text<'_>, String>> {
        self.as_ref().and_then(T::text)
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} events / {} data bytes", self.events, self.data_bytes)?;
        if self.type_bytes > 0 {
            write!(f, " / {} type bytes", self.type_bytes)?;
        }
        Ok(())
    }
}

/// A decoder under test: decodes a whole stream arriving in `chunks`, reading each event as `reading` says, or
/// says why it could not. The chunks are its own, as an HTTP body hands them out: the harness makes them (each
/// a reference to the input) before the timing starts, and the decoder drops them as it goes or at the end,
/// inside it.
pub type Decode = fn(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String>;

/// Decodes with our [`Decoder`], the way a caller reading an HTTP body does: each chunk given to
/// [`Decoder::decode_chunk`], which reads it in place unless it is short beside the stream's events. Each
/// frame is counted where it lies, as [`Counts::count`] says.
///
/// # Errors
///
/// When a line or an event exceeds the default limits.
pub fn decode(mut chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    let mut decoder = Decoder::new();
    let mut carried = BytesMut::new();
    let mut counts = Counts::default();
    // Each chunk is emptied here and dropped with the others at the end, as every peer's are.
    for chunk in &mut chunks {
        count_items(&mut counts, || decoder.decode_chunk(&mut carried, chunk), reading)?;
    }
    count_items(&mut counts, || decoder.decode_eof(&mut carried), reading)?;
    Ok(counts)
}

/// Decodes with our [`Decoder`] as a caller that appends every chunk to its own buffer does, the way
/// `FramedRead` drives a codec (see [`drive_codec`]): [`Decoder::decode`], each chunk copied once.
///
/// # Errors
///
/// When a line or an event exceeds the default limits.
pub fn decode_appended(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    let mut decoder = Decoder::new();
    drive_codec(&chunks, |buf, eof| if eof { decoder.decode_eof(buf) } else { decoder.decode(buf) }, reading)
}

/// Decodes with our [`Decoder`] fed by appending, as [`decode_appended`], but with each frame lent by
/// [`Decoder::decode_ref`] instead of handed out: for a caller that reads each event at once and keeps
/// nothing.
///
/// # Errors
///
/// When a line or an event exceeds the default limits.
pub fn decode_lent(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    let mut counts = Counts::default();
    // The loop of `count_items`, written out: a closure cannot hand out what borrows its own captures.
    for chunk in &chunks {
        buf.extend_from_slice(chunk);
        loop {
            let item = decoder.decode_ref(&mut buf);
            if matches!(item, Ok(None)) {
                break;
            }
            counts.count(&item, reading)?;
        }
    }
    loop {
        let item = decoder.decode_ref_eof(&mut buf);
        if matches!(item, Ok(None)) {
            return Ok(counts);
        }
        counts.count(&item, reading)?;
    }
}

/// The data length of a frame that is an event.
#[must_use]
pub fn frame_data_len(frame: &Frame) -> Option<usize> {
    frame.data_len()
}

/// Our frames, owned and lent, as a user reads them: the type, the ID and the data through the accessors that
/// hand out validated `&str`s (`$event_type` reads the type of `$event`).
macro_rules! our_item {
    ($frame:ty, $event:ident => $event_type:expr) => {
        impl Item for $frame {
            #[inline]
            fn data_len(&self) -> Option<usize> {
                match self {
                    Self::Event($event) => Some($event.data().len()),
                    _ => None,
                }
            }

            #[inline]
            fn text(&self) -> Option<Result<Text<'_>, String>> {
                let Self::Event($event) = self else { return None };
                let text = || {
                    Ok(Text {
                        event_type: $event_type?,
                        id: $event.id().map(EventId::to_str).transpose()?,
                        data: $event.data_str()?,
                    })
                };
                Some(text().map_err(|e: Utf8Error| e.to_string()))
            }
        }
    };
}

our_item!(Frame, event => event.event_type().to_str());
our_item!(FrameRef<'_>, event => event.event_type_str());

/// Decodes `chunks` with a decoder in the shape of `tokio_util::codec::Decoder`, driven as `FramedRead`
/// drives one: each chunk is appended to one `BytesMut` and `decode(buf, false)` called until it answers
/// `Ok(None)`; at the end of the stream, `decode(buf, true)` (the codec's `decode_eof`) likewise. Each item is
/// counted where it lies, as [`Counts::count`] says.
///
/// # Errors
///
/// The decoder's first error.
pub fn drive_codec<T: Item, E: fmt::Display>(
    chunks: &[Bytes],
    mut decode: impl FnMut(&mut BytesMut, bool) -> Result<Option<T>, E>,
    reading: Reading,
) -> Result<Counts, String> {
    let mut buf = BytesMut::new();
    let mut counts = Counts::default();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        count_items(&mut counts, || decode(&mut buf, false), reading)?;
    }
    count_items(&mut counts, || decode(&mut buf, true), reading)?;
    Ok(counts)
}

/// Calls `step` until it answers `Ok(None)`, counting each item with [`Counts::count`].
#[inline]
fn count_items<T: Item, E: fmt::Display>(
    counts: &mut Counts,
    mut step: impl FnMut() -> Result<Option<T>, E>,
    reading: Reading,
) -> Result<(), String> {
    loop {
        let item = step();
        if matches!(item, Ok(None)) {
            return Ok(());
        }
        counts.count(&item, reading)?;
    }
}

/// Counts line ends with `memchr2` over CR and LF: the physical limit a line-based decoder is compared with.
#[must_use]
pub fn count_line_ends(input: &[u8]) -> usize {
    memchr::memchr2_iter(b'\r', b'\n', input).count()
}
