//! `EventBody` served by a real axum server on 127.0.0.1 and read by a real reqwest client.

#![cfg(feature = "http-body")]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use futures::{Stream, StreamExt, stream};
use sse_codec::{Event, Frame};
use sse_codec_tokio::{BodyConfig, EventBody, EventStream, KeepAlive, Shutdown};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tower_http::compression::CompressionLayer;

/// Long enough for a loaded 2-core machine; only a failure waits this long.
const DEADLINE: Duration = Duration::from_secs(10);

/// Serves `app` on a free loopback port until `shutdown` is triggered.
async fn serve(app: Router, shutdown: &Shutdown) -> (SocketAddr, JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, app).with_graceful_shutdown(shutdown.triggered()).into_future());
    (addr, server)
}

type Frames = EventStream<std::pin::Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>>;

/// Opens the event stream at `url`, offering gzip (which a compressing layer would take up).
async fn connect(client: &reqwest::Client, url: &str) -> (reqwest::header::HeaderMap, Frames) {
    let response = client.get(url).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/event-stream");
    (headers, EventStream::new(Box::pin(response.bytes_stream())))
}

async fn next_frame(frames: &mut Frames) -> Option<Frame> {
    tokio::time::timeout(DEADLINE, frames.next()).await.expect("no frame before the deadline").map(Result::unwrap)
}

async fn next_event(frames: &mut Frames) -> Event {
    loop {
        match next_frame(frames).await.expect("the stream ended before an event") {
            Frame::Event(event) => return event,
            _ => continue,
        }
    }
}

/// A route whose one response streams what the test sends through the returned channel.
fn fed_route(config: BodyConfig) -> (Router, mpsc::UnboundedSender<Event>) {
    let (tx, rx) = mpsc::unbounded_channel::<Event>();
    let rx = Arc::new(Mutex::new(Some(rx)));
    let handler = move || {
        let mut rx = rx.lock().unwrap().take().expect("one request only");
        let events = stream::poll_fn(move |cx| rx.poll_recv(cx));
        async move { EventBody::with_config(events, config).into_response() }
    };
    (Router::new().route("/events", get(handler)), tx)
}

/// Sends events one at a time, each only after the client has received the one before.
async fn events_arrive_one_by_one(app: Router, tx: mpsc::UnboundedSender<Event>) -> reqwest::header::HeaderMap {
    let shutdown = Shutdown::new();
    let (addr, server) = serve(app, &shutdown).await;
    let client = reqwest::Client::new();
    let (headers, mut frames) = connect(&client, &format!("http://{addr}/events")).await;
    assert_eq!(next_frame(&mut frames).await, Some(Frame::Comment(Bytes::new())), "no opening comment");
    for n in 0..20 {
        tx.send(Event::new(format!("event {n}"))).unwrap();
        assert_eq!(next_event(&mut frames).await.data_str().unwrap(), format!("event {n}"));
    }
    drop(frames);
    shutdown.trigger();
    server.await.unwrap().unwrap();
    headers
}

#[tokio::test]
async fn each_event_arrives_before_the_next_is_sent() {
    let (app, tx) = fed_route(BodyConfig::new());
    let headers = events_arrive_one_by_one(app, tx).await;
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
}

#[tokio::test]
async fn behind_tower_http_compression_events_still_arrive_one_by_one() {
    let (app, tx) = fed_route(BodyConfig::new());
    let headers = events_arrive_one_by_one(app.layer(CompressionLayer::new()), tx).await;
    assert!(headers.get("content-encoding").is_none(), "the default predicate compressed an event stream");
}

#[tokio::test]
async fn keep_alive_comments_arrive_while_idle() {
    let keep_alive = KeepAlive::new().interval(Duration::from_millis(50)).comment("ka");
    let shutdown = Shutdown::new();
    let (app, tx) = fed_route(BodyConfig::new().keep_alive(keep_alive).shutdown(&shutdown));
    let (addr, server) = serve(app, &shutdown).await;
    let (_, mut frames) = connect(&reqwest::Client::new(), &format!("http://{addr}/events")).await;
    tx.send(Event::new("first")).unwrap();
    assert_eq!(next_event(&mut frames).await.data_str().unwrap(), "first");
    for _ in 0..3 {
        assert_eq!(next_frame(&mut frames).await, Some(Frame::Comment(Bytes::from_static(b"ka"))));
    }
    shutdown.trigger();
    // A keep-alive may be on its way; then the stream ends cleanly.
    while let Some(frame) = next_frame(&mut frames).await {
        assert_eq!(frame, Frame::Comment(Bytes::from_static(b"ka")));
    }
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn with_a_predicate_that_compresses_event_streams_each_gzipped_event_still_arrives_before_the_next() {
    use std::io::Write as _;

    let compress_all = |_: http::StatusCode, _: http::Version, _: &http::HeaderMap, _: &http::Extensions| true;
    let (app, tx) = fed_route(BodyConfig::new().opening_comment(false));
    let app = app.layer(CompressionLayer::new().compress_when(compress_all));
    let shutdown = Shutdown::new();
    let (addr, server) = serve(app, &shutdown).await;
    let url = format!("http://{addr}/events");
    let mut response = reqwest::Client::new().get(url).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let mut gunzip = flate2::write::GzDecoder::new(Vec::new());
    for n in 0..10 {
        let wire = format!("data: event {n}\n\n");
        tx.send(Event::new(format!("event {n}"))).unwrap();
        // Read compressed chunks until this event decompresses in full: it must not wait for the next one.
        while !gunzip.get_ref().ends_with(wire.as_bytes()) {
            let chunk = tokio::time::timeout(DEADLINE, response.chunk()).await;
            let chunk = chunk.unwrap_or_else(|_| panic!("event {n} was held back"));
            gunzip.write_all(&chunk.unwrap().expect("the body ended")).unwrap();
            gunzip.flush().unwrap();
        }
    }
    drop(response);
    shutdown.trigger();
    server.await.unwrap().unwrap();
}

/// Sends on drop: proves the server let go of the stream.
struct DropGuard(Option<oneshot::Sender<Instant>>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let _ = self.0.take().unwrap().send(Instant::now());
    }
}

#[tokio::test]
async fn when_the_client_goes_the_servers_stream_is_dropped_within_100_ms() {
    let (dropped_tx, dropped) = oneshot::channel();
    let dropped_tx = Arc::new(Mutex::new(Some(dropped_tx)));
    let handler = move || {
        let guard = DropGuard(dropped_tx.lock().unwrap().take());
        // Never ends on its own: one event, then silence (no keep-alive to write into the closed socket).
        let events = stream::once(async { Event::new("hello") }).chain(stream::pending()).map(move |event| {
            let _ = &guard;
            event
        });
        async move { EventBody::with_config(events, BodyConfig::new().no_keep_alive()).into_response() }
    };
    let shutdown = Shutdown::new();
    let (addr, server) = serve(Router::new().route("/events", get(handler)), &shutdown).await;
    let (_, mut frames) = connect(&reqwest::Client::new(), &format!("http://{addr}/events")).await;
    assert_eq!(next_event(&mut frames).await.data_str().unwrap(), "hello");
    let gone = Instant::now();
    drop(frames);
    let dropped_at = tokio::time::timeout(DEADLINE, dropped).await.expect("the server kept the stream").unwrap();
    let after = dropped_at.saturating_duration_since(gone);
    eprintln!("the server dropped the stream {after:?} after the client went");
    assert!(after < Duration::from_millis(100), "the stream was dropped only {after:?} after the client went");
    shutdown.trigger();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn graceful_shutdown_with_100_clients_connected_completes_within_1_s() {
    let shutdown = Shutdown::new();
    let config = BodyConfig::new().shutdown(&shutdown);
    let handler = move || {
        let config = config.clone();
        async move { EventBody::with_config(stream::pending::<Event>(), config).into_response() }
    };
    let (addr, server) = serve(Router::new().route("/events", get(handler)), &shutdown).await;
    let url = format!("http://{addr}/events");
    let client = reqwest::Client::new();
    let mut clients = Vec::new();
    for _ in 0..100 {
        let (_, mut frames) = connect(&client, &url).await;
        assert_eq!(next_frame(&mut frames).await, Some(Frame::Comment(Bytes::new())));
        clients.push(frames);
    }
    let start = Instant::now();
    shutdown.trigger();
    tokio::time::timeout(DEADLINE, server).await.expect("the server never shut down").unwrap().unwrap();
    let took = start.elapsed();
    eprintln!("graceful shutdown with 100 clients took {took:?}");
    assert!(took < Duration::from_secs(1), "graceful shutdown took {took:?}");
    for mut frames in clients {
        assert_eq!(next_frame(&mut frames).await, None, "a client's stream did not end cleanly");
    }
}
