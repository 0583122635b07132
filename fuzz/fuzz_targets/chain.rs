//! The `Buf` chain of an event yields exactly the bytes of its `BufMut` encoding, however it is read.

#![no_main]

mod input;
#[path = "../../sse-codec/tests/reference/mod.rs"]
mod reference;

use bytes::Buf;
use input::RawEvent;
use libfuzzer_sys::fuzz_target;
use reference::{drain, drain_vectored};

fuzz_target!(|case: (RawEvent, u8, u8)| {
    let (raw, step, slots) = case;
    let Ok(event) = raw.build() else { return };
    let mut wire = Vec::new();
    event.encode(&mut wire).expect("a growable buffer has room");
    assert_eq!(wire.len(), event.encoded_len());
    assert_eq!(event.clone().into_buf().remaining(), wire.len());
    assert_eq!(drain(event.clone().into_buf(), usize::from(step).max(1)), wire);
    assert_eq!(drain_vectored(event.into_buf(), usize::from(slots % 8).max(1)), wire);
});
