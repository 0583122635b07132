//! [`EventBody`]: a stream of events turned into the body of an HTTP response, with keep-alive, a first
//! `retry`, a maximum lifetime and a shutdown signal.

mod keep_alive;
mod shutdown;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;
use sse_codec::KEEP_ALIVE;
use tokio::time::{Instant, Sleep, sleep_until};

pub use keep_alive::KeepAlive;
pub use shutdown::Shutdown;

use crate::outgoing::{BodyItem, Outgoing};

/// Events that are ready at once go out together in one chunk of up to about this many bytes.
const BATCH: usize = 8 * 1024;

/// The least room a chunk's buffer is given before encoding starts.
const MIN_ROOM: usize = 256;

/// The most room an idle body keeps for its next chunk.
const IDLE_ROOM: usize = 1024;

/// The options of an [`EventBody`], as a value: build one, clone it into every handler. Clones share one copy
/// of the options (a clone is a reference count), so every body holds a pointer to them, not a copy.
///
/// | option | default |
/// | --- | --- |
/// | [`keep_alive`](BodyConfig::keep_alive) | [`KeepAlive::new`]: `:` and a blank line after 15 s idle |
/// | [`retry`](BodyConfig::retry) | none: the receiver keeps its own delay (browsers: about 3 s) |
/// | [`opening_comment`](BodyConfig::opening_comment) | on: a comment at once when no event is ready |
/// | [`lifetime`](BodyConfig::lifetime) | none: the body lasts as long as its stream |
/// | [`shutdown`](BodyConfig::shutdown) | none |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sse_codec_tokio::{BodyConfig, KeepAlive, Shutdown};
///
/// let shutdown = Shutdown::new();
/// let config = BodyConfig::new()
///     .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
///     .retry(Duration::from_secs(5))
///     .lifetime(Duration::from_secs(15 * 60))
///     .shutdown(&shutdown);
/// # let _ = config;
/// ```
#[derive(Clone)]
pub struct BodyConfig(Arc<Options>);

/// What a [`BodyConfig`] shares among its clones.
#[derive(Clone, Debug)]
struct Options {
    keep_alive: Option<KeepAlive>,
    retry: Option<u64>,
    opening_comment: bool,
    lifetime: Option<Duration>,
    shutdown: Option<Shutdown>,
}

/// The defaults, shared by every body made with them.
static DEFAULTS: LazyLock<BodyConfig> = LazyLock::new(|| {
    BodyConfig(Arc::new(Options {
        keep_alive: Some(KeepAlive::new()),
        retry: None,
        opening_comment: true,
        lifetime: None,
        shutdown: None,
    }))
});

impl BodyConfig {
    /// The defaults (see the table above).
    #[must_use]
    pub fn new() -> Self {
        DEFAULTS.clone()
    }

    /// The options to change, copied first if other clones share them.
    fn options_mut(&mut self) -> &mut Options {
        Arc::make_mut(&mut self.0)
    }

    /// Sends `keep_alive`'s comment whenever the body has been idle for its interval. Each chunk sent
    /// restarts the wait.
    #[must_use]
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.options_mut().keep_alive = Some(keep_alive);
        self
    }

    /// Sends no keep-alive.
    #[must_use]
    pub fn no_keep_alive(mut self) -> Self {
        self.options_mut().keep_alive = None;
        self
    }

    /// Sends a `retry` block first, at once: the delay (in whole milliseconds) the receiver is asked to wait
    /// before it reconnects.
    #[must_use]
    pub fn retry(mut self, delay: Duration) -> Self {
        self.options_mut().retry = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Whether a body that has nothing to send when it is first polled (no `retry`, no event ready) sends the
    /// keep-alive comment at once (or [`KEEP_ALIVE`](sse_codec::KEEP_ALIVE) without keep-alive), so the
    /// response's first byte, and a browser's `open` event, do not wait for the first event.
    #[must_use]
    pub fn opening_comment(mut self, on: bool) -> Self {
        self.options_mut().opening_comment = on;
        self
    }

    /// Ends the body once it has been open for `lifetime`, at a block boundary. A browser reconnects (after
    /// its `retry` delay, with `Last-Event-ID`), and proxies and load balancers get to move the connection.
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.options_mut().lifetime = Some(lifetime);
        self
    }

    /// Ends the body, at a block boundary, when `shutdown` is triggered.
    #[must_use]
    pub fn shutdown(mut self, shutdown: &Shutdown) -> Self {
        self.options_mut().shutdown = Some(shutdown.clone());
        self
    }
}

impl Default for BodyConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for BodyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Options { keep_alive, retry, opening_comment, lifetime, shutdown } = &*self.0;
        f.debug_struct("BodyConfig")
            .field("keep_alive", keep_alive)
            .field("retry", retry)
            .field("opening_comment", opening_comment)
            .field("lifetime", lifetime)
            .field("shutdown", shutdown)
            .finish()
    }
}

/// Where a body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not polled yet: the timers start and the first bytes go out at the first poll.
    Start,
    Open,
    /// Ended (the stream ended or failed, the lifetime passed, or shutdown): `None` from now on.
    Done,
}

/// The timers and signal of an open body, made at its first poll (inside the runtime).
struct Timers {
    /// When the body last sent something.
    last_sent: Instant,
    /// Whether it has sent anything yet.
    opened: bool,
    /// Fires at the keep-alive deadline, re-armed only when it fires (not at every chunk sent).
    idle: Option<Pin<Box<Sleep>>>,
    /// The lifetime and shutdown, if the config has either.
    ends: Option<Pin<Box<Ends>>>,
}

pin_project! {
    /// The rarer ways a body ends, kept apart so that a body without them stays small.
    struct Ends {
        #[pin]
        lifetime: Option<Sleep>,
        shutdown: Option<shutdown::Waiter>,
    }
}

pin_project! {
    /// The body of an event-stream response: a [`Stream`] of [`Event`](sse_codec::Event)s, of [`Bytes`]
    /// encoded earlier, of [`Frame`](sse_codec::Frame)s or [`Outgoing`]s (or of `Result`s of any of them: see
    /// [`BodyItem`]) as a `Stream<Item = Result<Bytes, E>>` and, with feature `http-body`, an
    /// [`http_body::Body`] that axum and hyper serve as it is.
    ///
    /// Events are encoded by the core into one reused buffer; events that are ready together go out as one
    /// chunk of up to 8 KiB; [`Bytes`] items go out as they are, never copied. Every chunk holds whole
    /// blocks, so a keep-alive or the end of the body never falls inside one. What the body does besides is
    /// set by its [`BodyConfig`]:
    ///
    /// - its first chunk goes out at the first poll: the `retry` block if one is set, the events that are
    ///   ready, or else an opening comment, so that the client's `onopen` fires at once;
    /// - after the [`KeepAlive`] interval without a chunk, the keep-alive comment goes out (15 s by default);
    /// - it ends, at a block boundary, when its lifetime has passed or its [`Shutdown`] is triggered;
    /// - an error item ends it: the error goes out once (after the chunk before it), then `None`.
    ///
    /// The timers cost one clock read per chunk: the body notes the time of each chunk, so that the keep-alive
    /// goes out exactly its interval after the last one, and moves its one keep-alive timer only when it fires
    /// early. The shutdown signal is read once per chunk. The options are shared by every body made from one
    /// [`BodyConfig`], not copied into each.
    ///
    /// # Examples
    ///
    /// An axum handler (feature `http-body`; an `http::Response<EventBody<_>>` is an axum response):
    ///
    /// ```
    /// # #[cfg(feature = "http-body")] mod handler {
    /// use std::time::Duration;
    /// use futures::stream::{self, Stream};
    /// use sse_codec::Event;
    /// use sse_codec_tokio::{BodyConfig, EventBody};
    ///
    /// async fn events() -> http::Response<EventBody<impl Stream<Item = Event>>> {
    ///     let events = stream::iter(["hello", "world"]).map(Event::new);
    ///     EventBody::with_config(events, BodyConfig::new().retry(Duration::from_secs(2))).into_response()
    /// }
    /// # use futures::StreamExt;
    /// # pub(super) fn route() -> axum::Router { axum::Router::new().route("/events", axum::routing::get(events)) }
    /// # }
    /// ```
    ///
    /// As a plain stream of chunks:
    ///
    /// ```
    /// use futures::{StreamExt, stream};
    /// use sse_codec::Event;
    /// use sse_codec_tokio::EventBody;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let body = EventBody::new(stream::iter([Event::new("a"), Event::new("b")]));
    /// let chunks: Vec<_> = body.map(Result::unwrap).collect().await;
    /// // Each event as the core encodes it, one after the other.
    /// assert_eq!(chunks.concat(), [Event::new("a").to_bytes(), Event::new("b").to_bytes()].concat());
    /// # }
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct EventBody<S>
    where
        S: Stream,
        S::Item: BodyItem,
    {
        #[pin]
        stream: S,
        config: BodyConfig,
        buf: BytesMut,
        // How much room the next chunk is given up front: twice the last chunk encoded here (none before the
        // first), so that a busy body allocates once per chunk (the chunks before still hold the memory behind
        // them) and an idle one holds little. At most `2 * BATCH`.
        room: u16,
        // An item that waits for the chunk before it to go out: blocks encoded earlier, or an error.
        waiting: Option<Result<Bytes, <S::Item as BodyItem>::Error>>,
        timers: Option<Timers>,
        state: State,
    }
}

impl<S> EventBody<S>
where
    S: Stream,
    S::Item: BodyItem,
{
    /// A body of `stream` with the default [`BodyConfig`]: keep-alive after 15 s idle, an opening comment, no
    /// `retry`, lifetime or shutdown.
    pub fn new(stream: S) -> Self {
        Self::with_config(stream, BodyConfig::new())
    }

    /// A body of `stream` with `config`.
    pub fn with_config(stream: S, config: BodyConfig) -> Self {
        Self { stream, config, buf: BytesMut::new(), room: 0, waiting: None, timers: None, state: State::Start }
    }

    /// The stream of events.
    #[must_use]
    pub const fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The body's options.
    #[must_use]
    pub const fn config(&self) -> &BodyConfig {
        &self.config
    }
}

#[cfg(feature = "http-body")]
impl<S> EventBody<S>
where
    S: Stream,
    S::Item: BodyItem,
{
    /// A `200 OK` response with this body and every header of
    /// [`RESPONSE_HEADERS`](sse_codec::headers::RESPONSE_HEADERS) (`content-type: text/event-stream`,
    /// `cache-control: no-cache`, `x-accel-buffering: no`). axum serves it as it is from a handler; with
    /// hyper, return it from a service.
    pub fn into_response(self) -> http::Response<Self> {
        let mut response = http::Response::new(self);
        let headers = response.headers_mut();
        for (name, value) in sse_codec::headers::RESPONSE_HEADERS {
            headers.insert(http::HeaderName::from_static(name), http::HeaderValue::from_static(value));
        }
        response
    }
}

impl Timers {
    fn start(options: &Options) -> Self {
        let now = Instant::now();
        let ends = (options.lifetime.is_some() || options.shutdown.is_some()).then(|| {
            Box::pin(Ends {
                lifetime: options.lifetime.map(|lifetime| sleep_until(now + lifetime)),
                shutdown: options.shutdown.as_ref().map(Shutdown::waiter),
            })
        });
        Self {
            last_sent: now,
            opened: false,
            idle: options.keep_alive.as_ref().map(|k| Box::pin(sleep_until(now + k.get_interval()))),
            ends,
        }
    }

    /// Whether the lifetime has passed or shutdown was triggered; cheap enough for every chunk (two loads).
    fn ending(&self, options: &Options) -> bool {
        self.ends.as_ref().is_some_and(|ends| ends.lifetime.as_ref().is_some_and(Sleep::is_elapsed))
            || options.shutdown.as_ref().is_some_and(Shutdown::is_triggered)
    }

    /// While the stream is idle: whether the body should end, or send the keep-alive; registers for every
    /// timer and signal otherwise.
    fn poll_idle(&mut self, cx: &mut Context<'_>, keep_alive: Option<&KeepAlive>) -> Poll<Idle> {
        if let Some(ends) = &mut self.ends {
            let ends = ends.as_mut().project();
            if ends.lifetime.as_pin_mut().is_some_and(|lifetime| lifetime.poll(cx).is_ready()) {
                return Poll::Ready(Idle::End);
            }
            if ends.shutdown.as_mut().is_some_and(|waiter| waiter.as_mut().poll(cx).is_ready()) {
                return Poll::Ready(Idle::End);
            }
        }
        if let (Some(idle), Some(keep_alive)) = (&mut self.idle, keep_alive) {
            while idle.as_mut().poll(cx).is_ready() {
                let due = self.last_sent + keep_alive.get_interval();
                let now = Instant::now();
                if due <= now {
                    return Poll::Ready(Idle::KeepAlive);
                }
                // Something went out since the timer was set: wait the rest of the interval.
                idle.as_mut().reset(due);
            }
        }
        Poll::Pending
    }

    /// Notes that a chunk goes out now, and re-arms the keep-alive if it had fired.
    fn sent(&mut self, keep_alive: Option<&KeepAlive>) {
        self.last_sent = Instant::now();
        self.opened = true;
        if let (Some(idle), Some(keep_alive)) = (&mut self.idle, keep_alive) {
            if idle.is_elapsed() {
                idle.as_mut().reset(self.last_sent + keep_alive.get_interval());
            }
        }
    }
}

/// What an idle body does next.
enum Idle {
    KeepAlive,
    End,
}

impl<S> Stream for EventBody<S>
where
    S: Stream,
    S::Item: BodyItem,
{
    type Item = Result<Bytes, <S::Item as BodyItem>::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        let options = &*this.config.0;
        let timers = match *this.state {
            State::Done => return Poll::Ready(None),
            State::Start => {
                *this.state = State::Open;
                if let Some(millis) = options.retry {
                    Outgoing::Retry(millis).write_to(this.buf);
                }
                this.timers.insert(Timers::start(options))
            }
            State::Open => this.timers.as_mut().expect("an open body has its timers"),
        };
        let keep_alive = options.keep_alive.as_ref();
        if timers.ending(options) {
            *this.state = State::Done;
            return Poll::Ready(None);
        }
        // A chunk that the one before it held back.
        if let Some(waiting) = this.waiting.take() {
            if waiting.is_err() {
                *this.state = State::Done;
            } else {
                timers.sent(keep_alive);
            }
            return Poll::Ready(Some(waiting));
        }
        // Room for the chunk up front, once this body has encoded a chunk (one that only passes on blocks
        // encoded earlier never needs any).
        let room = usize::from(*this.room);
        if this.buf.capacity() < room {
            this.buf.reserve(room);
        }
        loop {
            if this.buf.len() >= BATCH {
                break;
            }
            match this.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => match item.encode_or_pass(this.buf) {
                    Ok(None) => {}
                    Ok(Some(bytes)) if this.buf.is_empty() => {
                        timers.sent(keep_alive);
                        return Poll::Ready(Some(Ok(bytes)));
                    }
                    Ok(Some(bytes)) => {
                        *this.waiting = Some(Ok(bytes));
                        break;
                    }
                    Err(error) if this.buf.is_empty() => {
                        *this.state = State::Done;
                        return Poll::Ready(Some(Err(error)));
                    }
                    Err(error) => {
                        *this.waiting = Some(Err(error));
                        break;
                    }
                },
                Poll::Ready(None) => {
                    *this.state = State::Done;
                    break;
                }
                Poll::Pending => {
                    if !this.buf.is_empty() {
                        break;
                    }
                    if this.buf.capacity() > IDLE_ROOM {
                        // Idle: let the memory of a burst go (the chunks sent still hold what they need).
                        *this.buf = BytesMut::new();
                    }
                    if !timers.opened && options.opening_comment {
                        timers.sent(keep_alive);
                        let opening = keep_alive.map_or(Bytes::from_static(KEEP_ALIVE), |k| k.encoded().clone());
                        return Poll::Ready(Some(Ok(opening)));
                    }
                    match timers.poll_idle(cx, keep_alive) {
                        Poll::Ready(Idle::End) => {
                            *this.state = State::Done;
                            return Poll::Ready(None);
                        }
                        Poll::Ready(Idle::KeepAlive) => {
                            timers.sent(keep_alive);
                            let comment = keep_alive.expect("only a body with a keep-alive sends one").encoded();
                            return Poll::Ready(Some(Ok(comment.clone())));
                        }
                        Poll::Pending => return Poll::Pending,
                    }
                }
            }
        }
        if this.buf.is_empty() {
            return Poll::Ready(None);
        }
        timers.sent(keep_alive);
        *this.room = u16::try_from((2 * this.buf.len()).clamp(MIN_ROOM, 2 * BATCH)).unwrap_or(u16::MAX);
        Poll::Ready(Some(Ok(this.buf.split().freeze())))
    }
}

impl<S> FusedStream for EventBody<S>
where
    S: Stream,
    S::Item: BodyItem,
{
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

#[cfg(feature = "http-body")]
impl<S> http_body::Body for EventBody<S>
where
    S: Stream,
    S::Item: BodyItem,
{
    type Data = Bytes;
    type Error = <S::Item as BodyItem>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.poll_next(cx).map(|chunk| chunk.map(|chunk| chunk.map(http_body::Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.state == State::Done
    }
}

impl<S> fmt::Debug for EventBody<S>
where
    S: Stream + fmt::Debug,
    S::Item: BodyItem,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventBody")
            .field("stream", &self.stream)
            .field("config", &self.config)
            .field("buffered", &self.buf.len())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{BodyConfig, EventBody, KeepAlive};
    use crate::Subscription;

    #[test]
    fn a_broadcast_body_fits_a_small_allocation() {
        // axum boxes the body of every open connection: 184 bytes and less take one 192-byte block of
        // glibc's malloc (the keep-alive timer is a block of its own).
        let size = size_of::<EventBody<Subscription>>();
        assert!(size <= 184, "EventBody<Subscription> grew to {size} bytes");
        assert_eq!(size_of::<BodyConfig>(), size_of::<usize>(), "a body holds its options by pointer");
    }

    #[test]
    fn defaults_are_shared_and_a_changed_clone_is_copied() {
        assert!(Arc::ptr_eq(&BodyConfig::new().0, &BodyConfig::default().0));
        let shared = BodyConfig::new();
        let changed = shared.clone().opening_comment(false).keep_alive(KeepAlive::new().comment("ping"));
        assert!(shared.0.opening_comment && !changed.0.opening_comment);
        assert_eq!(shared.0.keep_alive, Some(KeepAlive::new()));
        assert!(!Arc::ptr_eq(&shared.0, &changed.0));
        let clone = changed.clone();
        assert!(Arc::ptr_eq(&clone.0, &changed.0), "a clone copied the options");
    }
}
