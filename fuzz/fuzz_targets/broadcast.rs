//! `Broadcaster` driven by hand (polled with a no-op waker, one thread) through arbitrary sends, subscribes
//! from arbitrary IDs, reads, stalls (subscribers left unread) and drops, against a plain model of the log: a
//! list of every frame sent and the window of it the bounds keep. Every read gives exactly the model's next
//! frame or the model's end, every subscribe the model's replay, and the broadcaster's own accounting stays
//! within the budget.

#![no_main]

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use arbitrary::Arbitrary;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use libfuzzer_sys::fuzz_target;
use sse_codec_tokio::{BroadcastConfig, BroadcastError, Broadcaster, Ended, Event, EventId, Ids, Replay, Subscription};

const CALLER_IDS: [&str; 6] = ["a", "b", "c", "d", "e", "a-long-id-that-is-held-in-shared-bytes-not-inline"];

#[derive(Arbitrary, Debug)]
enum From {
    None,
    Empty,
    Number(u16),
    Caller(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Send { len: u8, id: Option<u8> },
    Subscribe(From),
    Read { subscriber: u8, frames: u8 },
    Drop { subscriber: u8 },
    Close,
}

#[derive(Arbitrary, Debug)]
struct Case {
    max_events: u8,
    max_bytes: u16,
    /// `None`: the caller gives IDs; `Some(first)`: a counter from `first`.
    counter: Option<u8>,
    ops: Vec<Op>,
}

struct ModelSubscriber {
    subscription: Subscription,
    cursor: usize,
    ended: Option<Ended>,
}

fn frame(event: &Event) -> Bytes {
    let mut buf = BytesMut::new();
    event.encode(&mut buf).unwrap();
    buf.freeze()
}

fuzz_target!(|case: Case| {
    let max_events = usize::from(case.max_events % 16) + 1;
    let max_bytes = usize::from(case.max_bytes % 1024);
    let ids = match case.counter {
        Some(first) => Ids::Counter { first: u64::from(first) },
        None => Ids::Caller,
    };
    let broadcaster =
        Broadcaster::with_config(BroadcastConfig::new().max_events(max_events).max_bytes(max_bytes).ids(ids));
    let mut cx = Context::from_waker(Waker::noop());

    // The model: every frame sent with its ID, and the first one still logged.
    let mut sent: Vec<(String, Bytes)> = Vec::new();
    let mut first = 0;
    let mut closed = false;
    let mut subscribers: Vec<ModelSubscriber> = Vec::new();
    let mut peak_subscribers = 0;

    for op in case.ops {
        match op {
            Op::Send { len, id } => {
                let mut event = Event::new(vec![b'x'; usize::from(len)]);
                let id = id.map(|id| if id == 255 { "" } else { CALLER_IDS[usize::from(id) % CALLER_IDS.len()] });
                if let Some(id) = id {
                    event = event.with_id(EventId::new(id).unwrap());
                }
                let result = broadcaster.send(event.clone());
                let expected_id = match (case.counter, id) {
                    (Some(_), Some(_)) => Err(BroadcastError::IdGiven),
                    (Some(n), None) => Ok((u64::from(n) + sent.len() as u64).to_string()),
                    (None, None) => Err(BroadcastError::MissingId),
                    (None, Some("")) => Err(BroadcastError::EmptyId),
                    (None, Some(id)) => Ok(id.to_owned()),
                };
                let expected = expected_id.and_then(|id| {
                    let frame = frame(&event.clone().with_id(EventId::new(id.clone()).unwrap()));
                    if frame.len() > max_bytes {
                        return Err(BroadcastError::TooLarge { len: frame.len(), max: max_bytes });
                    }
                    // The event is checked first; a valid one is refused once the broadcaster is closed.
                    if closed {
                        return Err(BroadcastError::Closed);
                    }
                    Ok((id, frame))
                });
                match (result, expected) {
                    (Ok(got), Ok((id, frame))) => {
                        assert_eq!(got, id.as_str());
                        sent.push((id, frame));
                        while sent.len() - first > max_events
                            || sent[first..].iter().map(|(_, f)| f.len()).sum::<usize>() > max_bytes
                        {
                            first += 1;
                        }
                        for subscriber in &mut subscribers {
                            if subscriber.ended.is_none() && subscriber.cursor < first {
                                subscriber.ended = Some(Ended::Lagged);
                            }
                        }
                    }
                    (Err(got), Err(want)) => assert_eq!(got, want),
                    (got, want) => panic!("send gave {got:?}, the model {want:?}"),
                }
            }
            Op::Subscribe(from) => {
                let from = match from {
                    From::None => None,
                    From::Empty => Some(String::new()),
                    From::Number(n) => Some(n.to_string()),
                    From::Caller(i) => Some(CALLER_IDS[usize::from(i) % CALLER_IDS.len()].to_owned()),
                    From::Text(text) => Some(text),
                };
                let subscription = broadcaster.subscribe(from.as_deref());
                // The event after the latest one sent with that ID, if the log holds everything from there.
                let resume = from.as_deref().filter(|id| !id.is_empty()).map(|id| {
                    let after = sent.iter().rposition(|(sent_id, _)| sent_id == id)? + 1;
                    (after >= first).then_some(after)
                });
                let (cursor, replay) = match resume {
                    None => (sent.len(), Replay::Live),
                    Some(Some(after)) => (after, Replay::Resumed { events: sent.len() - after }),
                    Some(None) => (sent.len(), Replay::Lost),
                };
                assert_eq!(subscription.replay(), replay, "from {from:?}");
                subscribers.push(ModelSubscriber { subscription, cursor, ended: None });
            }
            Op::Read { subscriber, frames } => {
                let Some(subscriber) = subscribers.get_mut(usize::from(subscriber)) else { continue };
                for _ in 0..frames % 8 + 1 {
                    let got = Pin::new(&mut subscriber.subscription).poll_next(&mut cx);
                    let want = if subscriber.ended.is_some() {
                        Poll::Ready(None)
                    } else if let Some((_, frame)) = sent.get(subscriber.cursor) {
                        subscriber.cursor += 1;
                        Poll::Ready(Some(frame.clone()))
                    } else if closed {
                        subscriber.ended = Some(Ended::Closed);
                        Poll::Ready(None)
                    } else {
                        Poll::Pending
                    };
                    assert_eq!(got, want);
                }
            }
            Op::Drop { subscriber } => {
                let index = usize::from(subscriber);
                if index < subscribers.len() {
                    subscribers.swap_remove(index);
                }
            }
            Op::Close => {
                broadcaster.close();
                closed = true;
            }
        }
        for subscriber in &subscribers {
            assert_eq!(subscriber.subscription.ended(), subscriber.ended);
        }
        let live = subscribers.iter().filter(|subscriber| subscriber.ended.is_none()).count();
        peak_subscribers = peak_subscribers.max(subscribers.len());
        let stats = broadcaster.stats();
        assert_eq!(broadcaster.subscriber_count(), live);
        let logged: usize = sent[first..].iter().map(|(_, frame)| frame.len()).sum();
        assert_eq!((stats.events, stats.frame_bytes), (sent.len() - first, logged));
        assert!(logged <= max_bytes && stats.events <= max_events);
        // The frames, the ring and the ID index (each at most twice the events, for growth by doubling, with
        // 72-byte entries and 49-byte index buckets), and 48 bytes per subscriber slot (also doubling).
        let bound = max_bytes + 2 * (max_events + 1) * (72 + 49) + 2 * peak_subscribers.max(1) * 48 + 64;
        assert!(stats.heap_bytes <= bound, "{stats:?} over {bound}");
    }
    assert_eq!(broadcaster.is_closed(), closed);
});
