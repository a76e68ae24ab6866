//! Two-step login for customers, optional unless staff require it: a
//! one-time code from an authenticator app (or one of ten recovery codes,
//! each good once) after the password. The secret is sealed, bound to the
//! profile; recovery codes are kept only as digests (see `second_factor`,
//! shared with staff).
//!
//! On the profile: `totp_pending_sealed` (enrolled, not yet proven),
//! `totp_sealed`, `totp_last_step` (no code is good twice), `recovery`, and
//! `totp_required` (set by staff). `enrol` turns it on and off, `login` is
//! the second step of a login, and `require_code` asks for a code again
//! before a sensitive change.

mod enrol;
mod login;

pub use enrol::{TotpConfirm, TotpEnrol, TotpEnrolment, TotpOff, TotpOn, confirm, disable, enrol};
pub use login::{
    LoggedIn, LoginTicket, SecondStep, TICKET_SECS, TICKET_TRIES, finish_login, open_ticket,
};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AccountError;
use super::repo::customer_key;
use super::settings::{commit, profile};
use crate::audit::{Actor, AuditEntry};
use crate::second_factor::{self, Factor};
use crate::store::{Condition, Item, ItemExt, TableError, TxOp, Update};
use crate::{CustomerId, Sealing, Storage};

/// Where a customer's two-step login stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TwoStepStatus {
    /// A code is asked at login and before sensitive domain changes.
    pub enabled: bool,
    /// A secret was made and awaits its first code.
    pub pending: bool,
    /// Staff require it: until it is on, the account does nothing else.
    pub required: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: usize,
}

impl TwoStepStatus {
    pub fn of(profile: &Item) -> Self {
        TwoStepStatus {
            enabled: is_on(profile),
            pending: profile.str_attr("totp_pending_sealed").is_some(),
            required: profile
                .get("totp_required")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            recovery_codes_left: second_factor::recovery_digests(profile).len(),
        }
    }

    /// Staff require it and it is not on yet.
    pub fn must_enrol(&self) -> bool {
        self.required && !self.enabled
    }
}

pub(crate) fn is_on(profile: &Item) -> bool {
    profile.str_attr("totp_sealed").is_some()
}

/// A secret kept in `attribute` is bound to the customer's profile and
/// named for the key's policy: `totp`, or `totp_pending` until confirmed.
fn sealed_as(customer_id: &CustomerId, attribute: &str) -> crate::secrets::SealContext {
    let secret = match attribute {
        "totp_pending_sealed" => "totp_pending",
        _ => "totp",
    };
    crate::secrets::SealContext::new(&customer_key(customer_id), secret)
}

/// Opens the sealed secret `attribute` of the profile.
async fn open_secret(
    ports: &(impl Storage + Sealing),
    customer_id: &CustomerId,
    profile: &Item,
    attribute: &str,
) -> Result<Option<String>, AccountError> {
    let Some(sealed) = profile.str_attr(attribute) else {
        return Ok(None);
    };
    let secret = ports
        .sealer()
        .open(sealed, &sealed_as(customer_id, attribute))
        .await
        .map_err(|e| TableError::Backend(format!("opening a customer's secret: {e}")))?;
    Ok(Some(secret))
}

/// What `code` proves for the profile: None when TOTP is off, else the
/// factor, or `wrong_code`.
async fn prove_code(
    ports: &(impl Storage + Sealing),
    customer_id: &CustomerId,
    profile: &Item,
    code: &str,
) -> Result<Option<Factor>, AccountError> {
    let Some(secret) = open_secret(ports, customer_id, profile, "totp_sealed").await? else {
        return Ok(None);
    };
    second_factor::check(&secret, profile, code, ports.clock().now_secs())
        .map(Some)
        .ok_or(AccountError::WrongCode)
}

/// The write that spends `used` on `profile` (read at its version), so
/// the same code never works twice.
fn spend_op(customer_id: &CustomerId, profile: &Item, used: Factor) -> (TxOp, Option<usize>) {
    let (update, left) = second_factor::spend(Update::new().bump_version(), profile, used);
    let op = TxOp::Update {
        key: customer_key(customer_id),
        update,
        condition: Some(Condition::VersionIs(profile.i64_attr("v").unwrap_or(0))),
    };
    (op, left)
}

/// The customer's two-step login as it stands.
pub async fn status(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<TwoStepStatus, AccountError> {
    let (profile, _) = profile(ports, customer_id).await?;
    Ok(TwoStepStatus::of(&profile))
}

/// Asks for a current code before a sensitive change, when the customer
/// has two-step login on: `totp_required` without one, `wrong_code` with a
/// wrong or used one. A good code is spent.
pub async fn require_code(
    ports: &(impl Storage + Sealing),
    customer_id: &CustomerId,
    code: Option<&str>,
) -> Result<(), AccountError> {
    let (profile, _) = profile(ports, customer_id).await?;
    if !is_on(&profile) {
        return Ok(());
    }
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let code = code.ok_or(AccountError::TotpRequired)?;
    let Some(used) = prove_code(ports, customer_id, &profile, code).await? else {
        return Ok(());
    };
    let (spend, _) = spend_op(customer_id, &profile, used);
    match ports.table().transact(vec![spend]).await {
        Ok(()) => Ok(()),
        // Spent meanwhile by another request: the same code is not good twice.
        Err(TableError::TransactionConflict { .. }) => Err(AccountError::WrongCode),
        Err(other) => Err(other.into()),
    }
}

/// Staff require two-step login of a customer, or stop requiring it. A
/// customer who has not turned it on is sent to turn it on at their next
/// login and does nothing else until they do.
pub async fn set_required(
    ports: &impl Storage,
    staff: &Actor,
    customer_id: &CustomerId,
    required: bool,
) -> Result<TwoStepStatus, AccountError> {
    let (item, _) = profile(ports, customer_id).await?;
    let before = TwoStepStatus::of(&item);
    let update = if required {
        Update::new().set("totp_required", true)
    } else {
        Update::new().remove("totp_required")
    };
    let write = TxOp::Update {
        key: customer_key(customer_id),
        update: update.bump_version(),
        condition: Some(Condition::VersionIs(item.i64_attr("v").unwrap_or(0))),
    };
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: staff.clone(),
        subject: format!("customer:{customer_id}"),
        customer_id: Some(customer_id.clone()),
        action: "totp_requirement_changed".into(),
        from: Some(before.required.to_string()),
        to: Some(required.to_string()),
        why: "whether staff require two-step login".into(),
        client: None,
        role: None,
    };
    commit(ports, vec![write, entry.put_op()]).await?;
    Ok(TwoStepStatus { required, ..before })
}
