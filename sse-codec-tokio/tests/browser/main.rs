//! The `server` example in a real browser: Debian's Chromium, headless, driven through `chromedriver`, reads
//! the example's page and stream on 127.0.0.1, and the test checks what the page saw against what went over
//! the wire (a TCP forwarder between the two keeps a copy and cuts connections on demand).
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and `chromium-driver`) the
//! test says so on standard error and returns, unless `SSE_CODEC_REQUIRE_BROWSER=1` (set by `.ci/run`) makes
//! that a failure. `SSE_CODEC_SCREENSHOT=PATH` writes the page's screenshot to PATH (the README's picture is
//! `examples/server.png`).

#[allow(dead_code)] // What only the example's `main.rs` uses.
#[path = "../../examples/server/app.rs"]
mod app;
mod forwarder;
mod webdriver;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use app::{App, Cors, Options};
use axum::http::HeaderValue;
use forwarder::{Cut, Forwarder};
use futures::StreamExt as _;
use serde_json::Value;
use sse_codec::Frame;
use sse_codec_tokio::EventStream;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use webdriver::Session;

/// The server's `retry:` advice in the reconnection part of the test.
const RETRY: Duration = Duration::from_millis(600);
/// How far a measured reconnection delay may fall from `RETRY`: a little below (the browser's timer and
/// clock granularity), and well above (a loaded machine), yet below the browser's own default of 3 s.
const RETRY_TOLERANCE: (Duration, Duration) = (Duration::from_millis(100), Duration::from_millis(1400));
/// Generous deadlines for what the page should see: the machine is shared and loaded.
const PATIENCE: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_example_in_chromium() {
    let (chromium, chromedriver) = match webdriver::find_programs() {
        Ok(programs) => programs,
        Err(missing) if std::env::var_os("SSE_CODEC_REQUIRE_BROWSER").is_some() => {
            panic!("browser test: {missing}, and SSE_CODEC_REQUIRE_BROWSER is set")
        }
        Err(missing) => {
            // Straight to standard error, past the test harness's capture, so that a plain `cargo test` shows it.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** browser test SKIPPED: {missing}. Install Debian's `chromium` and `chromium-driver` \
                 (apt-get install chromium chromium-driver) to run it; .ci/run does. ***\n"
            );
            return;
        }
    };
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let driver = webdriver::Chromedriver::start(&chromedriver, &tmp.join("chromedriver.log")).await;
    let browser = driver.session(&chromium, &tmp.join("chromium-profile")).await;
    browser.set_window_size(960, 720).await;

    // A page on another origin (another port) that reads a stream from elsewhere (`?src=`).
    let other_origin = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_origin_url = format!("http://{}", other_origin.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(other_origin, axum::Router::new().route("/", axum::routing::get(axum::response::Html(app::PAGE))))
            .await
            .unwrap();
    });

    let ticking = Server::start(Options {
        lifetime: Some(Duration::from_millis(1500)),
        retry: RETRY,
        tick: Some(Duration::from_millis(100)),
        cors: Cors::Origins(vec![HeaderValue::try_from(other_origin_url.as_str()).unwrap()]),
        ..Options::default()
    })
    .await;
    let forwarder = Forwarder::start(ticking.addr).await;
    reconnections(&browser, &ticking, &forwarder, tmp).await;

    // CORS allowed: the page on the other origin reads the ticking server's stream (through the forwarder).
    browser.goto(&format!("{other_origin_url}/?src=http://{}/events", forwarder.addr())).await;
    let seen = wait_for_log(&browser, "events from the other origin", |log| events(log).len() >= 3).await;
    assert_eq!(opens(&seen), 1, "{seen:?}");

    // Shutdown with that page connected: the stream ends at a frame boundary and the server is gone within 1 s.
    let started = tokio::time::Instant::now();
    ticking.shut_down(Duration::from_secs(1)).await;
    eprintln!("graceful shutdown with a browser connected took {:?}", started.elapsed());
    wait_for_log(&browser, "the page to see the stream end", |log| log.iter().any(|entry| entry["kind"] == "error"))
        .await;
    let responses = forwarder.stream_responses();
    let last = responses.last().unwrap();
    assert!(last.ended && last.whole, "the stream open at shutdown: {last:?}");

    // CORS not allowed: a server without the option, read from the other origin, is refused by the browser.
    let quiet = Server::start(Options {
        retry: RETRY,
        keep_alive: Duration::from_millis(250),
        tick: None,
        cors: Cors::Off,
        ..Options::default()
    })
    .await;
    browser.goto(&format!("{other_origin_url}/?src=http://{}/events", quiet.addr)).await;
    let seen = wait_for_log(&browser, "the browser to refuse the stream", |log| {
        log.iter().any(|entry| entry["kind"] == "error" && entry["closed"] == true)
    })
    .await;
    assert_eq!(opens(&seen), 0, "a stream without CORS opened on another origin: {seen:?}");

    keep_alive(&browser, &quiet).await;
    quiet.shut_down(Duration::from_secs(1)).await;
    browser.close().await;
}

/// A `Last-Event-ID` the replay log does not hold (here, one this server never sent) gets a `status` event
/// saying events were lost, then the live events; no browser needed.
#[tokio::test]
async fn a_lost_last_event_id_gets_a_status_first() {
    let server = Server::start(Options { tick: None, ..Options::default() }).await;
    let response = reqwest::Client::new()
        .get(format!("http://{}/events", server.addr))
        .header("last-event-id", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut frames = EventStream::new(response.bytes_stream());
    assert!(matches!(frames.next().await, Some(Ok(Frame::Retry(3000)))));
    let Some(Ok(Frame::Event(lost))) = frames.next().await else { panic!("a status event first") };
    assert_eq!(lost.event_type().to_str().unwrap(), "status");
    assert!(lost.data_str().unwrap().starts_with("Some events were missed"), "{lost:?}");
    publish(server.addr, "after the loss").await;
    let Some(Ok(Frame::Event(live))) = frames.next().await else { panic!("the live event") };
    assert_eq!((live.event_type().to_str().unwrap(), live.data_str().unwrap()), ("publish", "after the loss"));
    assert!(live.id().is_some());
    drop(frames);
    server.shut_down(Duration::from_secs(1)).await;
}

/// The CORS header for each option, as a browser reads it: the page's own origin when it is listed, `*` for
/// any, and none otherwise; no browser needed.
#[tokio::test]
async fn cors_headers_for_each_option() {
    let listed = HeaderValue::from_static("http://127.0.0.1:8080");
    for (cors, origin, expected) in [
        (Cors::Origins(vec![listed.clone()]), "http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
        (Cors::Origins(vec![listed]), "http://127.0.0.1:9090", None),
        (Cors::Any, "http://127.0.0.1:9090", Some("*")),
        (Cors::Off, "http://127.0.0.1:8080", None),
    ] {
        let server = Server::start(Options { tick: None, cors: cors.clone(), ..Options::default() }).await;
        let response = reqwest::Client::new()
            .get(format!("http://{}/events", server.addr))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        let allowed = response.headers().get("access-control-allow-origin").map(|value| value.to_str().unwrap());
        assert_eq!(allowed, expected, "{cors:?}, a page from {origin}");
        drop(response);
        server.shut_down(Duration::from_secs(1)).await;
    }
}

#[test]
fn options_from_the_command_line() {
    let args = |line: &str| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let options = Options::parse(args(
        "--addr 127.0.0.1:0 --lifetime 1.5 --retry 250 --keep-alive 20 --tick 0 \
         --cors-origin http://localhost:8080/ --cors-origin http://127.0.0.1:8080",
    ))
    .unwrap()
    .unwrap();
    assert_eq!(options.addr, "127.0.0.1:0".parse().unwrap());
    assert_eq!(options.lifetime, Some(Duration::from_millis(1500)));
    assert_eq!((options.retry, options.keep_alive), (Duration::from_millis(250), Duration::from_secs(20)));
    assert_eq!(options.tick, None);
    let origins = ["http://localhost:8080", "http://127.0.0.1:8080"].map(HeaderValue::from_static);
    assert_eq!(options.cors, Cors::Origins(origins.to_vec()));
    assert_eq!(Options::parse(args("--cors-any")).unwrap().unwrap().cors, Cors::Any);
    assert!(Options::parse(args("--help")).unwrap().is_none());
    for wrong in ["--lifetime", "--lifetime -1", "--lifetime 0", "--retry soon", "--addr 3000", "--verbose"] {
        assert!(Options::parse(args(wrong)).is_err(), "{wrong}");
    }
}

/// Events in order across at least 5 reconnections, both kinds: the server ending a response (lifetime) and the
/// forwarder cutting the connection (mid-frame, and with a reset). Each reconnection carries the last ID the page
/// saw, the IDs run on with no gap and no duplicate, and the delay follows `retry:`.
async fn reconnections(browser: &Session, server: &Server, forwarder: &Forwarder, tmp: &Path) {
    browser.goto(&format!("http://{}/", forwarder.addr())).await;
    let mut opened = 0;
    for (round, cut) in [Cut::MidFrame, Cut::Reset, Cut::MidFrame].into_iter().enumerate() {
        // A stream that is open again (its lifetime may have ended meanwhile on a slow machine) and flowing.
        let log = wait_for_log(browser, "events on a fresh connection", |log| {
            opens(log) > opened && events_since_last_open(log) >= 3
        })
        .await;
        opened = opens(&log);
        if round == 2 {
            publish(server.addr, "hello from the test").await;
        }
        assert_eq!(forwarder.cut_streams(cut), 1, "one stream open through the forwarder");
    }
    // The lifetime ends the next responses: three more reconnections.
    let reconnected = |log: &[Value]| opens(log) >= opened + 4 && events_since_last_open(log) >= 1;
    let log = wait_for_log(browser, "6 reconnections", reconnected).await;

    let events = events(&log);
    let ids: Vec<u64> = events.iter().map(|event| event["id"].as_str().unwrap().parse().unwrap()).collect();
    let first = ids[0];
    let expected: Vec<u64> = (first..first + ids.len() as u64).collect();
    assert_eq!(ids, expected, "IDs must run on by 1 across reconnections");
    check_types_and_data(&events);

    // Every reconnection sent the last ID the page had seen when its connection ended.
    let requests = forwarder.stream_requests();
    let ended_at: Vec<Option<String>> = last_ids_at_errors(&log);
    assert_eq!(requests[0].last_event_id, None);
    let sent: Vec<Option<String>> = requests[1..].iter().map(|request| request.last_event_id.clone()).collect();
    assert!(sent.len() >= 6, "{requests:?}");
    assert!(ended_at.len() >= sent.len(), "{ended_at:?} {sent:?}");
    assert_eq!(sent, ended_at[..sent.len()], "Last-Event-ID of each reconnection vs the page's last ID at each error");

    // The delay from a connection's end to the next one's open follows `retry:`.
    let delays = reconnection_delays(&log);
    eprintln!("reconnection delays with retry: {RETRY:?}: {delays:?}");
    let (below, above) = RETRY_TOLERANCE;
    assert!(delays.len() >= 6, "{log:?}");
    for delay in &delays {
        assert!(*delay >= RETRY - below && *delay <= RETRY + above, "delay {delay:?} for retry {RETRY:?}");
    }

    // The forwarder saw both kinds of end: responses the server ended whole, and cut ones.
    let responses = forwarder.stream_responses();
    let ended = responses.iter().filter(|response| response.ended).count();
    let cut = responses.len() - ended;
    eprintln!("{} stream responses: {ended} ended by the server's lifetime, {cut} cut", responses.len());
    assert!(ended >= 2 && cut >= 3, "{ended} ended, {cut} cut");
    for response in responses.iter().filter(|response| response.ended) {
        assert!(response.whole, "a response the server ended inside a frame: {response:?}");
    }
    for response in &responses {
        assert!(matches!(response.frames.first(), Some(Frame::Retry(retry)) if *retry == RETRY.as_millis() as u64));
    }

    // The picture for the README: the page with a published message among the ticks.
    publish(server.addr, "hello from curl -d").await;
    wait_for_log(browser, "the second published message", |log| {
        log.iter().any(|event| event["data"] == "hello from curl -d")
    })
    .await;
    let png = browser.screenshot().await;
    let path = std::env::var_os("SSE_CODEC_SCREENSHOT").map_or_else(|| tmp.join("server.png"), Into::into);
    std::fs::write(&path, &png).unwrap();
    eprintln!("screenshot of the page: {} ({} bytes)", path.display(), png.len());
}

/// Keep-alive comments on idle reach the browser and are not dispatched: the page sees the two published events
/// and nothing else while the forwarder counts comments after them.
async fn keep_alive(browser: &Session, server: &Server) {
    let forwarder = Forwarder::start(server.addr).await;
    browser.goto(&format!("http://{}/", forwarder.addr())).await;
    wait_for_log(browser, "the stream to open", |log| opens(log) == 1).await;
    publish(server.addr, "one").await;
    publish(server.addr, "two").await;
    wait_for_log(browser, "the published events", |log| events(log).len() == 2).await;
    forwarder
        .wait_for_responses("four keep-alive comments after the last event", PATIENCE, |responses| {
            let frames = &responses.last().expect("a stream response").frames;
            let last_event = frames.iter().rposition(|frame| matches!(frame, Frame::Event(_))).expect("events");
            frames[last_event..].iter().filter(|frame| matches!(frame, Frame::Comment(_))).count() >= 4
        })
        .await;
    let log = read_log(browser).await;
    let data: Vec<_> = events(&log).iter().map(|event| (event["type"].clone(), event["data"].clone())).collect();
    assert_eq!(data, [("publish".into(), "one".into()), ("publish".into(), "two".into())]);
    assert_eq!(opens(&log), 1, "{log:?}");
}

/// The ticking server's events: `message`s "tick N at HH:MM:SS UTC" with N running on by 1, a `status` after
/// every tenth tick, and the one message the test published.
fn check_types_and_data(events: &[&Value]) {
    let mut last_tick = None;
    let mut status_due = false;
    let mut published = 0;
    for event in events {
        let data = event["data"].as_str().unwrap();
        match event["type"].as_str().unwrap() {
            "message" => {
                assert!(!status_due, "no status after tick {last_tick:?}");
                let (n, time) = data.strip_prefix("tick ").and_then(|rest| rest.split_once(" at ")).unwrap();
                let n: u64 = n.parse().unwrap();
                assert!(last_tick.is_none_or(|last| n == last + 1), "tick {n} after {last_tick:?}");
                assert!(time.len() == 12 && time.ends_with(" UTC"), "{data}");
                last_tick = Some(n);
                status_due = n % 10 == 0;
            }
            "status" => {
                assert!(status_due, "a status after tick {last_tick:?}");
                assert!(data.starts_with(&format!("{} ticks sent, ", last_tick.unwrap())), "{data}");
                status_due = false;
            }
            "publish" => {
                assert_eq!(data, "hello from the test");
                published += 1;
            }
            other => panic!("an event of type {other}: {event}"),
        }
    }
    assert_eq!(published, 1);
    assert!(events.iter().any(|event| event["type"] == "status"), "no status event in {} events", events.len());
}

/// A server running the example's application on a free port.
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(options: Options) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(App::new(Options { addr, ..options }).serve(listener, async move {
            let _ = stopped.await;
        }));
        Self { addr, stop, task }
    }

    /// Signals shutdown and asserts that the server has finished within `limit`.
    async fn shut_down(self, limit: Duration) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(limit, self.task).await.expect("graceful shutdown in time").unwrap();
    }
}

async fn publish(addr: SocketAddr, text: &str) {
    let response = reqwest::Client::new().post(format!("http://{addr}/publish")).body(text.to_owned()).send().await;
    assert!(response.unwrap().status().is_success());
}

async fn read_log(browser: &Session) -> Vec<Value> {
    let log = browser.execute("return window.sseLog || []").await;
    serde_json::from_value(log).unwrap()
}

/// Reads the page's log until `done` accepts it.
async fn wait_for_log(browser: &Session, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let log = browser.wait_for_log(what, PATIENCE, |log| done(log.as_array().unwrap())).await;
    serde_json::from_value(log).unwrap()
}

fn events(log: &[Value]) -> Vec<&Value> {
    log.iter().filter(|entry| entry["kind"] == "event").collect()
}

fn opens(log: &[Value]) -> usize {
    log.iter().filter(|entry| entry["kind"] == "open").count()
}

fn events_since_last_open(log: &[Value]) -> usize {
    log.iter().rev().take_while(|entry| entry["kind"] != "open").filter(|entry| entry["kind"] == "event").count()
}

/// The last event ID the page had seen at each `error` (the ID its reconnection should send).
fn last_ids_at_errors(log: &[Value]) -> Vec<Option<String>> {
    let mut last = None;
    let mut at_errors = Vec::new();
    for entry in log {
        match entry["kind"].as_str() {
            Some("event") => last = entry["id"].as_str().map(str::to_owned),
            Some("error") => at_errors.push(last.clone()),
            _ => {}
        }
    }
    at_errors
}

/// The time from each `error` to the `open` that follows it.
fn reconnection_delays(log: &[Value]) -> Vec<Duration> {
    let marks: Vec<(&str, f64)> = log
        .iter()
        .filter(|entry| entry["kind"] != "event")
        .map(|entry| (entry["kind"].as_str().unwrap(), entry["t"].as_f64().unwrap()))
        .collect();
    marks
        .windows(2)
        .filter(|pair| pair[0].0 == "error" && pair[1].0 == "open")
        .map(|pair| Duration::from_secs_f64((pair[1].1 - pair[0].1) / 1000.0))
        .collect()
}
