//! A model check of `Broadcaster` on a multi-threaded runtime: a sender and several clients run at once, each
//! client following a random script of reads, pauses and cuts, and reconnecting with the last ID it saw after
//! a cut or after being ended for lagging. Every client, joining its connections, must see exactly the IDs sent
//! after the point it first subscribed from, in order, once; or be told by `Replay::Lost` that an ID was lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::Duration;

use futures::StreamExt;
use proptest::prelude::*;
use sse_codec_tokio::{BroadcastConfig, Broadcaster, Ended, Event, Replay};

#[derive(Clone, Debug)]
enum Step {
    Read(u8),
    Pause(u8),
    Cut,
}

#[derive(Clone, Debug)]
struct Client {
    /// The first subscription's `Last-Event-ID`.
    from: Option<u64>,
    steps: Vec<Step>,
}

#[derive(Clone, Debug)]
struct Case {
    max_events: usize,
    max_bytes: usize,
    events: u64,
    send_pauses: Vec<u8>,
    clients: Vec<Client>,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![4 => (1..12u8).prop_map(Step::Read), 2 => (0..20u8).prop_map(Step::Pause), 1 => Just(Step::Cut)]
}

fn case() -> impl Strategy<Value = Case> {
    (1..40usize, 40..2000usize, 20..300u64).prop_flat_map(|(max_events, max_bytes, events)| {
        let client = (prop::option::of(0..events + 5), (1..12u8), prop::collection::vec(step(), 0..8)).prop_map(
            |(from, first, mut steps)| {
                steps.insert(0, Step::Read(first));
                Client { from, steps }
            },
        );
        (prop::collection::vec(0..4u8, 1..16), prop::collection::vec(client, 1..8))
            .prop_map(move |(send_pauses, clients)| Case { max_events, max_bytes, events, send_pauses, clients })
    })
}

/// One connection of a client, as the client saw it.
#[derive(Debug)]
struct Connection {
    from: Option<u64>,
    replay: Replay,
    /// Sends finished before subscribing, and sends started after: the log's end lay between.
    completed_before: u64,
    started_after: u64,
    /// Where this connection's IDs start in the client's list.
    first_seen: usize,
}

fn id_of(frame: &[u8]) -> u64 {
    let text = std::str::from_utf8(frame).unwrap();
    text.lines().find_map(|line| line.strip_prefix("id: ")).unwrap().parse().unwrap()
}

async fn pause(yields: u8) {
    for _ in 0..yields {
        tokio::task::yield_now().await;
    }
}

async fn run_client(
    broadcaster: Broadcaster,
    client: Client,
    started: Arc<AtomicU64>,
    completed: Arc<AtomicU64>,
) -> (Vec<u64>, Vec<Connection>) {
    let mut seen: Vec<u64> = Vec::new();
    let mut connections = Vec::new();
    let mut from = client.from;
    let mut steps = client.steps.iter().cycle();
    loop {
        let completed_before = completed.load(SeqCst);
        let mut subscription = broadcaster.subscribe(from.map(|id| id.to_string()).as_deref());
        let started_after = started.load(SeqCst);
        let replay = subscription.replay();
        connections.push(Connection { from, replay, completed_before, started_after, first_seen: seen.len() });
        let ended = 'connection: loop {
            match steps.next().unwrap() {
                Step::Read(n) => {
                    for _ in 0..*n {
                        match subscription.next().await {
                            Some(frame) => seen.push(id_of(&frame)),
                            None => break 'connection subscription.ended(),
                        }
                    }
                }
                Step::Pause(yields) => pause(*yields).await,
                Step::Cut => break 'connection None,
            }
        };
        drop(subscription);
        // A browser reconnects with the last ID it saw, or the one it had.
        from = seen.last().copied().or(from);
        if ended == Some(Ended::Closed) {
            return (seen, connections);
        }
    }
}

fn check(case: &Case, client: &Client, seen: &[u64], connections: &[Connection]) -> Result<(), TestCaseError> {
    let max_events = case.max_events as u64;
    for (i, connection) in connections.iter().enumerate() {
        let end = connections.get(i + 1).map_or(seen.len(), |next| next.first_seen);
        let ids = &seen[connection.first_seen..end];
        // Within a connection: in order, once, no gap.
        for pair in ids.windows(2) {
            prop_assert_eq!(pair[1], pair[0] + 1, "gap or repeat within a connection: {:?}", ids);
        }
        let Some(&first) = ids.first() else { continue };
        match (connection.from, connection.replay) {
            (Some(from), Replay::Resumed { .. }) => prop_assert_eq!(first, from + 1, "resumed at the wrong place"),
            (_, Replay::Live | Replay::Lost) => {
                // Starts with the first event sent after subscribing: not one sent before, none skipped.
                prop_assert!(first > connection.completed_before && first <= connection.started_after + 1);
            }
            (None, Replay::Resumed { .. }) => prop_assert!(false, "resumed without an ID"),
            (_, replay) => prop_assert!(false, "unexpected {:?}", replay),
        }
    }
    for connection in connections {
        if let (Some(from), Replay::Resumed { .. }) = (connection.from, connection.replay) {
            // The log held every event after `from`: it had been sent, and not pushed out yet.
            prop_assert!(from <= connection.started_after && from + max_events >= connection.completed_before);
        }
        if let Some(from) = connection.from {
            if from == 0 || from > case.events || from + max_events < connection.completed_before {
                prop_assert_eq!(connection.replay, Replay::Lost, "from {}", from);
            }
        }
    }
    // Joining the connections: each one resumed where the last one that read anything left off, unless one
    // since was told the ID was lost.
    let (mut previous, mut lost) = (None, false);
    for (i, connection) in connections.iter().enumerate() {
        lost |= connection.replay == Replay::Lost;
        let end = connections.get(i + 1).map_or(seen.len(), |next| next.first_seen);
        let ids = &seen[connection.first_seen..end];
        if let (Some(&first), Some(last)) = (ids.first(), ids.last()) {
            if let (Some(previous), false) = (previous, lost) {
                prop_assert_eq!(first, previous + 1, "connection {} of {:?}", i, client);
            }
            (previous, lost) = (Some(*last), false);
        }
    }
    let first = &connections[0];
    if let (Some(from), Replay::Resumed { .. }, Some(&id)) = (first.from, first.replay, seen.first()) {
        prop_assert_eq!(id, from + 1);
    }
    // The last connection ended with the broadcaster closed, having read to the end, unless it started lost
    // after the close and had nothing left to read.
    let last = connections.last().unwrap();
    if seen.len() > last.first_seen || last.replay != Replay::Lost {
        if let Some(&id) = seen.last() {
            prop_assert_eq!(id, case.events, "{:?}", client);
        }
    }
    Ok(())
}

fn run(case: &Case) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_time().build().unwrap();
    runtime.block_on(async {
        let config = BroadcastConfig::new().max_events(case.max_events).max_bytes(case.max_bytes);
        let broadcaster = Broadcaster::with_config(config);
        let started = Arc::new(AtomicU64::new(0));
        let completed = Arc::new(AtomicU64::new(0));
        let clients: Vec<_> = (case.clients.iter().cloned())
            .map(|client| {
                tokio::spawn(run_client(broadcaster.clone(), client, Arc::clone(&started), Arc::clone(&completed)))
            })
            .collect();
        let sender = {
            let broadcaster = broadcaster.clone();
            let (started, completed) = (Arc::clone(&started), Arc::clone(&completed));
            let (events, pauses) = (case.events, case.send_pauses.clone());
            tokio::spawn(async move {
                for (n, yields) in (1..=events).zip(pauses.iter().cycle()) {
                    started.fetch_add(1, SeqCst);
                    assert_eq!(broadcaster.send(Event::new("x")).unwrap(), n.to_string().as_str());
                    completed.fetch_add(1, SeqCst);
                    pause(*yields).await;
                }
                broadcaster.close();
            })
        };
        tokio::time::timeout(Duration::from_secs(60), sender).await.expect("sender finishes").unwrap();
        for (client, task) in case.clients.iter().zip(clients) {
            let (seen, connections) =
                tokio::time::timeout(Duration::from_secs(60), task).await.expect("client finishes").unwrap();
            check(case, client, &seen, &connections)?;
        }
        prop_assert_eq!(broadcaster.subscriber_count(), 0);
        let stats = broadcaster.stats();
        prop_assert!(stats.events <= case.max_events && stats.frame_bytes <= case.max_bytes);
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn clients_see_every_event_after_their_start_once_in_order_or_are_told(case in case()) {
        run(&case)?;
    }
}
