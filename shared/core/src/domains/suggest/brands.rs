//! Well-known brands, never suggested, nor any name one typo away from one.

use aho_corasick::AhoCorasick;

/// Well-known brands, matched all at once (one pass over a label, however
/// many brands), and their one-typo neighbours.
pub struct Brands {
    names: Vec<String>,
    matcher: AhoCorasick,
}

impl Brands {
    pub fn new(names: &[&str]) -> Self {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let matcher = AhoCorasick::new(&names).expect("brand names build an automaton");
        Brands { names, matcher }
    }

    /// A label that contains a brand or is one typo away from one.
    pub fn near(&self, label: &str) -> bool {
        let plain: String = label.chars().filter(|c| *c != '-').collect();
        self.matcher.is_match(&plain)
            || self.names.iter().any(|brand| {
                brand.len() >= 5
                    && plain.len().abs_diff(brand.len()) <= 1
                    && strsim::damerau_levenshtein(&plain, brand) <= 1
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brands_and_their_typos_are_near() {
        let brands = Brands::new(&["google", "amazon", "ikea"]);
        assert!(brands.near("google"));
        assert!(brands.near("mygoogle"));
        assert!(brands.near("gogle"));
        assert!(brands.near("amazn"));
        assert!(brands.near("ikea-shop"));
        assert!(!brands.near("bakery"));
        assert!(!brands.near("ikeo"), "short brands only match exactly");
    }
}
