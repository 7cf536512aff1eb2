//! Helpers shared by the unit tests of several modules.

/// A small deterministic generator (xorshift64) for the tests that compare a fast routine
/// with its plain definition on many generated strings: each call gives a number below `n`.
/// The same seed gives the same sequence on every machine, so a failure can be replayed.
pub(crate) fn xorshift(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
