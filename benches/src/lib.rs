//! Benchmarks for sse-codec: deterministic corpora ([`corpus`]), our decoder and the peer decoders behind one
//! signature ([`decode`], [`peers`]), the gate every peer passes before it is timed ([`gate`]), our encoder
//! and the peer encoders in one shape with a gate of their own ([`encode`], [`peers`]), and the results as
//! criterion stores them, read back for the report ([`results`]), and the least work a decoder or encoder of
//! our design must do, for scale ([`floor`]).

use std::fmt;

use bytes::{Bytes, BytesMut};
use sse_codec::{Decoder, Frame};

pub mod adapters;
pub mod chart;
pub mod corpus;
pub mod encode;
pub mod floor;
pub mod gate;
pub mod peers;
pub mod results;
pub mod sending;
pub mod strings;

/// The test oracles of `sse-codec` (a spec-literal reference decoder, what a receiver must decode from encoded
/// events), shared with its tests and fuzz targets without entering its public API.
#[path = "../../sse-codec/tests/reference/mod.rs"]
mod reference;

pub use corpus::{CORPORA, Rng, big, big_lines, llm, llm_crlf, multiline, notify};

/// The size every corpus is generated at: large enough that caches do not hold it all, small enough that a
/// slow peer still finishes a pass in well under a second.
pub const CORPUS_LEN: usize = 4 << 20;

/// The benchmark id of our decoder (and encoder) in every group.
pub const OURS: &str = "sse-codec";

/// The name `profile` and `compare` give our decoder fed by appending (see [`decode_appended`]).
pub const APPENDED: &str = "sse-codec-appended";

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

/// What a decoder dispatched: the number of events, and their data bytes added up. Two decoders that agree
/// on both for a corpus are taken to decode it alike.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Dispatched events (comments, `retry` and events with no data do not count).
    pub events: usize,
    /// The length of every event's data (multi-line data joined with LF, the trailing LF removed), summed.
    pub data_bytes: usize,
}

impl Counts {
    /// Counts one event with `data_bytes` of data.
    pub const fn add(&mut self, data_bytes: usize) {
        self.events += 1;
        self.data_bytes += data_bytes;
    }

    /// Counts one item a decoder gave, looked at where it lies: its data when `data_len` says it is an event,
    /// nothing otherwise; the decoder's error as text.
    ///
    /// Every harness counts this way, ours and the peers' alike, rather than moving the event out of the
    /// result first (`result.map_err(..)?`): a move copies the whole event, which costs a decoder with a large
    /// event type more than one with a small one, and would measure the harness rather than the decoder.
    ///
    /// # Errors
    ///
    /// The decoder's error.
    pub fn count<T, E: fmt::Display>(
        &mut self,
        item: &Result<T, E>,
        data_len: impl FnOnce(&T) -> Option<usize>,
    ) -> Result<(), String> {
        match item {
            Ok(item) => {
                if let Some(len) = data_len(item) {
                    self.add(len);
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} events / {} data bytes", self.events, self.data_bytes)
    }
}

/// A decoder under test: decodes a whole stream arriving in `chunks`, or says why it could not. The chunks
/// are its own, as an HTTP body hands them out: the harness makes them (each a reference to the input)
/// before the timing starts, and the decoder drops them as it goes or at the end, inside it.
pub type Decode = fn(chunks: Vec<Bytes>) -> Result<Counts, String>;

/// Decodes with our [`Decoder`], the way a caller reading an HTTP body does: each chunk given to
/// [`Decoder::decode_chunk`], which reads it in place unless it is short beside the stream's events. Each
/// frame is counted where it lies, as [`Counts::count`] says.
///
/// # Errors
///
/// When a line or an event exceeds the default limits.
pub fn decode(mut chunks: Vec<Bytes>) -> Result<Counts, String> {
    let mut decoder = Decoder::new();
    let mut carried = BytesMut::new();
    let mut counts = Counts::default();
    // Each chunk is emptied here and dropped with the others at the end, as every peer's are.
    for chunk in &mut chunks {
        count_items(&mut counts, || decoder.decode_chunk(&mut carried, chunk), frame_data_len)?;
    }
    count_items(&mut counts, || decoder.decode_eof(&mut carried), frame_data_len)?;
    Ok(counts)
}

/// Decodes with our [`Decoder`] as a caller that appends every chunk to its own buffer does, the way
/// `FramedRead` drives a codec (see [`drive_codec`]): [`Decoder::decode`], each chunk copied once.
///
/// # Errors
///
/// When a line or an event exceeds the default limits.
pub fn decode_appended(chunks: Vec<Bytes>) -> Result<Counts, String> {
    let mut decoder = Decoder::new();
    drive_codec(&chunks, |buf, eof| if eof { decoder.decode_eof(buf) } else { decoder.decode(buf) }, frame_data_len)
}

/// The data length of a frame that is an event.
#[must_use]
pub fn frame_data_len(frame: &Frame) -> Option<usize> {
    match frame {
        Frame::Event(event) => Some(event.data().len()),
        _ => None,
    }
}

/// Decodes `chunks` with a decoder in the shape of `tokio_util::codec::Decoder`, driven as `FramedRead`
/// drives one: each chunk is appended to one `BytesMut` and `decode(buf, false)` called until it answers
/// `Ok(None)`; at the end of the stream, `decode(buf, true)` (the codec's `decode_eof`) likewise. Each item is
/// counted where it lies, as [`Counts::count`] says.
///
/// # Errors
///
/// The decoder's first error.
pub fn drive_codec<T, E: fmt::Display>(
    chunks: &[Bytes],
    mut decode: impl FnMut(&mut BytesMut, bool) -> Result<Option<T>, E>,
    data_len: impl Fn(&T) -> Option<usize>,
) -> Result<Counts, String> {
    let mut buf = BytesMut::new();
    let mut counts = Counts::default();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        count_items(&mut counts, || decode(&mut buf, false), &data_len)?;
    }
    count_items(&mut counts, || decode(&mut buf, true), &data_len)?;
    Ok(counts)
}

/// Calls `step` until it answers `Ok(None)`, counting each item with [`Counts::count`].
fn count_items<T, E: fmt::Display>(
    counts: &mut Counts,
    mut step: impl FnMut() -> Result<Option<T>, E>,
    data_len: impl Fn(&T) -> Option<usize>,
) -> Result<(), String> {
    loop {
        let item = step();
        if matches!(item, Ok(None)) {
            return Ok(());
        }
        counts.count(&item, |item| item.as_ref().and_then(&data_len))?;
    }
}

/// Counts line ends with `memchr2` over CR and LF: the physical limit a line-based decoder is compared with.
#[must_use]
pub fn count_line_ends(input: &[u8]) -> usize {
    memchr::memchr2_iter(b'\r', b'\n', input).count()
}
