//! Staff: identity (password, one-time codes, lockout, sessions), the role
//! every admin route needs, and what staff do, recorded in the audit log.

mod login;
mod pools;
mod refunds;
mod roles;
mod work;
