//! `RedisBroadcaster` against a real `redis-server` (Debian's package) that each test starts on a free port of
//! 127.0.0.1 and stops: two axum servers share one stream, clients resume on the other server, Redis restarts
//! mid-run, and an ID trimmed out of Redis is reported lost.
//!
//! Without `redis-server` the tests say loudly that they skipped; with `CI=true` they fail instead.
#![cfg(feature = "redis")]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use sse_codec_tokio::redis::AsyncCommands;
use sse_codec_tokio::{
    BodyConfig, BroadcastConfig, Event, EventBody, EventStream, KeepAlive, RedisBroadcaster, RedisConfig, Replay,
};
use tokio::time::{Instant, timeout};

/// How long any one step may take before the test fails: generous, for a loaded machine.
const DEADLINE: Duration = Duration::from_secs(20);
const KEY: &str = "test:events";

/// A `redis-server` of our own on a free port, in a directory of its own; killed on drop.
struct RedisServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts one, or says why not: `None` when `redis-server` is missing (a panic under `CI=true`).
    async fn start(test: &str) -> Option<Self> {
        if Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_err() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "redis-server is missing, and CI must run the Redis tests: apt-get install redis-server"
            );
            // Straight to standard error, past the test harness's capture, so that a skip is seen.
            let message =
                format!("\n*** SKIPPED {test}: redis-server is not installed (apt-get install redis-server) ***\n");
            std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes()).unwrap();
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("sse-codec-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Self::spawn(port, &dir);
        let server = Self { child, port, dir };
        server.wait_ready().await;
        Some(server)
    }

    fn spawn(port: u16, dir: &PathBuf) -> Child {
        Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("redis-server starts")
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn connection(&self) -> sse_codec_tokio::redis::aio::MultiplexedConnection {
        let client = sse_codec_tokio::redis::Client::open(self.url()).unwrap();
        client.get_multiplexed_async_connection().await.unwrap()
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + DEADLINE;
        let client = sse_codec_tokio::redis::Client::open(self.url()).unwrap();
        loop {
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await {
                if sse_codec_tokio::redis::cmd("PING").query_async::<String>(&mut connection).await.is_ok() {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "redis-server did not come up on port {}", self.port);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops Redis the way a restart does, keeping its data (`SHUTDOWN SAVE` writes the snapshot).
    async fn shutdown(&mut self) {
        let mut connection = self.connection().await;
        let _ = sse_codec_tokio::redis::cmd("SHUTDOWN").arg("SAVE").query_async::<()>(&mut connection).await;
        let deadline = Instant::now() + DEADLINE;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "redis-server did not shut down");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Starts it again on the same port, from the snapshot.
    async fn start_again(&mut self) {
        self.child = Self::spawn(self.port, &self.dir);
        self.wait_ready().await;
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The config of every process in these tests: a small in-memory log (so that resumes need Redis), short
/// timeouts and backoff.
fn config() -> RedisConfig {
    RedisConfig::new(KEY)
        .timeout(Duration::from_secs(1))
        .block(Duration::from_millis(500))
        .backoff(Duration::from_millis(20), Duration::from_millis(300))
        .broadcast(BroadcastConfig::new().max_events(16))
}

/// One server process: `GET /events` (resumed after `Last-Event-ID`) and `POST /publish`, on a free port.
async fn serve(redis: RedisBroadcaster) -> SocketAddr {
    async fn events(State(redis): State<RedisBroadcaster>, headers: HeaderMap) -> Response {
        let last_event_id = headers.get("last-event-id").and_then(|id| id.to_str().ok());
        match redis.subscribe(last_event_id).await {
            Ok(subscription) => {
                let config = BodyConfig::new().keep_alive(KeepAlive::new().interval(Duration::from_millis(200)));
                EventBody::with_config(subscription, config).into_response().map(axum::body::Body::new)
            }
            Err(err) => (StatusCode::SERVICE_UNAVAILABLE, err.to_string()).into_response(),
        }
    }
    async fn publish(State(redis): State<RedisBroadcaster>, text: String) -> (StatusCode, String) {
        match redis.publish(Event::new(text)).await {
            Ok(id) => (StatusCode::OK, id.to_str_lossy().into_owned()),
            Err(err) if err.is_unavailable() => (StatusCode::SERVICE_UNAVAILABLE, err.to_string()),
            Err(err) => (StatusCode::BAD_REQUEST, err.to_string()),
        }
    }
    let router = Router::new().route("/events", get(events)).route("/publish", post(publish)).with_state(redis);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, router).into_future());
    addr
}

/// A small xorshift generator: the tests' random cuts, reproducible from the seed they print.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What a client received over all its connections, and how many connections it made.
#[derive(Debug, Default)]
struct Received {
    events: Vec<(u64, String)>,
    connections: usize,
}

/// A client: connects to `servers[first]` after `start`, reads until it has event `last`, and (when `rng` is
/// given) cuts each connection after a random number of events and a random pause, then resumes with its
/// `Last-Event-ID` on the other server.
async fn client(
    servers: [SocketAddr; 2],
    first: usize,
    start: u64,
    last: Arc<tokio::sync::watch::Receiver<Option<u64>>>,
    mut rng: Option<Rng>,
) -> Received {
    let http = reqwest::Client::new();
    let mut received = Received::default();
    let mut server = first;
    let mut last_seen = start;
    loop {
        if last.borrow().is_some_and(|last| last_seen >= last) {
            return received;
        }
        let response = http
            .get(format!("http://{}/events", servers[server]))
            .header("last-event-id", last_seen.to_string())
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status(), 200, "GET /events after {last_seen}");
        received.connections += 1;
        let mut events = EventStream::new(response.bytes_stream()).events();
        let cut_after = rng.as_mut().map(|rng| 1 + rng.below(30));
        let mut read = 0;
        loop {
            if last.borrow().is_some_and(|last| last_seen >= last) || cut_after == Some(read) {
                break;
            }
            let mut last = (*last).clone();
            let next = tokio::select! {
                next = timeout(DEADLINE, events.next()) => next.expect("an event within the deadline"),
                _ = last.changed() => continue, // the last ID is known now: perhaps this client has it
            };
            // The server ended the response (a lagged subscriber): resume.
            let Some(Ok(event)) = next else { break };
            let id: u64 = event.id().unwrap().to_str().unwrap().parse().unwrap();
            received.events.push((id, event.data_lossy().into_owned()));
            last_seen = id;
            read += 1;
        }
        drop(events);
        if let Some(rng) = rng.as_mut() {
            tokio::time::sleep(Duration::from_millis(rng.below(60))).await;
            server = 1 - server;
        }
    }
}

/// Every client has every published event, in order, once.
fn check(clients: &[Received], published: &[(u64, String)]) {
    assert!(published.windows(2).all(|pair| pair[1].0 == pair[0].0 + 1), "IDs go up by exactly 1");
    for (n, client) in clients.iter().enumerate() {
        if client.events != published {
            let got: Vec<u64> = client.events.iter().map(|event| event.0).collect();
            panic!("client {n} over {} connections got IDs {got:?}", client.connections);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_cut_at_random_resume_on_the_other_server_with_nothing_lost_or_repeated() {
    const CLIENTS: usize = 50;
    const EVENTS: usize = 400;
    let Some(redis) = RedisServer::start("redis: fifty clients").await else { return };
    // A log of 4 events: most resumes after a pause are served from Redis.
    let config = || config().broadcast(BroadcastConfig::new().max_events(4));
    let processes = [
        RedisBroadcaster::open(&redis.url(), config()).unwrap(),
        RedisBroadcaster::open(&redis.url(), config()).unwrap(),
    ];
    let servers = [serve(processes[0].clone()).await, serve(processes[1].clone()).await];

    // The clients start after a first event, so that each must end with exactly the events after it.
    let start: u64 = processes[0].publish(Event::new("start")).await.unwrap().to_str().unwrap().parse().unwrap();
    let (last_tx, last_rx) = tokio::sync::watch::channel(None);
    let last_rx = Arc::new(last_rx);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("seed {seed}");
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let rng = Rng(seed.wrapping_mul(n as u64 + 1) | 1);
            tokio::spawn(client(servers, n % 2, start, Arc::clone(&last_rx), Some(rng)))
        })
        .collect();

    // Events published to either process, in turn, paced like a real producer.
    let mut published = Vec::new();
    for n in 0..EVENTS {
        let data = format!("event {n}");
        let id = processes[n % 2].publish(Event::new(data.clone())).await.unwrap();
        published.push((id.to_str().unwrap().parse::<u64>().unwrap(), data));
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    assert_eq!(published[0].0, start + 1);
    last_tx.send_replace(Some(published.last().unwrap().0));

    let mut received = Vec::new();
    for client in clients {
        received.push(timeout(DEADLINE * 3, client).await.expect("clients finish").unwrap());
    }
    check(&received, &published);
    let connections: usize = received.iter().map(|client| client.connections).sum();
    assert!(connections >= CLIENTS * 5, "the clients were cut and resumed often: {connections} connections");

    // Redis is read once per process per batch of entries, whatever the number of clients; a resume that the
    // in-memory log cannot serve costs one XRANGE.
    let calls = |stats: &str, command: &str| -> usize {
        let line = stats.lines().find(|line| line.starts_with(&format!("cmdstat_{command}:"))).unwrap_or_default();
        line.split(['=', ',']).nth(1).map_or(0, |calls| calls.parse().unwrap())
    };
    let stats: String = sse_codec_tokio::redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut redis.connection().await)
        .await
        .unwrap();
    let (xread, xrange) = (calls(&stats, "xread"), calls(&stats, "xrange"));
    eprintln!("{CLIENTS} clients, {EVENTS} events, {connections} connections: {xread} XREAD, {xrange} XRANGE");
    // Each process reads each event once (in batches), plus one empty read per block time (500 ms) that passed.
    assert!(xread <= 2 * (EVENTS + 1) + 40, "{xread} XREAD calls for {EVENTS} events and 2 processes");
    assert!(xrange > 0, "no resume was served from Redis");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_loses_and_repeats_nothing_and_publishing_fails_clearly_meanwhile() {
    const CLIENTS: usize = 6;
    let Some(mut redis) = RedisServer::start("redis: restart").await else { return };
    let processes = [
        RedisBroadcaster::open(&redis.url(), config()).unwrap(),
        RedisBroadcaster::open(&redis.url(), config()).unwrap(),
    ];
    let servers = [serve(processes[0].clone()).await, serve(processes[1].clone()).await];
    let http = reqwest::Client::new();
    let post = |server: SocketAddr, text: String| {
        let request = http.post(format!("http://{server}/publish")).body(text);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };

    let start: u64 = processes[0].publish(Event::new("start")).await.unwrap().to_str().unwrap().parse().unwrap();
    let (last_tx, last_rx) = tokio::sync::watch::channel(None);
    let last_rx = Arc::new(last_rx);
    let clients: Vec<_> =
        (0..CLIENTS).map(|n| tokio::spawn(client(servers, n % 2, start, Arc::clone(&last_rx), None))).collect();

    let mut published = Vec::new();
    let publish_ok = |status: StatusCode, id: &str, n: usize, published: &mut Vec<(u64, String)>| {
        assert_eq!(status, StatusCode::OK, "{id}");
        published.push((id.parse::<u64>().unwrap(), format!("event {n}")));
    };
    for n in 0..40 {
        let (status, id) = post(servers[n % 2], format!("event {n}")).await;
        publish_ok(status, &id, n, &mut published);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    redis.shutdown().await;
    // While Redis is down, publishing answers 503 quickly, through either server and directly.
    let failures = AtomicUsize::new(0);
    for n in 0..4 {
        let began = Instant::now();
        let (status, text) = post(servers[n % 2], format!("lost {n}")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
        assert!(began.elapsed() < Duration::from_secs(5), "a publish while Redis is down hung");
        let err = processes[n % 2].publish(Event::new("lost")).await.unwrap_err();
        assert!(err.is_unavailable(), "{err}: {err:?}");
        failures.fetch_add(2, Ordering::Relaxed);
    }
    eprintln!("{} publishes failed while Redis was down", failures.load(Ordering::Relaxed));
    redis.start_again().await;

    // After the restart: a publish may fail once on a connection of before; none is lost, none repeated.
    for n in 40..80 {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let (status, id) = post(servers[n % 2], format!("event {n}")).await;
            if status == StatusCode::SERVICE_UNAVAILABLE && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            publish_ok(status, &id, n, &mut published);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    last_tx.send_replace(Some(published.last().unwrap().0));

    let mut received = Vec::new();
    for client in clients {
        received.push(timeout(DEADLINE * 2, client).await.expect("clients finish").unwrap());
    }
    check(&received, &published);
    for client in &received {
        assert_eq!(client.connections, 1, "a stream stayed open through the restart");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_trimmed_out_of_redis_is_reported_lost_and_one_still_there_resumes() {
    let Some(redis) = RedisServer::start("redis: trimmed").await else { return };
    let process = RedisBroadcaster::open(&redis.url(), config().max_len(20)).unwrap();
    // The reader starts at the stream's end: wait until it is there before publishing.
    let deadline = Instant::now() + DEADLINE;
    while process.subscribe(Some("1")).await.is_err() {
        assert!(Instant::now() < deadline, "the reader never reached Redis");
    }
    let mut ids = Vec::new();
    for n in 0..300 {
        ids.push(
            process.publish(Event::new(format!("event {n}"))).await.unwrap().to_str().unwrap().parse::<u64>().unwrap(),
        );
    }
    let last = *ids.last().unwrap();
    let mut connection = redis.connection().await;
    let length: usize = connection.xlen(KEY).await.unwrap();
    assert!((20..300).contains(&length), "MAXLEN ~ 20 trimmed the stream to {length} entries");
    let oldest = last + 1 - length as u64;
    // The reader has read them all.
    while process.subscribe(Some(&last.to_string())).await.unwrap().replay() != (Replay::Resumed { events: 0 }) {
        assert!(Instant::now() < deadline, "the reader never read the last event");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Resumed from Redis just before its oldest entry: every event from there, in order, then live ones.
    let mut subscription =
        timeout(DEADLINE, process.subscribe(Some(&(oldest - 1).to_string()))).await.unwrap().unwrap();
    assert_eq!(subscription.replay(), Replay::Resumed { events: length });
    for id in oldest..=last {
        let frame = timeout(DEADLINE, subscription.next()).await.unwrap().unwrap();
        let text = std::str::from_utf8(&frame).unwrap();
        assert!(text.starts_with(&format!("id: {id}\n")), "{text:?}");
    }
    // One more back is gone: trimmed out of Redis too, reported as the broadcaster reports a lost ID.
    let lost = process.subscribe(Some(&(oldest - 2).to_string())).await.unwrap();
    assert_eq!(lost.replay(), Replay::Lost);
    assert_eq!(process.subscribe(Some(&ids[0].to_string())).await.unwrap().replay(), Replay::Lost);
    // An ID never given is lost too, not waited for.
    assert_eq!(process.subscribe(Some(&(last + 10).to_string())).await.unwrap().replay(), Replay::Lost);

    // A process started now holds nothing in memory: it replays from Redis alone.
    let fresh = RedisBroadcaster::open(&redis.url(), config()).unwrap();
    let mut resumed = timeout(DEADLINE, fresh.subscribe(Some(&(last - 5).to_string()))).await.unwrap().unwrap();
    assert_eq!(resumed.replay(), Replay::Resumed { events: 5 });
    let id = fresh.publish(Event::new("after")).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..6 {
        let frame = timeout(DEADLINE, resumed.next()).await.unwrap().unwrap();
        got.push(String::from_utf8(frame.to_vec()).unwrap());
    }
    let expected: Vec<String> = (last - 4..=last)
        .map(|id| format!("id: {id}\ndata: event {}\n\n", 299 - (last - id)))
        .chain([format!("id: {}\ndata: after\n\n", id.to_str().unwrap())])
        .collect();
    assert_eq!(got, expected);
}

/// Drops every connection blocked in `XREAD` (the processes' readers), as a network fault would.
async fn kill_readers(redis: &RedisServer) -> usize {
    let mut connection = redis.connection().await;
    let clients: String = sse_codec_tokio::redis::cmd("CLIENT").arg("LIST").query_async(&mut connection).await.unwrap();
    let mut killed = 0;
    for line in clients.lines().filter(|line| line.contains(" cmd=xread ")) {
        let id = line.split(' ').find_map(|field| field.strip_prefix("id=")).unwrap();
        let _: () = sse_codec_tokio::redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query_async(&mut connection)
            .await
            .unwrap();
        killed += 1;
    }
    killed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_reader_resumes_from_its_last_entry_and_an_id_ahead_of_it_waits_for_it() {
    let Some(redis) = RedisServer::start("redis: reader cut").await else { return };
    let a = RedisBroadcaster::open(&redis.url(), config()).unwrap();
    // B's reader waits a second before reconnecting, and B waits up to 10 s for it.
    let slow = config().backoff(Duration::from_secs(1), Duration::from_secs(1)).timeout(Duration::from_secs(10));
    let b = RedisBroadcaster::open(&redis.url(), slow).unwrap();
    let first: u64 = a.publish(Event::new("first")).await.unwrap().to_str().unwrap().parse().unwrap();
    let deadline = Instant::now() + DEADLINE;
    // Both readers have read the first event, and are blocked in XREAD.
    for process in [&a, &b] {
        while process.subscribe(Some(&first.to_string())).await.unwrap().replay() != (Replay::Resumed { events: 0 }) {
            assert!(Instant::now() < deadline, "the readers never read the first event");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let mut live = b.subscribe(None).await.unwrap();
    while kill_readers(&redis).await < 2 {
        assert!(Instant::now() < deadline, "the readers never blocked in XREAD");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Published while B's reader is away: B must read them from its last entry when it is back.
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(a.publish(Event::new(format!("while cut {n}"))).await.unwrap().to_str().unwrap().to_owned());
    }
    // A client that saw the second on A comes to B, which has not read it yet: B waits, then resumes after it.
    let mut resumed = timeout(DEADLINE, b.subscribe(Some(&ids[1]))).await.unwrap().unwrap();
    // (Event 3 is replayed, or read live if B had not read it yet when it resumed.)
    assert!(matches!(resumed.replay(), Replay::Resumed { events: 0 | 1 }), "{:?}", resumed.replay());
    let frame = timeout(DEADLINE, resumed.next()).await.unwrap().unwrap();
    assert_eq!(frame, format!("id: {}\ndata: while cut 2\n\n", ids[2]));
    // B's live subscriber got the events of the cut once, in order.
    for (n, id) in ids.iter().enumerate() {
        let frame = timeout(DEADLINE, live.next()).await.unwrap().unwrap();
        assert_eq!(frame, format!("id: {id}\ndata: while cut {n}\n\n"));
    }
}
