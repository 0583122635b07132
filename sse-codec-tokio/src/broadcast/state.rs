//! What the broadcaster and its subscriptions share: the log, one slot per subscriber (its cursor and
//! waker), and the slots' free list; all behind one lock, so a send and a subscriber's read never interleave.

use std::mem::{self, size_of};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use bytes::Bytes;

use super::BroadcastConfig;
use super::log::Log;
use super::subscription::Ended;

/// What a subscriber costs the broadcaster: its slot, and room for its waker while a send wakes it.
#[cfg(test)]
pub(super) const SLOT_BYTES: usize = size_of::<Slot>() + size_of::<Waker>();

/// A subscriber's place in the broadcaster: while the subscriber reads the log, `cursor` is the number of the
/// next event it reads (below 2^63, which a counter that starts at 0 never reaches) and `waker` its waker while it
/// waits for that event to be sent; a free or ended slot has the top bit of `cursor` set (see [`Slot::kind`]) and
/// no waker. Keeping the state in the cursor's word leaves the slot a cursor and a waker, with no tag beside them.
#[derive(Debug)]
struct Slot {
    cursor: u64,
    waker: Option<Waker>,
}

/// A slot's state, as [`Slot::kind`] reads it from the slot's `cursor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    /// Unused; the next free slot, or `usize::MAX`.
    Free { next: usize },
    /// A subscriber reading the log from this cursor.
    Live { cursor: u64 },
    /// A subscriber that has been ended and has not been dropped yet.
    Ended(Ended),
}

impl Slot {
    /// The top two bits of `cursor` in a slot that is not live.
    const TAG: u64 = 0b11 << 62;
    /// `cursor` of a free slot: this tag, and the next free slot in the other bits.
    const FREE: u64 = 0b10 << 62;
    /// `cursor` of an ended slot: this tag, and 0 (lagged) or 1 (closed) in the other bits.
    const ENDED: u64 = 0b11 << 62;
    /// The other bits of a free slot's `cursor` when there is no next free slot.
    const NO_NEXT: u64 = !Self::TAG;

    const fn live(cursor: u64) -> Self {
        debug_assert!(cursor < Self::FREE);
        Self { cursor, waker: None }
    }

    fn free(next: usize) -> Self {
        let next = if next == usize::MAX { Self::NO_NEXT } else { next as u64 };
        debug_assert!(next <= Self::NO_NEXT);
        Self { cursor: Self::FREE | next, waker: None }
    }

    const fn ended(ended: Ended) -> Self {
        Self { cursor: Self::ENDED | matches!(ended, Ended::Closed) as u64, waker: None }
    }

    /// Whether the subscriber reads the log.
    const fn is_live(&self) -> bool {
        self.cursor < Self::FREE
    }

    fn kind(&self) -> SlotKind {
        let rest = self.cursor & !Self::TAG;
        match self.cursor & Self::TAG {
            Self::FREE if rest == Self::NO_NEXT => SlotKind::Free { next: usize::MAX },
            #[allow(clippy::cast_possible_truncation)] // Written from a `usize` by `free`.
            Self::FREE => SlotKind::Free { next: rest as usize },
            Self::ENDED if rest == 0 => SlotKind::Ended(Ended::Lagged),
            Self::ENDED => SlotKind::Ended(Ended::Closed),
            _ => SlotKind::Live { cursor: self.cursor },
        }
    }
}

/// The shared state.
#[derive(Debug)]
pub(super) struct State {
    pub(super) log: Log,
    slots: Vec<Slot>,
    free: usize,
    live: usize,
    pub(super) closed: bool,
}

/// What a read of a subscriber's slot gives.
#[derive(Debug)]
pub(super) enum Read {
    /// The next frame; the subscriber's cursor after it, and whether that is the end of the log, where the
    /// subscriber now waits with its waker registered.
    Frame {
        frame: Bytes,
        cursor: u64,
        waiting: bool,
    },
    /// Nothing to read: the waker is registered.
    Wait,
    Ended,
}

impl State {
    pub(super) const fn new(log: Log) -> Self {
        Self { log, slots: Vec::new(), free: usize::MAX, live: 0, closed: false }
    }

    /// Subscribers that are neither ended nor dropped.
    pub(super) const fn live(&self) -> usize {
        self.live
    }

    /// The heap the subscribers' slots hold (a free slot is reused by the next subscriber).
    pub(super) fn slots_heap_bytes(&self) -> usize {
        self.slots.capacity() * size_of::<Slot>()
    }

    /// A slot for a new subscriber that reads from event `cursor` on.
    pub(super) fn add(&mut self, cursor: u64) -> usize {
        self.live += 1;
        let slot = Slot::live(cursor);
        if let Some(SlotKind::Free { next }) = self.slots.get(self.free).map(Slot::kind) {
            let index = mem::replace(&mut self.free, next);
            self.slots[index] = slot;
            index
        } else {
            self.slots.push(slot);
            self.slots.len() - 1
        }
    }

    /// Frees a dropped subscriber's slot.
    pub(super) fn remove(&mut self, index: usize) {
        if let Some(slot) = self.slots.get_mut(index) {
            if slot.is_live() {
                self.live -= 1;
            }
            *slot = Slot::free(self.free);
            self.free = index;
        }
    }

    /// How a subscriber ended, if it has.
    pub(super) fn ended(&self, index: usize) -> Option<Ended> {
        match self.slots.get(index).map(Slot::kind) {
            Some(SlotKind::Live { .. }) => None,
            Some(SlotKind::Ended(ended)) => Some(ended),
            // A subscription never reads a slot after freeing it.
            Some(SlotKind::Free { .. }) | None => Some(Ended::Closed),
        }
    }

    /// Reads the subscriber's next frame, or registers `waker` to be woken by the next send. A read that
    /// reaches the end of the log registers the waker too, so that the subscriber's next poll can find, without
    /// the lock, that nothing has been sent since.
    pub(super) fn read(&mut self, index: usize, waker: &Waker) -> Read {
        let next = self.log.next_seq();
        let Some(slot) = self.slots.get_mut(index) else { return Read::Ended };
        if !slot.is_live() {
            return Read::Ended;
        }
        let cursor = slot.cursor;
        let ended = if let Some(frame) = self.log.get(cursor) {
            slot.cursor = cursor + 1;
            let waiting = slot.cursor == next && !self.closed;
            if waiting {
                register(&mut slot.waker, waker);
            }
            return Read::Frame { frame: frame.clone(), cursor: slot.cursor, waiting };
        } else if cursor < self.log.first_seq() {
            // Never reached: a send ends a subscriber as soon as its next event leaves the log.
            Ended::Lagged
        } else if self.closed {
            Ended::Closed
        } else {
            register(&mut slot.waker, waker);
            return Read::Wait;
        };
        *slot = Slot::ended(ended);
        self.live -= 1;
        Read::Ended
    }

    /// After a send: ends every subscriber whose next event has left the log, and moves the wakers of those
    /// waiting into `wake`. (A slot that is not live has neither a cursor below any event number nor a waker.)
    pub(super) fn after_send(&mut self, wake: &mut Vec<Waker>) {
        let first = self.log.first_seq();
        for slot in &mut self.slots {
            if slot.cursor < first {
                *slot = Slot::ended(Ended::Lagged);
                self.live -= 1;
            } else if let Some(waker) = slot.waker.take() {
                wake.push(waker);
            }
        }
    }

    /// Closes the broadcaster: moves every waiting subscriber's waker into `wake`, so that each reads what is
    /// left in the log and ends.
    pub(super) fn close(&mut self, wake: &mut Vec<Waker>) {
        self.closed = true;
        for slot in &mut self.slots {
            wake.extend(slot.waker.take());
        }
    }
}

/// Keeps `waker` in `registered`, cloning it only when it is another task's.
fn register(registered: &mut Option<Waker>, waker: &Waker) {
    match registered {
        Some(registered) if registered.will_wake(waker) => {}
        _ => *registered = Some(waker.clone()),
    }
}

/// The state, and the senders' lock (which keeps sends in order and holds the buffer of wakers to wake).
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    pub(super) sender: Mutex<Sender>,
    /// Live `Broadcaster` handles: the last one dropped closes the broadcaster.
    pub(super) handles: AtomicUsize,
    /// The log's `next_seq` and `closed`, written under the state's lock and read without it: a subscriber
    /// whose cursor is at `published`, whose waker is registered, finds that it has nothing to read without
    /// taking the lock. (A send or a close that it does not see yet will wake it.)
    pub(super) published: AtomicU64,
    pub(super) closed: AtomicBool,
    pub(super) config: BroadcastConfig,
}

/// What only senders touch.
#[derive(Debug)]
pub(super) struct Sender {
    /// The number the next event gets (the log's `next_seq`, which only senders change).
    pub(super) next_seq: u64,
    /// Wakers to wake once the state is unlocked, kept to reuse its allocation.
    pub(super) wake: Vec<Waker>,
}

impl Shared {
    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        // The state is consistent between statements that can panic: a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn sender(&self) -> MutexGuard<'_, Sender> {
        self.sender.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Wakes and empties `wake`, outside every lock.
pub(super) fn wake_all(wake: &mut Vec<Waker>) {
    for waker in wake.drain(..) {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::super::{Broadcaster, Subscription};
    use super::{Ended, SLOT_BYTES, Slot, SlotKind};

    #[test]
    fn handles_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Broadcaster>();
        send_sync::<Subscription>();
    }

    /// The per-subscriber cost the docs state, on a 64-bit target.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_subscriber_costs_what_the_docs_say() {
        assert_eq!(SLOT_BYTES, 40);
        assert_eq!(size_of::<Subscription>(), 64);
        assert!(SLOT_BYTES + size_of::<Subscription>() <= 256);
    }

    /// Every state a slot holds reads back as it was written, and only a live slot is live.
    #[test]
    fn a_slot_reads_back_its_state() {
        for cursor in [0, 1, 12_345, (1 << 63) - 1] {
            let slot = Slot::live(cursor);
            assert!(slot.is_live());
            assert_eq!(slot.kind(), SlotKind::Live { cursor });
        }
        for next in [0, 1, 12_345, usize::MAX] {
            let slot = Slot::free(next);
            assert!(!slot.is_live());
            assert_eq!(slot.kind(), SlotKind::Free { next });
        }
        for ended in [Ended::Lagged, Ended::Closed] {
            let slot = Slot::ended(ended);
            assert!(!slot.is_live());
            assert_eq!(slot.kind(), SlotKind::Ended(ended));
        }
    }
}
