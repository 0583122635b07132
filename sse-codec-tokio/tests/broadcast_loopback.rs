//! `Broadcaster` behind a real axum server on 127.0.0.1, read by real reqwest clients through `EventStream`:
//! clients cut at random points (mid-frame too) and resuming with `Last-Event-ID` end with every event once, in
//! order; a client that stalls is ended, and the broadcaster's memory stays within its budget.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use sse_codec_tokio::headers::RESPONSE_HEADERS;
use sse_codec_tokio::{BroadcastConfig, Broadcaster, Decoder, Event, EventBody, EventStream, Frame, Replay};
use tokio::time::{Instant, sleep, timeout};

const CLIENTS: usize = 100;
const EVENTS: u64 = 1000;

#[derive(Clone)]
struct App {
    broadcaster: Broadcaster,
    connections: Arc<AtomicUsize>,
    lost: Arc<AtomicUsize>,
}

async fn events(State(app): State<App>, headers: HeaderMap) -> Response {
    let last_event_id = headers.get("last-event-id").and_then(|value| value.to_str().ok());
    let subscription = app.broadcaster.subscribe(last_event_id);
    app.connections.fetch_add(1, Ordering::Relaxed);
    if subscription.replay() == Replay::Lost {
        app.lost.fetch_add(1, Ordering::Relaxed);
    }
    // The frames as they are, with the body's opening comment and keep-alives.
    let mut response = Body::from_stream(EventBody::new(subscription)).into_response();
    for (name, value) in RESPONSE_HEADERS {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

async fn serve(app: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let router = Router::new().route("/events", get(events)).with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// xorshift64*: reproducible cut points without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The body as it is until `budget` bytes have come, then cut, mid-chunk if that is where the budget ends.
fn cut<S>(body: S, budget: u64) -> impl Stream<Item = reqwest::Result<Bytes>>
where
    S: Stream<Item = reqwest::Result<Bytes>>,
{
    body.scan(budget, |left, chunk| {
        let item = match chunk {
            _ if *left == 0 => None,
            Ok(chunk) => {
                let take = chunk.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                *left -= take as u64;
                Some(Ok(chunk.slice(..take)))
            }
            Err(error) => Some(Err(error)),
        };
        std::future::ready(item)
    })
}

/// One client: connects, reads until its random cut (after a number of bytes, or of events), reconnects with
/// the last event ID its decoder holds (kept from one connection to the next, as a browser keeps it), until it
/// has every event. Returns the IDs in the order received.
async fn client(http: reqwest::Client, url: String, seed: u64) -> Vec<u64> {
    let mut rng = Rng(seed | 1);
    let mut received = Vec::new();
    let mut decoder = Decoder::new();
    while (received.len() as u64) < EVENTS {
        let mut request = http.get(&url);
        if let Some(id) = decoder.last_event_id().filter(|id| !id.as_bytes().is_empty()) {
            request = request.header("last-event-id", id.to_str().unwrap());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let (bytes, frames) =
            if rng.below(2) == 0 { (1 + rng.below(4000), u64::MAX) } else { (u64::MAX, 1 + rng.below(200)) };
        let mut stream = EventStream::with_decoder(cut(response.bytes_stream(), bytes), decoder);
        let mut read = 0;
        while let Some(frame) = stream.next().await {
            let Frame::Event(event) = frame.unwrap() else { continue };
            let id: u64 = event.id().unwrap().to_str().unwrap().parse().unwrap();
            assert_eq!(event.data_str().unwrap(), format!("event {id}"));
            received.push(id);
            read += 1;
            if read == frames {
                break;
            }
        }
        // Dropping the body cuts the connection; what the decoder had of an unfinished event is dropped.
        decoder = stream.into_parts().1;
    }
    received
}

async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_cut_at_random_points_resume_with_every_event_once_in_order() {
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(EVENTS as usize));
    let app = App { broadcaster: broadcaster.clone(), connections: Arc::default(), lost: Arc::default() };
    let url = serve(app.clone()).await;
    let http = reqwest::Client::new();
    let clients: Vec<_> =
        (0..CLIENTS as u64).map(|seed| tokio::spawn(client(http.clone(), url.clone(), seed * 7919 + 17))).collect();
    wait_for("every client's first subscription", || broadcaster.subscriber_count() == CLIENTS).await;

    for n in 1..=EVENTS {
        broadcaster.send(Event::new(format!("event {n}"))).unwrap();
        if n % 20 == 0 {
            sleep(Duration::from_millis(2)).await; // pace the server, so that cuts fall while events flow
        }
    }
    broadcaster.close();

    let want: Vec<u64> = (1..=EVENTS).collect();
    for (i, task) in clients.into_iter().enumerate() {
        let received = timeout(Duration::from_secs(60), task).await.expect("the client finishes").unwrap();
        assert!(received == want, "client {i} received {} events, not 1..={EVENTS} once in order", received.len());
    }
    let connections = app.connections.load(Ordering::Relaxed);
    assert!(connections > 2 * CLIENTS, "clients were cut and resumed: {connections} connections");
    assert_eq!(app.lost.load(Ordering::Relaxed), 0, "the log holds every event");
    eprintln!("{CLIENTS} clients, {EVENTS} events, {connections} connections");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_client_is_ended_and_memory_stays_within_the_budget() {
    const EVENT: usize = 16 * 1024;
    const MAX_BYTES: usize = 8 << 20;
    let broadcaster = Broadcaster::with_config(BroadcastConfig::new().max_events(1 << 20).max_bytes(MAX_BYTES));
    let app = App { broadcaster: broadcaster.clone(), connections: Arc::default(), lost: Arc::default() };
    let url = serve(app).await;
    // Connected, headers read, body never read.
    let stalled = reqwest::get(&url).await.unwrap();
    // Beside it, a client that reads everything.
    let reader = reqwest::get(&url).await.unwrap();
    let reader = tokio::spawn(async move {
        let mut events = EventStream::new(reader.bytes_stream()).events();
        let mut count = 0u64;
        while let Some(event) = events.next().await {
            assert_eq!(event.unwrap().data().len(), EVENT);
            count += 1;
        }
        count
    });
    assert_eq!(broadcaster.subscriber_count(), 2);

    let payload = Bytes::from(vec![b'x'; EVENT]);
    let (mut sent, mut peak) = (0u64, 0);
    let deadline = Instant::now() + Duration::from_secs(60);
    // Loopback socket buffers and hyper's own take a few MiB before the server's writes to the stalled client
    // block; then its subscription is no longer read, and the log moves past it. The sends are paced (the log
    // holds half a second of them, or more) so that the reader, and the server writing to it, keep up.
    while broadcaster.subscriber_count() == 2 {
        assert!(Instant::now() < deadline && sent < 1 << 16, "the stalled subscriber was never ended");
        broadcaster.send(Event::new(payload.clone())).unwrap();
        sent += 1;
        let stats = broadcaster.stats();
        assert!(stats.frame_bytes <= MAX_BYTES);
        peak = peak.max(stats.heap_bytes);
        sleep(Duration::from_millis(1)).await;
    }
    let sent_mib = (sent as usize * EVENT) >> 20;
    assert!(sent as usize * EVENT > MAX_BYTES, "ended after {sent_mib} MiB: the log alone holds more");
    // Seen from the stalled client, before the broadcaster closes: once it reads again, its body holds what the
    // buffers took, then ends, at an event boundary, well before the last event.
    let stalled_events = timeout(Duration::from_secs(30), EventStream::new(stalled.bytes_stream()).events().count())
        .await
        .expect("the stalled client's body ends");
    assert!(stalled_events > 0 && (stalled_events as u64) < sent, "{stalled_events} of {sent} events");
    broadcaster.close();
    let read = timeout(Duration::from_secs(60), reader).await.expect("the reader finishes").unwrap();
    assert_eq!(read, sent, "the reader kept up and was not ended");
    // The frames, a ring of entries (72 bytes each, grown by doubling), two subscribers' slots and wakers.
    let ring = 2 * (MAX_BYTES / EVENT + 1) * 72;
    assert!(peak <= MAX_BYTES + ring + 2 * 48 + 64, "peak {peak}");
    eprintln!(
        "stalled subscriber ended after {sent_mib} MiB sent, having taken {stalled_events} events; \
         broadcaster heap peak {peak} bytes"
    );
}
