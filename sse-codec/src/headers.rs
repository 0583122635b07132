//! The HTTP response headers an event stream wants, as constants that servers and adapters share.
//!
//! Send all of [`RESPONSE_HEADERS`] with every event-stream response:
//!
//! - `Content-Type: text/event-stream` is what makes a browser's `EventSource` accept the response at all;
//! - `Cache-Control: no-cache` keeps caches from storing or replaying the stream;
//! - `X-Accel-Buffering: no` asks nginx-style reverse proxies not to buffer the response, which would hold
//!   events back until a buffer fills.
//!
//! Do not send `Connection: keep-alive`: it means nothing on HTTP/1.1, where connections persist anyway, and
//! HTTP/2 and HTTP/3 forbid connection-specific headers outright (RFC 9113, section 8.2.2), so a strict
//! client or proxy treats such a response as malformed and drops it.
//!
//! A client sends [`REQUEST_HEADERS`] (`Accept: text/event-stream`) with the request that opens a stream and,
//! when it resumes after a disconnection, the last event ID it saw as the [`LAST_EVENT_ID`] header (only
//! when that ID is not empty, as browsers do).
//!
//! ```
//! use sse_codec::headers::{CONTENT_TYPE, RESPONSE_HEADERS};
//!
//! assert_eq!(RESPONSE_HEADERS[0], ("content-type", CONTENT_TYPE));
//! for (name, value) in RESPONSE_HEADERS {
//!     assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
//!     assert!(!value.is_empty());
//! }
//! ```

/// The media type of an event stream.
pub const CONTENT_TYPE: &str = "text/event-stream";

/// The `Cache-Control` value for an event stream.
pub const CACHE_CONTROL: &str = "no-cache";

/// The `X-Accel-Buffering` value that turns off response buffering in nginx-style proxies.
pub const X_ACCEL_BUFFERING: &str = "no";

/// Every recommended response header, as lowercase `(name, value)` pairs (HTTP/2 requires lowercase names,
/// and HTTP/1.1 accepts them).
pub const RESPONSE_HEADERS: [(&str, &str); 3] =
    [("content-type", CONTENT_TYPE), ("cache-control", CACHE_CONTROL), ("x-accel-buffering", X_ACCEL_BUFFERING)];

/// The `Accept` value a client sends for an event stream.
pub const ACCEPT: &str = CONTENT_TYPE;

/// The name of the request header that carries the last event ID a reconnecting client saw (lowercase, as
/// [`RESPONSE_HEADERS`]); its value is the ID's bytes. A server resumes the stream after that event.
pub const LAST_EVENT_ID: &str = "last-event-id";

/// Every header a client sends to open a stream, as lowercase `(name, value)` pairs: `Accept:
/// text/event-stream`. (Add [`LAST_EVENT_ID`] when resuming.)
pub const REQUEST_HEADERS: [(&str, &str); 1] = [("accept", ACCEPT)];
