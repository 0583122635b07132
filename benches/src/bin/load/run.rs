//! The measurement: options, the server's child process, the publishing connection, and one run of a kind at
//! one N.

use std::collections::BTreeMap;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use crate::client::{Clients, now_ns};
use crate::procfs;
use crate::redis_server::RedisServer;
use crate::server::{Kind, Settings};
use crate::table;

/// What to measure.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// Connection counts, one table each.
    pub(crate) ns: Vec<usize>,
    /// Server kinds, the tables' columns.
    pub(crate) kinds: Vec<Kind>,
    /// Events published at each rate.
    pub(crate) events: usize,
    /// Publishing rates, events per second.
    pub(crate) rates: Vec<u32>,
    /// How long connections stay idle before the memory is read.
    pub(crate) settle: Duration,
    /// Where to draw the chart, if anywhere.
    pub(crate) chart: Option<PathBuf>,
    /// The server's settings, the same for every kind.
    pub(crate) settings: Settings,
    /// Runs of every kind at each N, in turn; the tables show their medians.
    pub(crate) repeat: usize,
    /// Server processes of the `redis` kind, the connections spread over them in turn.
    pub(crate) processes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            ns: vec![1000, 5000, 10_000],
            kinds: Kind::ALL.to_vec(),
            events: 20,
            rates: vec![1, 10, 100],
            settle: Duration::from_secs(2),
            chart: None,
            settings: Settings::default(),
            repeat: 1,
            processes: 2,
        }
    }
}

const USAGE: &str = "usage: load [--n 1000,5000,10000] [--kinds bare,axum,ours] [--events 20] [--rates 1,10,100] \
[--settle-ms 2000] [--repeat 1] [--chart FILE.svg] [--max-buf-size BYTES] [--writev on|off] [--opening-comment on|off] [--keep-alive on|off] \
[--quick] [--processes 2 (of the redis kind, feature redis)]";

fn list<T: std::str::FromStr>(arg: &str, value: &str) -> Result<Vec<T>, String>
where
    T::Err: std::fmt::Display,
{
    let list: Vec<T> = value
        .split(',')
        .map(|item| item.trim().parse().map_err(|e| format!("{arg} {item}: {e}")))
        .collect::<Result<_, _>>()?;
    if list.is_empty() { Err(format!("{arg} needs at least one value")) } else { Ok(list) }
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Self::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let next = args.as_slice().first().map(String::as_str);
            if options.settings.parse_arg(arg, next)? {
                args.next();
                continue;
            }
            if arg == "--quick" {
                options.ns = vec![200];
                options.events = 5;
                options.rates = vec![10, 100];
                options.settle = Duration::from_millis(300);
                continue;
            }
            if arg == "-h" || arg == "--help" {
                return Err(String::new());
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            match arg.as_str() {
                "--n" => options.ns = list(arg, value)?,
                "--events" => options.events = value.parse().map_err(|e| format!("{arg}: {e}"))?,
                "--rates" => options.rates = list(arg, value)?,
                "--settle-ms" => {
                    options.settle = Duration::from_millis(value.parse().map_err(|e| format!("{arg}: {e}"))?);
                }
                "--chart" => options.chart = Some(PathBuf::from(value)),
                "--repeat" => options.repeat = value.parse().map_err(|e| format!("{arg}: {e}"))?,
                "--processes" => options.processes = value.parse().map_err(|e| format!("{arg}: {e}"))?,
                "--kinds" => {
                    options.kinds = value
                        .split(',')
                        .map(|name| Kind::parse(name).ok_or_else(|| format!("unknown kind {name}")))
                        .collect::<Result<_, _>>()?;
                }
                _ => return Err(format!("unknown option {arg}")),
            }
        }
        if options.rates.contains(&0) || options.repeat == 0 || options.processes == 0 {
            return Err("--rates, --repeat and --processes must be above zero".to_owned());
        }
        Ok(options)
    }
}

/// The figures of one publishing rate.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    /// Deliveries expected: connections open at the start times events sent.
    pub(crate) expected: u64,
    /// Deliveries seen.
    pub(crate) delivered: u64,
    /// The latency of a delivery at the median, the 99th percentile and the most, in nanoseconds.
    pub(crate) p50: Option<u64>,
    pub(crate) p99: Option<u64>,
    pub(crate) max: Option<u64>,
    /// Deliveries per second, from the first send to the last delivery.
    pub(crate) per_second: f64,
    /// The server's CPU time over the step, per event sent.
    pub(crate) server_cpu_per_event: Duration,
    /// The client thread's CPU time over the step, as a share of one core.
    pub(crate) client_cpu: f64,
    /// Connections that ended during the step.
    pub(crate) closed: usize,
    /// What Redis did over the step, for the `redis` kind.
    pub(crate) redis: Option<RedisStep>,
}

/// What Redis did over a step (or the steps of several runs, added up).
#[derive(Clone, Debug, Default)]
pub(crate) struct RedisStep {
    /// The calls of each command (`INFO commandstats` after less before), by name.
    pub(crate) calls: BTreeMap<String, u64>,
    /// The events sent.
    pub(crate) events: u64,
    /// `redis-server`'s CPU time.
    pub(crate) cpu: Duration,
}

impl RedisStep {
    fn add(mut self, other: &Self) -> Self {
        for (name, calls) in &other.calls {
            *self.calls.entry(name.clone()).or_default() += calls;
        }
        self.events += other.events;
        self.cpu += other.cpu;
        self
    }
}

/// The value at quantile `q` (0 to 1) of `sorted`.
fn quantile(sorted: &[u64], q: f64) -> Option<u64> {
    let last = sorted.len().checked_sub(1)?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let index = ((last as f64) * q).round() as usize;
    sorted.get(index.min(last)).copied()
}

/// The median of `values` (the upper one of an even count), or `None` if there are none.
fn median<T: PartialOrd + Copy>(values: impl IntoIterator<Item = T>) -> Option<T> {
    let mut values: Vec<T> = values.into_iter().collect();
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values.get(values.len() / 2).copied()
}

/// The figures of one kind at one N (of one run, or the medians of several).
#[derive(Clone, Debug)]
pub(crate) struct Measured {
    /// Which server.
    pub(crate) kind: Kind,
    /// How many processes of it (their memory and CPU time added up).
    pub(crate) processes: usize,
    /// The load average when it started (the 1-minute figure of each run, when there are several).
    pub(crate) load: String,
    /// Connections opened.
    pub(crate) opened: usize,
    /// Connections that could not be opened.
    pub(crate) failed: usize,
    /// How long opening them all took.
    pub(crate) open_time: Duration,
    /// The server's RSS before any connection, bytes.
    pub(crate) rss_before: u64,
    /// Its RSS with every connection open and idle.
    pub(crate) rss_idle: u64,
    /// The growth of its RSS per connection, with every connection open and idle.
    pub(crate) idle_bytes: Option<f64>,
    /// The same after the events, connections still open.
    pub(crate) after_bytes: Option<f64>,
    /// One per rate, for a kind that sends events.
    pub(crate) steps: Vec<Step>,
}

impl Measured {
    /// The medians of several runs of one kind (a single run as it is); counts are added up, except
    /// connections opened, the fewest of any run.
    fn median(runs: Vec<Self>) -> Option<Self> {
        if runs.len() <= 1 {
            return runs.into_iter().next();
        }
        let steps = (0..runs.iter().map(|m| m.steps.len()).min().unwrap_or(0))
            .map(|index| {
                let steps: Vec<&Step> = runs.iter().map(|m| &m.steps[index]).collect();
                Step {
                    expected: steps.iter().map(|s| s.expected).sum(),
                    delivered: steps.iter().map(|s| s.delivered).sum(),
                    p50: median(steps.iter().filter_map(|s| s.p50)),
                    p99: median(steps.iter().filter_map(|s| s.p99)),
                    max: median(steps.iter().filter_map(|s| s.max)),
                    per_second: median(steps.iter().map(|s| s.per_second)).unwrap_or(0.0),
                    server_cpu_per_event: median(steps.iter().map(|s| s.server_cpu_per_event)).unwrap_or_default(),
                    client_cpu: median(steps.iter().map(|s| s.client_cpu)).unwrap_or(0.0),
                    closed: steps.iter().map(|s| s.closed).sum(),
                    redis: steps
                        .iter()
                        .filter_map(|s| s.redis.as_ref())
                        .fold(None, |sum: Option<RedisStep>, step| Some(sum.unwrap_or_default().add(step))),
                }
            })
            .collect();
        Some(Self {
            kind: runs[0].kind,
            processes: runs[0].processes,
            load: runs.iter().map(|m| m.load.split(' ').next().unwrap_or("?")).collect::<Vec<_>>().join(", "),
            opened: runs.iter().map(|m| m.opened).min().unwrap_or(0),
            failed: runs.iter().map(|m| m.failed).sum(),
            open_time: median(runs.iter().map(|m| m.open_time)).unwrap_or_default(),
            rss_before: median(runs.iter().map(|m| m.rss_before)).unwrap_or(0),
            rss_idle: median(runs.iter().map(|m| m.rss_idle)).unwrap_or(0),
            idle_bytes: median(runs.iter().filter_map(|m| m.idle_bytes)),
            after_bytes: median(runs.iter().filter_map(|m| m.after_bytes)),
            steps,
        })
    }
}

/// Runs everything the options ask for, printing as it goes.
pub(crate) fn main(args: &[String]) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(options) => options,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("load: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let most = options.ns.iter().copied().max().unwrap_or(0);
    // Each socket is a file; the server's child process inherits the limit.
    match procfs::raise_open_files(most as u64 + 256) {
        Ok(message) => println!("{message}"),
        Err(message) => println!("WARNING: {message}"),
    }
    if let Some((low, high)) = procfs::local_port_range() {
        let ports = high.saturating_sub(low) + 1;
        let enough = if ports as usize > most { "enough" } else { "NOT enough" };
        println!("ephemeral ports {low}-{high}: {ports} per server port, {enough} for {most} connections");
    }
    // Start the clock events are stamped with.
    now_ns();
    let mut clients = match Clients::start() {
        Ok(clients) => clients,
        Err(e) => {
            eprintln!("load: client thread: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The `redis` kind's Redis, started only when that kind is asked for; without it, the kind is skipped.
    let mut options = options;
    let redis = if options.kinds.contains(&Kind::Redis) {
        let started = if cfg!(feature = "redis") {
            RedisServer::start()
        } else {
            Err("this build has no `redis` feature (cargo run --release -p sse-codec-benches --features redis --bin \
                 load)"
                .to_owned())
        };
        match started {
            Ok(redis) => {
                let version = redis.version().unwrap_or_else(|e| e.to_string());
                println!("redis-server {version} at {}, without persistence", redis.url());
                Some(redis)
            }
            Err(e) => {
                println!("SKIPPING the redis kind: {e}");
                options.kinds.retain(|&kind| kind != Kind::Redis);
                None
            }
        }
    } else {
        None
    };
    let mut tables = Vec::new();
    let mut ok = true;
    let mut step_id = 0;
    for &n in &options.ns {
        let mut runs: Vec<Vec<Measured>> = vec![Vec::new(); options.kinds.len()];
        for round in 1..=options.repeat {
            for (&kind, runs) in options.kinds.iter().zip(&mut runs) {
                let load = procfs::load_average();
                eprintln!("--- {kind}, {n} connections, run {round} of {} (load average {load})", options.repeat);
                let redis = redis.as_ref().filter(|_| kind == Kind::Redis);
                match measure(kind, n, &options, &mut clients, &mut step_id, redis) {
                    Ok(measured) => {
                        ok &= measured.failed == 0 && measured.opened == n;
                        ok &= measured.steps.iter().all(|step| step.delivered > 0);
                        runs.push(measured);
                    }
                    Err(e) => {
                        eprintln!("load: {kind} at {n}: {e}");
                        ok = false;
                    }
                }
            }
        }
        let row: Vec<Measured> = runs.into_iter().filter_map(Measured::median).collect();
        println!("\n{}", table::markdown(n, &row, &options));
        tables.push((n, row));
    }
    if let Some(path) = &options.chart {
        match std::fs::write(path, table::svg(&tables, &options)) {
            Ok(()) => eprintln!("chart written to {}", path.display()),
            Err(e) => {
                eprintln!("writing {}: {e}", path.display());
                ok = false;
            }
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// A server in its child process.
struct Server {
    child: Child,
    /// Held so that the child sees its standard input close when this process goes away.
    _stdin: ChildStdin,
    addr: SocketAddr,
}

impl Server {
    fn start(kind: Kind, settings: Settings, redis: Option<&RedisServer>) -> io::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("serve")
            .arg(kind.name())
            .args(settings.args())
            .args(redis.map(|redis| ["--redis".to_owned(), redis.url()]).into_iter().flatten())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| io::Error::other("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| io::Error::other("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 = match line.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io::Error::other(format!("the server did not say its port: {line:?}")));
            }
        };
        Ok(Self { child, _stdin: stdin, addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)) })
    }

    fn rss(&self) -> io::Result<u64> {
        procfs::rss(self.child.id())
    }

    fn cpu(&self) -> io::Result<Duration> {
        procfs::process_cpu(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A kept-alive HTTP/1.1 connection that publishes events.
struct Control {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Control {
    fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Self { stream, buf: Vec::with_capacity(1024) })
    }

    /// Publishes one event with `data`, and reads the server's answer.
    fn publish(&mut self, data: &str) -> io::Result<()> {
        let request = format!(
            "POST /publish HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{data}",
            data.len()
        );
        self.stream.write_all(request.as_bytes())?;
        self.buf.clear();
        let mut chunk = [0; 1024];
        loop {
            let read = self.stream.read(&mut chunk)?;
            if read == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the control connection"));
            }
            self.buf.extend_from_slice(&chunk[..read]);
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(_) = response.parse(&self.buf).map_err(io::Error::other)? {
                // The answer is a 204: a head and no body.
                return match response.code {
                    Some(204) => Ok(()),
                    code => Err(io::Error::other(format!("publish answered {code:?}"))),
                };
            }
        }
    }
}

/// Waits, up to `deadline`, until `done` holds.
pub(crate) fn wait_until(deadline: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(5));
    }
    true
}

/// The resident memory of all `servers`, added up.
fn total_rss(servers: &[Server]) -> io::Result<u64> {
    servers.iter().map(Server::rss).sum()
}

/// The CPU time of all `servers`, added up.
fn total_cpu(servers: &[Server]) -> io::Result<Duration> {
    servers.iter().map(Server::cpu).sum()
}

/// Waits until the reader of each of the `processes` waits in its `XREAD BLOCK`.
fn readers_waiting(redis: &RedisServer, processes: usize) -> io::Result<()> {
    if wait_until(Duration::from_secs(10), || redis.blocked_clients().is_ok_and(|n| n >= processes as u64)) {
        Ok(())
    } else {
        Err(io::Error::other(format!("the {processes} servers' readers did not all reach Redis within 10 s")))
    }
}

/// One run of `kind` at `n` connections: one server process, or for the `redis` kind (`redis` given)
/// `--processes` of them on that Redis, the connections spread over them in turn and events published to the
/// first.
fn measure(
    kind: Kind,
    n: usize,
    options: &Options,
    clients: &mut Clients,
    step_id: &mut u64,
    redis: Option<&RedisServer>,
) -> io::Result<Measured> {
    let load = procfs::load_average();
    let processes = if redis.is_some() { options.processes } else { 1 };
    if let Some(redis) = redis {
        redis.flush()?;
    }
    let servers: Vec<Server> =
        (0..processes).map(|_| Server::start(kind, options.settings, redis)).collect::<io::Result<_>>()?;
    let addrs: Vec<SocketAddr> = servers.iter().map(|server| server.addr).collect();
    let mut control = Control::connect(addrs[0])?;
    if let Some(redis) = redis {
        // A reader starts at the stream's end, so each must be reading before anything is published; and one
        // publish before any client is open sets up the publishing connection and loads the script.
        readers_waiting(redis, processes)?;
        control.publish("warm-up")?;
        readers_waiting(redis, processes)?;
    }
    thread::sleep(Duration::from_millis(200));
    let rss_before = total_rss(&servers)?;
    let shared = std::sync::Arc::clone(&clients.shared);
    let start = Instant::now();
    clients.open(&addrs, n);
    let all_tried = wait_until(Duration::from_secs(60) + Duration::from_millis(10 * n as u64), || {
        shared.opened.load(Ordering::SeqCst) + shared.failed.load(Ordering::SeqCst) >= n
    });
    let open_time = start.elapsed();
    if !all_tried {
        eprintln!("  not every connection was opened in time");
    }
    thread::sleep(options.settle);
    let rss_idle = total_rss(&servers)?;
    let opened = shared.opened.load(Ordering::SeqCst);
    let failed = shared.failed.load(Ordering::SeqCst);
    eprintln!(
        "  {opened} open ({failed} failed) in {:.2} s, RSS {} -> {} KiB",
        open_time.as_secs_f64(),
        rss_before / 1024,
        rss_idle / 1024
    );
    let mut steps = Vec::new();
    if kind.sends_events() && options.events > 0 {
        for &rate in &options.rates {
            *step_id += 1;
            let step = step(&servers, redis, clients, &mut control, *step_id, rate, options.events)?;
            eprintln!(
                "  {rate}/s: {}/{} delivered, p99 {:.2} ms, server CPU {:.1} µs/event",
                step.delivered,
                step.expected,
                step.p99.unwrap_or(0) as f64 / 1e6,
                step.server_cpu_per_event.as_secs_f64() * 1e6
            );
            steps.push(step);
        }
    }
    let rss_after = (!steps.is_empty()).then(|| total_rss(&servers)).transpose()?;
    for error in shared.take_errors() {
        eprintln!("  client error: {error}");
    }
    drop(control);
    drop(servers);
    if !clients.close_all(Duration::from_secs(30)) {
        eprintln!("  client tasks still running after 30 s");
    }
    #[allow(clippy::cast_precision_loss)]
    let per_connection = |rss: u64| (opened > 0).then(|| (rss as f64 - rss_before as f64) / opened as f64);
    Ok(Measured {
        kind,
        processes,
        load,
        opened,
        failed,
        open_time,
        rss_before,
        rss_idle,
        idle_bytes: per_connection(rss_idle),
        after_bytes: rss_after.and_then(per_connection),
        steps,
    })
}

fn step(
    servers: &[Server],
    redis: Option<&RedisServer>,
    clients: &Clients,
    control: &mut Control,
    step_id: u64,
    rate: u32,
    events: usize,
) -> io::Result<Step> {
    let shared = &clients.shared;
    shared.begin_step(step_id);
    let closed_before = shared.closed.load(Ordering::SeqCst);
    let live = shared.opened.load(Ordering::SeqCst) - closed_before;
    let expected = (live * events) as u64;
    let (server_cpu, client_cpu) = (total_cpu(servers)?, clients.cpu()?);
    let redis_before = redis.map(|redis| Ok::<_, io::Error>((redis.command_calls()?, redis.cpu()?))).transpose()?;
    let start = Instant::now();
    let start_ns = now_ns();
    let interval = Duration::from_secs(1) / rate;
    let mut first_send = None;
    for seq in 0..events {
        let due = start + interval * u32::try_from(seq).unwrap_or(u32::MAX);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        let sent = now_ns();
        first_send.get_or_insert(sent);
        control.publish(&format!("{step_id} {seq} {sent}"))?;
    }
    let sent_all = now_ns();
    // Wait for every delivery, or until none has arrived for three seconds.
    let mut seen = 0;
    let mut progress = Instant::now();
    wait_until(Duration::from_secs(600), || {
        let delivered = shared.delivered.load(Ordering::SeqCst);
        if delivered != seen {
            seen = delivered;
            progress = Instant::now();
        }
        delivered >= expected || progress.elapsed() > Duration::from_secs(3)
    });
    let (server_cpu, client_cpu) = (total_cpu(servers)? - server_cpu, clients.cpu()? - client_cpu);
    let redis = match (redis, redis_before) {
        (Some(redis), Some((calls_before, cpu_before))) => {
            let mut calls = redis.command_calls()?;
            for (name, calls) in &mut calls {
                *calls = calls.saturating_sub(calls_before.get(name).copied().unwrap_or(0));
            }
            calls.retain(|_, calls| *calls > 0);
            Some(RedisStep { calls, events: events as u64, cpu: redis.cpu()? - cpu_before })
        }
        _ => None,
    };
    let delivered = shared.delivered.load(Ordering::SeqCst);
    let last = shared.last_delivery_ns.load(Ordering::SeqCst).max(sent_all);
    let first = first_send.unwrap_or(last);
    #[allow(clippy::cast_precision_loss)]
    let per_second = if last > first { delivered as f64 / ((last - first) as f64 / 1e9) } else { 0.0 };
    // The client thread's share of one core while events were flowing.
    #[allow(clippy::cast_precision_loss)]
    let flowing = (last.saturating_sub(start_ns) as f64 / 1e9).max(1e-3);
    let client_cpu = client_cpu.as_secs_f64() / flowing;
    let latencies = shared.latencies();
    Ok(Step {
        expected,
        delivered,
        p50: quantile(&latencies, 0.5),
        p99: quantile(&latencies, 0.99),
        max: latencies.last().copied(),
        per_second,
        server_cpu_per_event: server_cpu / u32::try_from(events).unwrap_or(u32::MAX),
        client_cpu,
        closed: shared.closed.load(Ordering::SeqCst) - closed_before,
        redis,
    })
}
