//! One adapter path on one corpus in a loop, for `callgrind` (instruction counts are steady where the clock
//! is not): `cargo run --release -p sse-codec-benches --example adapter_profile -- <core|sink|body> <llm|notify> <passes>`.
//! Compare two paths by the instructions of their runs less a run of 0 passes (the setup).

use std::io;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use futures::{Sink, Stream, stream};
use sse_codec::Event;
use sse_codec_benches::CORPUS_LEN;
use sse_codec_benches::corpus::{llm, notify};
use sse_codec_benches::encode;
use sse_codec_tokio::{EventBody, EventSink};
use tokio::io::AsyncWrite;

/// A writer that takes every byte and keeps none.
struct Discard;

impl AsyncWrite for Discard {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: adapter_profile <core|sink|body> <llm|notify> <passes>";
    let (path, corpus, passes) = match &args[1..] {
        [path, corpus, passes] => (path.as_str(), corpus.as_str(), passes.parse::<usize>().expect(usage)),
        _ => panic!("{usage}"),
    };
    let generate = match corpus {
        "llm" => llm,
        "notify" => notify,
        _ => panic!("{usage}"),
    };
    let events = encode::events_of(&generate(CORPUS_LEN)).expect("our decoder reads every corpus");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
    let _entered = runtime.enter();
    let mut cx = Context::from_waker(Waker::noop());
    let mut core_buf = BytesMut::new();
    let mut total = 0;
    for _ in 0..passes {
        let events = events.clone();
        match path {
            "none" => drop(events),
            "core" => {
                core_buf.clear();
                for event in events {
                    event.encode(&mut core_buf).unwrap();
                }
                total += core_buf.len();
            }
            "sink" => {
                let mut sink = EventSink::new(Discard);
                for event in events {
                    assert!(Sink::<Event>::poll_ready(Pin::new(&mut sink), &mut cx).is_ready());
                    Pin::new(&mut sink).start_send(event).unwrap();
                }
                assert!(Sink::<Event>::poll_flush(Pin::new(&mut sink), &mut cx).is_ready());
            }
            "body" => {
                let mut chunks = Vec::new();
                let mut body = pin!(EventBody::new(stream::iter(events)));
                while let Poll::Ready(Some(chunk)) = body.as_mut().poll_next(&mut cx) {
                    chunks.push(chunk.unwrap());
                }
                total += chunks.len();
            }
            _ => panic!("{usage}"),
        }
    }
    println!("{path} {corpus} x{passes}: {} events, {total}", events.len());
}
