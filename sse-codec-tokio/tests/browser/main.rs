//! Scratch: the harness against a throwaway stream, until EventBody and Broadcaster land.

mod forwarder;
mod webdriver;

use std::time::Duration;

use axum::response::{Html, IntoResponse};
use axum::routing::get;
use bytes::{Bytes, BytesMut};
use forwarder::{Cut, Forwarder};
use sse_codec::{Event, EventId, EventRef};

async fn events(headers: axum::http::HeaderMap) -> impl IntoResponse {
    let start: u64 = headers.get("last-event-id").and_then(|v| v.to_str().ok()?.parse().ok()).map_or(1, |n: u64| n + 1);
    let stream = futures::stream::unfold(start, move |n| async move {
        if n > start { tokio::time::sleep(Duration::from_millis(100)).await; }
        if n >= start + 15 { return None; }
        let mut out = BytesMut::new();
        if n == start { EventRef::retry(500).encode(&mut out).unwrap(); }
        Event::new(format!("tick {n}")).with_id(EventId::new(n.to_string()).unwrap()).encode(&mut out).unwrap();
        Some((Ok::<Bytes, std::io::Error>(out.freeze()), n + 1))
    });
    ([("content-type", "text/event-stream"), ("cache-control", "no-cache")], axum::body::Body::from_stream(stream))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scratch() {
    let (chromium, driver) = match webdriver::find_programs() { Ok(p) => p, Err(e) => { eprintln!("SKIPPED: {e}"); return; } };
    let app = axum::Router::new().route("/", get(|| async { Html(include_str!("../../examples/server/page.html")) })).route("/events", get(events));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let fwd = Forwarder::start(addr).await;
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let t0 = std::time::Instant::now();
    let driver = webdriver::Chromedriver::start(&driver, &tmp.join("chromedriver.log")).await;
    let session = driver.session(&chromium, &tmp.join("profile")).await;
    eprintln!("session in {:?}", t0.elapsed());
    session.set_window_size(1000, 700).await;
    session.goto(&format!("http://{}/", fwd.addr())).await;
    session.wait_for("events", Duration::from_secs(10), "return window.sseLog.length", |v| v.as_u64().unwrap() > 8).await;
    eprintln!("cut {}", fwd.cut_streams(Cut::MidFrame));
    tokio::time::sleep(Duration::from_secs(2)).await;
    eprintln!("cut {}", fwd.cut_streams(Cut::Reset));
    tokio::time::sleep(Duration::from_secs(4)).await;
    let log = session.execute("return window.sseLog").await;
    for e in log.as_array().unwrap() { eprintln!("{e}"); }
    eprintln!("{:?}", fwd.stream_requests());
    for r in fwd.stream_responses() { eprintln!("ended {} frames {}", r.ended, r.frames.len()); }
    let png = session.screenshot().await;
    std::fs::write(tmp.join("scratch.png"), &png).unwrap();
    eprintln!("png {} bytes", png.len());
    session.close().await;
}
