//! Properties of the decoder over random input: chunking never changes the result, arbitrary bytes never
//! panic or outgrow the limits, and the decoder agrees with the specification's algorithm run literally.

mod reference;
mod strategy;

use proptest::prelude::*;
use reference::{Feed, decode_chunked, decode_fed, observe, reference};
use sse_codec::{Decoder, Limits};

fn cuts() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..400, 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// (a) Any chunking gives the same frames, errors included, as one chunk.
    #[test]
    fn chunking_never_changes_the_result(input in strategy::stream(80, 200), cuts in cuts(), small in any::<bool>()) {
        let limits = if small { Limits::default().max_line_len(12).max_event_len(30) } else { Limits::default() };
        let whole = decode_chunked(&mut Decoder::with_limits(limits), &input, &[]);
        let chunked = decode_chunked(&mut Decoder::with_limits(limits), &input, &cuts);
        prop_assert_eq!(whole, chunked);
    }

    /// (a') `Bytes` chunks, read in place or copied as `decode_chunk` decides (with `in_place_from` bytes and
    /// up, always read in place), give what one appended buffer gives, errors included.
    #[test]
    fn chunks_read_in_place_give_what_an_appended_buffer_gives(
        input in strategy::stream(80, 200),
        cuts in cuts(),
        small in any::<bool>(),
        in_place_from in 0usize..40,
    ) {
        let limits = if small { Limits::default().max_line_len(12).max_event_len(30) } else { Limits::default() };
        let appended = decode_chunked(&mut Decoder::with_limits(limits), &input, &cuts);
        let mut decoder = Decoder::with_limits(limits).read_in_place_from(in_place_from);
        prop_assert_eq!(appended, decode_fed(&mut decoder, &input, &cuts, Feed::Chunks));
    }

    /// (a'') Frames lent by `decode_ref`, copied, are the frames `decode` hands out, errors included, and so
    /// are those of a caller that calls the two in turn.
    #[test]
    fn lent_frames_are_the_frames_handed_out(input in strategy::stream(80, 200), cuts in cuts(), small in any::<bool>()) {
        let limits = if small { Limits::default().max_line_len(12).max_event_len(30) } else { Limits::default() };
        let owned = decode_chunked(&mut Decoder::with_limits(limits), &input, &cuts);
        prop_assert_eq!(&owned, &decode_fed(&mut Decoder::with_limits(limits), &input, &cuts, Feed::Lent));
        prop_assert_eq!(&owned, &decode_fed(&mut Decoder::with_limits(limits), &input, &cuts, Feed::Mixed));
    }

    /// (b) Arbitrary bytes never panic, and the buffer never holds more than the limits allow between calls
    /// (which `decode_fed` checks after every chunk), whether the chunks are appended or read in place.
    #[test]
    fn arbitrary_bytes_stay_within_the_limits(
        input in prop::collection::vec(any::<u8>(), 0..600),
        chunk in 1usize..64,
        max_line in 1usize..40,
        max_event in 1usize..80,
        in_place_from in 0usize..64,
    ) {
        let limits = Limits::default().max_line_len(max_line).max_event_len(max_event);
        let cuts: Vec<usize> = (chunk..input.len()).step_by(chunk).collect();
        decode_fed(&mut Decoder::with_limits(limits), &input, &cuts, Feed::Appended);
        let mut decoder = Decoder::with_limits(limits).read_in_place_from(in_place_from);
        decode_fed(&mut decoder, &input, &cuts, Feed::Chunks);
        decode_fed(&mut Decoder::with_limits(limits), &input, &cuts, Feed::Lent);
    }

    /// (c) The decoder agrees with the specification's algorithm, run over the whole stream as text.
    #[test]
    fn decoder_agrees_with_the_reference_model(input in strategy::stream(80, 200), cuts in cuts()) {
        let frames = decode_chunked(&mut Decoder::new(), &input, &cuts);
        let observed: Vec<_> = frames.iter().map(|f| observe(f.as_ref().expect("within default limits"))).collect();
        prop_assert_eq!(observed, reference(&input));
    }
}

/// The decoder takes an event of one `data` line followed at once by its blank line in a single step. Every
/// shape of that event, cut anywhere, must give what the line-by-line rules give.
#[test]
fn lone_data_line_events_agree_with_the_reference_model() {
    let shapes: &[&[u8]] = &[
        b"data:\n\n",
        b"data: \n\n",
        b"data:  two spaces\n\n",
        b"data:x\r\n\r\n",
        b"data: cr then crlf\r\r\n",
        b"data: lf then crlf\n\r\n",
        b"data: crlf then lf\r\n\n",
        b"data: then a lone cr\n\r",
        b"data: then cr and more\n\rdata: b\n\n",
        b"data: no blank line yet\n",
        b"id: 7\n\ndata: carries the last id\n\n",
        b"\xEF\xBB\xBFdata: after a bom\n\n",
        b"data : not the data field\n\n",
        b"data\n\n",
    ];
    for &shape in shapes {
        let input = [shape, shape].concat();
        for cut in 0..=input.len() {
            let frames = decode_chunked(&mut Decoder::new(), &input, &[cut]);
            let observed: Vec<_> = frames.iter().map(|f| observe(f.as_ref().expect("within limits"))).collect();
            assert_eq!(observed, reference(&input), "{input:?} cut at {cut}");
        }
    }
}

/// Chunks larger than the most `decode_chunk` copies of a chunk at a time to finish an event carried over
/// (16 KiB): events and lines of every size up to several such steps, cut at scattered offsets, give what one
/// appended buffer gives.
#[test]
fn large_chunks_read_in_place_give_what_an_appended_buffer_gives() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % bound as u64).unwrap()
    };
    let ends: [&[u8]; 3] = [b"\n", b"\r\n", b"\r"];
    let mut input = Vec::new();
    while input.len() < 600 << 10 {
        let end = ends[next(3)];
        for _ in 0..1 + next(4) {
            // Mostly short lines, some of several steps.
            let len = if next(8) == 0 { next(50_000) } else { next(200) };
            input.extend_from_slice(b"data: ");
            input.extend((0..len).map(|i| b'a' + (i % 26) as u8));
            input.extend_from_slice(end);
        }
        if next(4) == 0 {
            input.extend_from_slice(format!("id: {}", next(1000)).as_bytes());
            input.extend_from_slice(end);
        }
        input.extend_from_slice(end);
    }
    let mut cuts = vec![0];
    while *cuts.last().unwrap() < input.len() {
        let last = *cuts.last().unwrap();
        cuts.push(last + 1 + next(90_000));
    }
    let appended = decode_chunked(&mut Decoder::new(), &input, &cuts);
    assert!(appended.len() > 50, "{} frames", appended.len());
    for from in [0, 1024, Decoder::DEFAULT_READ_IN_PLACE_FROM] {
        let mut decoder = Decoder::new().read_in_place_from(from);
        assert!(appended == decode_fed(&mut decoder, &input, &cuts, Feed::Chunks), "in place from {from} bytes");
    }
}
