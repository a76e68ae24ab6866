//! Invoices a company can file: the buyer's company and address on the
//! account, lines that name what was sold and its period, the date of
//! supply, and the PDF that reads back with all of it, on both engines.

mod identity;
mod pdf;

use hostfront::billing::Party;
use hostfront::settings::Settings;

/// A seller that names itself as the law asks, at a 20 % rate.
fn legal_seller(settings: &mut Settings) {
    settings.policy.seller = Party {
        name: "Hostfront Trading Ltd".into(),
        address: vec!["1 Bakery Lane".into(), "London EC1A 1BB".into()],
        country: "GB".into(),
        tax_id: Some("GB123456789".into()),
        registration: Some("Companies House 01234567".into()),
    };
    settings.policy.tax_rate_bps = 2000;
}

fn fresh_email() -> String {
    format!("{}@example.com", hostfront_tests::shopper::fresh_username())
}
