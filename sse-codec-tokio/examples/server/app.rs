//! The server's application: its options, its routes, the event producer and the graceful shutdown. Kept apart
//! from `main.rs` (command line, signals) so that the browser test (`tests/browser/main.rs`) serves the very same
//! application on a free port.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt as _;
use sse_codec_tokio::bytes::BytesMut;
use sse_codec_tokio::headers::RESPONSE_HEADERS;
use sse_codec_tokio::{BodyConfig, Event, EventBody, EventType, KeepAlive, Replay, Shutdown};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};

#[path = "source.rs"]
mod source;

use source::Source;

/// The page at `GET /`: one file, no build step, no external asset.
pub(crate) const PAGE: &str = include_str!("page.html");

/// Every tenth tick is followed by a `status` event.
const STATUS_EVERY: u64 = 10;
/// The named event types the page listens for, besides `message`.
const STATUS: EventType = EventType::from_static("status");
const PUBLISH: EventType = EventType::from_static("publish");

pub(crate) const USAGE: &str = "\
Serves Server-Sent Events to browsers: a page at /, the stream at /events, POST /publish to send a message.

Usage: server [OPTIONS]

Options:
  --addr ADDR           address to listen on [default: 127.0.0.1:3000]; port 0 picks a free one
  --lifetime SECS       end each response after this long, so that clients reconnect [default: never]
  --retry MS            reconnection delay advised to clients with `retry:` [default: 3000]
  --keep-alive SECS     send a keep-alive comment after this long without an event [default: 15]
  --tick MS             publish a tick this often, 0 for none [default: 1000]
  --cors-origin ORIGIN  let pages from ORIGIN (such as http://localhost:8080) read the stream; repeatable
  --cors-any            let pages from any origin read the stream
  --redis URL           share the stream with other server processes through the Redis at URL (such as
                        redis://127.0.0.1:6379/); needs `--features redis`
  -h, --help            print this help
";

/// What the server does, from the command line.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) addr: SocketAddr,
    pub(crate) lifetime: Option<Duration>,
    pub(crate) retry: Duration,
    pub(crate) keep_alive: Duration,
    pub(crate) tick: Option<Duration>,
    pub(crate) cors: Cors,
    /// The Redis shared with other server processes (`--redis URL`).
    pub(crate) redis: Option<String>,
}

/// Which other origins may read the stream.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cors {
    /// Same origin only: a browser refuses the stream to a page from elsewhere.
    Off,
    /// These origins (`Access-Control-Allow-Origin` names the page's own when it is one of them).
    Origins(Vec<HeaderValue>),
    /// Any origin (`Access-Control-Allow-Origin: *`).
    Any,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            lifetime: None,
            retry: Duration::from_secs(3),
            keep_alive: Duration::from_secs(15),
            tick: Some(Duration::from_secs(1)),
            cors: Cors::Off,
            redis: None,
        }
    }
}

impl Options {
    /// Reads the options from command-line arguments (without the program name); `Ok(None)` asks for help.
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, String> {
        let mut options = Self::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--addr" => options.addr = parse(&flag, &value()?)?,
                "--lifetime" => options.lifetime = Some(seconds(&flag, &value()?)?),
                "--retry" => options.retry = Duration::from_millis(parse(&flag, &value()?)?),
                "--keep-alive" => options.keep_alive = seconds(&flag, &value()?)?,
                "--tick" => {
                    let period = Duration::from_millis(parse(&flag, &value()?)?);
                    options.tick = Some(period).filter(|period| !period.is_zero());
                }
                "--cors-any" => options.cors = Cors::Any,
                "--cors-origin" => {
                    let origin = value()?;
                    let origin = HeaderValue::try_from(origin.trim_end_matches('/'))
                        .map_err(|_| format!("--cors-origin: {origin:?} is not a header value"))?;
                    match &mut options.cors {
                        Cors::Origins(origins) => origins.push(origin),
                        cors => *cors = Cors::Origins(vec![origin]),
                    }
                }
                "--redis" => options.redis = Some(source::check_redis_url(value()?)?),
                _ => return Err(format!("unknown option {flag:?}")),
            }
        }
        Ok(Some(options))
    }
}

fn parse<T: std::str::FromStr<Err: fmt::Display>>(flag: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|err| format!("{flag} {value:?}: {err}"))
}

/// Seconds, whole or not (`1.5`), and more than none.
fn seconds(flag: &str, value: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(parse(flag, value)?)
        .ok()
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| format!("{flag} {value:?}: not a positive number of seconds"))
}

/// The server: one broadcaster that every `/events` response subscribes to.
#[derive(Clone)]
pub(crate) struct App {
    inner: Arc<Inner>,
}

struct Inner {
    options: Options,
    source: Source,
    /// Every response body's options: `retry:`, keep-alive, lifetime and the shutdown signal.
    body: BodyConfig,
    /// Triggered once, at shutdown: every open response then ends at a frame boundary.
    shutdown: Shutdown,
    connections: AtomicU64,
}

impl App {
    /// The application.
    ///
    /// # Panics
    ///
    /// When `options.redis` is not a Redis URL (`Options::parse` refuses one).
    pub(crate) fn new(options: Options) -> Self {
        let shutdown = Shutdown::new();
        let mut body = BodyConfig::new()
            .retry(options.retry)
            .keep_alive(KeepAlive::new().interval(options.keep_alive))
            .shutdown(&shutdown);
        if let Some(lifetime) = options.lifetime {
            body = body.lifetime(lifetime);
        }
        let source = Source::new(options.redis.as_deref()).expect("a Redis URL checked by Options::parse");
        let inner = Inner { options, source, body, shutdown, connections: AtomicU64::new(0) };
        Self { inner: Arc::new(inner) }
    }

    /// The routes: the page, the stream, publishing; with CORS as the options say.
    pub(crate) fn router(&self) -> Router {
        let router = Router::new()
            .route("/", get(Html(PAGE)))
            .route("/events", get(events))
            .route("/publish", post(publish).layer(DefaultBodyLimit::max(64 * 1024)))
            .with_state(self.clone());
        let cors = CorsLayer::new().allow_methods([Method::GET, Method::POST]);
        match &self.inner.options.cors {
            Cors::Off => router,
            Cors::Origins(origins) => router.layer(cors.allow_origin(AllowOrigin::list(origins.clone()))),
            Cors::Any => router.layer(cors.allow_origin(AllowOrigin::any())),
        }
    }

    /// Serves on `listener` until `signal` completes, then shuts down gracefully: the tick stops, every open
    /// stream ends at a frame boundary, and this returns once the connections are closed.
    pub(crate) async fn serve(self, listener: TcpListener, signal: impl Future<Output = ()> + Send + 'static) {
        let ticks = self.inner.options.tick.map(|period| tokio::spawn(tick(self.inner.source.clone(), period)));
        let shutdown = self.inner.shutdown.clone();
        let service = self.router().into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                signal.await;
                shutdown.trigger();
            })
            .await
            .expect("axum::serve never fails");
        if let Some(ticks) = ticks {
            ticks.abort();
        }
    }
}

/// `GET /events`: the broadcast, resumed after the request's `Last-Event-ID`, as a response body with a first
/// `retry:`, keep-alive comments, the configured lifetime and the shutdown signal.
async fn events(State(app): State<App>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    let last_event_id = headers.get("last-event-id").map(|id| String::from_utf8_lossy(id.as_bytes()).into_owned());
    let (subscription, replay) = match app.inner.source.subscribe(last_event_id.as_deref()).await {
        Ok(subscription) => subscription,
        Err(text) => return (StatusCode::SERVICE_UNAVAILABLE, text).into_response(),
    };
    let mut log = ConnectionLog::open(&app, peer, last_event_id, replay);
    // The client missed events the replay log no longer holds: say so first (this demo's "full state").
    let lost = (replay == Replay::Lost).then(|| {
        let text = "Some events were missed: the server no longer holds them. Going on with live events.";
        let mut frame = BytesMut::new();
        Event::new(text).with_event_type(STATUS).encode(&mut frame).expect("a BytesMut grows");
        frame.freeze()
    });
    // The log line for "closed" is written when the response body, and so this closure, is dropped.
    let frames = futures::stream::iter(lost).chain(subscription).map(move |frame| log.count(frame));
    // An `EventBody` is a stream of chunks (and, with feature `http-body`, an `http_body::Body` whose
    // `into_response` sets the headers): taken as a stream here, so the example needs no feature.
    let body = EventBody::with_config(frames, app.inner.body.clone());
    let mut response = Response::new(axum::body::Body::from_stream(body));
    for (name, value) in RESPONSE_HEADERS {
        response.headers_mut().insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `POST /publish`: the request's text as a `publish` event to every subscriber.
async fn publish(State(app): State<App>, text: String) -> (StatusCode, String) {
    if text.is_empty() {
        return (StatusCode::BAD_REQUEST, "nothing to publish: the body is empty\n".into());
    }
    match app.inner.source.send(Event::new(text).with_event_type(PUBLISH)).await {
        Ok(id) => (StatusCode::OK, format!("published as event {}\n", id.to_str_lossy())),
        Err(refused) => refused,
    }
}

/// Publishes a `message` with a counter and the time every `period`, and a `status` event every tenth.
async fn tick(source: Source, period: Duration) {
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for n in 1.. {
        interval.tick().await;
        // A tick that fails (Redis out of reach) is skipped; the next one is tried all the same.
        let _ = source.send(Event::new(format!("tick {n} at {} UTC", utc_time()))).await;
        if n % STATUS_EVERY == 0 {
            let status = format!("{n} ticks sent, {} subscribers", source.subscriber_count());
            let _ = source.send(Event::new(status).with_event_type(STATUS)).await;
        }
    }
}

/// The time of day in UTC, `HH:MM:SS`.
fn utc_time() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() % 86_400;
    format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

/// One line on standard error when a stream opens, and one when it closes (on drop).
struct ConnectionLog {
    number: u64,
    last_event_id: Option<String>,
    opened: Instant,
    frames: u64,
}

impl ConnectionLog {
    fn open(app: &App, peer: SocketAddr, last_event_id: Option<String>, replay: Replay) -> Self {
        let number = app.inner.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let replay = match replay {
            Replay::Resumed { events } => format!("resumed, {events} events replayed"),
            Replay::Lost => "lost: the replay log no longer holds the events after it, going on live".into(),
            _ => "live".into(),
        };
        eprintln!("stream #{number} opened for {peer}, Last-Event-ID: {} ({replay})", Id(&last_event_id));
        Self { number, last_event_id, opened: Instant::now(), frames: 0 }
    }

    fn count<T>(&mut self, frame: T) -> T {
        self.frames += 1;
        frame
    }
}

impl Drop for ConnectionLog {
    fn drop(&mut self) {
        eprintln!(
            "stream #{} closed after {:.1?} and {} events, Last-Event-ID: {}",
            self.number,
            self.opened.elapsed(),
            self.frames,
            Id(&self.last_event_id)
        );
    }
}

/// A `Last-Event-ID` for the log: the ID, or `none`.
struct Id<'a>(&'a Option<String>);

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("none"))
    }
}
