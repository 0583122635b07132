//! The replay log: the last events' frames in send order, bounded by count and by bytes, found by ID.
//!
//! Every event gets a sequence number, counting from 0 in send order; the log holds the events numbered
//! `first_seq..next_seq`. A subscriber's cursor is the number of the next event it reads, so replaying and
//! reading live events are the same read.

use std::collections::{HashMap, VecDeque};
use std::mem::size_of;

use bytes::Bytes;
use sse_codec::EventId;

use super::Ids;

/// One logged event.
#[derive(Debug)]
struct Entry {
    id: EventId,
    frame: Bytes,
}

/// How an ID is turned back into a sequence number.
#[derive(Debug)]
enum Lookup {
    /// IDs are `first + seq` in decimal.
    Counter { first: u64 },
    /// IDs are the caller's: an index of the logged ones (to the latest event of each), and the ID of the
    /// event that left the log last, after which the log still holds everything.
    Caller { index: HashMap<EventId, u64>, last_evicted: Option<EventId> },
}

/// The bounded log.
#[derive(Debug)]
pub(super) struct Log {
    entries: VecDeque<Entry>,
    first_seq: u64,
    frame_bytes: usize,
    max_events: usize,
    max_bytes: usize,
    lookup: Lookup,
}

impl Log {
    pub(super) fn new(max_events: usize, max_bytes: usize, ids: Ids) -> Self {
        let lookup = match ids {
            Ids::Counter { first } => Lookup::Counter { first },
            Ids::Caller => Lookup::Caller { index: HashMap::new(), last_evicted: None },
        };
        Self { entries: VecDeque::new(), first_seq: 0, frame_bytes: 0, max_events, max_bytes, lookup }
    }

    /// The number of the oldest logged event (or of the next one, when the log is empty).
    pub(super) const fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// The ID of the oldest logged event.
    pub(super) fn first_id(&self) -> Option<&EventId> {
        self.entries.front().map(|entry| &entry.id)
    }

    /// The number the next event sent will get.
    pub(super) fn next_seq(&self) -> u64 {
        self.first_seq + self.entries.len() as u64
    }

    /// The frame of event `seq`, if the log holds it.
    pub(super) fn get(&self, seq: u64) -> Option<&Bytes> {
        let index = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.entries.get(index).map(|entry| &entry.frame)
    }

    /// The number of logged events and the bytes of their frames.
    pub(super) fn len(&self) -> (usize, usize) {
        (self.entries.len(), self.frame_bytes)
    }

    /// The heap the log holds: its frames, its ring of entries, its index of IDs.
    pub(super) fn heap_bytes(&self) -> usize {
        let index = match &self.lookup {
            Lookup::Counter { .. } => 0,
            // A hashbrown table: a key, a value and a control byte per bucket.
            Lookup::Caller { index, .. } => index.capacity() * (size_of::<(EventId, u64)>() + 1),
        };
        self.frame_bytes + self.entries.capacity() * size_of::<Entry>() + index
    }

    /// Logs a frame as event [`next_seq`](Self::next_seq), and drops the oldest
    /// events until the log is within its bounds again.
    pub(super) fn push(&mut self, id: EventId, frame: Bytes) {
        let seq = self.next_seq();
        if let Lookup::Caller { index, .. } = &mut self.lookup {
            index.insert(id.clone(), seq);
        }
        self.frame_bytes += frame.len();
        self.entries.push_back(Entry { id, frame });
        while self.entries.len() > self.max_events || self.frame_bytes > self.max_bytes {
            let Some(entry) = self.entries.pop_front() else { break };
            self.frame_bytes -= entry.frame.len();
            if let Lookup::Caller { index, last_evicted } = &mut self.lookup {
                if index.get(&entry.id) == Some(&self.first_seq) {
                    index.remove(&entry.id);
                }
                *last_evicted = Some(entry.id);
            }
            self.first_seq += 1;
        }
    }

    /// Where a client that has seen event `id` resumes: the number of the event after it, if the log still
    /// holds every event from there on; `None` when it does not, or never did.
    pub(super) fn resume_after(&self, id: &str) -> Option<u64> {
        let cursor = match &self.lookup {
            Lookup::Counter { first } => {
                let n: u64 = id.parse().ok()?;
                // Only the decimal form the counter wrote: "+7" or "007" was never sent.
                if n.to_string() != id {
                    return None;
                }
                n.checked_sub(*first)?.checked_add(1)?
            }
            Lookup::Caller { index, last_evicted } => {
                let id = EventId::new(Bytes::copy_from_slice(id.as_bytes())).ok()?;
                match index.get(&id) {
                    Some(seq) => seq + 1,
                    None if last_evicted.as_ref() == Some(&id) => self.first_seq,
                    None => return None,
                }
            }
        };
        (self.first_seq..=self.next_seq()).contains(&cursor).then_some(cursor)
    }
}
