//! [`Connect`]: the transport an [`EventSource`](super::EventSource) is given, and the [`Response`] it answers.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

/// Opens one connection of an event stream: the transport an [`EventSource`](super::EventSource) reconnects
/// through, so that the client depends on no HTTP library and the request (URL, method, headers, auth, a
/// `POST` body) stays the caller's.
///
/// Each call sends the request again. `last_event_id` is the value of the `Last-Event-ID` header to send:
/// `None` when there is no last event ID or it is empty, and then no such header goes out. When it is `Some`,
/// it is a valid HTTP field value, not empty, without leading or trailing whitespace: visible ASCII, spaces and
/// tabs inside, and bytes from 0x80 (`http::HeaderValue::from_bytes` accepts it).
///
/// The transport neither retries nor follows the stream's rules: it answers the response's status, content
/// type (and `Retry-After`, if it has one) and body, and the `EventSource` decides what they mean.
///
/// With feature `reqwest`, a `reqwest::RequestBuilder` is a `Connect`. A closure
/// `FnMut(Option<&[u8]>) -> impl Future<Output = Result<Response<B>, E>>` is one too.
///
/// # Examples
///
/// A transport that answers the same body every time, as tests script one:
///
/// ```
/// use futures::stream;
/// use sse_codec_tokio::client::Response;
/// use sse_codec_tokio::{Event, EventId};
///
/// let connect = |last_event_id: Option<&[u8]>| {
///     let hello = Event::new("hello").with_id(EventId::from(1)).to_bytes();
///     let body = stream::iter([Ok::<_, std::io::Error>(hello)]);
///     std::future::ready(Ok(Response::new(200, body).content_type("text/event-stream")))
/// };
/// # let _ = sse_codec_tokio::client::EventSource::new(connect);
/// ```
pub trait Connect {
    /// The response body: a stream of byte chunks.
    type Body: Stream<Item = Result<Bytes, Self::Error>>;
    /// What the transport fails with, connecting or reading the body.
    type Error;
    /// The request under way.
    type Future: Future<Output = Result<Response<Self::Body>, Self::Error>>;

    /// Sends the request, with `Last-Event-ID: last_event_id` when it is `Some`.
    fn connect(&mut self, last_event_id: Option<&[u8]>) -> Self::Future;
}

impl<F, Fut, B, E> Connect for F
where
    F: FnMut(Option<&[u8]>) -> Fut,
    Fut: Future<Output = Result<Response<B>, E>>,
    B: Stream<Item = Result<Bytes, E>>,
{
    type Body = B;
    type Error = E;
    type Future = Fut;

    fn connect(&mut self, last_event_id: Option<&[u8]>) -> Fut {
        self(last_event_id)
    }
}

/// What a response says before its body: what [`EventSource`](super::EventSource) classifies it by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Head {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header's value, if the response has one.
    pub content_type: Option<String>,
    /// The `Retry-After` header's value as a delay, if the response has one the transport understood.
    pub retry_after: Option<Duration>,
}

impl Head {
    /// Whether the content type is `text/event-stream` (in any case, with or without parameters such as
    /// `charset`).
    #[must_use]
    pub fn is_event_stream(&self) -> bool {
        self.content_type.as_deref().is_some_and(|value| {
            let essence = value.split(';').next().unwrap_or_default();
            essence.trim().eq_ignore_ascii_case(sse_codec::headers::CONTENT_TYPE)
        })
    }
}

/// A response as a [`Connect`] answers it: its [`Head`] and its body.
#[derive(Debug)]
#[non_exhaustive]
pub struct Response<B> {
    /// The status and headers that matter.
    pub head: Head,
    /// The body, a stream of byte chunks.
    pub body: B,
}

impl<B> Response<B> {
    /// A response with `status` and `body`, no content type and no `Retry-After`.
    pub fn new(status: u16, body: B) -> Self {
        Self { head: Head { status, content_type: None, retry_after: None }, body }
    }

    /// Sets the content type.
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.head.content_type = Some(content_type.into());
        self
    }

    /// Sets the delay the server asked for with `Retry-After`.
    #[must_use]
    pub const fn retry_after(mut self, delay: Duration) -> Self {
        self.head.retry_after = Some(delay);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_stream_media_type_is_recognised_with_parameters_and_in_any_case() {
        let head = |content_type: Option<&str>| Head {
            status: 200,
            content_type: content_type.map(Into::into),
            retry_after: None,
        };
        for yes in ["text/event-stream", "Text/Event-Stream; charset=utf-8", " text/event-stream ;x=y"] {
            assert!(head(Some(yes)).is_event_stream(), "{yes}");
        }
        for no in ["text/plain", "text/event-streams", "application/json; text/event-stream", ""] {
            assert!(!head(Some(no)).is_event_stream(), "{no}");
        }
        assert!(!head(None).is_event_stream());
    }
}
