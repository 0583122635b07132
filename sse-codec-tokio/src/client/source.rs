//! [`EventSource`]: the reconnecting client, a [`Stream`] of [`SourceItem`]s.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_core::{FusedStream, Stream};
use sse_codec::{Decoder, Event, EventId, Frame};
use tokio::time::{Instant, Sleep};

use super::last_event_id::header_value;
use super::{Connect, Options, SourceError, UnsendableId};
use crate::EventStream;

/// What an [`EventSource`] reports, as a browser's `EventSource` fires `open`, `message` and `error`.
#[derive(Debug)]
#[non_exhaustive]
pub enum SourceItem<E> {
    /// A connection opened: the server answered 200 with `text/event-stream`.
    Open,
    /// An event. Its [`id`](Event::id) is the last event ID in force: the ID it carried, or the one before it.
    Event(Event),
    /// The connection failed or ended, and the source reconnects after `delay`.
    Retrying {
        /// Why the connection failed or ended.
        error: SourceError<E>,
        /// How long the source waits before it reconnects.
        delay: Duration,
    },
    /// The server answered 204 No Content: the stream is over for good, and the source answers `None` next.
    Closed,
}

/// Where an [`EventSource`] is. (The open state is the large one, and where the source spends its life: it is
/// not boxed, so that reading events goes through no extra pointer.)
#[allow(clippy::large_enum_variant)]
enum State<C: Connect> {
    /// About to send a request.
    Idle,
    /// A request is under way.
    Connecting(Pin<Box<C::Future>>),
    /// A connection is open, its body being decoded.
    Open { stream: EventStream<Pin<Box<C::Body>>>, opened_at: Instant, delivered: bool },
    /// Waiting before the next request.
    Waiting(Pin<Box<Sleep>>),
    /// Ended: `None` from now on.
    Done,
}

/// What an [`EventSource`] and its [`CloseHandle`]s share.
#[derive(Debug, Default)]
struct Shared {
    closed: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

/// Closes an [`EventSource`] from elsewhere: from another task, a signal handler, a UI. Cloneable.
#[derive(Clone, Debug)]
pub struct CloseHandle(Arc<Shared>);

impl CloseHandle {
    /// Closes the source: the request or connection under way is dropped, no reconnection follows, and the
    /// source answers `None` when next polled (waking the task that polls it).
    pub fn close(&self) {
        self.0.closed.store(true, Ordering::Release);
        if let Some(waker) = self.0.waker.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            waker.wake();
        }
    }

    /// Whether the source has been closed through a handle.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.0.closed.load(Ordering::Acquire)
    }
}

/// A reconnecting event-stream client over any transport: a [`Stream`] of [`SourceItem`]s, with a browser's
/// reconnection model.
///
/// It sends the request through its [`Connect`], decodes the body through [`EventStream`] (the core's rules
/// and [`Limits`](sse_codec::Limits)), and when the connection fails or ends it waits and sends the request
/// again with the `Last-Event-ID` of the last event, so that a server that replays from it loses and repeats
/// nothing. See [the module docs](super) for the rules and their defaults.
///
/// An error that will be retried comes as [`SourceItem::Retrying`]; an error that ends the source comes as
/// `Err`, once, and `None` follows (it is a [`FusedStream`]).
///
/// # Cancellation safety
///
/// All state lives in the `EventSource`: dropping the future of `next()` (a losing `tokio::select!` branch)
/// loses nothing, and dropping the `EventSource` drops the request or connection under way and the timer.
pub struct EventSource<C: Connect> {
    connect: C,
    options: Options,
    state: State<C>,
    /// The decoder, while no connection is open (an open one's `EventStream` holds it).
    decoder: Option<Decoder>,
    /// The reconnection time: the default, or the server's last `retry:`.
    retry: Duration,
    /// Attempts failed in a row since the last healthy connection.
    failures: u32,
    /// When the first of those started.
    failing_since: Option<Instant>,
    shared: Arc<Shared>,
}

// Nothing of `C` is ever pinned: the futures and bodies it makes are boxed.
impl<C: Connect> Unpin for EventSource<C> {}

impl<C: Connect> fmt::Debug for EventSource<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Idle => "idle",
            State::Connecting(_) => "connecting",
            State::Open { .. } => "open",
            State::Waiting(_) => "waiting",
            State::Done => "done",
        };
        f.debug_struct("EventSource")
            .field("state", &state)
            .field("last_event_id", &self.last_event_id())
            .field("retry", &self.retry)
            .field("failures", &self.failures)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<C: Connect> EventSource<C> {
    /// A source over `connect` with the default [`Options`]. Nothing is sent until it is first polled.
    pub fn new(connect: C) -> Self {
        Self::with_options(connect, Options::default())
    }

    /// A source over `connect` with `options`.
    pub fn with_options(connect: C, mut options: Options) -> Self {
        let decoder = options.decoder();
        Self {
            connect,
            retry: options.retry,
            options,
            state: State::Idle,
            decoder: Some(decoder),
            failures: 0,
            failing_since: None,
            shared: Arc::default(),
        }
    }

    /// The last event ID in force: what the next reconnection sends (see [`Connect`] for how), and what to
    /// save to resume after a restart with [`Options::last_event_id`].
    #[must_use]
    pub fn last_event_id(&self) -> Option<&EventId> {
        match &self.state {
            State::Open { stream, .. } => stream.last_event_id(),
            _ => self.decoder.as_ref().and_then(Decoder::last_event_id),
        }
    }

    /// The reconnection time in force: the default, or the server's last `retry:`.
    #[must_use]
    pub const fn retry(&self) -> Duration {
        self.retry
    }

    /// A handle that closes this source from elsewhere.
    #[must_use]
    pub fn close_handle(&self) -> CloseHandle {
        CloseHandle(Arc::clone(&self.shared))
    }

    /// Closes the source: it answers `None` from now on.
    pub fn close(&mut self) {
        self.close_handle().close();
        self.state = State::Done;
    }

    /// The transport.
    #[must_use]
    pub const fn get_ref(&self) -> &C {
        &self.connect
    }

    /// Sends the request again, with the last event ID as a header if it can be.
    fn start(&mut self) -> Result<(), SourceError<C::Error>> {
        let id = self.decoder.as_ref().and_then(Decoder::last_event_id);
        let header = match header_value(id) {
            Ok(header) => header,
            Err(_) if self.options.unsendable_id == UnsendableId::Omit => None,
            Err(id) => return Err(SourceError::UnsendableId(id.clone())),
        };
        self.state = State::Connecting(Box::pin(self.connect.connect(header)));
        Ok(())
    }

    /// Classifies a response: opens it, ends the source, or fails.
    fn open(&mut self, response: super::Response<C::Body>) -> Poll<Option<<Self as Stream>::Item>> {
        let head = response.head;
        if head.status == 204 {
            self.state = State::Done;
            return Poll::Ready(Some(Ok(SourceItem::Closed)));
        }
        if head.status == 200 && head.is_event_stream() {
            let decoder = self.decoder.take().unwrap_or_default();
            let stream = EventStream::with_decoder(Box::pin(response.body), decoder);
            self.state = State::Open { stream, opened_at: Instant::now(), delivered: false };
            return Poll::Ready(Some(Ok(SourceItem::Open)));
        }
        let retry = self.options.retry_when.as_ref().is_some_and(|retry| retry(&head));
        let retry_after = head.retry_after;
        let error = if head.status == 200 { SourceError::ContentType(head) } else { SourceError::Status(head) };
        if retry {
            return self.fail(error, retry_after, false);
        }
        self.state = State::Done;
        Poll::Ready(Some(Err(error)))
    }

    /// A connection failed or ended: waits and retries, unless the policy gives up. `healthy` says whether the
    /// connection counts as healthy, which starts the count of failures again.
    fn fail(
        &mut self,
        error: SourceError<C::Error>,
        retry_after: Option<Duration>,
        healthy: bool,
    ) -> Poll<Option<<Self as Stream>::Item>> {
        let now = Instant::now();
        if healthy {
            self.failures = 0;
            self.failing_since = None;
        }
        self.failures = self.failures.saturating_add(1);
        let failing_for = now - *self.failing_since.get_or_insert(now);
        let Some(delay) = self.options.policy.delay(self.retry, self.failures, failing_for) else {
            self.state = State::Done;
            return Poll::Ready(Some(Err(SourceError::GaveUp { failures: self.failures, last: Box::new(error) })));
        };
        let delay = retry_after.unwrap_or(delay).max(self.options.min_delay);
        self.state = State::Waiting(Box::pin(tokio::time::sleep(delay)));
        Poll::Ready(Some(Ok(SourceItem::Retrying { error, delay })))
    }

    /// Ends the open connection and fails with `error`. What the connection left unfinished is dropped: the
    /// next one starts with the decoder back, its limits and the last event ID of the frames handed out.
    fn disconnect(&mut self, error: SourceError<C::Error>) -> Poll<Option<<Self as Stream>::Item>> {
        let mut healthy = false;
        if let State::Open { stream, opened_at, delivered } = std::mem::replace(&mut self.state, State::Idle) {
            healthy = delivered || opened_at.elapsed() >= self.options.healthy_after;
            self.decoder = Some(stream.into_parts().1);
        }
        self.fail(error, None, healthy)
    }

    /// Remembers the waker for a [`CloseHandle`], and answers whether the source was closed meanwhile.
    fn register(&self, cx: &Context<'_>) -> bool {
        let mut waker = self.shared.waker.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !waker.as_ref().is_some_and(|waker| waker.will_wake(cx.waker())) {
            *waker = Some(cx.waker().clone());
        }
        self.shared.closed.load(Ordering::Acquire)
    }
}

impl<C: Connect> Stream for EventSource<C> {
    type Item = Result<SourceItem<C::Error>, SourceError<C::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.shared.closed.load(Ordering::Acquire) {
                this.state = State::Done;
            }
            let pending = match &mut this.state {
                State::Idle => {
                    if let Err(error) = this.start() {
                        this.state = State::Done;
                        return Poll::Ready(Some(Err(error)));
                    }
                    continue;
                }
                State::Connecting(future) => match future.as_mut().poll(cx) {
                    Poll::Ready(Ok(response)) => return this.open(response),
                    Poll::Ready(Err(error)) => return this.fail(SourceError::Connect(error), None, false),
                    Poll::Pending => Poll::Pending,
                },
                State::Open { stream, delivered, .. } => match Pin::new(stream).poll_next(cx) {
                    Poll::Ready(Some(Ok(Frame::Event(event)))) => {
                        *delivered = true;
                        return Poll::Ready(Some(Ok(SourceItem::Event(event))));
                    }
                    Poll::Ready(Some(Ok(Frame::Retry(millis)))) => {
                        this.retry = Duration::from_millis(millis);
                        continue;
                    }
                    Poll::Ready(Some(Ok(_))) => continue,
                    Poll::Ready(Some(Err(error))) => return this.disconnect(SourceError::Stream(error)),
                    Poll::Ready(None) => return this.disconnect(SourceError::Ended),
                    Poll::Pending => Poll::Pending,
                },
                State::Waiting(sleep) => match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.state = State::Idle;
                        continue;
                    }
                    Poll::Pending => Poll::Pending,
                },
                State::Done => return Poll::Ready(None),
            };
            if !this.register(cx) {
                return pending;
            }
        }
    }
}

impl<C: Connect> FusedStream for EventSource<C> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}
