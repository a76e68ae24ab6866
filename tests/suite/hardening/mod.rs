//! What a hostile customer or visitor tries, and what stops them: names that
//! belong to the company, the development outbox, hoarding, floods of
//! logins and cards, stolen secrets and sessions, and the server's limits.

mod bank_check;
mod card_data;
pub(crate) mod card_testing;
mod cards;
mod contract;
mod domain_theft;
mod external_holds;
mod floods;
mod headers;
mod hoarding;
mod invoice_bank_check;
mod invoice_bank_stripe;
mod local_server;
pub(crate) mod portal_quota;
mod renewal_bank_check;
mod renewal_bank_stripe;
mod secrets;
mod server_names;
mod sessions;
mod sold_names;
mod takeover;
mod upgrade_bank_check;
mod upgrades;
pub(crate) mod watched_gateway;
