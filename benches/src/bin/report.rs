//! Reads the results criterion left (`<target>/criterion`) and the gate's notes, prints one Markdown table, and
//! optionally writes an SVG bar chart.
//!
//! ```text
//! cargo run --release -p sse-codec-benches --bin report -- [--criterion-dir DIR] [CHART.svg]
//! ```
//!
//! One row per group and parameter (`decode/<corpus>` and its chunking; a group without parameters, such as
//! `encode/<corpus>`, is one row), one column per implementation: ours (`sse-codec`) first, then our other
//! ways in (`sse-codec-lent`, and our Tokio adapters over the core; not counted among the peers), then every peer found, then the group's physical limit (`memchr2-scan` for decode, `memcpy` for encode; a limit without a
//! parameter serves every row of its group). Each cell is MiB/s of the group's throughput (decode: the input;
//! encode: our encoding of the events), or why the peer was not timed.
//!
//! A benchmark timed without a byte throughput (the `encode/chain` group, one event per iteration) has no
//! MiB/s: such benchmarks are listed after the table with their time per iteration instead.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sse_codec_benches::adapters::ADAPTERS;
use sse_codec_benches::chart::{self, Bar, Panel};
use sse_codec_benches::peers::{ENCODERS, PEERS};
use sse_codec_benches::results::{self, Outcome, Record, limit_id};
use sse_codec_benches::{CHUNKINGS, CORPORA, LENT, OURS, encode};

/// Our other ways in, each a column after ours: our lent frames, then our adapters.
fn own_columns() -> impl Iterator<Item = &'static str> {
    std::iter::once(LENT).chain(ADAPTERS.iter().map(|&(adapter, _)| adapter))
}

/// One line of the table: a group at one parameter, with each implementation's outcome.
struct Row<'a> {
    group: &'a str,
    parameter: Option<&'a str>,
    ours: Option<&'a Outcome>,
    /// Our other ways in, in the order of [`own_columns`]: ours, so not counted among the peers.
    own: Vec<Option<&'a Outcome>>,
    /// In the order of the table's peer columns.
    peers: Vec<Option<&'a Outcome>>,
    limit: Option<(&'static str, &'a Outcome)>,
}

impl Row<'_> {
    fn label(&self) -> String {
        match self.parameter {
            Some(parameter) => format!("{} · {}", self.group, chunking_label(parameter)),
            None => self.group.to_owned(),
        }
    }

    fn ours_mibs(&self) -> Option<f64> {
        self.ours.and_then(Outcome::mib_per_s)
    }

    fn best_peer_mibs(&self) -> Option<f64> {
        self.peers.iter().filter_map(|peer| peer.and_then(Outcome::mib_per_s)).reduce(f64::max)
    }

    fn limit_mibs(&self) -> Option<f64> {
        self.limit.and_then(|(_, outcome)| outcome.mib_per_s())
    }
}

fn chunking_label(parameter: &str) -> String {
    if parameter.bytes().all(|b| b.is_ascii_digit()) { format!("{parameter} B chunks") } else { parameter.to_owned() }
}

/// Groups in a stable order: decode (text, then data length), encode, encode from strings, then anything else;
/// corpora in their own order.
fn group_key(group: &str) -> (usize, usize, &str) {
    let (kind, corpus) = group.split_once('/').unwrap_or((group, ""));
    let kind_rank = ["decode-text", "decode", "encode", "encode-strings"].iter().position(|k| *k == kind).unwrap_or(4);
    let corpora = if kind.starts_with("encode") { encode::CORPORA } else { CORPORA };
    let corpus_rank = corpora.iter().position(|(name, _)| *name == corpus).unwrap_or(corpora.len());
    (kind_rank, corpus_rank, group)
}

/// Parameters in a stable order: the chunkings in their own order, then anything else.
fn parameter_key(parameter: &str) -> (usize, &str) {
    (CHUNKINGS.iter().position(|(name, _)| *name == parameter).unwrap_or(CHUNKINGS.len()), parameter)
}

/// Peers in a stable order: the known decode peers in their own order, then the encode-only peers in theirs,
/// then anything else.
fn peer_key(peer: &str) -> (usize, usize, &str) {
    let decode_rank = PEERS.iter().position(|(name, _)| *name == peer).unwrap_or(PEERS.len());
    let encode_rank = ENCODERS.iter().position(|(name, _)| *name == peer).unwrap_or(ENCODERS.len());
    (decode_rank, encode_rank, peer)
}

/// Whether a record is a measurement without a byte throughput, which has a time but no MiB/s.
fn per_iteration_only(record: &Record) -> bool {
    matches!(record.outcome, Outcome::Measured { bytes: None, .. })
}

fn time_text(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// The benchmarks without a byte throughput, one line each with the time per iteration.
fn per_iteration(records: &[Record]) -> String {
    let mut out = String::from("| benchmark | time per iteration |\n|---|--:|\n");
    for record in records {
        if let Outcome::Measured { mean_ns, .. } = record.outcome {
            let _ = writeln!(out, "| {} | {} |", record.id.full(), time_text(mean_ns));
        }
    }
    out
}

fn rows<'a>(records: &'a [Record], peers: &[&str]) -> Vec<Row<'a>> {
    let mut groups: Vec<&str> =
        records.iter().map(|r| r.id.group.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    groups.sort_by_key(|group| group_key(group));
    let mut rows = Vec::new();
    for group in groups {
        let limit = limit_id(group);
        let in_group: Vec<&Record> = records.iter().filter(|r| r.id.group == group).collect();
        // The outcome of `function` at `parameter`, or else its outcome without a parameter.
        let find = |function: &str, parameter: Option<&str>| {
            let exact = in_group.iter().find(|r| r.id.function == function && r.id.parameter.as_deref() == parameter);
            exact.or_else(|| in_group.iter().find(|r| r.id.function == function && r.id.parameter.is_none())).copied()
        };
        let mut parameters: Vec<Option<&str>> = in_group
            .iter()
            .filter(|r| Some(r.id.function.as_str()) != limit)
            .filter_map(|r| r.id.parameter.as_deref())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(Some)
            .collect();
        parameters.sort_by_key(|p| p.map(parameter_key));
        if parameters.is_empty() {
            parameters.push(None);
        }
        for parameter in parameters {
            rows.push(Row {
                group,
                parameter,
                ours: find(OURS, parameter).map(|r| &r.outcome),
                own: own_columns().map(|column| find(column, parameter).map(|r| &r.outcome)).collect(),
                peers: peers.iter().map(|peer| find(peer, parameter).map(|r| &r.outcome)).collect(),
                limit: limit.and_then(|id| find(id, parameter).map(|r| (id, &r.outcome))),
            });
        }
    }
    rows
}

fn mibs_text(mibs: f64) -> String {
    if mibs >= 100.0 {
        format!("{mibs:.0}")
    } else if mibs >= 10.0 {
        format!("{mibs:.1}")
    } else {
        format!("{mibs:.2}")
    }
}

fn cell(outcome: Option<&Outcome>) -> String {
    match outcome {
        None => "–".to_owned(),
        Some(Outcome::Skipped { skip, .. }) => skip.as_str().to_owned(),
        Some(outcome) => outcome.mib_per_s().map_or_else(|| "?".to_owned(), mibs_text),
    }
}

fn markdown(rows: &[Row<'_>], peers: &[&str]) -> String {
    let mut out = String::new();
    let _ = write!(out, "| group | chunking | **{OURS}** |");
    for column in own_columns() {
        let _ = write!(out, " {column} |");
    }
    for peer in peers {
        let _ = write!(out, " {peer} |");
    }
    out.push_str(" limit | speed-up over fastest peer | share of limit |\n|---|---|--:|");
    out.push_str(&"--:|".repeat(own_columns().count() + peers.len() + 3));
    out.push('\n');
    for row in rows {
        let _ = write!(out, "| {} | {} | **{}** |", row.group, row.parameter.unwrap_or("–"), cell(row.ours));
        for own in &row.own {
            let _ = write!(out, " {} |", cell(*own));
        }
        for peer in &row.peers {
            let _ = write!(out, " {} |", cell(*peer));
        }
        let limit = row.limit.map_or_else(|| "–".to_owned(), |(id, outcome)| format!("{} ({id})", cell(Some(outcome))));
        let speed_up = match (row.ours_mibs(), row.best_peer_mibs()) {
            (Some(ours), Some(best)) => format!("{:.2}×", ours / best),
            _ => "–".to_owned(),
        };
        let share = match (row.ours_mibs(), row.limit_mibs()) {
            (Some(ours), Some(limit)) => format!("{:.0} %", 100.0 * ours / limit),
            _ => "–".to_owned(),
        };
        let _ = writeln!(out, " {limit} | {speed_up} | {share} |");
    }
    out
}

/// The details of what was not timed, one line each.
fn notes(records: &[Record]) -> String {
    let mut out = String::new();
    for record in records {
        if let Outcome::Skipped { skip, detail } = &record.outcome {
            let _ = writeln!(out, "- `{}`: {}: {detail}", record.id.full(), skip.as_str());
        }
    }
    out
}

/// A horizontal bar chart: one panel per row, one bar per implementation, each panel scaled to its own
/// fastest bar (the corpora differ by orders of magnitude).
fn svg(rows: &[Row<'_>], peers: &[&str]) -> String {
    let bar = |label: &str, outcome: Option<&Outcome>, colour| {
        let value = outcome.and_then(Outcome::mib_per_s);
        let text = value.map_or_else(|| cell(outcome), |mibs| format!("{} MiB/s", mibs_text(mibs)));
        Bar { label: label.to_owned(), value, text, colour }
    };
    let panels: Vec<Panel> = rows
        .iter()
        .map(|row| {
            let mut bars = vec![bar(OURS, row.ours, chart::OURS_COLOUR)];
            bars.extend(peers.iter().zip(&row.peers).map(|(peer, outcome)| bar(peer, *outcome, chart::PEER_COLOUR)));
            if let Some((id, outcome)) = row.limit {
                bars.push(bar(id, Some(outcome), chart::LIMIT_COLOUR));
            }
            // An implementation with no outcome in this row gets no bar (its cell reads "–").
            bars.retain(|b| b.value.is_some() || b.text != "–");
            Panel { title: row.label(), bars }
        })
        .collect();
    chart::svg("Throughput, MiB/s of input (each panel to its own scale)", &panels)
}

fn main() -> ExitCode {
    let mut criterion_dir = results::criterion_dir();
    let mut chart = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--criterion-dir" => match args.next() {
                Some(dir) => criterion_dir = PathBuf::from(dir),
                None => return usage(),
            },
            "-h" | "--help" => return usage(),
            _ if !arg.starts_with('-') && chart.is_none() => chart = Some(PathBuf::from(arg)),
            _ => return usage(),
        }
    }
    let records = match results::load(&criterion_dir) {
        Ok(records) if !records.is_empty() => records,
        Ok(_) => {
            eprintln!("no results under {}: run `cargo bench -p sse-codec-benches` first", criterion_dir.display());
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("reading {}: {e}", criterion_dir.display());
            return ExitCode::FAILURE;
        }
    };
    let (timed_only, records): (Vec<Record>, Vec<Record>) = records.into_iter().partition(per_iteration_only);
    let mut peers: Vec<&str> = records
        .iter()
        .filter(|r| r.id.function != OURS && Some(r.id.function.as_str()) != limit_id(&r.id.group))
        .filter(|r| own_columns().all(|column| r.id.function != column))
        .map(|r| r.id.function.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    peers.sort_by_key(|peer| peer_key(peer));
    let rows = rows(&records, &peers);
    if !rows.is_empty() {
        print!("{}", markdown(&rows, &peers));
    }
    if !timed_only.is_empty() {
        let separator = if rows.is_empty() { "" } else { "\n" };
        print!("{separator}{}", per_iteration(&timed_only));
    }
    let notes = notes(&records);
    if !notes.is_empty() {
        print!("\nNot timed:\n\n{notes}");
    }
    if let Some(path) = chart {
        if let Err(e) = std::fs::write(&path, svg(&rows, &peers)) {
            eprintln!("writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("chart written to {}", path.display());
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: report [--criterion-dir DIR] [CHART.svg]");
    ExitCode::FAILURE
}
