//! [`Broadcaster`] and [`Subscription`]: encode each event once, hand every subscriber the same [`Bytes`], and
//! resume a reconnecting client from its `Last-Event-ID`.

mod config;
mod log;
mod state;
mod subscription;

use std::fmt;
use std::mem::{self, size_of};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

use bytes::{Bytes, BytesMut};
use sse_codec::{EncodeError, Event, EventId};

pub use config::{BroadcastConfig, Ids};
pub use subscription::{Ended, Replay, Subscription};

use log::Log;
use state::{Sender, Shared, State, wake_all};

/// Encodes each event once and fans the same [`Bytes`] out to every [`Subscription`], keeping the last events
/// in a bounded replay log so that a reconnecting client resumes from its `Last-Event-ID`.
///
/// Cheap to clone (a reference count), `Send` and `Sync`: share it between the tasks that send and the
/// handlers that subscribe. When the last clone is dropped, or on [`close`](Self::close), every subscription
/// reads what was sent before and ends.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use sse_codec_tokio::{Broadcaster, Event, EventId, Replay};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let broadcaster = Broadcaster::new();
/// let mut live = broadcaster.subscribe(None);
/// assert_eq!(broadcaster.send(Event::new("hello"))?, "1");
/// broadcaster.send(Event::new("world"))?;
///
/// // Each subscriber reads the frame encoded once, with the ID the broadcaster gave it.
/// assert_eq!(live.next().await.unwrap(), Event::new("hello").with_id(EventId::from(1)).to_bytes());
/// // A client that saw event 1 reconnects: event 2 is replayed, then the live ones follow.
/// let mut resumed = broadcaster.subscribe(Some("1"));
/// assert_eq!(resumed.replay(), Replay::Resumed { events: 1 });
/// assert_eq!(resumed.next().await.unwrap(), Event::new("world").with_id(EventId::from(2)).to_bytes());
/// assert_eq!(broadcaster.subscribe(Some("999")).replay(), Replay::Lost);
/// # Ok(()) }
/// ```
///
/// # How it works
///
/// [`Broadcaster::send`] encodes the event once with the core into one [`Bytes`] and appends it to a replay log
/// (a ring of the last events, bounded by count and by bytes, see [`BroadcastConfig`]). A [`Subscription`] is
/// a cursor into that log: the number of the next event it reads. Reading takes a clone of the frame (a
/// reference count, no copy) and moves the cursor on; when the cursor reaches the end of the log, the
/// subscription leaves its waker in its slot and the next send wakes it. There is no task, no channel and no
/// buffer per subscriber.
///
/// Replaying and reading live events are the same read of the same log, so there is no handover between
/// them to get wrong: [`Broadcaster::subscribe`] finds the event after the `Last-Event-ID` and sets the cursor
/// to it under the same lock that a send appends under. A concurrent send either appended before (then the
/// event is in the replay) or after (then it is read live); it cannot be both, and it cannot be neither.
///
/// # Slow subscribers
///
/// A subscriber is never skipped ahead. When a send pushes out of the log the next event a subscriber had to
/// read (it read too slowly, or its client stalled), that subscriber is ended: its stream ends at a frame
/// boundary and [`Subscription::ended`] says [`Ended::Lagged`]. Its client then reconnects with its
/// `Last-Event-ID`, and since the log still holds the events after the last one the client received (unless
/// it fell behind by more than the whole log), it resumes with nothing lost. So the memory a broadcaster holds
/// is its log's budget, plus a small constant per subscriber, however slow the subscribers are.
///
/// A client that asks for an ID the log no longer holds (it was away for longer than the log covers), or
/// never held (the server restarted, the counter started again), is told by [`Subscription::replay`] returning
/// [`Replay::Lost`]: the server should send it a full state before the live events.
///
/// # Cost per subscriber
///
/// A subscriber costs the broadcaster 40 bytes on a 64-bit target (its slot of 24 bytes: cursor and waker;
/// and room for its waker while a send wakes it), and the [`Subscription`] itself is 64 bytes: 104 bytes in
/// all, whatever the log holds (measured with 10,000 subscribers, the broadcaster's vectors grown by
/// doubling hold 65 bytes a subscriber). A dropped subscription's slot is reused by the next subscriber.
///
/// # An axum handler
///
/// The handler reads `Last-Event-ID`, subscribes from it, sends a full state first when the ID was lost, and
/// returns an [`EventBody`](crate::EventBody) over the subscription (feature `http-body` for `into_response`,
/// which sets [`RESPONSE_HEADERS`](sse_codec::headers::RESPONSE_HEADERS); without it, the body is a `Stream`
/// of `Result<Bytes, Infallible>` for `axum::body::Body::from_stream`). The body writes each frame as it is,
/// never encoding it again, and adds keep-alives, a first `retry`, a lifetime and shutdown as configured:
///
/// ```
/// # #[cfg(feature = "http-body")] mod example {
/// use axum::extract::State;
/// use axum::http::{HeaderMap, StatusCode};
/// use axum::response::IntoResponse;
/// use bytes::Bytes;
/// use futures::{StreamExt, stream};
/// use sse_codec_tokio::{Broadcaster, Event, EventBody, EventId, EventType, Replay};
///
/// /// The whole state, as one event of type `state`, for a client that cannot resume.
/// fn full_state() -> Bytes {
///     Event::new("{\"everything\":true}").with_event_type(EventType::from_static("state")).to_bytes()
/// }
///
/// async fn events(State(broadcaster): State<Broadcaster>, headers: HeaderMap) -> impl IntoResponse {
///     // Browsers send the ID's UTF-8 bytes; an ID that is not valid UTF-8 is one this server never sent.
///     let last_event_id = headers.get("last-event-id").map(|id| String::from_utf8_lossy(id.as_bytes()).into_owned());
///     let subscription = broadcaster.subscribe(last_event_id.as_deref());
///     // Subscribe first, then take the state: an event sent in between is in both, none is in neither.
///     let full_state = (subscription.replay() == Replay::Lost).then(full_state);
///     EventBody::new(stream::iter(full_state).chain(subscription)).into_response()
/// }
///
/// # pub(super) async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let broadcaster = Broadcaster::new(); // IDs 1, 2, 3, ...
/// for text in ["a", "b", "c"] {
///     broadcaster.send(Event::new(text))?;
/// }
/// // The router: `Router::new().route("/events", get(events)).with_state(broadcaster.clone())`.
/// // Here the handler is called directly, as a client that has seen event 1 reconnecting would.
/// let mut headers = HeaderMap::new();
/// headers.insert("last-event-id", "1".parse()?);
/// let response = events(State(broadcaster.clone()), headers).await.into_response();
/// assert_eq!(response.status(), StatusCode::OK);
/// assert_eq!(response.headers()["content-type"], "text/event-stream");
/// broadcaster.close(); // ends every subscription once it has read what was sent
/// let mut body = response.into_body().into_data_stream();
/// let mut wire = Vec::new();
/// while let Some(chunk) = body.next().await {
///     wire.extend_from_slice(&chunk?);
/// }
/// let replayed = [Event::new("b").with_id(EventId::from(2)), Event::new("c").with_id(EventId::from(3))];
/// assert_eq!(wire, replayed.iter().flat_map(Event::to_bytes).collect::<Vec<u8>>());
///
/// // A client whose ID has left the log (or was never sent) gets the full state first.
/// let mut headers = HeaderMap::new();
/// headers.insert("last-event-id", "0".parse()?);
/// let response = events(State(broadcaster.clone()), headers).await.into_response();
/// let wire = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
/// assert_eq!(wire, full_state());
/// # Ok(()) }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// #     #[cfg(feature = "http-body")]
/// #     example::main().await?;
/// #     Ok(())
/// # }
/// ```
pub struct Broadcaster {
    shared: Arc<Shared>,
}

impl Broadcaster {
    /// A broadcaster with the default [`BroadcastConfig`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_config(BroadcastConfig::new())
    }

    /// A broadcaster with `config`.
    #[must_use]
    pub fn with_config(config: BroadcastConfig) -> Self {
        let log = Log::new(config.max_events, config.max_bytes, config.ids);
        let shared = Shared {
            state: Mutex::new(State::new(log)),
            sender: Mutex::new(Sender { next_seq: 0, wake: Vec::new() }),
            handles: AtomicUsize::new(1),
            published: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            config,
        };
        Self { shared: Arc::new(shared) }
    }

    /// Encodes `event` once, logs it, and wakes the subscribers waiting for it. Returns the event's ID: the
    /// caller's, or the next number of the counter (see [`Ids`]).
    ///
    /// Sends from several tasks are logged one at a time, in the order they take the broadcaster's lock;
    /// every subscriber reads them in that order.
    ///
    /// # Errors
    ///
    /// Nothing is sent on error. The event is checked first, then whether the broadcaster is open:
    ///
    /// - [`BroadcastError::IdGiven`] when the broadcaster numbers the events and `event` has an ID.
    /// - [`BroadcastError::MissingId`] or [`BroadcastError::EmptyId`] when the caller gives the IDs and
    ///   `event` has none, or an empty one.
    /// - [`BroadcastError::TooLarge`] when the encoded event alone is longer than the log's byte bound.
    /// - [`BroadcastError::Closed`] after [`close`](Self::close).
    pub fn send(&self, event: Event) -> Result<EventId, BroadcastError> {
        let mut sender = self.shared.sender();
        let (event, id) = match self.shared.config.ids {
            Ids::Counter { first } => {
                if event.id().is_some() {
                    return Err(BroadcastError::IdGiven);
                }
                let n = first.checked_add(sender.next_seq).ok_or(BroadcastError::CounterOverflow)?;
                let id = EventId::new(n.to_string()).map_err(BroadcastError::Encode)?;
                (event.with_id(id.clone()), id)
            }
            Ids::Caller => {
                let id = event.id().cloned().ok_or(BroadcastError::MissingId)?;
                if id.as_bytes().is_empty() {
                    return Err(BroadcastError::EmptyId);
                }
                (event, id)
            }
        };
        let len = event.encoded_len();
        if len > self.shared.config.max_bytes {
            return Err(BroadcastError::TooLarge { len, max: self.shared.config.max_bytes });
        }
        let mut frame = BytesMut::with_capacity(len);
        event.encode(&mut frame).map_err(BroadcastError::Encode)?;
        let frame: Bytes = frame.freeze();

        let mut wake = mem::take(&mut sender.wake);
        let mut state = self.shared.state();
        if state.closed {
            sender.wake = wake;
            return Err(BroadcastError::Closed);
        }
        state.log.push(id.clone(), frame);
        self.shared.published.store(state.log.next_seq(), Ordering::Release);
        state.after_send(&mut wake);
        drop(state);
        wake_all(&mut wake);
        sender.wake = wake;
        sender.next_seq += 1;
        Ok(id)
    }

    /// A subscription that replays every logged event after `last_event_id` (a reconnecting client's
    /// `Last-Event-ID` header), then reads each event as it is sent.
    ///
    /// [`Subscription::replay`] says how it started: [`Replay::Live`] without an ID (or with an empty one),
    /// [`Replay::Resumed`] when the log holds every event after the ID, [`Replay::Lost`] when it does not (the
    /// subscription then starts with the next event sent, and the client needs a full state first).
    ///
    /// After [`close`](Self::close), the subscription still replays what the log holds, then ends.
    pub fn subscribe(&self, last_event_id: Option<&str>) -> Subscription {
        let mut state = self.shared.state();
        let next = state.log.next_seq();
        let (cursor, replay) = match last_event_id.filter(|id| !id.is_empty()) {
            None => (next, Replay::Live),
            Some(id) => match state.log.resume_after(id) {
                Some(cursor) => {
                    // No truncation: the log holds at most `max_events` events, a usize.
                    (cursor, Replay::Resumed { events: (next - cursor) as usize })
                }
                None => (next, Replay::Lost),
            },
        };
        let slot = state.add(cursor);
        drop(state);
        Subscription::new(Arc::clone(&self.shared), slot, cursor, replay)
    }

    /// A subscription that reads every event the log holds, from the oldest one on, then each event as it is
    /// sent; with the ID of that oldest event, or `None` when the log is empty (the subscription then starts
    /// with the next event sent).
    ///
    /// This is for a store that keeps more history than the log (a Redis stream, a database): a client whose
    /// `Last-Event-ID` the log no longer holds is served the events before the returned ID from that store,
    /// then this subscription, with no gap and no duplicate, since the ID and the cursor are taken under the
    /// lock that a send appends under. Its [`replay`](Subscription::replay) is [`Replay::Resumed`] with the
    /// number of logged events. Like every subscriber, it is ended if the oldest event leaves the log before
    /// it is read, so read it soon.
    pub fn subscribe_oldest(&self) -> (Subscription, Option<EventId>) {
        let mut state = self.shared.state();
        let (first, next) = (state.log.first_seq(), state.log.next_seq());
        let oldest = state.log.first_id().cloned();
        // No truncation: the log holds at most `max_events` events, a usize.
        let replay = Replay::Resumed { events: (next - first) as usize };
        let slot = state.add(first);
        drop(state);
        (Subscription::new(Arc::clone(&self.shared), slot, first, replay), oldest)
    }

    /// The subscriptions that are neither ended nor dropped.
    #[must_use]
    pub fn subscriber_count(&self) -> usize {
        self.shared.state().live()
    }

    /// Closes the broadcaster: later sends fail, and every subscription reads what was sent before and then
    /// ends ([`Ended::Closed`]) at a frame boundary. Dropping the last clone of the broadcaster does the same.
    pub fn close(&self) {
        let mut wake = Vec::new();
        let mut state = self.shared.state();
        state.close(&mut wake);
        self.shared.closed.store(true, Ordering::Release);
        drop(state);
        wake_all(&mut wake);
    }

    /// Whether the broadcaster is closed.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.shared.state().closed
    }

    /// The broadcaster's own accounting of what it holds: the log, the subscribers, and the heap behind them.
    #[must_use]
    pub fn stats(&self) -> BroadcastStats {
        let sender = self.shared.sender();
        let state = self.shared.state();
        let (events, frame_bytes) = state.log.len();
        BroadcastStats {
            subscribers: state.live(),
            events,
            frame_bytes,
            heap_bytes: state.log.heap_bytes() + state.slots_heap_bytes() + sender.wake.capacity() * size_of::<Waker>(),
        }
    }
}

impl Default for Broadcaster {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for Broadcaster {
    fn clone(&self) -> Self {
        self.shared.handles.fetch_add(1, Ordering::Relaxed);
        Self { shared: Arc::clone(&self.shared) }
    }
}

impl Drop for Broadcaster {
    fn drop(&mut self) {
        if self.shared.handles.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.close();
        }
    }
}

impl fmt::Debug for Broadcaster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broadcaster").field("config", &self.shared.config).field("stats", &self.stats()).finish()
    }
}

/// What a [`Broadcaster`] holds, by its own accounting ([`Broadcaster::stats`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BroadcastStats {
    /// Subscriptions neither ended nor dropped.
    pub subscribers: usize,
    /// Events in the replay log.
    pub events: usize,
    /// Bytes of the logged frames (at most the configured bound).
    pub frame_bytes: usize,
    /// The heap the broadcaster holds: the frames, the log's ring and ID index, the subscribers' slots and the
    /// buffer of wakers a send wakes.
    pub heap_bytes: usize,
}

/// Why [`Broadcaster::send`] refused an event. Nothing was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BroadcastError {
    /// The broadcaster is closed.
    Closed,
    /// The broadcaster numbers the events ([`Ids::Counter`]) and the event had an ID of its own.
    IdGiven,
    /// The caller gives the IDs ([`Ids::Caller`]) and the event had none.
    MissingId,
    /// The caller gives the IDs ([`Ids::Caller`]) and the event's was empty: no client could resume from it.
    EmptyId,
    /// The counter of [`Ids::Counter`] has passed `u64::MAX`.
    CounterOverflow,
    /// The encoded event alone is longer than the log's byte bound.
    TooLarge {
        /// The encoded event's length.
        len: usize,
        /// The log's bound ([`BroadcastConfig::max_bytes`]).
        max: usize,
    },
    /// The core refused to encode the event.
    Encode(EncodeError),
}

impl fmt::Display for BroadcastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("broadcaster is closed"),
            Self::IdGiven => f.write_str("event has an id, but the broadcaster numbers the events"),
            Self::MissingId => f.write_str("event has no id, and the broadcaster takes the caller's"),
            Self::EmptyId => f.write_str("event id is empty"),
            Self::CounterOverflow => f.write_str("event id counter overflowed"),
            Self::TooLarge { len, max } => write!(f, "encoded event of {len} bytes exceeds the log's {max} bytes"),
            Self::Encode(_) => f.write_str("event could not be encoded"),
        }
    }
}

impl std::error::Error for BroadcastError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Encode(error) => Some(error),
            _ => None,
        }
    }
}
