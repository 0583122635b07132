//! Tokio adapters for [`sse_codec`]: Server-Sent Events from a body stream of byte chunks.
//!
//! The protocol itself (every rule of the spec, the limits, the encoding) lives in [`sse_codec`], which this
//! crate re-exports; the adapters here only move bytes between it and async I/O.
//!
//! # Receiving events from a body
//!
//! [`EventStream`] decodes any `Stream` of `Result<impl Into<Bytes>, E>`, such as
//! `reqwest::Response::bytes_stream()` or a `hyper` body through `http_body_util::BodyDataStream`:
//!
//! ```
//! use bytes::Bytes;
//! use futures::{StreamExt, stream};
//! use sse_codec_tokio::EventStream;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let body = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"data: hello\n\n"))]);
//! let mut events = EventStream::new(body).events();
//! while let Some(event) = events.next().await {
//!     assert_eq!(event?.data_str()?, "hello");
//! }
//! # Ok(()) }
//! ```
//!
//! # A reconnecting client
//!
//! [`EventSource`] is a browser's `EventSource` over any transport ([`Connect`]; a `reqwest::RequestBuilder`
//! with feature `reqwest`): it honours `retry:`, backs off with jitter, resumes with `Last-Event-ID`, and stops
//! on 204. The rules and their defaults are in [`client`].
//!
//! ```no_run
//! # #[cfg(feature = "reqwest")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use futures::TryStreamExt;
//! use sse_codec_tokio::EventSource;
//! use sse_codec_tokio::client::SourceItem;
//!
//! let mut source = EventSource::new(reqwest::Client::new().get("http://127.0.0.1:8080/events"));
//! while let Some(item) = source.try_next().await? {
//!     if let SourceItem::Event(event) = item {
//!         println!("{}", event.data_lossy());
//!     }
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod error;
mod stream;

pub mod client;

pub use error::Error;
pub use stream::{EventStream, Events};

pub use client::{Connect, EventSource};

pub use sse_codec;
pub use sse_codec::{
    DecodeError, Decoder, EncodeError, Event, EventBuf, EventId, EventRef, EventType, Field, Frame, KEEP_ALIVE, Limits,
    bytes, encoder, field, headers, line,
};
