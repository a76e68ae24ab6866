//! The registrar client account an order registers or transfers its domain
//! under: one of the customer's, named by id; a new one, with a label and
//! optionally its username and password (generated when left out); or, left
//! out where the registrar requires accounts, the customer's most recent,
//! else a new one labelled "Main". A new account is written with the order,
//! in its transaction, and made at the registrar by provisioning.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::request::{check_panel_password, generate_password, refuse_account_password};
use crate::accounts::{Customer, random_token};
use crate::ids::RegistrarAccountId;
use crate::orders::{DomainAction, OrderError, invalid};
use crate::registrar_accounts::{self, MAX_PER_CUSTOMER, RegistrarAccount};
use crate::store::TxOp;
use crate::{Hashing, Registry, Sealing, Storage};

/// Which client account at the registrar the order's domain goes under.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", try_from = "ChoiceFields")]
pub enum RegistrarAccountChoice {
    /// One of the customer's accounts, by id.
    Id(String),
    /// A new account.
    New(NewRegistrarAccount),
}

/// The choice as sent: exactly one of its two keys; other keys are
/// ignored, as they are elsewhere in a request's body.
#[derive(Deserialize)]
struct ChoiceFields {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    new: Option<NewRegistrarAccount>,
}

impl TryFrom<ChoiceFields> for RegistrarAccountChoice {
    type Error = &'static str;

    fn try_from(fields: ChoiceFields) -> Result<Self, Self::Error> {
        match (fields.id, fields.new) {
            (Some(id), None) => Ok(RegistrarAccountChoice::Id(id)),
            (None, Some(new)) => Ok(RegistrarAccountChoice::New(new)),
            _ => Err("a registrar account is {\"id\": …} or {\"new\": {…}}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewRegistrarAccount {
    /// The customer's name for it, such as `Family`.
    #[schema(min_length = 1, max_length = 40)]
    pub label: String,
    /// 3 to 20 letters and digits, starting with a letter; generated when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9]{2,19}$")]
    pub username: Option<String>,
    /// Checked as a control-panel password is; generated when left out.
    #[serde(default, skip_serializing)]
    #[schema(min_length = 10, max_length = 128)]
    pub password: Option<String>,
}

/// A new account as the answer to the order shows it, once: the password
/// only when we generated it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewAccountShown {
    #[schema(value_type = String)]
    pub id: RegistrarAccountId,
    pub label: String,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

/// The account the order uses; for a new one, its writes and what the
/// answer shows of it.
pub(super) struct Chosen {
    pub(super) id: RegistrarAccountId,
    pub(super) new: Option<NewAccount>,
}

/// A new account: its write, the claim of its username (refused when the
/// username is taken) and what the answer shows of it.
pub(super) struct NewAccount {
    pub(super) write: TxOp,
    pub(super) claim: TxOp,
    pub(super) shown: NewAccountShown,
}

/// The account for an order whose domain is `action`, or none when the
/// domain needs none.
pub(super) async fn choose(
    ports: &(impl Storage + Registry + Sealing + Hashing),
    customer: &Customer,
    action: DomainAction,
    choice: Option<&RegistrarAccountChoice>,
) -> Result<Option<Chosen>, OrderError> {
    let needs_one = matches!(action, DomainAction::Register | DomainAction::Transfer);
    if !needs_one {
        return match choice {
            Some(_) => Err(invalid(
                "no_registrar_account_needed",
                "a registrar account goes with a domain to register or transfer only",
            )),
            None => Ok(None),
        };
    }
    let accounts = registrar_accounts::list(ports, &customer.id).await?;
    let existing = |account: &RegistrarAccount| Chosen {
        id: account.id.clone(),
        new: None,
    };
    match choice {
        Some(RegistrarAccountChoice::Id(id)) => accounts
            .iter()
            .find(|a| a.id == id.as_str())
            .map(existing)
            .map(Some)
            .ok_or_else(|| {
                invalid(
                    "unknown_registrar_account",
                    "you have no registrar account with that id",
                )
            }),
        Some(RegistrarAccountChoice::New(new)) => {
            make(ports, customer, &accounts, new).await.map(Some)
        }
        None if !ports.registrar().client_accounts_required() => Ok(None),
        None => match accounts.last() {
            Some(latest) => Ok(Some(existing(latest))),
            None => {
                let main = NewRegistrarAccount {
                    label: "Main".into(),
                    username: None,
                    password: None,
                };
                make(ports, customer, &accounts, &main).await.map(Some)
            }
        },
    }
}

/// A new account for the customer, checked, its password sealed.
async fn make(
    ports: &(impl Storage + Registry + Sealing + Hashing),
    customer: &Customer,
    accounts: &[RegistrarAccount],
    new: &NewRegistrarAccount,
) -> Result<Chosen, OrderError> {
    if accounts.len() >= MAX_PER_CUSTOMER {
        return Err(invalid(
            "too_many_registrar_accounts",
            format!("you have {MAX_PER_CUSTOMER} registrar accounts; use one of them"),
        ));
    }
    let label = registrar_accounts::check_label(&new.label)
        .map_err(|m| invalid("invalid_registrar_account_label", m))?;
    let username = match &new.username {
        Some(given) => registrar_accounts::check_username(given)
            .map_err(|m| invalid("invalid_registrar_username", m))?,
        None => generate_username(),
    };
    let password = match &new.password {
        Some(given) => {
            check_panel_password(given, &username, &customer.email)?;
            refuse_account_password(ports, customer, given).await?;
            given.clone()
        }
        None => generate_password(),
    };
    let account = RegistrarAccount {
        id: RegistrarAccountId::generate(),
        customer_id: customer.id.clone(),
        label,
        username,
        registrar: ports.registrar().name().to_string(),
        created_at: crate::clock::rfc3339(ports.clock().now()),
        domains: Vec::new(),
    };
    let write = registrar_accounts::new_account(ports, &account, &password)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not seal a registrar account's password");
            OrderError::Unavailable("please try again in a moment".into())
        })?;
    let claim = registrar_accounts::claim_username_op(&account);
    let shown = NewAccountShown {
        id: account.id.clone(),
        label: account.label,
        username: account.username,
        generated_password: new.password.is_none().then_some(password),
    };
    Ok(Chosen {
        id: account.id,
        new: Some(NewAccount {
            write,
            claim,
            shown,
        }),
    })
}

/// `hf` and ten random letters and digits.
fn generate_username() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let random: String = random_token()
        .bytes()
        .take(10)
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect();
    format!("hf{random}")
}
