//! Staff: identity (password, one-time codes, throttled tries, sessions), the role
//! every admin route needs, and what staff do, recorded in the audit log.

mod agency;
mod agency_calendar;
mod agency_lists;
mod agency_races;
mod countries;
mod credit;
mod credit_notes;
mod login;
mod mail_templates;
mod names;
mod own_account;
mod pools;
mod refunds;
mod roles;
mod tax_report;
mod throttle;
mod voided;
mod work;
