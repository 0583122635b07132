//! The peer decoders: other SSE decoders on crates.io, each driven the way its documentation has a caller
//! drive it, behind the one [`Decode`] signature. Versions are pinned exactly in `Cargo.toml`.
//!
//! Stream-only peers read a `futures::stream::iter` over the borrowed chunks, polled in place with a no-op
//! waker (the source never pends), so no executor's cost is measured.

use crate::Decode;

mod async_sse;
mod eventsource_stream;
mod eventsrc;
mod poll;
mod russe;
mod sse_codec_0_3;
mod sse_core;
mod sse_stream;

pub use self::async_sse::decode_async_sse;
pub use self::eventsource_stream::decode_eventsource_stream;
pub use self::eventsrc::decode_eventsrc;
pub use self::russe::decode_russe;
pub use self::sse_codec_0_3::decode_sse_codec_0_3;
pub use self::sse_core::decode_sse_core;
pub use self::sse_stream::decode_sse_stream;

/// Every peer decoder with its benchmark id (the crate's name; the crates.io `sse-codec` carries its version
/// so it is not taken for ours).
pub const PEERS: &[(&str, Decode)] = &[
    ("sse-core", decode_sse_core),
    ("sse-stream", decode_sse_stream),
    ("eventsrc", decode_eventsrc),
    ("eventsource-stream", decode_eventsource_stream),
    ("async-sse", decode_async_sse),
    ("sse-codec-0.3.3", decode_sse_codec_0_3),
    ("russe", decode_russe),
];
