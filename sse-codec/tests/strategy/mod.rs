//! The random input of the property tests, shared by the core's tests and the adapters' (which include this
//! file by its path).

use proptest::prelude::*;

/// Byte strings made mostly of the pieces an event stream is made of, so random input reaches deep states:
/// up to `pieces` pieces, or one time in five up to `bytes` arbitrary bytes.
pub(crate) fn stream(pieces: usize, bytes: usize) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => Just(&b"data"[..]),
        2 => Just(&b"event"[..]),
        2 => Just(&b"id"[..]),
        2 => Just(&b"retry"[..]),
        4 => Just(&b":"[..]),
        3 => Just(&b" "[..]),
        4 => Just(&b"\n"[..]),
        3 => Just(&b"\r"[..]),
        3 => Just(&b"\r\n"[..]),
        2 => Just(&b"12"[..]),
        2 => Just(&b"x"[..]),
        1 => Just(&b"\0"[..]),
        1 => Just(&b"\xEF\xBB\xBF"[..]),
        1 => Just("é🙂".as_bytes()),
        1 => Just(&b"\xFF\xC3"[..]),
    ]
    .prop_map(<[u8]>::to_vec);
    prop_oneof![
        4 => prop::collection::vec(piece, 0..pieces).prop_map(|pieces| pieces.concat()),
        1 => prop::collection::vec(any::<u8>(), 0..bytes),
    ]
}
