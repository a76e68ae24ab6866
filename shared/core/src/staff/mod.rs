//! Staff: the hosting company's own people, apart from customers. Each has
//! a role; each logs in with a password and a one-time code from an
//! authenticator app (or a recovery code), and gets a short session of its
//! own. Roles nest: `support` reads everything and resumes orders,
//! `billing` adds money (refunds, credits, invoices), `admin` everything.
//!
//! Items (see `docs/data-model.md`):
//! - `STAFF#<id>` / `PROFILE`: the member, `gsi1` `STAFF` / `<email>`;
//! - `STAFFEMAIL#<email>` / `MARKER`: one member per address;
//! - `STAFFSESSION#<sha256 of token>` / `SESSION`: a session;
//! - `STAFFLOGIN#<sha256 of email>` / `EMAIL` and `CLIENT#<address>`: wrong
//!   tries (see `throttle`).

pub mod audit_log;
pub mod auth;
pub mod charts;
pub mod customers;
pub mod dashboard;
pub mod dead_letters;
pub mod invoices;
pub mod names;
pub mod orders;
pub mod subscriptions;
pub mod throttle;
pub use crate::second_factor::totp;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::listing::csv::CsvRow;
use crate::listing::{self, Asked, Listed, Listing, ListingError, Sort};
use crate::store::{Index, Item, ItemExt, Key, Query, SortKey, Table, TableError, TableResult};

pub use crate::audit::Role;

/// A member of staff, as shown (never the password, secret or codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StaffMember {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Who made the account: `staff:<id>`, or `system:create-admin`.
    pub created_by: String,
    /// A member who left keeps the record (the audit names them) but cannot log in.
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// Wrong email, password or code; said the same way for each.
    #[error("the email, password or code is wrong")]
    BadCredentials,
    /// Five wrong tries in a row from this client on this email.
    #[error("too many wrong tries from here; try again in {} minutes", (seconds + 59) / 60)]
    LockedOut { seconds: i64 },
    /// Wrong tries on this email from many clients: wait before the next.
    #[error("too many wrong tries; try again in {seconds} seconds")]
    SlowDown { seconds: i64 },
    #[error("not logged in as staff")]
    NotLoggedIn,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// What the member asked conflicts with the account's state (409 `code`).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("the server is busy; try again in a moment")]
    Busy,
    #[error(transparent)]
    Table(#[from] TableError),
}

impl From<crate::hashing::Overloaded> for StaffError {
    fn from(_: crate::hashing::Overloaded) -> Self {
        StaffError::Busy
    }
}

pub(crate) fn profile_key(id: &str) -> Key {
    Key::new(format!("STAFF#{id}"), "PROFILE")
}

pub(crate) fn email_key(email: &str) -> Key {
    Key::new(format!("STAFFEMAIL#{email}"), "MARKER")
}

pub(crate) fn member_of(item: &Item) -> TableResult<StaffMember> {
    serde_json::from_value(item.get("member").cloned().unwrap_or_default())
        .map_err(|e| TableError::Backend(format!("corrupt staff member: {e}")))
}

/// The member `id`, with their stored profile.
pub(crate) async fn profile(
    table: &dyn Table,
    id: &str,
) -> TableResult<Option<(StaffMember, Item)>> {
    let Some(item) = table.get(&profile_key(id)).await? else {
        return Ok(None);
    };
    Ok(Some((member_of(&item)?, item)))
}

/// The member with `email`, if any.
pub(crate) async fn by_email(
    table: &dyn Table,
    email: &str,
) -> TableResult<Option<(StaffMember, Item)>> {
    let marker = table.get(&email_key(email)).await?;
    match marker.as_ref().and_then(|m| m.str_attr("staff_id")) {
        Some(id) => profile(table, id).await,
        None => Ok(None),
    }
}

/// Records what a member of staff did that changes no record of its own
/// (a redrive, a task run by hand), with the address they acted from.
pub async fn record_action(
    ports: &impl crate::Storage,
    (actor, role, client): (&crate::audit::Actor, Role, &str),
    subject: &str,
    action: &str,
    why: String,
) -> TableResult<()> {
    let entry = crate::audit::AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: actor.clone(),
        subject: subject.into(),
        customer_id: None,
        action: action.into(),
        from: None,
        to: None,
        why,
        client: Some(client.into()),
        role: Some(role.as_str().into()),
    };
    ports.table().transact(vec![entry.put_op()]).await
}

/// Every member of staff (a few dozen at most), to name who acted.
pub(crate) async fn every_member(table: &dyn Table) -> TableResult<Vec<StaffMember>> {
    crate::store::all_items(table, Query::index(Index::Gsi1, "STAFF"))
        .await?
        .iter()
        .map(member_of)
        .collect()
}

/// The members of staff by email, A to Z or Z to A; `status` `active` or
/// `disabled`; `kind` a role; `q` the start of an email.
pub const STAFF: Listing = Listing {
    name: "staff",
    sorts: &[Sort::Az, Sort::Za],
    statuses: &["active", "disabled"],
    kinds: &["support", "billing", "admin"],
    dates: false,
    search: true,
};

/// A page of the members of staff (`gsi1` `STAFF` / `<email>`) as `asked` says.
pub async fn list(table: &dyn Table, asked: &Asked) -> Result<Listed<StaffMember>, ListingError> {
    // DynamoDB refuses `begins_with` an empty string: no search reads all.
    let sort = match &asked.q {
        Some(start) => SortKey::BeginsWith(start.clone()),
        None => SortKey::Any,
    };
    let query = Query::index(Index::Gsi1, "STAFF").sort(sort);
    let keep = |item: &Item| -> TableResult<Option<StaffMember>> {
        let member = member_of(item)?;
        let standing = if member.disabled {
            "disabled"
        } else {
            "active"
        };
        let status = asked.status.as_deref().is_none_or(|s| s == standing);
        let role = asked
            .kind
            .as_deref()
            .is_none_or(|k| k == member.role.as_str());
        Ok((status && role).then_some(member))
    };
    listing::read(table, query, asked, keep).await
}

impl CsvRow for StaffMember {
    const HEADER: &'static [&'static str] = &[
        "id",
        "email",
        "name",
        "role",
        "disabled",
        "created",
        "created_by",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.email.clone(),
            self.name.clone(),
            self.role.as_str().into(),
            self.disabled.to_string(),
            self.created_at.clone(),
            self.created_by.clone(),
        ]
    }
}

/// A change an admin makes to a member of staff.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct StaffChange {
    /// The member's new role.
    #[serde(default)]
    pub role: Option<Role>,
    /// A member who left: they cannot log in, and their sessions end.
    #[serde(default)]
    pub disabled: Option<bool>,
    /// Why, in 1 to 500 characters, for the audit log.
    pub why: String,
}

/// Changes the member `id`'s role or disables them, as the admin `by`
/// (acting from `client`); admins do not change themselves, so that there
/// is always an admin to undo a change.
pub async fn change(
    ports: &impl crate::Storage,
    (by, by_id, client): (&crate::audit::Actor, &str, &str),
    id: &str,
    change: StaffChange,
) -> Result<StaffMember, StaffError> {
    let why = change.why.trim();
    if why.is_empty() || why.chars().count() > 500 {
        return Err(StaffError::Invalid(
            "say why, in 1 to 500 characters".into(),
        ));
    }
    if id == by_id {
        return Err(StaffError::Conflict(
            "ask another admin to change your own account".into(),
        ));
    }
    let (before, item) = profile(ports.table(), id)
        .await?
        .ok_or_else(|| StaffError::Invalid(format!("there is no member of staff {id}")))?;
    let mut after = before.clone();
    after.role = change.role.unwrap_or(before.role);
    after.disabled = change.disabled.unwrap_or(before.disabled);
    let describe = |m: &StaffMember| {
        format!(
            "{}{}",
            m.role.as_str(),
            if m.disabled { ", disabled" } else { "" }
        )
    };
    let entry = crate::audit::AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: by.clone(),
        subject: format!("staff:{id}"),
        customer_id: None,
        action: "staff_changed".into(),
        from: Some(describe(&before)),
        to: Some(describe(&after)),
        why: why.into(),
        client: Some(client.into()),
        role: Some(Role::Admin.as_str().into()),
    };
    let version = item.i64_attr("v").unwrap_or(0);
    let ops = vec![
        crate::store::TxOp::Update {
            key: profile_key(id),
            update: crate::store::Update::new()
                .set("member", serde_json::json!(after))
                .bump_version(),
            condition: Some(crate::store::Condition::VersionIs(version)),
        },
        entry.put_op(),
    ];
    match ports.table().transact(ops).await {
        Ok(()) => Ok(after),
        Err(TableError::TransactionConflict { .. }) => Err(StaffError::Conflict(
            "the member was changed meanwhile; look again".into(),
        )),
        Err(other) => Err(other.into()),
    }
}
