//! `Broadcaster` and `Subscription`: fan-out of one encoding, replay after an ID, lag, drop and close.

use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::task::noop_waker_ref;
use sse_codec_tokio::{BroadcastConfig, BroadcastError, Broadcaster, Ended, Event, EventId, Ids, Replay, Subscription};

/// The frame a subscription has ready now, without waiting.
fn ready(subscription: &mut Subscription) -> Poll<Option<Bytes>> {
    subscription.poll_next_unpin(&mut Context::from_waker(noop_waker_ref()))
}

fn ids(frames: &[Bytes]) -> Vec<String> {
    frames
        .iter()
        .map(|frame| {
            let text = std::str::from_utf8(frame).unwrap();
            text.lines().find_map(|line| line.strip_prefix("id: ")).unwrap().to_owned()
        })
        .collect()
}

fn drain(subscription: &mut Subscription) -> Vec<Bytes> {
    let mut frames = Vec::new();
    while let Poll::Ready(Some(frame)) = ready(subscription) {
        frames.push(frame);
    }
    frames
}

#[test]
fn every_subscriber_gets_the_same_bytes() {
    let broadcaster = Broadcaster::new();
    let mut a = broadcaster.subscribe(None);
    let mut b = broadcaster.subscribe(None);
    assert_eq!(broadcaster.send(Event::new("hi")).unwrap(), "1");
    let (Poll::Ready(Some(x)), Poll::Ready(Some(y))) = (ready(&mut a), ready(&mut b)) else { panic!("frames") };
    assert_eq!(x, "id: 1\ndata: hi\n\n");
    assert_eq!(x.as_ptr(), y.as_ptr(), "one encoding, shared");
    assert_eq!(ready(&mut a), Poll::Pending);
}

#[test]
fn counter_ids_resume_after_the_id_and_report_lost_ones() {
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(3).ids(Ids::Counter { first: 10 }));
    for _ in 0..5 {
        broadcaster.send(Event::new("x")).unwrap();
    } // IDs 10..=14; the log holds 12, 13, 14.
    let cases: [(Option<&str>, Replay, &[&str]); 9] = [
        (None, Replay::Live, &[]),
        (Some(""), Replay::Live, &[]),
        (Some("11"), Replay::Resumed { events: 3 }, &["12", "13", "14"]), // 11 left, but all after it are kept
        (Some("12"), Replay::Resumed { events: 2 }, &["13", "14"]),
        (Some("14"), Replay::Resumed { events: 0 }, &[]),
        (Some("10"), Replay::Lost, &[]),  // 11 has left the log
        (Some("15"), Replay::Lost, &[]),  // never sent
        (Some("012"), Replay::Lost, &[]), // not an ID the counter wrote
        (Some("9"), Replay::Lost, &[]),
    ];
    for (from, replay, want) in cases {
        let mut subscription = broadcaster.subscribe(from);
        assert_eq!(subscription.replay(), replay, "{from:?}");
        assert_eq!(ids(&drain(&mut subscription)), want, "{from:?}");
    }
}

#[test]
fn caller_ids_resume_after_the_id_even_just_evicted() {
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(2).ids(Ids::Caller));
    for id in ["a", "b", "c", "b"] {
        broadcaster.send(Event::new("x").with_id(EventId::new(id).unwrap())).unwrap();
    } // the log holds c, b (the second); the first b and a have left.
    let cases: [(&str, Replay, &[&str]); 4] = [
        ("b", Replay::Resumed { events: 0 }, &[]), // the later b
        ("c", Replay::Resumed { events: 1 }, &["b"]),
        ("a", Replay::Lost, &[]),
        ("z", Replay::Lost, &[]),
    ];
    for (from, replay, want) in cases {
        let mut subscription = broadcaster.subscribe(Some(from));
        assert_eq!(subscription.replay(), replay, "{from}");
        assert_eq!(ids(&drain(&mut subscription)), want, "{from}");
    }
    // The first b left the log last: everything after it is still there.
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(2).ids(Ids::Caller));
    for id in ["p", "q", "r"] {
        broadcaster.send(Event::new("x").with_id(EventId::new(id).unwrap())).unwrap();
    }
    let mut subscription = broadcaster.subscribe(Some("p"));
    assert_eq!(subscription.replay(), Replay::Resumed { events: 2 });
    assert_eq!(ids(&drain(&mut subscription)), ["q", "r"]);
}

#[test]
fn send_refuses_what_cannot_be_resumed_or_logged() {
    let counted = Broadcaster::new();
    assert_eq!(counted.send(Event::new("x").with_id(EventId::new("7").unwrap())), Err(BroadcastError::IdGiven));
    let caller = Broadcaster::with_config(BroadcastConfig::new().ids(Ids::Caller).max_bytes(32));
    assert_eq!(caller.send(Event::new("x")), Err(BroadcastError::MissingId));
    assert_eq!(caller.send(Event::new("x").with_id(EventId::new("").unwrap())), Err(BroadcastError::EmptyId));
    let long = Event::new(vec![b'x'; 40]).with_id(EventId::new("1").unwrap());
    assert_eq!(caller.send(long), Err(BroadcastError::TooLarge { len: 54, max: 32 }));
    assert_eq!(caller.stats().events, 0);
    // The counter does not move on a refused event.
    assert_eq!(counted.send(Event::new("x")).unwrap(), "1");
}

#[test]
fn a_subscriber_whose_next_event_leaves_the_log_is_ended_at_once() {
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(4));
    let mut slow = broadcaster.subscribe(None);
    let mut fast = broadcaster.subscribe(None);
    for n in 1..=4 {
        broadcaster.send(Event::new("x")).unwrap();
        assert_eq!(ids(&drain(&mut fast)), [n.to_string()]);
    }
    assert_eq!(ready(&mut slow).map(|frame| frame.is_some()), Poll::Ready(true)); // read 1: cursor at 2
    assert_eq!((slow.ended(), broadcaster.subscriber_count()), (None, 2));
    broadcaster.send(Event::new("x")).unwrap(); // 5 pushes 1 out: slow still has 2..=5
    assert_eq!(slow.ended(), None);
    broadcaster.send(Event::new("x")).unwrap(); // 6 pushes 2 out: slow is ended before it reads again
    assert_eq!((slow.ended(), broadcaster.subscriber_count()), (Some(Ended::Lagged), 1));
    assert_eq!(ready(&mut slow), Poll::Ready(None), "never skipped ahead");
    assert_eq!(ready(&mut slow), Poll::Ready(None));
    // Its client resumes from the last event it received, with nothing lost.
    let resumed = broadcaster.subscribe(Some("1"));
    assert_eq!(resumed.replay(), Replay::Lost, "2 has left the log, so 1 cannot be resumed from");
    drop(resumed);
    assert_eq!(ids(&drain(&mut fast)), ["5", "6"]);
}

#[test]
fn dropping_a_subscription_frees_its_slot_at_once() {
    let broadcaster = Broadcaster::new();
    let subscriptions: Vec<_> = (0..100).map(|_| broadcaster.subscribe(None)).collect();
    assert_eq!(broadcaster.subscriber_count(), 100);
    let heap = broadcaster.stats().heap_bytes;
    drop(subscriptions);
    assert_eq!(broadcaster.subscriber_count(), 0);
    let again: Vec<_> = (0..100).map(|_| broadcaster.subscribe(None)).collect();
    assert_eq!(broadcaster.stats().heap_bytes, heap, "freed slots are reused");
    assert_eq!(again.len(), broadcaster.subscriber_count());
}

#[test]
fn closing_ends_subscriptions_after_what_was_sent() {
    let broadcaster = Broadcaster::new();
    let mut subscription = broadcaster.subscribe(None);
    broadcaster.send(Event::new("last")).unwrap();
    broadcaster.close();
    assert_eq!(broadcaster.send(Event::new("late")), Err(BroadcastError::Closed));
    assert_eq!(ids(&drain(&mut subscription)), ["1"]);
    assert_eq!(ready(&mut subscription), Poll::Ready(None));
    assert_eq!((subscription.ended(), broadcaster.subscriber_count()), (Some(Ended::Closed), 0));
    // A subscription taken after closing still replays the log, then ends.
    let mut late = broadcaster.subscribe(Some("0"));
    assert_eq!(late.replay(), Replay::Lost);
    assert_eq!(ready(&mut late), Poll::Ready(None));
}

#[tokio::test]
async fn dropping_the_last_handle_closes_and_wakes_waiting_subscribers() {
    let broadcaster = Broadcaster::new();
    let mut subscription = broadcaster.subscribe(None);
    let reader = tokio::spawn(async move {
        let mut frames = Vec::new();
        while let Some(frame) = subscription.next().await {
            frames.push(frame);
        }
        (frames, subscription.ended())
    });
    let clone = broadcaster.clone();
    tokio::task::yield_now().await;
    broadcaster.send(Event::new("a")).unwrap();
    drop(broadcaster);
    clone.send(Event::new("b")).unwrap();
    drop(clone);
    let (frames, ended) = tokio::time::timeout(Duration::from_secs(10), reader).await.unwrap().unwrap();
    assert_eq!((ids(&frames), ended), (vec!["1".to_owned(), "2".to_owned()], Some(Ended::Closed)));
}

#[test]
fn a_stalled_subscriber_costs_the_log_and_its_slot_only() {
    let config = BroadcastConfig::new().max_events(1_000_000).max_bytes(64 * 1024);
    let broadcaster = Broadcaster::with_config(config);
    let stalled = broadcaster.subscribe(None);
    let payload = vec![b'x'; 1000];
    let mut peak = 0;
    for _ in 0..1000 {
        broadcaster.send(Event::new(payload.clone())).unwrap();
        let stats = broadcaster.stats();
        assert!(stats.frame_bytes <= 64 * 1024);
        peak = peak.max(stats.heap_bytes);
    }
    assert_eq!(stalled.ended(), Some(Ended::Lagged));
    assert_eq!(broadcaster.subscriber_count(), 0);
    // 64 KiB of frames, the ring of at most 64 entries (grown by doubling) and one slot.
    assert!(peak < 64 * 1024 + 128 * 72 + 256, "peak {peak}");
}

#[test]
fn a_waiting_subscriber_sees_the_next_send_and_the_close() {
    let broadcaster = Broadcaster::new();
    let mut subscription = broadcaster.subscribe(None);
    assert_eq!(ready(&mut subscription), Poll::Pending);
    assert_eq!(ready(&mut subscription), Poll::Pending, "still nothing");
    broadcaster.send(Event::new("x")).unwrap();
    assert_eq!(ids(&drain(&mut subscription)), ["1"]); // the read that reaches the end of the log waits again
    assert_eq!(ready(&mut subscription), Poll::Pending);
    broadcaster.send(Event::new("y")).unwrap();
    assert_eq!(ids(&drain(&mut subscription)), ["2"]);
    broadcaster.close();
    assert_eq!(ready(&mut subscription), Poll::Ready(None));
    assert_eq!(subscription.ended(), Some(Ended::Closed));
}
