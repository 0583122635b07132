//! Arbitrary bytes in arbitrary chunks under arbitrary limits: never a panic, the buffer within the limits
//! between calls (which the reference's decoding loop checks), and the same frames and errors as one chunk,
//! whether the chunks are appended to a buffer or read in place, and whether the frames are handed out or
//! lent (`decode_ref`, alone or in turn with `decode`).

#![no_main]

mod input;
#[path = "../../sse-codec/tests/reference/mod.rs"]
mod reference;

use input::Chunked;
use libfuzzer_sys::fuzz_target;
use reference::{Feed, decode_fed};
use sse_codec::Decoder;

fuzz_target!(|case: Chunked| {
    let limits = case.limits();
    let whole = decode_fed(&mut Decoder::with_limits(limits), &case.input, &[], Feed::Appended);
    let chunked = decode_fed(&mut Decoder::with_limits(limits), &case.input, &case.cuts(), Feed::Appended);
    assert_eq!(whole, chunked, "chunking changed the result");
    let mut decoder = Decoder::with_limits(limits).read_in_place_from(usize::from(case.in_place_from));
    let in_place = decode_fed(&mut decoder, &case.input, &case.cuts(), Feed::Chunks);
    assert_eq!(whole, in_place, "reading the chunks in place changed the result");
    let lent = decode_fed(&mut Decoder::with_limits(limits), &case.input, &case.cuts(), Feed::Lent);
    assert_eq!(whole, lent, "lending the frames changed the result");
    let mixed = decode_fed(&mut Decoder::with_limits(limits), &case.input, &case.cuts(), Feed::Mixed);
    assert_eq!(whole, mixed, "lending every other frame changed the result");
});
