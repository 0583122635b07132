//! Scale, measured on 127.0.0.1: N idle event-stream connections held by a server in a child process, the
//! server's memory per connection, and how fast one event reaches all of them, for each server kind side by side.
//!
//! ```text
//! cargo run --release -p sse-codec-benches --bin load -- [--n 1000,5000,10000] [--kinds bare,axum,ours]
//!     [--events 20] [--rates 1,10,100] [--settle-ms 2000] [--repeat 1] [--chart benches/load.svg]
//!     [--max-buf-size BYTES] [--writev on|off] [--opening-comment on|off] [--keep-alive on|off] [--quick]
//!     [--processes 2]
//! ```
//!
//! For each N and each kind (see `server.rs`): start the server (`load serve KIND`, this same binary), read its
//! resident memory (`VmRSS`), open N connections from one client thread (see `client.rs`), wait until every
//! one has its response head and then `--settle-ms` more, read the memory again: the difference over N is the
//! bytes per idle connection. Then, for a kind that sends events, at each rate publish `--events` events
//! through `POST /publish`, each carrying its send time, and wait until every connection has them all (or
//! nothing has arrived for three seconds): the latency of every event at every client (p50, p99, max), the
//! deliveries per second, the server's CPU time per event (`/proc/PID/task/*/schedstat`), and the client thread's CPU use.
//! One Markdown table per N, kinds side by side; `--chart` also draws them. `--events 0` measures memory only. With
//! `--repeat R` every kind runs R times at each N, in turn, and the tables give the medians: on a machine whose
//! load moves, this is what makes two kinds comparable.
//!
//! `--quick` is a smoke run: N = 200, 5 events at 10 and 100 per second, a short settle.
//!
//! The `floor` kind (`--kinds floor`, not among the default kinds; see `floor.rs`) is no HTTP server: it frames
//! each event once and writes it to every socket with one `write`, the least any server that writes each
//! connection must do, so the fan-out figures of the others can be read against it.
//!
//! The `redis` kind (`--kinds redis`, built with feature `redis`, not among the default kinds) scales out: it
//! starts `redis-server` on a free port (see `redis_server.rs`; the kind is skipped, saying so, when
//! `/usr/bin/redis-server` is missing), then `--processes` servers of that kind on it, the N connections spread
//! over them in turn and events published to the first; memory and CPU time are those of all the processes
//! added up, and each step also gives Redis's calls of each command per event (`INFO commandstats`, after less
//! before: an `XREAD` per process per event, whatever N) and `redis-server`'s own CPU time per event.

#[cfg(target_os = "linux")]
mod client;
#[cfg(target_os = "linux")]
mod floor;
#[cfg(target_os = "linux")]
mod procfs;
#[cfg(target_os = "linux")]
mod redis_server;
#[cfg(target_os = "linux")]
mod run;
#[cfg(target_os = "linux")]
mod server;
#[cfg(target_os = "linux")]
mod table;

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return server::main(&args[1..]);
    }
    run::main(&args)
}

#[cfg(not(target_os = "linux"))]
fn main() -> std::process::ExitCode {
    eprintln!("load reads the kernel's figures from /proc: it runs on Linux only");
    std::process::ExitCode::FAILURE
}
