//! Encoding from the caller's own strings: what a server holds before it sends an event (a type name, an ID,
//! a JSON payload, as text), and every encoder, ours and the peers', building what its API needs from them.
//!
//! # What is timed
//!
//! Every encoder gets the same [`Fields`] per event, made once before anything is timed (the texts of the
//! events of [`encode::events_of`](crate::encode::events_of), as `String`s), and borrows them as `&str`: a
//! server's fields live on in its state (a type name, a counter's text, a reused JSON buffer), so a copy
//! is the encoder API's cost, not the caller's. Inside the timing each encoder builds whatever its API takes
//! from those `&str`s (owned `String`s, `ByteString`s, a builder, or nothing: our [`EventRef`] borrows), writes
//! the event into one reused [`Output`], and drops what it built. Beside the pre-built scenario of
//! [`encode`](crate::encode), which hands every encoder values already in its own type.

use std::time::{Duration, Instant};

use bytes::Bytes;
use sse_codec::{Event, EventId, EventRef, EventType};

use crate::encode::{Output, decode_frames, difference, expected_frames};
use crate::gate::{GUARD, Verdict, catch};

/// The benchmark id of our encoder building owned [`Event`]s from the strings (the borrowed path is
/// [`OURS`](crate::OURS)).
pub const OURS_OWNED: &str = "sse-codec-owned";

/// The texts of one event as a server holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    /// The event type, `None` for `message`.
    pub event_type: Option<String>,
    /// The ID, where one is sent.
    pub id: Option<String>,
    /// The reconnection time sent with the event.
    pub retry: Option<u64>,
    /// The payload.
    pub data: String,
}

/// The fields of `events` as text.
///
/// # Errors
///
/// When a value is not UTF-8 (no corpus has one).
pub fn fields_of(events: &[Event]) -> Result<Vec<Fields>, String> {
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).map_err(|_| "a value is not UTF-8".to_owned());
    events
        .iter()
        .map(|e| {
            Ok(Fields {
                event_type: (!e.event_type().is_message()).then(|| text(e.event_type().as_bytes())).transpose()?,
                id: e.id().map(|id| text(id.as_bytes())).transpose()?,
                retry: e.retry(),
                data: text(e.data())?,
            })
        })
        .collect()
}

/// An encoder given the fields of every event: it writes them all into `out` (cleared by the caller).
pub type EncodeStrings = fn(fields: &[Fields], out: &mut Output) -> Result<(), String>;

/// Every encoder of this scenario with its benchmark id: ours borrowed ([`OURS`](crate::OURS)), ours owned
/// ([`OURS_OWNED`]), then the peers by their crate's name, as in [`ENCODERS`](crate::peers::ENCODERS).
pub const STRING_ENCODERS: &[(&str, EncodeStrings)] = &[
    (crate::OURS, encode_ours),
    (OURS_OWNED, encode_ours_owned),
    ("sse-stream", crate::peers::strings::encode_sse_stream),
    ("sse-codec-0.3.3", crate::peers::strings::encode_sse_codec_0_3),
    ("russe", crate::peers::strings::encode_russe),
    ("axum", crate::peers::strings::encode_axum),
];

/// Ours, borrowed: an [`EventRef`] over the strings, validated and written into the output buffer. Nothing
/// is copied but into the output, and nothing is allocated.
///
/// # Errors
///
/// A type or ID that could inject a line (none in the corpora).
pub fn encode_ours(fields: &[Fields], out: &mut Output) -> Result<(), String> {
    for f in fields {
        let mut event = EventRef::new(&f.data);
        event.event_type = f.event_type.as_deref().map(str::as_bytes);
        event.id = f.id.as_deref().map(str::as_bytes);
        event.retry = f.retry;
        event.encode(&mut out.buf).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Ours, owned: an [`Event`] built from the strings as a server that keeps events would (the data copied into
/// a `Bytes`, the type and ID copied inline), encoded, dropped.
///
/// # Errors
///
/// A type or ID that could inject a line (none in the corpora).
pub fn encode_ours_owned(fields: &[Fields], out: &mut Output) -> Result<(), String> {
    for f in fields {
        let mut event = Event::new(Bytes::copy_from_slice(f.data.as_bytes()));
        if let Some(event_type) = &f.event_type {
            event = event.with_event_type(EventType::try_from(event_type.as_str()).map_err(|e| e.to_string())?);
        }
        if let Some(id) = &f.id {
            event = event.with_id(EventId::try_from(id.as_str()).map_err(|e| e.to_string())?);
        }
        if let Some(millis) = f.retry {
            event = event.with_retry(millis);
        }
        event.encode(&mut out.buf).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The gate of this scenario: `encode` writes, without an error or a panic, a stream that our decoder reads
/// back as the events `fields` came from ([`expected_frames`]), in one pass of at most [`GUARD`].
#[must_use]
pub fn vet(encode: EncodeStrings, fields: &[Fields], events: &[Event]) -> Verdict {
    let mut out = Output::default();
    let started = Instant::now();
    let result = catch(|| encode(fields, &mut out));
    let took = started.elapsed();
    if let Err(e) = result {
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

/// One timed pass of `encode` over `fields` into `out`, cleared first (outside the timing).
///
/// # Panics
///
/// When the encoder fails (it passed the gate, so it does not).
pub fn timed_pass(encode: EncodeStrings, fields: &[Fields], out: &mut Output) -> Duration {
    out.clear();
    let started = Instant::now();
    let result = encode(std::hint::black_box(fields), out);
    let took = started.elapsed();
    result.expect("it passed the gate");
    took
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{CORPORA, events_of};

    #[test]
    fn every_string_encoder_passes_the_gate_on_every_corpus() {
        for &(name, generate) in &CORPORA[..2] {
            let events = events_of(&generate(128 << 10)).unwrap();
            let fields = fields_of(&events).unwrap();
            for &(encoder, encode) in STRING_ENCODERS {
                let verdict = vet(encode, &fields, &events);
                assert!(matches!(verdict, Verdict::Pass(_)), "{encoder} on {name}: {verdict:?}");
            }
        }
    }

    #[test]
    fn the_gate_finds_a_lost_id() {
        fn no_ids(fields: &[Fields], out: &mut Output) -> Result<(), String> {
            let fields: Vec<_> = fields.iter().map(|f| Fields { id: None, ..f.clone() }).collect();
            encode_ours(&fields, out)
        }
        let events = [Event::new("a").with_id(EventId::from(1))];
        let fields = fields_of(&events).unwrap();
        assert!(matches!(vet(encode_ours, &fields, &events), Verdict::Pass(_)));
        assert!(matches!(vet(no_ids, &fields, &events), Verdict::Wrong(_)));
    }
}
