//! [`Options`]: how an [`EventSource`](super::EventSource) reconnects.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sse_codec::{Decoder, EventId, Limits};

use super::{Backoff, Head, RetryPolicy, UnsendableId};

/// Decides whether a response that is neither 200 with `text/event-stream` nor 204 is retried.
type RetryWhen = Arc<dyn Fn(&Head) -> bool + Send + Sync>;

/// How an [`EventSource`](super::EventSource) reconnects: a value with defaults and setters.
///
/// | setting | default |
/// | --- | --- |
/// | [`retry`](Options::retry): the reconnection time until the server sends `retry:` | 3 s, as browsers |
/// | [`min_delay`](Options::min_delay): the floor under every delay, so `retry: 0` cannot spin | 250 ms |
/// | [`policy`](Options::policy): backoff on repeated failures, and when to give up | [`Backoff::default()`] |
/// | [`healthy_after`](Options::healthy_after): an open connection this old counts as healthy, even without events | 60 s |
/// | [`retry_when`](Options::retry_when): which other responses to retry | none: they end the stream |
/// | [`limits`](Options::limits): the decoder's limits | [`Limits::default()`] |
/// | [`last_event_id`](Options::last_event_id): where to resume | none |
/// | [`unsendable_id`](Options::unsendable_id) | [`UnsendableId::End`] |
pub struct Options {
    pub(crate) retry: Duration,
    pub(crate) min_delay: Duration,
    pub(crate) healthy_after: Duration,
    pub(crate) policy: Box<dyn RetryPolicy + Send>,
    pub(crate) retry_when: Option<RetryWhen>,
    pub(crate) limits: Limits,
    pub(crate) last_event_id: Option<EventId>,
    pub(crate) unsendable_id: UnsendableId,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("retry", &self.retry)
            .field("min_delay", &self.min_delay)
            .field("healthy_after", &self.healthy_after)
            .field("retry_when", &self.retry_when.as_ref().map(|_| "Fn(&Head) -> bool"))
            .field("limits", &self.limits)
            .field("last_event_id", &self.last_event_id)
            .field("unsendable_id", &self.unsendable_id)
            .finish_non_exhaustive()
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            retry: Self::DEFAULT_RETRY,
            min_delay: Self::DEFAULT_MIN_DELAY,
            healthy_after: Duration::from_secs(60),
            policy: Box::new(Backoff::default()),
            retry_when: None,
            limits: Limits::default(),
            last_event_id: None,
            unsendable_id: UnsendableId::default(),
        }
    }
}

impl Options {
    /// The default reconnection time, 3 s, as browsers use.
    pub const DEFAULT_RETRY: Duration = Duration::from_secs(3);
    /// The default floor under every delay, 250 ms.
    pub const DEFAULT_MIN_DELAY: Duration = Duration::from_millis(250);

    /// Sets the reconnection time in force until the server sends `retry:`.
    #[must_use]
    pub const fn retry(mut self, retry: Duration) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the floor under every delay before a reconnection, whatever the server's `retry:`, a `Retry-After`
    /// or the policy says.
    #[must_use]
    pub const fn min_delay(mut self, min_delay: Duration) -> Self {
        self.min_delay = min_delay;
        self
    }

    /// Sets how long a connection must stay open to count as healthy (which starts the backoff again) when it
    /// delivers no event; one that delivers an event is healthy at once.
    #[must_use]
    pub const fn healthy_after(mut self, time: Duration) -> Self {
        self.healthy_after = time;
        self
    }

    /// Replaces the backoff policy: a [`Backoff`] with other settings, or a [`RetryPolicy`] of your own.
    #[must_use]
    pub fn policy(mut self, policy: impl RetryPolicy + Send + 'static) -> Self {
        self.policy = Box::new(policy);
        self
    }

    /// Retries the responses for which `retry` answers `true` instead of ending the stream: any status but
    /// 200 and 204, and 200 without `text/event-stream`. A `Retry-After` the response carries sets the delay
    /// (the floor still holds); without one the policy's backoff does.
    ///
    /// ```
    /// use sse_codec_tokio::client::Options;
    ///
    /// let options = Options::default().retry_when(|head| matches!(head.status, 429 | 502 | 503));
    /// ```
    #[must_use]
    pub fn retry_when(mut self, retry: impl Fn(&Head) -> bool + Send + Sync + 'static) -> Self {
        self.retry_when = Some(Arc::new(retry));
        self
    }

    /// Sets the decoder's limits: a line or an event past them is a
    /// [`SourceError::Stream`](super::SourceError::Stream) and a reconnection, never unbounded memory.
    #[must_use]
    pub const fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Starts from a saved last event ID: the first request already sends it, and events carry it until the
    /// server sends another.
    #[must_use]
    pub fn last_event_id(mut self, id: EventId) -> Self {
        self.last_event_id = Some(id);
        self
    }

    /// Sets what happens when the last event ID holds a byte no HTTP header can carry.
    #[must_use]
    pub const fn unsendable_id(mut self, unsendable_id: UnsendableId) -> Self {
        self.unsendable_id = unsendable_id;
        self
    }

    /// The decoder the first connection starts with.
    pub(crate) fn decoder(&mut self) -> Decoder {
        let decoder = Decoder::with_limits(self.limits);
        match self.last_event_id.take() {
            Some(id) => decoder.with_last_event_id(id),
            None => decoder,
        }
    }
}
