//! The Redis the `redis` kind's server processes share: `redis-server` in a child process of its own, on a free
//! port of 127.0.0.1, without persistence, in a temporary directory; and what it says of itself (`INFO`), asked
//! over a plain `TcpStream` in RESP, so that the measuring process needs no Redis client.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::procfs;
use crate::run::wait_until;

/// Where Debian's `redis-server` package puts the server.
const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// A `redis-server` child process, killed (and its directory removed) when dropped.
#[derive(Debug)]
pub(crate) struct RedisServer {
    child: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl RedisServer {
    /// Starts `redis-server` on a free port of 127.0.0.1 with `--save '' --appendonly no` in a temporary
    /// directory, and waits until it answers `PING`. Says why not, when it cannot.
    pub(crate) fn start() -> Result<Self, String> {
        if !Path::new(REDIS_SERVER).exists() {
            return Err(format!("{REDIS_SERVER} is not installed (Debian: apt-get install redis-server)"));
        }
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("a free port: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!("sse-codec-load-redis-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let child = Command::new(REDIS_SERVER)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("{REDIS_SERVER}: {e}"));
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        let server = Self { child, dir, addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)) };
        if !wait_until(Duration::from_secs(10), || server.command(&["PING"]).is_ok()) {
            return Err(format!("{REDIS_SERVER} did not answer PING on port {port} within 10 s"));
        }
        Ok(server)
    }

    /// The URL the server processes connect to.
    pub(crate) fn url(&self) -> String {
        format!("redis://{}/", self.addr)
    }

    /// The server's version, as `INFO server` gives it.
    pub(crate) fn version(&self) -> io::Result<String> {
        Ok(field(&self.command(&["INFO", "server"])?, "redis_version").unwrap_or("?").to_owned())
    }

    /// Deletes every key, so that a run starts from an empty stream.
    pub(crate) fn flush(&self) -> io::Result<()> {
        self.command(&["FLUSHALL"]).map(drop)
    }

    /// Clients waiting in a blocking command (each server process's reader, in its `XREAD BLOCK`).
    pub(crate) fn blocked_clients(&self) -> io::Result<u64> {
        let info = self.command(&["INFO", "clients"])?;
        field(&info, "blocked_clients")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| io::Error::other("no blocked_clients"))
    }

    /// The calls of every command so far, by lowercase name (`INFO commandstats`), the `INFO` that asks left out.
    pub(crate) fn command_calls(&self) -> io::Result<BTreeMap<String, u64>> {
        let info = self.command(&["INFO", "commandstats"])?;
        let calls = info.lines().filter_map(|line| {
            let (name, stats) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = stats.split(',').find_map(|stat| stat.strip_prefix("calls="))?.parse().ok()?;
            (name != "info").then(|| (name.to_owned(), calls))
        });
        Ok(calls.collect())
    }

    /// The server's CPU time so far.
    pub(crate) fn cpu(&self) -> io::Result<Duration> {
        procfs::process_cpu(self.child.id())
    }

    /// Sends one command on a connection of its own, and reads a simple, bulk or integer reply as text.
    fn command(&self, args: &[&str]) -> io::Result<String> {
        let mut stream = TcpStream::connect(self.addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream.write_all(request.as_bytes())?;
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        let (kind, rest) = line.split_at_checked(1).ok_or_else(|| io::Error::other("no reply"))?;
        match kind {
            "+" | ":" => Ok(rest.to_owned()),
            "-" => Err(io::Error::other(format!("redis: {rest}"))),
            "$" => {
                let len: usize = rest.parse().map_err(|_| io::Error::other(format!("bad bulk length {rest}")))?;
                let mut bulk = vec![0; len + 2];
                reader.read_exact(&mut bulk)?;
                bulk.truncate(len);
                String::from_utf8(bulk).map_err(io::Error::other)
            }
            _ => Err(io::Error::other(format!("unexpected reply {line:?}"))),
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The value of `name` in an `INFO` reply (`name:value` lines).
fn field<'a>(info: &'a str, name: &str) -> Option<&'a str> {
    info.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':')).map(str::trim)
}
