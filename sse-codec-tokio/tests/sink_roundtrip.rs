//! Any sequence of events, comments and `retry` blocks sent through `EventSink` over a narrow pipe comes back
//! the same from `EventStream`.

use bytes::{Bytes, BytesMut};
use futures::{SinkExt, StreamExt, stream};
use proptest::prelude::*;
use sse_codec::{Event, EventId, EventType, Frame};
use sse_codec_tokio::{EventSink, EventStream, LARGE_PAYLOAD, Outgoing};
use tokio::io::AsyncReadExt;

#[derive(Clone, Debug)]
enum Item {
    Event {
        data: String,
        event_type: Option<String>,
        id: Option<String>,
    },
    Comment(String),
    Retry(u64),
    /// Sent with `feed` only, then flushed.
    Flush,
}

fn item() -> impl Strategy<Value = Item> {
    let data = prop_oneof![
        4 => "[a-z \\n\\r\\u{e9}]{0,40}",
        1 => (LARGE_PAYLOAD..3 * LARGE_PAYLOAD).prop_map(|n| "y\n".repeat(n / 2)),
        1 => (LARGE_PAYLOAD..3 * LARGE_PAYLOAD).prop_map(|n| "z".repeat(n)),
    ];
    prop_oneof![
        6 => (data, proptest::option::of("[a-z]{1,8}"), proptest::option::of("[a-z0-9]{0,5}"))
            .prop_map(|(data, event_type, id)| Item::Event { data, event_type, id }),
        1 => "[a-z ]{0,20}".prop_map(Item::Comment),
        1 => any::<u64>().prop_map(Item::Retry),
        1 => Just(Item::Flush),
    ]
}

/// What the receiver should see: line breaks become LF, an event carries the last ID in force.
fn expected(items: &[Item]) -> Vec<Frame> {
    let mut last_id: Option<String> = None;
    let mut frames = Vec::new();
    for item in items {
        match item {
            Item::Event { data, event_type, id } => {
                if id.is_some() {
                    last_id.clone_from(id);
                }
                let mut event = Event::new(data.replace("\r\n", "\n").replace('\r', "\n"));
                if let Some(t) = event_type {
                    event = event.with_event_type(EventType::new(t.clone()).unwrap());
                }
                if let Some(id) = &last_id {
                    event = event.with_id(EventId::new(id.clone()).unwrap());
                }
                frames.push(Frame::Event(event));
            }
            Item::Comment(text) => frames.push(Frame::Comment(Bytes::from(text.clone()))),
            Item::Retry(millis) => frames.push(Frame::Retry(*millis)),
            Item::Flush => {}
        }
    }
    frames
}

async fn round_trip(items: Vec<Item>, pipe: usize) -> Vec<Frame> {
    let (writer, reader) = tokio::io::duplex(pipe);
    let sending = tokio::spawn(async move {
        let mut sink = EventSink::new(writer);
        for item in items {
            let outgoing = match item {
                Item::Event { data, event_type, id } => {
                    let mut event = Event::new(data);
                    if let Some(t) = event_type {
                        event = event.with_event_type(EventType::new(t).unwrap());
                    }
                    if let Some(id) = id {
                        event = event.with_id(EventId::new(id).unwrap());
                    }
                    Outgoing::Event(event)
                }
                Item::Comment(text) => Outgoing::Comment(Bytes::from(text)),
                Item::Retry(millis) => Outgoing::Retry(millis),
                Item::Flush => {
                    sink.flush().await.unwrap();
                    continue;
                }
            };
            sink.feed(outgoing).await.unwrap();
        }
        sink.close().await.unwrap();
    });
    let chunks = stream::unfold(reader, |mut reader| async move {
        let mut chunk = BytesMut::with_capacity(64);
        match reader.read_buf(&mut chunk).await {
            Ok(0) => None,
            other => Some((other.map(|_| chunk.freeze()), reader)),
        }
    });
    let frames = EventStream::new(Box::pin(chunks)).map(Result::unwrap).collect().await;
    sending.await.unwrap();
    frames
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn what_the_sink_sends_the_stream_reads_back(items in proptest::collection::vec(item(), 0..24), pipe in 1usize..300) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let frames = runtime.block_on(round_trip(items.clone(), pipe));
        prop_assert_eq!(frames, expected(&items));
    }
}
