//! The order's client account at the registrar, for the domain step: made
//! at the registrar before the domain is registered or transferred under
//! it, and the domain filed under it afterwards.

use crate::Provisioning;
use crate::registrar::ClientAccount;
use crate::registrar_accounts::{self, RegistrarAccount};

use super::super::saga::Saga;
use super::super::{StepError, from_registrar};

/// The registrar's key for making an account: the account's own, so that
/// every order that uses the account asks for it under one key and only
/// the first makes it.
fn creation_key(account: &RegistrarAccount) -> String {
    format!("regaccount-{}", account.id)
}

/// The order's account, made at the registrar, with its credentials; none
/// when the order names no account.
pub(super) async fn ready(
    saga: &Saga<'_, impl Provisioning>,
) -> Result<Option<(RegistrarAccount, ClientAccount)>, StepError> {
    let order = &saga.order;
    let Some(id) = &order.registrar_account_id else {
        return Ok(None);
    };
    let account = registrar_accounts::find(saga.ports, &order.customer_id, id)
        .await?
        .ok_or_else(|| StepError::Hold {
            staff: format!("the order's registrar account {id} is missing"),
            customer: "We could not find the registrar account chosen for this order; our team will contact you.".into(),
        })?;
    let password = registrar_accounts::open_password(saga.ports, &account)
        .await
        .map_err(|e| StepError::Transient(format!("registrar account password: {e}")))?;
    let credentials = ClientAccount {
        username: account.username.clone(),
        password,
    };
    saga.ports
        .registrar()
        .create_client_account(&credentials, &creation_key(&account))
        .await
        .map_err(|e| from_registrar(&order.domain.unicode, e))?;
    Ok(Some((account, credentials)))
}

/// Files the order's domain under `account`.
pub(super) async fn file(
    saga: &Saga<'_, impl Provisioning>,
    account: Option<&RegistrarAccount>,
) -> Result<(), StepError> {
    if let Some(account) = account {
        registrar_accounts::add_domain(
            saga.ports,
            &account.customer_id,
            &account.id,
            &saga.order.domain.name,
        )
        .await?;
    }
    Ok(())
}
