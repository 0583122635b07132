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
//! # Broadcasting to many clients
//!
//! [`Broadcaster`] encodes each event once and hands the same `Bytes` to every [`Subscription`] (a `Stream` of
//! encoded frames, a response body's input); its bounded replay log lets a reconnecting client resume from its
//! `Last-Event-ID`, and a subscriber that falls behind the log is ended, never silently skipped:
//!
//! ```
//! use futures::StreamExt;
//! use sse_codec_tokio::{Broadcaster, Event, Replay};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), sse_codec_tokio::BroadcastError> {
//! let broadcaster = Broadcaster::new();
//! broadcaster.send(Event::new("one"))?; // ID 1
//! broadcaster.send(Event::new("two"))?; // ID 2
//! let mut resumed = broadcaster.subscribe(Some("1")); // a client that has seen event 1
//! assert_eq!(resumed.replay(), Replay::Resumed { events: 1 });
//! assert_eq!(resumed.next().await.unwrap(), "id: 2\ndata: two\n\n");
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod broadcast;
mod error;
mod stream;

pub use broadcast::{BroadcastConfig, BroadcastError, BroadcastStats, Broadcaster, Ended, Ids, Replay, Subscription};
pub use error::Error;
pub use stream::{EventStream, Events};

pub use sse_codec;
pub use sse_codec::{
    DecodeError, Decoder, EncodeError, Event, EventBuf, EventId, EventRef, EventType, Field, Frame, KEEP_ALIVE, Limits,
    bytes, encoder, field, headers, line,
};
