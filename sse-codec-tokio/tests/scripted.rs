//! Scripted input through every bytes-in adapter (`EventStream`, `EventReader`, `SseCodec` in `FramedRead`):
//! chunks of one byte and of odd sizes, `Pending` between every chunk, a CRLF and a byte order mark split
//! across chunks, a failing body or reader, the end of the input inside an event, and a broken limit.
//!
//! These tests check `SseCodec` beside the other adapters, so they need feature `codec`, as the README's test
//! command (`--all-features`) gives them.
#![cfg(feature = "codec")]

mod common;

use std::io;
use std::time::Duration;

use bytes::Bytes;
use common::{ChunkedReader, SAMPLE, body, decoded, every, whole};
use futures::executor::block_on;
use futures::stream::{self, FusedStream, StreamExt};
use sse_codec::{DecodeError, Decoder, Event, EventId, EventType, Frame, Limits};
use sse_codec_tokio::{Error, EventReader, EventStream, SseCodec};
use tokio_test::{assert_pending, assert_ready, task};
use tokio_util::codec::FramedRead;

type Decoded = Vec<Result<Frame, DecodeError>>;

/// `input` cut at `cuts`, through each adapter with `decoder`, `Pending` before every chunk.
fn through_each(decoder: &Decoder, input: &[u8], cuts: &[usize]) -> [(&'static str, Decoded); 3] {
    let stream = EventStream::with_decoder(body(input, cuts), decoder.clone());
    let reader = EventReader::with_decoder(ChunkedReader::new(input, cuts), decoder.clone());
    let codec = FramedRead::new(ChunkedReader::new(input, cuts), SseCodec::with_decoder(decoder.clone()));
    [
        ("EventStream", decoded(block_on(stream.collect()))),
        ("EventReader", decoded(block_on(reader.collect()))),
        ("SseCodec", decoded(block_on(codec.collect()))),
    ]
}

/// Asserts that every adapter gives `expected` for `input` cut at `cuts`.
fn assert_each(decoder: &Decoder, input: &[u8], cuts: &[usize], expected: &Decoded) {
    for (adapter, frames) in through_each(decoder, input, cuts) {
        assert_eq!(&frames, expected, "{adapter}, cut at {cuts:?}");
    }
}

fn event(data: &'static str) -> Frame {
    Frame::Event(Event::new(data))
}

fn data_of(frames: &Decoded) -> Vec<String> {
    frames
        .iter()
        .filter_map(|frame| match frame {
            Ok(Frame::Event(event)) => Some(event.data_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn one_byte_chunks_and_odd_sizes_decode_as_one_buffer() {
    let expected = whole(Decoder::new(), SAMPLE);
    assert_eq!(expected.len(), 8, "{expected:?}");
    assert_eq!(data_of(&expected), [r#"{"token":"Hel"}"#, "one\ntwo", "three", "", "a long line of text for chunking"]);
    for size in [1, 2, 3, 7, 13, 64, SAMPLE.len()] {
        assert_each(&Decoder::new(), SAMPLE, &every(SAMPLE, size), &expected);
    }
    // Empty chunks among them change nothing.
    assert_each(&Decoder::new(), SAMPLE, &[0, 0, 5, 5, 5, 40, SAMPLE.len()], &expected);
}

#[test]
fn pending_between_chunks_passes_through_and_each_event_comes_with_its_chunk() {
    let mut frames = task::spawn(EventStream::new(body(b"data: a\n\ndat", &[3])));
    assert_pending!(frames.poll_next()); // before the first chunk
    assert!(frames.is_woken());
    assert_pending!(frames.poll_next()); // "dat" decoded, nothing complete: before the second chunk
    let item = assert_ready!(frames.poll_next());
    assert_eq!(item.unwrap().unwrap(), event("a"));
    assert_pending!(frames.poll_next()); // "dat" is carried over; before the end
    assert!(assert_ready!(frames.poll_next()).is_none()); // the unfinished event is dropped
    assert!(assert_ready!(frames.poll_next()).is_none());
    assert!(frames.is_terminated());
}

#[test]
fn an_event_is_handed_out_without_waiting_for_a_later_chunk() {
    // A body that never sends anything after its chunk: every event in it, including one whose blank line is
    // a CR at the very end of the chunk, must come out now.
    let chunk = Bytes::from_static(b"data: a\n\ndata: b\r\r");
    let stalled = || stream::iter([Ok::<_, io::Error>(chunk.clone())]).chain(stream::pending());
    let mut frames = task::spawn(EventStream::new(stalled()));
    assert_eq!(assert_ready!(frames.poll_next()).unwrap().unwrap(), event("a"));
    assert_eq!(assert_ready!(frames.poll_next()).unwrap().unwrap(), event("b"));
    assert_pending!(frames.poll_next());

    let (mut writer, reader) = tokio::io::duplex(64);
    block_on(tokio::io::AsyncWriteExt::write_all(&mut writer, &chunk)).unwrap();
    let mut frames = task::spawn(EventReader::new(reader));
    assert_eq!(assert_ready!(frames.poll_next()).unwrap().unwrap(), event("a"));
    assert_eq!(assert_ready!(frames.poll_next()).unwrap().unwrap(), event("b"));
    assert_pending!(frames.poll_next());
    drop(writer);
    assert!(assert_ready!(frames.poll_next()).is_none());
}

#[tokio::test(start_paused = true)]
async fn a_reader_pending_between_every_read() {
    // tokio-test's mock: each `read` is one read, and each `wait` a `Pending` until the (paused) clock moves.
    let mut builder = tokio_test::io::Builder::new();
    for piece in SAMPLE.chunks(5) {
        builder.wait(Duration::from_millis(10)).read(piece);
    }
    let frames = decoded(EventReader::new(builder.build()).collect().await);
    assert_eq!(frames, whole(Decoder::new(), SAMPLE));

    let mut builder = tokio_test::io::Builder::new();
    for piece in SAMPLE.chunks(5) {
        builder.wait(Duration::from_millis(10)).read(piece);
    }
    let frames = decoded(FramedRead::new(builder.build(), SseCodec::new()).collect().await);
    assert_eq!(frames, whole(Decoder::new(), SAMPLE));
}

#[test]
fn a_crlf_split_across_chunks_ends_one_line() {
    // Were the LF taken for a blank line of its own, `a` would be dispatched alone and `b` after it.
    let input = b"data: a\r\ndata: b\r\n\r\n";
    let expected = vec![Ok(event("a\nb"))];
    assert_each(&Decoder::new(), input, &[8], &expected);
    assert_each(&Decoder::new(), input, &[8, 18], &expected);
    assert_each(&Decoder::new(), input, &every(input, 1), &expected);
}

#[test]
fn a_byte_order_mark_split_across_chunks_is_skipped_once() {
    // The first BOM is skipped; a second one is part of the field name, so its line is ignored.
    let input = b"\xEF\xBB\xBFdata: x\n\n\xEF\xBB\xBFdata: y\n\ndata: z\n\n";
    let expected = vec![Ok(event("x")), Ok(event("z"))];
    for cuts in [vec![1], vec![2], vec![1, 2], every(input, 1), vec![1, 2, 12, 13, 14]] {
        assert_each(&Decoder::new(), input, &cuts, &expected);
    }
}

#[test]
fn the_end_of_the_input_inside_an_event_drops_it() {
    for input in [&b"data: a\n\ndata: b"[..], b"data: a\n\ndata: b\n", b"data: a\n\nid: 5\ndata: b\n", b"data: a\n\n\r"]
    {
        for cuts in [vec![], every(input, 1)] {
            assert_each(&Decoder::new(), input, &cuts, &vec![Ok(event("a"))]);
        }
    }
    // The ID of the dropped event never came into force.
    let mut frames = EventStream::new(body(b"id: 1\ndata: a\n\nid: 5\ndata: b\n", &[]));
    block_on(async { while frames.next().await.is_some() {} });
    assert_eq!(frames.last_event_id().unwrap(), "1");
}

#[test]
fn a_broken_limit_is_a_typed_error_then_the_end() {
    let decoder = Decoder::with_limits(Limits::default().max_line_len(16).max_event_len(40));
    let long_line = b"data: ok\n\ndata: 0123456789abcdefghij\n\ndata: after\n\n";
    let expected = vec![Ok(event("ok")), Err(DecodeError::LineTooLong { limit: 16, offset: 10 })];
    for cuts in [vec![], every(long_line, 1), every(long_line, 7)] {
        assert_each(&decoder, long_line, &cuts, &expected);
    }
    let large_event = b"data: ok\n\ndata: 0123456789\ndata: 0123456789\ndata: 0123456789\n\ndata: after\n\n";
    let expected = vec![Ok(event("ok")), Err(DecodeError::EventTooLarge { limit: 40, offset: 10 })];
    for cuts in [vec![], every(large_event, 1), every(large_event, 7)] {
        assert_each(&decoder, large_event, &cuts, &expected);
    }

    // `None` after the error, for good.
    let mut frames = EventStream::with_decoder(body(long_line, &every(long_line, 3)), decoder);
    block_on(async {
        assert!(frames.next().await.unwrap().is_ok());
        let error = frames.next().await.unwrap().unwrap_err();
        assert!(error.is_decode(), "{error:?}");
        assert!(frames.next().await.is_none() && frames.next().await.is_none());
        assert!(frames.is_terminated());
    });
}

#[test]
fn a_body_error_mid_event_comes_out_once_then_the_end() {
    let items = [
        Ok(Bytes::from_static(b"data: a\n\ndata: b")),
        Err(io::Error::other("connection reset")),
        Ok(Bytes::from_static(b"\n\ndata: c\n\n")),
    ];
    let mut frames = EventStream::new(common::Scripted::new(items));
    block_on(async {
        assert_eq!(frames.next().await.unwrap().unwrap(), event("a"));
        match frames.next().await {
            Some(Err(Error::Body(error))) => assert_eq!(error.to_string(), "connection reset"),
            other => panic!("expected the body's error, got {other:?}"),
        }
        assert!(frames.next().await.is_none());
        assert!(frames.next().await.is_none());
    });
    assert!(frames.is_terminated());
    assert_eq!(frames.get_ref().remaining(), 1, "the body was polled after its error");
}

#[test]
fn a_read_error_mid_event_comes_out_once_then_the_end() {
    let pieces = || {
        ChunkedReader::with_pieces([
            Ok(Bytes::from_static(b"data: a\n\ndata: b")),
            Err(io::Error::other("connection reset")),
            Ok(Bytes::from_static(b"\n\ndata: c\n\n")),
        ])
    };
    block_on(async {
        let mut frames = EventReader::new(pieces());
        assert_eq!(frames.next().await.unwrap().unwrap(), event("a"));
        match frames.next().await {
            Some(Err(Error::Io(error))) => assert_eq!(error.to_string(), "connection reset"),
            other => panic!("expected the reader's error, got {other:?}"),
        }
        assert!(frames.next().await.is_none() && frames.next().await.is_none());
        assert!(frames.is_terminated());

        let mut frames = FramedRead::new(pieces(), SseCodec::new());
        assert_eq!(frames.next().await.unwrap().unwrap(), event("a"));
        assert!(matches!(frames.next().await, Some(Err(Error::Io(_)))));
        assert!(frames.next().await.is_none());
    });
}

#[test]
fn the_events_view_skips_comments_and_retry_and_ends_with_its_frames() {
    let input = b": c\n\nretry: 10\nid: 3\ndata: a\n\n: c\n\ndata: b\n\n";
    block_on(async {
        let mut events = EventStream::new(body(input, &every(input, 2))).events();
        assert_eq!(events.next().await.unwrap().unwrap().data_str().unwrap(), "a");
        assert_eq!(events.last_event_id().unwrap(), "3");
        assert_eq!(events.next().await.unwrap().unwrap().data_str().unwrap(), "b");
        assert!(events.next().await.is_none() && events.is_terminated());

        let events = EventReader::new(ChunkedReader::new(input, &every(input, 2))).events();
        let data: Vec<_> = events.map(|event| event.unwrap().data_lossy().into_owned()).collect().await;
        assert_eq!(data, ["a", "b"]);
    });
}

#[test]
fn into_parts_keeps_the_last_event_id_and_drops_the_unfinished_event() {
    let input = b"id: 9\ndata: a\n\ndata: unfin";
    block_on(async {
        let mut frames = EventStream::new(body(input, &[20]));
        assert!(frames.next().await.unwrap().is_ok());
        assert!(frames.next().await.is_none());
        let (_, decoder) = frames.into_parts();
        assert_eq!(decoder.last_event_id().unwrap(), "9");
        // The next connection's body: nothing of the old one is prefixed to it.
        let frames: Vec<_> = EventStream::with_decoder(body(b"ed\n\ndata: b\n\n", &[]), decoder).collect().await;
        let expected = Event::new("b").with_id(EventId::new("9").unwrap());
        assert_eq!(decoded(frames), vec![Ok(Frame::Event(expected))]);

        // Taken apart mid-stream, with the unfinished event still in the buffer.
        let mut frames = EventReader::new(ChunkedReader::new(input, &[]));
        assert!(frames.next().await.unwrap().is_ok());
        let (_, decoder) = frames.into_parts();
        let frames: Vec<_> = EventReader::with_decoder(&b"ed\n\ndata: b\n\n"[..], decoder).collect().await;
        assert_eq!(data_of(&decoded(frames)), ["b"]);
    });
}

#[test]
fn into_parts_drops_what_was_not_handed_out_without_decoding_it() {
    // Read whole, so that the second event is in the buffer (or the chunk) when the stream is taken apart.
    let input = b"id: 1\ndata: a\n\nid: 2\ndata: b\n\n";
    let next = b"data: c\n\n";
    let id = |id: &str| EventId::new(id.to_owned()).unwrap();
    let expected = vec![Ok(Frame::Event(Event::new("c").with_id(id("1"))))];
    block_on(async {
        let mut frames = EventStream::new(body(input, &[]));
        assert!(frames.next().await.unwrap().is_ok());
        let (_, decoder) = frames.into_parts();
        assert_eq!(decoder.last_event_id().unwrap(), "1");
        assert_eq!(decoded(EventStream::with_decoder(body(next, &[]), decoder).collect().await), expected);

        let mut frames = EventReader::new(ChunkedReader::new(input, &[]));
        assert!(frames.next().await.unwrap().is_ok());
        let (_, decoder) = frames.into_parts();
        assert_eq!(decoder.last_event_id().unwrap(), "1");
        assert_eq!(decoded(EventReader::with_decoder(&next[..], decoder).collect().await), expected);

        // After a broken limit, nothing past the error is decoded either: event 2, after the long line, is not
        // taken for seen.
        let input = b"id: 1\ndata: a\n\ndata: 0123456789abcdefghij\n\nid: 2\ndata: b\n\n";
        let decoder = Decoder::with_limits(Limits::default().max_line_len(16));
        for cuts in [vec![], every(input, 5)] {
            let mut frames = EventReader::with_decoder(ChunkedReader::new(input, &cuts), decoder.clone());
            assert!(frames.next().await.unwrap().is_ok());
            assert!(frames.next().await.unwrap().unwrap_err().is_decode());
            assert_eq!(frames.into_parts().1.last_event_id().unwrap(), "1");
            let mut frames = EventStream::with_decoder(body(input, &cuts), decoder.clone());
            assert!(frames.next().await.unwrap().is_ok());
            assert!(frames.next().await.unwrap().unwrap_err().is_decode());
            assert_eq!(frames.into_parts().1.last_event_id().unwrap(), "1");
        }
    });
}

#[test]
fn the_codec_encodes_events_and_writes_frames_encoded_earlier_as_they_are() {
    use tokio_util::codec::Encoder;
    let event =
        Event::new("two\nlines").with_event_type(EventType::from_static("x")).with_id(EventId::new("1").unwrap());
    let mut expected = bytes::BytesMut::new();
    event.encode(&mut expected).unwrap();
    let mut codec = SseCodec::new();
    let mut out = bytes::BytesMut::new();
    codec.encode(event, &mut out).unwrap();
    assert_eq!(out, expected);
    codec.encode(Bytes::from_static(b": pre-encoded\n\n"), &mut out).unwrap();
    expected.extend_from_slice(b": pre-encoded\n\n");
    assert_eq!(out, expected);
}
