//! The servers measured, each run as `load serve KIND` in a child process of its own, so that its memory and
//! CPU time are its own. Every kind is the same axum `Router` on the same hyper HTTP/1.1 connection settings
//! (one task per connection, as `axum::serve` does, with `TCP_NODELAY`), and differs only in its handlers:
//!
//! - `GET /events` answers an endless event stream: nothing ever (`bare`), or the events published;
//! - `POST /publish` sends its body, as one event's data, to every open stream.
//!
//! The `floor` kind (see `floor.rs`) is no HTTP server but the least work a fan-out can do: one `write` of one
//! framed chunk to each socket. The `redis` kind (feature `redis`) runs as several such processes on one Redis (`load serve redis --redis
//! URL`): each is `ours` fed by a `RedisBroadcaster`, so an event published to one reaches the streams of all.

use std::convert::Infallible;
use std::fmt;
use std::io::{self, Write as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use sse_codec::Event;
use sse_codec::headers::RESPONSE_HEADERS;
use sse_codec_tokio::{BodyConfig, Broadcaster, EventBody};
use tokio::net::TcpSocket;
use tokio::sync::broadcast;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

/// The events a `tokio::sync::broadcast` channel holds for its slowest receiver before it lags.
const AXUM_CHANNEL: usize = 1024;

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The HTTP stack alone: a body that never sends anything.
    Bare,
    /// `axum::response::sse::Sse` over a `tokio::sync::broadcast` of axum `Event`s, each receiver encoding
    /// (cloning and finishing) its own copy, with axum's default keep-alive.
    Axum,
    /// `EventBody` over a `Broadcaster`'s `Subscription` (each event encoded once, IDs numbered for resuming),
    /// with the body's default keep-alive and opening comment.
    Ours,
    /// No HTTP stack: each event framed once and written to every socket with one `write` (see `floor.rs`),
    /// what no server that writes to each connection can go below. Not among the default kinds.
    Floor,
    /// `ours` with a `RedisBroadcaster`'s subscriptions, in several processes on one Redis: a publish is an
    /// `XADD`, and each process's reader `XREAD`s it once for all its clients. Not among the default kinds.
    Redis,
}

impl Kind {
    /// Every kind, in the tables' column order.
    pub(crate) const ALL: [Self; 3] = [Self::Bare, Self::Axum, Self::Ours];

    /// The name on the command line and in the tables.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Bare => "bare",
            Self::Axum => "axum",
            Self::Ours => "ours",
            Self::Floor => "floor",
            Self::Redis => "redis",
        }
    }

    /// The kind named `name`.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().chain([Self::Floor, Self::Redis]).find(|kind| kind.name() == name)
    }

    /// Whether it sends events (`bare` does not).
    pub(crate) const fn sends_events(self) -> bool {
        !matches!(self, Self::Bare)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The server's settings: hyper's HTTP/1.1 connection settings, the same for every kind (`None` keeps
/// hyper's default), and `ours`'s opening comment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `http1::Builder::max_buf_size`: the largest read (and write) buffer of a connection.
    pub(crate) max_buf_size: Option<usize>,
    /// `http1::Builder::writev`: queue body chunks for vectored writes, or flatten them into one buffer.
    pub(crate) writev: Option<bool>,
    /// `BodyConfig::opening_comment` of `ours` (on by default, as in production).
    pub(crate) opening_comment: Option<bool>,
    /// The keep-alive of `ours` and `axum` (on by default, as in production): off shows what its timer costs.
    pub(crate) keep_alive: Option<bool>,
}

impl Settings {
    /// The settings as command-line arguments, for the child process.
    pub(crate) fn args(self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(max) = self.max_buf_size {
            args.extend(["--max-buf-size".to_owned(), max.to_string()]);
        }
        let switches =
            [("--writev", self.writev), ("--opening-comment", self.opening_comment), ("--keep-alive", self.keep_alive)];
        for (name, value) in switches {
            if let Some(on) = value {
                args.extend([name.to_owned(), if on { "on" } else { "off" }.to_owned()]);
            }
        }
        args
    }

    /// Reads one setting, `arg` followed by its value, into `self`; `Ok(false)` if `arg` is not one.
    pub(crate) fn parse_arg(&mut self, arg: &str, value: Option<&str>) -> Result<bool, String> {
        let value = || value.ok_or_else(|| format!("{arg} needs a value"));
        match arg {
            "--max-buf-size" => {
                let max = value()?.parse().map_err(|e| format!("{arg}: {e}"))?;
                // hyper panics below its minimum, its initial buffer size: refuse it plainly instead.
                if max < 8192 {
                    return Err(format!("{arg}: hyper needs at least 8192 bytes"));
                }
                self.max_buf_size = Some(max);
            }
            "--writev" | "--opening-comment" | "--keep-alive" => {
                let on = match value()? {
                    "on" => true,
                    "off" => false,
                    other => return Err(format!("{arg}: on or off, not {other}")),
                };
                *match arg {
                    "--writev" => &mut self.writev,
                    "--opening-comment" => &mut self.opening_comment,
                    _ => &mut self.keep_alive,
                } = Some(on);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn builder(self) -> http1::Builder {
        let mut builder = http1::Builder::new();
        builder.keep_alive(true);
        if let Some(max) = self.max_buf_size {
            builder.max_buf_size(max);
        }
        if let Some(writev) = self.writev {
            builder.writev(writev);
        }
        builder
    }
}

/// `load serve KIND [SETTINGS] [--redis URL]`: serves on a free port of 127.0.0.1, prints the port on a line of
/// its own, and runs until its standard input closes (the parent went away) or it is killed.
pub(crate) fn main(args: &[String]) -> ExitCode {
    let mut settings = Settings::default();
    let mut kind = None;
    let mut redis = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--redis" {
            match args.next() {
                Some(url) => redis = Some(url.clone()),
                None => return fail("--redis needs a URL"),
            }
            continue;
        }
        match settings.parse_arg(arg, args.as_slice().first().map(String::as_str)) {
            Ok(true) => {
                args.next();
            }
            Ok(false) if kind.is_none() => match Kind::parse(arg) {
                Some(parsed) => kind = Some(parsed),
                None => return fail(&format!("unknown server kind {arg}")),
            },
            Ok(false) => return fail(&format!("unexpected argument {arg}")),
            Err(e) => return fail(&e),
        }
    }
    let Some(kind) = kind else { return fail("serve needs a kind") };
    std::thread::spawn(|| {
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        std::process::exit(0);
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("runtime: {e}")),
    };
    match runtime.block_on(serve(kind, settings, redis)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{kind} server: {e}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("load serve: {message}");
    ExitCode::FAILURE
}

async fn serve(kind: Kind, settings: Settings, redis: Option<String>) -> io::Result<()> {
    // Built before the port is told, so that a `redis` server that cannot start fails plainly.
    let app = app(kind, settings, redis)?;
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    // A backlog well above tokio's default of 1,024, so that a burst of connects is not dropped and retried.
    let listener = socket.listen(4096)?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", listener.local_addr()?.port())?;
    stdout.flush()?;
    drop(stdout);
    let Some(app) = app else { return crate::floor::serve(listener).await };
    let builder = settings.builder();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, most likely: say so, and give connections time to close.
                eprintln!("load serve: accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
}

/// The kind's router; `None` for `floor`, which serves without one.
fn app(kind: Kind, settings: Settings, redis: Option<String>) -> io::Result<Option<Router>> {
    Ok(Some(match kind {
        Kind::Bare => Router::new()
            .route("/events", get(bare_events))
            .route("/publish", post(|| async { StatusCode::NO_CONTENT })),
        Kind::Axum => {
            let (sender, _) = broadcast::channel(AXUM_CHANNEL);
            let state = Axum { sender, keep_alive: settings.keep_alive.unwrap_or(true) };
            Router::new().route("/events", get(axum_events)).route("/publish", post(axum_publish)).with_state(state)
        }
        Kind::Ours => Router::new()
            .route("/events", get(ours_events))
            .route("/publish", post(ours_publish))
            .with_state(Ours { broadcaster: Broadcaster::new(), config: body_config(settings) }),
        Kind::Floor => return Ok(None),
        Kind::Redis => {
            let url = redis.ok_or_else(|| io::Error::other("the redis kind needs --redis URL"))?;
            redis_app(&url, body_config(settings))?
        }
    }))
}

/// The bodies' options of `ours` and `redis`.
fn body_config(settings: Settings) -> BodyConfig {
    let config = BodyConfig::new().opening_comment(settings.opening_comment.unwrap_or(true));
    if settings.keep_alive == Some(false) { config.no_keep_alive() } else { config }
}

/// A response with the event-stream headers and `body`.
fn event_stream(body: Body) -> Response {
    let mut response = Response::new(body);
    for (name, value) in RESPONSE_HEADERS {
        response.headers_mut().insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    response
}

async fn bare_events() -> Response {
    event_stream(Body::from_stream(tokio_stream::pending::<Result<Bytes, Infallible>>()))
}

/// The state of `axum`: the channel, and whether its bodies send keep-alives.
#[derive(Clone, Debug)]
struct Axum {
    sender: broadcast::Sender<sse::Event>,
    keep_alive: bool,
}

/// As axum's docs show it, fed by a broadcast channel as servers do: lagged receivers skip what they missed.
async fn axum_events(State(axum): State<Axum>) -> Response {
    let events = BroadcastStream::new(axum.sender.subscribe()).filter_map(Result::ok).map(Ok::<_, Infallible>);
    if axum.keep_alive {
        Sse::new(events).keep_alive(KeepAlive::default()).into_response()
    } else {
        Sse::new(events).into_response()
    }
}

async fn axum_publish(State(axum): State<Axum>, data: String) -> impl IntoResponse {
    // No receiver is not an error here: the event simply reaches nobody.
    let _ = axum.sender.send(sse::Event::default().data(data));
    StatusCode::NO_CONTENT
}

/// The state of `ours`: the broadcaster, and the bodies' options.
#[derive(Clone, Debug)]
struct Ours {
    broadcaster: Broadcaster,
    config: BodyConfig,
}

/// As the `Broadcaster` docs show it: subscribe from the client's `Last-Event-ID`, answer the subscription
/// as an `EventBody` with the event-stream headers.
async fn ours_events(State(ours): State<Ours>, headers: HeaderMap) -> impl IntoResponse {
    let last_event_id = headers.get("last-event-id").and_then(|value| value.to_str().ok());
    EventBody::with_config(ours.broadcaster.subscribe(last_event_id), ours.config).into_response()
}

async fn ours_publish(State(ours): State<Ours>, data: Bytes) -> StatusCode {
    match ours.broadcaster.send(Event::new(data)) {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The state of `redis`: the process's `RedisBroadcaster` on the shared stream, and the bodies' options.
#[cfg(feature = "redis")]
#[derive(Clone, Debug)]
struct Redis {
    events: sse_codec_tokio::RedisBroadcaster,
    config: BodyConfig,
}

#[cfg(feature = "redis")]
fn redis_app(url: &str, config: BodyConfig) -> io::Result<Router> {
    use sse_codec_tokio::{RedisBroadcaster, RedisConfig};

    let events = RedisBroadcaster::open(url, RedisConfig::new("load:events")).map_err(io::Error::other)?;
    Ok(Router::new()
        .route("/events", get(redis_events))
        .route("/publish", post(redis_publish))
        .with_state(Redis { events, config }))
}

#[cfg(not(feature = "redis"))]
fn redis_app(_url: &str, _config: BodyConfig) -> io::Result<Router> {
    Err(io::Error::other("built without the `redis` feature"))
}

/// As `ours_events`, through the `RedisBroadcaster` (which asks Redis only to resume from an ID it no longer
/// holds in memory): 503 when Redis fails it.
#[cfg(feature = "redis")]
async fn redis_events(State(redis): State<Redis>, headers: HeaderMap) -> Response {
    let last_event_id = headers.get("last-event-id").and_then(|value| value.to_str().ok());
    match redis.events.subscribe(last_event_id).await {
        Ok(subscription) => EventBody::with_config(subscription, redis.config).into_response().into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Appends the event to the Redis stream (`XADD`); every process's reader then sends it to its clients.
#[cfg(feature = "redis")]
async fn redis_publish(State(redis): State<Redis>, data: Bytes) -> StatusCode {
    match redis.events.publish(Event::new(data)).await {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
