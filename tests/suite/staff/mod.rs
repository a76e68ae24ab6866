//! Staff: identity (password, one-time codes, throttled tries, sessions), the role
//! every admin route needs, and what staff do, recorded in the audit log.

mod credit;
mod login;
mod pools;
mod refunds;
mod roles;
mod throttle;
mod work;
