//! Tokio adapters for [`sse_codec`]: for now this crate only re-exports the core.
//!
//! The `Stream` and `Sink` adapters, the keep-alive timer and the reconnecting client land here next; the
//! protocol itself always stays in [`sse_codec`].

#![forbid(unsafe_code)]

pub use sse_codec::*;
