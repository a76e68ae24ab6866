//! Name variations worth suggesting, and their ranking. Pure: the caller
//! checks availability for all of them in one batched registrar call.
//!
//! Variations of a label: the same label on the other sold TLDs; plural and
//! singular; concatenated words split by hyphens ("mybakeryshop" →
//! "my-bakery-shop"); common prefixes and suffixes. Never typo variants, and
//! never a name that carries a well-known brand: both invite trademark trouble.

mod brands;
mod words;

pub use brands::Brands;
pub use words::{plural, segment, singular};

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::TldPrice;

const PREFIXES: &[&str] = &["get", "my", "the", "try", "go"];
const SUFFIXES: &[&str] = &["online", "hq", "shop", "app", "now", "hub", "studio", "web"];
/// Prefixed and suffixed variants go on this many of the best-ranked TLDs.
const AFFIX_TLDS: usize = 3;
const MAX_LABEL: usize = 63;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// The name searched for.
    Exact,
    OtherTld,
    Plural,
    Singular,
    Hyphenated,
    Prefixed,
    Suffixed,
}

impl Variant {
    /// How far from what the user typed: subtracted from the score.
    fn distance(self) -> i64 {
        match self {
            Variant::Exact | Variant::OtherTld => 0,
            Variant::Plural | Variant::Singular => 15,
            Variant::Hyphenated => 25,
            Variant::Prefixed => 35,
            Variant::Suffixed => 40,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// ASCII form of the whole name.
    pub domain: String,
    pub label: String,
    pub tld: String,
    pub variant: Variant,
}

/// The words a dictionary-based segmentation may use, and the brands to keep away from.
pub struct Lexicon<'a> {
    pub words: &'a HashSet<&'a str>,
    pub brands: &'a Brands,
}

/// Variations of `label` (searched on `searched_tld`, if any) on the sold `tlds`,
/// best-ranked TLD first, without duplicates and without the searched name.
pub fn candidates(
    label: &str,
    searched_tld: Option<&str>,
    tlds: &[TldPrice],
    lexicon: &Lexicon,
) -> Vec<Candidate> {
    if lexicon.brands.near(label) {
        // Variations of a brand, or of a typo of one, are all trademark trouble.
        return Vec::new();
    }
    let mut ranked: Vec<&TldPrice> = tlds.iter().collect();
    ranked.sort_by_key(|t| t.rank);
    let affix_tlds: Vec<&str> = searched_tld
        .into_iter()
        .chain(ranked.iter().map(|t| t.tld.as_str()))
        .fold(Vec::new(), |mut acc, t| {
            if !acc.contains(&t) && acc.len() < AFFIX_TLDS {
                acc.push(t);
            }
            acc
        });
    let mut out = Vec::new();
    let mut push = |label: String, tld: &str, variant: Variant| {
        if label.len() <= MAX_LABEL && !label.starts_with('-') && !label.ends_with('-') {
            out.push(Candidate {
                domain: format!("{label}.{tld}"),
                label,
                tld: tld.to_string(),
                variant,
            });
        }
    };
    for tld in &ranked {
        push(label.to_string(), &tld.tld, Variant::OtherTld);
    }
    // Words make sense only of plain ASCII labels; an IDN gets its other TLDs.
    if label
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with("xn--")
    {
        let words = segment(label, lexicon.words);
        for tld in &affix_tlds {
            if let Some(plural) = plural(label) {
                push(plural, tld, Variant::Plural);
            }
            if let Some(singular) = singular(label, lexicon.words) {
                push(singular, tld, Variant::Singular);
            }
            if let Some(words) = words.as_ref().filter(|w| w.len() > 1) {
                push(words.join("-"), tld, Variant::Hyphenated);
            }
        }
        for tld in affix_tlds.iter().take(2) {
            for prefix in PREFIXES.iter().filter(|p| !label.starts_with(*p)) {
                push(format!("{prefix}{label}"), tld, Variant::Prefixed);
            }
            for suffix in SUFFIXES.iter().filter(|s| !label.ends_with(*s)) {
                push(format!("{label}{suffix}"), tld, Variant::Suffixed);
            }
        }
    }
    let searched = searched_tld.map(|tld| format!("{label}.{tld}"));
    let mut seen = HashSet::new();
    out.retain(|c| {
        Some(&c.domain) != searched.as_ref()
            && !lexicon.brands.near(&c.label)
            && seen.insert(c.domain.clone())
    });
    out
}

/// A suggestion's rank: higher is better. Shorter names, better-ranked TLDs,
/// cheaper prices and variants closer to what was typed score higher.
pub fn score(candidate: &Candidate, tld_rank: u32, first_year_price: i64) -> i64 {
    1000 - 8 * candidate.label.len() as i64
        - 12 * tld_rank as i64
        - first_year_price / 100
        - candidate.variant.distance()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tld(tld: &str, rank: u32) -> TldPrice {
        TldPrice {
            tld: tld.into(),
            rank,
            register: 1000,
            transfer: 1000,
            renew: 1000,
            restore: 5000,
        }
    }

    fn lexicon_words() -> HashSet<&'static str> {
        [
            "my", "bakery", "shop", "best", "coffee", "business", "box", "a",
        ]
        .into_iter()
        .collect()
    }

    fn domains(list: &[Candidate]) -> Vec<&str> {
        list.iter().map(|c| c.domain.as_str()).collect()
    }

    #[test]
    fn brands_and_their_typos_are_never_suggested() {
        let brands = Brands::new(&["google", "amazon", "ikea"]);
        let words = lexicon_words();
        let lexicon = Lexicon {
            words: &words,
            brands: &brands,
        };
        assert!(
            candidates(
                "gogle",
                Some("com"),
                &[tld("com", 1), tld("net", 2)],
                &lexicon
            )
            .is_empty()
        );
    }

    #[test]
    fn variations_cover_tlds_words_and_affixes() {
        let words = lexicon_words();
        let lexicon = Lexicon {
            words: &words,
            brands: &Brands::new(&[]),
        };
        let tlds = [tld("com", 1), tld("net", 2), tld("shop", 3), tld("io", 4)];
        let list = candidates("mybakery", Some("com"), &tlds, &lexicon);
        let names = domains(&list);
        assert!(
            !names.contains(&"mybakery.com"),
            "not the searched name itself"
        );
        for expected in [
            "mybakery.net",
            "mybakery.shop",
            "mybakery.io",
            "mybakeries.com",
            "my-bakery.com",
            "getmybakery.com",
            "mybakeryonline.net",
            "my-bakery.net",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        assert!(
            !names.contains(&"mymybakery.com"),
            "no prefix the name already has"
        );
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "no duplicates");
        assert!(list.iter().all(|c| c.label.len() <= 63));
    }

    #[test]
    fn idn_labels_get_only_other_tlds() {
        let words = lexicon_words();
        let lexicon = Lexicon {
            words: &words,
            brands: &Brands::new(&[]),
        };
        let list = candidates(
            "xn--bckerei-wxa",
            Some("de"),
            &[tld("com", 1), tld("de", 2)],
            &lexicon,
        );
        assert_eq!(domains(&list), ["xn--bckerei-wxa.com"]);
    }

    #[test]
    fn scores_prefer_short_cheap_close_names_on_good_tlds() {
        let c = |label: &str, variant| Candidate {
            domain: format!("{label}.com"),
            label: label.into(),
            tld: "com".into(),
            variant,
        };
        let base = score(&c("bakery", Variant::OtherTld), 1, 1299);
        assert!(
            base > score(&c("bakery", Variant::OtherTld), 5, 1299),
            "better TLD rank wins"
        );
        assert!(
            base > score(&c("bakery", Variant::OtherTld), 1, 4999),
            "cheaper wins"
        );
        assert!(
            base > score(&c("mybakery", Variant::OtherTld), 1, 1299),
            "shorter wins"
        );
        assert!(
            base > score(&c("bakery", Variant::Suffixed), 1, 1299),
            "closer to what was typed wins"
        );
    }
}
