//! `EventSource` over a scripted `Connect` whose statuses, content types, body chunks and drops come from the
//! input, on tokio's paused clock, checked against a plain model of the reconnection rules: no panic, every
//! event the model says was complete delivered once and in order, each request with the `Last-Event-ID` the
//! model expects, the same end, and no delay under the floor.
//!
//! The input is bytes, so that seeds are readable: two bytes of settings (the line limit, 0 for the default;
//! bit 0 of the second: omit an unsendable ID instead of ending), then one segment per request, separated by
//! 0xFF. A segment's first byte says what the request gets (see [`Answer::from`]); the rest is the body, cut
//! into chunks at each 0xFE.

#![no_main]

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt, stream};
use libfuzzer_sys::fuzz_target;
use sse_codec::{Decoder, EventId, Frame, Limits};
use sse_codec_tokio::client::{Backoff, EventSource, Options, Response, SourceError, SourceItem, UnsendableId};

type Body = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;

const MIN_DELAY: Duration = Duration::from_millis(5);

/// What one request gets.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// 200 `text/event-stream`; the body ends cleanly or fails after its chunks.
    Open { fails: bool },
    /// The transport fails to connect.
    Refuse,
    /// A status (with `Retry-After` in seconds) and a content type.
    Status { status: u16, event_stream: bool, retry_after: Option<u64> },
}

impl From<u8> for Answer {
    fn from(byte: u8) -> Self {
        let status = |status, event_stream, retry_after| Self::Status { status, event_stream, retry_after };
        match byte % 16 {
            0..=7 => Self::Open { fails: byte & 1 == 1 },
            8 | 9 => Self::Refuse,
            10 => status(204, true, None),
            11 => status(503, false, Some(u64::from(byte >> 4))),
            12 => status(429, true, None),
            13 => status(500, true, None),
            14 => status(200, false, None),
            _ => status(301, true, None),
        }
    }
}

/// One scripted request: its answer and its body's chunks.
#[derive(Clone, Debug)]
struct Step {
    answer: Answer,
    chunks: Vec<Bytes>,
}

/// How the source ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Closed,
    Status(u16),
    ContentType,
    Unsendable(Vec<u8>),
}

/// What the client delivered, or the model expects.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    events: Vec<(Vec<u8>, Bytes, Option<Vec<u8>>)>,
    requests: Vec<Option<Vec<u8>>>,
    end: End,
}

/// The header a request carries for `id`, as the rules say: none for no ID or one empty once trimmed of
/// spaces and tabs, `Err` for one with a control byte.
fn header(id: Option<&[u8]>) -> Result<Option<Vec<u8>>, ()> {
    let Some(id) = id else { return Ok(None) };
    let start = id.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(id.len());
    let end = id.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(start, |last| last + 1);
    let value = &id[start..end.max(start)];
    if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(());
    }
    Ok(if value.is_empty() { None } else { Some(value.to_vec()) })
}

/// The model: each opened body decoded whole from the last event ID so far, up to its first error; what it
/// leaves unfinished dropped.
fn model(steps: &[Step], limits: Limits, omit: bool) -> Run {
    let (mut events, mut requests) = (Vec::new(), Vec::new());
    let mut last: Option<EventId> = None;
    let end_of_script =
        Step { answer: Answer::Status { status: 204, event_stream: true, retry_after: None }, chunks: Vec::new() };
    for step in steps.iter().chain([&end_of_script]) {
        match header(last.as_ref().map(EventId::as_bytes)) {
            Ok(value) => requests.push(value),
            Err(()) if omit => requests.push(None),
            Err(()) => return Run { events, requests, end: End::Unsendable(last.unwrap().as_bytes().to_vec()) },
        }
        match step.answer {
            Answer::Refuse => {}
            Answer::Open { .. } | Answer::Status { status: 200, event_stream: true, .. } => {
                let mut decoder = Decoder::with_limits(limits);
                if let Some(id) = last.clone() {
                    decoder = decoder.with_last_event_id(id);
                }
                let mut buf = BytesMut::new();
                for chunk in &step.chunks {
                    buf.extend_from_slice(chunk);
                }
                while let Ok(Some(frame)) = decoder.decode(&mut buf) {
                    if let Frame::Event(event) = frame {
                        let id = event.id().map(|id| id.as_bytes().to_vec());
                        events.push((event.event_type().as_bytes().to_vec(), event.data().clone(), id));
                    }
                }
                last = decoder.last_event_id().cloned();
            }
            Answer::Status { status: 204, .. } => return Run { events, requests, end: End::Closed },
            Answer::Status { status: 429 | 503, .. } => {}
            Answer::Status { status: 200, .. } => return Run { events, requests, end: End::ContentType },
            Answer::Status { status, .. } => return Run { events, requests, end: End::Status(status) },
        }
    }
    unreachable!("the script ends with 204")
}

/// The client over the script, on a paused clock.
fn client(steps: &[Step], limits: Limits, omit: bool) -> Run {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    let mut script: VecDeque<Step> = steps.iter().cloned().collect();
    let connect = move |id: Option<&[u8]>| {
        log.lock().unwrap().push(id.map(<[u8]>::to_vec));
        let step = script.pop_front().unwrap_or(Step {
            answer: Answer::Status { status: 204, event_stream: true, retry_after: None },
            chunks: Vec::new(),
        });
        let chunks = stream::iter(step.chunks.into_iter().map(Ok));
        std::future::ready(match step.answer {
            Answer::Refuse => Err(io::Error::other("refused")),
            Answer::Open { fails } => {
                let cut = fails.then(|| Err(io::Error::other("cut")));
                let body: Body = Box::pin(chunks.chain(stream::iter(cut)));
                Ok(Response::new(200, body).content_type("text/event-stream"))
            }
            Answer::Status { status, event_stream, retry_after } => {
                let body: Body = Box::pin(chunks);
                let mut response = Response::new(status, body);
                if event_stream {
                    response = response.content_type("text/event-stream; charset=utf-8");
                }
                if let Some(seconds) = retry_after {
                    response = response.retry_after(Duration::from_secs(seconds));
                }
                Ok(response)
            }
        })
    };
    let options = Options::default()
        .min_delay(MIN_DELAY)
        .limits(limits)
        .policy(Backoff::default().seed(1))
        .retry_when(|head| matches!(head.status, 429 | 503))
        .unsendable_id(if omit { UnsendableId::Omit } else { UnsendableId::End });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    let (events, end) = runtime.block_on(async move {
        let mut source = EventSource::with_options(connect, options);
        let mut events = Vec::new();
        let end = loop {
            match source.next().await.expect("the source ends with an item saying why") {
                Ok(SourceItem::Event(event)) => {
                    let id = event.id().map(|id| id.as_bytes().to_vec());
                    events.push((event.event_type().as_bytes().to_vec(), event.data().clone(), id));
                }
                Ok(SourceItem::Retrying { delay, .. }) => assert!(delay >= MIN_DELAY, "{delay:?} under the floor"),
                Ok(SourceItem::Open) => {}
                Ok(SourceItem::Closed) => break End::Closed,
                Err(SourceError::Status(head)) => break End::Status(head.status),
                Err(SourceError::ContentType(_)) => break End::ContentType,
                Err(SourceError::UnsendableId(id)) => break End::Unsendable(id.as_bytes().to_vec()),
                other => panic!("unexpected {other:?}"),
            }
        };
        assert!(source.next().await.is_none(), "an item after the end");
        (events, end)
    });
    let requests = requests.lock().unwrap().clone();
    Run { events, requests, end }
}

fuzz_target!(|input: &[u8]| {
    let [limit, flags, script @ ..] = input else { return };
    let limits = match *limit {
        0 => Limits::default(),
        n => Limits::default().max_line_len(usize::from(n)).max_event_len(4 * usize::from(n)),
    };
    let omit = flags & 1 == 1;
    let steps: Vec<Step> = script
        .split(|&b| b == 0xff)
        .filter_map(|segment| {
            let (&kind, body) = segment.split_first()?;
            Some(Step {
                answer: Answer::from(kind),
                chunks: body.split(|&b| b == 0xfe).map(Bytes::copy_from_slice).collect(),
            })
        })
        .take(64)
        .collect();
    assert_eq!(client(&steps, limits, omit), model(&steps, limits, omit));
});
