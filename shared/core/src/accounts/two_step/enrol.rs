//! Turning two-step login on (a secret, proven by its first code, then ten
//! recovery codes shown once) and off.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::super::repo::customer_key;
use super::super::settings::{audit_op, commit, profile, prove_password};
use super::super::{AccountError, invalid};
use super::{TwoStepStatus, is_on, open_secret, prove_code, require_code, sealed_as};
use crate::second_factor::{self, totp};
use crate::store::{Condition, Item, ItemExt, TableError, TxOp, Update};
use crate::{CustomerId, Hashing, Sealing, Settings, Storage};

/// A new secret, proven by the account password (and, while two-step login
/// is on, a current code: the new secret replaces it once confirmed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpEnrol {
    pub current_password: String,
    /// A code of the secret in use, when two-step login is on.
    #[serde(default)]
    pub code: Option<String>,
}

/// The secret to give the authenticator app; nothing changes until its
/// first code confirms it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://…`, for an app that takes the address.
    pub otpauth_url: String,
}

/// The first code of the new secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirm {
    /// Six digits from the authenticator app.
    pub code: String,
}

/// Two-step login is on: the recovery codes, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpOn {
    /// Each good once in place of a code; only their digests are kept.
    pub recovery_codes: Vec<String>,
    pub status: TwoStepStatus,
}

/// Turning two-step login off: the password and a current code (or a
/// recovery code).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpOff {
    pub current_password: String,
    pub code: String,
}

/// The write of `update` to `profile`, guarded by its version.
fn profile_write(customer_id: &CustomerId, profile: &Item, update: Update) -> TxOp {
    TxOp::Update {
        key: customer_key(customer_id),
        update: update.bump_version(),
        condition: Some(Condition::VersionIs(profile.i64_attr("v").unwrap_or(0))),
    }
}

async fn seal(
    ports: &impl Sealing,
    customer_id: &CustomerId,
    secret: &str,
    attribute: &str,
) -> Result<String, AccountError> {
    ports
        .sealer()
        .seal(secret, &sealed_as(customer_id, attribute))
        .await
        .map_err(|e| AccountError::Table(TableError::Backend(format!("sealing a secret: {e}"))))
}

/// Makes a new secret, pending until `confirm`; proven by the password.
pub async fn enrol(
    ports: &(impl Storage + Settings + Hashing + Sealing),
    customer_id: &CustomerId,
    request: TotpEnrol,
) -> Result<TotpEnrolment, AccountError> {
    let (item, customer) = profile(ports, customer_id).await?;
    prove_password(ports, &item, &request.current_password).await?;
    if is_on(&item) {
        require_code(ports, customer_id, request.code.as_deref()).await?;
    }
    let (item, _) = profile(ports, customer_id).await?;
    let secret = totp::new_secret();
    let sealed = seal(ports, customer_id, &secret, "totp_pending_sealed").await?;
    let write = profile_write(
        customer_id,
        &item,
        Update::new().set("totp_pending_sealed", sealed),
    );
    commit(ports, vec![write]).await?;
    let issuer = ports.config().company_name.clone();
    Ok(TotpEnrolment {
        otpauth_url: totp::enrolment_url(&secret, &issuer, &customer.email),
        secret,
    })
}

/// Turns two-step login on with the pending secret's first code; the
/// recovery codes are made now and shown once.
pub async fn confirm(
    ports: &(impl Storage + Sealing),
    customer_id: &CustomerId,
    request: TotpConfirm,
) -> Result<TotpOn, AccountError> {
    let (item, _) = profile(ports, customer_id).await?;
    let secret = open_secret(ports, customer_id, &item, "totp_pending_sealed")
        .await?
        .ok_or_else(|| invalid("no_enrolment", "start again: no new secret is waiting"))?;
    let now = ports.clock().now_secs();
    let step = totp::step_of(&secret, &request.code, now).ok_or(AccountError::WrongCode)?;
    let sealed = seal(ports, customer_id, &secret, "totp_sealed").await?;
    let (codes, digests) = second_factor::recovery_codes();
    let update = Update::new()
        .set("totp_sealed", sealed)
        .set("totp_last_step", step)
        .set("recovery", json!(digests))
        .remove("totp_pending_sealed");
    let write = profile_write(customer_id, &item, update);
    let why = "two-step login turned on";
    let entry = audit_op(ports, customer_id, "totp_enabled", (None, None), why);
    commit(ports, vec![write, entry]).await?;
    let (item, _) = profile(ports, customer_id).await?;
    Ok(TotpOn {
        recovery_codes: codes,
        status: TwoStepStatus::of(&item),
    })
}

/// Turns two-step login off, proven by the password and a code; not while
/// staff require it.
pub async fn disable(
    ports: &(impl Storage + Hashing + Sealing),
    customer_id: &CustomerId,
    request: TotpOff,
) -> Result<TwoStepStatus, AccountError> {
    let (item, _) = profile(ports, customer_id).await?;
    prove_password(ports, &item, &request.current_password).await?;
    if TwoStepStatus::of(&item).required {
        return Err(invalid(
            "totp_required_by_staff",
            "two-step login is required for this account; it cannot be turned off",
        ));
    }
    if !is_on(&item) {
        return Err(invalid("totp_off", "two-step login is off already"));
    }
    prove_code(ports, customer_id, &item, &request.code).await?;
    let update = [
        "totp_sealed",
        "totp_pending_sealed",
        "totp_last_step",
        "recovery",
    ]
    .into_iter()
    .fold(Update::new(), Update::remove);
    let write = profile_write(customer_id, &item, update);
    let why = "two-step login turned off";
    let entry = audit_op(ports, customer_id, "totp_disabled", (None, None), why);
    commit(ports, vec![write, entry]).await?;
    let (item, _) = profile(ports, customer_id).await?;
    Ok(TwoStepStatus::of(&item))
}
