//! Events per second through `sse_codec_tokio::EventSource` over reqwest, beside `reqwest-eventsource` (0.6, on
//! reqwest 0.12), both reading the same server on 127.0.0.1 in the same run.
//!
//! ```text
//! cargo run --release -p sse-codec-benches --bin client_rate -- [CORPUS] [ROUNDS] [COPIES]
//! ```
//!
//! The server (a thread of its own) answers every request with `text/event-stream` and writes the corpus
//! (default `llm`, 4 MiB) `COPIES` times (default 4) as fast as the socket takes it, then closes. Each round
//! reads one whole response with each client, in an order that alternates from round to round, and stops at
//! the corpus's last event; the speed-up is the median of the rounds' own ratios, which a machine's drift
//! moves less than the absolute figures. Both clients must count the events our decoder counts, or the run
//! fails.

use std::hint::black_box;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use sse_codec_benches::{CORPORA, CORPUS_LEN, decode};
use sse_codec_tokio::client::{EventSource, SourceItem};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const USAGE: &str = "usage: client_rate [CORPUS] [ROUNDS] [COPIES]";

fn main() -> ExitCode {
    match run(&std::env::args().skip(1).collect::<Vec<_>>()) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("client_rate: {error}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let corpus = args.first().map_or("llm", String::as_str);
    let rounds: usize = args.get(1).map_or(Ok(10), |n| n.parse()).map_err(|_| "ROUNDS is a number")?;
    let copies: usize = args.get(2).map_or(Ok(4), |n| n.parse()).map_err(|_| "COPIES is a number")?;
    let generate = CORPORA.iter().find(|(name, _)| *name == corpus).ok_or("unknown corpus")?.1;
    let body = Bytes::from(generate(CORPUS_LEN).repeat(copies));
    let events = decode(vec![body.clone()])?.events;

    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let server_body = body.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(serve(server_body, addr_tx));
    });
    let addr = addr_rx.recv().map_err(|_| "the server did not start")?;
    let url = format!("http://{addr}/events");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    runtime.block_on(async {
        // One round of each first, untimed, to open connections' code paths and check both count right.
        ours_once(&url, events).await?;
        theirs_once(&url, events).await?;
        for round in 0..rounds {
            let (a, b) = if round % 2 == 0 {
                let a = ours_once(&url, events).await?;
                (a, theirs_once(&url, events).await?)
            } else {
                let b = theirs_once(&url, events).await?;
                (ours_once(&url, events).await?, b)
            };
            ours.push(a);
            theirs.push(b);
            ratios.push(b.as_secs_f64() / a.as_secs_f64());
        }
        Ok::<_, String>(())
    })?;
    let rate = |times: &mut Vec<Duration>| events as f64 / median(times).as_secs_f64();
    let (ours_rate, theirs_rate) = (rate(&mut ours), rate(&mut theirs));
    ratios.sort_by(f64::total_cmp);
    let mut out = format!(
        "corpus {corpus}: {events} events, {} MiB per response, {rounds} rounds, median of each\n",
        body.len() >> 20
    );
    out += "| client | events/s | MiB/s |\n| --- | ---: | ---: |\n";
    for (name, rate) in [
        ("sse-codec-tokio EventSource (reqwest 0.13)", ours_rate),
        ("reqwest-eventsource 0.6 (reqwest 0.12)", theirs_rate),
    ] {
        let mib = rate * body.len() as f64 / events as f64 / f64::from(1 << 20);
        out += &format!("| {name} | {rate:.0} | {mib:.1} |\n");
    }
    out += &format!(
        "speed-up (median of the rounds' ratios): {:.2}x (rounds from {:.2}x to {:.2}x)\n",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
    Ok(out)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Answers every request with `body` as an event stream, written as fast as the socket takes it.
async fn serve(body: Bytes, addr: std::sync::mpsc::Sender<SocketAddr>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    addr.send(listener.local_addr().expect("an address")).expect("the bench waits for it");
    loop {
        let Ok((socket, _)) = listener.accept().await else { continue };
        tokio::spawn(respond(socket, body.clone()));
    }
}

async fn respond(mut socket: TcpStream, body: Bytes) -> std::io::Result<()> {
    // Read the request's head: nothing in it changes the answer.
    let mut head = Vec::new();
    let mut buf = [0; 4096];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n")
        .await?;
    socket.write_all(&body).await?;
    socket.shutdown().await
}

/// Reads one response through our `EventSource` up to its last event; answers the time it took.
async fn ours_once(url: &str, events: usize) -> Result<Duration, String> {
    let start = Instant::now();
    let mut source = EventSource::new(reqwest::Client::new().get(url));
    let mut seen = 0;
    while let Some(item) = source.next().await {
        match item.map_err(|error| format!("sse-codec-tokio: {error}"))? {
            SourceItem::Event(event) => {
                black_box(&event);
                seen += 1;
                if seen == events {
                    return Ok(start.elapsed());
                }
            }
            SourceItem::Retrying { error, .. } => return Err(format!("sse-codec-tokio after {seen} events: {error}")),
            _ => {}
        }
    }
    Err(format!("sse-codec-tokio ended after {seen} of {events} events"))
}

/// Reads one response through reqwest-eventsource up to its last event; answers the time it took.
async fn theirs_once(url: &str, events: usize) -> Result<Duration, String> {
    use reqwest_eventsource::Event;
    let start = Instant::now();
    let request = reqwest012::Client::new().get(url);
    let mut source = reqwest_eventsource::EventSource::new(request).map_err(|error| error.to_string())?;
    let mut seen = 0;
    while let Some(item) = source.next().await {
        match item.map_err(|error| format!("reqwest-eventsource after {seen} events: {error}"))? {
            Event::Message(message) => {
                black_box(&message);
                seen += 1;
                if seen == events {
                    source.close();
                    return Ok(start.elapsed());
                }
            }
            Event::Open => {}
        }
    }
    Err(format!("reqwest-eventsource ended after {seen} of {events} events"))
}
