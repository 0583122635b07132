//! One test per rule of the WHATWG "Parsing an event stream" and "Interpreting an event stream" sections,
//! named after the rule. Every input is decoded in one piece and one byte at a time, and both must agree.

mod reference;

use bytes::BytesMut;
use reference::{Observed, decode_chunked, observe};
use sse_codec::{Decoder, Frame};

/// Decodes `input` whole and byte by byte, checks both agree, and returns what a browser would observe.
fn observe_all(input: &[u8]) -> Vec<Observed> {
    let whole = decode_chunked(&mut Decoder::new(), input, &[]);
    let cuts: Vec<usize> = (1..input.len()).collect();
    let bytewise = decode_chunked(&mut Decoder::new(), input, &cuts);
    assert_eq!(whole, bytewise, "one chunk and one-byte chunks disagree on {input:?}");
    whole.iter().map(|frame| observe(frame.as_ref().expect("within limits"))).collect()
}

fn message(data: &str) -> Observed {
    event("message", data, None)
}

fn event(event_type: &str, data: &str, id: Option<&str>) -> Observed {
    Observed::Event { event_type: event_type.into(), data: data.into(), last_event_id: id.map(Into::into) }
}

fn datas(input: &[u8]) -> Vec<String> {
    observe_all(input)
        .into_iter()
        .filter_map(|o| match o {
            Observed::Event { data, .. } => Some(data),
            _ => None,
        })
        .collect()
}

#[test]
fn bom_at_stream_start_is_skipped() {
    assert_eq!(observe_all(b"\xEF\xBB\xBFdata: a\n\n"), [message("a")]);
}

#[test]
fn only_one_bom_is_skipped() {
    // The second BOM is part of the first line's field name, so the field is unknown and ignored.
    assert_eq!(observe_all(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n"), [message("b")]);
}

#[test]
fn bom_after_stream_start_is_not_skipped() {
    assert_eq!(observe_all(b"data: a\n\n\xEF\xBB\xBFdata: b\n\n"), [message("a")]);
}

#[test]
fn bom_split_across_chunks_is_skipped() {
    let frames = decode_chunked(&mut Decoder::new(), b"\xEF\xBB\xBFdata: a\n\n", &[1, 2]);
    assert_eq!(frames.len(), 1);
    assert_eq!(observe(frames[0].as_ref().unwrap()), message("a"));
}

#[test]
fn lines_end_with_crlf_lf_or_cr() {
    assert_eq!(datas(b"data: a\r\ndata: b\ndata: c\rdata: d\r\n\r\n"), ["a\nb\nc\nd"]);
    assert_eq!(datas(b"data: a\r\rdata: b\n\ndata: c\r\n\r\n"), ["a", "b", "c"]);
}

#[test]
fn crlf_split_across_chunks_is_one_line_end() {
    let input = b"data: a\r\n\r\ndata: b\r\n\r\n";
    for cut in 0..input.len() {
        let frames = decode_chunked(&mut Decoder::new(), input, &[cut]);
        let observed: Vec<_> = frames.iter().map(|f| observe(f.as_ref().unwrap())).collect();
        assert_eq!(observed, [message("a"), message("b")], "cut at {cut}");
    }
}

#[test]
fn cr_at_chunk_end_ends_the_line_without_waiting() {
    // A CR-only stream must dispatch as soon as the CR arrives, not when the next byte does.
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::from(&b"data: a\r\r"[..]);
    let Some(Frame::Event(event)) = decoder.decode(&mut buf).unwrap() else { panic!("no event yet") };
    assert_eq!(event.data(), "a");
    // The LF that may follow belongs to the CR before it, and is not a second blank line.
    buf.extend_from_slice(b"\ndata: b\r");
    assert_eq!(decoder.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"\n\r\n");
    let Some(Frame::Event(event)) = decoder.decode(&mut buf).unwrap() else { panic!("no event") };
    assert_eq!(event.data(), "b");
}

#[test]
fn comment_lines_are_reported_and_do_not_affect_events() {
    assert_eq!(
        observe_all(b": keep-alive\n:\ndata: a\n:mid-event\ndata: b\n\n"),
        [
            Observed::Comment("keep-alive".into()),
            Observed::Comment(String::new()),
            Observed::Comment("mid-event".into()),
            message("a\nb"),
        ]
    );
}

#[test]
fn field_name_runs_to_first_colon() {
    assert_eq!(observe_all(b"event:a:b\ndata:c:d\n\n"), [event("a:b", "c:d", None)]);
}

#[test]
fn line_without_colon_is_a_field_name_with_empty_value() {
    // "data" alone appends an empty line to the data buffer; the spec's own example.
    assert_eq!(datas(b"data\n\ndata\ndata\n\ndata:"), ["", "\n"]);
}

#[test]
fn one_leading_space_is_dropped_from_the_value() {
    // The spec: "data:test" and "data: test" are the same; further spaces are kept.
    assert_eq!(datas(b"data:test\n\ndata: test\n\ndata:  two\n\n"), ["test", "test", " two"]);
}

#[test]
fn data_lines_are_joined_with_lf() {
    assert_eq!(datas(b"data: YHOO\ndata: +2\ndata: 10\n\n"), ["YHOO\n+2\n10"]);
}

#[test]
fn one_trailing_lf_is_removed_from_data() {
    assert_eq!(datas(b"data:\ndata:\n\n"), ["\n"]);
    assert_eq!(datas(b"data:\n\n"), [""]);
}

#[test]
fn empty_data_buffer_dispatches_nothing() {
    assert_eq!(observe_all(b"event: add\n\nid: 1\n\n\n\n"), []);
}

#[test]
fn event_sets_the_type_and_empty_type_means_message() {
    assert_eq!(
        observe_all(b"event: add\ndata: 73857293\n\nevent:\ndata: x\n\n"),
        [event("add", "73857293", None), message("x")]
    );
}

#[test]
fn event_type_is_reset_after_dispatch_even_without_data() {
    assert_eq!(
        observe_all(b"event: add\n\ndata: x\n\nevent: a\nevent: b\ndata: y\n\n"),
        [message("x"), event("b", "y", None)]
    );
}

#[test]
fn id_sets_the_last_event_id_which_persists() {
    assert_eq!(
        observe_all(b"id: 1\ndata: a\n\ndata: b\n\n"),
        [event("message", "a", Some("1")), event("message", "b", Some("1"))]
    );
}

#[test]
fn id_containing_nul_is_ignored() {
    assert_eq!(
        observe_all(b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n"),
        [event("message", "a", Some("1")), event("message", "b", Some("1"))]
    );
}

#[test]
fn empty_id_resets_the_last_event_id() {
    assert_eq!(
        observe_all(b"id: 1\ndata: a\n\nid\ndata: b\n\n"),
        [event("message", "a", Some("1")), event("message", "b", Some(""))]
    );
}

#[test]
fn last_event_id_is_updated_even_when_nothing_is_dispatched() {
    let mut decoder = Decoder::new();
    let frames = decode_chunked(&mut decoder, b"id: 5\n\n", &[]);
    assert!(frames.is_empty());
    assert_eq!(decoder.last_event_id().unwrap(), "5");
    assert_eq!(observe_all(b"id: 5\n\ndata: a\n\n"), [event("message", "a", Some("5"))]);
}

#[test]
fn last_event_id_of_an_incomplete_event_is_not_taken() {
    let mut decoder = Decoder::new();
    decode_chunked(&mut decoder, b"id: 1\n\nid: 2\ndata: x\n", &[]);
    assert_eq!(decoder.last_event_id().unwrap(), "1");
}

#[test]
fn last_event_id_survives_the_end_of_a_stream() {
    let mut decoder = Decoder::new();
    decode_chunked(&mut decoder, b"id: 9\ndata: a\n\n", &[]);
    let frames = decode_chunked(&mut decoder, b"data: b\n\n", &[]);
    let Ok(Frame::Event(event)) = &frames[0] else { panic!() };
    assert_eq!(event.id().unwrap(), "9");
}

#[test]
fn a_saved_last_event_id_is_where_a_decoder_starts() {
    let saved = sse_codec::EventId::new("41").unwrap();
    let mut decoder = Decoder::new().with_last_event_id(saved);
    let frames = decode_chunked(&mut decoder, b"data: a\n\nid\ndata: b\n\n", &[]);
    let ids: Vec<_> = frames.iter().map(|frame| observe(frame.as_ref().unwrap())).collect();
    assert_eq!(ids, [event("message", "a", Some("41")), event("message", "b", Some(""))]);
}

#[test]
fn retry_with_only_ascii_digits_sets_the_reconnection_time() {
    assert_eq!(observe_all(b"retry: 3000\nretry:03000\n\n"), [Observed::Retry(3000), Observed::Retry(3000)]);
}

#[test]
fn retry_with_anything_but_digits_is_ignored() {
    assert_eq!(observe_all(b"retry: 1000x\nretry: -1\nretry:  10\nretry:\nretry: 1.5\n\n"), []);
}

#[test]
fn retry_too_large_for_u64_is_ignored() {
    assert_eq!(observe_all(b"retry: 18446744073709551616\nretry: 18446744073709551615\n"), [Observed::Retry(u64::MAX)]);
}

#[test]
fn unknown_fields_are_ignored() {
    assert_eq!(datas(b"foo: bar\nData: x\ndata : y\ndata: z\n\n"), ["z"]);
}

#[test]
fn incomplete_event_at_end_of_stream_is_discarded() {
    assert_eq!(datas(b"data: a\n\ndata: b\n"), ["a"]);
    assert_eq!(datas(b"data: a\n\ndata: b"), ["a"]);
}

#[test]
fn unterminated_last_line_is_not_processed() {
    assert_eq!(observe_all(b"retry: 10"), []);
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let frames = decode_chunked(&mut Decoder::new(), b"event: \xFFx\ndata: a\xC3\n\n", &[]);
    let Ok(Frame::Event(event)) = &frames[0] else { panic!() };
    assert_eq!(event.data_lossy(), "a\u{FFFD}");
    assert!(event.data_str().is_err());
    assert_eq!(event.data().as_ref(), b"a\xC3");
    assert_eq!(event.event_type().to_str_lossy(), "\u{FFFD}x");
}

#[test]
fn utf8_split_across_chunks_is_intact() {
    let input = "data: café 🙂\n\n".as_bytes();
    for cut in 0..input.len() {
        let frames = decode_chunked(&mut Decoder::new(), input, &[cut]);
        let Ok(Frame::Event(event)) = &frames[0] else { panic!() };
        assert_eq!(event.data_str(), Ok("café 🙂"), "cut at {cut}");
    }
}

#[test]
fn spec_example_stock_ticker() {
    // The example of the spec's authoring section, with its comment and id.
    let input = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n";
    assert_eq!(
        observe_all(input),
        [
            Observed::Comment("test stream".into()),
            event("message", "first event", Some("1")),
            event("message", "second event", Some("")),
            event("message", " third event", Some("")),
        ]
    );
}
