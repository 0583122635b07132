//! Tokio adapters for [`sse_codec`]: serve Server-Sent Events to browsers, fan one stream out to thousands of
//! clients with replay by `Last-Event-ID`, and receive events from any body, reader or transport with a client
//! that reconnects as a browser does.
//!
//! The protocol itself (every rule of the spec, the limits, the encoding) lives in [`sse_codec`], which this
//! crate re-exports; the adapters here only move bytes between it and async I/O, and own time (keep-alive,
//! lifetime, reconnection delays).
//!
//! | to | use |
//! | --- | --- |
//! | serve a stream as an HTTP response body (axum, hyper), with keep-alive, a first `retry:`, a lifetime and a shutdown signal | [`EventBody`], [`BodyConfig`], [`KeepAlive`], [`Shutdown`] |
//! | write events to any `AsyncWrite`, a flush per `send` | [`EventSink`] |
//! | send one stream to many clients, each event encoded once, resuming from `Last-Event-ID` | [`Broadcaster`], [`Subscription`] |
//! | share that stream between server processes through Redis Streams (feature `redis`) | `RedisBroadcaster` |
//! | decode a response body (a stream of `Bytes` chunks) | [`EventStream`] |
//! | decode any `AsyncRead` | [`EventReader`] |
//! | decode and encode with tokio-util's `FramedRead`/`FramedWrite` (feature `codec`) | `SseCodec` |
//! | consume a stream that reconnects by itself, as a browser does (reqwest with feature `reqwest`) | [`EventSource`], [`Connect`] |
//!
//! # Features
//!
//! - `http-body`: [`EventBody`] is an `http_body::Body`, and `EventBody::into_response` builds a ready
//!   `http::Response` with the event-stream headers.
//! - `codec`: `SseCodec`, for tokio-util.
//! - `reqwest`: [`Connect`] for a `reqwest::RequestBuilder` (reqwest without its default features, so no TLS
//!   stack is forced on you).
//! - `redis`: `RedisBroadcaster`, a [`Broadcaster`] fed from a Redis stream (needs Rust 1.88).
//!
//! # Serving events
//!
//! [`EventBody`] turns a `Stream` of [`Event`]s (or of frames encoded once, as [`Bytes`](bytes::Bytes)) into a
//! response body with keep-alive comments, a first `retry`, an opening comment so the client's `onopen` fires
//! at once, an optional lifetime, and a [`Shutdown`] signal that lets a server's graceful shutdown finish while
//! clients are connected. With feature `http-body` it is an `http_body::Body`, and
//! [`EventBody::into_response`] adds the headers of [`headers::RESPONSE_HEADERS`].
//!
//! An axum handler (the [`Shutdown`] is the server's graceful shutdown signal too):
//!
//! ```
//! # #[cfg(feature = "http-body")] mod example {
//! use std::time::Duration;
//!
//! use axum::{Router, extract::State, routing::get};
//! use futures::stream::{self, Stream, StreamExt};
//! use sse_codec::{Event, Frame};
//! use sse_codec_tokio::{BodyConfig, EventBody, Shutdown};
//!
//! async fn ticks(State(shutdown): State<Shutdown>) -> http::Response<EventBody<impl Stream<Item = Event>>> {
//!     let events = stream::iter(1..=3).map(|n| Event::new(format!("tick {n}")));
//!     let config = BodyConfig::new().retry(Duration::from_secs(1)).shutdown(&shutdown);
//!     EventBody::with_config(events, config).into_response()
//! }
//!
//! # pub(super) async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let shutdown = Shutdown::new();
//! let app = Router::new().route("/ticks", get(ticks)).with_state(shutdown.clone());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let server = tokio::spawn(axum::serve(listener, app).with_graceful_shutdown(shutdown.triggered()).into_future());
//!
//! let body = reqwest::get(format!("http://{addr}/ticks")).await?.text().await?;
//! // The first `retry`, then the events, as the core encodes them.
//! let mut expected = Vec::new();
//! Frame::Retry(1000).encode(&mut expected)?;
//! for n in 1..=3 {
//!     Event::new(format!("tick {n}")).encode(&mut expected)?;
//! }
//! assert_eq!(body.as_bytes(), expected);
//! shutdown.trigger(); // ends every open stream, so the server stops at once
//! server.await??;
//! # Ok(()) } }
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # #[cfg(feature = "http-body")] example::main().await?;
//! # Ok(()) }
//! ```
//!
//! A hyper service, serving one connection:
//!
//! ```
//! # #[cfg(feature = "http-body")] mod example {
//! use std::convert::Infallible;
//!
//! use futures::stream;
//! use hyper::server::conn::http1;
//! use hyper::service::service_fn;
//! use hyper_util::rt::TokioIo;
//! use sse_codec::Event;
//! use sse_codec_tokio::EventBody;
//!
//! # pub(super) async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! tokio::spawn(async move {
//!     let (tcp, _) = listener.accept().await?;
//!     let service = service_fn(|_request| async {
//!         let events = stream::iter([Event::new("hello"), Event::new("world")]);
//!         Ok::<_, Infallible>(EventBody::new(events).into_response())
//!     });
//!     http1::Builder::new().serve_connection(TokioIo::new(tcp), service).await?;
//!     Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//! });
//!
//! let response = reqwest::get(format!("http://{addr}/")).await?;
//! assert_eq!(response.headers()["content-type"], "text/event-stream");
//! let expected: Vec<u8> = [Event::new("hello"), Event::new("world")].iter().flat_map(Event::to_bytes).collect();
//! assert_eq!(response.bytes().await?, expected);
//! # Ok(()) } }
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # #[cfg(feature = "http-body")] example::main().await?;
//! # Ok(()) }
//! ```
//!
//! A raw `TcpStream` with [`EventSink`], which writes and flushes each event it is sent (the HTTP head is
//! the caller's business here):
//!
//! ```
//! use futures::SinkExt;
//! use sse_codec::{Event, headers::RESPONSE_HEADERS};
//! use sse_codec_tokio::EventSink;
//! use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! tokio::spawn(async move {
//!     let (mut tcp, _) = listener.accept().await?;
//!     // Read the request head up to its blank line (a real server parses it).
//!     let mut request = BufReader::new(&mut tcp);
//!     let mut line = String::new();
//!     while request.read_line(&mut line).await? > 2 {
//!         line.clear();
//!     }
//!     let mut head = String::from("HTTP/1.1 200 OK\r\nconnection: close\r\n");
//!     for (name, value) in RESPONSE_HEADERS {
//!         head += &format!("{name}: {value}\r\n");
//!     }
//!     tcp.write_all(format!("{head}\r\n").as_bytes()).await?;
//!
//!     let mut sink = EventSink::new(tcp);
//!     sink.send(Event::new("hello")).await?; // written and flushed
//!     sink.close().await?;
//!     Ok::<_, std::io::Error>(())
//! });
//!
//! let body = reqwest::get(format!("http://{addr}/")).await?.text().await?;
//! assert_eq!(body.as_bytes(), Event::new("hello").to_bytes());
//! # Ok(()) }
//! ```
//!
//! ## Compression
//!
//! A compressing layer that waits for its buffer to fill before it writes holds events back, which to the
//! client is a stream that stalls. tower-http's `CompressionLayer` is safe as it comes: its default predicate
//! (`DefaultPredicate`) skips responses whose `content-type` is `text/event-stream`, so event streams pass
//! uncompressed (keep `NotForContentType::SSE` in a predicate of your own). A predicate that does compress
//! event streams works too with tower-http 0.6.11: its gzip body flushes the encoder whenever the body has
//! nothing ready, so each event still goes out at once (both setups are tested in `tests/loopback_axum.rs`).
//! Another compressing proxy must flush per chunk the same way, or be kept off event streams.
//!
//! # Broadcasting to many clients
//!
//! [`Broadcaster`] encodes each event once and hands the same `Bytes` to every [`Subscription`] (a `Stream` of
//! encoded frames, which `EventBody::new(subscription)` writes as they are); its bounded replay log lets a reconnecting client resume from its
//! `Last-Event-ID`, and a subscriber that falls behind the log is ended, never silently skipped:
//!
//! ```
//! use futures::StreamExt;
//! use sse_codec_tokio::{Broadcaster, Event, EventId, Replay};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), sse_codec_tokio::BroadcastError> {
//! let broadcaster = Broadcaster::new();
//! broadcaster.send(Event::new("one"))?; // ID 1
//! broadcaster.send(Event::new("two"))?; // ID 2
//! let mut resumed = broadcaster.subscribe(Some("1")); // a client that has seen event 1
//! assert_eq!(resumed.replay(), Replay::Resumed { events: 1 });
//! assert_eq!(resumed.next().await.unwrap(), Event::new("two").with_id(EventId::from(2)).to_bytes());
//! # Ok(()) }
//! ```
//!
//! # Many server processes: Redis (feature `redis`)
//!
//! Behind a load balancer a reconnecting client lands on any process, so its `Last-Event-ID` must mean the same
//! event everywhere. [`RedisBroadcaster`] keeps the stream in a Redis stream: publishing is one `XADD` (numbered
//! by a Redis counter, so IDs go up by exactly 1 on every process, and trimmed with `MAXLEN ~`); one task per
//! process reads it with a blocking `XREAD` and feeds the process's [`Broadcaster`], so an event is read and
//! encoded once per process however many clients it has; a client further back than the in-memory log is
//! replayed from Redis (`XRANGE`) and handed over to the live feed with no gap and no duplicate:
//!
//! ```no_run
//! # #[cfg(feature = "redis")]
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use sse_codec_tokio::{Event, EventBody, RedisBroadcaster, RedisConfig, Replay};
//!
//! let events = RedisBroadcaster::open("redis://127.0.0.1:6379/", RedisConfig::new("app:events"))?;
//! events.publish(Event::new("hello")).await?; // from any process
//! // In the `/events` handler of any process, with the request's `Last-Event-ID`:
//! let subscription = events.subscribe(Some("1764000000000041")).await?;
//! if subscription.replay() == Replay::Lost {
//!     // trimmed out of Redis too: send the client a full state first
//! }
//! let body = EventBody::new(subscription);
//! # drop(body); Ok(()) }
//! ```
//!
//! # Receiving events, case by case
//!
//! Every way in decodes with the core's [`Decoder`], so every way gives the same frames for the same bytes,
//! however they are cut: [`EventStream`] for a stream of `Bytes` chunks (an HTTP body), [`EventReader`] for
//! an [`AsyncRead`](tokio::io::AsyncRead), [`SseCodec`] (feature `codec`) for tokio-util's `FramedRead`. The
//! first two are [`Stream`](futures_core::Stream)s of [`Frame`]s (events, comments, `retry` values), with
//! `.events()` for the events alone and `last_event_id()` for the ID a reconnection sends as
//! `Last-Event-ID`. Give them a [`Decoder`] of your own (`with_decoder`) to set its [`Limits`] or to carry a
//! last event ID over from an earlier connection.
//!
//! At the end of the input an event still missing its blank line is dropped, as the spec says; the stream
//! then answers `None`. An error ([`Error`]: a broken limit, the I/O or the body's own error) comes out once,
//! and the stream answers `None` after it. Dropping the future of `next()` (a losing branch of
//! `tokio::select!`) loses nothing: each adapter keeps what it has read in itself, not in the future.
//!
//! ## From reqwest
//!
//! `Response::bytes_stream()` (reqwest's `stream` feature) is a stream of `Bytes` chunks:
//!
//! ```
//! use futures::StreamExt;
//! use sse_codec_tokio::EventStream;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let addr = serve("data: hello\n\nid: 2\ndata: world\n\n").await?;
//! let response = reqwest::get(format!("http://{addr}/events")).await?.error_for_status()?;
//! let mut events = EventStream::new(response.bytes_stream()).events();
//! let mut data = Vec::new();
//! while let Some(event) = events.next().await {
//!     data.push(event?.data_lossy().into_owned());
//! }
//! assert_eq!(data, ["hello", "world"]);
//! assert_eq!(events.last_event_id().unwrap(), "2");
//! # Ok(()) }
//! # // A tiny event-stream server on a free port of 127.0.0.1.
//! # async fn serve(body: &'static str) -> std::io::Result<std::net::SocketAddr> {
//! #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! #     let addr = listener.local_addr()?;
//! #     let events = axum::routing::get(move || async move { ([("content-type", "text/event-stream")], body) });
//! #     tokio::spawn(axum::serve(listener, axum::Router::new().route("/events", events)).into_future());
//! #     Ok(addr)
//! # }
//! ```
//!
//! ## From hyper
//!
//! A `hyper` response body is an `http_body::Body`; `http_body_util::BodyDataStream` makes it a stream of its
//! data chunks:
//!
//! ```
//! use futures::StreamExt;
//! use http_body_util::{BodyDataStream, Empty};
//! use hyper_util::rt::TokioIo;
//! use sse_codec::Frame;
//! use sse_codec_tokio::EventStream;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let addr = serve(": hi\n\nretry: 500\ndata: hello\n\n").await?;
//! let stream = tokio::net::TcpStream::connect(addr).await?;
//! let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
//! tokio::spawn(connection);
//! let request = hyper::Request::get("/events").header("host", addr.to_string()).body(Empty::<bytes::Bytes>::new())?;
//! let response = sender.send_request(request).await?;
//!
//! let frames = EventStream::new(BodyDataStream::new(response.into_body()));
//! let frames: Vec<Frame> = frames.map(|frame| frame.unwrap()).collect().await;
//! assert_eq!(frames[..2], [Frame::Comment("hi".into()), Frame::Retry(500)]);
//! assert!(matches!(&frames[2], Frame::Event(event) if event.data() == "hello"));
//! # Ok(()) }
//! # async fn serve(body: &'static str) -> std::io::Result<std::net::SocketAddr> {
//! #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! #     let addr = listener.local_addr()?;
//! #     let events = axum::routing::get(move || async move { ([("content-type", "text/event-stream")], body) });
//! #     tokio::spawn(axum::serve(listener, axum::Router::new().route("/events", events)).into_future());
//! #     Ok(addr)
//! # }
//! ```
//!
//! ## From a `TcpStream`, or any `AsyncRead`
//!
//! [`EventReader`] reads into a buffer of its own and decodes there: a socket that speaks the event-stream
//! format without HTTP around it, a child process's stdout, a file.
//!
//! ```
//! use futures::StreamExt;
//! use sse_codec_tokio::{Event, EventReader, EventType};
//! use tokio::io::AsyncWriteExt;
//! use tokio::net::{TcpListener, TcpStream};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! tokio::spawn(async move {
//!     let (mut socket, _) = listener.accept().await?;
//!     for n in 1..=2 {
//!         let tick = Event::new(n.to_string()).with_event_type(EventType::from_static("tick"));
//!         socket.write_all(&tick.to_bytes()).await?;
//!     }
//!     Ok::<_, std::io::Error>(())
//! });
//!
//! let mut events = EventReader::new(TcpStream::connect(addr).await?).events();
//! while let Some(event) = events.next().await {
//!     let event = event?;
//!     assert_eq!(event.event_type(), "tick");
//!     println!("tick {}", event.data_lossy());
//! }
//! # Ok(()) }
//! ```
//!
//! ## With `FramedRead`
//!
//! [`SseCodec`] (feature `codec`) is tokio-util's `Decoder` and `Encoder` over the same core, for code built
//! on `FramedRead`, `FramedWrite` or `Framed`:
//!
//! ```
//! # #[cfg(feature = "codec")]
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::StreamExt;
//! use sse_codec::{Event, Frame};
//! use sse_codec_tokio::SseCodec;
//! use tokio_util::codec::FramedRead;
//!
//! // Any `AsyncRead`; here three events in memory, the last cut off before the blank line that would end it,
//! // so it is dropped.
//! let mut input: Vec<u8> = ["one", "two", "cut off"].iter().flat_map(|&data| Event::new(data).to_bytes()).collect();
//! input.pop(); // the blank line
//! let frames: Vec<_> = FramedRead::new(&input[..], SseCodec::new()).collect().await;
//! assert_eq!(frames.len(), 2);
//! assert!(matches!(&frames[1], Ok(Frame::Event(event)) if event.data() == "two"));
//! # Ok(()) }
//! # #[cfg(not(feature = "codec"))] fn main() {}
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

mod body;
mod broadcast;
mod error;
mod outgoing;
mod sink;
mod stream;

pub use body::{BodyConfig, EventBody, KeepAlive, Shutdown};
pub use broadcast::{BroadcastConfig, BroadcastError, BroadcastStats, Broadcaster, Ended, Ids, Replay, Subscription};

pub mod client;

pub use error::Error;
pub use stream::EventStream;

#[cfg(feature = "codec")]
mod codec;
mod decoding;
mod events;
mod reader;
#[cfg(feature = "redis")]
mod redis_broadcast;

#[cfg(feature = "codec")]
pub use codec::SseCodec;
pub use events::Events;
pub use outgoing::{BodyItem, Outgoing};
pub use reader::EventReader;
#[cfg(feature = "redis")]
pub use redis;
#[cfg(feature = "redis")]
pub use redis_broadcast::{RedisBroadcaster, RedisConfig, RedisError, RedisSubscription};
pub use sink::{EventSink, HIGH_WATER_MARK, LARGE_PAYLOAD};

pub use client::{Connect, EventSource};

pub use sse_codec;
pub use sse_codec::{
    DecodeError, Decoder, EncodeError, Event, EventBuf, EventId, EventRef, EventType, Field, Frame, KEEP_ALIVE, Limits,
    bytes, encoder, field, headers, line,
};

// The README's examples, core and adapters alike, run as doc tests of this crate, which has both.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
