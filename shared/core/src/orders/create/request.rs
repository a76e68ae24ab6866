//! What a customer asks for when ordering, and the checks it passes before
//! anything is looked up or written: the idempotency key, the plan and its
//! billing cycle, the username and the control-panel password.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::accounts::{self, AccountError, Customer};
use crate::catalog::{Catalog, Plan};
use crate::idempotency;
use crate::orders::{DomainAction, OrderError, invalid, username};
use crate::{Hashing, Storage};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DomainRequest {
    pub action: DomainAction,
    /// The domain, or for `subdomain` the name under the company's zone.
    #[schema(min_length = 1, max_length = 1024)]
    pub name: String,
    /// The transfer authorisation (EPP) code; required for `transfer`.
    #[serde(default, skip_serializing)]
    #[schema(max_length = 64)]
    pub auth_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderRequest {
    pub plan_id: String,
    /// `monthly` or `annual`.
    pub cycle: String,
    pub domain: DomainRequest,
    /// The control-panel username: a letter, then letters and digits.
    /// Left out for a DNS-only or domain-only plan, which has no login.
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9]{2,15}$")]
    pub username: String,
    /// The control-panel password; leave it out with `generate_password`.
    #[serde(default, skip_serializing)]
    #[schema(min_length = 10, max_length = 128)]
    pub password: Option<String>,
    /// Let the API choose a strong password; it is shown once, in the answer.
    #[serde(default)]
    pub generate_password: bool,
    /// A VPS plan's operating system and SSH key; the password is root's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<super::ServerChoice>,
    /// A DNS-only or domain-only plan's zone: primary (the default for DNS
    /// hosting), secondary, or parked (a domain alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<super::ZoneChoice>,
    /// For a domain to register or transfer: the client account at the
    /// registrar to hold it. Left out: the most recent one, else a new
    /// one, where the registrar requires accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrar_account: Option<super::RegistrarAccountChoice>,
}

/// Refuses an `Idempotency-Key` header that cannot be one.
pub(super) fn check_key(key: &str) -> Result<(), OrderError> {
    if idempotency::valid_key(key) {
        return Ok(());
    }
    Err(invalid(
        "invalid_idempotency_key",
        format!(
            "the Idempotency-Key header holds 1 to {} printable ASCII characters",
            idempotency::MAX_KEY
        ),
    ))
}

/// What identifies a request for idempotency: everything but secrets.
pub(super) fn fingerprint(request: &OrderRequest) -> String {
    let canonical = serde_json::to_vec(request).expect("requests serialise");
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical))
}

/// A strong random password of 20 letters and digits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let token = accounts::random_token();
    token
        .bytes()
        .take(20)
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The control-panel password the order will carry.
pub(super) struct PanelPassword {
    pub(super) value: String,
    /// Chosen by us: shown once, in the answer to the order.
    pub(super) generated: bool,
}

/// The request's plan, checked against the catalog, with its username and password.
pub(super) struct Checked<'c> {
    pub(super) plan: &'c Plan,
    /// The billing cycle, one the plan is sold by.
    pub(super) cycle: String,
    /// The plan's price for that cycle.
    pub(super) price: i64,
    pub(super) username: String,
    pub(super) password: PanelPassword,
    /// A VPS's operating system and SSH key, checked apart (`server`).
    pub(super) server: Option<super::ServerChoice>,
    /// A DNS-only or domain-only plan's zone, checked apart (`zone_choice`).
    pub(super) zone: Option<crate::zone::customer::ZoneUse>,
}

/// Checks what the request asks for, in the order its mistakes are reported:
/// plan, cycle, username, then password.
pub(super) async fn check<'c>(
    ports: &(impl Storage + Hashing),
    customer: &Customer,
    catalog: &'c Catalog,
    request: &OrderRequest,
) -> Result<Checked<'c>, OrderError> {
    let (plan, price) = plan_and_price(catalog, request)?;
    if plan.kind.zone_only() {
        super::zone_choice::refuse_login(plan, request)?;
        return Ok(Checked {
            plan,
            cycle: request.cycle.clone(),
            price,
            username: String::new(),
            password: PanelPassword {
                value: String::new(),
                generated: false,
            },
            server: None,
            zone: None,
        });
    }
    let username =
        username::validate(&request.username).map_err(|m| invalid("invalid_username", m))?;
    let password = panel_password(ports, customer, request, &username).await?;
    Ok(Checked {
        plan,
        cycle: request.cycle.clone(),
        price,
        username,
        password,
        server: None,
        zone: None,
    })
}

/// The plan the request names and its price for the requested cycle.
fn plan_and_price<'c>(
    catalog: &'c Catalog,
    request: &OrderRequest,
) -> Result<(&'c Plan, i64), OrderError> {
    let plan = catalog.plan(&request.plan_id).ok_or_else(|| {
        invalid(
            "unknown_plan",
            format!("there is no plan {:?}", request.plan_id),
        )
    })?;
    let price = *plan.prices.get(&request.cycle).ok_or_else(|| {
        invalid(
            "invalid_cycle",
            format!(
                "{} is billed {}",
                plan.name,
                plan.prices.keys().cloned().collect::<Vec<_>>().join(" or ")
            ),
        )
    })?;
    Ok((plan, price))
}

/// The password sent, once checked, or one generated when asked for; exactly one of the two.
async fn panel_password(
    ports: &(impl Storage + Hashing),
    customer: &Customer,
    request: &OrderRequest,
    username: &str,
) -> Result<PanelPassword, OrderError> {
    match (&request.password, request.generate_password) {
        (Some(_), true) => Err(invalid(
            "password_conflict",
            "send a password or ask for a generated one, not both",
        )),
        (None, true) => Ok(PanelPassword {
            value: generate_password(),
            generated: true,
        }),
        (Some(password), false) => {
            check_panel_password(password, username, &customer.email)?;
            refuse_account_password(ports, customer, password).await?;
            Ok(PanelPassword {
                value: password.clone(),
                generated: false,
            })
        }
        (None, false) => Err(invalid(
            "password_required",
            "choose a control-panel password, or ask us to generate one",
        )),
    }
}

pub(super) fn check_panel_password(
    password: &str,
    username: &str,
    email: &str,
) -> Result<(), OrderError> {
    let weak = |message: String| invalid("weak_password", message);
    match accounts::check_password(password, email) {
        Err(AccountError::Invalid { message, .. }) => Err(weak(message)),
        Err(other) => Err(weak(other.to_string())),
        Ok(()) if password.to_lowercase().contains(username) => {
            Err(weak("the password must not contain the username".into()))
        }
        Ok(()) => Ok(()),
    }
}

/// Refuses the customer's own account password as the control-panel password.
pub(super) async fn refuse_account_password(
    ports: &(impl Storage + Hashing),
    customer: &Customer,
    password: &str,
) -> Result<(), OrderError> {
    match accounts::is_account_password(ports, &customer.id, password).await {
        Ok(false) => Ok(()),
        Ok(true) => Err(invalid(
            "password_reused",
            "use a control-panel password other than your account password",
        )),
        Err(AccountError::Overloaded(_)) => Err(OrderError::Unavailable(
            "please try again in a moment".into(),
        )),
        Err(AccountError::Table(e)) => Err(e.into()),
        Err(other) => Err(OrderError::Unavailable(other.to_string())),
    }
}
