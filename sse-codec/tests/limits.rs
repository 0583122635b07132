//! The decoder's limits: typed errors instead of growth, and what state the decoder is in afterwards.

mod reference;

use bytes::BytesMut;
use reference::{decode_chunked, observe};
use sse_codec::{DecodeError, Decoder, Frame, Limits};

fn small() -> Decoder {
    Decoder::with_limits(Limits::default().max_line_len(16).max_event_len(40))
}

fn datas(frames: &[Result<Frame, DecodeError>]) -> Vec<Result<String, DecodeError>> {
    frames
        .iter()
        .filter_map(|f| match f {
            Ok(Frame::Event(e)) => Some(Ok(e.data_lossy().into_owned())),
            Ok(_) => None,
            Err(e) => Some(Err(*e)),
        })
        .collect()
}

/// Decodes `input` cut in two at every offset, each time with a fresh decoder from `decoder`, and checks the
/// data and errors are `want` whatever the cut.
fn at_every_cut(decoder: impl Fn() -> Decoder, input: &[u8], want: &[Result<String, DecodeError>]) {
    for cut in 0..input.len() {
        assert_eq!(datas(&decode_chunked(&mut decoder(), input, &[cut])), want, "cut at {cut}");
    }
}

#[test]
fn line_too_long_is_an_error_with_its_offset() {
    let input = b"data: ok\n\ndata: 0123456789abcdef\ndata: more\n\ndata: next\n\n";
    let want = vec![Ok("ok".to_owned()), Err(DecodeError::LineTooLong { limit: 16, offset: 10 }), Ok("next".into())];
    // Whatever the chunking: the error is the same, and decoding resumes after the offending event.
    at_every_cut(small, input, &want);
    let every_byte: Vec<usize> = (0..input.len()).collect();
    assert_eq!(datas(&decode_chunked(&mut small(), input, &every_byte)), want);
}

#[test]
fn event_too_large_is_an_error_with_its_offset() {
    let input = b": hi\n\ndata: 0123456789\ndata: 0123456789\ndata: 0123456789\n\ndata: next\n\n";
    let want = vec![Err(DecodeError::EventTooLarge { limit: 40, offset: 6 }), Ok("next".to_owned())];
    at_every_cut(small, input, &want);
}

#[test]
fn the_event_limit_counts_a_crlf_the_same_when_it_is_split() {
    // 31 bytes of lines against a limit of 30, the last CRLF straddling the limit: a cut between its CR and
    // LF must not let the event through (the LF belongs to the line, however late it arrives).
    let input = b"data: 0123456789\r\ndata: 01234\r\n\r\ndata: next\r\n\r\n";
    let tight = || Decoder::with_limits(Limits::default().max_event_len(30));
    let want = vec![Err(DecodeError::EventTooLarge { limit: 30, offset: 0 }), Ok("next".to_owned())];
    at_every_cut(tight, input, &want);
}

#[test]
fn a_lone_data_line_meets_the_limits_too() {
    // One `data` line and its blank line, the shape the decoder takes in one step.
    let input = b"data: 0123456789abcdef\n\ndata: ok\n\n";
    let want = vec![Err(DecodeError::LineTooLong { limit: 16, offset: 0 }), Ok("ok".to_owned())];
    at_every_cut(small, input, &want);
    let tight = || Decoder::with_limits(Limits::default().max_event_len(12));
    let input = b"data: 0123456\n\ndata: 01234\n\n";
    let want = vec![Err(DecodeError::EventTooLarge { limit: 12, offset: 0 }), Ok("01234".to_owned())];
    at_every_cut(tight, input, &want);
}

#[test]
fn comments_and_unknown_fields_between_events_do_not_count_toward_the_event() {
    let input = b": 0123456789\n: 0123456789\nfoo: 0123456789\ndata: 0123456789\n\n";
    assert_eq!(datas(&decode_chunked(&mut small(), input, &[])), [Ok("0123456789".to_owned())]);
}

#[test]
fn an_endless_line_stays_within_the_limit() {
    let limits = Limits::default().max_line_len(1024);
    let mut decoder = Decoder::with_limits(limits);
    let mut buf = BytesMut::new();
    buf.extend_from_slice(b"data: ");
    let mut errors = 0;
    for _ in 0..10_000 {
        buf.extend_from_slice(&[b'x'; 100]);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(frame)) => panic!("unexpected {frame:?}"),
                Ok(None) => break,
                Err(DecodeError::LineTooLong { limit: 1024, offset: 0 }) => errors += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert!(buf.len() <= 1024, "buffer grew to {}", buf.len());
    }
    assert_eq!(errors, 1, "one error per offending line");
    // The line finally ends, the event it belonged to ends, and the next one decodes.
    buf.extend_from_slice(b"\n\ndata: after\n\n");
    let Ok(Some(Frame::Event(event))) = decoder.decode(&mut buf) else { panic!("no recovery") };
    assert_eq!(event.data(), "after");
}

#[test]
fn recovery_skips_to_the_blank_line_even_across_a_split_crlf() {
    let input = b"data: 0123456789abcdefghij\r\ndata: lost\r\n\r\ndata: kept\r\n\r\n";
    for cut in 0..input.len() {
        let frames = decode_chunked(&mut small(), input, &[cut]);
        let observed: Vec<_> = frames.iter().filter_map(|f| f.as_ref().ok()).map(observe).collect();
        assert_eq!(observed.len(), 1, "cut at {cut}: {frames:?}");
        assert!(frames[0].is_err());
    }
}

#[test]
fn errors_display_in_lowercase_without_trailing_period() {
    let error = DecodeError::LineTooLong { limit: 16, offset: 10 };
    assert_eq!(error.to_string(), "line starting at byte 10 is longer than the limit of 16 bytes");
    let error = DecodeError::EventTooLarge { limit: 40, offset: 6 };
    assert_eq!(error.to_string(), "event starting at byte 6 is larger than the limit of 40 bytes");
    let _: &dyn std::error::Error = &error;
}
