//! Making a member of staff: the password (made for them when not given),
//! the authenticator secret, sealed, and ten recovery codes, kept as hashes.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{audit, totp_context};
use crate::accounts;
use crate::audit::Actor;
use crate::second_factor;
use crate::staff::{Role, StaffError, StaffMember, email_key, profile_key, totp};
use crate::store::{Condition, Item, Table, TableError, TxOp};
use crate::{Hashing, Sealing, Settings, Storage};

/// What a new member needs, shown once: the password (when it was made for
/// them), the authenticator secret and the recovery codes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    pub member: StaffMember,
    pub password: Option<String>,
    /// Base32, for typing into an authenticator app.
    pub totp_secret: String,
    /// `otpauth://…`, for scanning.
    pub enrolment_url: String,
    pub recovery_codes: Vec<String>,
}

/// The enrolment as a person reads it once, on a terminal.
pub fn enrolment_text(enrolment: &Enrolment) -> String {
    let password = match &enrolment.password {
        Some(password) => format!("Password:       {password}\n"),
        None => String::new(),
    };
    format!(
        "Staff member {} <{}>, {}\n{password}Authenticator:  {}\n  (or type the secret {})\nRecovery codes, each good once; keep them apart from the password:\n  {}\nThis is shown once.",
        enrolment.member.name,
        enrolment.member.email,
        enrolment.member.role.as_str(),
        enrolment.enrolment_url,
        enrolment.totp_secret,
        enrolment.recovery_codes.join("\n  ")
    )
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Made for them when absent.
    #[serde(default)]
    pub password: Option<String>,
}

/// Makes a member of staff; `made_by` is `staff:<id>` or `system:create-admin`.
pub async fn create(
    ports: &(impl Storage + Settings + Hashing + Sealing),
    (made_by, role, client): (&Actor, Option<Role>, &str),
    request: NewStaff,
) -> Result<Enrolment, StaffError> {
    create_with(ports, (made_by, role, client), request, None).await
}

/// Makes the first admin, when there is no member of staff yet.
pub async fn create_first_admin(
    ports: &(impl Storage + Settings + Hashing + Sealing),
    email: &str,
    name: &str,
) -> Result<Enrolment, StaffError> {
    let request = NewStaff {
        email: email.into(),
        name: name.into(),
        role: Role::Admin,
        password: None,
    };
    let first = crate::store::Key::new("STAFF#FIRST", "MARKER");
    let mut marker = first.to_item();
    marker.insert("kind".into(), "first_admin".into());
    let claim = TxOp::Put {
        item: marker,
        condition: Some(Condition::NotExists),
    };
    create_with(
        ports,
        (&Actor::system("create-admin"), None, "local"),
        request,
        Some(claim),
    )
    .await
}

/// Makes the member, with `claim` (the first admin's marker) in the same
/// transaction when given.
async fn create_with(
    ports: &(impl Storage + Settings + Hashing + Sealing),
    (made_by, role, client): (&Actor, Option<Role>, &str),
    request: NewStaff,
    claim: Option<TxOp>,
) -> Result<Enrolment, StaffError> {
    let (email, name) = email_and_name(&request)?;
    let made_password = request.password.is_none();
    let password = request.password.unwrap_or_else(accounts::random_token);
    accounts::check_password(&password, &email).map_err(|e| StaffError::Invalid(e.to_string()))?;
    let hash = ports.hasher().hash(password.clone()).await?;
    let id = ulid::Ulid::new().to_string();
    let secret = totp::new_secret();
    let sealed = ports
        .sealer()
        .seal(&secret, &totp_context(&id))
        .await
        .map_err(|e| TableError::Backend(format!("sealing a staff secret: {e}")))?;
    let (codes, digests) = second_factor::recovery_codes();
    let now = ports.clock().now();
    let member = StaffMember {
        id,
        email: email.clone(),
        name,
        role: request.role,
        created_at: crate::clock::rfc3339(now),
        created_by: made_by.label(),
        disabled: false,
    };
    let made = audit(
        &member,
        (made_by.clone(), role),
        "staff_created",
        format!("{} as {}", member.email, member.role.as_str()),
        client,
        crate::clock::rfc3339_millis(now),
    );
    let profile = profile_item(&member, hash, sealed, &digests);
    write_member(ports.table(), &member, profile, made, claim).await?;
    let issuer = ports.config().company_name.clone();
    Ok(Enrolment {
        enrolment_url: totp::enrolment_url(&secret, &issuer, &email),
        member,
        password: made_password.then_some(password),
        totp_secret: secret,
        recovery_codes: codes,
    })
}

/// The request's email, normalised, and name, trimmed, if they are good.
fn email_and_name(request: &NewStaff) -> Result<(String, String), StaffError> {
    let email = accounts::normalize_email(&request.email)
        .map_err(|e| StaffError::Invalid(e.to_string()))?;
    let name = request.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StaffError::Invalid(
            "give a name of 1 to 100 characters".into(),
        ));
    }
    Ok((email, name))
}

/// The member's profile item: the password's hash, the sealed secret and
/// the recovery codes' digests.
fn profile_item(member: &StaffMember, hash: String, sealed: String, digests: &[String]) -> Item {
    let mut item = profile_key(&member.id).to_item();
    item.insert("kind".into(), "staff".into());
    item.insert("member".into(), json!(member));
    item.insert("password_hash".into(), hash.into());
    item.insert("totp_sealed".into(), sealed.into());
    item.insert("recovery".into(), json!(digests));
    item.insert("v".into(), 1.into());
    item.insert("gsi1pk".into(), "STAFF".into());
    item.insert("gsi1sk".into(), member.email.clone().into());
    item
}

/// Writes the member, the marker that keeps their email theirs, the audit
/// entry `made` and any `claim`, all or none.
async fn write_member(
    table: &dyn Table,
    member: &StaffMember,
    profile: Item,
    made: TxOp,
    claim: Option<TxOp>,
) -> Result<(), StaffError> {
    let mut marker = email_key(&member.email).to_item();
    marker.insert("staff_id".into(), member.id.clone().into());
    let mut ops = vec![
        TxOp::Put {
            item: marker,
            condition: Some(Condition::NotExists),
        },
        TxOp::Put {
            item: profile,
            condition: Some(Condition::NotExists),
        },
        made,
    ];
    ops.extend(claim);
    match table.transact(ops).await {
        Ok(()) => Ok(()),
        Err(TableError::TransactionConflict { index: 0 }) => Err(StaffError::Conflict(format!(
            "{} is a member of staff already",
            member.email
        ))),
        Err(TableError::TransactionConflict { .. }) => Err(StaffError::Conflict(
            "there is an admin already; ask them to add you".into(),
        )),
        Err(other) => Err(other.into()),
    }
}
