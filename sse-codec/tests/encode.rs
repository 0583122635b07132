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

/// An event type or ID of any length a check reads differently (words, 16-byte blocks, `memchr2`), mostly
/// valid, sometimes with a CR, an LF or a NUL anywhere.
fn any_value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![40 => any::<u8>(), 1 => Just(b'\r'), 1 => Just(b'\n'), 1 => Just(0u8)];
    prop_oneof![
        3 => prop::collection::vec(any::<u8>().prop_filter("a valid byte", |b| ![b'\r', b'\n', 0].contains(b)), 0..80),
        2 => prop::collection::vec(byte, 0..80),
        1 => Just(b"message".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The borrowed path (`EventRef` over the caller's bytes) and every owned path (`Event` with an `EventType`
    /// and `EventId` made by `new`, `copy_from_slice`, `TryFrom`) write the same bytes, and refuse the same
    /// values with the same error. (`Event` leaves the type `message` out, as receivers assume it: the block
    /// is given no type then.)
    #[test]
    fn borrowed_and_owned_paths_agree(
        data in data(),
        event_type in prop::option::of(any_value()),
        id in prop::option::of(any_value()),
        retry in prop::option::of(any::<u64>()),
        comment in prop::option::of(data()),
    ) {
        let mut block = EventRef::new(&data);
        block.event_type = event_type.as_deref().filter(|t| !t.is_empty() && *t != b"message");
        block.id = id.as_deref();
        block.retry = retry;
        block.comment = comment.as_deref();
        let mut borrowed = BytesMut::new();
        let borrowed_result = block.encode(&mut borrowed);

        let made_type = event_type.as_deref().map(|t| {
            let made = EventType::copy_from_slice(t);
            assert_eq!(EventType::try_from(t), made);
            assert_eq!(EventType::new(Bytes::copy_from_slice(t)), made);
            if let Ok(text) = std::str::from_utf8(t) {
                assert_eq!(EventType::try_from(text), made);
                assert_eq!(EventType::try_from(text.to_owned()), made);
                assert_eq!(text.parse::<EventType>(), made);
            }
            made
        }).transpose();
        let made_id = id.as_deref().map(|i| {
            let made = EventId::copy_from_slice(i);
            assert_eq!(EventId::try_from(i), made);
            assert_eq!(EventId::new(i.to_vec()), made);
            if let Ok(text) = std::str::from_utf8(i) {
                assert_eq!(EventId::try_from(text.to_owned()), made);
                assert_eq!(text.parse::<EventId>(), made);
            }
            made
        }).transpose();
        match (made_type, made_id) {
            (Err(error), _) | (Ok(_), Err(error)) => {
                prop_assert_eq!(borrowed_result, Err(error));
                prop_assert!(borrowed.is_empty());
            }
            (Ok(made_type), Ok(made_id)) => {
                prop_assert_eq!(borrowed_result, Ok(()));
                let mut event = Event::new(data.clone());
                if let Some(event_type) = made_type {
                    event = event.with_event_type(event_type);
                }
                if let Some(id) = made_id {
                    event = event.with_id(id);
                }
                if let Some(retry) = retry {
                    event = event.with_retry(retry);
                }
                if let Some(comment) = comment.clone() {
                    event = event.with_comment(comment);
                }
                prop_assert_eq!(&wire(&event), &borrowed[..]);
                prop_assert_eq!(&event.to_bytes()[..], &borrowed[..]);
                prop_assert_eq!(&Bytes::from(&event)[..], &borrowed[..]);
                prop_assert_eq!(block.encoded_len(), borrowed.len());
            }
        }
    }
}

#[test]
fn ids_from_counters_constants_and_text() {
    const START: EventId = EventId::from_static("0");
    assert_eq!(START, "0");
    assert_eq!(EventId::from(0u64), "0");
    assert_eq!(EventId::from(u64::MAX), "18446744073709551615");
    assert_eq!(EventId::from(42u64).to_string(), "42");
    assert_eq!(EventType::from_static("update").to_string(), "update");
    assert_eq!(format!("{:>4}", EventId::from(7u64)), "   7", "Display pads as text does");
    assert_eq!(EventId::copy_from_slice(b"\xff").unwrap().to_string(), "\u{fffd}");
    let long = "x".repeat(100);
    assert_eq!(EventId::try_from(long.as_str()).unwrap(), long.as_str());
    assert_eq!(EventType::try_from(long.clone()).unwrap(), long.as_str());
}

#[test]
#[should_panic(expected = "NUL")]
fn id_from_static_panics_on_nul() {
    let _ = EventId::from_static("1\0");
}

#[test]
#[should_panic(expected = "line break")]
fn id_from_static_panics_on_a_line_break() {
    let _ = EventId::from_static("1\n");
}

#[test]
fn to_bytes_is_the_encoding() {
    let event = Event::new("a\nb").with_event_type(EventType::from_static("t")).with_id(EventId::from(3u64));
    assert_eq!(&event.to_bytes()[..], &wire(&event)[..]);
    assert_eq!(event.to_bytes().len(), event.encoded_len());
}
