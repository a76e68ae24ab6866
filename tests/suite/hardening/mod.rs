//! What a hostile customer or visitor tries, and what stops them: names that
//! belong to the company, the development outbox, hoarding, floods of
//! logins and cards, stolen secrets and sessions, and the server's limits.

mod cards;
mod contract;
mod floods;
mod headers;
mod hoarding;
mod local_server;
mod secrets;
mod sessions;
mod sold_names;
mod takeover;
