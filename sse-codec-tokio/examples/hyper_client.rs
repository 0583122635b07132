//! `EventSource` over a hyper-util client: a [`Connect`] of your own, for a transport other than reqwest.
//!
//! ```text
//! cargo run -p sse-codec-tokio --example hyper_client -- http://127.0.0.1:8080/events
//! ```
//!
//! Prints each event's data, and each reconnection on standard error.

use std::error::Error;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use http_body_util::{BodyDataStream, Empty};
use hyper::Request;
use hyper::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sse_codec_tokio::client::{Connect, EventSource, Response, SourceItem};
use sse_codec_tokio::headers;

type BoxError = Box<dyn Error + Send + Sync>;
/// The transport's error: hyper's and hyper-util's in one type that is an `Error` (a `Box<dyn Error>` is not
/// one, so `SourceError<Box<dyn Error>>` would not be either).
type HyperError = std::io::Error;
type Body = Pin<Box<dyn Stream<Item = Result<Bytes, HyperError>> + Send>>;

/// A `GET` of one URI through a hyper-util client.
struct HyperConnect {
    client: Client<HttpConnector, Empty<Bytes>>,
    uri: hyper::Uri,
}

impl Connect for HyperConnect {
    type Body = Body;
    type Error = HyperError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, HyperError>> + Send>>;

    fn connect(&mut self, last_event_id: Option<&[u8]>) -> Self::Future {
        let mut request = Request::get(self.uri.clone()).header(ACCEPT, headers::ACCEPT);
        if let Some(id) = last_event_id {
            request = request.header(headers::LAST_EVENT_ID, id);
        }
        let client = self.client.clone();
        Box::pin(async move {
            let request = request.body(Empty::new()).map_err(HyperError::other)?;
            let response = client.request(request).await.map_err(HyperError::other)?;
            let status = response.status().as_u16();
            let content_type =
                response.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).map(str::to_owned);
            let retry_after =
                response.headers().get(RETRY_AFTER).and_then(|value| value.to_str().ok()?.trim().parse().ok());
            let body: Body = Box::pin(BodyDataStream::new(response.into_body()).map_err(HyperError::other));
            let mut answer = Response::new(status, body);
            if let Some(content_type) = content_type {
                answer = answer.content_type(content_type);
            }
            if let Some(seconds) = retry_after {
                answer = answer.retry_after(std::time::Duration::from_secs(seconds));
            }
            Ok(answer)
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let uri = std::env::args().nth(1).ok_or("usage: hyper_client URL")?.parse()?;
    let client = Client::builder(TokioExecutor::new()).build_http();
    let mut source = EventSource::new(HyperConnect { client, uri });
    while let Some(item) = source.next().await {
        match item? {
            SourceItem::Event(event) => println!("{}", event.data_lossy()),
            SourceItem::Retrying { error, delay } => eprintln!("{error}; reconnecting in {delay:?}"),
            SourceItem::Closed => eprintln!("closed"),
            _ => {}
        }
    }
    Ok(())
}
