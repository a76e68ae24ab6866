//! Staff accounts, logins and sessions. A login needs the password and a
//! one-time code (or one of the ten recovery codes, each good once); wrong
//! tries are throttled per email and client (see `throttle`). A session lasts eight
//! hours at most and ends after thirty idle minutes. Every account made and
//! every login, good or bad, is in the audit log with the client's address.
//!
//! `enrol` makes a member, `login` checks a login and starts a session,
//! `session` keeps and ends one.

mod enrol;
mod login;
pub mod own;
pub mod own_secrets;
mod session;

pub use enrol::{Enrolment, NewStaff, create, create_first_admin, enrolment_text};
pub use login::{StaffLogin, login};
pub use session::{IDLE_SECS, SESSION_SECS, logout, session_member};

use super::{Role, StaffMember, profile_key};
use crate::audit::{Actor, AuditEntry};
use crate::store::TxOp;

/// The authenticator secret is bound to the member's item (and opens as
/// sealed before seals named their item).
fn totp_context(id: &str) -> crate::secrets::SealContext {
    crate::secrets::SealContext::new(&profile_key(id), "totp").formerly(format!("staff/{id}/totp"))
}

/// An entry about `member`, made by `actor` acting with `role` from `client`.
fn audit(
    member: &StaffMember,
    (actor, role): (Actor, Option<Role>),
    action: &str,
    why: String,
    client: &str,
    at: String,
) -> TxOp {
    AuditEntry {
        at,
        actor,
        subject: format!("staff:{}", member.id),
        customer_id: None,
        action: action.into(),
        from: None,
        to: Some(member.role.as_str().into()),
        why,
        client: Some(client.into()),
        role: role.map(|r| r.as_str().into()),
    }
    .put_op()
}
