//! A real axum server on 127.0.0.1 streams frames with pauses between them, and a real reqwest client reads
//! them through `EventStream`: each frame comes out before the server sends the next one (the server waits
//! for the client to say it has the frame, so a frame held back for a later chunk would stall the test), and
//! the frames are the ones the server encoded.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use sse_codec::headers::RESPONSE_HEADERS;
use sse_codec::{Event, EventId, EventType, Frame};
use sse_codec_tokio::EventStream;
use tokio::sync::{Mutex, mpsc};

/// How long any one step may take before the test fails: generous, for a loaded machine.
const DEADLINE: Duration = Duration::from_secs(20);

fn frames() -> Vec<Frame> {
    let id = |id: &str| EventId::new(id.to_owned()).unwrap();
    vec![
        Frame::Retry(2000),
        Frame::Comment("hello".into()),
        Frame::Event(
            Event::new(r#"{"token":"Hel"}"#).with_event_type(EventType::from_static("delta")).with_id(id("1")),
        ),
        Frame::Event(Event::new("two\nlines").with_id(id("2"))),
        Frame::Comment(Bytes::new()),
        Frame::Event(Event::new("x".repeat(5000)).with_id(id("3"))),
        Frame::Event(Event::new("").with_id(id("4"))),
        Frame::Event(Event::new("last").with_event_type(EventType::from_static("done")).with_id(id("5"))),
    ]
}

/// The server's side: the frames, each sent once the client has acknowledged the one before, and how many
/// it has sent so far.
struct Script {
    acks: Mutex<mpsc::UnboundedReceiver<()>>,
    sent: AtomicUsize,
}

async fn events(State(script): State<Arc<Script>>) -> Response {
    let body = writes(script);
    let mut response = Response::new(Body::from_stream(body));
    for (name, value) in RESPONSE_HEADERS {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// Each frame encoded, in two writes with a pause between them (so that the client sees it arrive in pieces)
/// and a pause before it, after the client's acknowledgement of the frame before.
fn writes(script: Arc<Script>) -> impl futures::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    let writes = frames().into_iter().enumerate().flat_map(|(i, frame)| {
        let mut encoded = BytesMut::new();
        frame.encode(&mut encoded).unwrap();
        let encoded = encoded.freeze();
        let half = encoded.len() / 2;
        [(i, true, encoded.slice(..half)), (i, false, encoded.slice(half..))]
    });
    futures::stream::iter(writes).then(move |(i, first_half, bytes)| {
        let script = script.clone();
        async move {
            if first_half && i > 0 {
                // The client has the frame before: only now is this one sent.
                script.acks.lock().await.recv().await.expect("the client acknowledges each frame");
            }
            // Pacing a real server, not waiting for a result.
            tokio::time::sleep(Duration::from_millis(5)).await;
            if !first_half {
                script.sent.store(i + 1, Ordering::SeqCst);
            }
            Ok(bytes)
        }
    })
}

#[tokio::test]
async fn each_event_arrives_before_the_next_is_sent_and_equals_what_was_encoded() {
    let (ack, acks) = mpsc::unbounded_channel();
    let script = Arc::new(Script { acks: Mutex::new(acks), sent: AtomicUsize::new(0) });
    let app = Router::new().route("/events", get(events)).with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let response = tokio::time::timeout(DEADLINE, reqwest::Client::new().get(&url).send()).await.unwrap().unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = EventStream::new(response.bytes_stream());
    for (i, expected) in frames().into_iter().enumerate() {
        let frame = tokio::time::timeout(DEADLINE, stream.next())
            .await
            .unwrap_or_else(|_| panic!("frame {i} did not come out: held back for a later chunk?"))
            .expect("not the end yet")
            .expect("no error");
        assert_eq!(frame, expected, "frame {i}");
        assert_eq!(script.sent.load(Ordering::SeqCst), i + 1, "the server sent more before frame {i} came out");
        if let Frame::Event(event) = &frame {
            assert_eq!(stream.last_event_id(), event.id());
        }
        ack.send(()).unwrap();
    }
    let end = tokio::time::timeout(DEADLINE, stream.next()).await.expect("the body ends");
    assert!(end.is_none(), "{end:?}");
    server.abort();
}
