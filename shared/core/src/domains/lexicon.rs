//! The suggestions' own lexicon: the dictionary words that segment and vary
//! a name, and the well-known brands never suggested (nor anything one typo
//! away). The simulated registry borrows them to make a realistic world of
//! names already taken.

use std::collections::HashSet;
use std::sync::LazyLock;

pub static WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/words.txt")
        .lines()
        .filter(|w| !w.is_empty())
        .collect()
});

pub static BRANDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/brands.txt")
        .lines()
        .filter(|w| !w.is_empty())
        .collect()
});
