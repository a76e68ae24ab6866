//! The seller as invoices must name it: legal name, address, country, tax
//! ID and registration. The demo sells as a company without an address in
//! the United States; a real shop sets its own.

use super::{ConfigError, Env};
use crate::party::Party;

/// The seller's identity from `HOSTFRONT_SELLER_*`, its name defaulting to
/// the company's name that mails are signed with.
pub fn read(env: &Env, company_name: &str) -> Result<Party, ConfigError> {
    let country = env.text("HOSTFRONT_SELLER_COUNTRY", "US");
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ConfigError::new(format!(
            "HOSTFRONT_SELLER_COUNTRY must be an ISO 3166 two-letter code in capitals, not {country:?}"
        )));
    }
    let address = env
        .get("HOSTFRONT_SELLER_ADDRESS")
        .map(|lines| {
            lines
                .split('|')
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Party {
        name: env.text("HOSTFRONT_SELLER_NAME", company_name),
        address,
        country,
        tax_id: env.get("HOSTFRONT_SELLER_TAX_ID"),
        registration: env.get("HOSTFRONT_SELLER_REGISTRATION"),
    })
}
