//! An SSE server for browsers: a page that shows a live stream, the stream itself (`retry:` first, an ID on
//! every event, resume after `Last-Event-ID`, keep-alive comments, CORS, a connection lifetime), a tick that
//! publishes on its own, `POST /publish` for your own messages, and a graceful shutdown.
//!
//! ```text
//! cargo run --release -p sse-codec-tokio --example server
//! # open http://127.0.0.1:3000/, or:
//! curl -N http://127.0.0.1:3000/events
//! curl -d 'hello from curl' http://127.0.0.1:3000/publish
//! # see the browser reconnect and resume every 10 s, with a page on another origin allowed to read:
//! cargo run --release -p sse-codec-tokio --example server -- --lifetime 10 --cors-origin http://localhost:8000
//! # two processes serving one stream through a Redis on 6379 (Debian's redis-server), a client resuming on either;
//! # the second publishes no tick of its own:
//! cargo run --release -p sse-codec-tokio --features redis --example server -- --redis redis://127.0.0.1:6379/
//! cargo run --release -p sse-codec-tokio --features redis --example server -- --redis redis://127.0.0.1:6379/ \
//!     --addr 127.0.0.1:3001 --tick 0
//! ```
//!
//! The page reads `/events` of its own server, or the stream named by `?src=URL` (another server, which then
//! needs `--cors-origin` or `--cors-any`). Each stream opened and closed is logged on standard error with its
//! `Last-Event-ID`. `tests/browser/main.rs` serves this same application (`app.rs`) to a headless Chromium.

mod app;

use std::process::ExitCode;

use app::{App, Options, USAGE};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(options.addr).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("server: cannot listen on {}: {err}", options.addr);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().expect("a bound listener has an address");
    // The URL goes to standard output (a script that passed port 0 reads it there); the log to standard error.
    println!("http://{addr}/");
    eprintln!("serving the page at http://{addr}/ and the stream at http://{addr}/events; Ctrl-C stops");
    App::new(options).serve(listener, shutdown_signal()).await;
    eprintln!("shut down");
    ExitCode::SUCCESS
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async { tokio::signal::ctrl_c().await.expect("a Ctrl-C handler") };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::terminate()).expect("a SIGTERM handler").recv().await;
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => eprintln!("Ctrl-C: shutting down"),
        () = terminate => eprintln!("SIGTERM: shutting down"),
    }
}
