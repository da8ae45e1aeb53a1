//! How much a run explores (`--explore-budget`), from which seed (`--seed`), and which one
//! case it asks again instead of searching (`tfe-contract replay`).

use crate::checks::CasePath;

/// How much a run explores, and from which seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exploration {
    /// Cases each exploring trial draws (a generated input, or a sequence of operations);
    /// 0 turns exploration off.
    pub budget: u32,
    /// Where every generated input comes from: the same seed draws the same cases.
    pub seed: u64,
    /// `tfe-contract replay`: the one case a trial asks, rebuilt from the seed, instead of
    /// a search. A process replays one trial once, so it lives as long as the process.
    pub replay: Option<&'static Replay>,
}

/// The case a replayed trial asks again: the smallest its recorded run found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    pub trial: String,
    pub path: CasePath,
}

impl Exploration {
    /// The seed of `trial`'s own generator: the run's seed mixed with the trial's name, so
    /// that a trial draws the same cases whichever other trials run beside it.
    pub fn seed_for(&self, trial: &str) -> [u8; 32] {
        let mut state = self.seed ^ fnv1a(trial.as_bytes());
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            state = splitmix64(state);
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        out
    }
}

/// FNV-1a, 64 bits: a stable hash of a name (the standard library's may change between
/// releases, and a seed must replay with any build of the same version).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One step of SplitMix64, which spreads a seed over all of its bits.
fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trial_s_seed_depends_on_the_run_s_seed_and_its_name_only() {
        let run = Exploration {
            budget: 4,
            seed: 7,
            replay: None,
        };
        assert_eq!(run.seed_for("a::b"), run.seed_for("a::b"));
        assert_ne!(run.seed_for("a::b"), run.seed_for("a::c"));
        let other = Exploration { seed: 8, ..run };
        assert_ne!(run.seed_for("a::b"), other.seed_for("a::b"));
        // Stable across builds: a seed printed by one build replays with another.
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
