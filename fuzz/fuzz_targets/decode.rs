//! Arbitrary bytes in arbitrary chunks under arbitrary limits: never a panic, the buffer within the limits
//! between calls, and the same frames and errors as one chunk.

#![no_main]

mod input;

use bytes::BytesMut;
use input::Chunked;
use libfuzzer_sys::fuzz_target;
use sse_codec::Decoder;

fuzz_target!(|case: Chunked| {
    let limits = case.limits();
    let bound = limits.max_line_len + limits.max_event_len;
    let whole = decode(&case.input, &[], limits, bound);
    let chunked = decode(&case.input, &case.cuts(), limits, bound);
    assert_eq!(whole, chunked, "chunking changed the result");
});

fn decode(
    input: &[u8],
    cuts: &[usize],
    limits: sse_codec::Limits,
    bound: usize,
) -> Vec<Result<sse_codec::Frame, sse_codec::DecodeError>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    cuts.push(input.len());
    cuts.sort_unstable();
    let mut decoder = Decoder::with_limits(limits);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut from = 0;
    for cut in cuts {
        buf.extend_from_slice(&input[from..cut]);
        from = cut;
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(frame)) => out.push(Ok(frame)),
                Ok(None) => break,
                Err(error) => out.push(Err(error)),
            }
        }
        assert!(buf.len() <= bound, "buffer holds {} bytes, more than the limits allow", buf.len());
    }
    loop {
        match decoder.decode_eof(&mut buf) {
            Ok(Some(frame)) => out.push(Ok(frame)),
            Ok(None) => break,
            Err(error) => out.push(Err(error)),
        }
    }
    assert!(buf.is_empty());
    out
}
