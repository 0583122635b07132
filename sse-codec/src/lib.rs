//! A Server-Sent Events (`text/event-stream`) codec: a spec-exact, zero-copy, incremental decoder and an
//! injection-proof encoder, sans-IO and `no_std`.
//!
//! (This is not the unrelated crate published on crates.io under the same name.)
//!
//! The crate does no I/O and knows no clock: bytes go in, events come out, and the other way round. Time
//! (keep-alives, reconnection delays) and sockets belong to the caller or to the `sse-codec-tokio` adapters.
//! It follows the WHATWG HTML Living Standard, "Server-sent events", to the letter.
//!
//! # Layers
//!
//! - [`line`](mod@line) and [`field`] (no `std`, no `alloc`): split bytes into lines and a line into a [`Field`],
//!   borrowing from the input. A caller with a fixed buffer can parse a stream with these alone.
//! - [`Decoder`] (feature `alloc`): an incremental state machine that turns chunks of bytes into [`Frame`]s:
//!   [`Event`]s, `retry` values and comments. Single-line data shares the input's memory.
//! - [`encoder`] (no `std`, no `alloc`): [`EventRef`] writes a block from borrowed bytes, refusing any value
//!   that could inject a line; with `alloc`, owned [`Event`]s encode into any [`bytes::BufMut`], into a
//!   [`bytes::Bytes`], or as a zero-copy [`EventBuf`].
//! - [`headers`]: the HTTP headers an event stream wants, on both sides.
//!
//! # Decoding a response body
//!
//! An HTTP body (hyper, reqwest) arrives as [`bytes::Bytes`] chunks. Give each chunk to
//! [`Decoder::decode_chunk`] until it answers `None`, with one carry-over buffer for the whole stream, and
//! call [`Decoder::decode_eof`] at the end. The events share the chunk's memory; only an event that
//! straddles two chunks is copied, to be put together.
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use sse_codec::{Decoder, Frame};
//!
//! let body = [Bytes::from_static(b"event: delta\ndata: {\"token\":\"Hel\"}\n\ndata: l"), Bytes::from_static(b"o\n\n")];
//! let mut decoder = Decoder::new();
//! let mut carried = BytesMut::new();
//! let mut data = Vec::new();
//! for mut chunk in body {
//!     while let Some(frame) = decoder.decode_chunk(&mut carried, &mut chunk)? {
//!         if let Frame::Event(event) = frame {
//!             data.push(event.data_lossy().into_owned());
//!         }
//!     }
//! }
//! while let Some(_) = decoder.decode_eof(&mut carried)? {} // an unfinished last event is dropped
//! assert_eq!(data, [r#"{"token":"Hel"}"#, "lo"]);
//! # Ok::<(), sse_codec::DecodeError>(())
//! ```
//!
//! # Decoding from a buffer you read into
//!
//! Reading from a socket or a file into a [`bytes::BytesMut`], append each read to the same buffer and call
//! [`Decoder::decode`] until it answers `None`; the decoder removes what it has finished with.
//!
//! ```
//! use bytes::BytesMut;
//! use sse_codec::{Decoder, Frame};
//!
//! let mut decoder = Decoder::new();
//! let mut buf = BytesMut::from(&b"retry: 3000\nid: 7\ndata: hello\n\n"[..]);
//! assert_eq!(decoder.decode(&mut buf)?, Some(Frame::Retry(3000)));
//! let Some(Frame::Event(event)) = decoder.decode(&mut buf)? else { panic!() };
//! assert_eq!((event.data_str(), event.id().map(|id| id.to_string())), (Ok("hello"), Some("7".into())));
//! assert_eq!(decoder.decode(&mut buf)?, None);
//! # Ok::<(), sse_codec::DecodeError>(())
//! ```
//!
//! # Frames lent instead of handed out
//!
//! A caller that uses each event at once and keeps nothing (it parses the data as JSON, say) can have the
//! frames lent: [`Decoder::decode_ref`] hands out a [`FrameRef`] that borrows from the buffer until the next
//! call. Nothing is shared, so no reference count is touched, and no [`Event`] is built; only the lines of a
//! multi-line `data` are copied, into a buffer the decoder keeps.
//!
//! ```
//! use bytes::BytesMut;
//! use sse_codec::{Decoder, FrameRef};
//!
//! let mut decoder = Decoder::new();
//! let mut buf = BytesMut::from(&b"event: delta\ndata: {\"token\":\"Hi\"}\n\n"[..]);
//! while let Some(frame) = decoder.decode_ref(&mut buf)? {
//!     let FrameRef::Event(event) = frame else { continue };
//!     assert_eq!((event.event_type_str()?, event.data_str()?), ("delta", "{\"token\":\"Hi\"}"));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A client that resumes after a restart starts from the ID it saved, and sends it as the `Last-Event-ID`
//! header: `Decoder::new().with_last_event_id(id)` (see [`Decoder::with_last_event_id`]).
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
//! # Encoding from the strings you have
//!
//! A server usually holds an event's parts as text: a type name, an ID, a JSON payload. [`EventRef`]
//! borrows them and writes the block straight into your buffer: nothing is allocated or copied but into the
//! output, and the type and ID are checked (no CR or LF; no NUL in an ID) as they are written, so a value
//! that would inject a line is an [`EncodeError`] and nothing is written.
//!
//! ```
//! use sse_codec::{EncodeError, EventRef};
//!
//! let (kind, id, json) = ("chat", String::from("42"), String::from(r#"{"user":"ada"}"#));
//! let mut out = Vec::new(); // or a BytesMut
//! EventRef::new(&json).with_event_type(kind).with_id(&id).encode(&mut out)?;
//! assert_eq!(out, b"event: chat\nid: 42\ndata: {\"user\":\"ada\"}\n\n");
//!
//! let forged = "1\ndata: forged";
//! assert_eq!(EventRef::new("x").with_id(forged).encode(&mut out), Err(EncodeError::LineBreakInId));
//! # Ok::<(), EncodeError>(())
//! ```
//!
//! # Owned events: checked once, sent to many
//!
//! An [`Event`] owns its data (a [`bytes::Bytes`]: a `String` or `Vec<u8>` is taken over without a copy) and
//! holds a type and an ID that were checked when they were made ([`EventType`], [`EventId`]), so encoding it
//! cannot fail for want of validity. [`Event::to_bytes`] gives the frame as a `Bytes` without a `Result`,
//! to write to one connection or clone to many; [`Event::encode`] appends it to a buffer you keep.
//!
//! ```
//! use sse_codec::{Event, EventId, EventType};
//!
//! const UPDATE: EventType = EventType::from_static("update"); // checked at compile time
//! let mut counter = 41u64;
//! counter += 1;
//! let event = Event::new(String::from(r#"{"n":1}"#))
//!     .with_event_type(UPDATE)
//!     .with_id(EventId::from(counter)); // the counter's digits, held inline
//! let frame = event.to_bytes();
//! assert_eq!(&frame[..], b"event: update\nid: 42\ndata: {\"n\":1}\n\n");
//! // A type or ID from text you only borrow is copied inline (up to 38 bytes), never via a `Bytes`:
//! let id: EventId = "a7f3".parse()?;
//! assert_eq!(Event::new("x").with_id(id).to_bytes(), "id: a7f3\ndata: x\n\n");
//! # Ok::<(), sse_codec::EncodeError>(())
//! ```
//!
//! Encoding into a [`bytes::BufMut`] fails only when the buffer cannot grow and is too small (a `&mut [u8]`,
//! a `BufMut::limit`): [`EncodeError::BufferTooSmall`], with nothing written. A `BytesMut` or `Vec<u8>`
//! always has room.
//!
//! # Keep-alives, reconnection advice and comments
//!
//! ```
//! use bytes::BytesMut;
//! use sse_codec::{EventRef, KEEP_ALIVE};
//!
//! let mut out = BytesMut::new();
//! out.extend_from_slice(KEEP_ALIVE); // send after some idle seconds, so proxies keep the connection
//! EventRef::retry(10_000).encode(&mut out)?; // reconnect after 10 s
//! EventRef::comment(b"server restarting").encode(&mut out)?;
//! assert_eq!(&out[..], b":\n\nretry: 10000\n\n: server restarting\n\n");
//! # Ok::<(), sse_codec::EncodeError>(())
//! ```
//!
//! # A large payload without copying it
//!
//! [`Event::into_buf`] hands the encoded event out as a [`bytes::Buf`] of pieces: the field prefixes, and the
//! payload's own bytes between them, for a vectored write. The payload is scanned for line breaks once, but
//! never copied.
//!
//! ```
//! use bytes::{Buf, Bytes};
//! use sse_codec::Event;
//!
//! let image = Bytes::from(vec![b'A'; 1 << 20]); // base64, one line
//! let buf = Event::new(image.clone()).into_buf();
//! assert_eq!(buf.remaining(), image.len() + 8); // "data: " ... "\n\n"
//! ```
//!
//! # Into a fixed buffer, without `alloc`
//!
//! ```
//! use sse_codec::EventRef;
//!
//! let mut out = [0u8; 64];
//! let event = EventRef::new("Hel\nlo").with_id("7");
//! let n = event.encode_to_slice(&mut out)?;
//! assert_eq!(&out[..n], b"id: 7\ndata: Hel\ndata: lo\n\n");
//! # Ok::<(), sse_codec::EncodeError>(())
//! ```
//!
//! # What each way costs
//!
//! | way | allocations per event | checks |
//! | --- | --- | --- |
//! | [`EventRef::new`]`(&data).with_event_type(t).with_id(id).encode(&mut buf)` | none | type and ID at every encode; data scanned once for line breaks |
//! | [`Event`] from a `String`, type and ID from `&str` ([`EventType::copy_from_slice`], `TryFrom`, `FromStr`) or a counter (`EventId::from(u64)`) | none for the event (a `String` is taken over; types and IDs of up to 38 bytes are held inline, longer ones copied once) | type and ID once, when made |
//! | the same with data copied from a `&str` (`Bytes::copy_from_slice`) | one, the data | the same |
//! | [`Event::to_bytes`] | one `Bytes` of the exact length; its clones copy nothing | none left |
//! | [`Event::into_buf`] | none for the payload (the lines before it share one small buffer) | data scanned once |
//!
//! Measured side by side, the borrowed way writes about 4x as fast as building an owned `Event` from copied
//! strings and encoding it when every event has a type, an ID and a JSON payload, and about 2x when most
//! have data only; it allocates nothing (`benches/README.md` in the repository).
//!
//! # Features
//!
//! - `std` (default): implies `alloc`; turns on `memchr`'s run-time CPU feature detection, with which line ends
//!   are found by its AVX2 searcher, built once, where the CPU has AVX2.
//! - `alloc`: the [`Decoder`], the owned [`Event`] types on [`bytes::Bytes`], encoding into `BufMut`.
//!
//! Without both, the crate is `#![no_std]` without `alloc` and offers [`line`](mod@line), [`field`],
//! [`encoder`] and [`headers`].

#![no_std]
// No unsafe code but the one block in `text` that hands out bytes checked to be ASCII as a `str`.
#![deny(unsafe_code)]
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
mod frame_ref;
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
#[cfg(feature = "alloc")]
pub use frame_ref::{EventView, FrameRef};
