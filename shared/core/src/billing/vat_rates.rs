//! The standard VAT rate of each EU member state, from the committed table
//! `data/eu-vat-rates.json` (its source and the date its rates are as of
//! are in the file). A change of rate is a change of that file; invoices
//! keep the rate they were issued at.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

#[derive(Deserialize)]
struct RateTable {
    source: String,
    as_of: String,
    standard_rates_bps: BTreeMap<String, u32>,
}

static RATES: LazyLock<RateTable> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../data/eu-vat-rates.json"))
        .expect("data/eu-vat-rates.json is a rate table")
});

/// The ISO 3166 code of a member state as VIES writes it (`EL` is Greece).
pub fn iso_country(vies_code: &str) -> &str {
    match vies_code {
        "EL" => "GR",
        other => other,
    }
}

/// The standard rate of `country` (ISO 3166, `GR` for Greece) in basis
/// points, when it is an EU member state.
pub fn standard_rate_bps(country: &str) -> Option<u32> {
    RATES.standard_rates_bps.get(country).copied()
}

/// Whether `country` (ISO 3166) is an EU member state.
pub fn is_member_state(country: &str) -> bool {
    standard_rate_bps(country).is_some()
}

/// Where the rates come from, and the date they are as of.
pub fn provenance() -> (&'static str, &'static str) {
    (&RATES.source, &RATES.as_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax_ids::MEMBER_STATES;

    #[test]
    fn all_27_member_states_have_a_sane_standard_rate() {
        let table = &RATES.standard_rates_bps;
        assert_eq!(table.len(), 27);
        for code in MEMBER_STATES.iter().filter(|c| **c != "XI") {
            let rate = standard_rate_bps(iso_country(code)).unwrap_or_else(|| panic!("{code}"));
            assert!((1500..=2800).contains(&rate), "{code}: {rate}");
        }
        assert!(!is_member_state("XI") && !is_member_state("GB") && !is_member_state("US"));
        assert!(!is_member_state("EL"), "keys are ISO's: Greece is GR");
    }

    #[test]
    fn the_rates_are_those_in_force_in_late_2026() {
        let (source, as_of) = provenance();
        assert!(source.contains("European Commission"), "{source}");
        assert!(as_of.starts_with("2026-"), "{as_of}");
        for (country, rate) in [
            ("FI", 2550),
            ("EE", 2400),
            ("SK", 2300),
            ("RO", 2100),
            ("DE", 1900),
            ("HU", 2700),
            ("LU", 1700),
        ] {
            assert_eq!(standard_rate_bps(country), Some(rate), "{country}");
        }
    }
}
