//! A member changes their own secrets: the password (their other sessions
//! end), and the authenticator, moved to a new device in two steps (the
//! new secret is shown, and takes over once a code of it is typed back);
//! an admin resets the authenticator of a member who lost theirs.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::login::{StaffLogin, credentials, failed};
use super::own::{Reauthentication, end_all_sessions, end_other_sessions};
use super::{audit, totp_context};
use crate::audit::{Actor, Role};
use crate::second_factor::{self, Factor};
use crate::staff::throttle::Tries;
use crate::staff::{StaffError, StaffMember, profile, profile_key, totp};
use crate::store::{Condition, Item, ItemExt, TableError, TxOp, Update};
use crate::{Hashing, Sealing, Settings, Storage, clock};

/// How long a new authenticator waits for its first code.
const PENDING_SECS: i64 = 10 * 60;

fn pending_context(id: &str) -> crate::secrets::SealContext {
    crate::secrets::SealContext::new(&profile_key(id), "totp_pending")
}

/// The member's stored profile, read now.
async fn stored(ports: &impl Storage, member: &StaffMember) -> Result<Item, StaffError> {
    let (_, item) = profile(ports.table(), &member.id)
        .await?
        .ok_or(StaffError::NotLoggedIn)?;
    Ok(item)
}

/// Checks the password and code again, each try counted before it is
/// checked (see `Tries::count_first`); the factor used, and the writes that
/// clear the count with the change it allows.
async fn reauthenticate(
    ports: &(impl Storage + Hashing + Sealing),
    member: &StaffMember,
    item: &Item,
    request: Reauthentication,
    client: &str,
) -> Result<(Factor, [TxOp; 2]), StaffError> {
    let now = ports.clock().now_secs();
    let tries = Tries::admit(ports.table(), &member.email, client, now).await?;
    let in_a_row = tries.count_first(ports.table(), now).await?;
    let login = StaffLogin {
        email: member.email.clone(),
        password: request.password,
        code: request.code,
    };
    let found = (member.clone(), item.clone());
    if let Some(used) = credentials(ports, Some(&found), login).await? {
        return Ok((used, tries.succeeded_ops(now)));
    }
    Err(wrong(ports, member, (&tries, in_a_row), client).await?)
}

/// Records a wrong try counted first; the error to answer with.
async fn wrong(
    ports: &impl Storage,
    member: &StaffMember,
    (tries, in_a_row): (&Tries, i64),
    client: &str,
) -> Result<StaffError, StaffError> {
    let now = ports.clock().now_secs();
    let failure = tries.counted_wrong(ports.table(), now, in_a_row).await?;
    let at = clock::rfc3339_millis(ports.clock().now());
    failed(ports, member, failure, client, at).await
}

/// Writes `update` to the member's profile read as `item`, with an audit
/// entry of `action` by the member; refused when the profile moved.
async fn write_own(
    ports: &impl Storage,
    member: &StaffMember,
    item: &Item,
    (update, action, why): (Update, &str, String),
    (client, cleared): (&str, [TxOp; 2]),
) -> Result<(), StaffError> {
    let entry = audit(
        member,
        (Actor::Staff(member.id.clone()), Some(member.role)),
        action,
        why,
        client,
        clock::rfc3339_millis(ports.clock().now()),
    );
    let write = TxOp::Update {
        key: profile_key(&member.id),
        update: update.bump_version(),
        condition: Some(Condition::VersionIs(item.i64_attr("v").unwrap_or(0))),
    };
    let mut ops = vec![write, entry];
    ops.extend(cleared);
    match ports.table().transact(ops).await {
        Ok(()) => Ok(()),
        Err(TableError::TransactionConflict { .. }) => Err(StaffError::Refused {
            code: "moved_on",
            message: "your account changed meanwhile (another login or change); try again".into(),
        }),
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnPasswordChange {
    pub current_password: String,
    /// Six digits from the authenticator app, or a recovery code.
    pub code: String,
    pub new_password: String,
}

/// Changes the member's password; their other sessions end. How many ended.
pub async fn change_password(
    ports: &(impl Storage + Hashing + Sealing),
    member: &StaffMember,
    token: &str,
    request: OwnPasswordChange,
    client: &str,
) -> Result<usize, StaffError> {
    crate::accounts::check_password(&request.new_password, &member.email)
        .map_err(|e| StaffError::Invalid(e.to_string()))?;
    let item = stored(ports, member).await?;
    let again = Reauthentication {
        password: request.current_password,
        code: request.code,
    };
    let (used, cleared) = reauthenticate(ports, member, &item, again, client).await?;
    let hash = ports.hasher().hash(request.new_password).await?;
    let (update, _) = second_factor::spend(Update::new().set("password_hash", hash), &item, used);
    let change = (
        update,
        "password_changed",
        "by the member, other sessions ended".to_string(),
    );
    write_own(ports, member, &item, change, (client, cleared)).await?;
    end_other_sessions(ports, member, token).await
}

/// A new authenticator secret, shown once, for the app to take.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewAuthenticator {
    /// Base32, for typing into an authenticator app.
    pub totp_secret: String,
    /// `otpauth://…`, for scanning.
    pub enrolment_url: String,
}

async fn sealed(
    ports: &impl Sealing,
    secret: &str,
    context: &crate::secrets::SealContext,
) -> Result<String, StaffError> {
    ports
        .sealer()
        .seal(secret, context)
        .await
        .map_err(|e| StaffError::Table(TableError::Backend(format!("sealing a staff secret: {e}"))))
}

/// Starts moving the member's authenticator: a new secret waits ten
/// minutes for a code of it (`confirm_authenticator`); the old one works
/// until then.
pub async fn begin_authenticator(
    ports: &(impl Storage + Settings + Hashing + Sealing),
    member: &StaffMember,
    request: Reauthentication,
    client: &str,
) -> Result<NewAuthenticator, StaffError> {
    let item = stored(ports, member).await?;
    let (used, cleared) = reauthenticate(ports, member, &item, request, client).await?;
    let secret = totp::new_secret();
    let pending = sealed(ports, &secret, &pending_context(&member.id)).await?;
    let until = ports.clock().now_secs() + PENDING_SECS;
    let update = Update::new()
        .set("totp_pending_sealed", pending)
        .set("totp_pending_until", until);
    let (update, _) = second_factor::spend(update, &item, used);
    let change = (
        update,
        "authenticator_change_started",
        "a new secret shown, waiting for its first code".to_string(),
    );
    write_own(ports, member, &item, change, (client, cleared)).await?;
    Ok(NewAuthenticator {
        enrolment_url: totp::enrolment_url(&secret, &ports.config().company_name, &member.email),
        totp_secret: secret,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthenticatorConfirm {
    /// Six digits the new authenticator shows.
    pub code: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Finishes moving the authenticator: a code of the new secret makes it the
/// member's, with new recovery codes (the old ones end).
pub async fn confirm_authenticator(
    ports: &(impl Storage + Sealing),
    member: &StaffMember,
    request: AuthenticatorConfirm,
    client: &str,
) -> Result<RecoveryCodes, StaffError> {
    let item = stored(ports, member).await?;
    let now = ports.clock().now_secs();
    let (Some(pending), true) = (
        item.str_attr("totp_pending_sealed"),
        item.i64_attr("totp_pending_until")
            .is_some_and(|until| until > now),
    ) else {
        return Err(StaffError::Refused {
            code: "no_change_under_way",
            message: "no change of authenticator is under way, or it waited too long: start again"
                .into(),
        });
    };
    let tries = Tries::admit(ports.table(), &member.email, client, now).await?;
    let in_a_row = tries.count_first(ports.table(), now).await?;
    let secret = ports
        .sealer()
        .open(pending, &pending_context(&member.id))
        .await
        .map_err(|e| TableError::Backend(format!("opening a staff secret: {e}")))?;
    let Some(step) = totp::step_of(&secret, request.code.trim(), now) else {
        return Err(wrong(ports, member, (&tries, in_a_row), client).await?);
    };
    let (codes, digests) = second_factor::recovery_codes();
    let update = Update::new()
        .set(
            "totp_sealed",
            sealed(ports, &secret, &totp_context(&member.id)).await?,
        )
        .set("totp_last_step", step)
        .set("recovery", json!(digests))
        .remove("totp_pending_sealed")
        .remove("totp_pending_until");
    let change = (
        update,
        "authenticator_changed",
        "moved to a new device by the member; new recovery codes".to_string(),
    );
    write_own(
        ports,
        member,
        &item,
        change,
        (client, tries.succeeded_ops(now)),
    )
    .await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// What an admin gives a member whose authenticator they reset, once.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthenticatorReset {
    pub totp_secret: String,
    pub enrolment_url: String,
    pub recovery_codes: Vec<String>,
    /// The member's sessions that ended.
    pub sessions_ended: usize,
}

/// Gives the member `id` a new authenticator secret and recovery codes,
/// made by an admin (never for themselves: they change their own); every
/// session of the member ends.
pub async fn reset_authenticator(
    ports: &(impl Storage + Settings + Sealing),
    (admin, role, client): (&StaffMember, Role, &str),
    id: &str,
    why: &str,
) -> Result<Option<AuthenticatorReset>, StaffError> {
    let why = why.trim();
    if why.is_empty() || why.chars().count() > 500 || !crate::input::is_plain_text(why) {
        return Err(StaffError::Invalid(
            "say why in 1 to 500 characters of plain text on one line".into(),
        ));
    }
    if admin.id == id {
        return Err(StaffError::Refused {
            code: "own_account",
            message: "change your own authenticator from your account instead".into(),
        });
    }
    let Some((member, item)) = profile(ports.table(), id).await? else {
        return Ok(None);
    };
    let secret = totp::new_secret();
    let (codes, digests) = second_factor::recovery_codes();
    let update = Update::new()
        .set(
            "totp_sealed",
            sealed(ports, &secret, &totp_context(&member.id)).await?,
        )
        .remove("totp_last_step")
        .set("recovery", json!(digests))
        .remove("totp_pending_sealed")
        .remove("totp_pending_until")
        .bump_version();
    let entry = audit(
        &member,
        (Actor::Staff(admin.id.clone()), Some(role)),
        "authenticator_reset",
        why.to_string(),
        client,
        clock::rfc3339_millis(ports.clock().now()),
    );
    let write = TxOp::Update {
        key: profile_key(&member.id),
        update,
        condition: Some(Condition::VersionIs(item.i64_attr("v").unwrap_or(0))),
    };
    ports.table().transact(vec![write, entry]).await?;
    let sessions_ended = end_all_sessions(ports, &member).await?;
    Ok(Some(AuthenticatorReset {
        enrolment_url: totp::enrolment_url(&secret, &ports.config().company_name, &member.email),
        totp_secret: secret,
        recovery_codes: codes,
        sessions_ended,
    }))
}
