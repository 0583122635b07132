//! `EventSource` over the real reqwest transport against a real axum server on 127.0.0.1, with faults: the
//! server drops connections at random points and replays from `Last-Event-ID`, or a TCP forwarder between the
//! two cuts and stalls them. The client must deliver every event exactly once, in order.

#![cfg(feature = "reqwest")]

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures::{StreamExt, stream};
use sse_codec_tokio::Limits;
use sse_codec_tokio::client::{Backoff, EventSource, Options, SourceError, SourceItem};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How many times the connection is dropped in each test.
const DROPS: usize = 1000;
/// How long a test may take before it is called hung, on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(60);

/// A small seeded generator (xorshift64*), so that a failing run can be repeated.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as usize % n.max(1)
    }
}

/// Faults still to inject, and the generator that places them.
#[derive(Debug)]
struct Faults {
    rng: Rng,
    left: usize,
}

impl Faults {
    fn new(seed: u64, left: usize) -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Self { rng: Rng(seed), left }))
    }

    /// Takes one fault with probability `1 / one_in`, if any are left.
    fn take(&mut self, one_in: usize) -> bool {
        if self.left > 0 && self.rng.below(one_in) == 0 {
            self.left -= 1;
            return true;
        }
        false
    }
}

/// The events the server holds, as the stream encodes them, with mixed line ends (LF, CRLF, CR), multi-line
/// data, types and comments, so that cuts fall mid-line, mid-CRLF, mid-event and between events.
struct Log {
    ids: Vec<String>,
    data: Vec<String>,
    /// The encoded stream, and where each event starts in it.
    stream: Bytes,
    starts: Vec<usize>,
}

impl Log {
    fn new(events: usize) -> Self {
        let (mut ids, mut data, mut stream, mut starts) = (Vec::new(), Vec::new(), String::new(), Vec::new());
        for i in 0..events {
            let nl = ["\n", "\r\n", "\r"][i % 3];
            starts.push(stream.len());
            let text = if i % 4 == 0 { format!("event {i}\nsecond line") } else { format!("event {i}") };
            if i % 5 == 0 {
                stream += &format!(": comment {i}{nl}");
            }
            stream += &format!("id: {i}{nl}");
            if i % 2 == 0 {
                stream += &format!("event: kind{}{nl}", i % 7);
            }
            for line in text.split('\n') {
                stream += &format!("data: {line}{nl}");
            }
            stream += nl;
            ids.push(i.to_string());
            data.push(text);
        }
        Self { ids, data, stream: Bytes::from(stream), starts }
    }

    /// The rest of the stream after the event with ID `last`, or the whole of it; `None` for an unknown ID.
    fn after(&self, last: Option<&str>) -> Option<Bytes> {
        let next = match last {
            None => 0,
            Some(last) => self.ids.iter().position(|id| id == last)? + 1,
        };
        Some(self.stream.slice(self.starts.get(next).copied().unwrap_or(self.stream.len())..))
    }
}

struct Server {
    log: Log,
    faults: Arc<Mutex<Faults>>,
    requests: AtomicUsize,
}

/// Replays the log after `Last-Event-ID`, in chunks of random sizes, cut after a random number of bytes while
/// faults are left; 204 once the client has every event.
async fn replay(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    server.requests.fetch_add(1, Ordering::Relaxed);
    let last = headers.get("last-event-id").map(|value| value.to_str().unwrap().to_owned());
    if last.as_deref() == server.log.ids.last().map(String::as_str) {
        return StatusCode::NO_CONTENT.into_response();
    }
    let Some(rest) = server.log.after(last.as_deref()) else {
        return (StatusCode::BAD_REQUEST, format!("unknown Last-Event-ID {last:?}")).into_response();
    };
    let mut body = Bytes::from_static(b"retry: 1\n").to_vec();
    body.extend_from_slice(&rest);
    let mut body = Bytes::from(body);
    let (cut, sizes) = {
        let mut faults = server.faults.lock().unwrap();
        let cut = faults.take(1).then(|| faults.rng.below(body.len().min(300) + 1));
        let sizes: Vec<usize> = (0..64).map(|_| 1 + faults.rng.below(97)).collect();
        (cut, sizes.into_iter().cycle())
    };
    if let Some(cut) = cut {
        body.truncate(cut);
    }
    // One chunk at a time, with a pause between them in which hyper writes what it has: otherwise it could
    // gather the chunks and the cut into one write, and lose them all with the connection.
    let body = stream::unfold((body, sizes, cut), |(mut body, mut sizes, cut)| async move {
        tokio::task::yield_now().await;
        let size = sizes.next().unwrap().min(body.len());
        if size > 0 {
            let chunk = body.split_to(size);
            return Some((Ok(chunk), (body, sizes, cut)));
        }
        cut.map(|_| (Err(io::Error::new(io::ErrorKind::ConnectionReset, "cut by the test")), (body, sizes, None)))
    });
    ([("content-type", "text/event-stream")], Body::from_stream(body)).into_response()
}

/// A listener that drops some connections as soon as they are accepted, before any response.
struct Dropping {
    inner: TcpListener,
    faults: Arc<Mutex<Faults>>,
}

impl axum::serve::Listener for Dropping {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let Ok((socket, addr)) = self.inner.accept().await else { continue };
            if !self.faults.lock().unwrap().take(10) {
                return (socket, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// Serves `log` on 127.0.0.1 with `faults`; answers the server's address and state.
async fn serve(log: Log, faults: Arc<Mutex<Faults>>) -> (SocketAddr, Arc<Server>) {
    let server = Arc::new(Server { log, faults: Arc::clone(&faults), requests: AtomicUsize::new(0) });
    let app = Router::new().route("/events", get(replay)).with_state(Arc::clone(&server));
    let listener = Dropping { inner: TcpListener::bind("127.0.0.1:0").await.unwrap(), faults };
    let addr = axum::serve::Listener::local_addr(&listener).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, server)
}

/// Reads everything from the server through an `EventSource` until it ends; answers the events' IDs and
/// data, and how many times the source retried.
async fn consume(addr: SocketAddr) -> (Vec<(String, String)>, usize) {
    let request = reqwest::Client::new().get(format!("http://{addr}/events"));
    let options = Options::default()
        .retry(Duration::from_millis(1))
        .min_delay(Duration::from_millis(1))
        .policy(Backoff::default().seed(7).max_delay(Duration::from_millis(4)));
    let mut source = EventSource::with_options(request, options);
    let (mut events, mut retries) = (Vec::new(), 0);
    let run = async {
        while let Some(item) = source.next().await {
            match item {
                Ok(SourceItem::Event(event)) => {
                    let id = event.id().unwrap().to_str().unwrap().to_owned();
                    events.push((id, event.data_str().unwrap().to_owned()));
                }
                Ok(SourceItem::Retrying { .. }) => retries += 1,
                Ok(_) => {}
                Err(error) => panic!("the source ended with an error: {error:?}"),
            }
        }
    };
    tokio::time::timeout(DEADLINE, run).await.expect("the source did not finish in time");
    (events, retries)
}

fn expected(log: &Log) -> Vec<(String, String)> {
    log.ids.iter().cloned().zip(log.data.iter().cloned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_once_in_order_through_a_thousand_server_drops() {
    let faults = Faults::new(0x5eed, DROPS);
    let (addr, server) = serve(Log::new(4000), Arc::clone(&faults)).await;
    let (events, retries) = consume(addr).await;
    assert_eq!(faults.lock().unwrap().left, 0, "the server dropped fewer connections than planned");
    assert_eq!(events, expected(&server.log));
    assert!(retries >= DROPS, "{retries} retries for {DROPS} drops");
    eprintln!("{} requests, {retries} retries", server.requests.load(Ordering::Relaxed));
}

/// Forwards connections from `listener` to `upstream`, cutting the way back after a random number of bytes and
/// stalling it for a few milliseconds now and then, while faults are left.
async fn forward(listener: TcpListener, upstream: SocketAddr, faults: Arc<Mutex<Faults>>) {
    loop {
        let Ok((client, _)) = listener.accept().await else { continue };
        let faults = Arc::clone(&faults);
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else { return };
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            let requests = tokio::spawn(async move { tokio::io::copy(&mut client_read, &mut server_write).await });
            let mut budget = {
                let mut faults = faults.lock().unwrap();
                faults.take(1).then(|| faults.rng.below(500))
            };
            let mut buf = vec![0; 4096];
            while let Ok(n @ 1..) = server_read.read(&mut buf).await {
                let n = budget.map_or(n, |budget| n.min(budget));
                let stall = faults.lock().unwrap().rng.below(16) == 0;
                if stall {
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
                if client_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
                if let Some(budget) = &mut budget {
                    *budget -= n;
                    if *budget == 0 {
                        break;
                    }
                }
            }
            // Dropping both halves closes both connections.
            requests.abort();
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_once_in_order_through_a_proxy_that_cuts_and_stalls() {
    let (upstream, server) = serve(Log::new(4000), Faults::new(1, 0)).await;
    let faults = Faults::new(0xcafe, DROPS);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(forward(listener, upstream, Arc::clone(&faults)));
    let (events, retries) = consume(addr).await;
    assert_eq!(faults.lock().unwrap().left, 0, "the proxy cut fewer connections than planned");
    assert_eq!(events, expected(&server.log));
    eprintln!("{} requests, {retries} retries", server.requests.load(Ordering::Relaxed));
}

/// Sends an endless line to a client without `Last-Event-ID`, then the rest; counts the bytes it sent.
async fn endless(State(sent): State<Arc<AtomicUsize>>, headers: HeaderMap) -> Response {
    let body: Body = match headers.get("last-event-id").map(|value| value.as_bytes()) {
        None => {
            let head = stream::iter([Ok::<_, Infallible>(Bytes::from_static(b"id: 1\ndata: one\n\ndata: "))]);
            let line = stream::repeat_with(move || {
                sent.fetch_add(16 << 10, Ordering::Relaxed);
                Ok(Bytes::from(vec![b'x'; 16 << 10]))
            });
            Body::from_stream(head.chain(line))
        }
        Some(b"1") => Body::from("id: 2\ndata: two\n\n"),
        Some(_) => return StatusCode::NO_CONTENT.into_response(),
    };
    ([("content-type", "text/event-stream")], body).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_line_from_the_server_is_a_typed_error_and_a_reconnection() {
    let sent = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route("/events", get(endless)).with_state(Arc::clone(&sent));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let request = reqwest::Client::new().get(format!("http://{addr}/events"));
    let options =
        Options::default().min_delay(Duration::from_millis(1)).limits(Limits::default().max_line_len(64 << 10));
    let source = EventSource::with_options(request, options.retry(Duration::from_millis(1)));
    let items: Vec<_> = tokio::time::timeout(DEADLINE, source.collect()).await.expect("the source did not finish");
    let shown: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(SourceItem::Open) => "open".to_owned(),
            Ok(SourceItem::Event(event)) => event.data_lossy().into_owned(),
            Ok(SourceItem::Retrying { error: SourceError::Stream(sse_codec_tokio::Error::Decode(error)), .. }) => {
                error.to_string()
            }
            Ok(SourceItem::Retrying { error: SourceError::Ended, .. }) => "ended".to_owned(),
            Ok(SourceItem::Closed) => "closed".to_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    let too_long = "line starting at byte 17 is longer than the limit of 65536 bytes";
    assert_eq!(shown, ["open", "one", too_long, "open", "two", "ended", "closed"]);
}
