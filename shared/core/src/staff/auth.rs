//! Staff accounts, logins and sessions. A login needs the password and a
//! one-time code (or one of the ten recovery codes, each good once); wrong
//! tries are throttled per email and client (see `throttle`). A session lasts eight
//! hours at most and ends after thirty idle minutes. Every account made and
//! every login, good or bad, is in the audit log with the client's address.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::throttle::{Failure, MAX_FAILED_LOGINS, Tries};
use super::{Role, StaffError, StaffMember, by_email, email_key, profile, profile_key, totp};
use crate::accounts::{self, repo::digest};
use crate::audit::{Actor, AuditEntry};
use crate::store::{Condition, ItemExt, Key, TableError, TxOp, Update};
use crate::{Hashing, Sealing, Settings, Storage};

pub const SESSION_SECS: i64 = 8 * 3600;
pub const IDLE_SECS: i64 = 30 * 60;
/// How stale `last_seen` may get before a request writes it again.
const TOUCH_EVERY_SECS: i64 = 60;
const RECOVERY_CODES: usize = 10;

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

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffLogin {
    pub email: String,
    pub password: String,
    /// Six digits from the authenticator app, or a recovery code.
    pub code: String,
}

fn session_key(token: &str) -> Key {
    Key::new(format!("STAFFSESSION#{}", digest(token)), "SESSION")
}

/// The authenticator secret is bound to the member's item (and opens as
/// sealed before seals named their item).
fn totp_context(id: &str) -> crate::secrets::SealContext {
    crate::secrets::SealContext::new(&profile_key(id), "totp").formerly(format!("staff/{id}/totp"))
}

fn recovery_code() -> String {
    // 10 characters of base32 (50 bits), grouped for reading aloud.
    let secret = totp::new_secret();
    format!("{}-{}", &secret[..5], &secret[5..10]).to_ascii_lowercase()
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

/// Makes a member of staff; `made_by` is `staff:<id>` or `system:create-admin`.
pub async fn create(
    services: &(impl Storage + Settings + Hashing + Sealing),
    (made_by, role, client): (&Actor, Option<Role>, &str),
    request: NewStaff,
) -> Result<Enrolment, StaffError> {
    create_with(services, (made_by, role, client), request, None).await
}

/// Makes the first admin, when there is no member of staff yet.
pub async fn create_first_admin(
    services: &(impl Storage + Settings + Hashing + Sealing),
    email: &str,
    name: &str,
) -> Result<Enrolment, StaffError> {
    let request = NewStaff {
        email: email.into(),
        name: name.into(),
        role: Role::Admin,
        password: None,
    };
    let first = Key::new("STAFF#FIRST", "MARKER");
    let mut marker = first.to_item();
    marker.insert("kind".into(), "first_admin".into());
    let claim = TxOp::Put {
        item: marker,
        condition: Some(Condition::NotExists),
    };
    create_with(
        services,
        (&Actor::system("create-admin"), None, "local"),
        request,
        Some(claim),
    )
    .await
}

async fn create_with(
    services: &(impl Storage + Settings + Hashing + Sealing),
    (made_by, role, client): (&Actor, Option<Role>, &str),
    request: NewStaff,
    claim: Option<TxOp>,
) -> Result<Enrolment, StaffError> {
    let email = accounts::normalize_email(&request.email)
        .map_err(|e| StaffError::Invalid(e.to_string()))?;
    let name = request.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StaffError::Invalid(
            "give a name of 1 to 100 characters".into(),
        ));
    }
    let made_password = request.password.is_none();
    let password = request.password.unwrap_or_else(accounts::random_token);
    accounts::check_password(&password, &email).map_err(|e| StaffError::Invalid(e.to_string()))?;
    let hash = services.hasher().hash(password.clone()).await?;
    let id = ulid::Ulid::new().to_string();
    let secret = totp::new_secret();
    let sealed = services
        .sealer()
        .seal(&secret, &totp_context(&id))
        .await
        .map_err(|e| TableError::Backend(format!("sealing a staff secret: {e}")))?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let now = services.clock().now();
    let member = StaffMember {
        id: id.clone(),
        email: email.clone(),
        name,
        role: request.role,
        created_at: crate::clock::rfc3339(now),
        created_by: made_by.label(),
        disabled: false,
    };
    let mut item = profile_key(&id).to_item();
    item.insert("kind".into(), "staff".into());
    item.insert("member".into(), json!(member));
    item.insert("password_hash".into(), hash.into());
    item.insert("totp_sealed".into(), sealed.into());
    item.insert(
        "recovery".into(),
        json!(codes.iter().map(|c| digest(c)).collect::<Vec<_>>()),
    );
    item.insert("v".into(), 1.into());
    item.insert("gsi1pk".into(), "STAFF".into());
    item.insert("gsi1sk".into(), email.clone().into());
    let mut marker = email_key(&email).to_item();
    marker.insert("staff_id".into(), id.clone().into());
    let mut ops = vec![
        TxOp::Put {
            item: marker,
            condition: Some(Condition::NotExists),
        },
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        },
        audit(
            &member,
            (made_by.clone(), role),
            "staff_created",
            format!("{} as {}", member.email, member.role.as_str()),
            client,
            crate::clock::rfc3339_millis(now),
        ),
    ];
    ops.extend(claim);
    match services.table().transact(ops).await {
        Ok(()) => {}
        Err(TableError::TransactionConflict { index: 0 }) => {
            return Err(StaffError::Conflict(format!(
                "{email} is a member of staff already"
            )));
        }
        Err(TableError::TransactionConflict { .. }) => {
            return Err(StaffError::Conflict(
                "there is an admin already; ask them to add you".into(),
            ));
        }
        Err(other) => return Err(other.into()),
    }
    let issuer = services.config().company_name.clone();
    Ok(Enrolment {
        enrolment_url: totp::enrolment_url(&secret, &issuer, &email),
        member,
        password: made_password.then_some(password),
        totp_secret: secret,
        recovery_codes: codes,
    })
}

/// A hash of a password nobody has, checked when the email is unknown so a
/// login takes as long either way.
static DECOY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::hashing::hash_now(&accounts::random_token()));

/// Checks the password and the code, and starts a session; returns the
/// member and the session's token. Every email, a member's or not, is
/// throttled alike (see `throttle`) and checked against a password hash.
pub async fn login(
    services: &(impl Storage + Hashing + Sealing),
    request: StaffLogin,
    client: &str,
) -> Result<(StaffMember, String), StaffError> {
    let email =
        accounts::normalize_email(&request.email).map_err(|_| StaffError::BadCredentials)?;
    let now = services.clock().now_secs();
    let tries = Tries::admit(services.table(), &email, client, now).await?;
    let found = by_email(services.table(), &email).await?;
    let hash = found
        .as_ref()
        .and_then(|(_, item)| item.str_attr("password_hash"))
        .map(str::to_string);
    let password_ok = services
        .hasher()
        .verify(request.password, hash.unwrap_or_else(|| DECOY.clone()))
        .await?;
    let second = match &found {
        Some((member, item)) if password_ok && !member.disabled => {
            second_factor(services, &member.id, item, &request.code).await?
        }
        _ => None,
    };
    let at = crate::clock::rfc3339_millis(services.clock().now());
    let (Some((member, item)), Some(used)) = (&found, second) else {
        let failure = tries.failed(services.table(), now).await?;
        return Err(match &found {
            Some((member, _)) => failed(services, member, failure, client, at).await?,
            None => {
                tracing::info!(%client, "a staff login for an unknown email");
                failure.error
            }
        });
    };
    let version = item.i64_attr("v").unwrap_or(0);
    let mut update = Update::new()
        .remove("failed_logins")
        .remove("locked_until")
        .bump_version();
    let how = match used {
        Factor::Code(step) => {
            update = update.set("totp_last_step", step);
            "password and one-time code".to_string()
        }
        Factor::Recovery(digest) => {
            let left: Vec<String> = recovery(item)
                .into_iter()
                .filter(|d| *d != digest)
                .collect();
            let count = left.len();
            update = update.set("recovery", json!(left));
            format!("password and a recovery code ({count} left)")
        }
    };
    let token = accounts::random_token();
    let mut session = session_key(&token).to_item();
    session.insert("kind".into(), "staff_session".into());
    session.insert("staff_id".into(), member.id.clone().into());
    session.insert("started".into(), now.into());
    session.insert("last_seen".into(), now.into());
    session.insert("ttl".into(), (now + SESSION_SECS).into());
    let mut ops = vec![
        // The version guard makes a code (or recovery code) good once.
        TxOp::Update {
            key: profile_key(&member.id),
            update,
            condition: Some(Condition::VersionIs(version)),
        },
        TxOp::Put {
            item: session,
            condition: Some(Condition::NotExists),
        },
        audit(
            member,
            (Actor::Staff(member.id.clone()), Some(member.role)),
            "logged_in",
            how,
            client,
            at,
        ),
    ];
    ops.extend(tries.succeeded_ops(now));
    match services.table().transact(ops).await {
        Ok(()) => Ok((member.clone(), token)),
        Err(TableError::TransactionConflict { .. }) => Err(StaffError::BadCredentials),
        Err(other) => Err(other.into()),
    }
}

enum Factor {
    /// A one-time code of this step.
    Code(i64),
    /// The digest of the recovery code used.
    Recovery(String),
}

fn recovery(item: &crate::store::Item) -> Vec<String> {
    item.get("recovery")
        .cloned()
        .and_then(|r| serde_json::from_value(r).ok())
        .unwrap_or_default()
}

/// The second factor `code` is, if it is good: a code of a step after the
/// last one used, or an unused recovery code.
async fn second_factor(
    services: &(impl Storage + Sealing),
    id: &str,
    item: &crate::store::Item,
    code: &str,
) -> Result<Option<Factor>, StaffError> {
    let code = code.trim().to_ascii_lowercase();
    if code.contains('-') {
        let digest = digest(&code);
        return Ok(recovery(item)
            .contains(&digest)
            .then_some(Factor::Recovery(digest)));
    }
    let sealed = item.str_attr("totp_sealed").unwrap_or_default();
    let secret = services
        .sealer()
        .open(sealed, &totp_context(id))
        .await
        .map_err(|e| TableError::Backend(format!("opening a staff secret: {e}")))?;
    let last = item.i64_attr("totp_last_step").unwrap_or(-1);
    Ok(totp::step_of(&secret, &code, services.clock().now_secs())
        .filter(|step| *step > last)
        .map(Factor::Code))
}

/// Records a member's wrong try, counted as `failure`, in the audit log;
/// the error to give.
async fn failed(
    services: &impl Storage,
    member: &StaffMember,
    failure: Failure,
    client: &str,
    at: String,
) -> Result<StaffError, StaffError> {
    let why = match &failure.error {
        StaffError::LockedOut { seconds } => format!(
            "{} wrong tries in a row: this address locked out for {} minutes",
            failure.in_a_row,
            seconds / 60
        ),
        _ => format!(
            "wrong password or code ({} of {MAX_FAILED_LOGINS} from this address)",
            failure.in_a_row
        ),
    };
    let entry = audit(
        member,
        (Actor::Staff(member.id.clone()), Some(member.role)),
        "login_failed",
        why,
        client,
        at,
    );
    services.table().transact(vec![entry]).await?;
    Ok(failure.error)
}

/// The member a staff session belongs to, while it lasts and is not idle;
/// a request now keeps it alive.
pub async fn session_member(
    services: &impl Storage,
    token: &str,
) -> Result<StaffMember, StaffError> {
    let key = session_key(token);
    let session = services
        .table()
        .get(&key)
        .await?
        .ok_or(StaffError::NotLoggedIn)?;
    let now = services.clock().now_secs();
    let last_seen = session.i64_attr("last_seen").unwrap_or(0);
    if now - last_seen > IDLE_SECS {
        services.table().delete(&key, None).await?;
        return Err(StaffError::NotLoggedIn);
    }
    let id = session
        .str_attr("staff_id")
        .ok_or(StaffError::NotLoggedIn)?;
    let (member, _) = profile(services.table(), id)
        .await?
        .ok_or(StaffError::NotLoggedIn)?;
    if member.disabled {
        return Err(StaffError::NotLoggedIn);
    }
    if now - last_seen >= TOUCH_EVERY_SECS {
        let touch = Update::new().set("last_seen", now);
        match services
            .table()
            .update(&key, touch, Some(Condition::Exists))
            .await
        {
            Ok(_) | Err(TableError::ConditionFailed) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(member)
}

/// Ends a staff session; one already gone is fine.
pub async fn logout(services: &impl Storage, token: &str) -> Result<(), StaffError> {
    services.table().delete(&session_key(token), None).await?;
    Ok(())
}
