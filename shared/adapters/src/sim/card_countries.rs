//! Where the simulation's test cards were issued, as a card's bank
//! identification number tells a real provider: Stripe's international
//! test cards (its testing guide, "International cards") in their
//! countries, and every other card in the United States, as Stripe's basic
//! test cards are ("Each basic test card's billing country is set to U.S.").

const INTERNATIONAL: [(&str, &str); 16] = [
    ("4000000400000008", "AT"),
    ("4000000560000004", "BE"),
    ("4000001240000000", "CA"),
    ("4000002080000001", "DK"),
    ("4000002460000001", "FI"),
    ("4000002500000003", "FR"),
    ("4000002760000016", "DE"),
    ("4000003720000005", "IE"),
    ("4000003800000008", "IT"),
    ("4000004420000006", "LU"),
    ("4000005280000002", "NL"),
    ("4000005780000007", "NO"),
    ("4000006200000007", "PT"),
    ("4000007240000007", "ES"),
    ("4000007520000008", "SE"),
    ("4000008260000000", "GB"),
];

/// ISO 3166-1 alpha-2 of the country that issued the card `digits`.
pub fn issued_in(digits: &str) -> &'static str {
    INTERNATIONAL
        .iter()
        .find(|(number, _)| *number == digits)
        .map_or("US", |(_, country)| *country)
}

/// The country's test card, for tests and the README's card table.
pub fn card_of(country: &str) -> Option<&'static str> {
    INTERNATIONAL
        .iter()
        .find(|(_, issued)| *issued == country)
        .map(|(number, _)| *number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_international_card_is_a_card_number_of_its_country() {
        for (number, country) in INTERNATIONAL {
            assert!(super::super::cards::luhn_valid(number), "{number}");
            assert_eq!(issued_in(number), country);
            assert_eq!(card_of(country), Some(number));
        }
        assert_eq!(issued_in("4242424242424242"), "US");
    }
}
