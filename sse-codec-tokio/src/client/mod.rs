//! [`EventSource`]: a reconnecting event-stream client with a browser's reconnection model, over any transport
//! ([`Connect`]; reqwest behind feature `reqwest`).
//!
//! The source sends the request, decodes the body with every rule of the core (its [`Limits`] included),
//! and when the connection fails or ends it waits and sends the request again with the last event ID, so that
//! a server that replays from `Last-Event-ID` makes it deliver every event once, in order.
//!
//! # The rules, and their defaults
//!
//! | when | the source |
//! | --- | --- |
//! | the response is 200 with `text/event-stream` (any case, any parameters) | yields [`SourceItem::Open`], then the events |
//! | the response is 204 No Content | yields [`SourceItem::Closed`], then `None`: it never reconnects |
//! | any other status, or 200 with another or no content type | ends with `Err(`[`SourceError::Status`]`)` or [`SourceError::ContentType`]; retried instead (after `Retry-After` when given) for the responses [`Options::retry_when`] picks, for example 429, 502, 503 |
//! | the transport fails to connect | retries ([`SourceItem::Retrying`] with [`SourceError::Connect`]) |
//! | the body ends, fails, or breaks a decoder limit (default: 8 MiB lines, 16 MiB events) | drops the unfinished event (never half-delivered), and retries |
//! | the server sends `retry: N` | makes N ms the reconnection time (default until then: 3 s) |
//! | it retries | waits the reconnection time after the first failure, then doubles it on each further failure in a row, with jitter between half and all of it, up to 60 s (or the server's longer `retry:`): the [`Backoff`] policy, which [`Options::policy`] replaces |
//! | any delay | waits at least [`Options::min_delay`] (250 ms), so `retry: 0` cannot spin |
//! | a connection delivered an event, or stayed open 60 s | counts as healthy: the backoff starts again |
//! | the policy gives up ([`Backoff::max_failures`], [`Backoff::max_failing_for`]; default: never) | ends with `Err(`[`SourceError::GaveUp`]`)` |
//! | it reconnects | sends `Last-Event-ID` when the last event ID is not empty (an empty `id:` resets it, and no header goes out), trimmed of leading and trailing spaces and tabs as HTTP trims them |
//! | the last event ID holds a control byte, which no HTTP header can carry | ends with `Err(`[`SourceError::UnsendableId`]`)` rather than resume from the wrong place; or, with [`UnsendableId::Omit`], reconnects without the header |
//! | it starts | sends [`Options::last_event_id`] if set: a client that saved [`EventSource::last_event_id`] resumes where it stopped |
//! | a [`CloseHandle`] closes it, or it is dropped | drops the request or connection under way; `None` |
//!
//! An error the source retries comes as [`SourceItem::Retrying`], with the delay before the next attempt; an
//! error that ends the source comes as `Err`, and `None` follows.
//!
//! # Consuming an LLM-style token stream
//!
//! A `POST` with a JSON body and a bearer token, through reqwest (feature `reqwest`). A generation is not
//! resumed: the request would run again, so the first disconnection ends the loop.
//!
//! ```no_run
//! # #[cfg(feature = "reqwest")]
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use futures::TryStreamExt;
//! use sse_codec_tokio::client::{EventSource, SourceError, SourceItem};
//!
//! let request = reqwest::Client::new()
//!     .post("http://127.0.0.1:8080/v1/chat/completions")
//!     .bearer_auth(token)
//!     .header("content-type", "application/json")
//!     .body(r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}"#);
//! let mut source = EventSource::new(request);
//! while let Some(item) = source.try_next().await? {
//!     match item {
//!         SourceItem::Event(event) if event.data() == "[DONE]" => break,
//!         SourceItem::Event(event) => println!("{}", event.data_lossy()),
//!         SourceItem::Retrying { error: SourceError::Ended, .. } => break,
//!         SourceItem::Retrying { error, .. } => return Err(error.into()),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # A notification stream that resumes
//!
//! A long-lived `GET` that reconnects by itself, sends `Last-Event-ID`, retries a busy server, and starts
//! where the last run stopped:
//!
//! ```no_run
//! # #[cfg(feature = "reqwest")]
//! # async fn run(saved: Option<String>) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use futures::TryStreamExt;
//! use sse_codec_tokio::EventId;
//! use sse_codec_tokio::client::{EventSource, Options, SourceItem};
//!
//! let mut options = Options::default().retry_when(|head| matches!(head.status, 429 | 502 | 503));
//! if let Some(saved) = saved {
//!     options = options.last_event_id(EventId::new(saved)?);
//! }
//! let request = reqwest::Client::new().get("http://127.0.0.1:8080/notifications");
//! let mut source = EventSource::with_options(request, options);
//! let close = source.close_handle(); // close.close() from anywhere ends the loop
//! # drop(close);
//! while let Some(item) = source.try_next().await? {
//!     match item {
//!         SourceItem::Event(event) => {
//!             println!("{}: {}", event.event_type().to_str_lossy(), event.data_lossy());
//!             // Save event.id() (the last event ID in force) to resume after a restart.
//!         }
//!         SourceItem::Retrying { error, delay } => eprintln!("{error}; again in {delay:?}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Over any transport
//!
//! A [`Connect`] is anything that sends the request with a `Last-Event-ID` and answers a [`Response`]; a
//! closure will do. Here a scripted one, on tokio's paused clock:
//!
//! ```
//! use std::time::Duration;
//!
//! use bytes::Bytes;
//! use futures::{StreamExt, stream};
//! use sse_codec_tokio::client::{EventSource, Response, SourceError, SourceItem};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let mut sent = Vec::new();
//! let connect = move |last_event_id: Option<&[u8]>| {
//!     sent.push(last_event_id.map(<[u8]>::to_vec));
//!     let (status, body) = match sent.len() {
//!         1 => (200, "retry: 1000\nid: 1\ndata: one\n\ndata: cut sho"),
//!         2 => (200, "id: 2\ndata: two\n\n"),
//!         _ => (204, ""),
//!     };
//!     assert_eq!(sent.last().unwrap().as_deref(), [None, Some(&b"1"[..]), Some(b"2")][sent.len() - 1]);
//!     let body = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(body.as_bytes()))]);
//!     std::future::ready(Ok(Response::new(status, body).content_type("text/event-stream")))
//! };
//! let source = EventSource::new(connect);
//! let items: Vec<_> = source.map(|item| match item.unwrap() {
//!     SourceItem::Open => "open".to_owned(),
//!     SourceItem::Event(event) => event.data_lossy().into_owned(),
//!     SourceItem::Retrying { error: SourceError::Ended, delay } => format!("ended, again in {delay:?}"),
//!     SourceItem::Closed => "closed".to_owned(),
//!     other => panic!("{other:?}"),
//! }).collect().await;
//! assert_eq!(items, ["open", "one", "ended, again in 1s", "open", "two", "ended, again in 1s", "closed"]);
//! # }
//! ```
//!
//! [`Limits`]: sse_codec::Limits

mod backoff;
mod connect;
mod error;
mod last_event_id;
mod options;
#[cfg(feature = "reqwest")]
mod reqwest;
mod source;

pub use backoff::{Backoff, RetryPolicy};
pub use connect::{Connect, Head, Response};
pub use error::SourceError;
pub use last_event_id::UnsendableId;
pub use options::Options;
#[cfg(feature = "reqwest")]
pub use reqwest::{ReqwestBody, ReqwestError};
pub use source::{CloseHandle, EventSource, SourceItem};
