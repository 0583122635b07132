//! What the bench binaries share: criterion's filter, read the way criterion reads it, and the gate's
//! verdicts, printed and left as notes for the report.

use std::path::PathBuf;

use regex::Regex;
use sse_codec_benches::gate::Verdict;
use sse_codec_benches::results::{self, Id, Skip};

/// The filter criterion was given on the command line, if any, so that the gate (a pass per peer, not
/// free) runs only for benchmarks criterion will run.
pub(crate) struct Filter(Option<Regex>);

impl Filter {
    pub(crate) fn from_args() -> Self {
        // Criterion's options that take a value; the first other argument not starting with `-` is the filter.
        const WITH_VALUE: &[&str] = &[
            "--save-baseline",
            "-s",
            "--baseline",
            "-b",
            "--baseline-lenient",
            "--load-baseline",
            "--sample-size",
            "--warm-up-time",
            "--measurement-time",
            "--nresamples",
            "--noise-threshold",
            "--confidence-level",
            "--significance-level",
            "--profile-time",
            "--plotting-backend",
            "--output-format",
            "--color",
            "-c",
            "--format",
        ];
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if WITH_VALUE.contains(&arg.as_str()) {
                args.next();
            } else if !arg.starts_with('-') {
                return Self(Regex::new(&arg).ok());
            }
        }
        Self(None)
    }

    pub(crate) fn matches(&self, id: &Id) -> bool {
        self.0.as_ref().is_none_or(|filter| filter.is_match(&id.full()))
    }
}

/// The gate's verdicts on one run. What it turns away is printed and, unless criterion only tests (`--test`,
/// which times nothing and so must not replace what a measuring run found), left as a note beside
/// criterion's results for the report; a peer that passes has any old note removed.
pub(crate) struct Notes {
    criterion_dir: PathBuf,
    keep: bool,
    turned_away: Vec<String>,
}

impl Notes {
    pub(crate) fn new() -> Self {
        Self {
            criterion_dir: results::criterion_dir(),
            keep: !std::env::args().any(|arg| arg == "--test"),
            turned_away: Vec::new(),
        }
    }

    /// Records the verdict on `id`; whether it passed, and so is to be timed.
    pub(crate) fn passes(&mut self, id: &Id, verdict: Verdict) -> bool {
        let (skip, detail) = match verdict {
            Verdict::Pass(_) => {
                if self.keep {
                    results::clear_note(&self.criterion_dir, id).expect("remove a stale note");
                }
                return true;
            }
            Verdict::Wrong(detail) => (Skip::Wrong, detail),
            Verdict::TooSlow(detail) => (Skip::TooSlow, detail),
        };
        println!("{}: not timed, {}: {detail}", id.full(), skip.as_str());
        if self.keep {
            results::write_note(&self.criterion_dir, id, skip, &detail).expect("write a note");
        }
        self.turned_away.push(format!("{}: {}: {detail}", id.full(), skip.as_str()));
        false
    }

    /// Prints what was not timed, again, after criterion's output.
    pub(crate) fn summary(&self) {
        if !self.turned_away.is_empty() {
            println!("\nNot timed:\n  {}", self.turned_away.join("\n  "));
        }
    }
}
