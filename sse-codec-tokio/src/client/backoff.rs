//! How long to wait before reconnecting: [`RetryPolicy`], and [`Backoff`], the default one.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// Decides the delay before each reconnection, and when to give up.
///
/// [`EventSource`](super::EventSource) asks it before every reconnection with the reconnection time in force
/// (the last `retry:` the server sent, or the default) and how many attempts in a row have failed since the
/// last healthy connection. Whatever it answers, the source waits at least its
/// [floor](super::Options::min_delay), so that no policy can make it spin. A `Retry-After` that a retried
/// response carries is used instead of the policy's delay, but the policy is still asked whether to go on.
pub trait RetryPolicy {
    /// The delay before the next attempt, or `None` to give up.
    ///
    /// `failures` is how many attempts in a row have failed since the last healthy connection, counting the
    /// one that just ended (so at least 1); `failing_for` is how long ago the first of them started.
    fn delay(&mut self, retry: Duration, failures: u32, failing_for: Duration) -> Option<Duration>;
}

/// Exponential backoff with jitter, capped, with optional limits: the default [`RetryPolicy`].
///
/// After the first failure the delay is the reconnection time itself, as a browser waits. Each further failure
/// in a row doubles it (by [`Backoff::factor`]), up to [`Backoff::max_delay`] (never below the reconnection time
/// the server asked for), and jitter then picks the delay at random between half of it and all of it, so that
/// clients that failed together do not all come back at the same instant. A healthy connection (see
/// [`Options::healthy_after`](super::Options::healthy_after)) starts the count again.
///
/// | setting | default |
/// | --- | --- |
/// | [`factor`](Backoff::factor) | 2 |
/// | [`max_delay`](Backoff::max_delay) | 60 s |
/// | [`jitter`](Backoff::jitter) | on, seeded at random (or by [`seed`](Backoff::seed)) |
/// | [`max_failures`](Backoff::max_failures) | none: retries for ever |
/// | [`max_failing_for`](Backoff::max_failing_for) | none |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sse_codec_tokio::client::{Backoff, RetryPolicy};
///
/// let mut backoff = Backoff::default().jitter(false).max_delay(Duration::from_secs(10)).max_failures(5);
/// let retry = Duration::from_secs(3);
/// let delays: Vec<_> = (1..=5).map(|n| backoff.delay(retry, n, Duration::ZERO)).collect();
/// let secs = |s| Some(Duration::from_secs(s));
/// assert_eq!(delays, [secs(3), secs(6), secs(10), secs(10), None]);
/// ```
#[derive(Clone)]
pub struct Backoff {
    factor: u32,
    max_delay: Duration,
    jitter: bool,
    rng: u64,
    max_failures: Option<u32>,
    max_failing_for: Option<Duration>,
}

impl fmt::Debug for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("factor", &self.factor)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .field("max_failures", &self.max_failures)
            .field("max_failing_for", &self.max_failing_for)
            .finish_non_exhaustive()
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            factor: 2,
            max_delay: Duration::from_secs(60),
            jitter: true,
            rng: RandomState::new().hash_one(0x5eed_u64) | 1,
            max_failures: None,
            max_failing_for: None,
        }
    }
}

impl Backoff {
    /// Sets how much each further failure multiplies the delay by (at least 1).
    #[must_use]
    pub fn factor(mut self, factor: u32) -> Self {
        self.factor = factor.max(1);
        self
    }

    /// Sets the longest delay the backoff grows to (a server's longer `retry:` still wins).
    #[must_use]
    pub const fn max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Turns jitter on or off. Without it, the delays are exact: the reconnection time, then doubled each time.
    #[must_use]
    pub const fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Seeds the jitter, so that the delays are the same from run to run (for tests).
    #[must_use]
    pub const fn seed(mut self, seed: u64) -> Self {
        self.rng = seed | 1;
        self
    }

    /// Gives up once this many attempts in a row have failed.
    #[must_use]
    pub const fn max_failures(mut self, failures: u32) -> Self {
        self.max_failures = Some(failures);
        self
    }

    /// Gives up once attempts have failed for this long in a row.
    #[must_use]
    pub const fn max_failing_for(mut self, time: Duration) -> Self {
        self.max_failing_for = Some(time);
        self
    }

    /// The next number of the jitter's generator (xorshift64*: small, fast, seedable; not for secrets).
    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

impl RetryPolicy for Backoff {
    fn delay(&mut self, retry: Duration, failures: u32, failing_for: Duration) -> Option<Duration> {
        if self.max_failures.is_some_and(|max| failures >= max)
            || self.max_failing_for.is_some_and(|max| failing_for >= max)
        {
            return None;
        }
        let doublings = failures.saturating_sub(1);
        if doublings == 0 {
            return Some(retry);
        }
        let cap = self.max_delay.max(retry);
        let grown = self.factor.checked_pow(doublings).and_then(|factor| retry.checked_mul(factor));
        let delay = grown.map_or(cap, |grown| grown.min(cap));
        if !self.jitter {
            return Some(delay);
        }
        // Between half the delay and all of it, in whole milliseconds: the timer's resolution, so that the
        // delay announced is the delay waited.
        let full = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        let half = full / 2;
        let extra = self.next_random() % (full - half).saturating_add(1);
        Some(Duration::from_millis(half + extra))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RETRY: Duration = Duration::from_secs(1);

    #[test]
    fn without_jitter_the_delay_doubles_up_to_the_cap() {
        let mut backoff = Backoff::default().jitter(false).max_delay(Duration::from_secs(5));
        let delays: Vec<_> = (1..=5).map(|n| backoff.delay(RETRY, n, Duration::ZERO).unwrap().as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 5, 5]);
        assert_eq!(backoff.delay(RETRY, u32::MAX, Duration::ZERO), Some(Duration::from_secs(5)));
    }

    #[test]
    fn a_server_retry_longer_than_the_cap_wins() {
        let mut backoff = Backoff::default().jitter(false).max_delay(Duration::from_secs(5));
        let retry = Duration::from_secs(90);
        assert_eq!(backoff.delay(retry, 3, Duration::ZERO), Some(retry));
    }

    #[test]
    fn jitter_is_between_half_and_all_of_the_delay_and_follows_the_seed() {
        let run = |seed| {
            let mut backoff = Backoff::default().seed(seed).max_delay(Duration::from_secs(1000));
            (1..=8).map(|n| backoff.delay(RETRY, n, Duration::ZERO).unwrap()).collect::<Vec<_>>()
        };
        let delays = run(7);
        assert_eq!(delays, run(7));
        assert_ne!(delays, run(8));
        assert_eq!(delays[0], RETRY, "the first retry waits exactly the reconnection time");
        for (n, delay) in delays.iter().enumerate().skip(1) {
            let full = RETRY * 2u32.pow(n as u32);
            assert!(*delay >= full / 2 && *delay <= full, "{n}: {delay:?} outside {:?}..={full:?}", full / 2);
        }
    }

    #[test]
    fn limits_give_up() {
        let mut backoff = Backoff::default().max_failures(3);
        assert!(backoff.delay(RETRY, 2, Duration::ZERO).is_some());
        assert_eq!(backoff.delay(RETRY, 3, Duration::ZERO), None);
        let mut backoff = Backoff::default().max_failing_for(Duration::from_secs(30));
        assert!(backoff.delay(RETRY, 9, Duration::from_secs(29)).is_some());
        assert_eq!(backoff.delay(RETRY, 9, Duration::from_secs(30)), None);
    }
}
