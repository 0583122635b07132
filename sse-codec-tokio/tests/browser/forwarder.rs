//! A TCP forwarder between the browser and the server, on 127.0.0.1: it passes bytes both ways as they come,
//! keeps a copy of them, and cuts its connections when the test says so. From the copy it tells which event
//! streams the browser asked for (with which `Last-Event-ID`) and which frames reached the browser.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use sse_codec::{Decoder, Frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// How the forwarder cuts a connection.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cut {
    /// Pass on half of the next piece the server sends (inside a frame), then close both sides.
    MidFrame,
    /// Reset the browser's side at once (TCP RST), wherever the stream is.
    Reset,
}

/// A request for the event stream, as the browser sent it.
#[derive(Clone, Debug)]
pub(crate) struct StreamRequest {
    pub(crate) last_event_id: Option<String>,
}

/// What one event-stream response carried to the browser.
#[derive(Debug)]
pub(crate) struct StreamResponse {
    pub(crate) frames: Vec<Frame>,
    /// The body ended with HTTP's end of chunks (the server ended it), rather than being cut.
    pub(crate) ended: bool,
    /// The body holds whole frames only: it is empty or ends with a frame's blank line.
    pub(crate) whole: bool,
}

pub(crate) struct Forwarder {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    /// Woken each time the server sends the browser something.
    sent_down: Arc<Notify>,
    accept: JoinHandle<()>,
}

#[derive(Default)]
struct Shared {
    connections: Vec<Connection>,
    requests: Vec<StreamRequest>,
}

#[derive(Default)]
struct Connection {
    up: Vec<u8>,
    /// How much of `up` has been read as request heads.
    up_parsed: usize,
    down: Vec<u8>,
    /// The last request on this connection asked for the event stream, and its response has not ended.
    streaming: bool,
    /// Present while the connection is open.
    cut: Option<oneshot::Sender<Cut>>,
}

impl Forwarder {
    /// Listens on a free loopback port and forwards every connection to `target`.
    pub(crate) async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let sent_down = Arc::new(Notify::new());
        let accept = tokio::spawn({
            let (shared, sent_down) = (shared.clone(), sent_down.clone());
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let (cut, cut_rx) = oneshot::channel();
                    let index = {
                        let mut shared = shared.lock().unwrap();
                        shared.connections.push(Connection { cut: Some(cut), ..Connection::default() });
                        shared.connections.len() - 1
                    };
                    tokio::spawn(relay(client, target, shared.clone(), sent_down.clone(), index, cut_rx));
                }
            }
        });
        Self { addr, shared, sent_down, accept }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Cuts every open connection that carries an event stream; returns how many it cut.
    pub(crate) fn cut_streams(&self, how: Cut) -> usize {
        let mut shared = self.shared.lock().unwrap();
        let mut cut = 0;
        for connection in &mut shared.connections {
            if connection.streaming {
                if let Some(sender) = connection.cut.take() {
                    cut += usize::from(sender.send(how).is_ok());
                }
            }
        }
        cut
    }

    /// Every request for `/events`, in the order they arrived.
    pub(crate) fn stream_requests(&self) -> Vec<StreamRequest> {
        self.shared.lock().unwrap().requests.clone()
    }

    /// Every event-stream response, decoded by the core from the bytes the browser was given.
    pub(crate) fn stream_responses(&self) -> Vec<StreamResponse> {
        let shared = self.shared.lock().unwrap();
        shared.connections.iter().flat_map(|connection| http::responses(&connection.down)).collect()
    }

    /// Waits until the event-stream responses satisfy `done`, looking again each time the server sends the
    /// browser something, and returns them; panics after `timeout` with `what` and the responses.
    pub(crate) async fn wait_for_responses(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&[StreamResponse]) -> bool,
    ) -> Vec<StreamResponse> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so that bytes sent in between still wake it.
            let mut sent = std::pin::pin!(self.sent_down.notified());
            sent.as_mut().enable();
            let responses = self.stream_responses();
            if done(&responses) {
                return responses;
            }
            if tokio::time::timeout_at(deadline, sent).await.is_err() {
                panic!("waited {timeout:?} for {what}: {responses:?}");
            }
        }
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut_streams(Cut::Reset);
    }
}

/// Moves bytes both ways between the browser (`client`) and the server until either side closes or a cut.
async fn relay(
    mut client: TcpStream,
    target: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    sent_down: Arc<Notify>,
    index: usize,
    mut cut_rx: oneshot::Receiver<Cut>,
) {
    let Ok(mut server) = TcpStream::connect(target).await else { return };
    let (mut up, mut down) = (vec![0; 16 * 1024], vec![0; 16 * 1024]);
    let mut mid_frame = false;
    loop {
        tokio::select! {
            how = &mut cut_rx, if !mid_frame => match how {
                Ok(Cut::Reset) => {
                    client.set_zero_linger().unwrap();
                    break;
                }
                Ok(Cut::MidFrame) => mid_frame = true,
                Err(_) => break,
            },
            read = client.read(&mut up) => {
                let Ok(n @ 1..) = read else { break };
                shared.lock().unwrap().record_up(index, &up[..n]);
                if server.write_all(&up[..n]).await.is_err() {
                    break;
                }
            }
            read = server.read(&mut down) => {
                let Ok(n @ 1..) = read else { break };
                let n = if mid_frame { n / 2 } else { n };
                shared.lock().unwrap().record_down(index, &down[..n]);
                sent_down.notify_waiters();
                if client.write_all(&down[..n]).await.is_err() || mid_frame {
                    break;
                }
            }
        }
    }
    shared.lock().unwrap().connections[index].cut = None;
}

impl Shared {
    /// Keeps the server's bytes, and notes when a chunked response ends (its last chunk, `0`, ends the read).
    fn record_down(&mut self, index: usize, bytes: &[u8]) {
        let connection = &mut self.connections[index];
        connection.down.extend_from_slice(bytes);
        if connection.down.ends_with(b"\r\n0\r\n\r\n") {
            connection.streaming = false;
        }
    }

    /// Keeps the browser's bytes and notes each complete request head (the browser only sends GETs here).
    fn record_up(&mut self, index: usize, bytes: &[u8]) {
        let connection = &mut self.connections[index];
        connection.up.extend_from_slice(bytes);
        while let Some(len) = http::head_len(&connection.up[connection.up_parsed..]) {
            let head = String::from_utf8_lossy(&connection.up[connection.up_parsed..][..len]).into_owned();
            connection.up_parsed += len;
            connection.streaming = head.starts_with("GET /events");
            if connection.streaming {
                let last_event_id = http::header(&head, "last-event-id").map(str::to_owned);
                self.requests.push(StreamRequest { last_event_id });
            }
        }
    }
}

/// Just enough HTTP/1.1 to read back what went through the forwarder.
mod http {
    use super::*;

    /// The length of a complete head (through its blank line) at the start of `bytes`.
    pub(super) fn head_len(bytes: &[u8]) -> Option<usize> {
        bytes.windows(4).position(|window| window == b"\r\n\r\n").map(|at| at + 4)
    }

    pub(super) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The event-stream responses in one connection's bytes from the server, each body decoded into frames.
    pub(super) fn responses(mut bytes: &[u8]) -> Vec<StreamResponse> {
        let mut responses = Vec::new();
        while let Some(len) = head_len(bytes) {
            let head = String::from_utf8_lossy(&bytes[..len]).into_owned();
            bytes = &bytes[len..];
            let event_stream = header(&head, "content-type") == Some("text/event-stream");
            let (body, ended) = if let Some(length) = header(&head, "content-length") {
                let length = length.parse::<usize>().unwrap().min(bytes.len());
                let body = bytes[..length].to_vec();
                bytes = &bytes[length..];
                (body, true)
            } else {
                assert_eq!(header(&head, "transfer-encoding"), Some("chunked"), "{head}");
                dechunk(&mut bytes)
            };
            if event_stream {
                let whole = body.is_empty() || body.ends_with(b"\n\n");
                responses.push(StreamResponse { frames: decode(body), ended, whole });
            }
        }
        responses
    }

    /// The body of a chunked response at the start of `bytes` (moved past it), and whether it was complete.
    fn dechunk(bytes: &mut &[u8]) -> (Vec<u8>, bool) {
        let mut body = Vec::new();
        loop {
            let Some(line) = bytes.windows(2).position(|window| window == b"\r\n") else { return (body, false) };
            let size = usize::from_str_radix(std::str::from_utf8(&bytes[..line]).unwrap(), 16).unwrap();
            let rest = &bytes[line + 2..];
            if rest.len() < size + 2 {
                body.extend_from_slice(&rest[..size.min(rest.len())]);
                *bytes = &[];
                return (body, false);
            }
            body.extend_from_slice(&rest[..size]);
            *bytes = &rest[size + 2..];
            if size == 0 {
                return (body, true);
            }
        }
    }

    /// The frames the core decodes from a body; an unfinished frame at its end is dropped, as a browser does.
    fn decode(body: Vec<u8>) -> Vec<Frame> {
        let mut decoder = Decoder::new();
        let mut buf = BytesMut::new();
        let mut chunk = Bytes::from(body);
        let mut frames = Vec::new();
        while let Some(frame) = decoder.decode_chunk(&mut buf, &mut chunk).unwrap() {
            frames.push(frame);
        }
        while let Some(frame) = decoder.decode_eof(&mut buf).unwrap() {
            frames.push(frame);
        }
        frames
    }
}
