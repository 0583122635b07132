//! A Server-Sent Events (`text/event-stream`) codec: a spec-exact, zero-copy, incremental decoder, sans-IO and
//! `no_std`.
//!
//! (This is not the unrelated crate published on crates.io under the same name.)
//!
//! The crate does no I/O and knows no clock: bytes go in, events come out. Time (keep-alives, reconnection
//! delays) and sockets belong to the caller or to the `sse-codec-tokio` adapters. It follows the WHATWG HTML
//! Living Standard, "Server-sent events", to the letter.
//!
//! # Layers
//!
//! - [`line`](mod@line) and [`field`] (no `std`, no `alloc`): split bytes into lines and a line into a [`Field`], borrowing
//!   from the input. A caller with a fixed buffer can parse a stream with these alone.
//! - [`Decoder`] (feature `alloc`): an incremental state machine that turns chunks of bytes into [`Frame`]s:
//!   [`Event`]s, `retry` values and comments. Single-line data shares the input buffer.
//! - [`encoder`] (no `std`, no `alloc`): [`EventRef`] writes a block into a fixed `&mut [u8]`, refusing any
//!   value that could inject a line; with `alloc`, [`Event::encode`] writes into any [`bytes::BufMut`] and
//!   [`Event::into_buf`] hands a payload out without copying it.
//! - [`headers`]: the HTTP response headers an event stream wants.
//! - Feature `std` (default) adds vectored reads of [`EventBuf`] and lets `memchr` detect AVX2 at run time.
//!
//! # Decoding a stream
//!
//! ```
//! use bytes::BytesMut;
//! use sse_codec::{Decoder, Frame};
//!
//! let mut decoder = Decoder::new();
//! let mut buf = BytesMut::from(&b"event: delta\ndata: {\"token\":\"Hel\"}\n\ndata: lo\n\n"[..]);
//! let mut data = Vec::new();
//! while let Some(frame) = decoder.decode(&mut buf)? {
//!     if let Frame::Event(event) = frame {
//!         data.push(event.data_lossy().into_owned());
//!     }
//! }
//! assert_eq!(data, [r#"{"token":"Hel"}"#, "lo"]);
//! # Ok::<(), sse_codec::DecodeError>(())
//! ```
//!
//! # Parsing with a fixed buffer, without `alloc`
//!
//! ```
//! use sse_codec::field::Field;
//! use sse_codec::line::{LineReader, LineStatus};
//!
//! let mut reader = LineReader::new();
//! let mut input: &[u8] = b"id: 7\r\ndata: hello\r\n\r\n";
//! let mut seen = 0;
//! while let LineStatus::Complete { line, consumed } = reader.next_line(input) {
//!     match Field::parse(line) {
//!         Some(Field::Data(value)) => assert_eq!(value, b"hello"),
//!         Some(Field::Id(value)) => assert_eq!(value, b"7"),
//!         None => seen += 1, // a blank line: dispatch
//!         Some(_) => {}
//!     }
//!     input = &input[consumed..];
//! }
//! assert_eq!(seen, 1);
//! ```
//!
//! # Features
//!
//! - `std` (default): implies `alloc`; turns on `memchr`'s run-time CPU feature detection.
//! - `alloc`: the [`Decoder`], the owned [`Event`] types on [`bytes::Bytes`], encoding into `BufMut`.
//!
//! Without both, the crate is `#![no_std]` without `alloc` and offers [`line`](mod@line), [`field`],
//! [`encoder`] and [`headers`].

#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod encoder;
pub mod error;
pub mod field;
pub mod headers;
pub mod line;

#[cfg(feature = "alloc")]
mod chain;
#[cfg(feature = "alloc")]
mod decoder;
#[cfg(feature = "alloc")]
mod event;
#[cfg(feature = "alloc")]
mod input;
#[cfg(feature = "alloc")]
mod text;
#[cfg(feature = "alloc")]
mod value;

pub use encoder::{EventRef, KEEP_ALIVE};
pub use error::{DecodeError, EncodeError};
pub use field::Field;

#[cfg(feature = "alloc")]
pub use bytes;
#[cfg(feature = "alloc")]
pub use chain::EventBuf;
#[cfg(feature = "alloc")]
pub use decoder::{Decoder, Limits};
#[cfg(feature = "alloc")]
pub use event::{Event, EventId, EventType, Frame};

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
