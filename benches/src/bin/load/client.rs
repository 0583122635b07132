//! The clients: one thread running a single-threaded tokio runtime, one small task per connection. Each task
//! writes a `GET /events`, reads the response head (`httparse`), takes the chunked body apart, and decodes its
//! frames with the core's `Decoder`. An event's data is `STEP SEQ SENT` (`SENT` in nanoseconds since
//! [`EPOCH`]), so the task knows how long it took to arrive.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use bytes::{Buf as _, BytesMut};
use sse_codec::{Decoder, Frame};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

/// The clock every event's send time and arrival time are read on.
pub(crate) static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Nanoseconds since [`EPOCH`].
pub(crate) fn now_ns() -> u64 {
    u64::try_from(EPOCH.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Connections being opened at once: enough to open thousands in seconds, few enough that the server's listen
/// backlog never overflows (a dropped SYN is retried only after a second).
const CONNECTING: usize = 256;

/// What a socket read asks for at least.
const READ_SIZE: usize = 2048;

/// The request every client sends.
const REQUEST: &[u8] = b"GET /events HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n";

/// What the clients have seen, shared with the thread that drives the measurement.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Connections whose response head arrived.
    pub(crate) opened: AtomicUsize,
    /// Connections that could not be opened.
    pub(crate) failed: AtomicUsize,
    /// Opened connections that have ended since (the server closed them, or an error).
    pub(crate) closed: AtomicUsize,
    /// Client tasks still running.
    alive: AtomicUsize,
    /// The step whose events are being counted.
    step: AtomicU64,
    /// Events of the current step delivered, over all clients.
    pub(crate) delivered: AtomicU64,
    /// When the last of them arrived, in nanoseconds since [`EPOCH`].
    pub(crate) last_delivery_ns: AtomicU64,
    /// Events of another step (late ones) or whose data is not ours.
    pub(crate) stray: AtomicU64,
    /// Comments received (keep-alives, an opening comment).
    pub(crate) comments: AtomicU64,
    /// The latency of every event of the current step at every client, in nanoseconds.
    latencies: Mutex<Vec<u64>>,
    /// The first few errors, to show.
    errors: Mutex<Vec<String>>,
}

impl Shared {
    /// Starts counting the events of step `step` afresh.
    pub(crate) fn begin_step(&self, step: u64) {
        self.latencies.lock().unwrap_or_else(PoisonError::into_inner).clear();
        self.delivered.store(0, Ordering::SeqCst);
        self.last_delivery_ns.store(0, Ordering::SeqCst);
        self.step.store(step, Ordering::SeqCst);
    }

    /// The latencies of the current step, in nanoseconds, sorted.
    pub(crate) fn latencies(&self) -> Vec<u64> {
        let mut latencies = self.latencies.lock().unwrap_or_else(PoisonError::into_inner).clone();
        latencies.sort_unstable();
        latencies
    }

    /// The first errors seen, taken away.
    pub(crate) fn take_errors(&self) -> Vec<String> {
        std::mem::take(&mut *self.errors.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn reset(&self) {
        for counter in [&self.opened, &self.failed, &self.closed] {
            counter.store(0, Ordering::SeqCst);
        }
        for counter in [&self.stray, &self.comments] {
            counter.store(0, Ordering::SeqCst);
        }
        self.take_errors();
    }

    fn error(&self, error: String) {
        let mut errors = self.errors.lock().unwrap_or_else(PoisonError::into_inner);
        if errors.len() < 5 {
            errors.push(error);
        }
    }

    fn frame(&self, frame: Frame) {
        match frame {
            Frame::Event(event) => {
                let now = now_ns();
                let stamp = event.data_str().ok().and_then(|data| {
                    let mut parts = data.split(' ').map(str::parse::<u64>);
                    Some((parts.next()?.ok()?, parts.next()?.ok()?, parts.next()?.ok()?))
                });
                match stamp {
                    Some((step, _seq, sent)) if step == self.step.load(Ordering::Relaxed) => {
                        self.latencies.lock().unwrap_or_else(PoisonError::into_inner).push(now.saturating_sub(sent));
                        self.delivered.fetch_add(1, Ordering::Relaxed);
                        self.last_delivery_ns.fetch_max(now, Ordering::Relaxed);
                    }
                    _ => {
                        self.stray.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Frame::Comment(_) => {
                self.comments.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}

/// Counts a client task as alive from its creation until it is dropped, aborted or not.
struct Alive(Arc<Shared>);

impl Alive {
    fn new(shared: &Arc<Shared>) -> Self {
        shared.alive.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(shared))
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.alive.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The client thread and its connections.
#[derive(Debug)]
pub(crate) struct Clients {
    handle: Handle,
    tid: i32,
    /// What the connections have seen.
    pub(crate) shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Clients {
    /// Starts the client thread, with no connection yet.
    pub(crate) fn start() -> io::Result<Self> {
        let (started, on_start) = mpsc::channel();
        let (stop, on_stop) = oneshot::channel::<()>();
        let thread = thread::Builder::new().name("clients".to_owned()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = started.send(Err(e));
                    return;
                }
            };
            let _ = started.send(Ok((runtime.handle().clone(), rustix::thread::gettid().as_raw_nonzero().get())));
            let _ = runtime.block_on(on_stop);
        })?;
        let (handle, tid) = on_start.recv().map_err(io::Error::other)??;
        Ok(Self { handle, tid, shared: Arc::default(), tasks: Vec::new(), stop: Some(stop), thread: Some(thread) })
    }

    /// The CPU time the client thread has used.
    pub(crate) fn cpu(&self) -> io::Result<Duration> {
        crate::procfs::thread_cpu(self.tid)
    }

    /// Starts opening `n` connections, spread in turn over the servers at `addrs`, with the counters reset;
    /// `shared.opened` and `shared.failed` tell how far it got.
    pub(crate) fn open(&mut self, addrs: &[SocketAddr], n: usize) {
        self.shared.reset();
        let gate = Arc::new(Semaphore::new(CONNECTING));
        for &addr in addrs.iter().cycle().take(n) {
            let alive = Alive::new(&self.shared);
            let gate = Arc::clone(&gate);
            self.tasks.push(self.handle.spawn(connection(addr, alive, gate)));
        }
    }

    /// Ends every connection, and waits (up to `deadline`) until their tasks are gone.
    pub(crate) fn close_all(&mut self, deadline: Duration) -> bool {
        for task in self.tasks.drain(..) {
            task.abort();
        }
        let start = Instant::now();
        while self.shared.alive.load(Ordering::SeqCst) > 0 {
            if start.elapsed() > deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

impl Drop for Clients {
    fn drop(&mut self) {
        self.close_all(Duration::from_secs(10));
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn connection(addr: SocketAddr, alive: Alive, gate: Arc<Semaphore>) {
    let shared = &alive.0;
    let Ok(permit) = gate.acquire_owned().await else { return };
    let (stream, buf) = match open(addr).await {
        Ok(opened) => opened,
        Err(e) => {
            shared.failed.fetch_add(1, Ordering::SeqCst);
            shared.error(format!("open: {e}"));
            return;
        }
    };
    shared.opened.fetch_add(1, Ordering::SeqCst);
    drop(permit);
    if let Err(e) = read_events(stream, buf, shared).await {
        shared.error(format!("read: {e}"));
    }
    shared.closed.fetch_add(1, Ordering::SeqCst);
}

/// Connects, sends the request and reads the response head: the stream, and what was read past the head.
async fn open(addr: SocketAddr) -> io::Result<(TcpStream, BytesMut)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(REQUEST).await?;
    let mut buf = BytesMut::with_capacity(READ_SIZE);
    loop {
        if stream.read_buf(&mut buf).await? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed before the response head"));
        }
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&buf).map_err(io::Error::other)? {
            httparse::Status::Complete(len) => {
                if response.code != Some(200) {
                    return Err(io::Error::other(format!("status {:?}", response.code)));
                }
                let chunked = response.headers.iter().any(|header| {
                    header.name.eq_ignore_ascii_case("transfer-encoding")
                        && header.value.eq_ignore_ascii_case(b"chunked")
                });
                if !chunked {
                    return Err(io::Error::other("the response body is not chunked"));
                }
                buf.advance(len);
                return Ok((stream, buf));
            }
            httparse::Status::Partial => buf.reserve(READ_SIZE),
        }
    }
}

/// Reads the chunked body to its end, handing every frame to `shared`.
async fn read_events(mut stream: TcpStream, mut buf: BytesMut, shared: &Shared) -> io::Result<()> {
    let mut chunks = Chunked::default();
    let mut body = BytesMut::new();
    let mut decoder = Decoder::new();
    loop {
        let ended = chunks.take(&mut buf, &mut body)?;
        while let Some(frame) = decoder.decode(&mut body).map_err(io::Error::other)? {
            shared.frame(frame);
        }
        if ended {
            return Ok(());
        }
        buf.reserve(READ_SIZE);
        if stream.read_buf(&mut buf).await? == 0 {
            return Ok(());
        }
    }
}

/// Where a chunked body is (RFC 9112, section 7.1): within a chunk's data, or before its closing CRLF, or
/// before the next chunk's size line.
#[derive(Debug, Default)]
struct Chunked {
    /// Bytes of the current chunk's data still to come.
    remaining: u64,
    /// The CRLF after a chunk's data is still to come.
    crlf: bool,
}

impl Chunked {
    /// Moves the body's bytes from the front of `wire` to `body`, leaving an unfinished size line or CRLF in
    /// `wire`; `Ok(true)` once the last chunk has been read.
    fn take(&mut self, wire: &mut BytesMut, body: &mut BytesMut) -> io::Result<bool> {
        loop {
            if self.remaining > 0 {
                let take = usize::try_from(self.remaining).unwrap_or(usize::MAX).min(wire.len());
                if take == 0 {
                    return Ok(false);
                }
                body.extend_from_slice(&wire.split_to(take));
                self.remaining -= take as u64;
                self.crlf = self.remaining == 0;
            } else if self.crlf {
                if wire.len() < 2 {
                    return Ok(false);
                }
                if &wire[..2] != b"\r\n" {
                    return Err(io::Error::other("no CRLF after a chunk"));
                }
                wire.advance(2);
                self.crlf = false;
            } else {
                match httparse::parse_chunk_size(wire).map_err(|_| io::Error::other("bad chunk size"))? {
                    httparse::Status::Complete((len, 0)) => {
                        wire.advance(len);
                        return Ok(true);
                    }
                    httparse::Status::Complete((len, size)) => {
                        wire.advance(len);
                        self.remaining = size;
                    }
                    httparse::Status::Partial => return Ok(false),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_body_in_pieces() {
        let wire = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        // Every split before the last chunk's size line is complete.
        for split in 0..24 {
            let mut chunks = Chunked::default();
            let mut body = BytesMut::new();
            let mut buf = BytesMut::from(&wire[..split]);
            assert!(!chunks.take(&mut buf, &mut body).unwrap());
            buf.extend_from_slice(&wire[split..]);
            assert!(chunks.take(&mut buf, &mut body).unwrap());
            assert_eq!(&body[..], b"hello world");
        }
    }
}
