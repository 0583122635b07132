//! The encoder: exact wire bytes, refusal of anything that could inject, the zero-copy `Buf` chain, and
//! round trips through the decoder under any chunking.

mod reference;

use bytes::{Buf, Bytes, BytesMut};
use proptest::prelude::*;
use reference::{decode_chunked, drain, drain_vectored, expected_frames};
use sse_codec::{Decoder, EncodeError, Event, EventId, EventRef, EventType, Frame};

fn wire(event: &Event) -> Vec<u8> {
    let mut buf = BytesMut::new();
    event.encode(&mut buf).unwrap();
    assert_eq!(buf.len(), event.encoded_len(), "encoded_len disagrees for {event:?}");
    buf.to_vec()
}

#[test]
fn message_type_is_not_written() {
    assert_eq!(wire(&Event::new("hi")), b"data: hi\n\n");
    assert_eq!(wire(&Event::new("hi").with_event_type(EventType::from_static("message"))), b"data: hi\n\n");
    assert_eq!(wire(&Event::new("hi").with_event_type(EventType::new("").unwrap())), b"data: hi\n\n");
}

#[test]
fn every_part_in_its_order() {
    let event = Event::new("line 1\r\nline 2")
        .with_comment("note")
        .with_event_type(EventType::from_static("update"))
        .with_id(EventId::new("17").unwrap())
        .with_retry(2500);
    assert_eq!(wire(&event), b": note\nevent: update\nid: 17\nretry: 2500\ndata: line 1\ndata: line 2\n\n");
}

#[test]
fn empty_data_still_dispatches() {
    assert_eq!(wire(&Event::new("")), b"data: \n\n");
    let frames = decode_chunked(&mut Decoder::new(), &wire(&Event::new("")), &[]);
    let [Ok(Frame::Event(event))] = &frames[..] else { panic!("{frames:?}") };
    assert_eq!(event.data(), "");
}

#[test]
fn leading_space_survives() {
    let frames = decode_chunked(&mut Decoder::new(), &wire(&Event::new("  two spaces")), &[]);
    let [Ok(Frame::Event(event))] = &frames[..] else { panic!("{frames:?}") };
    assert_eq!(event.data(), "  two spaces");
}

#[test]
fn forged_event_in_type_or_id_is_refused() {
    assert_eq!(EventType::new("x\n\ndata: forged"), Err(EncodeError::LineBreakInEventType));
    assert_eq!(EventType::new(Bytes::from_static(b"x\r")), Err(EncodeError::LineBreakInEventType));
    assert_eq!(EventId::new(String::from("1\ndata: forged")), Err(EncodeError::LineBreakInId));
    assert_eq!(EventId::new(&b"1\r"[..]), Err(EncodeError::LineBreakInId));
    assert_eq!(EventId::new("1\0"), Err(EncodeError::NulInId));
}

#[test]
#[should_panic(expected = "line break")]
fn from_static_panics_on_a_line_break() {
    let _ = EventType::from_static("a\nb");
}

#[test]
fn forged_event_in_data_or_comment_stays_data() {
    let event = Event::new("x\n\nevent: forged\rdata: y").with_comment("c\n\ndata: z");
    let frames = decode_chunked(&mut Decoder::new(), &wire(&event), &[]);
    let events: Vec<_> = frames.iter().filter(|f| matches!(f, Ok(Frame::Event(_)))).collect();
    assert_eq!(events.len(), 1);
    let Ok(Frame::Event(event)) = events[0] else { unreachable!() };
    assert_eq!(event.data(), "x\n\nevent: forged\ndata: y");
    assert_eq!(event.event_type(), "message");
}

#[test]
fn lone_lines_keep_alive_and_retry() {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(sse_codec::KEEP_ALIVE);
    EventRef::retry(3000).encode(&mut buf).unwrap();
    EventRef::comment(b"still here\nreally").encode(&mut buf).unwrap();
    assert_eq!(&buf[..], b":\n\nretry: 3000\n\n: still here\n: really\n\n");
    let frames = decode_chunked(&mut Decoder::new(), &buf, &[]);
    assert_eq!(
        frames,
        [
            Ok(Frame::Comment(Bytes::new())),
            Ok(Frame::Retry(3000)),
            Ok(Frame::Comment("still here".into())),
            Ok(Frame::Comment("really".into())),
        ]
    );
}

#[test]
fn decoded_frames_reencode_to_the_same_frames() {
    let input = b": hi\nretry: 10\n\nevent: a\nid: 1\ndata: x\ndata: y\n\ndata: z\n\n";
    let frames: Vec<Frame> = decode_chunked(&mut Decoder::new(), input, &[]).into_iter().map(Result::unwrap).collect();
    let mut buf = BytesMut::new();
    for frame in &frames {
        frame.encode(&mut buf).unwrap();
    }
    let again: Vec<Frame> = decode_chunked(&mut Decoder::new(), &buf, &[]).into_iter().map(Result::unwrap).collect();
    assert_eq!(again, frames);
}

#[test]
fn fixed_buffer_too_small_gets_an_error_and_nothing_written() {
    let event = Event::new("hello");
    let mut out = [0u8; 12];
    let mut dst = &mut out[..];
    assert_eq!(event.encode(&mut dst), Err(EncodeError::BufferTooSmall { needed: 13, remaining: 12 }));
    assert_eq!(out, [0u8; 12]);
    let mut out = [0u8; 13];
    let mut dst = &mut out[..];
    event.encode(&mut dst).unwrap();
    assert_eq!(&out, b"data: hello\n\n");
}

#[test]
fn chain_shares_the_payload_line_by_line() {
    let payload = Bytes::from_static(b"one\r\ntwo\rthree\n");
    let mut buf = Event::new(payload.clone()).with_id(EventId::new("9").unwrap()).into_buf();
    let mut pieces = Vec::new();
    while buf.has_remaining() {
        let chunk = buf.chunk();
        pieces.push((chunk.to_vec(), payload.as_ptr_range().contains(&chunk.as_ptr())));
        let n = chunk.len();
        buf.advance(n);
    }
    let expected: Vec<(&[u8], bool)> = vec![
        (b"id: 9\ndata: ", false),
        (b"one", true),
        (b"\ndata: ", false),
        (b"two", true),
        (b"\ndata: ", false),
        (b"three", true),
        (b"\ndata: ", false),
        (b"\n\n", false),
    ];
    let expected: Vec<(Vec<u8>, bool)> = expected.into_iter().map(|(p, shared)| (p.to_vec(), shared)).collect();
    assert_eq!(pieces, expected);
}

/// Data made of line breaks of every kind, spaces, colons, field names and any Unicode or bytes.
fn data() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => Just(b"\n".to_vec()),
        3 => Just(b"\r".to_vec()),
        3 => Just(b"\r\n".to_vec()),
        2 => Just(b" ".to_vec()),
        1 => Just(b"data: ".to_vec()),
        1 => Just(b":".to_vec()),
        4 => any::<String>().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// A value without CR and LF (and, for IDs, without NUL).
fn one_line(allow_nul: bool) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..12).prop_map(move |mut bytes| {
        bytes.retain(|&b| b != b'\r' && b != b'\n' && (allow_nul || b != 0));
        bytes
    })
}

fn event() -> impl Strategy<Value = Event> {
    (
        data(),
        prop::option::of(one_line(true)),
        prop::option::of(one_line(false)),
        prop::option::of(any::<u64>()),
        prop::option::of(data()),
    )
        .prop_map(|(data, event_type, id, retry, comment)| {
            let mut event = Event::new(data);
            if let Some(event_type) = event_type {
                event = event.with_event_type(EventType::new(event_type).unwrap());
            }
            if let Some(id) = id {
                event = event.with_id(EventId::new(id).unwrap());
            }
            if let Some(retry) = retry {
                event = event.with_retry(retry);
            }
            if let Some(comment) = comment {
                event = event.with_comment(comment);
            }
            event
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// decode(encode(events)) gives the events back, one per event, with CR and CRLF in data as LF, under
    /// any chunking.
    #[test]
    fn round_trip_under_any_chunking(
        events in prop::collection::vec(event(), 1..6),
        cuts in prop::collection::vec(0usize..2000, 0..10),
    ) {
        let mut buf = BytesMut::new();
        for event in &events {
            event.encode(&mut buf).unwrap();
        }
        let decoded: Vec<Frame> = decode_chunked(&mut Decoder::new(), &buf, &cuts)
            .into_iter()
            .map(|f| f.expect("within default limits"))
            .collect();
        prop_assert_eq!(decoded, expected_frames(&events));
    }

    /// An invalid event type or ID is refused, and nothing is written.
    #[test]
    fn invalid_type_or_id_writes_nothing(
        value in one_line(true),
        cut in any::<prop::sample::Index>(),
        breaker in prop_oneof![Just(&b"\r"[..]), Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b"\0"[..])],
        is_id in any::<bool>(),
    ) {
        // NUL is allowed in an event type: it is only refused in IDs.
        prop_assume!(is_id || breaker != b"\0");
        let at = cut.index(value.len() + 1);
        let bad = [&value[..at], breaker, &value[at..]].concat();
        let block = if is_id {
            EventRef { id: Some(&bad), ..EventRef::data(b"x") }
        } else {
            EventRef { event_type: Some(&bad), ..EventRef::data(b"x") }
        };
        let expected = match (is_id, breaker) {
            (false, _) => EncodeError::LineBreakInEventType,
            (true, b"\0") => EncodeError::NulInId,
            (true, _) => EncodeError::LineBreakInId,
        };
        let mut buf = BytesMut::from(&b"before"[..]);
        prop_assert_eq!(block.encode(&mut buf), Err(expected));
        prop_assert_eq!(&buf[..], b"before");
        let owned = if is_id { EventId::new(bad).map(drop) } else { EventType::new(bad).map(drop) };
        prop_assert_eq!(owned, Err(expected));
    }

    /// The `Buf` chain yields exactly the bytes of the `BufMut` encoding, however it is read.
    #[test]
    fn chain_equals_bufmut_encoding(event in event(), step in 1usize..16, slots in 1usize..8) {
        let bytes = wire(&event);
        prop_assert_eq!(event.clone().into_buf().remaining(), bytes.len());
        prop_assert_eq!(&drain(event.clone().into_buf(), usize::MAX), &bytes);
        prop_assert_eq!(&drain(event.clone().into_buf(), step), &bytes);
        prop_assert_eq!(&drain_vectored(event.into_buf(), slots), &bytes);
    }
}
