//! [`Subscription`]: one subscriber's cursor into the broadcaster's log, read as a stream of frames.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::{FusedStream, Stream};

use super::state::{Read, Shared};

/// Where a [`Subscription`] starts, given the `Last-Event-ID` it was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Replay {
    /// No ID was given (or an empty one): the subscription starts with the next event sent.
    Live,
    /// The log holds every event after the ID: the subscription replays these `events` first, then goes on
    /// with the live ones, with no gap and no duplicate.
    Resumed {
        /// How many logged events come before the live ones.
        events: usize,
    },
    /// The log does not hold the events after the ID: they have left it, or the ID was never sent by this
    /// broadcaster (a restarted server, a client of another stream, a forged header). The client has missed
    /// an unknown number of events; the subscription starts with the next event sent, so the server should
    /// send the client a full state first (taken after subscribing, so that nothing falls between).
    Lost,
}

/// Why a [`Subscription`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ended {
    /// The subscriber fell behind: the next event it had to read left the replay log (it read too slowly,
    /// or not at all). Its client reconnects with `Last-Event-ID` and resumes from the log, which still holds
    /// the events after the last one it received unless it fell further behind than the log is long.
    Lagged,
    /// The broadcaster was closed (or every handle to it dropped), and the subscriber has read every event
    /// sent before that.
    Closed,
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Lagged => "subscriber fell behind the replay log",
            Self::Closed => "broadcaster closed",
        })
    }
}

/// One subscriber of a [`Broadcaster`](crate::Broadcaster): a [`Stream`] of encoded frames (each a whole
/// event, as [`Bytes`] shared with every other subscriber), to write to a response body as they are.
///
/// It reads the broadcaster's log from its cursor: first the events logged after the `Last-Event-ID` it was
/// made with (see [`replay`](Self::replay)), then each event as it is sent. It ends (`None`, at a frame
/// boundary) when it falls behind the log or when the broadcaster is closed; [`ended`](Self::ended) says
/// which. It is a [`FusedStream`].
///
/// Dropping it frees its place in the broadcaster at once.
///
/// # Cancellation safety
///
/// The cursor lives in the broadcaster, not in the future of `next()`: dropping that future loses nothing.
#[must_use = "streams do nothing unless polled"]
pub struct Subscription {
    shared: Arc<Shared>,
    slot: usize,
    /// The number of the next event to read, as of the last read (the slot holds the cursor itself).
    cursor: u64,
    /// The waker last registered in the slot, if the last read left the subscription waiting.
    waiting: Option<Waker>,
    replay: Replay,
    done: bool,
}

impl Subscription {
    pub(super) const fn new(shared: Arc<Shared>, slot: usize, cursor: u64, replay: Replay) -> Self {
        Self { shared, slot, cursor, waiting: None, replay, done: false }
    }

    /// Where the subscription started: whether the `Last-Event-ID` it was asked for was found in the log.
    pub const fn replay(&self) -> Replay {
        self.replay
    }

    /// Why the subscription ended, or `None` while it is live. A subscriber that fell behind is ended by
    /// the send that pushed its next event out of the log, before it reads again.
    #[must_use]
    pub fn ended(&self) -> Option<Ended> {
        self.shared.state().ended(self.slot)
    }
}

impl Stream for Subscription {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if self.done {
            return Poll::Ready(None);
        }
        let waker = cx.waker();
        // Waiting at the end of the log, with this task's waker in the slot, and nothing sent or closed since:
        // nothing to read, and the lock is not needed to know it.
        if self.waiting.as_ref().is_some_and(|registered| registered.will_wake(waker))
            && self.cursor == self.shared.published.load(Ordering::Acquire)
            && !self.shared.closed.load(Ordering::Acquire)
        {
            return Poll::Pending;
        }
        let read = self.shared.state().read(self.slot, waker);
        let this = &mut *self;
        match read {
            Read::Frame { frame, cursor, waiting } => {
                this.cursor = cursor;
                if waiting {
                    remember(&mut this.waiting, waker);
                } else {
                    this.waiting = None;
                }
                Poll::Ready(Some(frame))
            }
            Read::Wait => {
                remember(&mut this.waiting, waker);
                Poll::Pending
            }
            Read::Ended => {
                this.done = true;
                this.waiting = None;
                Poll::Ready(None)
            }
        }
    }
}

/// Keeps a copy of the waker just registered in the slot, cloning it only when it is another task's.
fn remember(waiting: &mut Option<Waker>, waker: &Waker) {
    match waiting {
        Some(registered) if registered.will_wake(waker) => {}
        _ => *waiting = Some(waker.clone()),
    }
}

impl FusedStream for Subscription {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.state().remove(self.slot);
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").field("replay", &self.replay).field("done", &self.done).finish_non_exhaustive()
    }
}
