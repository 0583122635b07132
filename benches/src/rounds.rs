//! Interleaved timing: every contestant timed once per round, round after round, for ratios that hold steady
//! on a machine whose speed drifts.

use std::time::Duration;

use crate::corpus::Rng;

/// Runs `rounds` rounds in which `pass(i)` times one pass of contestant `i`, each of `0..n` once, and returns
/// each contestant's times, one per round.
///
/// Each round runs the contestants in an order of its own, drawn from a fixed seed. A fixed rotation would
/// have each contestant always run just after the same one and pay, in every round, for what that one leaves
/// behind: a heap it has shrunk or scattered, caches it has filled.
pub fn interleaved(n: usize, rounds: usize, mut pass: impl FnMut(usize) -> Duration) -> Vec<Vec<Duration>> {
    let mut rng = Rng::new(0x0005_EED0_0DE4);
    let mut order: Vec<usize> = (0..n).collect();
    let mut times = vec![Vec::with_capacity(rounds); n];
    for _ in 0..rounds {
        // Fisher-Yates: every order equally likely.
        for k in (1..n).rev() {
            order.swap(k, rng.below(k + 1));
        }
        for &i in &order {
            times[i].push(pass(i));
        }
    }
    times
}
