//! [`RedisBroadcaster`] (feature `redis`): many server processes serve one event stream kept in a Redis stream,
//! and a client resumes on any of them.

mod entry;
mod reader;

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use ::redis::aio::MultiplexedConnection;
use ::redis::streams::StreamRangeReply;
use ::redis::{AsyncConnectionConfig, Client, Script};
use bytes::{Bytes, BytesMut};
use futures_core::{FusedStream, Stream};
use sse_codec::{Event, EventId};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{BroadcastConfig, BroadcastError, Broadcaster, Ended, Ids, Replay, Subscription};
use reader::Reader;

/// Numbers the event and appends it, in one step: `INCR` of the counter key, then `XADD` of the entry `N-0`
/// with `MAXLEN ~`. A counter that does not exist yet (a new stream, or a Redis that lost its data) starts at
/// the time in microseconds, so that numbers handed out before are not handed out again.
const PUBLISH: &str = r"
local n = redis.call('INCR', KEYS[2])
if n == 1 then
  local now = redis.call('TIME')
  n = tonumber(now[1]) * 1000000 + tonumber(now[2])
  redis.call('SET', KEYS[2], string.format('%d', n))
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], string.format('%d-0', n), unpack(ARGV, 2))
return n
";

/// How a [`RedisBroadcaster`] uses Redis, and the in-memory [`Broadcaster`] it feeds.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sse_codec_tokio::{BroadcastConfig, RedisConfig};
///
/// let config = RedisConfig::new("chat:events")
///     .max_len(50_000)
///     .timeout(Duration::from_secs(1))
///     .broadcast(BroadcastConfig::new().max_events(4096));
/// # drop(config);
/// ```
#[derive(Clone, Debug)]
pub struct RedisConfig {
    key: String,
    max_len: usize,
    timeout: Duration,
    block: Duration,
    backoff: (Duration, Duration),
    max_replay: usize,
    broadcast: BroadcastConfig,
}

impl RedisConfig {
    /// The default bound of the stream, trimmed with `MAXLEN ~`: 100,000 entries.
    pub const DEFAULT_MAX_LEN: usize = 100_000;
    /// The default time Redis has to answer a publish or a replay, connecting included: 2 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
    /// The default time one blocking `XREAD` of the reader waits for new entries: 5 s.
    pub const DEFAULT_BLOCK: Duration = Duration::from_secs(5);
    /// The default most events replayed from Redis to one client: 10,000 (a client further behind is told
    /// [`Replay::Lost`]).
    pub const DEFAULT_MAX_REPLAY: usize = 10_000;

    /// The defaults, for the stream at `key` (its counter is at `key` followed by `:id`).
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            max_len: Self::DEFAULT_MAX_LEN,
            timeout: Self::DEFAULT_TIMEOUT,
            block: Self::DEFAULT_BLOCK,
            backoff: (Duration::from_millis(50), Duration::from_secs(2)),
            max_replay: Self::DEFAULT_MAX_REPLAY,
            broadcast: BroadcastConfig::new(),
        }
    }

    /// Trims the stream to about `entries` entries at each publish (`XADD ... MAXLEN ~`: Redis keeps at least
    /// that many, and trims whole nodes of entries, so a few more may stay).
    #[must_use]
    pub const fn max_len(mut self, entries: usize) -> Self {
        self.max_len = entries;
        self
    }

    /// The time Redis has to answer a publish or a replay, connecting included; past it they fail with
    /// [`RedisError::Timeout`]. Also the connection timeout of the reader.
    #[must_use]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long one blocking `XREAD` of the reader waits for new entries before it asks again.
    #[must_use]
    pub const fn block(mut self, block: Duration) -> Self {
        self.block = block;
        self
    }

    /// The reader's delay before reconnecting: `min` after the first failure, doubling up to `max`, back to
    /// `min` once it is connected again.
    #[must_use]
    pub const fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = (min, max);
        self
    }

    /// The most events replayed from Redis to one client; a client further behind is told [`Replay::Lost`].
    /// They are held in memory for that client until it has read them.
    #[must_use]
    pub const fn max_replay(mut self, events: usize) -> Self {
        self.max_replay = events;
        self
    }

    /// The in-memory broadcaster's log bounds. Its IDs are always the ones Redis gives ([`Ids::Caller`]).
    #[must_use]
    pub fn broadcast(mut self, config: BroadcastConfig) -> Self {
        self.broadcast = config;
        self
    }
}

/// A [`Broadcaster`] fed from a Redis stream, so that many server processes serve the same events with the
/// same IDs, and a client resumes on any of them.
///
/// Cheap to clone; dropping the last clone stops the reader and closes the broadcaster.
///
/// # How it works
///
/// ```text
///   publish (any process) ── Lua: INCR key:id, XADD key MAXLEN ~ n n-0 data … ──┐
///                                                                           Redis stream `key`
///   process A: reader ── XREAD BLOCK from last ──┐          process B: reader ── XREAD BLOCK ──┐
///     Broadcaster (encodes once, in-memory log)  │            Broadcaster                      │
///     └─ clients of A                            ◄┘           └─ clients of B                 ◄┘
/// ```
///
/// - **IDs.** [`publish`](Self::publish) numbers the event with a Redis counter and appends it as the stream
///   entry `N-0` in one Lua script, so numbers go up by exactly 1 in the order of the stream, and the event's
///   ID is `N` in decimal on every process. A new counter (a new stream, or a Redis that lost its data) starts
///   at the time in microseconds, so an ID from before is never given again: a client holding one is told it
///   was lost rather than resumed at the wrong place.
/// - **One read per process.** A task per process reads the stream with a blocking `XREAD` from the last entry
///   it saw and sends each event to the process's [`Broadcaster`], which encodes it once for all its clients.
///   It starts at the stream's end: a process serves events from then on live, older ones from Redis.
/// - **Resume from anywhere.** [`subscribe`](Self::subscribe) resumes from the in-memory log when it holds
///   the `Last-Event-ID`; when the ID is older, the events from it up to the log's oldest one are read from
///   Redis with `XRANGE` and replayed first, then the subscription reads the log: no gap, no duplicate (see
///   [`Broadcaster::subscribe_oldest`]). An ID newer than this process has read (the client came from a process
///   that is ahead) waits for the reader to reach it. An ID Redis has trimmed too, or never gave, is
///   [`Replay::Lost`], as the broadcaster reports it.
/// - **Faults.** When Redis restarts or the connection drops, the reader reconnects with backoff and reads on
///   from the last entry it saw: nothing is lost or repeated as long as Redis kept its data (persistence on).
///   Meanwhile open subscriptions stay open (the response body's keep-alive goes on) and publishing fails
///   within the [timeout](RedisConfig::timeout) with an error for which [`RedisError::is_unavailable`] is true
///   (a server answers 503).
///
/// # Examples
///
/// ```no_run
/// use sse_codec_tokio::{Event, RedisBroadcaster, RedisConfig};
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let events = RedisBroadcaster::open("redis://127.0.0.1:6379/", RedisConfig::new("demo:events"))?;
/// let id = events.publish(Event::new("hello")).await?; // every process's subscribers get it, as event `id`
/// let subscription = events.subscribe(Some("1764000000000000")).await?; // a client's Last-Event-ID
/// # drop((id, subscription)); Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisBroadcaster {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    config: RedisConfig,
    counter_key: String,
    broadcaster: Broadcaster,
    publisher: Mutex<Option<MultiplexedConnection>>,
    script: Script,
    position: watch::Receiver<Option<u64>>,
    reader: JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.reader.abort();
        self.broadcaster.close();
    }
}

impl RedisBroadcaster {
    /// Opens a client for `url` (such as `redis://127.0.0.1:6379/`) and starts the reader.
    ///
    /// # Errors
    ///
    /// When `url` is not a Redis URL. Redis need not be up: the reader connects when it can.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime (the reader is a task).
    pub fn open(url: &str, config: RedisConfig) -> Result<Self, RedisError> {
        Ok(Self::new(Client::open(url).map_err(RedisError::Redis)?, config))
    }

    /// Starts the reader of `client`'s stream, feeding a new broadcaster.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime (the reader is a task).
    #[must_use]
    pub fn new(client: Client, config: RedisConfig) -> Self {
        let broadcaster = Broadcaster::with_config(config.broadcast.clone().ids(Ids::Caller));
        let (position, position_rx) = watch::channel(None);
        let reader = Reader {
            client: client.clone(),
            key: config.key.clone(),
            block: config.block,
            timeout: config.timeout,
            backoff: config.backoff,
            broadcaster: broadcaster.clone(),
            position,
        };
        let reader = tokio::spawn(reader.run());
        let inner = Inner {
            client,
            counter_key: format!("{}:id", config.key),
            config,
            broadcaster,
            publisher: Mutex::new(None),
            script: Script::new(PUBLISH),
            position: position_rx,
            reader,
        };
        Self { inner: Arc::new(inner) }
    }

    /// The in-memory broadcaster the reader feeds (for its [`stats`](Broadcaster::stats) and
    /// [`subscriber_count`](Broadcaster::subscriber_count); publish through [`publish`](Self::publish)).
    #[must_use]
    pub fn broadcaster(&self) -> &Broadcaster {
        &self.inner.broadcaster
    }

    /// Appends `event` to the Redis stream, numbered by the stream's counter; every process's reader then
    /// sends it to its subscribers. Returns the event's ID.
    ///
    /// # Errors
    ///
    /// - [`RedisError::Broadcast`] when the event has an ID of its own ([`BroadcastError::IdGiven`]), or is
    ///   too long for the in-memory log ([`BroadcastError::TooLarge`]): nothing is published.
    /// - [`RedisError::Redis`] when Redis refuses or the connection fails, [`RedisError::Timeout`] when Redis
    ///   does not answer within the [timeout](RedisConfig::timeout). The event may or may not have been
    ///   appended when Redis went away after taking the command; it is never appended twice.
    pub async fn publish(&self, event: Event) -> Result<EventId, RedisError> {
        let inner = &*self.inner;
        if event.id().is_some() {
            return Err(RedisError::Broadcast(BroadcastError::IdGiven));
        }
        // The ID is at most 20 digits: "id: " and 20 digits and a line end.
        let len = event.encoded_len() + 25;
        let max = inner.config.broadcast.max_bytes;
        if len > max {
            return Err(RedisError::Broadcast(BroadcastError::TooLarge { len, max }));
        }
        let publish = async {
            let mut connection = self.publisher().await?;
            let mut invocation = inner.script.key(&inner.config.key);
            invocation.key(&inner.counter_key).arg(inner.config.max_len);
            for (name, value) in entry::fields(&event) {
                invocation.arg(name).arg(value);
            }
            let result = invocation.invoke_async::<u64>(&mut connection).await;
            if let Err(err) = &result {
                if err.is_io_error() || err.is_connection_dropped() || err.is_timeout() || err.is_unrecoverable_error()
                {
                    *inner.publisher.lock().unwrap_or_else(PoisonError::into_inner) = None;
                }
            }
            result.map_err(RedisError::Redis)
        };
        let number = tokio::time::timeout(inner.config.timeout, publish)
            .await
            .map_err(|_| RedisError::Timeout(inner.config.timeout))??;
        EventId::new(number.to_string()).map_err(|err| RedisError::Broadcast(BroadcastError::Encode(err)))
    }

    /// The publishing connection, made again when the last one failed.
    async fn publisher(&self) -> Result<MultiplexedConnection, RedisError> {
        let inner = &*self.inner;
        if let Some(connection) = inner.publisher.lock().unwrap_or_else(PoisonError::into_inner).clone() {
            return Ok(connection);
        }
        let connection = self.connect().await?;
        *inner.publisher.lock().unwrap_or_else(PoisonError::into_inner) = Some(connection.clone());
        Ok(connection)
    }

    async fn connect(&self) -> Result<MultiplexedConnection, RedisError> {
        let timeout = Some(self.inner.config.timeout);
        let config = AsyncConnectionConfig::new().set_connection_timeout(timeout).set_response_timeout(timeout);
        self.inner.client.get_multiplexed_async_connection_with_config(&config).await.map_err(RedisError::Redis)
    }

    /// A subscription for a client that has seen `last_event_id` (its `Last-Event-ID` header): the events after
    /// it (from the in-memory log, or from Redis when the log no longer holds them), then the live ones.
    ///
    /// [`RedisSubscription::replay`] says how it started, as [`Subscription::replay`] does: [`Replay::Lost`]
    /// when neither the log nor Redis holds every event after the ID (trimmed, or never given), and then the
    /// subscription starts with the next event.
    ///
    /// # Errors
    ///
    /// Only when the ID is not in memory and Redis is needed: [`RedisError::Redis`] when Redis fails,
    /// [`RedisError::Timeout`] when the replay (or the wait for this process's reader to reach an ID another
    /// process has sent) takes longer than the [timeout](RedisConfig::timeout).
    pub async fn subscribe(&self, last_event_id: Option<&str>) -> Result<RedisSubscription, RedisError> {
        let broadcaster = &self.inner.broadcaster;
        let subscription = broadcaster.subscribe(last_event_id);
        let (Replay::Lost, Some(id)) = (subscription.replay(), last_event_id) else {
            return Ok(RedisSubscription::new(VecDeque::new(), subscription, None));
        };
        let Some(n) = entry::parse_id(id) else {
            return Ok(RedisSubscription::new(VecDeque::new(), subscription, None)); // not an ID of this stream
        };
        drop(subscription);
        let timeout = self.inner.config.timeout;
        // Boxed: the resume path's future (Redis commands, about 2.7 KB) would otherwise make every caller's
        // future that large, a subscription served from memory included (a handler's is allocated per request).
        tokio::time::timeout(timeout, Box::pin(self.resume(id, n))).await.map_err(|_| RedisError::Timeout(timeout))?
    }

    /// Resumes after event `n` (named `id`), which the in-memory log did not hold.
    async fn resume(&self, id: &str, n: u64) -> Result<RedisSubscription, RedisError> {
        let inner = &*self.inner;
        let mut position = inner.position.clone();
        let mut connection = None;
        loop {
            // The reader's position is read before the log: an empty log then means nothing after it was sent.
            let Some(last) = *position.borrow_and_update() else {
                // The reader has not reached Redis yet; it stops only once the broadcaster is closed.
                if position.changed().await.is_err() {
                    return Ok(self.lost());
                }
                continue;
            };
            if n > last {
                // Newer than this process has read: an ID another process sent, or one never given.
                let connection = match &mut connection {
                    Some(connection) => connection,
                    None => connection.insert(self.connect().await?),
                };
                let head: StreamRangeReply = ::redis::cmd("XREVRANGE")
                    .arg(&inner.config.key)
                    .arg("+")
                    .arg("-")
                    .arg("COUNT")
                    .arg(1)
                    .query_async(connection)
                    .await
                    .map_err(RedisError::Redis)?;
                if head.ids.first().and_then(|entry| entry::number(&entry.id)).is_none_or(|head| n > head) {
                    return Ok(self.lost());
                }
                while position.borrow_and_update().is_some_and(|last| n > last) {
                    if position.changed().await.is_err() {
                        return Ok(self.lost());
                    }
                }
                let subscription = inner.broadcaster.subscribe(Some(id));
                if subscription.replay() != Replay::Lost {
                    return Ok(RedisSubscription::new(VecDeque::new(), subscription, None));
                }
                continue;
            }
            let (subscription, oldest) = inner.broadcaster.subscribe_oldest();
            // Redis gives the events from n + 1 to `end`, the subscription those after.
            let end = match oldest {
                Some(oldest) => match oldest.to_str().ok().and_then(entry::parse_id) {
                    Some(oldest) => oldest - 1,
                    None => return Ok(self.lost()),
                },
                None => last,
            };
            if n > end || end - n > inner.config.max_replay as u64 {
                return Ok(self.lost()); // inside the log's range yet not in it (never given), or too far behind
            }
            let connection = match &mut connection {
                Some(connection) => connection,
                None => connection.insert(self.connect().await?),
            };
            let range: StreamRangeReply = ::redis::cmd("XRANGE")
                .arg(&inner.config.key)
                .arg(format!("{}-0", n + 1))
                .arg(format!("{end}-0"))
                .query_async(connection)
                .await
                .map_err(RedisError::Redis)?;
            let numbers = range.ids.iter().map(|entry| entry::number(&entry.id));
            if !numbers.eq((n + 1..=end).map(Some)) {
                return Ok(self.lost()); // trimmed out of Redis too
            }
            let mut replay = VecDeque::with_capacity(range.ids.len());
            for entry in &range.ids {
                let Some(event) = entry::event(entry) else { return Ok(self.lost()) };
                let mut frame = BytesMut::with_capacity(event.encoded_len());
                event.encode(&mut frame).map_err(|err| RedisError::Broadcast(BroadcastError::Encode(err)))?;
                replay.push_back(frame.freeze());
            }
            return Ok(RedisSubscription::new(replay, subscription, None));
        }
    }

    /// A subscription from the next event, for a client whose ID is lost.
    fn lost(&self) -> RedisSubscription {
        RedisSubscription::new(VecDeque::new(), self.inner.broadcaster.subscribe(None), Some(Replay::Lost))
    }
}

impl fmt::Debug for RedisBroadcaster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBroadcaster")
            .field("config", &self.inner.config)
            .field("position", &*self.inner.position.borrow())
            .field("broadcaster", &self.inner.broadcaster)
            .finish_non_exhaustive()
    }
}

/// A [`RedisBroadcaster`]'s subscriber: the events replayed from Redis, if any, then a [`Subscription`] of the
/// process's broadcaster. A [`Stream`] of encoded frames, like [`Subscription`].
#[must_use = "streams do nothing unless polled"]
pub struct RedisSubscription {
    replay: VecDeque<Bytes>,
    live: Subscription,
    outcome: Replay,
}

impl RedisSubscription {
    fn new(replay: VecDeque<Bytes>, live: Subscription, outcome: Option<Replay>) -> Self {
        let outcome = outcome.unwrap_or(match live.replay() {
            Replay::Resumed { events } => Replay::Resumed { events: events + replay.len() },
            other => other,
        });
        Self { replay, live, outcome }
    }

    /// Where the subscription started: [`Replay::Resumed`] with the events replayed from Redis and from the
    /// log, [`Replay::Live`] without an ID, [`Replay::Lost`] when the events after the ID are gone.
    pub const fn replay(&self) -> Replay {
        self.outcome
    }

    /// Why the subscription ended, or `None` while it is live (see [`Subscription::ended`]).
    #[must_use]
    pub fn ended(&self) -> Option<Ended> {
        self.live.ended()
    }
}

impl Stream for RedisSubscription {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        match self.replay.pop_front() {
            Some(frame) => Poll::Ready(Some(frame)),
            None => Pin::new(&mut self.live).poll_next(cx),
        }
    }
}

impl FusedStream for RedisSubscription {
    fn is_terminated(&self) -> bool {
        self.replay.is_empty() && self.live.is_terminated()
    }
}

impl fmt::Debug for RedisSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSubscription")
            .field("replay", &self.outcome)
            .field("from_redis", &self.replay.len())
            .field("live", &self.live)
            .finish()
    }
}

/// Why a [`RedisBroadcaster`] could not publish or resume.
#[derive(Debug)]
#[non_exhaustive]
pub enum RedisError {
    /// Redis refused the command, or the connection to it failed.
    Redis(::redis::RedisError),
    /// Redis did not answer within this time (connecting included).
    Timeout(Duration),
    /// The event cannot be published as it is (it has an ID of its own, or is too large for the log).
    Broadcast(BroadcastError),
}

impl RedisError {
    /// Whether Redis is out of reach (down, restarting, still loading its data, failing over, too slow), so
    /// that trying again later may succeed: a server answers such a publish with 503 Service Unavailable.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        use ::redis::{ErrorKind, ServerErrorKind};
        match self {
            Self::Redis(err) => {
                err.is_io_error()
                    || err.is_connection_dropped()
                    || err.is_connection_refusal()
                    || err.is_timeout()
                    || matches!(
                        err.kind(),
                        ErrorKind::Server(
                            ServerErrorKind::BusyLoading
                                | ServerErrorKind::TryAgain
                                | ServerErrorKind::MasterDown
                                | ServerErrorKind::ClusterDown
                        )
                    )
            }
            Self::Timeout(_) => true,
            Self::Broadcast(_) => false,
        }
    }
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Redis(_) => f.write_str("redis command failed"),
            Self::Timeout(timeout) => write!(f, "redis did not answer within {timeout:?}"),
            Self::Broadcast(_) => f.write_str("event cannot be published"),
        }
    }
}

impl std::error::Error for RedisError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Redis(err) => Some(err),
            Self::Timeout(_) => None,
            Self::Broadcast(err) => Some(err),
        }
    }
}
