//! Staff: identity (password, one-time codes, throttled tries, sessions), the role
//! every admin route needs, and what staff do, recorded in the audit log.

mod agency;
mod agency_billing;
mod agency_calendar;
mod agency_golive;
mod agency_links;
mod agency_lists;
mod agency_paid;
mod agency_paid_back;
mod agency_races;
mod agency_starts;
mod charts;
mod countries;
mod credit;
mod credit_notes;
mod lists;
mod lists_of_staff;
mod login;
mod mail_templates;
mod names;
mod own_account;
mod pitch;
mod pitch_accept;
mod pools;
mod prospects;
mod refunds;
mod roles;
mod tax_report;
mod throttle;
mod voided;
mod work;
