//! Benchmark results where criterion keeps them, read back for the report, and the notes the benches leave
//! beside them for what was not timed (a peer that decodes wrongly or too slowly).
//!
//! Criterion writes, for each benchmark, `<criterion dir>/<group>/<function>/<parameter>/new/benchmark.json`
//! (the ids and the throughput) and `.../new/estimates.json` (the mean time per iteration, in ns). A note is
//! `.../note.json` in the same directory. Records are found by walking the directory and named by the ids in
//! those files, so any group (`decode/<corpus>`, `encode/<corpus>`, ...) is read the same way.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::{Value, json};

/// The id of the physical-limit benchmark in `decode/...` groups: a bare `memchr2` scan for line ends.
pub const DECODE_LIMIT: &str = "memchr2-scan";
/// The id of the physical-limit benchmark in `encode/...` groups: copying the output's bytes.
pub const ENCODE_LIMIT: &str = "memcpy";

/// The id of the physical limit a group is compared with, from the group's kind (`decode/...`, or
/// `encode/...` and `encode-strings/...`).
#[must_use]
pub fn limit_id(group: &str) -> Option<&'static str> {
    match group.split('/').next() {
        Some("decode") => Some(DECODE_LIMIT),
        Some("encode" | "encode-strings") => Some(ENCODE_LIMIT),
        _ => None,
    }
}

/// Where criterion writes its results, found as criterion finds it: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else the workspace's `target/criterion`.
#[must_use]
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        PathBuf::from(home)
    } else if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        PathBuf::from(target).join("criterion")
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
    }
}

/// A benchmark's id, as criterion splits it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id {
    /// The group, e.g. `decode/llm`.
    pub group: String,
    /// The function: the implementation measured, e.g. `sse-codec` or `memchr2-scan`.
    pub function: String,
    /// The parameter, if any: here the chunking, e.g. `1460`.
    pub parameter: Option<String>,
}

impl Id {
    /// An id from its parts.
    #[must_use]
    pub fn new(group: &str, function: &str, parameter: Option<&str>) -> Self {
        Self { group: group.to_owned(), function: function.to_owned(), parameter: parameter.map(str::to_owned) }
    }

    /// The full id, as criterion prints it and matches filters against.
    #[must_use]
    pub fn full(&self) -> String {
        match &self.parameter {
            Some(parameter) => format!("{}/{}/{parameter}", self.group, self.function),
            None => format!("{}/{}", self.group, self.function),
        }
    }

    /// The directory criterion keeps this benchmark's results in.
    #[must_use]
    pub fn dir(&self, criterion_dir: &Path) -> PathBuf {
        let mut dir = criterion_dir.join(filename_safe(&self.group)).join(filename_safe(&self.function));
        if let Some(parameter) = &self.parameter {
            dir.push(filename_safe(parameter));
        }
        dir
    }
}

/// Criterion's mapping of an id part to a directory name (without its length cap, which these ids never reach).
fn filename_safe(part: &str) -> String {
    part.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_")
}

/// Why a benchmark was not timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The implementation's output differs from ours (or it failed).
    Wrong,
    /// One pass took longer than the gate allows.
    TooSlow,
}

impl Skip {
    /// The short form, for a table cell: `wrong` or `too slow`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Wrong => "wrong",
            Self::TooSlow => "too slow",
        }
    }
}

/// What is known of one benchmark.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Timed by criterion.
    Measured {
        /// The mean time of one iteration, in nanoseconds.
        mean_ns: f64,
        /// The bytes one iteration processes, when the group declared a byte throughput.
        bytes: Option<u64>,
    },
    /// Not timed, and why.
    Skipped {
        /// Which kind of reason.
        skip: Skip,
        /// The details, e.g. `12 events / 340 data bytes, expected ...`.
        detail: String,
    },
}

impl Outcome {
    /// Throughput in MiB/s, for a measured benchmark with a byte throughput.
    #[must_use]
    pub fn mib_per_s(&self) -> Option<f64> {
        match *self {
            Self::Measured { mean_ns, bytes: Some(bytes) } if mean_ns > 0.0 => {
                Some(bytes as f64 / (mean_ns * 1e-9) / f64::from(1u32 << 20))
            }
            _ => None,
        }
    }
}

/// One benchmark's id and outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Which benchmark.
    pub id: Id,
    /// What is known of it.
    pub outcome: Outcome,
}

/// Leaves a note that `id` was not timed, replacing any earlier one.
///
/// # Errors
///
/// When the note cannot be written.
pub fn write_note(criterion_dir: &Path, id: &Id, skip: Skip, detail: &str) -> io::Result<()> {
    let dir = id.dir(criterion_dir);
    fs::create_dir_all(&dir)?;
    let note = json!({
        "group_id": id.group,
        "function_id": id.function,
        "value_str": id.parameter,
        "skip": skip.as_str(),
        "detail": detail,
    });
    fs::write(dir.join("note.json"), note.to_string())
}

/// Removes the note of `id`, if there is one: it passed the gate this time.
///
/// # Errors
///
/// When an existing note cannot be removed.
pub fn clear_note(criterion_dir: &Path, id: &Id) -> io::Result<()> {
    match fs::remove_file(id.dir(criterion_dir).join("note.json")) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Every record under `criterion_dir`, sorted by id. Where a benchmark has both a measurement and a note, the
/// newer file wins.
///
/// # Errors
///
/// When the directory cannot be read, or a result file is not what criterion writes.
pub fn load(criterion_dir: &Path) -> io::Result<Vec<Record>> {
    let mut found: Vec<(Record, SystemTime)> = Vec::new();
    walk(criterion_dir, &mut found)?;
    found.sort_by(|a, b| a.0.id.cmp(&b.0.id).then(b.1.cmp(&a.1)));
    found.dedup_by(|later, first| later.0.id == first.0.id);
    Ok(found.into_iter().map(|(record, _)| record).collect())
}

fn walk(dir: &Path, found: &mut Vec<(Record, SystemTime)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            let benchmark = path.join("benchmark.json");
            if path.file_name().is_some_and(|name| name == "new") && benchmark.is_file() {
                found.push(read_measurement(&path).map_err(|e| invalid(&benchmark, &e))?);
            } else {
                walk(&path, found)?;
            }
        } else if path.file_name().is_some_and(|name| name == "note.json") {
            found.push(read_note(&path).map_err(|e| invalid(&path, &e))?);
        }
    }
    Ok(())
}

fn invalid(path: &Path, e: &dyn std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> io::Result<(Value, SystemTime)> {
    let text = fs::read_to_string(path)?;
    let modified = fs::metadata(path)?.modified()?;
    Ok((serde_json::from_str(&text)?, modified))
}

/// The id in a `benchmark.json` or a note.
fn read_id(json: &Value) -> io::Result<Id> {
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
    let group = text("group_id").ok_or_else(|| io::Error::other("no group_id"))?;
    // A benchmark with only a parameter has no function id; criterion then names it by the parameter alone.
    let (function, parameter) = match (text("function_id"), text("value_str")) {
        (Some(function), parameter) => (function, parameter),
        (None, Some(parameter)) => (parameter, None),
        (None, None) => return Err(io::Error::other("neither function_id nor value_str")),
    };
    Ok(Id { group, function, parameter })
}

fn read_measurement(new: &Path) -> io::Result<(Record, SystemTime)> {
    let (benchmark, _) = read_json(&new.join("benchmark.json"))?;
    let (estimates, modified) = read_json(&new.join("estimates.json"))?;
    let mean_ns = estimates
        .pointer("/mean/point_estimate")
        .and_then(Value::as_f64)
        .ok_or_else(|| io::Error::other("no mean/point_estimate in estimates.json"))?;
    let throughput = benchmark.get("throughput");
    let bytes =
        ["Bytes", "BytesDecimal"].iter().find_map(|unit| throughput.and_then(|t| t.get(unit)).and_then(Value::as_u64));
    Ok((Record { id: read_id(&benchmark)?, outcome: Outcome::Measured { mean_ns, bytes } }, modified))
}

fn read_note(path: &Path) -> io::Result<(Record, SystemTime)> {
    let (note, modified) = read_json(path)?;
    let skip = match note.get("skip").and_then(Value::as_str) {
        Some("wrong") => Skip::Wrong,
        Some("too slow") => Skip::TooSlow,
        other => return Err(io::Error::other(format!("unknown skip {other:?}"))),
    };
    let detail = note.get("detail").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok((Record { id: read_id(&note)?, outcome: Outcome::Skipped { skip, detail } }, modified))
}
