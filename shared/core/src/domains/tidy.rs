//! A search as registrars take it: what was typed, without what no domain
//! name has.

/// What someone typed into the search, tidied as registrars' searches do:
/// without spaces and the punctuation no domain name has ("my bakery!" is
/// `mybakery`), keeping what a pasted address carries (`://`, `/`, `:`,
/// `@`, `?`, `#`, brackets), which `parse` takes off.
pub fn tidy(query: &str) -> String {
    query
        .chars()
        .filter(|c| !c.is_whitespace() && !"!\"$%&'()*+,;<=>\\^_`{|}~".contains(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::name::{Searched, parse};
    use super::*;

    #[test]
    fn a_search_is_tidied_as_registrars_tidy_it() {
        let word = |query: &str| match parse(&tidy(query)).unwrap() {
            Searched::Word { unicode, .. } => unicode,
            Searched::Domain(domain) => domain.unicode,
        };
        assert_eq!(word("my bakery!"), "mybakery");
        assert_eq!(word("  Joe's Pizza & Co. "), "joespizzaco");
        assert_eq!(word("https://My Bakery.com/menu"), "mybakery.com");
        assert_eq!(word("bäcker ei"), "bäckerei");
        assert_eq!(word("my-bakery"), "my-bakery", "hyphens stay");
        assert!(parse(&tidy("!!!")).is_err(), "nothing is left of it");
    }
}
