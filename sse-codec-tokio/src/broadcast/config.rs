//! [`BroadcastConfig`]: the replay log's bounds and where event IDs come from.

/// Where the IDs of broadcast events come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ids {
    /// The broadcaster numbers the events itself, in decimal, counting up from `first`: resuming works
    /// without the caller thinking about IDs. An event sent with an ID of its own is refused.
    ///
    /// A counter that starts again at the same `first` after a restart gives old IDs to new events, and a
    /// client that kept an ID from before would resume at the wrong place: a server that restarts should
    /// start from a value it has not used (a timestamp in milliseconds, say).
    Counter {
        /// The ID of the first event.
        first: u64,
    },
    /// The caller gives every event an ID of its own, not empty (an empty ID resets a browser's last event
    /// ID, so nothing could resume from it). IDs should be unique: a client resuming from an ID that was
    /// sent twice resumes after the later one.
    Caller,
}

impl Default for Ids {
    fn default() -> Self {
        Self::Counter { first: 1 }
    }
}

/// How a [`Broadcaster`](crate::Broadcaster) keeps its replay log, and where its event IDs come from.
///
/// The log is what a reconnecting client resumes from, and also each subscriber's budget: a subscriber whose
/// next event has left the log is ended. Both bounds are finite, so a broadcaster's memory is bounded however
/// slow its subscribers are: the log's frames, plus a small constant per subscriber.
///
/// # Examples
///
/// ```
/// use sse_codec_tokio::{BroadcastConfig, Broadcaster, Ids};
///
/// let broadcaster = Broadcaster::with_config(
///     BroadcastConfig::new().max_events(10_000).max_bytes(4 << 20).ids(Ids::Caller),
/// );
/// # drop(broadcaster);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastConfig {
    pub(super) max_events: usize,
    pub(crate) max_bytes: usize,
    pub(super) ids: Ids,
}

impl BroadcastConfig {
    /// The log's default bound in events: 1,024.
    pub const DEFAULT_MAX_EVENTS: usize = 1024;
    /// The log's default bound in bytes of encoded frames: 1 MiB.
    pub const DEFAULT_MAX_BYTES: usize = 1 << 20;

    /// The defaults: at most [`DEFAULT_MAX_EVENTS`](Self::DEFAULT_MAX_EVENTS) events and
    /// [`DEFAULT_MAX_BYTES`](Self::DEFAULT_MAX_BYTES) bytes of frames in the log, IDs counted from 1.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            max_events: Self::DEFAULT_MAX_EVENTS,
            max_bytes: Self::DEFAULT_MAX_BYTES,
            ids: Ids::Counter { first: 1 },
        }
    }

    /// Keeps at most `events` events in the log.
    ///
    /// # Panics
    ///
    /// When `events` is 0: a log must hold at least the event being sent, or every subscriber would be ended
    /// by every send.
    #[must_use]
    pub const fn max_events(mut self, events: usize) -> Self {
        assert!(events > 0, "a broadcast log holds at least one event");
        self.max_events = events;
        self
    }

    /// Keeps at most `bytes` bytes of encoded frames in the log (the oldest events leave first). A single
    /// event whose frame is longer is refused by [`send`](crate::Broadcaster::send).
    #[must_use]
    pub const fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Where event IDs come from.
    #[must_use]
    pub const fn ids(mut self, ids: Ids) -> Self {
        self.ids = ids;
        self
    }
}

impl Default for BroadcastConfig {
    fn default() -> Self {
        Self::new()
    }
}
