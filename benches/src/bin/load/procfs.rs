//! What the kernel says about a process: its resident memory and CPU time (`/proc`), the load average, the
//! ephemeral port range, and the open-file limit, raised for thousands of sockets.

use std::fs;
use std::io;
use std::time::Duration;

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// The resident set size of process `pid`, in bytes (`VmRSS` of `/proc/PID/status`).
pub(crate) fn rss(pid: u32) -> io::Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line =
        status.lines().find_map(|line| line.strip_prefix("VmRSS:")).ok_or_else(|| io::Error::other("no VmRSS"))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse().map_err(io::Error::other)?;
    Ok(kib * 1024)
}

/// The CPU time process `pid` has used: the sum over its threads of `/proc/PID/task/TID/schedstat` (in
/// nanoseconds), or else `utime` + `stime` of `/proc/PID/stat` (in clock ticks, 10 ms as a rule).
pub(crate) fn process_cpu(pid: u32) -> io::Result<Duration> {
    let mut total = Duration::ZERO;
    for task in fs::read_dir(format!("/proc/{pid}/task"))? {
        match schedstat_cpu(&task?.path().join("schedstat")) {
            Ok(time) => total += time,
            // A thread that ended meanwhile, or no schedstat at all.
            Err(_) => return stat_cpu(&format!("/proc/{pid}/stat")),
        }
    }
    Ok(total)
}

/// The CPU time thread `tid` of this process has used, as [`process_cpu`] reads it.
pub(crate) fn thread_cpu(tid: i32) -> io::Result<Duration> {
    schedstat_cpu(format!("/proc/self/task/{tid}/schedstat").as_ref())
        .or_else(|_| stat_cpu(&format!("/proc/self/task/{tid}/stat")))
}

/// The first field of a `schedstat` file: nanoseconds spent on a CPU.
fn schedstat_cpu(path: &std::path::Path) -> io::Result<Duration> {
    let text = fs::read_to_string(path)?;
    let ns = text.split_whitespace().next().ok_or_else(|| io::Error::other("empty schedstat"))?;
    Ok(Duration::from_nanos(ns.parse().map_err(io::Error::other)?))
}

/// `utime` + `stime` (fields 14 and 15) of a `stat` file, in clock ticks turned into time. The command name
/// (field 2, in parentheses) may hold spaces, so the fields are counted from its closing parenthesis.
fn stat_cpu(path: &str) -> io::Result<Duration> {
    let stat = fs::read_to_string(path)?;
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or_else(|| io::Error::other("no command name"))?;
    // The fields after the name start at field 3 (the state).
    let mut fields = after_name.split_whitespace().skip(14 - 3);
    let mut tick = || -> io::Result<u64> {
        fields.next().ok_or_else(|| io::Error::other("short stat"))?.parse().map_err(io::Error::other)
    };
    let ticks = tick()? + tick()?;
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    Ok(Duration::from_nanos(ticks * 1_000_000_000 / per_second))
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` gives them.
pub(crate) fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

/// The ephemeral port range (`net.ipv4.ip_local_port_range`): how many client sockets one address can open
/// to one server port.
pub(crate) fn local_port_range() -> Option<(u32, u32)> {
    let text = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut ports = text.split_whitespace().map(str::parse);
    Some((ports.next()?.ok()?, ports.next()?.ok()?))
}

/// Raises this process's open-file limit (which the server's child process inherits) to at least `need`,
/// raising the hard limit too where allowed. Says what it did, or why it could not.
pub(crate) fn raise_open_files(need: u64) -> Result<String, String> {
    let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
    let current = current.unwrap_or(u64::MAX);
    if current >= need {
        return Ok(format!("open-file limit {current}, enough for {need}"));
    }
    let wanted = Rlimit { current: Some(need), maximum: maximum.map(|max| max.max(need)) };
    match setrlimit(Resource::Nofile, wanted) {
        Ok(()) => Ok(format!("open-file limit raised from {current} to {need} (setrlimit)")),
        Err(e) => {
            let hard = maximum.unwrap_or(u64::MAX);
            let reached = if hard > current
                && setrlimit(Resource::Nofile, Rlimit { current: Some(hard), maximum: Some(hard) }).is_ok()
            {
                hard
            } else {
                current
            };
            Err(format!("open-file limit: could raise it only to {reached}, not {need}: {e}"))
        }
    }
}
