//! The `client` example against a real axum server on 127.0.0.1: JSON lines in `sse-cat`'s shape on standard
//! output, connection changes on standard error, and its exit status.

#![cfg(feature = "reqwest")]

use std::path::PathBuf;
use std::process::Output;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;

/// The example's binary, which `cargo test` builds beside the tests; `None` (said loudly) when it is missing.
fn example() -> Option<PathBuf> {
    let deps = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let path = deps.parent()?.join("examples").join(format!("client{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        eprintln!("SKIPPED: the client example is not built at {}; run cargo test --all-features", path.display());
        return None;
    }
    Some(path)
}

/// Sends two events and ends, then a third after a reconnection with `Last-Event-ID: 2`, then 204 to any
/// other.
async fn events(headers: HeaderMap) -> Response {
    let last = headers.get("last-event-id").map(|value| value.to_str().unwrap().to_owned());
    let stream = [("content-type", "text/event-stream")];
    match last.as_deref() {
        None => {
            assert_eq!(headers["x-token"], "secret", "-H adds the header");
            (stream, "retry: 1\nid: 1\ndata: one\n\nevent: delta\nid: 2\ndata: t\"w\ndata: o\n\n").into_response()
        }
        Some("2") => (stream, "id: 3\ndata: three\n\n").into_response(),
        Some(_) => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn serve() -> String {
    let app = Router::new()
        .route("/events", get(events))
        .route("/gone", get(|| async { StatusCode::NO_CONTENT }))
        .route("/broken", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn run(args: &[&str]) -> Output {
    let binary = example().expect("checked by the caller");
    tokio::process::Command::new(binary).args(args).output().await.unwrap()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn prints_events_as_sse_cat_does_and_exits_after_max_events_or_on_204() {
    if example().is_none() {
        return;
    }
    let base = serve().await;
    let url = format!("{base}/events");
    let output = run(&[&url, "-H", "X-Token: secret", "--max-events", "2"]).await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        text(&output.stdout),
        "{\"type\":\"message\",\"data\":\"one\",\"lastEventId\":\"1\"}\n\
         {\"type\":\"delta\",\"data\":\"t\\\"w\\no\",\"lastEventId\":\"2\"}\n"
    );
    assert_eq!(text(&output.stderr), "open\n");

    let output = run(&[&url, "-H", "X-Token: secret"]).await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        text(&output.stdout).lines().last(),
        Some("{\"type\":\"message\",\"data\":\"three\",\"lastEventId\":\"3\"}")
    );
    let stderr: Vec<_> = text(&output.stderr).lines().collect();
    assert_eq!(stderr[0], "open");
    assert!(stderr[1].starts_with("error: event source connection ended; reconnecting in 0.250 s"), "{stderr:?}");
    assert_eq!(stderr[2..], ["open", "error: event source connection ended; reconnecting in 0.250 s", "closed"]);

    let output = run(&[&format!("{base}/gone")]).await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!((text(&output.stdout), text(&output.stderr)), ("", "closed\n"));
}

#[tokio::test]
async fn a_fatal_error_exits_non_zero_with_the_reason() {
    if example().is_none() {
        return;
    }
    let base = serve().await;
    let output = run(&[&format!("{base}/broken")]).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(text(&output.stderr), "client: event source got status 500\n");

    let output = run(&["--max-events"]).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}
