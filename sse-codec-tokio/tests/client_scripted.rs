//! `EventSource` over a scripted `Connect` on tokio's paused clock: the delays, the classification of
//! responses, and the `Last-Event-ID` each request carries, exactly.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt, stream};
use sse_codec_tokio::client::{Backoff, EventSource, Options, Response, SourceError, SourceItem, UnsendableId};
use sse_codec_tokio::{Connect, EventId, Limits};
use tokio::time::Instant;

type Body = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;
type Item = Result<SourceItem<io::Error>, SourceError<io::Error>>;

/// One scripted answer to a request.
enum Step {
    /// The transport fails to connect.
    Refuse,
    /// A response: status, content type, `Retry-After`, the body's chunks, and how the body ends.
    Respond { status: u16, content_type: Option<&'static str>, retry_after: Option<Duration>, body: Body },
}

/// A 200 `text/event-stream` response whose body is `chunks` and then its end.
fn ok(chunks: &[&'static str]) -> Step {
    let chunks: Vec<_> = chunks.iter().map(|chunk| Ok(Bytes::from_static(chunk.as_bytes()))).collect();
    Step::Respond {
        status: 200,
        content_type: Some("text/event-stream"),
        retry_after: None,
        body: Box::pin(stream::iter(chunks)),
    }
}

/// A 200 `text/event-stream` response whose body is `chunks` and then fails.
fn cut(chunks: &[&'static str]) -> Step {
    let mut chunks: Vec<_> = chunks.iter().map(|chunk| Ok(Bytes::from_static(chunk.as_bytes()))).collect();
    chunks.push(Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset")));
    Step::Respond {
        status: 200,
        content_type: Some("text/event-stream"),
        retry_after: None,
        body: Box::pin(stream::iter(chunks)),
    }
}

/// A 200 `text/event-stream` response whose body is `chunks` and then nothing, for ever.
fn hang(chunks: &[&'static str]) -> Step {
    let chunks: Vec<_> = chunks.iter().map(|chunk| Ok(Bytes::from_static(chunk.as_bytes()))).collect();
    let body = stream::iter(chunks).chain(stream::pending());
    Step::Respond { status: 200, content_type: Some("text/event-stream"), retry_after: None, body: Box::pin(body) }
}

/// A response with `status` and an empty body.
fn status(status: u16, retry_after: Option<Duration>) -> Step {
    Step::Respond { status, content_type: Some("text/event-stream"), retry_after, body: Box::pin(stream::empty()) }
}

/// The requests a script saw.
type Requests = Arc<Mutex<Vec<Request>>>;

/// What the script saw of one request: when it came (from the start), and its `Last-Event-ID`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Request {
    at: Duration,
    last_event_id: Option<String>,
}

/// A `Connect` that answers from `steps` (204 once they run out) and records each request.
fn script(steps: Vec<Step>) -> (impl Connect<Body = Body, Error = io::Error>, Requests) {
    let start = Instant::now();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    let mut steps = VecDeque::from(steps);
    let connect = move |last_event_id: Option<&[u8]>| {
        let last_event_id = last_event_id.map(|id| String::from_utf8(id.to_vec()).unwrap());
        log.lock().unwrap().push(Request { at: start.elapsed(), last_event_id });
        std::future::ready(match steps.pop_front().unwrap_or_else(|| status(204, None)) {
            Step::Refuse => Err(io::Error::new(io::ErrorKind::ConnectionRefused, "refused")),
            Step::Respond { status, content_type, retry_after, body } => {
                let mut response = Response::new(status, body);
                if let Some(content_type) = content_type {
                    response = response.content_type(content_type);
                }
                if let Some(retry_after) = retry_after {
                    response = response.retry_after(retry_after);
                }
                Ok(response)
            }
        })
    };
    (connect, requests)
}

/// Options without jitter, so that delays are exact.
fn exact() -> Options {
    Options::default().policy(Backoff::default().jitter(false))
}

/// Every item until the end.
async fn run(source: EventSource<impl Connect<Error = io::Error>>) -> Vec<Item> {
    source.collect().await
}

/// The delays of the `Retrying` items.
fn delays(items: &[Item]) -> Vec<Duration> {
    items
        .iter()
        .filter_map(|item| match item {
            Ok(SourceItem::Retrying { delay, .. }) => Some(*delay),
            _ => None,
        })
        .collect()
}

/// The data of the events.
fn data(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Ok(SourceItem::Event(event)) => Some(event.data_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn times(requests: &Requests) -> Vec<Duration> {
    requests.lock().unwrap().iter().map(|request| request.at).collect()
}

fn ids(requests: &Requests) -> Vec<Option<String>> {
    requests.lock().unwrap().iter().map(|request| request.last_event_id.clone()).collect()
}

#[tokio::test(start_paused = true)]
async fn delays_follow_retry_then_double_up_to_the_cap_and_reset_after_a_healthy_connection() {
    let steps = vec![
        Step::Refuse,               // first failure: the default 3 s
        Step::Refuse,               // 6 s, capped at 5 s
        ok(&["retry: 500\n\n"]),    // opens but delivers nothing: 500 ms * 4 = 2 s
        Step::Refuse,               // 4 s
        Step::Refuse,               // 8 s, capped
        ok(&["data: healthy\n\n"]), // healthy: back to 500 ms
        Step::Refuse,               // 1 s
    ];
    let (connect, requests) = script(steps);
    let policy = Backoff::default().jitter(false).max_delay(Duration::from_secs(5));
    let items = run(EventSource::with_options(connect, Options::default().policy(policy))).await;
    assert_eq!(delays(&items), [ms(3000), ms(5000), ms(2000), ms(4000), ms(5000), ms(500), ms(1000)]);
    let mut at = Duration::ZERO;
    let mut expected = vec![at];
    for delay in delays(&items) {
        at += delay;
        expected.push(at);
    }
    assert_eq!(times(&requests), expected, "each request waits exactly the delay announced");
    assert!(matches!(items.last(), Some(Ok(SourceItem::Closed))));
}

#[tokio::test(start_paused = true)]
async fn seeded_jitter_is_reproducible_between_half_and_all_of_the_doubled_delay() {
    async fn jittered(seed: u64) -> (Vec<Duration>, Vec<Duration>) {
        let (connect, requests) = script((0..6).map(|_| Step::Refuse).collect());
        let policy = Backoff::default().seed(seed).max_delay(Duration::from_secs(1000));
        let items = run(EventSource::with_options(connect, Options::default().policy(policy))).await;
        (delays(&items), times(&requests))
    }
    let (delays, times) = jittered(1).await;
    assert_eq!((delays.clone(), times.clone()), jittered(1).await);
    assert_ne!(delays, jittered(2).await.0);
    assert_eq!(delays[0], Duration::from_secs(3), "the first retry waits the reconnection time itself");
    for (n, delay) in delays.iter().enumerate().skip(1) {
        let full = Duration::from_secs(3) * 2u32.pow(n as u32);
        assert!(*delay >= full / 2 && *delay <= full, "delay {n}: {delay:?} not within {:?}..={full:?}", full / 2);
    }
    let waited: Vec<_> = times.windows(2).map(|pair| pair[1] - pair[0]).collect();
    assert_eq!(waited, delays);
}

#[tokio::test(start_paused = true)]
async fn retry_zero_waits_at_least_the_floor() {
    let steps = vec![ok(&["retry: 0\ndata: a\n\n"]), ok(&[]), ok(&[])];
    let (connect, requests) = script(steps);
    let items = run(EventSource::with_options(connect, exact())).await;
    assert_eq!(delays(&items), [Options::DEFAULT_MIN_DELAY; 3]);
    assert_eq!(times(&requests), [ms(0), ms(250), ms(500), ms(750)]);

    let (connect, requests) = script(vec![ok(&["retry: 0\ndata: a\n\n"])]);
    let items = run(EventSource::with_options(connect, exact().min_delay(ms(10)))).await;
    assert_eq!(delays(&items), [ms(10)]);
    assert_eq!(times(&requests), [ms(0), ms(10)]);
}

#[tokio::test(start_paused = true)]
async fn no_content_ends_the_source_for_good() {
    let (connect, requests) = script(vec![status(204, None), ok(&["data: never\n\n"])]);
    let mut source = EventSource::new(connect);
    assert!(matches!(source.next().await, Some(Ok(SourceItem::Closed))));
    assert!(source.next().await.is_none());
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(source.next().await.is_none());
    assert_eq!(requests.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_error_status_ends_the_source_with_an_error() {
    let (connect, requests) = script(vec![ok(&["data: a\n\n"]), status(500, None), ok(&["data: never\n\n"])]);
    let items = run(EventSource::new(connect)).await;
    let Some(Err(SourceError::Status(head))) = items.last() else { panic!("{items:?}") };
    assert_eq!(head.status, 500);
    assert_eq!(data(&items), ["a"]);
    assert_eq!(requests.lock().unwrap().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn another_content_type_ends_the_source_with_an_error() {
    let step = Step::Respond {
        status: 200,
        content_type: Some("text/html"),
        retry_after: None,
        body: Box::pin(stream::empty()),
    };
    let (connect, _) = script(vec![step]);
    let items = run(EventSource::new(connect)).await;
    assert!(
        matches!(&items[..], [Err(SourceError::ContentType(head))] if head.content_type.as_deref() == Some("text/html"))
    );
    let step = Step::Respond { status: 200, content_type: None, retry_after: None, body: Box::pin(stream::empty()) };
    let (connect, _) = script(vec![step]);
    assert!(matches!(&run(EventSource::new(connect)).await[..], [Err(SourceError::ContentType(_))]));
}

#[tokio::test(start_paused = true)]
async fn a_status_the_hook_picks_is_retried_after_retry_after_or_the_backoff() {
    let steps =
        vec![status(503, Some(Duration::from_secs(7))), status(429, None), ok(&["data: a\n\n"]), status(500, None)];
    let (connect, requests) = script(steps);
    let options = exact().retry_when(|head| matches!(head.status, 429 | 502 | 503));
    let items = run(EventSource::with_options(connect, options)).await;
    assert_eq!(delays(&items), [ms(7000), ms(6000), ms(3000)]);
    assert_eq!(times(&requests), [ms(0), ms(7000), ms(13000), ms(16000)]);
    assert_eq!(data(&items), ["a"]);
    assert!(matches!(items.last(), Some(Err(SourceError::Status(head))) if head.status == 500));

    let (connect, _) = script(vec![status(503, Some(Duration::from_secs(7)))]);
    let items = run(EventSource::new(connect)).await;
    assert!(matches!(&items[..], [Err(SourceError::Status(head))] if head.status == 503), "no hook, no retry");
}

#[tokio::test(start_paused = true)]
async fn last_event_id_is_absent_before_any_id_and_after_an_empty_one_and_exact_otherwise() {
    let steps = vec![
        ok(&["data: a\n\n"]),
        ok(&["id: 5\ndata: b\n\n"]),
        ok(&["id\ndata: c\n\n"]),
        ok(&["id: x y\n\n"]),
        ok(&["id: é\u{1F600}\ndata: d\n\n"]),
        ok(&["id:\n\n"]),
    ];
    let (connect, requests) = script(steps);
    let items = run(EventSource::with_options(connect, exact())).await;
    assert_eq!(data(&items), ["a", "b", "c", "d"]);
    let some = |id: &str| Some(id.to_owned());
    assert_eq!(ids(&requests), [None, None, some("5"), None, some("x y"), some("é\u{1F600}"), None]);
    let event_ids: Vec<_> = items
        .iter()
        .filter_map(|item| match item {
            Ok(SourceItem::Event(event)) => Some(event.id().map(|id| id.to_str_lossy().into_owned())),
            _ => None,
        })
        .collect();
    assert_eq!(event_ids, [None, some("5"), some(""), some("é\u{1F600}")]);
}

#[tokio::test(start_paused = true)]
async fn a_saved_id_is_sent_from_the_first_request() {
    let (connect, requests) = script(vec![ok(&["data: a\n\n"])]);
    let options = exact().last_event_id(EventId::new("41").unwrap());
    let items = run(EventSource::with_options(connect, options)).await;
    let Some(Ok(SourceItem::Event(event))) = items.get(1) else { panic!("{items:?}") };
    assert_eq!(event.id().unwrap(), "41");
    assert_eq!(ids(&requests), [Some("41".to_owned()), Some("41".to_owned())]);
}

#[tokio::test(start_paused = true)]
async fn an_id_a_header_cannot_carry_ends_the_source_or_is_omitted_and_spaces_are_trimmed() {
    let (connect, requests) = script(vec![ok(&["id:  7 \t\ndata: a\n\n"]), ok(&["id: a\u{1}b\ndata: b\n\n"]), ok(&[])]);
    let items = run(EventSource::with_options(connect, exact())).await;
    assert_eq!(data(&items), ["a", "b"]);
    let Some(Err(SourceError::UnsendableId(id))) = items.last() else { panic!("{items:?}") };
    assert_eq!(id.as_bytes(), b"a\x01b");
    assert_eq!(ids(&requests), [None, Some("7".to_owned())], "no request is sent for an unsendable id");

    let (connect, requests) = script(vec![ok(&["id: a\u{1}b\ndata: b\n\n"]), ok(&["data: c\n\n"])]);
    let items = run(EventSource::with_options(connect, exact().unsendable_id(UnsendableId::Omit))).await;
    assert_eq!(data(&items), ["b", "c"]);
    assert_eq!(ids(&requests), [None, None, None]);
}

#[tokio::test(start_paused = true)]
async fn an_event_cut_off_mid_way_is_dropped_and_the_next_request_resumes_after_the_last_whole_one() {
    let steps = vec![cut(&["id: 1\ndata: a\n\nid: 2\nda", "ta: b"]), ok(&["id: 2\ndata: b\n\n"])];
    let (connect, requests) = script(steps);
    let items = run(EventSource::with_options(connect, exact())).await;
    assert_eq!(data(&items), ["a", "b"]);
    assert_eq!(ids(&requests), [None, Some("1".to_owned()), Some("2".to_owned())]);
    assert!(matches!(&items[2], Ok(SourceItem::Retrying { error: SourceError::Stream(error), .. }) if error.is_body()));
}

#[tokio::test(start_paused = true)]
async fn an_endless_line_is_a_typed_error_and_a_reconnection_not_unbounded_memory() {
    let endless: Body = Box::pin(stream::repeat_with(|| Ok(Bytes::from(vec![b'x'; 1000]))));
    let line = Step::Respond { status: 200, content_type: Some("text/event-stream"), retry_after: None, body: endless };
    let (connect, requests) = script(vec![ok(&["id: 1\ndata: a\n\ndata: "]), line]);
    let options = exact().limits(Limits::default().max_line_len(64 << 10));
    let mut source = EventSource::with_options(connect, options);
    let mut items = Vec::new();
    while let Some(item) = source.next().await {
        items.push(item);
    }
    let errors: Vec<_> = items
        .iter()
        .filter_map(|item| match item {
            Ok(SourceItem::Retrying { error: SourceError::Stream(sse_codec_tokio::Error::Decode(error)), .. }) => {
                Some(*error)
            }
            _ => None,
        })
        .collect();
    assert!(matches!(errors[..], [sse_codec_tokio::DecodeError::LineTooLong { limit: 65536, .. }]), "{items:?}");
    assert_eq!(ids(&requests), [None, Some("1".to_owned()), Some("1".to_owned())]);
}

#[tokio::test(start_paused = true)]
async fn the_policy_gives_up_with_the_last_error() {
    let (connect, requests) = script((0..5).map(|_| Step::Refuse).collect());
    let options = exact().policy(Backoff::default().jitter(false).max_failures(3));
    let items = run(EventSource::with_options(connect, options)).await;
    assert_eq!(delays(&items), [ms(3000), ms(6000)]);
    let Some(Err(SourceError::GaveUp { failures: 3, last })) = items.last() else { panic!("{items:?}") };
    assert!(matches!(**last, SourceError::Connect(_)));
    assert_eq!(requests.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_close_handle_ends_the_source_while_connected_or_waiting() {
    let (connect, requests) = script(vec![hang(&["data: a\n\n"])]);
    let mut source = EventSource::new(connect);
    let close = source.close_handle();
    assert!(matches!(source.next().await, Some(Ok(SourceItem::Open))));
    assert!(matches!(source.next().await, Some(Ok(SourceItem::Event(_)))));
    let closer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        close.close();
    });
    assert!(source.next().await.is_none(), "the hanging connection is closed from the other task");
    closer.await.unwrap();
    assert_eq!(requests.lock().unwrap().len(), 1);

    let (connect, requests) = script(vec![Step::Refuse]);
    let mut source = EventSource::new(connect);
    assert!(matches!(source.next().await, Some(Ok(SourceItem::Retrying { .. }))));
    source.close_handle().close();
    assert!(source.next().await.is_none());
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(requests.lock().unwrap().len(), 1, "no request after the close");
}

#[tokio::test(start_paused = true)]
async fn next_is_cancel_safe() {
    let (connect, requests) = script(vec![ok(&["id: 1\ndata: a\n\n"]), Step::Refuse, ok(&["data: b\n\n"])]);
    let mut source = EventSource::with_options(connect, exact());
    let mut seen = Vec::new();
    loop {
        // A short timeout drops `next()` mid-wait many times over.
        match tokio::time::timeout(ms(700), source.next()).await {
            Ok(Some(Ok(SourceItem::Event(event)))) => seen.push(event.data_lossy().into_owned()),
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => break,
        }
    }
    assert_eq!(seen, ["a", "b"]);
    assert_eq!(times(&requests), [ms(0), ms(3000), ms(9000), ms(12000)]);
}

#[tokio::test(start_paused = true)]
async fn after_a_limit_error_the_next_request_resumes_before_the_events_it_cut_off() {
    // A line over the limit, then a whole event that the connection never delivers, in a chunk short enough
    // to be copied after the first. The reconnection must not send that event's ID, or the server would never
    // send the event again.
    let chunks = ["id: 1\ndata: a\n\ndata: xxxxxxxx", "xxxxxxxxxxxx\n\nid: 5\ndata: b\n\n"];
    let (connect, requests) = script(vec![ok(&chunks), ok(&["id: 5\ndata: b\n\n"])]);
    let items = run(EventSource::with_options(connect, exact().limits(Limits::default().max_line_len(16)))).await;
    assert_eq!(data(&items), ["a", "b"]);
    assert_eq!(ids(&requests), [None, Some("1".to_owned()), Some("5".to_owned())]);
}

#[cfg(feature = "reqwest")]
#[test]
fn a_reqwest_source_can_move_to_another_task() {
    fn send<T: Send>(_: &T) {}
    send(&EventSource::new(reqwest::Client::new().get("http://127.0.0.1:1/")));
}
