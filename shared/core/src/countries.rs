//! The countries of ISO 3166-1: every assigned alpha-2 code and its English
//! name, from `data/iso-3166-1.tsv` (which names its source). A country a
//! customer gives must be one of these: two letters alone are not a country
//! ("UN" is what "United Kingdom" became when any two letters were taken).

use std::collections::BTreeMap;
use std::sync::LazyLock;

static COUNTRIES: LazyLock<BTreeMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../data/iso-3166-1.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split_once('\t'))
        .collect()
});

/// The assigned code `input` names, upper-cased (`de` is `DE`); none when
/// it is not the alpha-2 code of a country.
pub fn code(input: &str) -> Option<&'static str> {
    if input.len() != 2 {
        return None;
    }
    COUNTRIES
        .get_key_value(input.to_ascii_uppercase().as_str())
        .map(|(code, _)| *code)
}

/// The English name of the country `code` (upper-case alpha-2).
pub fn name(code: &str) -> Option<&'static str> {
    COUNTRIES.get(code).copied()
}

/// Every country, by code.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    COUNTRIES.iter().map(|(code, name)| (*code, *name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_assigned_ones_only() {
        assert_eq!(all().count(), 249);
        assert_eq!(code("de"), Some("DE"));
        assert_eq!(code("GB"), Some("GB"));
        assert_eq!(name("GB"), Some("United Kingdom"));
        for not_a_country in ["UN", "XX", "EU", "UK", "G", "GBR", "", "ÄÖ"] {
            assert_eq!(code(not_a_country), None, "{not_a_country}");
        }
    }
}
