//! The gate a peer decoder passes before it is timed: it must decode the input to the same
//! [`Counts`](crate::Counts) as our decoder, and one pass must take at most [`GUARD`]. A wrong peer is not timed
//! (its speed would mean nothing), and a slow one is reported with the time it took instead of being run
//! dozens of times under criterion. The encoders' gate, [`encode::vet`](crate::encode::vet), gives the same
//! [`Verdict`]s against the same guard.

use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::{Decode, Reading, split};

/// The longest one pass over a whole input may take for the peer to be timed under criterion.
pub const GUARD: Duration = Duration::from_secs(2);

/// What the gate found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Same counts as ours, and one pass over the whole input took this long (at most [`GUARD`]).
    Pass(Duration),
    /// Different counts, an error or a panic: the text says which and how.
    Wrong(String),
    /// Too slow to time: the text says how long it took, and on how much of the input.
    TooSlow(String),
}

/// The prefixes of the input a peer is tried on, as fractions: a peer whose time grows faster than the input
/// (quadratic in the chunk size, say) is caught on a prefix before it spends minutes on the whole.
const PREFIXES: &[usize] = &[16, 4, 1];

/// Runs `peer` on `input` in pieces of `chunk` bytes (`None`: one buffer), read as `reading` says, first on a
/// sixteenth and a quarter of it (cut after a blank line), then on all of it, and compares each result with
/// `reference`'s ([`Counts::agrees_with`](crate::Counts::agrees_with)).
#[must_use]
pub fn vet(peer: Decode, reference: Decode, input: &Bytes, chunk: Option<usize>, reading: Reading) -> Verdict {
    for &fraction in PREFIXES {
        let prefix = input.slice(..event_boundary(input, input.len() / fraction));
        let chunks = split(&prefix, chunk);
        let expected = match reference(chunks.clone(), reading) {
            Ok(counts) => counts,
            Err(e) => return Verdict::Wrong(format!("the reference failed: {e}")),
        };
        let started = Instant::now();
        let got = catch(|| peer(chunks, reading));
        let took = started.elapsed();
        let on = if fraction == 1 { String::new() } else { format!(" on the first {} KiB", prefix.len() >> 10) };
        match got {
            Ok(counts) if counts.agrees_with(&expected) => {}
            Ok(counts) => return Verdict::Wrong(format!("{counts}, expected {expected}{on}")),
            Err(e) => return Verdict::Wrong(format!("{e}{on}")),
        }
        // No decoder is faster per byte on more input, so a prefix that projects past the guard is enough.
        if took * fraction as u32 > GUARD {
            let of = if fraction == 1 { String::new() } else { format!(" for 1/{fraction} of the input") };
            return Verdict::TooSlow(format!("{:.2} s per pass{of}", took.as_secs_f64()));
        }
        if fraction == 1 {
            return Verdict::Pass(took);
        }
    }
    unreachable!("the last prefix is the whole input")
}

/// Where the last event that ends at or before `at` ends (just after its blank line); the whole input when
/// `at` is its length.
fn event_boundary(input: &[u8], at: usize) -> usize {
    if at >= input.len() {
        return input.len();
    }
    let head = &input[..at];
    let lf = memchr::memmem::rfind(head, b"\n\n").map_or(0, |i| i + 2);
    let crlf = memchr::memmem::rfind(head, b"\n\r\n").map_or(0, |i| i + 3);
    lf.max(crlf)
}

/// Runs `f`, turning a panic into an error that carries its message (and keeping the message off stderr).
pub(crate) fn catch<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(hook);
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-text payload".to_owned());
        Err(format!("panicked: {message}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Counts;

    #[test]
    fn cuts_after_blank_lines() {
        let input = b"data: a\n\ndata: b\r\n\r\ndata: c\n\n";
        assert_eq!(event_boundary(input, 12), 9);
        assert_eq!(event_boundary(input, 20), 20);
        assert_eq!(event_boundary(input, 1000), input.len());
    }

    #[test]
    fn finds_a_wrong_peer() {
        fn none(_: Vec<Bytes>, _: Reading) -> Result<Counts, String> {
            Ok(Counts::default())
        }
        /// Right data, but every event typed `message`.
        fn untyped(chunks: Vec<Bytes>, reading: Reading) -> Result<Counts, String> {
            let counts = crate::decode(chunks, reading)?;
            let type_bytes = if reading == Reading::Text { counts.events * "message".len() } else { 0 };
            Ok(Counts { type_bytes, ..counts })
        }
        let input = Bytes::from(crate::llm(64 << 10));
        for reading in [Reading::DataLen, Reading::Text] {
            assert!(matches!(vet(crate::decode, crate::decode, &input, Some(64), reading), Verdict::Pass(_)));
            assert!(matches!(vet(none, crate::decode, &input, None, reading), Verdict::Wrong(_)));
        }
        // Every `notify` event is typed.
        let typed = Bytes::from(crate::notify(64 << 10));
        assert!(matches!(vet(untyped, crate::decode, &typed, None, Reading::DataLen), Verdict::Pass(_)));
        assert!(matches!(vet(untyped, crate::decode, &typed, None, Reading::Text), Verdict::Wrong(_)));
    }
}
