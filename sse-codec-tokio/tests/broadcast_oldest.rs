//! `Broadcaster::subscribe_oldest`: a subscription from the oldest logged event, and that event's ID, so that a
//! store with more history can replay what comes before it with no gap and no duplicate.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::task::noop_waker_ref;
use sse_codec_tokio::{BroadcastConfig, Broadcaster, Ended, Event, Replay, Subscription};

fn ready(subscription: &mut Subscription) -> Poll<Option<Bytes>> {
    subscription.poll_next_unpin(&mut Context::from_waker(noop_waker_ref()))
}

fn id_of(frame: &Bytes) -> u64 {
    let text = std::str::from_utf8(frame).unwrap();
    text.lines().find_map(|line| line.strip_prefix("id: ")).unwrap().parse().unwrap()
}

#[test]
fn an_empty_log_gives_no_id_and_the_next_event() {
    let broadcaster = Broadcaster::new();
    let (mut subscription, oldest) = broadcaster.subscribe_oldest();
    assert_eq!(oldest, None);
    assert_eq!(subscription.replay(), Replay::Resumed { events: 0 });
    assert_eq!(ready(&mut subscription), Poll::Pending);
    broadcaster.send(Event::new("a")).unwrap();
    assert_eq!(ready(&mut subscription), Poll::Ready(Some(Bytes::from_static(b"id: 1\ndata: a\n\n"))));
}

#[test]
fn it_reads_the_whole_log_from_the_oldest_event_then_live_ones() {
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(3));
    for text in ["a", "b", "c", "d", "e"] {
        broadcaster.send(Event::new(text)).unwrap();
    }
    let (mut subscription, oldest) = broadcaster.subscribe_oldest();
    assert_eq!(oldest.unwrap(), "3");
    assert_eq!(subscription.replay(), Replay::Resumed { events: 3 });
    broadcaster.send(Event::new("f")).unwrap(); // pushes event 3 out: this subscriber had not read it
    assert_eq!(ready(&mut subscription), Poll::Ready(None));
    assert_eq!(subscription.ended(), Some(Ended::Lagged));

    let (mut subscription, oldest) = broadcaster.subscribe_oldest();
    assert_eq!(oldest.unwrap(), "4");
    let mut ids = Vec::new();
    while let Poll::Ready(Some(frame)) = ready(&mut subscription) {
        ids.push(id_of(&frame));
    }
    broadcaster.send(Event::new("g")).unwrap();
    let Poll::Ready(Some(frame)) = ready(&mut subscription) else { panic!("a live event") };
    ids.push(id_of(&frame));
    assert_eq!(ids, [4, 5, 6, 7]);
}

/// A sender on another thread logs every frame in a store (the history a Redis stream would keep) and sends it;
/// subscribers spliced from the store (before the oldest ID) and the subscription read every event once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_from_a_store_splices_before_it_while_sends_run() {
    const EVENTS: u64 = 3000;
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(64));
    let store: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    // The highest ID the subscriptions have read, and whether the reading is over: the sender keeps within a
    // log and a half of the reader, so that subscribers come and go while the log turns over, however fast
    // either side runs.
    let (read, reading_over) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
    let sender = {
        let (broadcaster, store) = (broadcaster.clone(), Arc::clone(&store));
        let (read, reading_over) = (Arc::clone(&read), Arc::clone(&reading_over));
        tokio::task::spawn_blocking(move || {
            for n in 0..EVENTS {
                // The store has the event before the broadcaster logs it, as a Redis stream would.
                let mut store = store.lock().unwrap();
                let frame = Bytes::from(format!("id: {}\ndata: {n}\n\n", n + 1));
                store.push(frame);
                drop(store);
                broadcaster.send(Event::new(n.to_string())).unwrap();
                while n + 1 > read.load(Ordering::Acquire) + 96 && !reading_over.load(Ordering::Acquire) {
                    std::thread::yield_now();
                }
            }
        })
    };
    let mut checked = 0;
    while !sender.is_finished() || checked == 0 {
        let (mut subscription, oldest) = broadcaster.subscribe_oldest();
        // Everything before the oldest logged event comes from the store (a fresh read of it).
        let before: Vec<Bytes> = {
            let store = store.lock().unwrap();
            let end = oldest.map_or(store.len(), |id| id.to_str().unwrap().parse::<usize>().unwrap() - 1);
            store[..end].to_vec()
        };
        let mut ids: Vec<u64> = before.iter().map(id_of).collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        while let Ok(Some(frame)) = tokio::time::timeout_at(deadline, subscription.next()).await {
            ids.push(id_of(&frame));
            read.fetch_max(id_of(&frame), Ordering::Release);
            if ids.len() as u64 == EVENTS || ids.len() > before.len() + 200 {
                break;
            }
        }
        if subscription.ended() == Some(Ended::Lagged) {
            continue; // it fell behind the log, as any subscriber may: its client would resume
        }
        let expected: Vec<u64> = (1..=ids.len() as u64).collect();
        assert_eq!(ids, expected, "a gap or a duplicate at the splice");
        checked += 1;
        if checked > 50 {
            break;
        }
    }
    reading_over.store(true, Ordering::Release);
    sender.await.unwrap();
    assert!(checked > 0);
}
