//! A small WebDriver client: starts Debian's `chromedriver`, opens a headless Chromium session through it, and
//! speaks the W3C WebDriver protocol (JSON over HTTP on 127.0.0.1) with reqwest.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The flags Chromium needs on this machine, headless, as the issue lists them.
const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Where Debian's `chromium` and `chromium-driver` packages put their programs, unless `CHROMIUM` and
/// `CHROMEDRIVER` say otherwise.
pub(crate) fn find_programs() -> Result<(PathBuf, PathBuf), String> {
    let chromium = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    let driver = std::env::var_os("CHROMEDRIVER").map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from);
    for program in [&chromium, &driver] {
        if !program.is_file() {
            return Err(format!("{} is missing", program.display()));
        }
    }
    Ok((chromium, driver))
}

/// A running `chromedriver`, killed when dropped.
pub(crate) struct Chromedriver {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Chromedriver {
    /// Starts `chromedriver` on a free loopback port and waits until it says it is ready: it prints a line
    /// saying so once it listens.
    pub(crate) async fn start(program: &Path, log: &Path) -> Self {
        // chromedriver takes a port number, not a listener: find a free one and hand it over.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
        let mut child = Command::new(program)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", program.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (ready, started) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if lines.any(|line| line.is_ok_and(|line| line.contains("started successfully"))) {
                let _ = ready.send(());
            }
            // Read on until chromedriver exits, so that it never blocks writing to a full pipe.
            lines.for_each(drop);
        });
        let driver = Self { child, url: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() };
        match tokio::time::timeout(Duration::from_secs(20), started).await {
            Ok(Ok(())) => driver,
            _ => panic!("chromedriver did not say it had started; see {}", log.display()),
        }
    }

    /// Opens a headless Chromium with a fresh profile in `profile` (emptied first).
    pub(crate) async fn session(&self, chromium: &Path, profile: &Path) -> Session {
        let _ = std::fs::remove_dir_all(profile);
        std::fs::create_dir_all(profile).unwrap();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| flag.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "goog:chromeOptions": { "binary": chromium, "args": args },
            } }
        });
        let value = call(&self.http, reqwest::Method::POST, &format!("{}/session", self.url), Some(capabilities)).await;
        let id = value["sessionId"].as_str().expect("a session ID");
        Session { http: self.http.clone(), url: format!("{}/session/{id}", self.url), open: true }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session: one Chromium, one window.
pub(crate) struct Session {
    http: reqwest::Client,
    url: String,
    /// Not closed yet: dropping it (a failed test) quits Chromium, which would outlive chromedriver otherwise.
    open: bool,
}

impl Session {
    /// Loads `url` in the window and waits for the page's `load` event.
    pub(crate) async fn goto(&self, url: &str) {
        self.post("url", json!({ "url": url })).await;
    }

    /// Runs `script` (a function body: `return` gives the result) in the page and returns its JSON result.
    pub(crate) async fn execute(&self, script: &str) -> Value {
        self.post("execute/sync", json!({ "script": script, "args": [] })).await
    }

    /// Reads the page's log (`window.sseLog`) until `done` accepts it, and returns it; panics after `timeout`,
    /// naming `what` and the last log. Between reads the page itself waits for its next entry (a script run
    /// asynchronously, which returns when the log grows), so nothing is polled.
    pub(crate) async fn wait_for_log(&self, what: &str, timeout: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        let mut log = self.execute("return window.sseLog || []").await;
        while !done(&log) {
            let left = deadline.saturating_duration_since(Instant::now());
            let gave_up = || format!("gave up after {timeout:?} waiting for {what}; the page says {log}");
            assert!(!left.is_zero(), "{}", gave_up());
            let millis = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
            self.post("timeouts", json!({ "script": millis })).await;
            let seen = log.as_array().map_or(0, Vec::len);
            let body = json!({ "script": WAIT_FOR_ENTRY, "args": [seen] });
            match try_call(&self.http, reqwest::Method::POST, &format!("{}/execute/async", self.url), Some(body)).await
            {
                Ok(value) => log = value,
                Err(err) if err.contains("script timeout") => panic!("{}", gave_up()),
                Err(err) => panic!("{err}"),
            }
        }
        log
    }

    /// Sets the window's outer size in CSS pixels.
    pub(crate) async fn set_window_size(&self, width: u32, height: u32) {
        self.post("window/rect", json!({ "width": width, "height": height })).await;
    }

    /// A PNG of the window's viewport.
    pub(crate) async fn screenshot(&self) -> Vec<u8> {
        let value = call(&self.http, reqwest::Method::GET, &format!("{}/screenshot", self.url), None).await;
        base64::engine::general_purpose::STANDARD.decode(value.as_str().expect("base64 PNG")).unwrap()
    }

    /// Ends the session, which quits Chromium.
    pub(crate) async fn close(mut self) {
        call(&self.http, reqwest::Method::DELETE, &self.url, None).await;
        self.open = false;
    }

    async fn post(&self, command: &str, body: Value) -> Value {
        call(&self.http, reqwest::Method::POST, &format!("{}/{command}", self.url), Some(body)).await
    }
}

impl Drop for Session {
    /// Quits Chromium after a panic, with a plain blocking request: there is no `.await` in `drop`.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if !self.open {
            return;
        }
        let Some((host, path)) = self.url.strip_prefix("http://").and_then(|rest| rest.split_once('/')) else { return };
        if let Ok(mut stream) = std::net::TcpStream::connect(host) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!("DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
    }
}

/// The page's side of [`Session::wait_for_log`]: answers with the log once it holds more than `seen`
/// entries, at once if it already does, else at its next entry.
const WAIT_FOR_ENTRY: &str = r"
    const [seen, answer] = [arguments[0], arguments[arguments.length - 1]];
    const log = window.sseLog;
    if (!log || log.length > seen) return answer(log || []);
    const push = log.push;
    log.push = function (...entries) {
        log.push = push;
        const length = push.apply(log, entries);
        answer(log);
        return length;
    };
";

/// One WebDriver command: its `value`, or a panic with the driver's error.
async fn call(http: &reqwest::Client, method: reqwest::Method, url: &str, body: Option<Value>) -> Value {
    try_call(http, method, url, body).await.unwrap_or_else(|err| panic!("{err}"))
}

/// One WebDriver command: its `value`, or the driver's error.
async fn try_call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut request = http.request(method, url).timeout(Duration::from_secs(60));
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.map_err(|err| format!("WebDriver {url}: {err}"))?;
    let status = response.status();
    let mut body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    if !status.is_success() {
        return Err(format!("WebDriver {url}: {status}: {body}"));
    }
    Ok(body["value"].take())
}
