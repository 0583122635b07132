//! The decoder against the specification's algorithm run literally, on arbitrary bytes in arbitrary chunks.

#![no_main]

#[path = "../../sse-codec/tests/reference/mod.rs"]
mod reference;

use libfuzzer_sys::fuzz_target;
use reference::{decode_chunked, observe, reference};
use sse_codec::Decoder;

fuzz_target!(|case: (Vec<u16>, Vec<u8>)| {
    let (cuts, input) = case;
    let cuts: Vec<usize> = cuts.into_iter().map(usize::from).collect();
    let frames = decode_chunked(&mut Decoder::new(), &input, &cuts);
    let observed: Vec<_> = frames.iter().map(|f| observe(f.as_ref().expect("within the default limits"))).collect();
    assert_eq!(observed, reference(&input));
});
