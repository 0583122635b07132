//! `EventBody`'s timers and signals on tokio's paused clock: the opening bytes, keep-alive, lifetime, shutdown.

use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, stream};
use sse_codec::{Event, Frame};
use sse_codec_tokio::{BodyConfig, EventBody, EventStream, KeepAlive, Shutdown};
use tokio::sync::mpsc;
use tokio::time::Instant;

const IDLE: Duration = Duration::from_secs(15);

/// A body fed through a channel, so the test decides when events come.
fn channel_body(config: BodyConfig) -> (mpsc::UnboundedSender<Event>, impl futures::Stream<Item = Bytes> + Unpin) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let events = stream::poll_fn(move |cx| rx.poll_recv(cx));
    let body = EventBody::with_config(events, config).map(|chunk| chunk.expect("an event stream never fails"));
    (tx, Box::pin(body))
}

/// Decodes `bytes` into frames.
async fn frames(bytes: Vec<u8>) -> Vec<Frame> {
    let body = stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
    EventStream::new(body).map(Result::unwrap).collect().await
}

#[tokio::test(start_paused = true)]
async fn opening_comment_at_once_then_keep_alive_after_exactly_the_interval() {
    let (_tx, mut body) = channel_body(BodyConfig::new());
    let start = Instant::now();
    assert_eq!(&body.next().await.unwrap()[..], b":\n\n");
    assert_eq!(start.elapsed(), Duration::ZERO, "the opening comment waited");
    for n in 1..=3 {
        assert_eq!(&body.next().await.unwrap()[..], b":\n\n");
        assert_eq!(start.elapsed(), IDLE * n, "keep-alive {n} not after exactly the interval");
    }
}

#[tokio::test(start_paused = true)]
async fn a_first_retry_goes_out_at_once_instead_of_the_comment() {
    let (_tx, mut body) = channel_body(BodyConfig::new().retry(Duration::from_millis(2500)));
    let start = Instant::now();
    assert_eq!(&body.next().await.unwrap()[..], b"retry: 2500\n\n");
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn no_opening_comment_when_turned_off_or_when_an_event_is_ready() {
    let (tx, mut body) = channel_body(BodyConfig::new());
    tx.send(Event::new("first")).unwrap();
    assert_eq!(&body.next().await.unwrap()[..], b"data: first\n\n");

    let (_tx, mut body) = channel_body(BodyConfig::new().opening_comment(false));
    let start = Instant::now();
    assert_eq!(&body.next().await.unwrap()[..], b":\n\n");
    assert_eq!(start.elapsed(), IDLE, "without the opening comment, the first chunk is the keep-alive");
}

#[tokio::test(start_paused = true)]
async fn no_keep_alive_while_events_flow_and_the_interval_counts_from_the_last_event() {
    let (tx, mut body) = channel_body(BodyConfig::new().opening_comment(false));
    let start = Instant::now();
    let sender = tokio::spawn(async move {
        for n in 0..20 {
            tokio::time::sleep(IDLE / 2 + Duration::from_millis(n)).await;
            tx.send(Event::new(format!("{n}"))).unwrap();
        }
        tx // kept open: the body goes idle after the last event
    });
    for n in 0..20 {
        assert_eq!(body.next().await.unwrap(), format!("data: {n}\n\n"), "a keep-alive while events flowed");
    }
    let last_event = start.elapsed();
    assert_eq!(&body.next().await.unwrap()[..], b":\n\n");
    assert_eq!(start.elapsed() - last_event, IDLE, "the keep-alive did not count from the last event");
    drop(sender.await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn keep_alive_comment_and_interval_are_configurable_or_off() {
    let keep_alive = KeepAlive::new().interval(Duration::from_secs(2)).comment("ping");
    let (_tx, mut body) = channel_body(BodyConfig::new().keep_alive(keep_alive));
    let start = Instant::now();
    assert_eq!(&body.next().await.unwrap()[..], b": ping\n\n");
    assert_eq!(&body.next().await.unwrap()[..], b": ping\n\n");
    assert_eq!(start.elapsed(), Duration::from_secs(2));

    let (_tx, mut body) = channel_body(BodyConfig::new().no_keep_alive().lifetime(Duration::from_secs(3600)));
    assert_eq!(&body.next().await.unwrap()[..], b":\n\n", "the opening comment stays without keep-alive");
    assert_eq!(body.next().await, None);
    assert_eq!(start.elapsed(), Duration::from_secs(3602), "a keep-alive went out, or the lifetime was not kept");
}

#[tokio::test(start_paused = true)]
async fn keep_alives_never_fall_inside_a_block() {
    // Blocks larger than a chunk, encoded earlier and encoded here, with a keep-alive due between every two.
    let keep_alive = KeepAlive::new().interval(Duration::from_millis(10));
    let (tx, mut rx) = mpsc::unbounded_channel::<Result<sse_codec_tokio::Outgoing, std::io::Error>>();
    let items = stream::poll_fn(move |cx| rx.poll_recv(cx));
    let mut body = EventBody::with_config(items, BodyConfig::new().keep_alive(keep_alive));
    let big = "x".repeat(20_000);
    let mut encoded = Vec::new();
    Event::new(big.clone()).encode(&mut encoded).unwrap();
    let mut wire = Vec::new();
    let mut sent = 0;
    for round in 0..6 {
        let item = if round % 2 == 0 { Event::new(big.clone()).into() } else { Bytes::from(encoded.clone()).into() };
        tx.send(Ok(item)).unwrap();
        sent += 1;
        // Take chunks until the event is through and a keep-alive came after it.
        loop {
            let chunk = body.next().await.unwrap().unwrap();
            assert!(chunk.ends_with(b"\n\n"), "a chunk ended inside a block");
            wire.extend_from_slice(&chunk);
            if &chunk[..] == b":\n\n" && wire.len() > sent * encoded.len() {
                break;
            }
        }
    }
    drop(tx);
    assert!(body.next().await.is_none());
    let events: Vec<_> = frames(wire).await.into_iter().filter(|f| matches!(f, Frame::Event(_))).collect();
    assert_eq!(events.len(), 6);
    assert!(events.iter().all(|f| matches!(f, Frame::Event(e) if e.data() == big.as_bytes())));
}

#[tokio::test(start_paused = true)]
async fn ends_cleanly_at_its_lifetime() {
    let lifetime = Duration::from_secs(40);
    let (tx, mut body) = channel_body(BodyConfig::new().lifetime(lifetime));
    let start = Instant::now();
    tx.send(Event::new("one")).unwrap();
    let mut wire = Vec::new();
    while let Some(chunk) = body.next().await {
        wire.extend_from_slice(&chunk);
    }
    assert_eq!(start.elapsed(), lifetime);
    assert_eq!(wire, b"data: one\n\n:\n\n:\n\n", "an event, then two keep-alives (15 s, 30 s), then the end");
    assert!(tx.send(Event::new("late")).is_ok(), "the stream is still there; the body ended on its own");
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_idle_and_busy_bodies() {
    let shutdown = Shutdown::new();
    let config = BodyConfig::new().shutdown(&shutdown);
    let (_tx, mut idle) = channel_body(config.clone());
    assert_eq!(&idle.next().await.unwrap()[..], b":\n\n");
    // A body whose stream never pends.
    let mut busy = EventBody::with_config(stream::repeat_with(|| Event::new("tick")), config);
    assert!(busy.next().await.unwrap().unwrap().ends_with(b"data: tick\n\n"));

    let idle = tokio::spawn(async move { idle.next().await });
    tokio::task::yield_now().await;
    let start = Instant::now();
    shutdown.trigger();
    assert_eq!(idle.await.unwrap(), None, "the idle body did not end");
    assert_eq!(start.elapsed(), Duration::ZERO, "the idle body ended only at a timer");
    assert!(busy.next().await.is_none(), "the busy body went on after shutdown");

    // A body made after the trigger ends at once, before sending anything.
    let (_tx, mut late) = channel_body(BodyConfig::new().shutdown(&shutdown));
    assert_eq!(late.next().await, None);
}

#[tokio::test(start_paused = true)]
async fn an_error_item_goes_out_after_the_chunk_before_it_then_the_body_ends() {
    let items = stream::iter([Ok(Event::new("a")), Err("broken"), Ok(Event::new("b"))]);
    let mut body = EventBody::new(items);
    assert_eq!(body.next().await, Some(Ok(Bytes::from_static(b"data: a\n\n"))));
    assert_eq!(body.next().await, Some(Err("broken")));
    assert_eq!(body.next().await, None);
    assert_eq!(body.next().await, None);
}

#[tokio::test(start_paused = true)]
async fn ready_events_go_out_together_and_encoded_bytes_as_they_are() {
    let encoded = Bytes::from_static(b"event: e\ndata: pre\n\n");
    let items = stream::iter([
        Ok::<_, std::convert::Infallible>(sse_codec_tokio::Outgoing::Event(Event::new("a"))),
        Ok(sse_codec_tokio::Outgoing::Retry(7)),
        Ok(sse_codec_tokio::Outgoing::Comment(Bytes::from_static(b"note"))),
        Ok(encoded.clone().into()),
        Ok(Event::new("b").into()),
    ]);
    let chunks: Vec<_> = EventBody::new(items).map(Result::unwrap).collect().await;
    assert_eq!(chunks[0], &b"data: a\n\nretry: 7\n\n: note\n\n"[..]);
    assert_eq!(chunks[1].as_ptr(), encoded.as_ptr(), "encoded bytes were copied");
    assert_eq!(chunks[2], &b"data: b\n\n"[..]);
    assert_eq!(chunks.len(), 3);
}
