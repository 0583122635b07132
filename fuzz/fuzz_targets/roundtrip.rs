//! Arbitrary events, encoded then decoded in arbitrary chunks, come back one for one (CR and CRLF in data as
//! LF); an invalid event type or ID is refused and nothing is written.

#![no_main]

mod input;
#[path = "../../sse-codec/tests/reference/mod.rs"]
mod reference;

use bytes::BytesMut;
use input::RawEvent;
use libfuzzer_sys::fuzz_target;
use reference::{decode_chunked, expected_frames};
use sse_codec::{Decoder, EventRef};

fuzz_target!(|case: (Vec<RawEvent>, Vec<u16>)| {
    let (raw, cuts) = case;
    let mut events = Vec::new();
    let mut wire = BytesMut::new();
    for raw in &raw {
        match raw.build() {
            Ok(event) => {
                event.encode(&mut wire).expect("a growable buffer has room");
                events.push(event);
            }
            Err(error) => {
                // The same values through the borrowed encoder: refused the same way, nothing written.
                let (event_type, id, data) =
                    (raw.event_type.as_ref().map(|t| t.bytes()), raw.id.as_ref().map(|t| t.bytes()), raw.data.bytes());
                let block = EventRef { event_type: event_type.as_deref(), id: id.as_deref(), ..EventRef::data(&data) };
                let before = wire.len();
                assert_eq!(block.encode(&mut wire), Err(error));
                assert_eq!(wire.len(), before, "a refused event wrote bytes");
            }
        }
    }
    let cuts: Vec<usize> = cuts.into_iter().map(usize::from).collect();
    let decoded: Vec<_> = decode_chunked(&mut Decoder::new(), &wire, &cuts)
        .into_iter()
        .map(|f| f.expect("within the default limits"))
        .collect();
    assert_eq!(decoded, expected_frames(&events));
});
