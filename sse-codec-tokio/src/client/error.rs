//! [`SourceError`]: why a connection of an [`EventSource`](super::EventSource) failed or the source ended.

use std::fmt;

use sse_codec::EventId;

use super::Head;
use crate::Error;

/// Why a connection failed, or why an [`EventSource`](super::EventSource) ended.
///
/// The same error is either retried (it comes in [`SourceItem::Retrying`](super::SourceItem::Retrying), with
/// the delay before the next attempt) or ends the stream (it comes as `Err`, and the stream answers `None`
/// after it); see the table in [the module docs](super) for which is which.
#[derive(Debug)]
#[non_exhaustive]
pub enum SourceError<E> {
    /// The transport failed before a response came (connection refused, reset, DNS, ...).
    Connect(E),
    /// The response's status was neither 200 nor 204.
    Status(Head),
    /// The response's status was 200 but its content type was not `text/event-stream`.
    ContentType(Head),
    /// The body failed, or broke a decoder limit, while the stream was open. What was unfinished was dropped.
    Stream(Error<E>),
    /// The server ended the body: a connection that ends is reconnected, as a browser does.
    Ended,
    /// The last event ID holds a byte no HTTP header can carry (see
    /// [`UnsendableId`](super::UnsendableId)), so the client cannot resume.
    UnsendableId(EventId),
    /// The [`RetryPolicy`](super::RetryPolicy) gave up after `failures` failed attempts in a row; `last` is the
    /// last one's error.
    GaveUp {
        /// How many attempts in a row failed.
        failures: u32,
        /// Why the last one failed.
        last: Box<Self>,
    },
}

impl<E> SourceError<E> {
    /// The response's head, for a [`SourceError::Status`] or [`SourceError::ContentType`].
    #[must_use]
    pub const fn head(&self) -> Option<&Head> {
        match self {
            Self::Status(head) | Self::ContentType(head) => Some(head),
            _ => None,
        }
    }
}

impl<E> fmt::Display for SourceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(_) => f.write_str("event source could not connect"),
            Self::Status(head) => write!(f, "event source got status {}", head.status),
            Self::ContentType(head) => match &head.content_type {
                Some(content_type) => write!(f, "event source got content type {content_type:?}, not an event stream"),
                None => f.write_str("event source got no content type, not an event stream"),
            },
            Self::Stream(_) => f.write_str("event source connection failed"),
            Self::Ended => f.write_str("event source connection ended"),
            Self::UnsendableId(id) => write!(f, "last event id {id:?} cannot be sent in an http header"),
            Self::GaveUp { failures, .. } => write!(f, "event source gave up after {failures} failed attempts"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SourceError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect(error) => Some(error),
            Self::Stream(error) => Some(error),
            Self::GaveUp { last, .. } => Some(&**last),
            _ => None,
        }
    }
}
