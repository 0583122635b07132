//! Encoding: the events every encoder is given, the one shape every encoder is run in ([`Prepare`],
//! [`Prepared`], [`Batch`], [`Output`]), our encoder in that shape, and the gate an encoder passes before it
//! is timed ([`vet`]).
//!
//! # What is timed
//!
//! Every encoder is handed the same events, each already built in the encoder's own type (ours:
//! [`Event`]; a peer: its event struct, or the text its builder takes), and has to turn them into the bytes of
//! the stream. The values are built from ours once, before anything is timed ([`Prepare`]); each iteration
//! then gets fresh owned copies, made by criterion's batch setup outside the clock ([`Prepared::batch`]),
//! and consumes them while timed, as a server's send loop consumes the events it is handed: whatever the
//! encoder's API does from there (building its value from text where the API is a builder, checking fields,
//! writing, dropping what it was given) counts, and nothing before it does.
//!
//! Output goes into one reused [`Output`], cleared at the start of every iteration with its capacity kept:
//! into its buffer for an encoder that writes into a `BytesMut` (ours, russe, the crates.io sse-codec), or as
//! the frames the API hands out for one that returns a `Bytes` per event (sse-stream, axum), which are kept
//! as they are rather than copied together: a server would hand them to a vectored write.

use std::fmt;
use std::io::IoSlice;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use sse_codec::{Decoder, Event, EventId, EventType, Frame};

use crate::corpus::{Generate, big, big_lines, llm, notify};
use crate::gate::{GUARD, Verdict, catch};
use crate::{Counts, Rng, frame_data_len};

/// The inputs of the encode benches by name, in the order reports list them: each is generated as a stream,
/// decoded with our decoder, and its events encoded again (see [`events_of`]).
pub const CORPORA: &[(&str, Generate)] = &[("llm", llm), ("notify", notify), ("big", big), ("big_lines", big_lines)];

/// The payload sizes of the `encode/chain` group, by their parameter in the benchmark id.
pub const CHAIN_SIZES: &[(&str, usize)] = &[("1KiB", 1 << 10), ("1MiB", 1 << 20)];

/// The benchmark id of our encoder's zero-copy path ([`Event::into_buf`]) in the `encode/chain` group.
pub const CHAIN: &str = "sse-codec-chain";

/// The events a stream carries, as a server would hold them to send them again: one [`Event`] per event
/// our decoder dispatches, each value copied into an allocation of its own (as freshly serialized JSON
/// is), with the `retry` a block sent attached to the event it came with (or the next one), and an ID only
/// where the stream sent one (the decoder repeats the last ID on every later event, as `EventSource`
/// reports it). Comments are dropped: they are keep-alives, which a server sends from a timer.
///
/// # Errors
///
/// When our decoder refuses the stream.
pub fn events_of(stream: &[u8]) -> Result<Vec<Event>, String> {
    let mut events = Vec::new();
    let mut retry = None;
    let mut last_id: Option<EventId> = None;
    for frame in decode_frames(stream)? {
        match frame {
            Frame::Event(decoded) => {
                let own = |value: &[u8]| Bytes::copy_from_slice(value);
                let mut event = Event::new(own(decoded.data()));
                if !decoded.event_type().is_message() {
                    let event_type = EventType::new(own(decoded.event_type().as_bytes())).map_err(|e| e.to_string())?;
                    event = event.with_event_type(event_type);
                }
                if decoded.id() != last_id.as_ref() {
                    last_id = decoded.id().cloned();
                    if let Some(id) = &last_id {
                        let id = EventId::new(own(id.as_bytes())).map_err(|e| e.to_string())?;
                        event = event.with_id(id);
                    }
                }
                if let Some(millis) = retry.take() {
                    event = event.with_retry(millis);
                }
                events.push(event);
            }
            Frame::Retry(millis) => retry = Some(millis),
            _ => {}
        }
    }
    Ok(events)
}

/// The stream our encoder writes for `events`, with [`Event::encode`]: the reference every peer's output
/// size is measured against, and what the `memcpy` limit copies.
#[must_use]
pub fn encoded(events: &[Event]) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.iter().map(Event::encoded_len).sum());
    for event in events {
        event.encode(&mut out).expect("a growable buffer has room");
    }
    out
}

/// What an encoder produced in one iteration. An encoder writes into [`Output::buf`] or pushes whole frames
/// onto [`Output::frames`], not both.
#[derive(Debug, Default)]
pub struct Output {
    /// The stream, for an encoder that writes into a buffer.
    pub buf: BytesMut,
    /// The stream as frames, one per event, for an encoder that hands out a `Bytes` per event.
    pub frames: Vec<Bytes>,
}

impl Output {
    /// Empties both parts, keeping the buffer's capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.frames.clear();
    }

    /// The number of bytes produced.
    #[must_use]
    pub fn len(&self) -> usize {
        self.buf.len() + self.frames.iter().map(Bytes::len).sum::<usize>()
    }

    /// Whether nothing was produced.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stream in one piece: the buffer, then the frames.
    #[must_use]
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        out.extend_from_slice(&self.buf);
        for frame in &self.frames {
            out.extend_from_slice(frame);
        }
        out
    }
}

/// An encoder under test, the way every one is run: it builds its own values from our events (outside
/// timing), or says why it cannot express them.
pub type Prepare = fn(events: &[Event]) -> Result<Prepared, String>;

/// An encoder's own values for a whole input, built once, and the function that encodes them.
pub struct Prepared {
    make: Box<dyn Fn() -> Batch>,
}

impl Prepared {
    /// Wraps `values` (the encoder's own event values, in order) and `encode`, which consumes a fresh copy
    /// of them into the output each iteration.
    #[must_use]
    pub fn new<T: Clone + 'static>(values: Vec<T>, encode: fn(Vec<T>, &mut Output) -> Result<(), String>) -> Self {
        Self { make: Box::new(move || Batch(Box::new(Some((values.clone(), encode))))) }
    }

    /// A fresh owned copy of the values, ready to be encoded once: criterion's batch setup, not timed.
    #[must_use]
    pub fn batch(&self) -> Batch {
        (self.make)()
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared").finish_non_exhaustive()
    }
}

/// One iteration's input: owned values and the function that consumes them.
pub struct Batch(Box<dyn Run>);

impl Batch {
    /// Clears `out`, then encodes the values into it (the timed part).
    ///
    /// # Errors
    ///
    /// The encoder's error.
    pub fn encode(mut self, out: &mut Output) -> Result<(), String> {
        out.clear();
        self.0.run(out)
    }
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch").finish_non_exhaustive()
    }
}

/// The type-erased body of a [`Batch`].
trait Run {
    fn run(&mut self, out: &mut Output) -> Result<(), String>;
}

type Encode<T> = fn(Vec<T>, &mut Output) -> Result<(), String>;

impl<T> Run for Option<(Vec<T>, Encode<T>)> {
    fn run(&mut self, out: &mut Output) -> Result<(), String> {
        let (values, encode) = self.take().expect("a batch is encoded once");
        encode(values, out)
    }
}

/// Our encoder: every [`Event`] written with [`Event::encode`] into the output buffer.
///
/// # Errors
///
/// None in practice: a growable buffer always has room, and the events' types and IDs were validated when
/// they were made.
pub fn prepare_ours(events: &[Event]) -> Result<Prepared, String> {
    Ok(Prepared::new(events.to_vec(), encode_ours))
}

fn encode_ours(events: Vec<Event>, out: &mut Output) -> Result<(), String> {
    for event in events {
        event.encode(&mut out.buf).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What our decoder reports for `stream`, comments left out (no encoder here is asked to send any).
///
/// # Errors
///
/// Our decoder's error, e.g. a line over its limit.
pub fn decode_frames(stream: &[u8]) -> Result<Vec<Frame>, String> {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::from(stream);
    let mut frames = Vec::new();
    while let Some(frame) = decoder.decode_eof(&mut buf).map_err(|e| e.to_string())? {
        if !matches!(frame, Frame::Comment(_)) {
            frames.push(frame);
        }
    }
    Ok(frames)
}

/// What a receiver must see for `events`: each event's `retry` as a frame of its own, then the event with
/// its data as received (every CR and CRLF an LF) and the ID `EventSource` reports for it (its own, or the
/// last one sent before it). The oracle the crate's tests and fuzz targets use.
#[must_use]
pub fn expected_frames(events: &[Event]) -> Vec<Frame> {
    crate::reference::expected_frames(events)
}

fn counts(frames: &[Frame]) -> Counts {
    let mut counts = Counts::default();
    frames.iter().filter_map(frame_data_len).for_each(|len| counts.add(len));
    counts
}

/// Where `got` first differs from `expected`, said briefly; `None` when they agree. Event types agree when
/// both mean `message` (empty or `message`).
#[must_use]
pub fn difference(got: &[Frame], expected: &[Frame]) -> Option<String> {
    let (got_counts, expected_counts) = (counts(got), counts(expected));
    if got_counts != expected_counts {
        return Some(format!("{got_counts}, expected {expected_counts}"));
    }
    let mut event_index = 0;
    for (got, expected) in got.iter().zip(expected) {
        let at = format!("event {event_index}");
        match (got, expected) {
            (Frame::Event(got), Frame::Event(expected)) => {
                if got.data() != expected.data() {
                    let byte = got.data().iter().zip(expected.data().iter()).take_while(|(a, b)| a == b).count();
                    return Some(format!(
                        "{at}: {} data bytes, expected {}, first difference at byte {byte}",
                        got.data().len(),
                        expected.data().len()
                    ));
                }
                let (got_type, expected_type) = (got.event_type(), expected.event_type());
                if got_type != expected_type && !(got_type.is_message() && expected_type.is_message()) {
                    return Some(format!("{at}: type {got_type:?}, expected {expected_type:?}"));
                }
                if got.id() != expected.id() {
                    return Some(format!("{at}: id {:?}, expected {:?}", got.id(), expected.id()));
                }
                event_index += 1;
            }
            (Frame::Retry(got), Frame::Retry(expected)) if got == expected => {}
            (got, expected) => {
                return Some(format!("before {at}: {} where {} was expected", kind(got), kind(expected)));
            }
        }
    }
    if got.len() != expected.len() {
        let retries = |frames: &[Frame]| frames.iter().filter(|f| matches!(f, Frame::Retry(_))).count();
        return Some(format!("{} retry frames, expected {}", retries(got), retries(expected)));
    }
    None
}

fn kind(frame: &Frame) -> String {
    match frame {
        Frame::Retry(millis) => format!("retry {millis}"),
        Frame::Event(_) => "an event".to_owned(),
        _ => "a comment".to_owned(),
    }
}

/// The gate for an encoder: it must be able to express `events` ([`Prepare`] succeeds), encode them without
/// an error or a panic, into a stream that our decoder reads back as [`expected_frames`] (same events in
/// the same order, with the same data, types, IDs and retries), in one pass of at most [`GUARD`].
#[must_use]
pub fn vet(prepare: Prepare, events: &[Event]) -> Verdict {
    let prepared = match catch(|| prepare(events)) {
        Ok(prepared) => prepared,
        Err(e) => return Verdict::Wrong(format!("cannot express the events: {e}")),
    };
    let batch = prepared.batch();
    let mut out = Output::default();
    let started = Instant::now();
    let encoded = catch(|| batch.encode(&mut out));
    let took = started.elapsed();
    if let Err(e) = encoded {
        return Verdict::Wrong(e);
    }
    let got = match decode_frames(&out.to_vec()) {
        Ok(frames) => frames,
        Err(e) => return Verdict::Wrong(format!("our decoder refused the output: {e}")),
    };
    if let Some(difference) = difference(&got, &expected_frames(events)) {
        return Verdict::Wrong(difference);
    }
    if took > GUARD {
        return Verdict::TooSlow(format!("{:.2} s per pass", took.as_secs_f64()));
    }
    Verdict::Pass(took)
}

/// The event of the `encode/chain` group: a `payload_len`-byte single-line payload (base64 text, as an
/// image chunk is sent) with an ID, so that the chain has a head of its own to build.
#[must_use]
pub fn chain_event(payload_len: usize) -> Event {
    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = Rng::new(0x000C_4A12);
    let payload: Vec<u8> = (0..payload_len).map(|_| BASE64[rng.below(BASE64.len())]).collect();
    Event::new(payload).with_id(EventId::new("1").expect("a valid id"))
}

/// One iteration of the `encode/chain` group: clones `event` (reference counts only), turns it into an
/// [`EventBuf`](sse_codec::EventBuf) and walks it as a vectored writer would, taking up to 16 slices at a time
/// with `chunks_vectored` and advancing past them, without copying a byte. Returns the bytes walked.
#[must_use]
pub fn walk_chain(event: &Event) -> usize {
    let mut buf = event.clone().into_buf();
    let mut walked = 0;
    while buf.has_remaining() {
        let mut slices = [IoSlice::new(&[]); 16];
        let n = buf.chunks_vectored(&mut slices);
        let len: usize = slices[..n].iter().map(|slice| slice.len()).sum();
        walked += len;
        buf.advance(len);
    }
    walked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_events() -> Vec<Event> {
        vec![
            Event::new("a").with_id(EventId::new("1").unwrap()).with_retry(5000),
            Event::new("b\nc").with_event_type(EventType::from_static("t")),
        ]
    }

    #[test]
    fn events_keep_ids_only_where_sent_and_attach_retries() {
        let stream = b": ping\n\nid: 7\ndata: a\n\nretry: 300\n\ndata: b\n\nid: 8\nevent: t\ndata: c\ndata: d\n\n";
        let events = events_of(stream).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].id().unwrap(), "7");
        assert_eq!((events[1].id(), events[1].retry()), (None, Some(300)));
        assert_eq!(
            (events[2].id().unwrap(), events[2].event_type()),
            (&EventId::new("8").unwrap(), &EventType::new("t").unwrap())
        );
        assert_eq!(&events[2].data()[..], b"c\nd");
        // Encoded again, the stream means the same to a receiver.
        assert_eq!(difference(&decode_frames(&encoded(&events)).unwrap(), &decode_frames(stream).unwrap()), None);
    }

    #[test]
    fn every_corpus_round_trips_through_our_encoder() {
        for &(name, generate) in CORPORA {
            let events = events_of(&generate(256 << 10)).unwrap();
            assert!(events.len() > 1, "{name}");
            assert!(matches!(vet(prepare_ours, &events), Verdict::Pass(_)), "{name}");
        }
    }

    #[test]
    fn big_lines_has_64_kib_events_with_a_line_feed_about_every_80_bytes() {
        let events = events_of(&big_lines(256 << 10)).unwrap();
        for event in &events {
            assert_eq!(event.data().len(), crate::corpus::BIG_LINE_LEN);
            let lines = event.data().split(|&b| b == b'\n').count();
            assert!((650..=1100).contains(&lines), "{lines} lines");
        }
    }

    #[test]
    fn the_gate_finds_what_an_encoder_got_wrong() {
        /// Our events again, less what an encoder might lose.
        fn rebuilt(events: &[Event], keep_type: bool, keep_id: bool, keep_retry: bool) -> Vec<Event> {
            let rebuild = |e: &Event| {
                let mut event = Event::new(e.data().clone());
                if keep_type {
                    event = event.with_event_type(e.event_type().clone());
                }
                if let Some(id) = e.id().filter(|_| keep_id) {
                    event = event.with_id(id.clone());
                }
                if let Some(millis) = e.retry().filter(|_| keep_retry) {
                    event = event.with_retry(millis);
                }
                event
            };
            events.iter().map(rebuild).collect()
        }
        fn no_ids(events: &[Event]) -> Result<Prepared, String> {
            Ok(Prepared::new(rebuilt(events, true, false, true), encode_ours))
        }
        fn no_retry(events: &[Event]) -> Result<Prepared, String> {
            Ok(Prepared::new(rebuilt(events, true, true, false), encode_ours))
        }
        fn typeless(events: &[Event]) -> Result<Prepared, String> {
            Ok(Prepared::new(rebuilt(events, false, true, true), encode_ours))
        }
        fn last_dropped(events: &[Event]) -> Result<Prepared, String> {
            Ok(Prepared::new(events[..events.len() - 1].to_vec(), encode_ours))
        }
        fn refuses(_: &[Event]) -> Result<Prepared, String> {
            Err("no ids".to_owned())
        }
        fn panics(events: &[Event]) -> Result<Prepared, String> {
            fn boom(_: Vec<Event>, _: &mut Output) -> Result<(), String> {
                panic!("boom")
            }
            Ok(Prepared::new(events.to_vec(), boom))
        }
        let events = two_events();
        assert!(matches!(vet(prepare_ours, &events), Verdict::Pass(_)));
        let wrong = |prepare: Prepare| match vet(prepare, &events) {
            Verdict::Wrong(detail) => detail,
            other => panic!("not caught: {other:?}"),
        };
        assert_eq!(wrong(no_ids), "event 0: id None, expected Some(\"1\")");
        assert_eq!(wrong(no_retry), "before event 0: an event where retry 5000 was expected");
        assert_eq!(wrong(last_dropped), "1 events / 1 data bytes, expected 2 events / 4 data bytes");
        assert_eq!(wrong(typeless), "event 1: type \"message\", expected \"t\"");
        assert_eq!(wrong(refuses), "cannot express the events: no ids");
        assert_eq!(wrong(panics), "panicked: boom");
    }

    #[test]
    fn line_breaks_are_expected_as_lf() {
        let frames = expected_frames(&[Event::new("a\r\nb\rc\n\r\rd\r")]);
        assert_eq!(frames, [Frame::Event(Event::new("a\nb\nc\n\n\nd\n"))]);
        let stream = encoded(&[Event::new("x\r\ny")]);
        assert_eq!(difference(&decode_frames(&stream).unwrap(), &expected_frames(&[Event::new("x\r\ny")])), None);
    }

    #[test]
    fn data_differences_say_where() {
        let got = [Frame::Event(Event::new("abXd"))];
        let expected = [Frame::Event(Event::new("abcd"))];
        assert_eq!(
            difference(&got, &expected).unwrap(),
            "event 0: 4 data bytes, expected 4, first difference at byte 2"
        );
    }

    #[test]
    fn output_joins_frames_after_the_buffer() {
        let mut out = Output::default();
        out.buf.extend_from_slice(b"ab");
        out.frames.push(Bytes::from_static(b"cd"));
        assert_eq!((out.len(), out.to_vec()), (4, b"abcd".to_vec()));
        out.clear();
        assert!(out.is_empty());
    }

    #[test]
    fn a_batch_clears_the_output_first() {
        let events = two_events();
        let prepared = prepare_ours(&events).unwrap();
        let mut out = Output::default();
        prepared.batch().encode(&mut out).unwrap();
        prepared.batch().encode(&mut out).unwrap();
        assert_eq!(out.to_vec(), encoded(&events));
    }

    #[test]
    fn the_chain_walks_every_byte_and_hands_out_the_payload_itself() {
        for &(_, len) in CHAIN_SIZES {
            let event = chain_event(len);
            assert_eq!(walk_chain(&event), event.encoded_len());
            let buf = event.clone().into_buf();
            let mut slices = [IoSlice::new(&[]); 16];
            let n = buf.chunks_vectored(&mut slices);
            assert!(slices[..n].iter().any(|slice| slice.as_ptr() == event.data().as_ptr()), "the payload was copied");
        }
    }
}
