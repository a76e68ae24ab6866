//! A staff login: the password and a second factor (a one-time code of a
//! step after the last one used, or an unused recovery code), throttled per
//! email and client; every try, good or bad, audited.

use serde::Deserialize;
use utoipa::ToSchema;

use super::session::session_item;
use super::{audit, totp_context};
use crate::accounts;
use crate::audit::Actor;
use crate::second_factor::{self, Factor};
use crate::staff::throttle::{Failure, MAX_FAILED_LOGINS, Tries};
use crate::staff::{StaffError, StaffMember, by_email, profile_key};
use crate::store::{Condition, Item, ItemExt, TableError, TxOp, Update};
use crate::{Hashing, Sealing, Storage};

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffLogin {
    pub email: String,
    pub password: String,
    /// Six digits from the authenticator app, or a recovery code.
    pub code: String,
}

/// A hash of a password nobody has, checked when the email is unknown so a
/// login takes as long either way.
static DECOY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::hashing::hash_now(&accounts::random_token()));

/// Checks the password and the code, and starts a session; returns the
/// member and the session's token. Every email, a member's or not, is
/// throttled alike (see `throttle`) and checked against a password hash.
pub async fn login(
    ports: &(impl Storage + Hashing + Sealing),
    request: StaffLogin,
    client: &str,
) -> Result<(StaffMember, String), StaffError> {
    let email =
        accounts::normalize_email(&request.email).map_err(|_| StaffError::BadCredentials)?;
    let now = ports.clock().now_secs();
    let tries = Tries::admit(ports.table(), &email, client, now).await?;
    let found = by_email(ports.table(), &email).await?;
    let second = credentials(ports, found.as_ref(), request).await?;
    let at = crate::clock::rfc3339_millis(ports.clock().now());
    let (Some((member, item)), Some(used)) = (&found, second) else {
        let failure = tries.failed(ports.table(), now).await?;
        return Err(match &found {
            Some((member, _)) => failed(ports, member, failure, client, at).await?,
            None => {
                tracing::info!(%client, "a staff login for an unknown email");
                failure.error
            }
        });
    };
    let (spent, how) = spend(item, used);
    let token = accounts::random_token();
    let mut ops = vec![
        // The version guard makes a code (or recovery code) good once.
        TxOp::Update {
            key: profile_key(&member.id),
            update: spent,
            condition: Some(Condition::VersionIs(item.i64_attr("v").unwrap_or(0))),
        },
        TxOp::Put {
            item: session_item(&token, &member.id, now, client),
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
    match ports.table().transact(ops).await {
        Ok(()) => Ok((member.clone(), token)),
        Err(TableError::TransactionConflict { .. }) => Err(StaffError::BadCredentials),
        Err(other) => Err(other.into()),
    }
}

/// The second factor of a good login of the member `found`: None when the
/// password (checked against the decoy for an unknown email) or the code is
/// wrong, or the member is disabled.
pub(super) async fn credentials(
    ports: &(impl Storage + Hashing + Sealing),
    found: Option<&(StaffMember, Item)>,
    request: StaffLogin,
) -> Result<Option<Factor>, StaffError> {
    let hash = found
        .and_then(|(_, item)| item.str_attr("password_hash"))
        .map(str::to_string);
    let password_ok = ports
        .hasher()
        .verify(request.password, hash.unwrap_or_else(|| DECOY.clone()))
        .await?;
    match found {
        Some((member, item)) if password_ok && !member.disabled => {
            second_factor(ports, &member.id, item, &request.code).await
        }
        _ => Ok(None),
    }
}

/// The second factor `code` is, if it is good: a code of a step after the
/// last one used, or an unused recovery code.
async fn second_factor(
    ports: &(impl Storage + Sealing),
    id: &str,
    item: &Item,
    code: &str,
) -> Result<Option<Factor>, StaffError> {
    let sealed = item.str_attr("totp_sealed").unwrap_or_default();
    let secret = ports
        .sealer()
        .open(sealed, &totp_context(id))
        .await
        .map_err(|e| TableError::Backend(format!("opening a staff secret: {e}")))?;
    Ok(second_factor::check(
        &secret,
        item,
        code,
        ports.clock().now_secs(),
    ))
}

/// The update of the member's profile that spends the factor `used` and
/// clears their wrong tries, and how they logged in, for the audit.
fn spend(item: &Item, used: Factor) -> (Update, String) {
    let update = Update::new()
        .remove("failed_logins")
        .remove("locked_until")
        .bump_version();
    match second_factor::spend(update, item, used) {
        (update, None) => (update, "password and one-time code".to_string()),
        (update, Some(count)) => (
            update,
            format!("password and a recovery code ({count} left)"),
        ),
    }
}

/// Records a member's wrong try, counted as `failure`, in the audit log;
/// the error to give.
pub(super) async fn failed(
    ports: &impl Storage,
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
    ports.table().transact(vec![entry]).await?;
    Ok(failure.error)
}
