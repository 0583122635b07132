//! The figures as one Markdown table per N (kinds side by side) and as a chart (the throughput chart's style).

use std::fmt::Write as _;

use sse_codec_benches::chart::{self, Bar, Panel};

use crate::run::{Measured, Options, RedisStep, Step};
use crate::server::Kind;

fn colour(kind: Kind) -> &'static str {
    match kind {
        Kind::Bare | Kind::Floor => chart::LIMIT_COLOUR,
        Kind::Axum => chart::PEER_COLOUR,
        Kind::Ours | Kind::Redis => chart::OURS_COLOUR,
    }
}

fn thousands(value: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let rounded = value.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if rounded < 0 { format!("-{out}") } else { out }
}

fn ms(ns: Option<u64>) -> String {
    #[allow(clippy::cast_precision_loss)]
    ns.map_or_else(|| "–".to_owned(), |ns| format!("{:.2}", ns as f64 / 1e6))
}

fn mib(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes as f64 / f64::from(1u32 << 20);
    format!("{mib:.1}")
}

fn rate_per_second(value: f64) -> String {
    if value >= 1e6 {
        format!("{:.2}M/s", value / 1e6)
    } else if value >= 1e3 {
        format!("{:.1}k/s", value / 1e3)
    } else {
        format!("{value:.0}/s")
    }
}

/// A column's name: the kind, and how many processes when more than one.
fn label(measured: &Measured) -> String {
    match measured.processes {
        1 => measured.kind.name().to_owned(),
        processes => format!("{} ({processes} processes)", measured.kind),
    }
}

/// Redis's calls of each command per event, the busiest first, and `XREAD` per process too.
fn redis_calls(step: &RedisStep, processes: usize) -> String {
    #[allow(clippy::cast_precision_loss)]
    let per_event = |calls: u64| calls as f64 / step.events.max(1) as f64;
    let mut calls: Vec<(&String, &u64)> = step.calls.iter().collect();
    calls.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = calls
        .into_iter()
        .map(|(name, &calls)| {
            #[allow(clippy::cast_precision_loss)]
            let per_process = if name == "xread" && processes > 1 {
                format!(" ({:.2} per process)", per_event(calls) / processes as f64)
            } else {
                String::new()
            };
            format!("{name} {:.2}{per_process}", per_event(calls))
        })
        .collect();
    list.join(", ")
}

/// One table: the kinds of `row` side by side at `n` connections.
pub(crate) fn markdown(n: usize, row: &[Measured], options: &Options) -> String {
    let bare = row.iter().find(|m| m.kind == Kind::Bare).and_then(|m| m.idle_bytes);
    let runs = if options.repeat > 1 { format!(" (medians of {} runs)", options.repeat) } else { String::new() };
    let mut out = format!("### {n} idle connections{runs}\n\n|  |");
    for measured in row {
        let _ = write!(out, " {} |", label(measured));
    }
    out.push_str("\n|---|");
    out.push_str(&"--:|".repeat(row.len()));
    out.push('\n');
    let mut line = |label: &str, cell: &dyn Fn(&Measured) -> String| {
        let _ = write!(out, "| {label} |");
        for measured in row {
            let _ = write!(out, " {} |", cell(measured));
        }
        out.push('\n');
    };
    let load = if options.repeat > 1 {
        "load average (1 min) at each run's start"
    } else {
        "load average at start (1, 5, 15 min)"
    };
    line(load, &|m| m.load.clone());
    line("connections open (failed)", &|m| {
        if m.failed > 0 { format!("{} ({} failed)", m.opened, m.failed) } else { m.opened.to_string() }
    });
    line("time to open them all", &|m| format!("{:.2} s", m.open_time.as_secs_f64()));
    line("server RSS before → idle, MiB", &|m| format!("{} → {}", mib(m.rss_before), mib(m.rss_idle)));
    line("**bytes per idle connection**", &|m| {
        m.idle_bytes.map_or_else(|| "–".to_owned(), |b| format!("**{}**", thousands(b)))
    });
    line("minus `bare`", &|m| match (m.kind, m.idle_bytes, bare) {
        (Kind::Bare, ..) => "–".to_owned(),
        (_, Some(ours), Some(bare)) => format!("{}{}", if ours >= bare { "+" } else { "" }, thousands(ours - bare)),
        _ => "–".to_owned(),
    });
    line("bytes per connection after the events", &|m| m.after_bytes.map_or_else(|| "–".to_owned(), thousands));
    let rates = if options.events > 0 { options.rates.as_slice() } else { &[] };
    for (index, rate) in rates.iter().enumerate() {
        let cell = |m: &Measured, f: &dyn Fn(&Step) -> String| m.steps.get(index).map_or_else(|| "–".to_owned(), f);
        line(&format!("{rate}/s: fan-out p50 / p99 / max, ms"), &|m| {
            cell(m, &|s| format!("{} / **{}** / {}", ms(s.p50), ms(s.p99), ms(s.max)))
        });
        line(&format!("{rate}/s: delivered of sent × open"), &|m| {
            cell(m, &|s| {
                #[allow(clippy::cast_precision_loss)]
                let share = if s.expected > 0 { 100.0 * s.delivered as f64 / s.expected as f64 } else { 0.0 };
                let closed = if s.closed > 0 { format!(", {} closed", s.closed) } else { String::new() };
                format!("{share:.1} % of {}{closed}", thousands(s.expected as f64))
            })
        });
        line(&format!("{rate}/s: deliveries per second"), &|m| cell(m, &|s| rate_per_second(s.per_second)));
        line(&format!("{rate}/s: **server CPU per event**"), &|m| {
            cell(m, &|s| format!("**{:.0} µs**", s.server_cpu_per_event.as_secs_f64() * 1e6))
        });
        line(&format!("{rate}/s: client thread CPU, % of a core"), &|m| {
            cell(m, &|s| format!("{:.0} %", s.client_cpu * 100.0))
        });
        if row.iter().any(|m| m.steps.get(index).is_some_and(|s| s.redis.is_some())) {
            let redis = |m: &Measured, f: &dyn Fn(&RedisStep) -> String| {
                m.steps.get(index).and_then(|s| s.redis.as_ref()).map_or_else(|| "–".to_owned(), f)
            };
            line(&format!("{rate}/s: **Redis calls per event** (`INFO commandstats`)"), &|m| {
                redis(m, &|r| redis_calls(r, m.processes))
            });
            line(&format!("{rate}/s: redis-server CPU per event"), &|m| {
                #[allow(clippy::cast_precision_loss)]
                redis(m, &|r| format!("{:.0} µs", r.cpu.as_secs_f64() * 1e6 / r.events.max(1) as f64))
            });
        }
    }
    out
}

/// The chart: for each N, the bytes per idle connection, and at each rate the fan-out p99 and the server's CPU
/// time per event.
pub(crate) fn svg(tables: &[(usize, Vec<Measured>)], options: &Options) -> String {
    let mut panels = Vec::new();
    for (n, row) in tables {
        let panel = |title: String, value: &dyn Fn(&Measured) -> Option<f64>, unit: &str, digits: usize| Panel {
            title,
            // A kind without the figure (`bare` sends no events) gets no bar.
            bars: row
                .iter()
                .filter_map(|m| {
                    let value = value(m)?;
                    let text = format!("{value:.digits$} {unit}");
                    Some(Bar { label: m.kind.name().to_owned(), value: Some(value), text, colour: colour(m.kind) })
                })
                .collect(),
        };
        panels.push(panel(format!("{n} connections: bytes per idle connection"), &|m| m.idle_bytes, "B", 0));
        for (index, rate) in options.rates.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let p99 = |m: &Measured| m.steps.get(index).and_then(|s| s.p99).map(|ns| ns as f64 / 1e6);
            panels.push(panel(format!("{n} connections, {rate} events/s: fan-out p99"), &p99, "ms", 2));
            let cpu = |m: &Measured| m.steps.get(index).map(|s| s.server_cpu_per_event.as_secs_f64() * 1e6);
            panels.push(panel(format!("{n} connections, {rate} events/s: server CPU per event"), &cpu, "µs", 0));
        }
    }
    chart::svg("Scale on 127.0.0.1, lower is better (each panel to its own scale)", &panels)
}
