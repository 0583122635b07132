//! The `floor` kind: the least a server must do to send one event to every open stream, for the fan-out
//! figures of the other kinds to be read against. No HTTP stack, no task per connection, no keep-alive: it
//! reads each request head itself, answers `GET /events` with a chunked event-stream head and keeps the
//! socket in one of as many lists as the runtime has worker threads (in turn), and for each `POST /publish`
//! encodes the event once with the core and frames it once as a body chunk, then has each list's writer
//! task, in the order published, write those bytes to each of its sockets with one non-blocking `write`:
//! every core writes at once.
//!
//! A socket that cannot take a write whole (its send buffer full: a client that stopped reading) is handed
//! to a task of its own that writes what is left and every later event in order, and this is counted on the
//! server's standard error, so that the floor never skips an event silently. Memory per connection is not a
//! figure of this kind: it holds no HTTP connection.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use sse_codec::Event;
use sse_codec::headers::RESPONSE_HEADERS;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The longest request head (and `POST /publish` body) read.
const MAX_REQUEST: usize = 8 << 10;

/// The response head every stream is answered with; the open event streams, in one list a worker thread,
/// each with its writer's queue of framed events; and how many streams have fallen behind.
#[derive(Debug)]
struct Streams {
    head: Vec<u8>,
    shards: Vec<(Mutex<Vec<Socket>>, mpsc::UnboundedSender<Chunk>)>,
    opened: AtomicU64,
    behind: AtomicU64,
}

/// One event framed as a chunk of the response body, shared by every stream it is written to.
type Chunk = Arc<[u8]>;

/// An open event stream.
#[derive(Debug)]
enum Socket {
    /// Written to directly.
    Ready(Arc<TcpStream>),
    /// Written to by a task, through this queue of the rest of a chunk (from an offset) and the next chunks.
    Behind(mpsc::UnboundedSender<(Chunk, usize)>),
}

/// Accepts connections on `listener` until the process ends.
pub(crate) async fn serve(listener: TcpListener) -> io::Result<()> {
    let workers = tokio::runtime::Handle::current().metrics().num_workers().max(1);
    let (queues, mut writers): (Vec<_>, Vec<_>) = (0..workers).map(|_| mpsc::unbounded_channel()).unzip();
    let shards = queues.into_iter().map(|queue| (Mutex::default(), queue)).collect();
    let streams =
        Arc::new(Streams { head: response_head(), shards, opened: AtomicU64::new(0), behind: AtomicU64::new(0) });
    for (shard, mut chunks) in writers.drain(..).enumerate() {
        let streams = Arc::clone(&streams);
        tokio::spawn(async move {
            while let Some(chunk) = chunks.recv().await {
                write_shard(&streams, shard, &chunk);
            }
        });
    }
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("load serve floor: accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let streams = Arc::clone(&streams);
        tokio::spawn(async move {
            if let Err(e) = connection(stream, &streams).await {
                eprintln!("load serve floor: {e}");
            }
        });
    }
}

/// Reads requests from one connection: a `GET /events` hands the socket to the list and ends the task; each
/// `POST /publish` sends its body to every stream and answers 204.
async fn connection(mut stream: TcpStream, streams: &Arc<Streams>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        let (head_len, path, content_length) = loop {
            if let Some(parsed) = parse_head(&buf)? {
                break parsed;
            }
            if buf.len() > MAX_REQUEST || read_more(&mut stream, &mut buf).await? == 0 {
                return Ok(());
            }
        };
        if path == "/events" {
            stream.write_all(&streams.head).await?;
            // In turn: no shard is more than one stream longer than another.
            let shard = streams.opened.fetch_add(1, Ordering::Relaxed) as usize % streams.shards.len();
            streams.shards[shard]
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Socket::Ready(Arc::new(stream)));
            return Ok(());
        }
        if path != "/publish" || content_length > MAX_REQUEST {
            stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await?;
            return Ok(());
        }
        while buf.len() < head_len + content_length {
            if read_more(&mut stream, &mut buf).await? == 0 {
                return Ok(());
            }
        }
        publish(streams, &buf[head_len..head_len + content_length]);
        buf.drain(..head_len + content_length);
        stream.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").await?;
    }
}

/// The head of an event-stream response with the core's [`RESPONSE_HEADERS`], its body chunked so that the
/// clients take it apart as they do hyper's.
fn response_head() -> Vec<u8> {
    let mut head = String::from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n");
    for (name, value) in RESPONSE_HEADERS {
        head += &format!("{name}: {value}\r\n");
    }
    head += "\r\n";
    head.into_bytes()
}

/// Appends what the socket has to `buf`: the number of bytes read, 0 at its end.
async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0; 1024];
    let read = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..read]);
    Ok(read)
}

/// The request head at the front of `buf`, once whole: its length, its path and its `content-length`.
fn parse_head(buf: &[u8]) -> io::Result<Option<(usize, String, usize)>> {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut request = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(head_len) = request.parse(buf).map_err(io::Error::other)? else {
        return Ok(None);
    };
    let content_length = request
        .headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case("content-length"))
        .and_then(|header| std::str::from_utf8(header.value).ok()?.trim().parse().ok())
        .unwrap_or(0);
    Ok(Some((head_len, request.path.unwrap_or("").to_owned(), content_length)))
}

/// Encodes `data` once as an event, frames it once as a body chunk, and queues it for every shard's writer.
fn publish(streams: &Streams, data: &[u8]) {
    let event = Event::new(Bytes::copy_from_slice(data)).to_bytes();
    let mut chunk = format!("{:x}\r\n", event.len()).into_bytes();
    chunk.extend_from_slice(&event);
    chunk.extend_from_slice(b"\r\n");
    let chunk: Chunk = chunk.into();
    for (_, queue) in &streams.shards {
        let _ = queue.send(Arc::clone(&chunk));
    }
}

/// Writes `chunk` to every stream of one shard: one non-blocking write a socket that keeps up. A stream whose
/// client has gone is dropped from the list.
fn write_shard(streams: &Streams, shard: usize, chunk: &Chunk) {
    let mut sockets = streams.shards[shard].0.lock().unwrap_or_else(PoisonError::into_inner);
    sockets.retain_mut(|socket| match socket {
        Socket::Ready(stream) => {
            let written = match stream.try_write(chunk) {
                Ok(written) if written == chunk.len() => return true,
                Ok(written) => written,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
                Err(_) => return false,
            };
            *socket = fall_behind(streams, Arc::clone(stream), (Arc::clone(chunk), written));
            true
        }
        Socket::Behind(queue) => queue.send((Arc::clone(chunk), 0)).is_ok(),
    });
}

/// Hands `stream` to a task that writes the rest of `first` and then whatever its queue brings, in order.
fn fall_behind(streams: &Streams, stream: Arc<TcpStream>, first: (Chunk, usize)) -> Socket {
    let count = streams.behind.fetch_add(1, Ordering::Relaxed) + 1;
    eprintln!("load serve floor: a stream fell behind ({count} so far)");
    let (queue, mut chunks) = mpsc::unbounded_channel();
    let _ = queue.send(first);
    tokio::spawn(async move {
        while let Some((chunk, mut written)) = chunks.recv().await {
            while written < chunk.len() {
                if stream.writable().await.is_err() {
                    return;
                }
                match stream.try_write(&chunk[written..]) {
                    Ok(n) => written += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => return,
                }
            }
        }
    });
    Socket::Behind(queue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_head_is_read_once_whole() {
        let request = b"POST /publish HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(parse_head(&request[..20]).unwrap(), None);
        let (head_len, path, content_length) = parse_head(request).unwrap().unwrap();
        assert_eq!((&request[head_len..], path.as_str(), content_length), (&b"hello"[..], "/publish", 5));
    }
}
