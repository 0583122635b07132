//! Where the server's events come from: its own [`Broadcaster`], or (`--redis URL`, feature `redis`) a Redis
//! stream shared with other server processes, so that a browser resumes on any of them.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use futures::StreamExt as _;
use futures::stream::BoxStream;
use sse_codec_tokio::bytes::Bytes;
use sse_codec_tokio::{BroadcastConfig, BroadcastError, Broadcaster, Event, EventId, Ids, Replay};

/// The events every `/events` response subscribes to.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// This process alone.
    Local(Broadcaster),
    /// A Redis stream, read once by this process and shared with the others on it.
    #[cfg(feature = "redis")]
    Redis(sse_codec_tokio::RedisBroadcaster),
}

/// The Redis stream's key in `--redis` mode.
#[cfg(feature = "redis")]
const KEY: &str = "sse-codec:server:events";

/// `url`, when it is a Redis URL and the example has feature `redis`.
pub(crate) fn check_redis_url(url: String) -> Result<String, String> {
    #[cfg(feature = "redis")]
    return match sse_codec_tokio::redis::Client::open(url.as_str()) {
        Ok(_) => Ok(url),
        Err(err) => Err(format!("--redis {url:?}: {err}")),
    };
    #[cfg(not(feature = "redis"))]
    return Err(format!("--redis {url:?}: build the example with `--features redis`"));
}

impl Source {
    /// A broadcaster of this process, or the Redis stream at `redis` (a URL [`check_redis_url`] accepted).
    pub(crate) fn new(redis: Option<&str>) -> Result<Self, String> {
        match redis {
            None => {
                // IDs count up by one from the start time in milliseconds, so that a browser holding an ID
                // from an earlier run of the server is told it was lost instead of resuming at the wrong place.
                let first = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64;
                Ok(Self::Local(Broadcaster::with_config(BroadcastConfig::new().ids(Ids::Counter { first }))))
            }
            #[cfg(feature = "redis")]
            Some(url) => sse_codec_tokio::RedisBroadcaster::open(url, sse_codec_tokio::RedisConfig::new(KEY))
                .map(Self::Redis)
                .map_err(|err| format!("--redis {url:?}: {err}")),
            #[cfg(not(feature = "redis"))]
            Some(_) => Err("--redis needs the example built with `--features redis`".into()),
        }
    }

    /// Publishes `event`: its ID, or the status and text to answer with.
    pub(crate) async fn send(&self, event: Event) -> Result<EventId, (StatusCode, String)> {
        let refused = |err: BroadcastError| match err {
            BroadcastError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, format!("{err}\n")),
            _ => (StatusCode::SERVICE_UNAVAILABLE, format!("{err}\n")),
        };
        match self {
            Self::Local(broadcaster) => broadcaster.send(event).map_err(refused),
            #[cfg(feature = "redis")]
            Self::Redis(redis) => redis.publish(event).await.map_err(|err| match err {
                sse_codec_tokio::RedisError::Broadcast(err) => refused(err),
                err if err.is_unavailable() => (StatusCode::SERVICE_UNAVAILABLE, explain(&err)),
                err => (StatusCode::INTERNAL_SERVER_ERROR, explain(&err)),
            }),
        }
    }

    /// The encoded frames for a client that has seen `last_event_id`, and how the resume went; or the text of
    /// a 503 when Redis is needed and out of reach.
    pub(crate) async fn subscribe(
        &self,
        last_event_id: Option<&str>,
    ) -> Result<(BoxStream<'static, Bytes>, Replay), String> {
        match self {
            Self::Local(broadcaster) => {
                let subscription = broadcaster.subscribe(last_event_id);
                let replay = subscription.replay();
                Ok((subscription.boxed(), replay))
            }
            #[cfg(feature = "redis")]
            Self::Redis(redis) => {
                let subscription = redis.subscribe(last_event_id).await.map_err(|err| explain(&err))?;
                let replay = subscription.replay();
                Ok((subscription.boxed(), replay))
            }
        }
    }

    /// The subscribers of this process.
    pub(crate) fn subscriber_count(&self) -> usize {
        match self {
            Self::Local(broadcaster) => broadcaster.subscriber_count(),
            #[cfg(feature = "redis")]
            Self::Redis(redis) => redis.broadcaster().subscriber_count(),
        }
    }
}

/// An error and its sources on one line, such as "redis command failed: Connection refused (os error 111)".
#[cfg(feature = "redis")]
fn explain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(err) = source {
        text = format!("{text}: {err}");
        source = err.source();
    }
    text + "\n"
}
