//! [`Connect`] for a `reqwest::RequestBuilder` (feature `reqwest`): the request is a template, cloned for each
//! attempt.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue, InvalidHeaderValue, RETRY_AFTER};
use reqwest::RequestBuilder;

use super::{Connect, Response};

/// The `Last-Event-ID` request header's name.
const LAST_EVENT_ID: HeaderName = HeaderName::from_static(sse_codec::headers::LAST_EVENT_ID);

/// Why a request through reqwest failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReqwestError {
    /// reqwest failed: building the request, connecting, or reading the body.
    Request(reqwest::Error),
    /// The request cannot be sent twice: its body is a stream (`RequestBuilder::try_clone` refused it).
    NotCloneable,
    /// The last event ID was refused as a header value.
    Header(InvalidHeaderValue),
}

impl fmt::Display for ReqwestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Request(_) => "reqwest request failed",
            Self::NotCloneable => "request cannot be sent again: its body is a stream",
            Self::Header(_) => "last event id is not a valid header value",
        })
    }
}

impl std::error::Error for ReqwestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(error) => Some(error),
            Self::Header(error) => Some(error),
            Self::NotCloneable => None,
        }
    }
}

impl From<reqwest::Error> for ReqwestError {
    fn from(error: reqwest::Error) -> Self {
        Self::Request(error)
    }
}

/// A reqwest response body as a [`Connect::Body`]: its chunks, with reqwest's errors as [`ReqwestError`].
pub struct ReqwestBody(Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>);

impl fmt::Debug for ReqwestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestBody").finish_non_exhaustive()
    }
}

impl Stream for ReqwestBody {
    type Item = Result<Bytes, ReqwestError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.as_mut().poll_next(cx).map(|chunk| chunk.map(|chunk| chunk.map_err(ReqwestError::Request)))
    }
}

/// The request, sent again for each attempt: a clone of the template (`RequestBuilder::try_clone`, so its body
/// must not be a stream), with `Last-Event-ID` set when there is one to send and removed when there is none,
/// and `Accept: text/event-stream` unless the template sets `Accept`. Redirects and timeouts are the
/// `reqwest::Client`'s; leave its total timeout unset, or every long stream ends there and reconnects.
///
/// `Retry-After` is read when it is a number of seconds; a date is ignored.
impl Connect for RequestBuilder {
    type Body = ReqwestBody;
    type Error = ReqwestError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ReqwestBody>, ReqwestError>> + Send>>;

    fn connect(&mut self, last_event_id: Option<&[u8]>) -> Self::Future {
        let request = self.try_clone().ok_or(ReqwestError::NotCloneable).and_then(|builder| {
            let (client, request) = builder.build_split();
            let mut request = request?;
            let headers = request.headers_mut();
            match last_event_id {
                Some(id) => {
                    headers.insert(LAST_EVENT_ID, HeaderValue::from_bytes(id).map_err(ReqwestError::Header)?);
                }
                None => {
                    headers.remove(LAST_EVENT_ID);
                }
            }
            if !headers.contains_key(ACCEPT) {
                headers.insert(ACCEPT, HeaderValue::from_static(sse_codec::headers::ACCEPT));
            }
            Ok((client, request))
        });
        Box::pin(async move {
            let (client, request) = request?;
            let response = client.execute(request).await?;
            let headers = response.headers();
            let content_type =
                headers.get(CONTENT_TYPE).map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
            let retry_after = headers.get(RETRY_AFTER).and_then(|value| delay_seconds(value.as_bytes()));
            let mut answer = Response::new(response.status().as_u16(), ReqwestBody(Box::pin(response.bytes_stream())));
            answer.head.content_type = content_type;
            answer.head.retry_after = retry_after;
            Ok(answer)
        })
    }
}

/// A `Retry-After` of delay-seconds (RFC 9110, section 10.2.3): one or more digits.
fn delay_seconds(value: &[u8]) -> Option<Duration> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(Duration::from_secs(text.parse().unwrap_or(u64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_and_a_date_is_ignored() {
        assert_eq!(delay_seconds(b"120"), Some(Duration::from_secs(120)));
        assert_eq!(delay_seconds(b" 0 "), Some(Duration::ZERO));
        assert_eq!(delay_seconds(b"99999999999999999999999"), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(delay_seconds(b"Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(delay_seconds(b"-1"), None);
        assert_eq!(delay_seconds(b""), None);
    }
}
